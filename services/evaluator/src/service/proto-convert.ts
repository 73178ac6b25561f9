/**
 * Between the wire messages (proto/ferret/v1) and the in-memory types evaluation works on: inline Run and
 * Qrels messages become qid -> docid -> value maps (checked like the TREC readers check files: a duplicate
 * (qid, docid) pair, an empty id or a non-finite score is an InputError naming the message field), and
 * results become response messages.
 */
import type { Qrels, Run } from "@ferret/datasets";
import { InputError } from "@ferret/errors";
import type {
  ComparisonCell as ComparisonCellMessage,
  EvaluateResponse,
  Qrels as QrelsMessage,
  QueryMetrics,
  Run as RunMessage,
} from "@ferret/proto";
import type { ComparisonTable } from "../compare/comparison-table.js";
import type { Evaluation } from "../metrics/evaluate.js";

export function runFromMessage(message: RunMessage, label: string): Run {
  const run: Run = new Map();
  message.rankings.forEach((ranking, r) => {
    const at = `rankings[${r}]`;
    if (ranking.queryId === "")
      throw new InputError({ file: label, field: `${at}.query_id` }, "empty query id");
    let docs = run.get(ranking.queryId);
    if (docs === undefined) {
      docs = new Map();
      run.set(ranking.queryId, docs);
    }
    for (let d = 0; d < ranking.docs.length; d++) {
      const { docId, score } = ranking.docs[d] as { docId: string; score: number };
      if (docId === "")
        throw new InputError({ file: label, field: `${at}.docs[${d}].doc_id` }, "empty document id");
      if (!Number.isFinite(score)) {
        throw new InputError(
          { file: label, field: `${at}.docs[${d}].score` },
          `not a finite number: ${score}`,
        );
      }
      if (docs.has(docId)) {
        throw new InputError(
          { file: label, field: `${at}.docs[${d}].doc_id` },
          `duplicate document "${docId}" for query "${ranking.queryId}"`,
        );
      }
      docs.set(docId, score);
    }
  });
  return run;
}

export function qrelsFromMessage(message: QrelsMessage, label: string): Qrels {
  const qrels: Qrels = new Map();
  message.qrels.forEach((qrel, i) => {
    const at = `qrels[${i}]`;
    if (qrel.queryId === "") throw new InputError({ file: label, field: `${at}.query_id` }, "empty query id");
    if (qrel.docId === "") throw new InputError({ file: label, field: `${at}.doc_id` }, "empty document id");
    let docs = qrels.get(qrel.queryId);
    if (docs === undefined) {
      docs = new Map();
      qrels.set(qrel.queryId, docs);
    }
    if (docs.has(qrel.docId)) {
      throw new InputError(
        { file: label, field: `${at}.doc_id` },
        `duplicate judgment of document "${qrel.docId}" for query "${qrel.queryId}"`,
      );
    }
    docs.set(qrel.docId, qrel.relevance);
  });
  return qrels;
}

/** A run message with each query's documents in the map's order, ranked 1..n in that order. */
export function runToMessage(run: Run, name: string): RunMessage {
  const rankings = [...run].map(([queryId, docs]) => ({
    queryId,
    docs: [...docs].map(([docId, score], i) => ({ docId, score, rank: i + 1 })),
  }));
  return { name, rankings };
}

export function qrelsToMessage(qrels: Qrels): QrelsMessage {
  const out: QrelsMessage = { qrels: [] };
  for (const [queryId, docs] of qrels) {
    for (const [docId, relevance] of docs) out.qrels.push({ queryId, docId, relevance });
  }
  return out;
}

export function evaluationToResponse(evaluation: Evaluation): EvaluateResponse {
  const perQuery: QueryMetrics[] = [];
  for (const [queryId, values] of evaluation.perQuery) perQuery.push({ queryId, values: { ...values } });
  return { means: { ...evaluation.mean }, perQuery, numQueries: evaluation.numQueries };
}

/** The table's cells, row by row (baseline first) and measure by measure; p-values as the test decided on them. */
export function comparisonCells(table: ComparisonTable): ComparisonCellMessage[] {
  const cells: ComparisonCellMessage[] = [];
  for (const row of table.rows) {
    for (const measure of table.measures) {
      const cell = row.cells[measure];
      if (cell === undefined) continue;
      const message: ComparisonCellMessage = {
        system: row.system,
        measure,
        mean: cell.mean,
        significant: cell.significant,
      };
      // Holm-adjusted when the correction applied (equal to the raw p-value otherwise).
      if (cell.adjustedPValue !== null) message.pValue = cell.adjustedPValue;
      cells.push(message);
    }
  }
  return cells;
}
