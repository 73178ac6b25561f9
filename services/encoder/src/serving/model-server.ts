/**
 * The model an encoder serves and the indexes it built, behind one reference that a hot swap replaces
 * atomically. A request takes a lease on the current Serving for its whole duration (`use`); LoadModel
 * loads the new model and opens its build of every served index first, off the request path, then swaps
 * the reference. Requests that began before the swap finish on the old Serving, which is closed when its
 * last lease ends; a load that fails leaves the old one serving. Loads run one at a time.
 */
import { basename, join } from "node:path";
import { NotFoundError, UnavailableError } from "@ferret/errors";
import { BiEncoder, type EncoderLoadOptions, type ModelVariant } from "@ferret/inference";
import type { HnswOptions } from "../vector-index/hnsw-index.js";
import { checkIndexName, indexDir } from "./index-layout.js";
import { ServedIndex } from "./served-index.js";

export class Serving {
  /** Requests running on this model. */
  private leases = 0;
  private retired = false;
  private closed: Promise<void> | undefined;

  constructor(
    readonly name: string,
    readonly variant: ModelVariant,
    readonly encoder: BiEncoder,
    readonly fingerprint: string,
    readonly indexes: Map<string, ServedIndex>,
  ) {}

  index(name: string): ServedIndex {
    const served = this.indexes.get(name);
    if (served === undefined) {
      throw new NotFoundError(
        `index "${name}" is not served with model ${this.name} (served: ${[...this.indexes.keys()].join(", ") || "none"})`,
      );
    }
    return served;
  }

  acquire(): void {
    this.leases++;
  }

  release(): void {
    this.leases--;
    if (this.retired && this.leases === 0) void this.close();
  }

  /** Marks it replaced; it closes once the requests running on it are done. */
  retire(): void {
    this.retired = true;
    if (this.leases === 0) void this.close();
  }

  get isClosed(): boolean {
    return this.closed !== undefined;
  }

  close(): Promise<void> {
    this.closed ??= this.encoder.close();
    return this.closed;
  }
}

export interface ModelServerOptions {
  modelsRoot: string;
  indexesRoot: string;
  load?: Omit<EncoderLoadOptions, "variant">;
  hnsw?: HnswOptions;
}

export interface SwapResult {
  serving: Serving;
  previous: Serving | undefined;
}

export class ModelServer {
  private current: Serving | undefined;
  private loading: Promise<unknown> = Promise.resolve();

  constructor(readonly options: ModelServerOptions) {}

  get serving(): Serving | undefined {
    return this.current;
  }

  /** Runs `work` on the serving model; the model stays open until `work` settles, even across a swap. */
  async use<T>(work: (serving: Serving) => Promise<T>): Promise<T> {
    const serving = this.current;
    if (serving === undefined) throw new UnavailableError("no model is loaded yet (LoadModel)");
    serving.acquire();
    try {
      return await work(serving);
    } finally {
      serving.release();
    }
  }

  /**
   * Loads model `name` (a directory under the models root) with `indexes` (default: the ones served now),
   * then swaps it in. Rejects, leaving the current model serving, when the model or an index fails to open.
   */
  load(name: string, variant: ModelVariant = "fp32", indexes?: readonly string[]): Promise<SwapResult> {
    const next = this.loading.then(() => this.loadNow(name, variant, indexes));
    this.loading = next.catch(() => undefined);
    return next;
  }

  private async loadNow(
    name: string,
    variant: ModelVariant,
    indexes: readonly string[] | undefined,
  ): Promise<SwapResult> {
    if (name === "" || basename(name) !== name || name === "." || name === "..") {
      throw new NotFoundError(`model "${name}" is not a directory name under ${this.options.modelsRoot}`);
    }
    const wanted = [...(indexes ?? this.current?.indexes.keys() ?? [])].map((n) => checkIndexName(n));
    const encoder = await BiEncoder.load(join(this.options.modelsRoot, name), {
      ...this.options.load,
      variant,
    });
    try {
      const fingerprint = await encoder.fingerprint();
      const opened = new Map<string, ServedIndex>();
      for (const index of wanted) {
        const dir = indexDir(this.options.indexesRoot, index, fingerprint);
        opened.set(index, await ServedIndex.open(index, dir, fingerprint, this.options.hnsw));
      }
      const serving = new Serving(name, variant, encoder, fingerprint, opened);
      const previous = this.current;
      this.current = serving;
      previous?.retire();
      return { serving, previous };
    } catch (err) {
      await encoder.close();
      throw err;
    }
  }

  /** Serves an index just built by the serving model (no-op when another model built it). */
  async addIndex(name: string, fingerprint: string): Promise<ServedIndex | undefined> {
    const serving = this.current;
    if (serving === undefined || serving.fingerprint !== fingerprint) return undefined;
    const dir = indexDir(this.options.indexesRoot, name, fingerprint);
    const served = await ServedIndex.open(name, dir, fingerprint, this.options.hnsw);
    serving.indexes.set(name, served);
    return served;
  }

  async close(): Promise<void> {
    await this.loading;
    const serving = this.current;
    this.current = undefined;
    if (serving !== undefined) {
      serving.retire();
      await serving.close();
    }
  }
}
