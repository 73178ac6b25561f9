/**
 * OpenSearch smoke test: a real node (infra/dev/opensearch.sh) scores a match query with a custom BM25
 * similarity exactly as Lucene's formula says.
 *
 * Expected score computed by hand from the formula OpenSearch documents and reports in its explain output
 * for the "BM25" similarity (Lucene's LegacyBM25Similarity, which keeps the (k1 + 1) factor):
 *   score(q, d) = sum over query terms t in d of  (k1 + 1) * idf(t) * tf / (tf + k1 * (1 - b + b * dl / avgdl))
 *   idf(t) = ln(1 + (N - n + 0.5) / (n + 0.5))
 * (Robertson & Zaragoza 2009, "The Probabilistic Relevance Framework: BM25 and Beyond"; Lucene docs for
 * BM25Similarity.) dl is the document length as decoded from the one-byte norm: Lucene stores it with
 * SmallFloat.intToByte4, which is exact for lengths below 40, so the documents here are short (2, 3 and
 * 10 tokens) and dl is their true token count. avgdl is sumTotalTermFreq / docCount, which is not encoded.
 */
import { Client } from "@opensearch-project/opensearch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPENSEARCH_URL, uniqueName, unreachable } from "./services.js";

const K1 = 0.9;
const B = 0.4;
// The standard analyzer (lowercase, no stop words) yields the token counts noted beside each document.
const DOCS = {
  d1: "Ferret ferret burrow", // 3 tokens: ferret x2, burrow x1
  d2: "A ferret sleeps in a warm burrow all day long", // 10 tokens: ferret x1, burrow x1
  d3: "The ferret", // 2 tokens: ferret x1
} as const;

/** BM25 term weight as documented above, computed here independently of the server. */
function bm25Term(tf: number, n: number, N: number, dl: number, avgdl: number): number {
  const idf = Math.log(1 + (N - n + 0.5) / (n + 0.5));
  return (K1 + 1) * idf * (tf / (tf + K1 * (1 - B + (B * dl) / avgdl)));
}

describe("OpenSearch (dev node)", () => {
  const client = new Client({ node: OPENSEARCH_URL, requestTimeout: 20_000 });
  const index = uniqueName("ferret-smoke");
  // A failing beforeAll makes vitest report the tests as skipped; keep the error and fail each test with it.
  let setupError: Error | undefined;

  beforeAll(async () => {
    try {
      await client.cluster.health({ wait_for_status: "yellow", timeout: "5s" });
    } catch (err) {
      setupError = unreachable("OpenSearch", OPENSEARCH_URL, err);
      return;
    }
    await client.indices.create({
      index,
      body: {
        settings: {
          number_of_shards: 1, // one shard: the statistics (N, n, avgdl) are the whole collection's
          number_of_replicas: 0,
          // Flat keys: the client's IndexSettingsSimilarity type only admits the built-in names, but a custom
          // similarity is named by the index (ferret_bm25 here).
          "similarity.ferret_bm25.type": "BM25",
          "similarity.ferret_bm25.k1": K1,
          "similarity.ferret_bm25.b": B,
        },
        mappings: { properties: { text: { type: "text", analyzer: "standard", similarity: "ferret_bm25" } } },
      },
    });
    for (const [id, text] of Object.entries(DOCS)) {
      await client.index({ index, id, body: { text } });
    }
    await client.indices.refresh({ index });
  });

  afterAll(async () => {
    if (!setupError) await client.indices.delete({ index, ignore_unavailable: true });
    await client.close();
  });

  it("ranks by BM25 (k1=0.9, b=0.4) and the top score matches the hand-computed value", async () => {
    if (setupError) throw setupError;
    const res = await client.search({ index, body: { query: { match: { text: "ferret burrow" } } } });
    const hits = res.body.hits.hits;
    expect(hits.map((h) => h._id)).toEqual(["d1", "d2", "d3"]);

    const scores = hits.map((h) => Number(h._score));
    for (const s of scores) expect(s).toBeGreaterThan(0);
    expect(scores[0]).toBeGreaterThan(scores[1]!);
    expect(scores[1]).toBeGreaterThan(scores[2]!);

    // N = 3 documents; "ferret" is in all 3, "burrow" in 2; avgdl = (3 + 10 + 2) / 3 = 5.
    const N = 3;
    const avgdl = (3 + 10 + 2) / 3;
    const expectedD1 = bm25Term(2, 3, N, 3, avgdl) + bm25Term(1, 2, N, 3, avgdl);
    // The same arithmetic done separately (Python, math.log), as a check on bm25Term itself.
    expect(expectedD1).toBeCloseTo(0.69266, 5);
    expect(Math.abs(scores[0]! - expectedD1)).toBeLessThan(1e-4);
  });

  it("has the english analyzer (analysis-common module) for stemmed BM25", async () => {
    if (setupError) throw setupError;
    const res = await client.indices.analyze({ body: { analyzer: "english", text: "The Ferrets' running" } });
    expect(res.body.tokens?.map((t) => t.token)).toEqual(["ferret", "run"]);
  });
});
