/**
 * Content-addressed cache of LLM outcomes: the key is the SHA-256 of (model, task, prompt version,
 * task input, decoding parameters) in canonical JSON, so a rerun of the same work costs no LLM call and
 * a new prompt version or model never reuses an old answer. Stored in a bus KV bucket (NATS in a
 * cluster, in-process embedded), shared by all replicas.
 */
import { createHash } from "node:crypto";
import type { KvStore } from "@ferret/bus";
import { decodeCachedOutcome } from "./cached-outcome.js";
import type { StructuredOutcome } from "./llm/structured-call.js";

export interface CacheKeyParts {
  model: string;
  task: string;
  promptVersion: string;
  input: unknown;
  params?: Record<string, unknown>;
}

/** JSON with object keys sorted, so equal values always hash the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

export function cacheKey(parts: CacheKeyParts): string {
  return sha256Hex(canonicalJson(parts));
}

export type CachedOutcome = StructuredOutcome<unknown> & { createdAt: string };

export interface OutcomeCache {
  get(key: string): Promise<CachedOutcome | undefined>;
  put(key: string, outcome: CachedOutcome): Promise<void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * In a bucket opened with the bytes codec, so that this cache decodes (and checks) what it reads: an
 * entry that is not a cached outcome is an InputError naming `<bucket>/c.<key>`, not the bus's SyntaxError.
 */
export class KvOutcomeCache implements OutcomeCache {
  constructor(
    private readonly kv: KvStore<Uint8Array>,
    private readonly bucket: string,
  ) {}

  async get(key: string): Promise<CachedOutcome | undefined> {
    const entry = await this.kv.get(`c.${key}`);
    return entry === undefined
      ? undefined
      : decodeCachedOutcome(decoder.decode(entry.value), `${this.bucket}/c.${key}`);
  }

  async put(key: string, outcome: CachedOutcome): Promise<void> {
    await this.kv.put(`c.${key}`, encoder.encode(JSON.stringify(outcome)));
  }
}
