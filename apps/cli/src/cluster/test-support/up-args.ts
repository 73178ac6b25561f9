/**
 * `ferret up` arguments for tests: a nats-server of the test's own on free ports, the dev OpenSearch, service
 * ports that were free a moment ago, and the bundled SmolLM2 for the annotator (make test fetches it).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "@ferret/service/testing";
import { REPO_ROOT } from "../../test-support/ferret-process.js";
import { listening } from "../dev-servers.js";
import { SERVICE_NAMES } from "../service-catalog.js";

export const OPENSEARCH_URL = process.env.OPENSEARCH_URL ?? "http://127.0.0.1:9200";
export const GGUF = join(REPO_ROOT, ".cache/models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf");

/** A `--port-base` whose gRPC and /metrics ports were all free a moment ago. */
export async function freePortBase(): Promise<number> {
  for (;;) {
    const base = 20000 + Math.floor(Math.random() * 20000);
    const ports = SERVICE_NAMES.flatMap((_, i) => [base + i, base + 100 + i]);
    if (!(await Promise.all(ports.map((p) => listening(p)))).some(Boolean)) return base;
  }
}

export async function upArgs(stateDir: string): Promise<{ args: string[]; natsUrl: string }> {
  if (!existsSync(GGUF))
    throw new Error(`${GGUF} is missing: run services/annotator/scripts/fetch-smollm2.sh`);
  const natsPort = await freePort();
  const args = [
    "--state-dir",
    stateDir,
    "--nats-port",
    String(natsPort),
    "--nats-monitor-port",
    String(await freePort()),
    "--opensearch-url",
    OPENSEARCH_URL,
    "--port-base",
    String(await freePortBase()),
    "--llm-gguf",
    GGUF,
  ];
  return { args, natsUrl: `nats://127.0.0.1:${natsPort}` };
}
