/**
 * The built evaluator process (dist/main.js, what `npm start` runs): it serves Evaluate over gRPC and
 * /metrics, and exits 0 after a graceful shutdown on SIGTERM.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@ferret/grpc";
import { spawnServiceProcess } from "@ferret/service/testing";
import { EvaluatorService } from "@ferret/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));
let dir: string;

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error("build first: npx turbo run build --filter=@ferret/evaluator...");
  dir = await mkdtemp(join(tmpdir(), "ferret-evaluator-main-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("evaluator main", () => {
  it("serves Evaluate and /metrics, then shuts down cleanly on SIGTERM", async () => {
    const child = await spawnServiceProcess(MAIN, {
      name: "evaluator",
      env: {
        ...process.env,
        FERRET_LOG_LEVEL: "info",
        FERRET_EVALUATOR_GRPC__HOST: "127.0.0.1",
        FERRET_EVALUATOR_GRPC__PORT: "0",
        FERRET_EVALUATOR_METRICS__HOST: "127.0.0.1",
        FERRET_EVALUATOR_METRICS__PORT: "0",
        FERRET_EVALUATOR_ARTIFACTS__DIR: dir,
      },
    });
    try {
      const { grpcPort, metricsPort } = child.started;
      const client = createClient(EvaluatorService, `127.0.0.1:${grpcPort}`, {
        retry: false,
        deadlineMs: 10_000,
      });
      try {
        const response = await client.evaluate({
          run: {
            source: { $case: "trecText", value: "q1 Q0 d1 1 0.9 t\nq1 Q0 d2 2 0.5 t\nq1 Q0 d3 3 0.3 t\n" },
          },
          qrels: { source: { $case: "trecText", value: "q1 0 d1 1\nq1 0 d2 0\nq1 0 d3 1\n" } },
          measures: ["map", "P.2"],
          options: undefined,
        });
        // By hand: relevant at ranks 1 and 3 of 2 relevant: AP = (1/1 + 2/3) / 2; P@2 = 1/2.
        expect(response.means["map"]).toBeCloseTo((1 + 2 / 3) / 2, 15);
        expect(response.means["P_2"]).toBe(0.5);
      } finally {
        client.close();
      }
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      expect(metrics).toMatch(/^ferret_evaluator_calls_total\{method="Evaluate",outcome="OK"\} 1$/m);
      expect(await child.stop()).toBe(0);
      expect(child.log()).toContain('"evaluator stopped"');
    } finally {
      child.kill();
    }
  }, 30_000);
});
