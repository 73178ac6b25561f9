import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@ferret/grpc";
import { freePort } from "@ferret/service/testing";
import { service as healthService } from "grpc-health-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listening } from "../cluster/dev-servers.js";
import { SERVICE_NAMES } from "../cluster/service-catalog.js";
import { freePortBase, upArgs } from "../cluster/test-support/up-args.js";
import { ferret } from "../test-support/ferret-process.js";

// Real processes: `ferret up` starts a nats-server of its own (on free ports, not the dev one) and every
// service as `ferret serve <name>`; OpenSearch is the dev one (--opensearch-url), except in the last test,
// where up starts its own. The annotator runs the bundled SmolLM2 (make test fetches it first).

interface State {
  nats: { url: string; started: boolean };
  services: Record<string, { pid: number; grpcPort: number; metricsPort: number; log: string }>;
}

let stateDir: string;
let args: string[];

async function readState(): Promise<State> {
  return JSON.parse(await readFile(join(stateDir, "cluster.json"), "utf8")) as State;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function healthOf(port: number, service = ""): Promise<string | undefined> {
  const health = createClient(healthService, `127.0.0.1:${port}`, { retry: false, deadlineMs: 5000 });
  try {
    const answer = (await health["Check"]!({ service }).catch(() => undefined)) as
      { status?: string } | undefined;
    return answer?.status;
  } finally {
    health.close();
  }
}

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "ferret-up-"));
  args = (await upArgs(stateDir)).args;
});

afterAll(async () => {
  if (stateDir === undefined) return;
  await ferret(["down", "--state-dir", stateDir, "--grace", "5"], { timeoutMs: 120_000 });
  await rm(stateDir, { recursive: true, force: true });
});

describe("ferret up / down", () => {
  it("starts nats-server and every service, each answering gRPC health; a second up starts nothing", async () => {
    const up = await ferret(["up", ...args], { timeoutMs: 240_000 });
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/^ferret: up \(started nats, /);
    const state = await readState();
    expect(state.nats.started).toBe(true);
    expect(Object.keys(state.services).sort()).toEqual([...SERVICE_NAMES].sort());
    for (const name of SERVICE_NAMES) {
      const s = state.services[name]!;
      expect(alive(s.pid), name).toBe(true);
      expect(await healthOf(s.grpcPort), name).toBe("SERVING");
      // The pipeline API rides on the services that host pipeline stages (cluster/pipeline-host.ts).
      expect(await healthOf(s.grpcPort, "ferret.v1.Pipeline"), name).toBe(
        name === "ranker" ? undefined : "SERVING",
      );
      expect(up.stdout).toContain(`${name.padEnd(11)} grpc 127.0.0.1:${s.grpcPort}`);
      // started through `ferret serve`, logging to the state dir
      expect(await readFile(s.log, "utf8")).toContain(`"${name} started"`);
    }
    const port = Number(new URL(state.nats.url).port);
    expect(await listening(port)).toBe(true);

    const again = await ferret(["up", ...args], { timeoutMs: 120_000 });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^ferret: already up\n/);
    expect((await readState()).services).toEqual(state.services);
  });

  it("restarts only a service that died; down stops everything it started, and is idempotent", async () => {
    const before = await readState();
    process.kill(before.services.ranker!.pid, "SIGKILL");
    const up = await ferret(["up", ...args], { timeoutMs: 240_000 });
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/^ferret: up \(started ranker\)\n/);
    const after = await readState();
    expect(after.services.ranker!.pid).not.toBe(before.services.ranker!.pid);
    expect(after.services.encoder).toEqual(before.services.encoder);
    expect(await healthOf(after.services.ranker!.grpcPort)).toBe("SERVING");

    const down = await ferret(["down", "--state-dir", stateDir], { timeoutMs: 120_000 });
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toBe("ferret: down\n");
    for (const name of SERVICE_NAMES) {
      expect(alive(after.services[name]!.pid), name).toBe(false);
      // a graceful stop: the service logged its own shutdown
      expect(await readFile(after.services[name]!.log, "utf8"), name).toContain(`"${name} stopped"`);
      expect(down.stderr).toContain(`${name}: stopped`);
    }
    expect(await listening(Number(new URL(after.nats.url).port))).toBe(false);
    expect(existsSync(join(stateDir, "cluster.json"))).toBe(false);

    const again = await ferret(["down", "--state-dir", stateDir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^ferret: not up/);
  });

  it("refuses a NATS port something else listens on, naming it and what to do", async () => {
    const taken = Number(new URL(process.env.NATS_URL ?? "nats://127.0.0.1:4222").port);
    const dir = await mkdtemp(join(tmpdir(), "ferret-up-taken-"));
    try {
      const up = await ferret(["up", "--state-dir", dir, "--nats-port", String(taken)]);
      expect(up.code).toBe(1);
      expect(up.stderr).toContain(`something already listens on 127.0.0.1:${taken}`);
      expect(up.stderr).toContain("--nats-url");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("starts its own OpenSearch when given none, and down stops it", { timeout: 300_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "ferret-up-os-"));
    const osPort = await freePort();
    const common = ["--state-dir", dir];
    try {
      const up = await ferret(
        [
          "up",
          ...common,
          "--nats-port",
          String(await freePort()),
          "--nats-monitor-port",
          String(await freePort()),
          "--opensearch-port",
          String(osPort),
          "--port-base",
          String(await freePortBase()),
          "--services",
          "evaluator",
        ],
        { timeoutMs: 280_000 },
      );
      expect(up.code, up.stderr).toBe(0);
      expect(up.stdout).toContain(`opensearch  http://127.0.0.1:${osPort}  (started by ferret up)`);
      const health = (await (await fetch(`http://127.0.0.1:${osPort}/_cluster/health`)).json()) as {
        status: string;
      };
      expect(["green", "yellow"]).toContain(health.status);
      const down = await ferret(["down", ...common], { timeoutMs: 120_000 });
      expect(down.code, down.stderr).toBe(0);
      expect(down.stderr).toContain("opensearch: stopped");
      expect(await listening(osPort)).toBe(false);
    } finally {
      await ferret(["down", ...common], { timeoutMs: 120_000 });
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("ferret serve", () => {
  it("names the services when given another", async () => {
    const serve = await ferret(["serve", "nope"]);
    expect(serve.code).toBe(1);
    expect(serve.stderr).toBe(`ferret: unknown service "nope": one of ${SERVICE_NAMES.join(", ")}\n`);
  });
});
