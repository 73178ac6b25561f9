import type { Analyzer } from "../analysis/analyzer.js";
import type { FerretIndexMeta } from "./index-definition.js";
import { fieldNames } from "./index-definition.js";

/**
 * The OpenSearch query for a text, scored like the embedded index's query.
 *
 * Client analysis: Anserini's bag-of-words query — per field, a disjunction of one term query per
 * distinct term boosted by its count — so repeated query terms weigh exactly as embedded. Server
 * analysis: a match query (operator OR), which lets OpenSearch analyze; it adds one clause per
 * token, so a repeated term counts as often as it occurs (equal scores up to float rounding).
 * Multifield: the field queries are summed, each boosted by its field weight.
 */
export function queryBody(
  text: string,
  meta: FerretIndexMeta,
  analyzer: Analyzer,
  fieldWeights: Readonly<Record<string, number>> = {},
): Record<string, unknown> {
  const fields = fieldNames(meta.layout);
  let counts: Map<string, number> | undefined;
  if (meta.analysis === "client") {
    counts = new Map();
    for (const t of analyzer.analyze(text)) counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  const perField = fields
    .map((field) => {
      const boost = fieldWeights[field] ?? 1;
      if (boost === 0) return undefined;
      if (counts) {
        // An empty bool query would match every document.
        if (counts.size === 0) return { match_none: {} };
        const should = [...counts].map(([value, count]) => ({ term: { [field]: { value, boost: count } } }));
        return { bool: { should, ...(boost !== 1 ? { boost } : {}) } };
      }
      return { match: { [field]: { query: text, operator: "or", ...(boost !== 1 ? { boost } : {}) } } };
    })
    .filter((q) => q !== undefined);
  if (perField.length === 1) return perField[0] as Record<string, unknown>;
  return { bool: { should: perField } };
}
