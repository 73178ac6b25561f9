/**
 * TEST DOUBLE for the bench: an OpenAI-compatible chat-completions server that answers every request
 * after a fixed latency with a valid relevance grade, as a stand-in for an LLM server whose per-call
 * latency dominates. With it the bench measures what Ferret adds around each call (queue, cache, KV
 * label store, validation), not the LLM's speed.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface LatencyServer {
  baseUrl: string;
  requests(): number;
  close(): Promise<void>;
}

export async function startFixedLatencyServer(latencyMs: number): Promise<LatencyServer> {
  let count = 0;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      count++;
      const model = (JSON.parse(body) as { model: string }).model;
      setTimeout(() => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            model,
            choices: [
              {
                index: 0,
                message: { role: "assistant", content: `{"grade": ${count % 4}}` },
                finish_reason: "stop",
              },
            ],
            usage: { prompt_tokens: 200, completion_tokens: 6 },
          }),
        );
      }, latencyMs);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests: () => count,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
