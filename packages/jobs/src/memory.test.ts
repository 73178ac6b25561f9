/** The job runtime's contract on the in-process bus (embedded mode). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBus } from "@ferret/bus";
import { afterAll } from "vitest";
import { describeJobsContract } from "./test-support/jobs-contract.js";

const dir = mkdtempSync(join(tmpdir(), "ferret-jobs-memory-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeJobsContract({
  kind: "memory",
  runId: `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`,
  createBus: () => createBus({ kind: "memory", dir }),
});
