/**
 * The trainer's dense hard negatives from a live encoder: a REAL encoder (the Encoder gRPC service over
 * loopback, serving @ferret/inference's tiny fixture bi-encoder, with an index of examples/mini built
 * through IndexCorpus) is searched by the trainer's data assembly (negatives.dense.encoder). Expected
 * negatives are rebuilt from Encoder.Search called directly: its ranks in the window, positives removed.
 */
import { cpSync, mkdirSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { rankByTrecOrder } from "@ferret/datasets";
import { encoderConfigSchema, startEncoder, type RunningEncoder } from "@ferret/encoder";
import { createClient, type ServiceClient } from "@ferret/grpc";
import { FIXTURE_MODELS } from "@ferret/inference/testing";
import { EncoderService, JobState } from "@ferret/proto";
import { assembleTrainingSet, parseJobSpec } from "@ferret/trainer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const EXAMPLES = fileURLToPath(new URL("../../examples", import.meta.url));
let dir: string;
let encoder: RunningEncoder;
let client: ServiceClient<typeof EncoderService>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "trainer-dense-"));
  const models = join(dir, "models");
  mkdirSync(models);
  cpSync(FIXTURE_MODELS.biEncoder, join(models, "tiny"), { recursive: true });
  encoder = await startEncoder(
    encoderConfigSchema.parse({
      grpc: { host: "127.0.0.1", port: 0 },
      metrics: { enabled: false },
      models: { dir: models, serve: "tiny", threads: 1 },
      indexes: { dir: join(dir, "indexes"), cacheDir: join(dir, "index-cache") },
      artifacts: { dir: join(dir, "encoder-artifacts") },
      corpora: { dir: EXAMPLES },
    }),
  );
  client = createClient(EncoderService, `127.0.0.1:${encoder.grpc.port}`, { deadlineMs: 60_000 });
  let last;
  for await (const update of client.indexCorpus({
    index: "mini",
    beirDir: "mini",
    documents: [],
    shardSize: 0,
    kind: 0,
    jobId: "",
    model: undefined,
    quantized: false,
    corpus: undefined,
  }))
    last = update;
  expect(last?.status?.state).toBe(JobState.JOB_STATE_SUCCEEDED);
}, 120_000);

afterAll(async () => {
  client?.close();
  await encoder?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("dense negatives from a live encoder", () => {
  it("mines the encoder's ranks in the window, positives excluded", async () => {
    const address = `127.0.0.1:${encoder.grpc.port}`;
    const loaded = parseJobSpec(
      JSON.stringify({
        corpus: join(EXAMPLES, "mini"),
        queries: { split: "test" },
        positives: { human: {} },
        negatives: {
          dense: { encoder: { address, index: "mini" }, window: [2, 12], count: 20, pick: "top" },
        },
        output: join(dir, "set"),
      }),
      { file: join(dir, "job.json"), baseDir: dir },
    );
    const result = await assembleTrainingSet(loaded);
    expect(result.records.length).toBeGreaterThan(0);
    const qrels = (await readFile(join(EXAMPLES, "mini", "qrels", "test.tsv"), "utf8"))
      .split("\n")
      .slice(1)
      .filter((l) => l.trim() !== "")
      .map((l) => l.split("\t"));
    const relevant = (qid: string) =>
      new Set(qrels.filter((r) => r[0] === qid && Number(r[2]) > 0).map((r) => r[1]));
    const search = await client.search({
      index: "mini",
      queries: result.records.map((r) => ({ id: r.qid, text: r.query, metadata: {} })),
      k: 12,
      exact: true,
      hybrid: undefined,
      removeQuery: false,
      name: "",
      indexArtifact: undefined,
    });
    const byQuery = new Map(
      search.run!.rankings.map((r) => [r.queryId, new Map(r.docs.map((d) => [d.docId, d.score]))]),
    );
    let negatives = 0;
    for (const r of result.records) {
      const ranked = rankByTrecOrder(byQuery.get(r.qid)!, 12).map(([id]) => id);
      const positives = relevant(r.qid);
      expect(r.negatives.map((n) => n.id)).toEqual(ranked.slice(1).filter((id) => !positives.has(id)));
      for (const n of r.negatives) expect(ranked[n.rank - 1]).toBe(n.id);
      negatives += r.negatives.length;
    }
    expect(negatives).toBeGreaterThan(0);
    expect(result.stats.negatives.bySource).toEqual({ dense: negatives });
  });
});
