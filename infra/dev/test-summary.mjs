#!/usr/bin/env node
// Adds up the vitest JSON reports in a directory (written by vitest-report.mjs) and prints, last, one line:
//   tests: <N> passed, <N> failed
// A test file that failed without a failing test (it did not load, or a hook threw) counts as one failure,
// and so does a failed test run that left no report (--run-exit-code <rc> from the runner), so a broken
// run never reads "0 failed".
// usage: node infra/dev/test-summary.mjs <report-dir> [--run-exit-code <rc>]
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

const [dir, flag, rcArg] = process.argv.slice(2);
if (!dir) {
  console.error("usage: test-summary.mjs <report-dir> [--run-exit-code <rc>]");
  process.exit(2);
}
const runExitCode = flag === "--run-exit-code" ? Number(rcArg) : 0;

let files = [];
try {
  files = (await readdir(dir)).filter((f) => f.endsWith(".json")).sort();
} catch {
  // no reports at all: nothing ran
}

let passed = 0;
let failed = 0;
for (const f of files) {
  const r = JSON.parse(await readFile(join(dir, f), "utf8"));
  const brokenFiles = r.testResults.filter(
    (t) => t.status === "failed" && !t.assertionResults.some((a) => a.status === "failed"),
  );
  const pkgFailed = r.numFailedTests + brokenFiles.length;
  passed += r.numPassedTests;
  failed += pkgFailed;
  const note = brokenFiles.length ? ` (${brokenFiles.length} file(s) failed outside a test)` : "";
  console.log(
    `  ${decodeURIComponent(f.replace(/\.json$/, ""))}: ${r.numPassedTests} passed, ${pkgFailed} failed${note}`,
  );
}
if (runExitCode !== 0 && failed === 0) {
  console.log(
    `  a test run exited with ${runExitCode} without a failing test in any report; see its log above`,
  );
  failed = 1;
}
console.log(`tests: ${passed} passed, ${failed} failed`);
