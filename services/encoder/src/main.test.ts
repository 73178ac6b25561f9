/**
 * The built encoder process (dist/main.js, what `npm start` runs), embedded mode with the tiny fixture model:
 * it serves Embed, IndexCorpus and Search over gRPC and Prometheus /metrics (counts and latency per method and
 * outcome, documents embedded by its shard worker, assemblies), and exits 0 after a graceful SIGTERM.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@ferret/grpc";
import { spawnServiceProcess } from "@ferret/service/testing";
import { EmbedRole, EncoderService, JobState } from "@ferret/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeModelsRoot, referenceCorpus } from "./test-support/fixtures.js";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));
let dir: string;

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error("build first: npx turbo run build --filter=@ferret/encoder...");
  dir = await mkdtemp(join(tmpdir(), "ferret-encoder-main-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("encoder main", () => {
  it("serves the Encoder and /metrics, then shuts down cleanly on SIGTERM", async () => {
    const child = await spawnServiceProcess(MAIN, {
      name: "encoder",
      env: {
        // embedded mode: none of the caller's encoder settings (a NATS URL would leave it)
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("FERRET_ENCODER_"))),
        FERRET_LOG_LEVEL: "info",
        FERRET_ENCODER_GRPC__HOST: "127.0.0.1",
        FERRET_ENCODER_GRPC__PORT: "0",
        FERRET_ENCODER_METRICS__HOST: "127.0.0.1",
        FERRET_ENCODER_METRICS__PORT: "0",
        FERRET_ENCODER_MODELS__DIR: makeModelsRoot(join(dir, "models")),
        FERRET_ENCODER_MODELS__SERVE: "tiny-a",
        FERRET_ENCODER_MODELS__THREADS: "1",
        FERRET_ENCODER_INDEXES__DIR: join(dir, "indexes"),
        FERRET_ENCODER_INDEXES__CACHE_DIR: join(dir, "index-cache"),
        FERRET_ENCODER_ARTIFACTS__DIR: join(dir, "artifacts"),
      },
    });
    try {
      const { grpcPort, metricsPort } = child.started;
      const client = createClient(EncoderService, `127.0.0.1:${grpcPort}`, {
        retry: false,
        deadlineMs: 30_000,
      });
      try {
        await client.embed({
          model: undefined,
          texts: ["a", "b"],
          role: EmbedRole.EMBED_ROLE_RAW,
          quantized: false,
        });
        let state: JobState | undefined;
        for await (const u of client.indexCorpus({
          index: "docs",
          beirDir: "",
          documents: referenceCorpus().map((d) => ({ ...d, metadata: {} })),
          shardSize: 7,
          kind: 0,
          jobId: "",
          model: undefined,
          quantized: false,
          corpus: undefined,
        })) {
          state = u.status?.state;
        }
        expect(state).toBe(JobState.JOB_STATE_SUCCEEDED);
        const search = (index: string) =>
          client.search({
            index,
            queries: [
              { id: "q1", text: "x", metadata: {} },
              { id: "q2", text: "y", metadata: {} },
            ],
            k: 3,
            exact: false,
            hybrid: undefined,
            removeQuery: false,
            name: "",
            indexArtifact: undefined,
          });
        await search("docs");
        await expect(search("nope")).rejects.toMatchObject({ code: "NOT_FOUND" });
      } finally {
        client.close();
      }
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      expect(metrics).toMatch(/^ferret_encoder_calls_total\{method="Embed",outcome="OK"\} 1$/m);
      expect(metrics).toMatch(/^ferret_encoder_calls_total\{method="IndexCorpus",outcome="OK"\} 1$/m);
      expect(metrics).toMatch(/^ferret_encoder_calls_total\{method="Search",outcome="OK"\} 1$/m);
      expect(metrics).toMatch(/^ferret_encoder_calls_total\{method="Search",outcome="NOT_FOUND"\} 1$/m);
      expect(metrics).toMatch(/^ferret_encoder_call_seconds_count\{method="IndexCorpus"\} 1$/m);
      // 20 documents in 3 shards, all encoded by this process's worker; 2 raw texts and 2 queries embedded
      expect(metrics).toMatch(/^ferret_encoder_documents_embedded_total 20$/m);
      expect(metrics).toMatch(/^ferret_encoder_shards_total\{outcome="recorded"\} 3$/m);
      expect(metrics).toMatch(/^ferret_encoder_texts_embedded_total\{role="raw"\} 2$/m);
      expect(metrics).toMatch(/^ferret_encoder_texts_embedded_total\{role="query"\} 2$/m);
      expect(metrics).toMatch(/^ferret_encoder_assemblies_total\{outcome="assembled"\} 1$/m);
      expect(metrics).toMatch(/^ferret_encoder_index_jobs_total\{outcome="OK"\} 1$/m);
      expect(await child.stop()).toBe(0);
      expect(child.log()).toContain('"encoder stopped"');
    } finally {
      child.kill();
    }
  }, 60_000);
});
