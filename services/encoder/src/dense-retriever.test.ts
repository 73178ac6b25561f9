/** Uses @ferret/inference's tiny random BERT: retrieval quality is meaningless, identities are not. */
import type { DocumentRecord } from "@ferret/datasets";
import { BiEncoder } from "@ferret/inference";
import { FIXTURE_MODELS } from "@ferret/inference/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { denseSearch, documentText, indexDocuments } from "./dense-retriever.js";
import { ExactIndex } from "./vector-index/exact-index.js";
import { HnswIndex } from "./vector-index/hnsw-index.js";

const docs: DocumentRecord[] = [
  { id: "d1", title: "Vaccines", text: "COVID-19 vaccines reduce the risk of severe disease in adults." },
  { id: "d2", title: "", text: "The quick brown fox jumps over the lazy dog." },
  { id: "d3", title: "Cancer", text: "Tumor cells grow when gene expression changes." },
  { id: "d4", title: "Retrieval", text: "Dense retrieval with neural embeddings and a vector index." },
  { id: "d5", title: "Cities", text: "Paris, Berlin and Tokyo are large cities." },
  { id: "d6", title: "Mice", text: "mice and rats were treated with a high dose of the drug" },
  { id: "d7", title: "Blood", text: "blood levels of the protein increased with age" },
];

let encoder: BiEncoder;
beforeAll(async () => {
  encoder = await BiEncoder.load(FIXTURE_MODELS.biEncoder, { intraOpNumThreads: 1 });
});
afterAll(async () => {
  await encoder.close();
});

async function* stream(): AsyncIterable<DocumentRecord> {
  yield* docs;
}

describe("dense retrieval", () => {
  it("joins title and text as BEIR does", () => {
    expect(documentText(docs[0]!)).toBe(
      "Vaccines COVID-19 vaccines reduce the risk of severe disease in adults.",
    );
    expect(documentText(docs[1]!)).toBe("The quick brown fox jumps over the lazy dog.");
  });

  for (const make of [() => new ExactIndex(32), () => new HnswIndex(32, { threads: 1 })]) {
    it(`a query equal to a document's text finds that document first (${make().kind})`, async () => {
      const index = make();
      const progress: number[] = [];
      const added = await indexDocuments(encoder, index, stream(), {
        chunkSize: 3,
        onProgress: (n) => progress.push(n),
      });
      expect(added).toBe(7);
      expect(progress).toEqual([3, 6, 7]);
      const run = await denseSearch(
        encoder,
        index,
        docs.map((d) => ({ id: `q-${d.id}`, text: documentText(d) })),
        3,
      );
      for (const d of docs) {
        const ranked = [...run.get(`q-${d.id}`)!.entries()].sort((a, b) => b[1] - a[1]);
        expect(ranked.length).toBe(3);
        expect(ranked[0]![0]).toBe(d.id);
        // normalized embeddings: self-similarity 1
        expect(ranked[0]![1]).toBeCloseTo(1, 5);
      }
    });
  }
});
