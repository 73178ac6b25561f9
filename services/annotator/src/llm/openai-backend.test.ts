import { afterEach, describe, expect, it } from "vitest";
import { relevanceTask } from "../tasks/relevance.js";
import {
  lastUserMessage,
  startFaultInjectionServer,
  type FaultInjectionServer,
} from "../test-support/fault-injection-server.js";
import { CallLimiter } from "./limiter.js";
import { LlmCallError } from "./llm-errors.js";
import { OpenAiBackend } from "./openai-backend.js";
import { retryDelayMs } from "./retry.js";
import { callStructured } from "./structured-call.js";

const input = {
  query: { id: "q1", text: "capital of france" },
  passage: { id: "d1", text: "Paris is the capital." },
};
const fastRetry = { initialMs: 5, maxMs: 20 };

let server: FaultInjectionServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("OpenAiBackend against the fault-injection server", () => {
  it("sends model, messages and a json_schema response_format, and reads usage", async () => {
    server = await startFaultInjectionServer(() => ({ kind: "reply", content: '{"grade": 3}' }));
    const backend = new OpenAiBackend({ baseUrl: server.baseUrl, model: "m-1", apiKey: "k" });
    const out = await callStructured(backend, relevanceTask, input);
    expect(out).toMatchObject({ status: "ok", value: { grade: 3 }, asks: 1, llmCalls: 1 });
    expect(out.usage).toEqual({ promptTokens: 100, completionTokens: 10 });
    const body = server.requests[0]!.body;
    expect(body.model).toBe("m-1");
    expect(body.response_format).toMatchObject({
      type: "json_schema",
      json_schema: { name: "relevance_grade" },
    });
    expect(lastUserMessage(server.requests[0]!)).toContain("<passage>");
  });

  it("retries 429 (honouring Retry-After) and 5xx, then succeeds", async () => {
    server = await startFaultInjectionServer((r) =>
      r.index === 0
        ? { kind: "status", status: 429, retryAfterSeconds: 0 }
        : r.index === 1
          ? { kind: "status", status: 503 }
          : { kind: "reply", content: '{"grade": 1}' },
    );
    const backend = new OpenAiBackend({ baseUrl: server.baseUrl, model: "m" });
    const out = await callStructured(backend, relevanceTask, input, { retry: fastRetry });
    expect(out).toMatchObject({ status: "ok", value: { grade: 1 }, llmCalls: 3 });
  });

  it("times out a hung request and retries it", async () => {
    server = await startFaultInjectionServer((r) =>
      r.index === 0 ? { kind: "hang" } : { kind: "reply", content: '{"grade": 0}' },
    );
    const backend = new OpenAiBackend({ baseUrl: server.baseUrl, model: "m", timeoutMs: 150 });
    const out = await callStructured(backend, relevanceTask, input, { retry: fastRetry });
    expect(out).toMatchObject({ status: "ok", value: { grade: 0 }, llmCalls: 2 });
  });

  it("retries a body cut off mid-JSON", async () => {
    server = await startFaultInjectionServer((r) =>
      r.index === 0 ? { kind: "truncated-body" } : { kind: "reply", content: '{"grade": 2}' },
    );
    const backend = new OpenAiBackend({ baseUrl: server.baseUrl, model: "m" });
    const out = await callStructured(backend, relevanceTask, input, { retry: fastRetry });
    expect(out).toMatchObject({ status: "ok", value: { grade: 2 }, llmCalls: 2 });
  });

  it("gives up after maxAttempts on a server that keeps failing", async () => {
    server = await startFaultInjectionServer(() => ({ kind: "status", status: 500 }));
    const backend = new OpenAiBackend({ baseUrl: server.baseUrl, model: "m" });
    await expect(
      callStructured(backend, relevanceTask, input, { retry: { ...fastRetry, maxAttempts: 3 } }),
    ).rejects.toBeInstanceOf(LlmCallError);
    expect(server.requests).toHaveLength(3);
  });

  it("does not retry a 400", async () => {
    server = await startFaultInjectionServer(() => ({ kind: "status", status: 400 }));
    const backend = new OpenAiBackend({ baseUrl: server.baseUrl, model: "m" });
    await expect(callStructured(backend, relevanceTask, input, { retry: fastRetry })).rejects.toMatchObject({
      retryable: false,
      status: 400,
    });
    expect(server.requests).toHaveLength(1);
  });

  it("re-asks once quoting the validation error, then succeeds", async () => {
    server = await startFaultInjectionServer((r) =>
      r.index === 0 ? { kind: "reply", content: '{"grade": 7}' } : { kind: "reply", content: '{"grade": 2}' },
    );
    const backend = new OpenAiBackend({ baseUrl: server.baseUrl, model: "m" });
    const out = await callStructured(backend, relevanceTask, input);
    expect(out).toMatchObject({ status: "ok", value: { grade: 2 }, asks: 2 });
    const reask = server.requests[1]!.body.messages;
    expect(reask.at(-2)).toEqual({ role: "assistant", content: '{"grade": 7}' });
    expect(reask.at(-1)!.content).toContain('"grade" must be one of the integers 0, 1, 2, 3 (got 7)');
  });

  it("marks the item failed, keeping the raw reply, when the re-ask is invalid too (truncated JSON)", async () => {
    server = await startFaultInjectionServer(() => ({
      kind: "reply",
      content: '{"grade": ',
      finishReason: "length",
    }));
    const backend = new OpenAiBackend({ baseUrl: server.baseUrl, model: "m" });
    const out = await callStructured(backend, relevanceTask, input);
    expect(out.status).toBe("failed");
    expect(out).toMatchObject({ raw: '{"grade": ', asks: 2, llmCalls: 2 });
    if (out.status === "failed") expect(out.error).toContain("token limit");
  });

  it("uses json_object or no response_format when configured", async () => {
    server = await startFaultInjectionServer(() => ({
      kind: "reply",
      content: 'Sure! ```json\n{"grade": 1}\n```',
    }));
    const plain = new OpenAiBackend({ baseUrl: server.baseUrl, model: "m", structuredOutput: "none" });
    expect(await callStructured(plain, relevanceTask, input)).toMatchObject({
      status: "ok",
      value: { grade: 1 },
    });
    expect(server.requests[0]!.body.response_format).toBeUndefined();
    const obj = new OpenAiBackend({ baseUrl: server.baseUrl, model: "m", structuredOutput: "json_object" });
    await callStructured(obj, relevanceTask, input);
    expect(server.requests[1]!.body.response_format).toEqual({ type: "json_object" });
  });
});

describe("retry delays and the call limiter", () => {
  it("full jitter stays within [0, min(cap, initial*2^(n-1))] and honours Retry-After", () => {
    expect(retryDelayMs(3, { initialMs: 100, maxMs: 1000, random: () => 0.999 })).toBeCloseTo(399.6);
    expect(retryDelayMs(10, { initialMs: 100, maxMs: 1000, random: () => 0.5 })).toBe(500);
    expect(retryDelayMs(1, { initialMs: 100, maxMs: 1000, random: () => 0 }, 700)).toBe(700);
  });

  it("never runs more than `concurrency` calls at once", async () => {
    const limiter = new CallLimiter({ concurrency: 2 });
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        limiter.run(async () => {
          active++;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, 5));
          active--;
        }),
      ),
    );
    expect(peak).toBe(2);
  });

  it("starts at most ratePerSecond calls per second after the burst", async () => {
    const limiter = new CallLimiter({ concurrency: 10, ratePerSecond: 20 });
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 25 }, () => limiter.run(async () => undefined)));
    // burst of 20, then 5 more at 20/s: at least ~250 ms
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
  });
});
