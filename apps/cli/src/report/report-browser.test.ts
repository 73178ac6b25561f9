/**
 * The report in a real browser: report.json built by the evaluator's code from real runs of the BUILT cli
 * on examples/mini (BM25, BM25+RM3, the fixture bi-encoder, and their hybrid), report.html re-rendered by
 * `ferret report`, then opened from disk (file://) in Debian's chromium through puppeteer-core. The
 * screenshot is kept under the test-report directory (FERRET_TEST_REPORT_DIR, default .cache/test-reports).
 */
import { mkdir, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { readBeirQrels, readTrecRun } from "@ferret/datasets";
import { FIXTURE_MODELS } from "@ferret/inference/testing";
import puppeteer from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, ferret } from "../test-support/ferret-process.js";
import { buildReport, type ReportSystem } from "./build-report.js";
import { writeReport } from "./report-files.js";
import { REPORT_HTML, reportJsonSchema, type ReportJson } from "./report-json.js";

const MINI = join(REPO_ROOT, "examples", "mini");
const CHROMIUM = process.env["FERRET_CHROMIUM"] ?? "/usr/bin/chromium";
const ARTIFACTS = process.env["FERRET_TEST_REPORT_DIR"] ?? join(REPO_ROOT, ".cache", "test-reports");
const MEASURES = ["ndcg_cut_10", "recall_100", "map", "recip_rank"];

let tmp: string;
let runDir: string;

async function cli(args: string[]): Promise<void> {
  const r = await ferret(args, { timeoutMs: 120_000 });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "ferret-report-browser-"));
  runDir = join(tmp, "run");
  const bm25Index = join(tmp, "mini.bm25");
  const denseIndex = join(tmp, "mini.dense");
  const runs = {
    bm25: join(tmp, "bm25.trec"),
    rm3: join(tmp, "rm3.trec"),
    dense: join(tmp, "dense.trec"),
    hybrid: join(tmp, "hybrid.trec"),
  };
  const search = ["--queries", MINI, "--split", "test", "-k", "100", "--no-progress"];
  await cli(["bm25", "index", MINI, "--out", bm25Index, "--no-progress"]);
  await cli(["bm25", "search", bm25Index, ...search, "--out", runs.bm25]);
  await cli(["bm25", "search", bm25Index, ...search, "--rm3", "--out", runs.rm3]);
  await cli([
    "encode",
    "index",
    FIXTURE_MODELS.biEncoder,
    MINI,
    "--out",
    denseIndex,
    "--threads",
    "1",
    "--no-progress",
  ]);
  await cli(["encode", "search", denseIndex, ...search, "--out", runs.dense]);
  await cli([
    "encode",
    "search",
    denseIndex,
    ...search,
    "--hybrid",
    bm25Index,
    "--alpha",
    "0.5",
    "--out",
    runs.hybrid,
  ]);

  const systems: ReportSystem[] = [
    { name: "BM25", description: "embedded BM25, k1 0.9, b 0.4", run: (await readTrecRun(runs.bm25)).run },
    { name: "BM25+RM3", run: (await readTrecRun(runs.rm3)).run },
    { name: "tiny-bert", description: "fixture bi-encoder", run: (await readTrecRun(runs.dense)).run },
    { name: "hybrid α=0.5", run: (await readTrecRun(runs.hybrid)).run },
  ];
  const report = buildReport({
    title: "examples/mini: BM25 vs RM3, a dense fixture and their hybrid",
    dataset: { name: "examples/mini", split: "test" },
    systems,
    qrels: await readBeirQrels(join(MINI, "qrels", "test.tsv")),
    measures: MEASURES,
    rocSystem: "tiny-bert",
    config: { runs: Object.keys(runs), measures: MEASURES },
    versions: { ferret: "0.1.0", node: process.version },
  });
  await writeReport(runDir, report);
  // The page the browser opens is the one `ferret report` re-renders from report.json.
  await rm(join(runDir, REPORT_HTML));
  const rendered = await ferret(["report", runDir]);
  expect(rendered.stderr).toBe("");
  expect(rendered.stdout.trim()).toBe(join(runDir, REPORT_HTML));
}, 600_000);

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("report.html in chromium", () => {
  it("loads from disk with no console error and no network request; every chart is drawn; the table equals report.json", async () => {
    const report: ReportJson = reportJsonSchema.parse(
      JSON.parse(await readFile(join(runDir, "report.json"), "utf8")),
    );
    expect(report.systems.map((s) => s.name)).toEqual(["BM25", "BM25+RM3", "tiny-bert", "hybrid α=0.5"]);
    const pageUrl = pathToFileURL(join(runDir, REPORT_HTML)).href;
    const browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(m.text());
      });
      page.on("pageerror", (e) => errors.push(String(e)));
      page.on("request", (r) => {
        if (r.url() !== pageUrl) requests.push(r.url());
      });
      await page.setViewport({ width: 1280, height: 900 });
      await page.goto(pageUrl, { waitUntil: "networkidle0" });
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);

      const charts = await page.$$eval("figure.chart svg", (svgs) =>
        svgs.map((svg) => {
          const box = svg.getBoundingClientRect();
          const marks = [...svg.querySelectorAll("path.series, rect.bar")].filter((el) => {
            const b = el.getBoundingClientRect();
            return b.width > 0 || b.height > 0;
          });
          return {
            title: svg.getAttribute("aria-label"),
            width: box.width,
            height: box.height,
            marks: marks.length,
          };
        }),
      );
      // One delta plot per non-baseline system, recall@k, ROC.
      expect(charts).toHaveLength(report.deltas.length + 2);
      for (const chart of charts) {
        expect(chart.width).toBeGreaterThan(0);
        expect(chart.height).toBeGreaterThan(0);
        expect(chart.marks, String(chart.title)).toBeGreaterThan(0);
      }

      const cells = await page.$$eval("span.mean", (spans) =>
        spans.map((s) => ({
          system: s.getAttribute("data-system"),
          measure: s.getAttribute("data-measure"),
          text: s.textContent,
          marker: s.nextElementSibling?.textContent ?? "",
          wtl: s.parentElement?.querySelector("[data-wtl]")?.textContent ?? null,
        })),
      );
      expect(cells).toHaveLength(report.comparison.systems.length * report.comparison.measures.length);
      for (const cell of cells) {
        const row = report.comparison.systems.find((s) => s.name === cell.system)!;
        const want = row.measures[cell.measure!]!;
        expect(Number(cell.text)).toBeCloseTo(want.mean, 4);
        expect(cell.text).toBe(want.mean.toFixed(4));
        expect(cell.marker).toBe(want.marker);
        expect(cell.wtl).toBe(row.isBaseline ? null : `${want.wins}/${want.ties}/${want.losses}`);
      }

      await mkdir(ARTIFACTS, { recursive: true });
      const shot = join(ARTIFACTS, "report-browser.png");
      await page.screenshot({ path: shot, fullPage: true });
      expect((await stat(shot)).size).toBeGreaterThan(10_000);
    } finally {
      await browser.close();
    }
  });
});
