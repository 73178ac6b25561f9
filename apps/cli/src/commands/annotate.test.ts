/**
 * `ferret annotate relevance`, run as the BUILT cli (dist/main.js) in a child process against an
 * in-test OpenAI-compatible TEST DOUBLE (it answers every request with grade 1 and counts requests).
 * Expected qrels: every candidate of the pool graded 1; agreement against a constant labeller is κ = 0
 * (hand computation: p_o = p_e when one side has a single label).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ferret } from "../test-support/ferret-process.js";

let server: Server;
let baseUrl: string;
let requests = 0;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cli-annotate-"));
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      requests++;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          model: "double",
          choices: [{ message: { content: '{"grade": 1}' }, finish_reason: "stop" }],
          usage: { prompt_tokens: 10, completion_tokens: 2 },
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

describe("ferret annotate relevance", () => {
  it("writes qrels.trec and labels.jsonl, and a rerun makes no LLM call", async () => {
    const out = join(dir, "rel");
    const args = [
      "annotate",
      "relevance",
      "--corpus",
      "examples/mini",
      "--split",
      "test",
      "--candidates",
      "3",
      "--limit",
      "2",
    ];
    const first = await ferret([...args, "--llm-base-url", baseUrl, "--llm-model", "double", "--out", out]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const trec = (await readFile(join(out, "qrels.trec"), "utf8")).trim().split("\n");
    const labels = (await readFile(join(out, "labels.jsonl"), "utf8")).trim().split("\n");
    expect(trec.length).toBe(labels.length);
    expect(trec.every((l) => l.endsWith(" 1"))).toBe(true);
    expect(requests).toBe(labels.length);
    expect(first.stdout).toContain(`${labels.length} labels ok, 0 failed; ${labels.length} LLM calls`);
    expect(first.stdout).toMatch(/kappa 0\.000/);

    const again = await ferret([...args, "--llm-base-url", baseUrl, "--llm-model", "double", "--out", out]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("0 LLM calls");
    expect(requests).toBe(labels.length);
  });

  it("refuses to run without an LLM", async () => {
    const res = await ferret(["annotate", "relevance", "--corpus", "examples/mini", "--out", join(dir, "x")]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain("--llm-base-url and --llm-model");
  });
});
