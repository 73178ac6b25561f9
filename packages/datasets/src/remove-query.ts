import type { Run } from "./types.js";

/**
 * Ferret's one meaning of "remove query" (Anserini's and Pyserini's -removeQuery, and what BEIR's
 * EvaluateRetrieval.evaluate(ignore_identical_ids=True) does to the results it is given): the top k are
 * retrieved first, then a query's own id is dropped from its hits, so k − 1 remain when the query's own
 * document was among them. Nothing is fetched in its place, so runs with and without it agree at every
 * depth below k. Meant for collections whose queries are documents (ArguAna, Quora, CQADupStack).
 */
export function removeQueryIds(run: Run): Run {
  for (const [qid, docs] of run) docs.delete(qid);
  return run;
}
