/**
 * A GGUF model run in-process by node-llama-cpp, with JSON output constrained by a grammar compiled from
 * the request's JSON schema (llama.cpp GBNF), so even a tiny model emits well-formed JSON. The prebuilt
 * CPU binary from npm (@node-llama-cpp/linux-x64) is used as is: `build: "never"` forbids the
 * download-and-compile fallback, so the backend makes no network traffic at all.
 */
import { ConfigError } from "@ferret/errors";
import {
  getLlama,
  LlamaChatSession,
  type ChatHistoryItem,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaGrammar,
  type LlamaModel,
} from "node-llama-cpp";
import type { ChatRequest, ChatResult, LlmBackend } from "./types.js";

export interface LlamaCppBackendConfig {
  modelPath: string;
  /** Recorded in provenance; default: the GGUF's general.name. */
  modelName?: string;
  /** Default 4096 tokens per sequence. */
  contextSize?: number;
  /** CPU threads for generation. Default 2: more threads than cores make llama.cpp crawl. */
  threads?: number;
  /** Parallel sequences (concurrent calls). Default 1. */
  sequences?: number;
}

export class LlamaCppBackend implements LlmBackend {
  readonly kind = "llama-cpp" as const;
  private readonly free: LlamaContextSequence[];
  private readonly waiters: ((sequence: LlamaContextSequence) => void)[] = [];
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();

  private constructor(
    readonly model: string,
    private readonly llama: Llama,
    private readonly llamaModel: LlamaModel,
    private readonly context: LlamaContext,
  ) {
    this.free = [];
    while (context.sequencesLeft > 0) this.free.push(context.getSequence());
  }

  static async open(config: LlamaCppBackendConfig): Promise<LlamaCppBackend> {
    let llama: Llama;
    try {
      llama = await getLlama({ build: "never", gpu: false, progressLogs: false, logLevel: "error" as never });
    } catch (err) {
      throw new ConfigError(`node-llama-cpp has no usable prebuilt binary: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const model = await llama.loadModel({ modelPath: config.modelPath });
    const sequences = config.sequences ?? 1;
    const context = await model.createContext({
      contextSize: (config.contextSize ?? 4096) * sequences,
      sequences,
      threads: config.threads ?? 2,
    });
    const name = config.modelName ?? model.fileInfo.metadata.general?.name ?? config.modelPath;
    return new LlamaCppBackend(name, llama, model, context);
  }

  private acquire(): Promise<LlamaContextSequence> {
    const sequence = this.free.pop();
    if (sequence) return Promise.resolve(sequence);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private release(sequence: LlamaContextSequence): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(sequence);
    else this.free.push(sequence);
  }

  private grammarFor(schema: Record<string, unknown>): Promise<LlamaGrammar> {
    const key = JSON.stringify(schema);
    let grammar = this.grammars.get(key);
    if (!grammar) {
      grammar = this.llama.createGrammarForJsonSchema(schema as never) as Promise<LlamaGrammar>;
      this.grammars.set(key, grammar);
    }
    return grammar;
  }

  async chat(request: ChatRequest): Promise<ChatResult> {
    const last = request.messages.at(-1);
    if (last?.role !== "user") throw new ConfigError("the last chat message must be the user's");
    const history: ChatHistoryItem[] = request.messages
      .slice(0, -1)
      .map((m) =>
        m.role === "system"
          ? { type: "system", text: m.content }
          : m.role === "user"
            ? { type: "user", text: m.content }
            : { type: "model", response: [m.content] },
      );
    const grammar = request.schema ? await this.grammarFor(request.schema) : undefined;
    const sequence = await this.acquire();
    const session = new LlamaChatSession({ contextSequence: sequence, autoDisposeSequence: false });
    try {
      session.setChatHistory(history);
      const before = sequence.tokenMeter.getState();
      const result = await session.promptWithMeta(last.content, {
        ...(grammar ? { grammar } : {}),
        maxTokens: request.maxTokens ?? 512,
        temperature: request.temperature ?? 0,
        ...(request.seed !== undefined ? { seed: request.seed } : {}),
        ...(request.signal ? { signal: request.signal } : {}),
      });
      const used = sequence.tokenMeter.diff(before);
      return {
        text: result.responseText,
        usage: { promptTokens: used.usedInputTokens, completionTokens: used.usedOutputTokens },
        model: this.model,
        finishReason: result.stopReason === "maxTokens" ? "length" : "stop",
      };
    } finally {
      session.dispose({ disposeSequence: false });
      await sequence.clearHistory();
      this.release(sequence);
    }
  }

  async close(): Promise<void> {
    await this.context.dispose();
    await this.llamaModel.dispose();
    await this.llama.dispose();
  }
}
