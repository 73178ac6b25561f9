/**
 * A scoring job whose backend fails for good, on both bus adapters (in-process and NATS JetStream at
 * $NATS_URL, default nats://127.0.0.1:4222, which must be reachable): the model directory names a
 * model.onnx that is not there. The job ends FAILED with a message naming the missing file, WatchScoreJob
 * closes after that status, and GetScoreJobResult refuses with the cause. Every queue, bucket and stream
 * of the NATS run carries the run id and is deleted afterwards.
 */
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBus, type Bus } from "@ferret/bus";
import { FerretError } from "@ferret/errors";
import { JobState, type JobStatus } from "@ferret/proto";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScoreJobNames } from "../jobs/score-job-record.js";
import { ModelCatalog } from "../rerank/model-catalog.js";
import { TINY_CE } from "../test-support/fixtures.js";
import { serveScoreJobs, type ScoreJobsOverGrpc } from "../test-support/score-jobs-over-grpc.js";

const url = process.env["NATS_URL"] ?? "nats://127.0.0.1:4222";
const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const events = { stream: `FERRET_TEST_EVENTS_${runId}`, prefix: `ferret.test.${runId}` };
const names: ScoreJobNames = {
  queue: `ranker-fail-score-${runId}`,
  jobsBucket: `ranker-fail-jobs-${runId}`,
  batchesBucket: `ranker-fail-batches-${runId}`,
  resultsBucket: `ranker-fail-results-${runId}`,
};

const adapters = [
  { name: "in-process bus", create: (dir: string) => createBus({ kind: "memory", dir }) },
  {
    name: `NATS JetStream (${url})`,
    create: () => createBus({ kind: "nats", url, name: "ranker-failure-test", events }),
  },
];

/** A models root whose "broken-ce" has its config and tokenizer but not its model.onnx. */
async function brokenModelsRoot(dir: string): Promise<string> {
  const model = join(dir, "models", "broken-ce");
  await mkdir(model, { recursive: true });
  for (const file of ["config.json", "ferret.json", "tokenizer.json"]) {
    await copyFile(join(TINY_CE, file), join(model, file));
  }
  return join(dir, "models");
}

describe.each(adapters)("a score job whose model file is missing ($name)", (adapter) => {
  let dir: string;
  let bus: Bus;
  let served: ScoreJobsOverGrpc;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ferret-ranker-failure-"));
    bus = await adapter.create(dir);
    const root = await brokenModelsRoot(dir);
    served = await serveScoreJobs({
      bus: await adapter.create(dir),
      models: new ModelCatalog({ root, load: { intraOpNumThreads: 1 } }),
      names,
    });
  });

  afterAll(async () => {
    await served?.stop();
    if (bus !== undefined) {
      await (await bus.queue(names.queue)).destroy();
      for (const bucket of [names.jobsBucket, names.batchesBucket]) await (await bus.kv(bucket)).destroy();
      await (await bus.objects(names.resultsBucket)).destroy();
      await bus.close({ graceMs: 0 });
    }
    await rm(dir, { recursive: true, force: true });
    if (bus?.kind === "nats") {
      const nc = await connect({ servers: url });
      await (await jetstreamManager(nc)).streams.delete(events.stream).catch(() => undefined);
      await nc.close();
    }
  });

  it("ends FAILED naming the missing file, and WatchScoreJob closes", async () => {
    const jobId = `broken-model-${runId}`;
    const { client, worker } = served;
    await client.submitScoreJob({
      jobId,
      model: { name: "broken-ce", version: "", artifact: undefined },
      pairs: ["a", "b", "c"].map((d) => ({
        queryId: "q1",
        docId: d,
        query: "query",
        passage: `passage ${d}`,
      })),
      batchSize: 1,
      quantized: false,
    });
    const statuses: JobStatus[] = [];
    for await (const status of client.watchScoreJob({ jobId, kind: "" })) statuses.push(status);
    const last = statuses[statuses.length - 1]!;
    expect(last.state).toBe(JobState.JOB_STATE_FAILED);
    expect(last.errorCode).toBe("INVALID_INPUT");
    expect(last.errorMessage).toMatch(
      /broken-ce\/ferret\.json \(field "model"\): names model\.onnx, which is not in /,
    );
    expect(statuses.slice(0, -1).every((s) => s.state !== JobState.JOB_STATE_FAILED)).toBe(true);
    expect(worker.stats().failed).toBe(1);

    const result = await client.getScoreJobResult({ jobId, kind: "" }).catch((e: unknown) => e);
    expect(result).toBeInstanceOf(FerretError);
    expect((result as FerretError).message).toContain("names model.onnx, which is not in");
  }, 30_000);
});
