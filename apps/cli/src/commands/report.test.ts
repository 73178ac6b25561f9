import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ferret } from "../test-support/ferret-process.js";

/** `ferret report` on bad input (the BUILT cli); the good path is report/report-browser.test.ts. */
let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "ferret-report-cli-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("ferret report", () => {
  it("names report.json's bad key and line, and writes no report.html", async () => {
    await writeFile(join(tmp, "report.json"), '{\n "version": 1,\n "title": 3\n}\n');
    const r = await ferret(["report", tmp]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(tmp, "report.json")}:3 (field "title"): invalid report.json`);
    expect(await readdir(tmp)).toEqual(["report.json"]);
  });

  it("names a run directory without report.json", async () => {
    const r = await ferret(["report", join(tmp, "absent")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/absent\/report\.json: cannot read the report data/);
  });
});
