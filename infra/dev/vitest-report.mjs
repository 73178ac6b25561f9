// Vitest reporter for `make test`: vitest's own JSON report, written to $FERRET_TEST_REPORT_DIR as
// <package name, URI-encoded>.json, so one run over every workspace (turbo passes the same --reporter to each) leaves
// one report per package for test-summary.mjs to add up. Without FERRET_TEST_REPORT_DIR it writes nothing.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { JsonReporter } from "vitest/reporters";

export default class FerretJsonReporter extends JsonReporter {
  constructor() {
    super({});
  }

  async writeReport(report) {
    const dir = process.env.FERRET_TEST_REPORT_DIR;
    if (!dir) return;
    const root = this.ctx.config.root;
    let name = root;
    try {
      name = JSON.parse(await readFile(join(root, "package.json"), "utf8")).name ?? root;
    } catch {
      // not a package root: the path names it
    }
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `${encodeURIComponent(name)}.json`), report, "utf8");
  }
}
