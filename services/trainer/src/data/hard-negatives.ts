/**
 * Hard negatives: a query's retrieved documents whose retriever rank lies in the window [from, to]
 * (1-based, counted before anything is removed, so "ranks 4-30" means the retriever's ranks), with
 * every known positive of the query excluded. Ties are ranked in trec_eval order (rankByTrecOrder), so
 * ranks are the ones an evaluation of the same run would show.
 */
import { rankByTrecOrder } from "@ferret/datasets";
import type { RankWindow } from "./spec.js";

export type NegativeSource = "bm25" | "dense" | "random";

export interface NegativeCandidate {
  id: string;
  source: NegativeSource;
  /** 1-based rank in its retriever's list; 0 for random negatives. */
  rank: number;
  /** The retriever's score (0 for random negatives). */
  score: number;
}

export interface WindowedCandidates {
  candidates: NegativeCandidate[];
  /** Known positives found inside the window and removed. */
  positivesRemoved: number;
}

export function candidatesInWindow(
  source: NegativeSource,
  hits: Map<string, number> | undefined,
  window: RankWindow,
  excluded: ReadonlySet<string>,
): WindowedCandidates {
  const [from, to] = window;
  const candidates: NegativeCandidate[] = [];
  let positivesRemoved = 0;
  if (!hits) return { candidates, positivesRemoved };
  const ranked = rankByTrecOrder(hits, to);
  for (let i = from - 1; i < ranked.length; i++) {
    const [id, score] = ranked[i]!;
    if (excluded.has(id)) {
      positivesRemoved++;
      continue;
    }
    candidates.push({ id, source, rank: i + 1, score });
  }
  return { candidates, positivesRemoved };
}

/** The union of several retrievers' candidates: a document found by two keeps its first listing. */
export function mergeCandidates(lists: readonly NegativeCandidate[][]): NegativeCandidate[] {
  const seen = new Set<string>();
  const out: NegativeCandidate[] = [];
  for (const list of lists) {
    for (const c of list) {
      if (seen.has(c.id)) continue;
      seen.add(c.id);
      out.push(c);
    }
  }
  return out;
}
