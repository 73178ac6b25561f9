/**
 * TEST DOUBLE for the bench: an OpenAI-compatible chat-completions server that answers every request
 * after a fixed latency with a valid relevance grade, as a stand-in for an LLM server whose per-call
 * latency dominates. With it the bench measures what Ferret adds around each call (queue, cache, KV
 * label store, validation), not the LLM's speed.
 *
 * It runs in its OWN process (bench.ts forks the bundled file): a real LLM server is another process,
 * and on a 2-core machine an in-process server would charge its CPU to whichever client is measured.
 * Run as a child it reads the latency from argv[2] and sends `{ baseUrl }` to the parent over IPC.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const latencyMs = Number(process.argv[2] ?? "50");
let count = 0;
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    count++;
    const model = (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { model: string }).model;
    const grade = count % 4;
    setTimeout(() => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          model,
          choices: [
            {
              index: 0,
              message: { role: "assistant", content: `{"grade": ${grade}}` },
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
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ baseUrl: `http://127.0.0.1:${port}/v1` });
});
// The parent's exit closes the IPC channel: stop with it, so no server outlives a crashed bench.
process.on("disconnect", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
