/**
 * nDCG@k and recall@k as trec_eval computes them (ndcg_cut, recall), for the acceptance tests while
 * the evaluator's metrics are not a dependency of this package: ranking by score descending then
 * document id descending, gain = relevance label, discount log2(rank + 1), ideal ranking from the
 * qrels, relevant = label >= 1; averaged over the queries that have both a run and qrels.
 * trec-metrics.test.ts checks it against trec_eval (pytrec_eval) on Anserini's runs.
 */
import { rankByTrecOrder } from "@ferret/datasets";

export type RunLike = ReadonlyMap<
  string,
  ReadonlyMap<string, number> | readonly { id: string; score: number }[]
>;

function ranked(hits: ReadonlyMap<string, number> | readonly { id: string; score: number }[]): string[] {
  const map = Array.isArray(hits)
    ? new Map((hits as readonly { id: string; score: number }[]).map((h) => [h.id, h.score]))
    : (hits as ReadonlyMap<string, number>);
  return rankByTrecOrder(map).map(([id]) => id);
}

export function meanNdcgAndRecall(
  run: RunLike,
  qrels: ReadonlyMap<string, ReadonlyMap<string, number>>,
  ndcgDepth = 10,
  recallDepth = 100,
): { ndcg: number; recall: number; queries: number } {
  let ndcgSum = 0;
  let recallSum = 0;
  let n = 0;
  for (const [q, hits] of run) {
    const judged = qrels.get(q);
    if (!judged) continue;
    n++;
    const order = ranked(hits);
    let dcg = 0;
    order.slice(0, ndcgDepth).forEach((id, i) => {
      const rel = judged.get(id) ?? 0;
      if (rel > 0) dcg += rel / Math.log2(i + 2);
    });
    const ideal = [...judged.values()].filter((r) => r > 0).sort((a, b) => b - a);
    let idcg = 0;
    ideal.slice(0, ndcgDepth).forEach((rel, i) => (idcg += rel / Math.log2(i + 2)));
    ndcgSum += idcg > 0 ? dcg / idcg : 0;
    const relevant = ideal.length;
    const found = order.slice(0, recallDepth).filter((id) => (judged.get(id) ?? 0) >= 1).length;
    recallSum += relevant > 0 ? found / relevant : 0;
  }
  return { ndcg: ndcgSum / n, recall: recallSum / n, queries: n };
}
