/**
 * The trainer's dense hard negatives from a live encoder: a REAL encoder (the Encoder gRPC service over
 * loopback, serving @ferret/inference's tiny fixture bi-encoder, with an index of examples/mini built
 * through IndexCorpus) is searched by the trainer's data assembly (negatives.dense.encoder). Expected
 * negatives are rebuilt from Encoder.Search called directly: its ranks in the window, positives removed.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rankByTrecOrder } from "@ferret/datasets";
import { assembleTrainingSet, parseJobSpec } from "@ferret/trainer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLES, startMiniEncoder, type MiniEncoder } from "../support/mini-encoder.js";

let dir: string;
let live: MiniEncoder;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "trainer-dense-"));
  live = await startMiniEncoder(dir);
}, 120_000);

afterAll(async () => {
  await live?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("dense negatives from a live encoder", () => {
  it("mines the encoder's ranks in the window, positives excluded", async () => {
    const address = live.address;
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
    const search = await live.client.search({
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
