/**
 * Candidate pools for annotation (Zhang et al. 2025, research-methods.md §1, step 1): BM25 top-k and,
 * when a dense run is given, dense top-k, merged by alternating ranks (BM25 1, dense 1, BM25 2, ...)
 * without duplicates, plus the human positives when qrels exist (so agreement with humans can be
 * measured and positives are never missing from the pool).
 */
import type { Qrels, Run } from "@ferret/datasets";
import type { LexicalBackend } from "@ferret/retrieval";
import { rankByTrecOrder } from "@ferret/datasets";

export interface CandidatePoolOptions {
  queries: readonly { id: string; text: string }[];
  bm25: LexicalBackend;
  /** Candidates taken from each retriever. */
  k: number;
  dense?: Run;
  /** Human judgments: docs with relevance > 0 are added to the pool. */
  qrels?: Qrels;
  /** Whether to add human positives (default true when qrels are given). */
  addHumanPositives?: boolean;
}

export async function candidatePools(options: CandidatePoolOptions): Promise<Map<string, string[]>> {
  const bm25Run = await options.bm25.searchBatch(
    options.queries.map((q) => ({ id: q.id, text: q.text })),
    { k: options.k },
  );
  const pools = new Map<string, string[]>();
  for (const q of options.queries) {
    const lists = [ranked(bm25Run.get(q.id), options.k)];
    if (options.dense) lists.push(ranked(options.dense.get(q.id), options.k));
    const pool: string[] = [];
    const seen = new Set<string>();
    const longest = Math.max(...lists.map((l) => l.length));
    for (let r = 0; r < longest; r++) {
      for (const list of lists) {
        const id = list[r];
        if (id !== undefined && !seen.has(id)) {
          seen.add(id);
          pool.push(id);
        }
      }
    }
    if (options.qrels && options.addHumanPositives !== false) {
      for (const [docId, rel] of options.qrels.get(q.id) ?? []) {
        if (rel > 0 && !seen.has(docId)) {
          seen.add(docId);
          pool.push(docId);
        }
      }
    }
    pools.set(q.id, pool);
  }
  return pools;
}

function ranked(scores: Map<string, number> | undefined, k: number): string[] {
  if (!scores) return [];
  return rankByTrecOrder(scores)
    .slice(0, k)
    .map(([docId]) => docId);
}
