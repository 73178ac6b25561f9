/**
 * The bus a job command runs on: the cluster's NATS (--nats-url, with FERRET_CLI_NATS__* credentials and
 * TLS: nats-auth.ts; the stage's replicas do the work) or,
 * embedded, an in-process bus in a temporary directory that is removed when the command ends (the
 * command then runs the stage's worker itself).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBus, type Bus } from "@ferret/bus";
import type { JobRecord } from "@ferret/jobs";
import { SingleBar } from "cli-progress";
import { cliNatsAuth } from "./nats-auth.js";

export interface JobBus {
  bus: Bus;
  embedded: boolean;
  close(): Promise<void>;
}

export async function openJobBus(natsUrl: string | undefined, name: string): Promise<JobBus> {
  if (natsUrl !== undefined) {
    const bus = await createBus({ kind: "nats", url: natsUrl, name, auth: cliNatsAuth() });
    return { bus, embedded: false, close: () => bus.close({ graceMs: 1_000 }) };
  }
  const dir = await mkdtemp(join(tmpdir(), `${name}-`));
  const bus = await createBus({ kind: "memory", dir });
  return {
    bus,
    embedded: true,
    async close() {
      await bus.close({ graceMs: 1_000 });
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A progress bar over a job's records (stderr, only on a terminal). */
export function jobProgressBar(enabled: boolean): { update(record: JobRecord): void; stop(): void } {
  const bar =
    enabled && process.stderr.isTTY === true
      ? new SingleBar({ stream: process.stderr, format: "{state} [{bar}] {value}/{total} {unit}" })
      : undefined;
  let started = false;
  return {
    update(record) {
      if (bar === undefined || record.progress.total === 0) return;
      const payload = { state: record.state, unit: record.progress.unit };
      if (!started) bar.start(record.progress.total, record.progress.done, payload);
      else bar.update(record.progress.done, payload);
      started = true;
    },
    stop: () => bar?.stop(),
  };
}
