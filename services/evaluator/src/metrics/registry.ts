/**
 * Measure names: parsing, canonical names and the function that computes each one.
 *
 * Canonical names are the ones trec_eval prints (ndcg, ndcg_cut_10, map, map_cut_100, recip_rank, P_10,
 * recall_100, Rprec, bpref, success_10) plus Ferret's own mrr_cut_10, judged_10, auc and auc_500. Accepted
 * spellings of the same measure:
 *   trec_eval -m style   ndcg_cut.10   P.5,10   success.1,5,10   ndcg_cut (its default cutoffs)
 *   printed style        ndcg_cut_10   P_10     recall_100
 *   friendly style       ndcg@10  nDCG@10  P@10  precision@10  recall@100  R@100  map@100  AP@100  mrr@10
 *                        RR@10  success@10  judged@10  auc@500   (family names are case-insensitive)
 * Unlike trec_eval, repeating a family (P.5 then P.10) adds cutoffs instead of keeping only the first.
 */
import { InvalidArgumentError } from "@ferret/errors";
import { aucMeasure } from "./auc-measure.js";
import { bpref } from "./bpref.js";
import { judgedAt } from "./judged.js";
import { averagePrecision } from "./map.js";
import { mapCut } from "./map-cut.js";
import { mrrCut } from "./mrr-cut.js";
import { ndcg } from "./ndcg.js";
import { ndcgCut } from "./ndcg-cut.js";
import { precisionAt } from "./precision.js";
import { rPrecision } from "./r-prec.js";
import { recallAt } from "./recall.js";
import { recipRank } from "./recip-rank.js";
import type { PreparedQuery } from "./ranking.js";
import { successAt } from "./success.js";

export type MeasureFamily =
  | "map"
  | "Rprec"
  | "bpref"
  | "recip_rank"
  | "P"
  | "recall"
  | "ndcg"
  | "ndcg_cut"
  | "map_cut"
  | "success"
  | "mrr_cut"
  | "judged"
  | "auc";

export interface MeasureSpec {
  /** Canonical (trec_eval-printed) name, e.g. "ndcg_cut_10". */
  readonly name: string;
  readonly family: MeasureFamily;
  /** Rank cutoff (for auc: the negatives' depth); undefined for measures without one. */
  readonly cutoff: number | undefined;
}

type Compute = (q: PreparedQuery, cutoff: number) => number;

interface FamilyDef {
  readonly family: MeasureFamily;
  /** "required": a cutoff family (defaults apply when none is given); "none": no cutoff; "optional": auc. */
  readonly cutoff: "required" | "none" | "optional";
  readonly defaults?: readonly number[];
  /** The family a friendly "name@k" maps to when this family takes no cutoff (ndcg@10 -> ndcg_cut). */
  readonly withCutoff?: MeasureFamily;
  readonly compute: Compute;
}

const TREC_CUTOFFS = [5, 10, 15, 20, 30, 100, 200, 500, 1000] as const;

/** In trec_eval's print order (its measures.c table), then Ferret's own measures. */
const FAMILIES: readonly FamilyDef[] = [
  { family: "map", cutoff: "none", withCutoff: "map_cut", compute: (q) => averagePrecision(q) },
  { family: "Rprec", cutoff: "none", compute: (q) => rPrecision(q) },
  { family: "bpref", cutoff: "none", compute: (q) => bpref(q) },
  { family: "recip_rank", cutoff: "none", withCutoff: "mrr_cut", compute: (q) => recipRank(q) },
  { family: "P", cutoff: "required", defaults: TREC_CUTOFFS, compute: precisionAt },
  { family: "recall", cutoff: "required", defaults: TREC_CUTOFFS, compute: recallAt },
  { family: "ndcg", cutoff: "none", withCutoff: "ndcg_cut", compute: (q) => ndcg(q) },
  { family: "ndcg_cut", cutoff: "required", defaults: TREC_CUTOFFS, compute: ndcgCut },
  { family: "map_cut", cutoff: "required", defaults: TREC_CUTOFFS, compute: mapCut },
  { family: "success", cutoff: "required", defaults: [1, 5, 10], compute: successAt },
  { family: "mrr_cut", cutoff: "required", defaults: [10], compute: mrrCut },
  { family: "judged", cutoff: "required", defaults: [5, 10, 20], compute: judgedAt },
  { family: "auc", cutoff: "optional", compute: aucMeasure },
];

const BY_FAMILY = new Map<MeasureFamily, { def: FamilyDef; order: number }>(
  FAMILIES.map((def, order) => [def.family, { def, order }]),
);

/** Lower-cased spellings -> family. */
const ALIASES = new Map<string, MeasureFamily>([
  ["map", "map"],
  ["ap", "map"],
  ["map_cut", "map_cut"],
  ["rprec", "Rprec"],
  ["r-prec", "Rprec"],
  ["r_prec", "Rprec"],
  ["bpref", "bpref"],
  ["recip_rank", "recip_rank"],
  ["rr", "recip_rank"],
  ["mrr", "recip_rank"],
  ["mrr_cut", "mrr_cut"],
  ["p", "P"],
  ["precision", "P"],
  ["recall", "recall"],
  ["r", "recall"],
  ["ndcg", "ndcg"],
  ["ndcg_cut", "ndcg_cut"],
  ["success", "success"],
  ["judged", "judged"],
  ["auc", "auc"],
]);

const VALID_HINT =
  "valid measures: ndcg, ndcg_cut.<k> (ndcg@k), map, map_cut.<k> (map@k), recip_rank, mrr_cut.<k> (mrr@k), " +
  "P.<k> (P@k), recall.<k> (recall@k), Rprec, bpref, success.<k> (success@k), judged.<k> (judged@k), " +
  "auc, auc.<depth> (auc@depth); cutoffs are positive integers, several as P.5,10";

export function specName(family: MeasureFamily, cutoff: number | undefined): string {
  return cutoff === undefined ? family : `${family}_${cutoff}`;
}

/** The function computing one measure on a prepared query (NaN where auc is undefined). */
export function measureFunction(spec: MeasureSpec): (q: PreparedQuery) => number {
  const compute = (BY_FAMILY.get(spec.family) as { def: FamilyDef }).def.compute;
  const cutoff = spec.cutoff ?? Number.NaN;
  return (q) => compute(q, cutoff);
}

/** trec_eval's print order: family table order, then ascending cutoff (auc without depth first). */
export function compareSpecs(a: MeasureSpec, b: MeasureSpec): number {
  const fa = (BY_FAMILY.get(a.family) as { order: number }).order;
  const fb = (BY_FAMILY.get(b.family) as { order: number }).order;
  if (fa !== fb) return fa - fb;
  return (a.cutoff ?? 0) - (b.cutoff ?? 0);
}

/**
 * Parses measure names into specs, in the given order without duplicates. A single string may hold several
 * names separated by whitespace, and by commas where they are not cutoff lists ("ndcg@10,map").
 * Throws InvalidArgumentError naming the offending input for unknown names or malformed cutoffs.
 */
export function parseMeasures(input: string | readonly string[]): MeasureSpec[] {
  const items = typeof input === "string" ? splitList(input) : input.flatMap((s) => splitList(s));
  if (items.length === 0) throw new InvalidArgumentError(`no measures given; ${VALID_HINT}`);
  const out: MeasureSpec[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    for (const spec of parseOne(item)) {
      if (seen.has(spec.name)) continue;
      seen.add(spec.name);
      out.push(spec);
    }
  }
  return out;
}

function splitList(s: string): string[] {
  return s
    .split(/\s+/)
    .filter((t) => t.length > 0)
    .flatMap((t) => (t.includes(".") ? [t] : t.split(",").filter((x) => x.length > 0)));
}

function parseOne(raw: string): MeasureSpec[] {
  const fail = (problem: string): never => {
    throw new InvalidArgumentError(`measure "${raw}": ${problem}; ${VALID_HINT}`, {
      details: { measure: raw },
    });
  };
  let base: string;
  let cutoffTexts: string[] | undefined;
  const dot = raw.indexOf(".");
  const at = raw.indexOf("@");
  if (dot >= 0) {
    base = raw.slice(0, dot);
    cutoffTexts = raw.slice(dot + 1).split(",");
  } else if (at >= 0) {
    base = raw.slice(0, at);
    cutoffTexts = [raw.slice(at + 1)];
  } else {
    const m = /^(.+)_(\d+)$/.exec(raw);
    const fam = m === null ? undefined : ALIASES.get((m[1] as string).toLowerCase());
    if (m !== null && fam !== undefined && BY_FAMILY.get(fam)?.def.cutoff !== "none") {
      base = m[1] as string;
      cutoffTexts = [m[2] as string];
    } else {
      base = raw;
    }
  }
  let family = ALIASES.get(base.toLowerCase());
  if (family === undefined) return fail("unknown measure");
  let def = (BY_FAMILY.get(family) as { def: FamilyDef }).def;
  if (cutoffTexts !== undefined && def.cutoff === "none") {
    // Friendly "ndcg@10" means ndcg_cut; trec_eval's "ndcg.1=2" (gain parameters) and "map.5" are rejected.
    if (dot < 0 && def.withCutoff !== undefined) {
      family = def.withCutoff;
      def = (BY_FAMILY.get(family) as { def: FamilyDef }).def;
    } else {
      const hint =
        def.withCutoff === undefined ? "" : ` (did you mean ${def.withCutoff}.${cutoffTexts.join(",")}?)`;
      return fail(`${def.family} takes no parameters${hint}`);
    }
  }
  if (cutoffTexts === undefined) {
    if (def.cutoff === "required")
      return (def.defaults ?? []).map((c) => ({
        name: specName(def.family, c),
        family: def.family,
        cutoff: c,
      }));
    return [{ name: def.family, family: def.family, cutoff: undefined }];
  }
  const cutoffs: number[] = [];
  for (const text of cutoffTexts) {
    if (!/^\d+$/.test(text)) return fail(`cutoff "${text}" is not a positive integer`);
    const c = Number(text);
    if (c < 1 || c > 0x7fffffff) return fail(`cutoff "${text}" is out of range (1..${0x7fffffff})`);
    if (cutoffs.includes(c)) return fail(`duplicate cutoff ${c}`);
    cutoffs.push(c);
  }
  cutoffs.sort((a, b) => a - b);
  return cutoffs.map((c) => ({ name: specName(def.family, c), family: def.family, cutoff: c }));
}
