/**
 * Reranking a first-stage run (Nogueira & Cho 2019, "Passage Re-ranking with BERT"): each query's top
 * `depth` documents (trec_eval order: score descending, ties by document id descending) are re-scored by a
 * cross-encoder on (query text, passage text) and re-ordered by that score. Documents below `depth` are
 * dropped, or with `keepTail` kept in their first-stage order below every reranked document.
 */
import { rankByTrecOrder, type Run } from "@ferret/datasets";
import { InputError } from "@ferret/errors";
import type { TextPair } from "@ferret/inference";
import type { PairScorer } from "./pair-scorer.js";
import { throwIfAborted } from "./pair-scorer.js";

export const DEFAULT_RERANK_DEPTH = 100;

export interface RerankTexts {
  /** Query text by id, undefined when unknown. */
  query(id: string): string | undefined;
  /** Passage text (passageText(doc)) by document id, undefined when unknown. */
  passage(id: string): string | undefined;
  /** Names the source in errors, e.g. the BEIR directory. */
  readonly label: string;
}

export interface RerankOptions {
  /** Documents re-scored per query. Default 100. */
  depth?: number;
  keepTail?: boolean;
  signal?: AbortSignal;
  /** Pairs scored so far out of all pairs of the run. */
  onProgress?: (done: number, total: number) => void;
}

export interface RerankResult {
  run: Run;
  pairsScored: number;
}

/** The (query, document) ids a rerank at `depth` will score, query by query. */
export function rerankCandidates(run: Run, depth: number): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [qid, docs] of run)
    out.set(
      qid,
      rankByTrecOrder(docs, depth).map(([docid]) => docid),
    );
  return out;
}

export async function rerankRun(
  run: Run,
  texts: RerankTexts,
  scorer: PairScorer,
  options: RerankOptions = {},
): Promise<RerankResult> {
  const depth = options.depth ?? DEFAULT_RERANK_DEPTH;
  if (!Number.isInteger(depth) || depth < 1) {
    throw new InputError({ file: "<rerank>", field: "depth" }, `must be a positive integer, got ${depth}`);
  }
  const candidates = rerankCandidates(run, depth);
  // One flat list for the whole run, so the scorer's length grouping spans queries.
  const pairs: TextPair[] = [];
  const owners: { qid: string; docid: string }[] = [];
  for (const [qid, docids] of candidates) {
    const query = texts.query(qid);
    if (query === undefined) {
      throw new InputError({ file: texts.label, field: "queries" }, `no text for query "${qid}" of the run`);
    }
    for (const docid of docids) {
      const passage = texts.passage(docid);
      if (passage === undefined) {
        throw new InputError(
          { file: texts.label, field: "corpus" },
          `no document "${docid}" (retrieved for query "${qid}")`,
        );
      }
      pairs.push([query, passage]);
      owners.push({ qid, docid });
    }
  }
  throwIfAborted(options.signal);
  const scores = await scorer.score(pairs, {
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });

  const rescored = new Map<string, Map<string, number>>();
  owners.forEach(({ qid, docid }, i) => {
    let docs = rescored.get(qid);
    if (docs === undefined) rescored.set(qid, (docs = new Map()));
    docs.set(docid, scores[i]!);
  });
  const out: Run = new Map();
  for (const [qid, docids] of candidates) {
    const ranked = rankByTrecOrder(rescored.get(qid) ?? new Map());
    const docs = new Map(ranked);
    if (options.keepTail === true) {
      const tail = rankByTrecOrder(run.get(qid)!).slice(docids.length);
      const floor = ranked.length === 0 ? 0 : ranked[ranked.length - 1]![1];
      // Strictly below the last reranked score, in first-stage order.
      tail.forEach(([docid], i) => docs.set(docid, floor - 1 - i));
    }
    out.set(qid, docs);
  }
  return { run: out, pairsScored: pairs.length };
}
