/**
 * The evaluation job worker on both bus adapters: in-process (embedded) and NATS JetStream at $NATS_URL
 * (default nats://127.0.0.1:4222; dev: infra/dev/nats.sh start), which must be reachable: the NATS suite
 * fails, never skips, without it. Every queue, bucket and event stream has this run's id in its name and is
 * deleted afterwards. Expected metric values are pytrec_eval's (fixtures/trec_eval), not our own output.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBus, type Bus, type BusEvent, type Subscription } from "@ferret/bus";
import { EvaluateRequest, EvaluationCompleted, JobState, type ArtifactRef } from "@ferret/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { close, trecEvalExpected, trecEvalFixtureText } from "./test-support/fixtures.js";
import { startEvaluationWorker, type EvaluationWorker } from "./evaluation-worker.js";
import { readJobRecord, resultObjectName, type StoredJobRecord } from "../jobs/job-record.js";
import { submitEvaluationJob } from "../jobs/submit-evaluation.js";

const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const natsUrl = process.env["NATS_URL"] ?? "nats://127.0.0.1:4222";
const names = {
  queue: `evaluator-test-${runId}`,
  jobsBucket: `evaluator-test-jobs-${runId}`,
  resultsBucket: `evaluator-test-results-${runId}`,
  inputsBucket: `evaluator-test-inputs-${runId}`,
};
// A short dedup window, so the test can publish a job id again after it and see the worker skip it.
const queueOptions = { dedupWindowMs: 300, maxDeliveries: 2, backoff: { initialMs: 50, maxMs: 100 } };
const expected = trecEvalExpected("cranfield-tfidf.l1");
const MEASURES = ["ndcg_cut_10", "map", "P_10", "recall_100"];

interface Adapter {
  name: string;
  create(dir: string): Promise<Bus>;
}

const adapters: Adapter[] = [
  { name: "in-process bus", create: (dir) => createBus({ kind: "memory", dir }) },
  {
    name: `NATS JetStream (${natsUrl})`,
    create: () =>
      createBus({
        kind: "nats",
        url: natsUrl,
        name: "evaluator-worker-test",
        connectTimeoutMs: 5000,
        events: { stream: `FERRET_TEST_EVENTS_${runId}`, prefix: `ferret.test.${runId}` },
      }),
  },
];

describe.each(adapters)("evaluation jobs on the $name", (adapter) => {
  let dir: string;
  let bus: Bus;
  let worker: EvaluationWorker;
  let subscription: Subscription;
  const events: BusEvent<unknown>[] = [];
  let runRef: ArtifactRef;
  let qrelsRef: ArtifactRef;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ferret-evaluator-jobs-"));
    bus = await adapter.create(dir);
    // Inputs as artifacts in the object store, as a pipeline stage would leave them.
    const inputs = await bus.objects(names.inputsBucket);
    const put = async (name: string, text: string): Promise<ArtifactRef> => {
      const info = await inputs.put(name, new TextEncoder().encode(text));
      return {
        bucket: names.inputsBucket,
        name,
        sha256: info.sha256,
        size: info.size,
        mediaType: "text/plain",
      };
    };
    runRef = await put("runs/cranfield-tfidf.run", trecEvalFixtureText(expected.run));
    qrelsRef = await put("qrels/cranfield.qrels", trecEvalFixtureText(expected.qrels));
    subscription = await bus.events.subscribe("evaluation.completed", (event) => {
      events.push(event);
    });
    worker = await startEvaluationWorker({
      bus,
      ...names,
      queueOptions,
      progressIntervalMs: 0,
      sliceQueries: 50,
    });
  });

  afterAll(async () => {
    await subscription?.stop();
    await worker?.stop({ graceMs: 1000 });
    if (bus !== undefined) {
      const queue = await bus.queue(names.queue, queueOptions);
      await queue.destroy();
      await (await bus.kv(names.jobsBucket)).destroy();
      await (await bus.objects(names.resultsBucket)).destroy();
      await (await bus.objects(names.inputsBucket)).destroy();
      await bus.close({ graceMs: 1000 });
    }
    await rm(dir, { recursive: true, force: true });
  });

  const request = (): EvaluateRequest => ({
    run: { source: { $case: "artifact", value: runRef } },
    qrels: { source: { $case: "artifact", value: qrelsRef } },
    measures: MEASURES,
    options: undefined,
  });

  async function recordOf(jobId: string) {
    return readJobRecord(await bus.kv<StoredJobRecord>(names.jobsBucket), jobId);
  }

  it("evaluates a submitted job: KV says succeeded, the event arrives, the artifact holds the per-query values", async () => {
    const jobId = `job-a-${runId}`;
    const submitted = await submitEvaluationJob(bus, request(), { jobId, ...names, queueOptions });
    expect(submitted).toEqual({ jobId, duplicate: false });

    await expect
      .poll(async () => (await recordOf(jobId))?.status.state, { timeout: 20_000, interval: 50 })
      .toBe(JobState.JOB_STATE_SUCCEEDED);
    const record = await recordOf(jobId);
    const numQueries = Object.keys(expected.perQuery).length;
    expect(record?.numQueries).toBe(numQueries);
    expect(record?.status.progress).toMatchObject({ done: numQueries, total: numQueries, unit: "queries" });
    for (const m of MEASURES)
      expect(close(record?.completed?.means[m], expected.mean[m] as number), m).toBe(true);

    await expect.poll(() => events.length, { timeout: 10_000 }).toBe(1);
    const event = events[0] as BusEvent<unknown>;
    expect(event.type).toBe("evaluation.completed");
    const completed = EvaluationCompleted.fromJSON(event.data);
    expect(completed.job).toEqual({ jobId, kind: "evaluate" });
    expect(completed.runName).toBe("cranfield-tfidf");
    expect(completed.report?.name).toBe(resultObjectName(jobId));
    expect(record?.status.outputs).toEqual([completed.report]);
    for (const m of MEASURES) expect(close(completed.means[m], expected.mean[m] as number), m).toBe(true);

    const results = await bus.objects(names.resultsBucket);
    const json = JSON.parse(
      new TextDecoder().decode(
        await results.getBytes(resultObjectName(jobId), { expectedSha256: completed.report?.sha256 }),
      ),
    ) as { numQueries: number; perQuery: Record<string, Record<string, number>> };
    expect(json.numQueries).toBe(numQueries);
    const bad: string[] = [];
    for (const [qid, values] of Object.entries(expected.perQuery)) {
      for (const m of MEASURES) {
        if (!close(json.perQuery[qid]?.[m], values[m] as number))
          bad.push(`${qid} ${m}: ${json.perQuery[qid]?.[m]} vs ${values[m]}`);
      }
    }
    expect(bad.slice(0, 10)).toEqual([]);
    expect(worker.stats()).toEqual({ computed: 1, skipped: 0, failed: 0 });
  });

  it("does not recompute a job id it has finished: a duplicate publish is dropped, a later redelivery just acks", async () => {
    const jobId = `job-a-${runId}`;
    const kv = await bus.kv<StoredJobRecord>(names.jobsBucket);
    const revision = (await kv.get(jobId))?.revision;
    const artifact = await (await bus.objects(names.resultsBucket)).info(resultObjectName(jobId));

    // Past the queue's dedup window the bus delivers the same id again (as after a worker crash before its ack).
    await new Promise((resolve) => setTimeout(resolve, queueOptions.dedupWindowMs + 200));
    const again = await submitEvaluationJob(bus, request(), {
      jobId,
      encoding: "json",
      ...names,
      queueOptions,
    });
    expect(again.duplicate).toBe(false);
    // Within the window a second publish of the same id is dropped by the bus.
    const duplicate = await submitEvaluationJob(bus, request(), { jobId, ...names, queueOptions });
    expect(duplicate.duplicate).toBe(true);

    await expect.poll(() => worker.stats().skipped, { timeout: 20_000, interval: 50 }).toBe(1);
    expect(worker.stats().computed).toBe(1);
    expect((await kv.get(jobId))?.revision).toBe(revision);
    expect((await (await bus.objects(names.resultsBucket)).info(resultObjectName(jobId)))?.modified).toEqual(
      artifact?.modified,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(events).toHaveLength(1);
  });

  it("takes a JSON payload too, and records bad input as failed with the source, line and field", async () => {
    const good = `job-json-${runId}`;
    await submitEvaluationJob(bus, request(), { jobId: good, encoding: "json", ...names, queueOptions });
    const bad = `job-bad-${runId}`;
    const badRequest = EvaluateRequest.fromPartial({
      run: { source: { $case: "trecText", value: "1 Q0 d1 1 0.5 t\n1 Q0 d2 2 oops t\n" } },
      qrels: { source: { $case: "artifact", value: qrelsRef } },
      measures: ["map"],
    });
    await submitEvaluationJob(bus, badRequest, { jobId: bad, ...names, queueOptions });

    await expect
      .poll(async () => (await recordOf(bad))?.status.state, { timeout: 20_000, interval: 50 })
      .toBe(JobState.JOB_STATE_FAILED);
    const failed = await recordOf(bad);
    expect(failed?.status.errorCode).toBe("INVALID_INPUT");
    expect(failed?.status.errorMessage).toBe('<request run>:2 (field "score"): not a number: "oops"');
    await expect
      .poll(async () => (await recordOf(good))?.status.state, { timeout: 20_000, interval: 50 })
      .toBe(JobState.JOB_STATE_SUCCEEDED);
    expect(close((await recordOf(good))?.completed?.means["map"], expected.mean["map"] as number)).toBe(true);
    // Dead-lettered at once (bad input does not get better on retry).
    const dlq = (await bus.queue(names.queue, queueOptions)).deadLetters();
    await expect.poll(async () => (await dlq?.stats())?.pending, { timeout: 10_000 }).toBe(1);
    expect(worker.stats()).toEqual({ computed: 2, skipped: 1, failed: 1 });
  });
});
