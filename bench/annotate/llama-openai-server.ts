/**
 * A minimal OpenAI-compatible chat-completions server around node-llama-cpp (a real LLM runtime,
 * in-process, CPU), for the throughput bench with a real model: POST /v1/chat/completions with
 * messages, response_format json_schema (enforced as a grammar), max_tokens, temperature.
 * Usage: node <bundle> --gguf FILE [--port 8089] [--sequences 2] [--threads 2]
 */
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { LlamaCppBackend, type ChatMessage } from "@ferret/annotator";

const { values } = parseArgs({
  options: {
    gguf: { type: "string", default: ".cache/models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf" },
    port: { type: "string", default: "8089" },
    sequences: { type: "string", default: "2" },
    threads: { type: "string", default: "2" },
  },
});
const backend = await LlamaCppBackend.open({
  modelPath: values.gguf!,
  contextSize: 2048,
  sequences: Number(values.sequences),
  threads: Number(values.threads),
});

interface Body {
  messages: ChatMessage[];
  response_format?: { type: string; json_schema?: { schema?: Record<string, unknown> } };
  max_tokens?: number;
  temperature?: number;
}

const server = createServer((req, res) => {
  let text = "";
  req.on("data", (c: Buffer) => (text += c.toString("utf8")));
  req.on("end", () => {
    void (async () => {
      try {
        const body = JSON.parse(text) as Body;
        const schema = body.response_format?.json_schema?.schema;
        const result = await backend.chat({
          messages: body.messages,
          ...(schema ? { schema } : {}),
          maxTokens: body.max_tokens ?? 256,
          temperature: body.temperature ?? 0,
        });
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            model: backend.model,
            choices: [
              {
                index: 0,
                message: { role: "assistant", content: result.text },
                finish_reason: result.finishReason,
              },
            ],
            usage: {
              prompt_tokens: result.usage.promptTokens,
              completion_tokens: result.usage.completionTokens,
            },
          }),
        );
      } catch (err) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: (err as Error).message } }));
      }
    })();
  });
});
server.listen(Number(values.port), "127.0.0.1", () => {
  process.stdout.write(`listening on http://127.0.0.1:${values.port}/v1 (${backend.model})\n`);
});
const stop = (): void => {
  server.close();
  void backend.close().then(() => process.exit(0));
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
