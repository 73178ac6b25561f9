/**
 * Each training query's positives, from human qrels, LLM labels and synthetic queries' own passages,
 * combined as one stage ("union") or as the two-stage curriculum of research-methods §1 (Zhang et al.
 * 2025): stage 1 trains on the LLM positives of every query that has any, stage 2 on the human
 * positives of a seeded random fraction of the human-judged queries. Every document with any positive
 * signal for a query (including LLM grades below the threshold) is reported in `excluded`, so it is
 * never mined as that query's negative.
 */
import type { Qrels } from "@ferret/datasets";
import type { LlmLabels } from "./label-file.js";
import { sample, seededRandom } from "./random.js";
import type { TrainingQuery } from "./training-queries.js";

export type PositiveSource = "human" | "llm" | "synthetic";

export interface Positive {
  id: string;
  /** The highest grade among its sources (utility and synthetic positives are 1). */
  grade: number;
  sources: PositiveSource[];
}

export interface StagedQuery {
  /** 1 for single-stage sets; the curriculum's stage 1 (LLM) or 2 (human). */
  stage: number;
  query: TrainingQuery;
  positives: Positive[];
}

export interface PositiveOptions {
  human?: { qrels: Qrels; minGrade: number } | undefined;
  llm?: { labels: LlmLabels; minGrade: number; mode: "graded" | "utility" } | undefined;
  combine: "union" | "curriculum";
  humanFraction: number;
  seed: number;
}

export interface PositiveSets {
  staged: StagedQuery[];
  /** query id -> every document with a positive signal (never a negative). */
  excluded: Map<string, Set<string>>;
  /** Queries left out because no source gave them a positive. */
  withoutPositives: string[];
}

export function assemblePositives(queries: readonly TrainingQuery[], options: PositiveOptions): PositiveSets {
  const excluded = new Map<string, Set<string>>();
  const human = new Map<string, Positive[]>();
  const machine = new Map<string, Positive[]>();
  for (const q of queries) {
    const ex = new Set<string>();
    const h: Positive[] = [];
    for (const [docId, grade] of options.human?.qrels.get(q.id) ?? []) {
      if (grade > 0) ex.add(docId);
      if (grade >= options.human!.minGrade && grade > 0) h.push({ id: docId, grade, sources: ["human"] });
    }
    const m: Positive[] = [];
    if (q.sourceDocId !== undefined) {
      ex.add(q.sourceDocId);
      m.push({ id: q.sourceDocId, grade: 1, sources: ["synthetic"] });
    }
    const llm = options.llm;
    for (const j of llm?.labels.judgments.get(q.id)?.values() ?? []) {
      if (j.relevant) ex.add(j.docId);
      const positive = llm!.mode === "utility" ? j.grade >= 1 : j.grade >= llm!.minGrade;
      if (positive) merge(m, { id: j.docId, grade: j.grade, sources: ["llm"] });
    }
    excluded.set(q.id, ex);
    if (h.length) human.set(q.id, sortById(h));
    if (m.length) machine.set(q.id, sortById(m));
  }

  const staged: StagedQuery[] = [];
  const withoutPositives: string[] = [];
  if (options.combine === "union") {
    for (const q of queries) {
      const all = [...(human.get(q.id) ?? [])];
      for (const p of machine.get(q.id) ?? []) merge(all, p);
      if (all.length) staged.push({ stage: 1, query: q, positives: sortById(all) });
      else withoutPositives.push(q.id);
    }
  } else {
    for (const q of queries) {
      const m = machine.get(q.id);
      if (m) staged.push({ stage: 1, query: q, positives: m });
    }
    const judged = queries.filter((q) => human.has(q.id));
    const count = Math.max(1, Math.round(judged.length * options.humanFraction));
    for (const q of sample(judged, count, seededRandom(options.seed, "curriculum"))) {
      staged.push({ stage: 2, query: q, positives: human.get(q.id)! });
    }
    for (const q of queries) if (!human.has(q.id) && !machine.has(q.id)) withoutPositives.push(q.id);
  }
  return { staged, excluded, withoutPositives };
}

function merge(into: Positive[], p: Positive): void {
  const prev = into.find((x) => x.id === p.id);
  if (!prev) {
    into.push({ ...p, sources: [...p.sources] });
    return;
  }
  prev.grade = Math.max(prev.grade, p.grade);
  for (const s of p.sources) if (!prev.sources.includes(s)) prev.sources.push(s);
}

function sortById(ps: Positive[]): Positive[] {
  return ps.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
