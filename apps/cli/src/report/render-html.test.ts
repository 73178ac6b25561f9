import { join } from "node:path";
import { readBeirQrels, type Run } from "@ferret/datasets";
import { parseEngineEvent } from "@ferret/trainer";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../test-support/ferret-process.js";
import { buildReport } from "./build-report.js";
import { renderReportHtml } from "./render-html.js";
import { reportJsonSchema } from "./report-json.js";

const qrels = await readBeirQrels(join(REPO_ROOT, "examples", "mini", "qrels", "test.tsv"));

/** Each query's judged documents, scored by grade (the ideal ranking) or by reversed grade. */
function byGrade(sign: 1 | -1): Run {
  return new Map(
    [...qrels].map(([qid, docs]) => [qid, new Map([...docs].map(([d, g], i) => [d, sign * g + i * 1e-6]))]),
  );
}

describe("renderReportHtml", () => {
  it("draws training curves and label statistics when the run has them, and escapes what it prints", () => {
    // Engine progress lines as ferret_engine/progress.py writes them, read by the trainer's parser.
    const events = [
      '{"event":"step","time":1,"step":10,"totalSteps":30,"epoch":0,"loss":2.5,"lr":0.00002}',
      '{"event":"step","time":2,"step":20,"totalSteps":30,"epoch":0,"loss":1.75,"lr":0.00002}',
      '{"event":"eval","time":3,"step":20,"queries":46,"ndcg_cut_10":0.41}',
      "not an event",
      '{"event":"step","time":4,"step":30,"totalSteps":30,"epoch":1,"loss":1.5,"lr":0.00001}',
    ].flatMap((line) => parseEngineEvent(line) ?? []);
    const report = buildReport({
      title: "ideal <vs> reversed",
      dataset: { name: "mini", split: "test" },
      systems: [
        { name: "reversed", run: byGrade(-1) },
        { name: "ideal", run: byGrade(1) },
      ],
      qrels,
      measures: ["ndcg_cut_10"],
      training: events,
      labels: { llm: qrels, human: qrels, usage: { promptTokens: 10, completionTokens: 2 } },
      config: { note: "</pre><script>" },
      versions: { ferret: "0.1.0" },
    });
    expect(reportJsonSchema.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
    expect(report.training?.loss).toEqual([
      { x: 10, y: 2.5 },
      { x: 20, y: 1.75 },
      { x: 30, y: 1.5 },
    ]);
    expect(report.training?.eval).toEqual({ ndcg_cut_10: [{ x: 20, y: 0.41 }] });
    expect(report.comparison.systems[1]!.measures["ndcg_cut_10"]!.mean).toBe(1);
    expect(report.labels?.kappa).toBe(1);

    const html = renderReportHtml(report);
    expect(html).not.toMatch(/<script|src=|href=/i);
    expect(html).toContain("ideal &#60;vs&#62; reversed");
    expect(html).toContain('aria-label="Training loss"');
    expect(html).toContain('aria-label="Validation ndcg_cut_10"');
    expect((html.match(/<figure class="chart">/g) ?? []).length).toBe(report.deltas.length + 2 + 2);
    expect(html).toContain("1.000 (");
    expect(html).toContain("10 / 2");
  });
});
