/**
 * trec_eval's text output (meas_print_single.c, meas_print_final.c): one `%-22s\t%s\t%6.4f` line per measure,
 * per query with -q (queries in strcmp order, measures in trec_eval's table order), then the `all` lines.
 * num_q, when asked for, prints first as an integer (`%-22s\t%s\t%ld`), as trec_eval does.
 * Values are rounded like C's printf: the exact binary value, ties to even (0.03125 -> "0.0312"), which is
 * not what Number.prototype.toFixed does on exact ties (it rounds them up).
 */
import type { Evaluation } from "../metrics/evaluate.js";
import { compareSpecs } from "../metrics/registry.js";

export interface TrecFormatOptions {
  /** trec_eval -q: per-query lines before the summary. */
  perQuery?: boolean;
  /** Print num_q in the summary. */
  numQ?: boolean;
  /** trec_eval -n: no summary lines. */
  noSummary?: boolean;
}

/** C printf("%6.4f", v). */
export function formatTrecValue(v: number): string {
  let s: string;
  if (Number.isNaN(v)) s = "nan";
  else if (!Number.isFinite(v)) s = v > 0 ? "inf" : "-inf";
  else s = toFixed4HalfEven(v);
  return s.length >= 6 ? s : " ".repeat(6 - s.length) + s;
}

function toFixed4HalfEven(v: number): string {
  // A double lies exactly halfway between two 4-decimal numbers only if v * 32 is an odd integer
  // (x.xxxx5 = odd / 20000 must be dyadic). Multiplying by 32 is exact.
  const t = v * 32;
  if (Number.isInteger(t) && t % 2 !== 0 && Math.abs(v) < 2 ** 40) {
    const scaled = Math.abs(v) * 10000; // exact: odd/32 * 10000 = odd * 312.5
    let n = Math.floor(scaled);
    if (n % 2 !== 0) n += 1;
    const digits = String(n).padStart(5, "0");
    const body = `${digits.slice(0, -4)}.${digits.slice(-4)}`;
    return v < 0 ? `-${body}` : body;
  }
  // toFixed drops the sign of -0 (and only of -0: -0.00001 gives "-0.0000" in both).
  return Object.is(v, -0) ? "-0.0000" : v.toFixed(4);
}

function line(name: string, qid: string, value: string): string {
  return `${name.padEnd(22)}\t${qid}\t${value}\n`;
}

export function formatTrecEval(evaluation: Evaluation, options: TrecFormatOptions = {}): string {
  const specs = [...evaluation.measures].sort(compareSpecs);
  const out: string[] = [];
  if (options.perQuery) {
    for (const [qid, values] of evaluation.perQuery) {
      for (const spec of specs) {
        const v = values[spec.name];
        if (v !== undefined) out.push(line(spec.name, qid, formatTrecValue(v)));
      }
    }
  }
  if (!options.noSummary) {
    if (options.numQ) out.push(line("num_q", "all", String(evaluation.numQueries)));
    for (const spec of specs) {
      const v = evaluation.mean[spec.name];
      if (v !== undefined) out.push(line(spec.name, "all", formatTrecValue(v)));
    }
  }
  return out.join("");
}
