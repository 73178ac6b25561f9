/**
 * The encoder process wiring (startEncoder from a config, embedded mode): it serves the configured model,
 * builds an index through gRPC with its own shard worker, and follows "model.published" events by building
 * the served index again with the published model (from the documents it was built from) and hot swapping
 * to it, while keeping the old one on failure.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventually } from "@ferret/bus/testing";
import { createClient } from "@ferret/grpc";
import { EncoderService, JobState } from "@ferret/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encoderConfigSchema } from "../config.js";
import { makeModelsRoot, referenceCorpus } from "../test-support/fixtures.js";
import { startEncoder, type RunningEncoder } from "./start-encoder.js";

let dir: string;
let encoder: RunningEncoder;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ferret-encoder-main-"));
  const config = encoderConfigSchema.parse({
    grpc: { host: "127.0.0.1", port: 0 },
    metrics: { host: "127.0.0.1", port: 0 },
    models: { dir: makeModelsRoot(join(dir, "models")), serve: "tiny-a", followPublished: true, threads: 1 },
    indexes: { dir: join(dir, "indexes") },
    artifacts: { dir: join(dir, "artifacts") },
    shards: { ackWaitMs: 5_000 },
  });
  encoder = await startEncoder(config);
}, 60_000);

afterAll(async () => {
  await encoder?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("startEncoder", () => {
  it("indexes, searches and swaps to a published model", async () => {
    const client = createClient(EncoderService, `127.0.0.1:${encoder.grpc.port}`, { deadlineMs: 30_000 });
    try {
      const documents = referenceCorpus().map((d) => ({ ...d, metadata: {} }));
      let last;
      for await (const u of client.indexCorpus({
        index: "docs",
        beirDir: "",
        documents,
        shardSize: 8,
        kind: 0,
        jobId: "",
        model: undefined,
        quantized: false,
        corpus: undefined,
      })) {
        last = u;
      }
      expect(last?.status?.state).toBe(JobState.JOB_STATE_SUCCEEDED);
      // tiny-a was loaded without indexes; serve its new "docs" build
      expect((await client.listModels({})).indexes.map((i) => i.name)).toEqual(["docs"]);

      // a published model that does not exist: logged, tiny-a keeps serving
      await encoder.bus.events.publish("model.published", { model: { name: "no-such-model" } });
      await encoder.bus.events.publish("model.published", { model: { name: "tiny-b" } });
      await eventually(
        5_000,
        "the swap to tiny-b",
        async () => (await client.listModels({})).serving === "tiny-b",
      );
      const search = await client.search({
        index: "docs",
        queries: [{ id: "q", text: documents[0]!.text, metadata: {} }],
        k: 3,
        exact: false,
        hybrid: undefined,
        removeQuery: false,
        name: "",
        indexArtifact: undefined,
      });
      expect(search.model).toBe("tiny-b");
      const tinyB = await client.listModels({});
      expect(tinyB.indexes).toEqual([
        expect.objectContaining({
          name: "docs",
          model: "tiny-b",
          modelFingerprint: tinyB.servingFingerprint,
        }),
      ]);
      expect(search.run!.rankings[0]!.docs[0]!.docId).toBe(documents[0]!.id);
    } finally {
      client.close();
    }
  }, 60_000);
});
