/**
 * `ferret annotate relevance` with its LLM endpoint down for good (a real free port nobody listens on:
 * every connection is refused), run as the BUILT cli: embedded (in-process bus, the cli's own worker)
 * and on NATS ($NATS_URL, default nats://127.0.0.1:4222, which must be reachable; queue and buckets
 * under a run-id prefix, deleted afterwards). The job's batches are given up by the bus, the job fails, and the cli
 * exits 1 with the job's error naming the refused connection, instead of waiting for good; no labels
 * are written.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { destroyAnnotationStore, openAnnotationStore } from "@ferret/annotator";
import { createBus } from "@ferret/bus";
import { freePort } from "@ferret/service/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ferret } from "../test-support/ferret-process.js";

const url = process.env["NATS_URL"] ?? "nats://127.0.0.1:4222";
const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

let dir: string;
let llmUrl: string;
let refused: RegExp;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cli-annotate-llm-down-"));
  const port = await freePort();
  llmUrl = `http://127.0.0.1:${port}/v1`;
  refused = new RegExp(
    `^ferret: annotate job "[^"]+" failed: LLM call to ${llmUrl}/chat/completions failed: ` +
      `fetch failed \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\)\\n$`,
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function annotate(out: string, extra: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return ferret([
    "annotate",
    "relevance",
    "--corpus",
    "examples/mini",
    "--split",
    "test",
    "--candidates",
    "2",
    "--limit",
    "2",
    "--llm-base-url",
    llmUrl,
    "--llm-model",
    "nobody",
    "--max-attempts",
    "1",
    "--out",
    out,
    ...extra,
  ]);
}

describe("ferret annotate with the LLM endpoint down", () => {
  it("exits 1 with the job's error, embedded", async () => {
    const out = join(dir, "embedded");
    const result = await annotate(out, []);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(refused);
    await expect(readFile(join(out, "qrels.trec"))).rejects.toMatchObject({ code: "ENOENT" });
  }, 60_000);

  it("exits 1 with the job's error, on NATS", async () => {
    const prefix = `cli-annotate-${runId}`;
    const out = join(dir, "nats");
    try {
      const result = await annotate(out, ["--nats-url", url, "--name-prefix", prefix]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(refused);
      await expect(readFile(join(out, "qrels.trec"))).rejects.toMatchObject({ code: "ENOENT" });
    } finally {
      const bus = await createBus({ kind: "nats", url, name: "cli-annotate-llm-down-test" });
      await destroyAnnotationStore(await openAnnotationStore(bus, { prefix }));
      await bus.close({ graceMs: 0 });
    }
  }, 60_000);
});
