import { describe, expect, it } from "vitest";
import { significanceFixture } from "../significance/test-support/significance-fixture.js";
import { compareSystems, type SystemPerQuery } from "./comparison-table.js";
import { comparisonToJson, renderComparisonMarkdown, renderComparisonText } from "./render.js";

function fixtureSystems(): SystemPerQuery[] {
  const f = significanceFixture();
  return f.systems.map((name) => {
    const perQuery = new Map<string, Record<string, number>>();
    for (const qid of f.queries) {
      perQuery.set(
        qid,
        Object.fromEntries(f.measures.map((m) => [m, f.perQuery[name]?.[m]?.[qid] as number])),
      );
    }
    return { name, perQuery };
  });
}

describe("comparison table on the SciFact runs (t-test, Holm over 3 systems)", () => {
  const f = significanceFixture();
  const table = compareSystems(fixtureSystems(), { measures: f.measures });

  it("means and win/tie/loss counts equal ranx.compare's", () => {
    for (const row of table.rows) {
      for (const m of f.measures) {
        const cell = row.cells[m];
        expect(cell?.mean).toBeCloseTo(f.ranxReport[row.system]?.scores[m] as number, 12);
        if (!row.isBaseline) {
          const wtl = f.ranxReport[row.system]?.winTieLoss[f.baseline]?.[m];
          expect({ W: cell?.wins, T: cell?.ties, L: cell?.losses }).toEqual(wtl);
        }
      }
    }
  });

  it("p-values are scipy's ttest_rel; Holm adjustments and rejections are statsmodels'", () => {
    const others = f.systems.filter((s) => s !== f.baseline);
    for (const m of f.measures) {
      const holm = f.holm.find((h) => h.label === `t-test ${m}`)?.results.find((r) => r.alpha === 0.05);
      others.forEach((system, i) => {
        const cell = table.rows.find((r) => r.system === system)?.cells[m];
        const scipy = f.ttest.find(
          (t) => t.control === f.baseline && t.treatment === system && t.measure === m,
        );
        expect(cell?.pValue).toBeCloseTo(scipy?.pValue as number, 12);
        expect(cell?.adjustedPValue).toBeCloseTo(holm?.adjusted[i] as number, 12);
        expect(cell?.significant).toBe(holm?.reject[i]);
        const expectedMarker = !holm?.reject[i] ? "" : (cell?.delta as number) > 0 ? "†" : "‡";
        expect(cell?.marker).toBe(expectedMarker);
      });
    }
    // The data has both outcomes, so the markers are exercised: bm25-title is far worse than bm25.
    const markers = table.rows.flatMap((r) => Object.values(r.cells).map((c) => c.marker));
    expect(markers).toContain("‡");
    expect(markers).toContain("");
  });

  it("the Fisher variant's p-values agree with ranx's 200,000-permutation estimates within Monte-Carlo error", () => {
    const fisher = compareSystems(fixtureSystems(), {
      measures: f.measures,
      test: "fisher",
      fisher: { rounds: 20_000 },
    });
    for (const ref of f.ranxFisherLarge) {
      const p = fisher.rows.find((r) => r.system === ref.treatment)?.cells[ref.measure]?.pValue as number;
      const pooled = (p + ref.pValue) / 2;
      const se = Math.sqrt(pooled * (1 - pooled) * (1 / 20_000 + 1 / ref.permutations));
      expect(Math.abs(p - ref.pValue)).toBeLessThanOrEqual(4 * se + 0.5 / 20_000);
    }
    expect(fisher.legend).toContain("Fisher randomization");
  });

  it("renders text with aligned columns, Markdown and JSON", () => {
    const text = renderComparisonText(table).split("\n");
    const headerCols = [...(text[0] as string).matchAll(/\S+/g)].map((x) => x.index + x[0].length);
    // every right-aligned value ends where its header ends
    for (const line of text.slice(2, 2 + table.rows.length)) {
      for (const end of headerCols.slice(1)) expect(line[end - 1]).toMatch(/\d/);
    }
    const md = renderComparisonMarkdown(table).split("\n");
    expect(md[0]).toBe("| system | ndcg@10 | map@100 | recall@100 | mrr@10 |");
    expect(md[2]).toMatch(/^\| bm25 \(baseline\) \| 0\.\d{4} \|/);
    const json = comparisonToJson(table);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    expect(json.systems.map((s) => s.name)).toEqual(f.systems);
  });
});

describe("comparison table rules (hand-computed)", () => {
  const sys = (name: string, values: Record<string, number>): SystemPerQuery => ({
    name,
    perQuery: new Map(Object.entries(values).map(([q, v]) => [q, { "P@1": v }])),
  });
  const base = sys("base", { q1: 0, q2: 0, q3: 1, q4: 0 });
  const better = sys("better", { q1: 1, q2: 1, q3: 1, q4: 1 });

  it("renders a hand-checked text table", () => {
    // d = [1, 1, 0, 1]: mean 0.75, sd = 0.5, t = 0.75 / (0.5/2) = 3, df 3 -> p = 0.0577 (not significant at 0.05)
    const table = compareSystems([base, better]);
    expect(table.rows[1]?.cells["P@1"]?.pValue).toBeCloseTo(0.05766888, 7);
    expect(renderComparisonText(table, { digits: 2 })).toBe(
      [
        // "system" padded to 15 ("base (baseline)"), 2 spaces, then "P@1" right-aligned over the digits
        `system${" ".repeat(12)}P@1`,
        `${"-".repeat(15)}  ${"-".repeat(5)}`,
        "base (baseline)  0.25",
        `better${" ".repeat(11)}1.00`,
        "",
        "† / ‡: significantly better / worse than base (two-sided paired t-test, α = 0.05, 4 queries)",
        "",
      ].join("\n"),
    );
    const marked = compareSystems([base, better], { alpha: 0.1 });
    expect(renderComparisonText(marked, { digits: 2 }).split("\n")[3]).toBe(`better${" ".repeat(11)}1.00†`);
    expect(renderComparisonMarkdown(marked, { digits: 2 }).split("\n")[3]).toBe("| better | 1.00† |");
  });

  it("identical systems give a NaN p-value, no marker, and null in JSON", () => {
    const table = compareSystems([base, sys("same", { q1: 0, q2: 0, q3: 1, q4: 0 }), better]);
    const cell = table.rows[1]?.cells["P@1"];
    expect(cell?.pValue).toBeNaN();
    expect(cell?.marker).toBe("");
    expect(comparisonToJson(table).systems[1]?.measures["P@1"]?.pValue).toBeNull();
  });

  it("refuses missing queries unless told to score them 0, and unknown baselines", () => {
    const partial = sys("partial", { q1: 1 });
    expect(() => compareSystems([base, partial])).toThrow(/no values for query "q2"/);
    expect(compareSystems([base, partial], { missing: "zero" }).rows[1]?.cells["P@1"]?.mean).toBe(0.25);
    expect(() => compareSystems([base], { baseline: "nope" })).toThrow(/not among the systems/);
    expect(() => compareSystems([base, better], { measures: ["nDCG"] })).toThrow(/no finite "nDCG"/);
  });
});
