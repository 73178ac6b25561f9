import { InvalidArgumentError } from "@ferret/errors";

/** Per-query values of one system on one measure: an array already aligned by query, or qid -> value. */
export type PerQueryValues = readonly number[] | ReadonlyMap<string, number>;

export interface AlignOptions {
  /**
   * A query one system has and the other lacks: "error" (default) refuses, "zero" scores it 0 for the system
   * that lacks it (trec_eval -c semantics), "intersect" drops it.
   */
  missing?: "error" | "zero" | "intersect";
}

export interface PairedSample {
  /** Query ids in sample order (absent when both inputs were arrays). */
  queries?: string[];
  control: number[];
  treatment: number[];
}

function checkFinite(values: readonly number[], which: string): void {
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0)
    throw new InvalidArgumentError(`${which} value #${bad} is not a finite number: ${values[bad]}`);
}

/** Pair two systems' per-query values query by query. */
export function alignPaired(
  control: PerQueryValues,
  treatment: PerQueryValues,
  options: AlignOptions = {},
): PairedSample {
  let out: PairedSample;
  if (Array.isArray(control) && Array.isArray(treatment)) {
    if (control.length !== treatment.length) {
      throw new InvalidArgumentError(
        `paired samples differ in length: ${control.length} vs ${treatment.length}`,
      );
    }
    out = { control: [...control], treatment: [...treatment] };
  } else if (control instanceof Map && treatment instanceof Map) {
    const missing = options.missing ?? "error";
    const queries = [...new Set([...control.keys(), ...treatment.keys()])].sort();
    const kept: string[] = [];
    const a: number[] = [];
    const b: number[] = [];
    for (const qid of queries) {
      const x = control.get(qid);
      const y = treatment.get(qid);
      if (x === undefined || y === undefined) {
        if (missing === "error") {
          throw new InvalidArgumentError(`query "${qid}" has a value for only one of the two systems`, {
            details: { qid },
          });
        }
        if (missing === "intersect") continue;
      }
      kept.push(qid);
      a.push(x ?? 0);
      b.push(y ?? 0);
    }
    out = { queries: kept, control: a, treatment: b };
  } else {
    throw new InvalidArgumentError("pair two arrays or two qid -> value maps, not one of each");
  }
  checkFinite(out.control, "control");
  checkFinite(out.treatment, "treatment");
  return out;
}

/** treatment − control, query by query. */
export function differences(sample: PairedSample): number[] {
  return sample.treatment.map((t, i) => t - (sample.control[i] as number));
}

export function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}
