/**
 * Scoring jobs through the Ranker's gRPC methods on loopback, embedded mode (in-process bus, a score
 * worker in this process): SubmitScoreJob, WatchScoreJob (server stream of JobStatus until SUCCEEDED),
 * GetScoreJobResult. Scores are checked against PyTorch's (fixtures/reference.json).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBus } from "@ferret/bus";
import { FerretError } from "@ferret/errors";
import { isServiceError } from "@ferret/grpc";
import { JobState, type JobStatus } from "@ferret/proto";
import { status as Status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ModelCatalog } from "../rerank/model-catalog.js";
import { FIXTURES_DIR, readReference, sigmoid } from "../test-support/fixtures.js";
import { serveScoreJobs, type ScoreJobsOverGrpc } from "../test-support/score-jobs-over-grpc.js";

let dir: string;
let served: ScoreJobsOverGrpc;
let client: ScoreJobsOverGrpc["client"];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ferret-ranker-grpc-jobs-"));
  const bus = await createBus({ kind: "memory", dir });
  const models = new ModelCatalog({
    root: FIXTURES_DIR,
    defaultModel: "tiny-ce",
    load: { intraOpNumThreads: 1 },
  });
  served = await serveScoreJobs({ bus, models });
  client = served.client;
});

afterAll(async () => {
  await served?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("score jobs over gRPC", () => {
  it("submits, streams progress to SUCCEEDED and returns every pair's score", async () => {
    const reference = readReference().pairs.slice(0, 50);
    const submitted = await client.submitScoreJob({
      jobId: "teacher-scores-1",
      model: undefined,
      pairs: reference.map((p) => ({
        queryId: p.queryId,
        docId: p.docId,
        query: p.query,
        passage: p.passage,
      })),
      batchSize: 8,
      quantized: false,
    });
    expect(submitted.job?.jobId).toBe("teacher-scores-1");
    expect(submitted.progress?.total).toBe(7); // ceil(50 / 8)

    const statuses: JobStatus[] = [];
    for await (const status of client.watchScoreJob({ jobId: "teacher-scores-1", kind: "" }))
      statuses.push(status);
    const last = statuses[statuses.length - 1]!;
    expect(last.state).toBe(JobState.JOB_STATE_SUCCEEDED);
    expect(last.progress?.done).toBe(7);
    expect(last.outputs[0]?.name).toBe("teacher-scores-1.tsv");
    const done = statuses.map((s) => Number(s.progress?.done ?? 0));
    expect(done).toEqual([...done].sort((a, b) => a - b));

    const result = await client.getScoreJobResult({ jobId: "teacher-scores-1", kind: "" });
    expect(result.scores.map((s) => [s.queryId, s.docId])).toEqual(
      reference.map((p) => [p.queryId, p.docId]),
    );
    result.scores.forEach((s, i) =>
      expect(Math.abs(s.score - sigmoid(reference[i]!.logit))).toBeLessThan(1e-4),
    );
  });

  it("answers NOT_FOUND for an unknown job and INVALID_ARGUMENT for a bad job id", async () => {
    const unknown = await client
      .getScoreJobResult({ jobId: "no-such-job", kind: "" })
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(FerretError);
    const cause = (unknown as FerretError).cause;
    expect(isServiceError(cause) && cause.code).toBe(Status.NOT_FOUND);
    const bad = await client
      .submitScoreJob({
        jobId: "a/b",
        model: undefined,
        pairs: [{ queryId: "q", docId: "d", query: "x", passage: "y" }],
        batchSize: 0,
        quantized: false,
      })
      .catch((e: unknown) => e);
    const badCause = (bad as FerretError).cause;
    expect(isServiceError(badCause) && badCause.code).toBe(Status.INVALID_ARGUMENT);
  });
});
