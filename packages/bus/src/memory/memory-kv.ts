/**
 * In-process KV with the semantics of a NATS KV bucket: one revision counter per bucket, create =
 * write-if-absent (a deleted key counts as absent), update/delete = compare-and-set on the revision,
 * TTL measured from the last write, watch = current values then changes in revision order.
 */
import { AlreadyExistsError, ConflictError } from "@ferret/errors";
import type { Logger } from "@ferret/logging";
import { checkKvKey, checkSubject, subjectMatches } from "../names.js";
import type { KvChange, KvEntry, KvStore, Subscription } from "../types.js";
import type { KvCodec } from "../kv/kv-codec.js";

interface Stored {
  bytes: Uint8Array;
  revision: number;
  updatedAt: Date;
}

interface Watcher {
  pattern: string;
  handler: (change: KvChange<Uint8Array>) => void | Promise<void>;
  chain: Promise<void>;
}

/** Bucket state, shared by every KvStore view opened on the same bucket name. */
export class MemoryKvBucket {
  readonly values = new Map<string, Stored>();
  readonly watchers = new Set<Watcher>();
  revision = 0;
  constructor(readonly ttlMs: number | undefined) {}
}

export class MemoryKv<T> implements KvStore<T> {
  constructor(
    readonly bucket: string,
    private readonly state: MemoryKvBucket,
    private readonly codec: KvCodec<T>,
    private readonly onDestroy: () => void,
    private readonly logger: Logger,
  ) {}

  async get(key: string): Promise<KvEntry<T> | undefined> {
    const stored = this.live(checkKvKey(key));
    if (stored === undefined) return undefined;
    return {
      key,
      value: this.codec.decode(stored.bytes),
      revision: stored.revision,
      updatedAt: stored.updatedAt,
    };
  }

  async put(key: string, value: T): Promise<number> {
    return this.write(checkKvKey(key), this.codec.encode(value));
  }

  async create(key: string, value: T): Promise<number> {
    const bytes = this.codec.encode(value);
    const current = this.live(checkKvKey(key));
    if (current !== undefined) {
      throw new AlreadyExistsError(`KV ${this.bucket}: key ${key} already exists`, {
        details: { bucket: this.bucket, key, revision: current.revision },
      });
    }
    return this.write(key, bytes);
  }

  async update(key: string, value: T, revision: number): Promise<number> {
    const bytes = this.codec.encode(value);
    const conflict = this.checkRevision(checkKvKey(key), revision);
    if (conflict) throw conflict;
    return this.write(key, bytes);
  }

  async delete(key: string, options: { revision?: number } = {}): Promise<void> {
    checkKvKey(key);
    if (options.revision !== undefined) {
      const conflict = this.checkRevision(key, options.revision);
      if (conflict) throw conflict;
    }
    if (this.state.values.delete(key)) {
      const revision = ++this.state.revision;
      this.notify({ key, operation: "delete", value: undefined, revision });
    }
  }

  async keys(pattern = ">"): Promise<string[]> {
    checkSubject("key pattern", pattern, true);
    return [...this.state.values.keys()].filter((k) => this.live(k) && subjectMatches(pattern, k));
  }

  async watch(
    pattern: string,
    handler: (change: KvChange<T>) => void | Promise<void>,
  ): Promise<Subscription> {
    checkSubject("key pattern", pattern, true);
    const watcher: Watcher = {
      pattern,
      handler: (change) =>
        handler({
          ...change,
          value: change.value === undefined ? undefined : this.codec.decode(change.value),
        }),
      chain: Promise.resolve(),
    };
    const current = [...this.state.values.entries()]
      .filter(([k]) => this.live(k) && subjectMatches(pattern, k))
      .sort((a, b) => a[1].revision - b[1].revision);
    for (const [key, stored] of current) {
      this.enqueue(watcher, { key, operation: "put", value: stored.bytes, revision: stored.revision });
    }
    this.state.watchers.add(watcher);
    return {
      stop: async () => {
        this.state.watchers.delete(watcher);
        await watcher.chain;
      },
    };
  }

  async destroy(): Promise<void> {
    this.state.values.clear();
    this.state.watchers.clear();
    this.onDestroy();
  }

  private live(key: string): Stored | undefined {
    const stored = this.state.values.get(key);
    if (stored === undefined) return undefined;
    const ttl = this.state.ttlMs;
    if (ttl !== undefined && stored.updatedAt.getTime() + ttl <= Date.now()) {
      this.state.values.delete(key);
      return undefined;
    }
    return stored;
  }

  private checkRevision(key: string, revision: number): ConflictError | undefined {
    const current = this.live(key);
    if (current?.revision === revision) return undefined;
    return new ConflictError(
      `KV ${this.bucket}: key ${key} is at revision ${current?.revision ?? "none"}, not ${revision}`,
      { details: { bucket: this.bucket, key, expected: revision, actual: current?.revision ?? null } },
    );
  }

  private write(key: string, bytes: Uint8Array): number {
    const revision = ++this.state.revision;
    this.state.values.set(key, { bytes, revision, updatedAt: new Date() });
    this.notify({ key, operation: "put", value: bytes, revision });
    return revision;
  }

  private notify(change: KvChange<Uint8Array>): void {
    for (const w of this.state.watchers) if (subjectMatches(w.pattern, change.key)) this.enqueue(w, change);
  }

  private enqueue(watcher: Watcher, change: KvChange<Uint8Array>): void {
    watcher.chain = watcher.chain.then(async () => {
      try {
        await watcher.handler(change);
      } catch (err) {
        // A failing watch handler must not stop later changes from being delivered.
        this.logger.warn({ err, bucket: this.bucket, key: change.key }, "KV watch handler failed");
      }
    });
  }
}
