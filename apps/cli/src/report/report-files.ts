/**
 * A run directory's report files: report.json (the data) and report.html (rendered from it), each
 * written atomically so an interrupted write never leaves a half file in place of a good one.
 */
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseYamlSpec } from "@ferret/config";
import { writeDataAtomically } from "@ferret/datasets";
import { InputError } from "@ferret/errors";
import { renderReportHtml } from "./render-html.js";
import { REPORT_HTML, REPORT_JSON, reportJsonSchema, type ReportJson } from "./report-json.js";

export async function writeReport(
  runDir: string,
  report: ReportJson,
): Promise<{ json: string; html: string }> {
  await mkdir(runDir, { recursive: true });
  const json = join(runDir, REPORT_JSON);
  const html = join(runDir, REPORT_HTML);
  await writeDataAtomically(json, `${JSON.stringify(report, null, 1)}\n`);
  await writeDataAtomically(html, renderReportHtml(report));
  return { json, html };
}

/** Reads and validates a run directory's report.json (errors name the key and its line). */
export async function readReport(runDir: string): Promise<ReportJson> {
  const file = join(runDir, REPORT_JSON);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new InputError({ file }, `cannot read the report data: ${(cause as Error).message}`, { cause });
  }
  return parseYamlSpec(text, reportJsonSchema, { file, what: "report.json" }).data;
}

/** `ferret report <run-dir>`: re-renders report.html from report.json. */
export async function rerenderReport(runDir: string): Promise<string> {
  const report = await readReport(runDir);
  return (await writeReport(runDir, report)).html;
}
