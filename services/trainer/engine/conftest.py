"""pytest plugin for `make test`: with FERRET_TEST_REPORT_DIR set, writes this suite's results as a
vitest-style JSON report (what infra/dev/vitest-report.mjs writes for the TypeScript packages), so
infra/dev/test-summary.mjs adds the engine's tests to the "tests: N passed, N failed" line. A test file that
fails to import counts as a failed file without a failing test, as a vitest file that does not load."""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

REPORT_NAME = "@ferret/trainer-engine (pytest)"
_files: dict[str, dict] = defaultdict(lambda: {"status": "passed", "assertionResults": []})


def pytest_runtest_logreport(report) -> None:
    path = report.nodeid.split("::")[0]
    entry = _files[path]
    entry["name"] = path
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        status = {"passed": "passed", "failed": "failed", "skipped": "skipped"}[report.outcome]
        entry["assertionResults"].append({"fullName": report.nodeid, "status": status})
        if status == "failed":
            entry["status"] = "failed"
    elif report.when == "teardown" and report.outcome == "failed":
        entry["status"] = "failed"


def pytest_collectreport(report) -> None:
    if report.failed:
        path = report.nodeid.split("::")[0] or "collection"
        _files[path]["name"] = path
        _files[path]["status"] = "failed"


def pytest_sessionfinish(session, exitstatus) -> None:
    out = os.environ.get("FERRET_TEST_REPORT_DIR")
    if not out:
        return
    results = list(_files.values())
    passed = sum(a["status"] == "passed" for r in results for a in r["assertionResults"])
    failed = sum(a["status"] == "failed" for r in results for a in r["assertionResults"])
    report = {
        "numTotalTests": passed + failed,
        "numPassedTests": passed,
        "numFailedTests": failed,
        "success": exitstatus == 0,
        "testResults": results,
    }
    Path(out).mkdir(parents=True, exist_ok=True)
    (Path(out) / f"{quote(REPORT_NAME, safe='')}.json").write_text(json.dumps(report), encoding="utf-8")
