/**
 * The trainer's gRPC requests fuzzed through a real server (startTrainer, embedded, loopback; its job
 * worker off, so nothing trains): every field of SubmitJob, WatchJob, CancelJob and GetJob gets random and
 * boundary values, specs among them valid, misspelt, non-YAML and alias-bomb texts (fixed seed;
 * FERRET_FUZZ_RUNS for more). Each call must be answered, or refused with a typed bad-request status,
 * within its deadline; a job submitted before the fuzz (whose id the fuzz submits again) is unchanged.
 */
import { join } from "node:path";
import fc from "fast-check";
import { fuzzTimeout } from "@ferret/errors/testing";
import { createClient, type ServiceClient } from "@ferret/grpc";
import { fuzzMethod, fuzzRawRequests } from "@ferret/grpc/testing";
import { TrainerService } from "@ferret/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trainerConfigSchema } from "../config.js";
import { ENGINE_DOUBLE_DIR, PYTHON } from "../test-support/engine-double.js";
import { tempDir } from "../test-support/scifact.js";
import { startTrainer, type RunningTrainer } from "./start-trainer.js";

const STORED_JOB = "fuzz-stored";
const VALID_SPEC = JSON.stringify({
  corpus: "scifact",
  queries: { split: "train" },
  positives: { human: {} },
  negatives: { bm25: { window: [1, 10], count: 1 } },
  model: "base-model",
});
let trainer: RunningTrainer;
let client: ServiceClient<typeof TrainerService>;
let stored: unknown;

beforeAll(async () => {
  const work = await tempDir();
  trainer = await startTrainer(
    trainerConfigSchema.parse({
      grpc: { host: "127.0.0.1", port: 0 },
      metrics: { enabled: false },
      artifacts: { dir: join(work, "artifacts") },
      data: { root: work },
      engine: { python: PYTHON, dir: ENGINE_DOUBLE_DIR },
      jobs: { enabled: false, workDir: join(work, "jobs") },
    }),
  );
  client = createClient(TrainerService, `127.0.0.1:${trainer.grpc.port}`, {
    retry: false,
    deadlineMs: 20_000,
  });
  await client.submitJob({ jobId: STORED_JOB, spec: VALID_SPEC, specName: "job.json", modelName: "m" });
  stored = await client.getJob({ jobId: STORED_JOB, kind: "" });
}, fuzzTimeout(60_000));

afterAll(async () => {
  client?.close();
  await trainer?.stop();
});

const values = {
  job_id: fc.constantFrom(STORED_JOB, "", "fz-1", "fz 2", "../x", "a".repeat(200), "\u0000"),
  spec: fc.oneof(
    fc.constantFrom(
      VALID_SPEC,
      VALID_SPEC.replace("window", "windw"),
      VALID_SPEC.replace("[1, 10]", "[10, 1]"),
      "corpus: c\nqueries: { split: 3 }\n",
      "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
      "[".repeat(3000),
      "{",
      "",
      "- a\n- b",
    ),
    fc.string({ maxLength: 20 }),
  ),
  spec_name: fc.constantFrom("", "job.yaml", "../../etc/passwd", "<spec>", "\n"),
  model_name: fc.constantFrom("", "m", "../m", "a b"),
};

describe("trainer gRPC, fuzzed", () => {
  for (const [key, runs] of [
    ["submitJob", 100],
    ["getJob", 30],
    ["cancelJob", 30],
  ] as const) {
    it(
      `${key}: every request is answered or refused with a typed bad-request status`,
      async () => {
        // CancelJob of the stored job is a valid request that changes it on purpose: keep its id out.
        const fields =
          key === "cancelJob" ? { ...values, job_id: fc.constantFrom("", "fz-1", "../x", "\u0000") } : values;
        expect(await fuzzMethod(client, TrainerService, key, { values: fields, runs })).toBeGreaterThan(0);
      },
      fuzzTimeout(120_000),
    );
  }

  it(
    "submitJob: raw request bytes are answered or INVALID_ARGUMENT",
    async () => {
      const address = `127.0.0.1:${trainer.grpc.port}`;
      expect(
        await fuzzRawRequests(address, TrainerService, "submitJob", { values, runs: 40 }),
      ).toBeGreaterThan(0);
    },
    fuzzTimeout(120_000),
  );

  it("left the job submitted before the fuzz as it was", async () => {
    expect(await client.getJob({ jobId: STORED_JOB, kind: "" })).toEqual(stored);
  });
});
