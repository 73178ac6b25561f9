/**
 * ingest: the collection's embedded BM25 index (bm25.index, Anserini-exact) and, when a base dense model
 * is a baseline, its dense index (dense-base/) through the encoder's index job.
 */
import { join } from "node:path";
import { readBeirCorpus } from "@ferret/datasets";
import { ANSERINI_BM25, EmbeddedBm25 } from "@ferret/retrieval";
import { buildDenseIndex } from "./dense-index.js";
import type { StageDefinition } from "./stages.js";

export const BM25_INDEX = "bm25.index";
export const BASE_DENSE_INDEX = "dense-base";

export const ingestStage: StageDefinition = {
  name: "ingest",
  title: "ingest: BM25 and dense indexes",
  enabled: () => true,
  needs: () => [],
  keyInputs: ({ spec }) => ({
    config: { bm25: spec.baselines.bm25 ?? ANSERINI_BM25, dense: spec.baselines.dense !== undefined },
    paths: {
      corpus: join(spec.dataset.dir, "corpus.jsonl"),
      ...(spec.baselines.dense ? { denseModel: spec.baselines.dense.model } : {}),
    },
  }),
  async run(ctx) {
    const { spec } = ctx.pipeline;
    const bm25Params = spec.baselines.bm25 ?? ANSERINI_BM25;
    let documents = 0;
    const bm25 = await EmbeddedBm25.build(readBeirCorpus(join(spec.dataset.dir, "corpus.jsonl")), {
      bm25: { k1: bm25Params.k1, b: bm25Params.b },
      onProgress: (n) => {
        documents = n;
        ctx.progress(n, 0, "docs indexed (BM25)");
      },
    });
    try {
      await bm25.save(join(ctx.dir, BM25_INDEX));
    } finally {
      await bm25.close();
    }
    ctx.progress(documents, documents, "docs indexed (BM25)");
    const dense = spec.baselines.dense;
    if (dense)
      await buildDenseIndex({
        bus: ctx.bus,
        jobId: `ingest-${ctx.key.slice(0, 16)}`,
        modelDir: dense.model,
        corpusDir: spec.dataset.dir,
        outDir: join(ctx.dir, BASE_DENSE_INDEX),
        onProgress: (done, total) => ctx.progress(done, total, "docs embedded (base model)"),
      });
    return { documents, bm25: BM25_INDEX, ...(dense ? { denseBase: BASE_DENSE_INDEX } : {}) };
  },
};
