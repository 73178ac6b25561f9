/**
 * report.html from report.json: one self-contained page (inline CSS, inline SVG, no script, no external
 * resource), so it opens from disk or an e-mail attachment with no network. Numbers in the comparison
 * table carry data-* attributes naming their system and measure, so a test can check them against the JSON.
 */
import { barChart, escapeXml as esc, lineChart } from "./svg-chart.js";
import type { ReportJson } from "./report-json.js";

const DIGITS = 4;

function comparisonTable(report: ReportJson): string {
  const { comparison } = report;
  const head = comparison.measures.map((m) => `<th>${esc(m)}</th>`).join("");
  const rows = comparison.systems
    .map((s) => {
      const cells = comparison.measures
        .map((m) => {
          const c = s.measures[m];
          if (!c) return "<td></td>";
          const wtl = s.isBaseline
            ? ""
            : `<div class="wtl" title="queries better / equal / worse than ${esc(comparison.baseline)}">` +
              `<span data-wtl="${c.wins}/${c.ties}/${c.losses}">${c.wins}/${c.ties}/${c.losses}</span>` +
              (c.adjustedPValue === null ? "" : ` · p=${c.adjustedPValue.toPrecision(2)}`) +
              `</div>`;
          const cls = c.marker === "" ? "" : c.delta > 0 ? " better" : " worse";
          return (
            `<td class="num${cls}"><span class="mean" data-system="${esc(s.name)}" data-measure="${esc(m)}">` +
            `${c.mean.toFixed(DIGITS)}</span><span class="marker">${esc(c.marker)}</span>${wtl}</td>`
          );
        })
        .join("");
      const name = s.isBaseline ? `${esc(s.name)} <em>(baseline)</em>` : esc(s.name);
      return `<tr><th scope="row">${name}</th>${cells}</tr>`;
    })
    .join("");
  return (
    `<table class="comparison"><thead><tr><th>system</th>${head}</tr></thead><tbody>${rows}</tbody></table>` +
    `<p class="legend">${esc(comparison.legend)}. Under each mean: per-query wins/ties/losses against ` +
    `${esc(comparison.baseline)} and the adjusted p-value.</p>`
  );
}

function headline(report: ReportJson): string {
  const { comparison } = report;
  const measure = comparison.measures[0]!;
  const rows = comparison.systems.map((s) => ({ s, c: s.measures[measure]! }));
  const best = rows.reduce((a, b) => (b.c.mean > a.c.mean ? b : a));
  const base = rows.find((r) => r.s.isBaseline)!;
  if (best.s.isBaseline)
    return `The baseline <b>${esc(base.s.name)}</b> scores best on ${esc(measure)}: ${base.c.mean.toFixed(DIGITS)}; no other system beats it.`;
  const sig = best.c.significant ? "significantly" : "not significantly";
  return (
    `<b>${esc(best.s.name)}</b> scores best on ${esc(measure)}: ${best.c.mean.toFixed(DIGITS)} against ` +
    `${base.c.mean.toFixed(DIGITS)} for the baseline ${esc(base.s.name)} (${best.c.delta >= 0 ? "+" : ""}` +
    `${best.c.delta.toFixed(DIGITS)}, ${sig} better; wins ${best.c.wins}, ties ${best.c.ties}, losses ` +
    `${best.c.losses} of ${comparison.queries} queries).`
  );
}

function figure(svg: string, caption: string): string {
  return `<figure class="chart">${svg}<figcaption>${esc(caption)}</figcaption></figure>`;
}

function charts(report: ReportJson): string {
  const out: string[] = [];
  for (const d of report.deltas)
    out.push(
      figure(
        barChart(
          d.perQuery.map((q) => q.delta),
          {
            title: `${d.system} − ${report.comparison.baseline}: ${d.measure} per query`,
            xLabel: "queries, sorted by delta",
            yLabel: `Δ ${d.measure}`,
          },
        ),
        `Per-query ${d.measure} of ${d.system} minus the baseline's; green: gains, red: losses.`,
      ),
    );
  out.push(
    figure(
      lineChart(
        report.recallCurves.map((c) => ({ name: c.system, points: c.points })),
        { title: "Recall@k", xLabel: "k (log scale)", yLabel: "mean recall@k", logX: true, y: [0, 1] },
      ),
      "Mean recall at each cut-off k.",
    ),
  );
  if (report.roc)
    out.push(
      figure(
        lineChart(
          [
            {
              name: `${report.roc.system} (AUC ${report.roc.auc.toFixed(DIGITS)})`,
              points: report.roc.points,
            },
          ],
          {
            title: `ROC of ${report.roc.system}'s scores`,
            xLabel: "false-positive rate",
            yLabel: "true-positive rate",
            x: [0, 1],
            y: [0, 1],
            diagonal: true,
          },
        ),
        `Relevant (${report.roc.positives}) vs non-relevant (${report.roc.negatives}) retrieved documents, pooled over queries.`,
      ),
    );
  if (report.training && report.training.loss.length > 0)
    out.push(
      figure(
        lineChart([{ name: "training loss", points: report.training.loss }], {
          title: "Training loss",
          xLabel: "step",
          yLabel: "loss",
        }),
        "Loss per optimizer step, as the engine reported it.",
      ),
    );
  if (report.training)
    for (const [measure, points] of Object.entries(report.training.eval))
      if (points.length > 0)
        out.push(
          figure(
            lineChart([{ name: measure, points }], {
              title: `Validation ${measure}`,
              xLabel: "step",
              yLabel: measure,
            }),
            `Validation ${measure} during training.`,
          ),
        );
  return out.join("");
}

function labelSection(report: ReportJson): string {
  const l = report.labels;
  if (!l) return `<p class="none">This run used no LLM labels.</p>`;
  const grades = Object.entries(l.grades)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([g, n]) => `<tr><th scope="row">grade ${esc(g)}</th><td class="num">${n}</td></tr>`)
    .join("");
  const na = "not recorded";
  return (
    `<table class="labels"><tbody>` +
    `<tr><th scope="row">labels</th><td class="num">${l.count}</td></tr>${grades}` +
    `<tr><th scope="row">Cohen's κ vs human qrels</th><td class="num">${l.kappa === null ? "no human qrels overlap" : `${l.kappa.toFixed(3)} (${l.pairs} pairs)`}</td></tr>` +
    `<tr><th scope="row">cost</th><td class="num">${l.costUsd === null ? na : `$${l.costUsd.toFixed(4)}`}</td></tr>` +
    `<tr><th scope="row">tokens (prompt / completion)</th><td class="num">${l.tokens === null ? na : `${l.tokens.prompt} / ${l.tokens.completion}`}</td></tr>` +
    `</tbody></table>`
  );
}

const CSS = `
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1180px;color:#222;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
.meta{color:#666;margin:0 0 12px}.headline{font-size:16px;background:#f4f7fb;border-left:4px solid #1f77b4;padding:10px 14px}
table{border-collapse:collapse}th,td{padding:4px 10px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums}.better .mean{color:#1a7f37;font-weight:bold}.worse .mean{color:#c62828;font-weight:bold}
.marker{display:inline-block;width:1em}.wtl{font-size:11px;color:#666}.legend,.none{color:#555;font-size:12px}
.charts{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0;border:1px solid #eee;padding:6px}figcaption{font-size:12px;color:#555;max-width:560px}
pre{background:#f7f7f7;padding:10px;overflow:auto;font-size:12px}`;

export function renderReportHtml(report: ReportJson): string {
  const versions = Object.entries(report.versions)
    .map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${esc(v)}</td></tr>`)
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(report.title)}</title><style>${CSS}</style></head>
<body>
<h1>${esc(report.title)}</h1>
<p class="meta">${esc(report.dataset.name)} · ${esc(report.dataset.split)} split · ${report.dataset.queries} queries · ${esc(report.createdAt)}</p>
<p class="headline">${headline(report)}</p>
<h2>Comparison</h2>
${comparisonTable(report)}
<h2>Charts</h2>
<div class="charts">${charts(report)}</div>
<h2>Labels</h2>
${labelSection(report)}
<h2>Reproduce</h2>
<table class="versions"><tbody>${versions}</tbody></table>
<pre class="config">${esc(JSON.stringify(report.config, null, 2))}</pre>
</body></html>
`;
}
