/** The per-query "auc" / "auc_<depth>" measure for the registry: judged negatives, or the top-depth protocol. */
import { queryAuc } from "./auc.js";
import type { PreparedQuery } from "./ranking.js";

export function aucMeasure(q: PreparedQuery, depth: number): number {
  return queryAuc(q, Number.isNaN(depth) ? undefined : depth);
}
