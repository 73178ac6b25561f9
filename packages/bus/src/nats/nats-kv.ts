/**
 * KV on a NATS KV bucket (stream KV_<bucket>). create/update/delete-with-revision are the bucket's
 * native compare-and-set (Nats-Expected-Last-Subject-Sequence); the server's "wrong last sequence"
 * (10071) becomes AlreadyExistsError for create and ConflictError for update/delete.
 */
import { AlreadyExistsError, ConflictError } from "@ferret/errors";
import type { Logger } from "@ferret/logging";
import { Kvm, KvWatchInclude, type KV, type KvEntry as NatsKvEntry } from "@nats-io/kv";
import { checkKvKey, checkSubject } from "../names.js";
import type { KvChange, KvEntry, KvOptions, KvStore, Subscription } from "../types.js";
import { kvCodec, type KvCodec } from "../kv/kv-codec.js";
import type { NatsHandles } from "./connection.js";
import { API, apiCode } from "./api-errors.js";

export async function openNatsKv<T>(
  handles: NatsHandles,
  bucket: string,
  options: KvOptions,
  logger: Logger,
): Promise<KvStore<T>> {
  const kvm = new Kvm(handles.js);
  const kv = await kvm.create(bucket, {
    history: options.history ?? 1,
    ...(options.ttlMs === undefined ? {} : { ttl: options.ttlMs }),
  });
  return new NatsKv<T>(bucket, kv, kvCodec<T>(options.codec), logger);
}

class NatsKv<T> implements KvStore<T> {
  constructor(
    readonly bucket: string,
    private readonly kv: KV,
    private readonly codec: KvCodec<T>,
    private readonly logger: Logger,
  ) {}

  async get(key: string): Promise<KvEntry<T> | undefined> {
    const e = await this.kv.get(checkKvKey(key));
    if (e === null || e.operation !== "PUT") return undefined;
    return { key, value: this.codec.decode(e.value), revision: e.revision, updatedAt: e.created };
  }

  async put(key: string, value: T): Promise<number> {
    return this.kv.put(checkKvKey(key), this.codec.encode(value));
  }

  async create(key: string, value: T): Promise<number> {
    try {
      return await this.kv.create(checkKvKey(key), this.codec.encode(value));
    } catch (err) {
      if (apiCode(err) !== API.wrongLastSequence) throw err;
      throw new AlreadyExistsError(`KV ${this.bucket}: key ${key} already exists`, {
        cause: err,
        details: { bucket: this.bucket, key },
      });
    }
  }

  async update(key: string, value: T, revision: number): Promise<number> {
    try {
      return await this.kv.update(checkKvKey(key), this.codec.encode(value), revision);
    } catch (err) {
      throw this.conflict(err, key, revision);
    }
  }

  async delete(key: string, options: { revision?: number } = {}): Promise<void> {
    checkKvKey(key);
    try {
      await this.kv.delete(
        key,
        options.revision === undefined ? undefined : { previousSeq: options.revision },
      );
    } catch (err) {
      throw this.conflict(err, key, options.revision ?? 0);
    }
  }

  async keys(pattern = ">"): Promise<string[]> {
    const out: string[] = [];
    for await (const k of await this.kv.keys(checkSubject("key pattern", pattern, true))) out.push(k);
    return out;
  }

  async watch(
    pattern: string,
    handler: (change: KvChange<T>) => void | Promise<void>,
  ): Promise<Subscription> {
    const iter = await this.kv.watch({
      key: checkSubject("key pattern", pattern, true),
      include: KvWatchInclude.LastValue,
    });
    const done = (async () => {
      for await (const e of iter) {
        // The initial snapshot includes delete markers of deleted keys; the contract's snapshot is
        // "current values", so skip those (later deletes are reported).
        if (!e.isUpdate && e.operation !== "PUT") continue;
        try {
          await handler(this.change(e));
        } catch (err) {
          this.logger.warn({ err, bucket: this.bucket, key: e.key }, "KV watch handler failed");
        }
      }
    })();
    return {
      stop: async () => {
        iter.stop();
        await done;
      },
    };
  }

  async destroy(): Promise<void> {
    await this.kv.destroy();
  }

  private change(e: NatsKvEntry): KvChange<T> {
    const put = e.operation === "PUT";
    return {
      key: e.key,
      operation: put ? "put" : "delete",
      value: put ? this.codec.decode(e.value) : undefined,
      revision: e.revision,
    };
  }

  private conflict(err: unknown, key: string, revision: number): unknown {
    if (apiCode(err) !== API.wrongLastSequence) return err;
    return new ConflictError(`KV ${this.bucket}: key ${key} is no longer at revision ${revision}`, {
      cause: err,
      details: { bucket: this.bucket, key, expected: revision },
    });
  }
}
