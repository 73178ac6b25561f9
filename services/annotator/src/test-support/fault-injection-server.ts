/**
 * TEST DOUBLE: an OpenAI-compatible chat-completions server that injects the faults a real LLM server
 * cannot be made to show on demand: HTTP 429 with Retry-After, 5xx, hangs past the client timeout,
 * bodies cut off mid-JSON, replies that are not JSON or name passages that do not exist. Each request
 * is answered by the test's `respond` function; every request is recorded.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  index: number;
  body: {
    model: string;
    messages: { role: string; content: string }[];
    response_format?: unknown;
    max_tokens?: number;
  };
}

export type Fault =
  | { kind: "reply"; content: string; finishReason?: string; delayMs?: number }
  | { kind: "status"; status: number; retryAfterSeconds?: number }
  | { kind: "hang" }
  | { kind: "truncated-body" };

export type Responder = (request: RecordedRequest) => Fault;

export interface FaultInjectionServer {
  baseUrl: string;
  requests: RecordedRequest[];
  setResponder(respond: Responder): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function completion(model: string, content: string, finishReason: string): string {
  return JSON.stringify({
    id: "chatcmpl-test",
    object: "chat.completion",
    model,
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: finishReason }],
    usage: { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110 },
  });
}

export async function startFaultInjectionServer(respond: Responder): Promise<FaultInjectionServer> {
  let responder = respond;
  const requests: RecordedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = JSON.parse(await readBody(req)) as RecordedRequest["body"];
      const recorded = { index: requests.length, body };
      requests.push(recorded);
      const fault = responder(recorded);
      switch (fault.kind) {
        case "status":
          res.writeHead(fault.status, {
            "content-type": "application/json",
            ...(fault.retryAfterSeconds !== undefined
              ? { "retry-after": String(fault.retryAfterSeconds) }
              : {}),
          });
          res.end(JSON.stringify({ error: { message: `injected ${fault.status}` } }));
          return;
        case "hang":
          hanging.add(res);
          res.on("close", () => hanging.delete(res));
          return;
        case "truncated-body": {
          const full = completion(body.model, '{"grade": 2}', "stop");
          res.writeHead(200, { "content-type": "application/json" });
          res.end(full.slice(0, Math.floor(full.length / 2)));
          return;
        }
        case "reply":
          if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
          res.writeHead(200, { "content-type": "application/json" });
          res.end(completion(body.model, fault.content, fault.finishReason ?? "stop"));
          return;
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    setResponder(next) {
      responder = next;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The last user message of a recorded request (where our prompts put the item). */
export function lastUserMessage(request: RecordedRequest): string {
  return [...request.body.messages].reverse().find((m) => m.role === "user")?.content ?? "";
}
