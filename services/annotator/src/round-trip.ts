/**
 * Round-trip filter for synthetic queries (Tamber et al. 2025, research-methods.md §7): a generated
 * query is kept only if retrieving with it ranks its source passage in the top k (they use an embedder's
 * top 100 / keep top 20; here the retriever is whatever LexicalBackend is given, e.g. embedded BM25).
 */
import { rankByTrecOrder } from "@ferret/datasets";
import type { LexicalBackend } from "@ferret/retrieval";
import type { LabelRecord } from "./labels.js";

export async function applyRoundTrip(
  labels: LabelRecord[],
  retriever: LexicalBackend,
  k: number,
): Promise<LabelRecord[]> {
  const queries = labels.filter((l) => l.kind === "query" && l.status === "ok" && l.text);
  if (queries.length === 0) return labels;
  const run = await retriever.searchBatch(
    queries.map((l) => ({ id: l.queryId, text: l.text! })),
    { k },
  );
  return labels.map((l) => {
    if (l.kind !== "query" || l.status !== "ok" || !l.text) return l;
    const hits = rankByTrecOrder(run.get(l.queryId) ?? new Map<string, number>());
    const at = hits.findIndex(([docId]) => docId === l.docId);
    return { ...l, roundTrip: { k, rank: at >= 0 ? at + 1 : null, kept: at >= 0 && at < k } };
  });
}
