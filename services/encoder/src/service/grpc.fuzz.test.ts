/**
 * The encoder's gRPC requests fuzzed through a real server (startEncoder, embedded, loopback, the tiny
 * ONNX bi-encoder fixtures): every field of Embed, IndexCorpus, Search, ListModels and LoadModel gets
 * random and boundary values (fixed seed; FERRET_FUZZ_RUNS for more). Each call must be answered, or
 * refused with a typed bad-request status, within its deadline; the index built before the fuzz answers
 * the same search after it, and the model served before is still served.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { fuzzTimeout } from "@ferret/errors/testing";
import { createClient, type ServiceClient } from "@ferret/grpc";
import { fuzzMethod, fuzzRawRequests } from "@ferret/grpc/testing";
import { EncoderService, JobState, type SearchRequest } from "@ferret/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encoderConfigSchema } from "../config.js";
import { makeModelsRoot, referenceCorpus } from "../test-support/fixtures.js";
import { startEncoder, type RunningEncoder } from "./start-encoder.js";

let dir: string;
let encoder: RunningEncoder;
let client: ServiceClient<typeof EncoderService>;
let storedSearch: unknown;
const documents = referenceCorpus().map((d) => ({ ...d, metadata: {} }));
const search: SearchRequest = {
  index: "docs",
  queries: [{ id: "q", text: documents[0]!.text, metadata: {} }],
  k: 3,
  exact: true,
  hybrid: undefined,
  removeQuery: false,
  name: "",
  indexArtifact: undefined,
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ferret-encoder-fuzz-"));
  encoder = await startEncoder(
    encoderConfigSchema.parse({
      grpc: { host: "127.0.0.1", port: 0 },
      metrics: { host: "127.0.0.1", port: 0 },
      models: { dir: makeModelsRoot(join(dir, "models")), serve: "tiny-a", threads: 1 },
      indexes: { dir: join(dir, "indexes") },
      artifacts: { dir: join(dir, "artifacts") },
      shards: { ackWaitMs: 5_000 },
    }),
  );
  client = createClient(EncoderService, `127.0.0.1:${encoder.grpc.port}`, {
    retry: false,
    deadlineMs: 30_000,
  });
  let last;
  for await (const update of client.indexCorpus({
    index: "docs",
    beirDir: "",
    documents,
    shardSize: 8,
    kind: 0,
    jobId: "",
    model: undefined,
    quantized: false,
    corpus: undefined,
  }))
    last = update;
  expect(last?.status?.state).toBe(JobState.JOB_STATE_SUCCEEDED);
  await client.loadModel({
    model: { name: "tiny-a", version: "", artifact: undefined },
    quantized: false,
    indexes: ["docs"],
  });
  storedSearch = await client.search(search);
}, fuzzTimeout(120_000));

afterAll(async () => {
  client?.close();
  await encoder?.stop();
  await rm(dir, { recursive: true, force: true });
});

// "docs" is left out of the names IndexCorpus and LoadModel get: rebuilding or re-serving it with other
// documents is a valid request that changes it on purpose.
const values = {
  index: fc.constantFrom("docs", "fz", "", "../docs", "a b", "x".repeat(300)),
  name: fc.constantFrom("", "tiny-a", "tiny-b", "missing", "../models", "tiny-a/..", "/"),
  beir_dir: fc.constantFrom("", "mini", "../..", "/etc", "nope"),
  bm25_index: fc.constantFrom("", "missing", "../x"),
  normalization: fc.constantFrom("", "min-max", "z-score", "bogus"),
  job_id: fc.constantFrom("", "fz-job", "../x", "a b"),
  indexes: fc.constantFrom("", "fz", "missing", "../docs"),
  sha256: fc.constantFrom("", "\u0000", "../../x", "ab", "a".repeat(64)),
  bucket: fc.constantFrom("b", "", "\u{1f600}", "../b"),
};
/** A search of a published index whose sha256 is not a digest: it named the cache directory (a NUL crashed). */
const searchWithDigest = (sha256: string): SearchRequest => ({
  ...search,
  indexArtifact: { bucket: "b", name: "index.json", sha256, size: 0, mediaType: "" },
});
const noDocs = { ...values, index: fc.constantFrom("fz", "", "../docs", "a b", "x".repeat(300)) };

describe("encoder gRPC, fuzzed", () => {
  for (const [key, runs, fields] of [
    ["embed", 60, values],
    ["search", 60, values],
    ["listModels", 5, values],
    ["indexCorpus", 30, noDocs],
    ["loadModel", 20, noDocs],
  ] as const) {
    it(
      `${key}: every request is answered or refused with a typed bad-request status`,
      async () => {
        const examples = key === "search" ? [searchWithDigest("\u0000"), searchWithDigest("../../x")] : [];
        expect(
          await fuzzMethod(client, EncoderService, key, {
            values: fields,
            runs,
            deadlineMs: 60_000,
            examples,
          }),
        ).toBeGreaterThan(0);
      },
      fuzzTimeout(600_000),
    );
  }

  for (const [key, runs] of [
    ["search", 40],
    ["indexCorpus", 30],
  ] as const) {
    it(
      `${key}: raw request bytes (random, or 64-bit values past 2^53) are answered or INVALID_ARGUMENT`,
      async () => {
        expect(
          await fuzzRawRequests(`127.0.0.1:${encoder.grpc.port}`, EncoderService, key, {
            values: noDocs,
            runs,
          }),
        ).toBeGreaterThan(0);
      },
      fuzzTimeout(120_000),
    );
  }

  it("left the index built before the fuzz answering as before", async () => {
    // LoadModel may have swapped models; serve tiny-a with "docs" again, as before the fuzz.
    await client.loadModel({
      model: { name: "tiny-a", version: "", artifact: undefined },
      quantized: false,
      indexes: ["docs"],
    });
    expect(await client.search(search)).toEqual(storedSearch);
  });
});
