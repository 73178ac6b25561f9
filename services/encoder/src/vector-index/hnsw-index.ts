/**
 * Approximate inner-product search with HNSW (Malkov & Yashunin 2018, "Efficient and robust
 * approximate nearest neighbor search using Hierarchical Navigable Small World graphs") from
 * usearch, which ships a prebuilt linux-x64/arm64, darwin and win32 N-API binary in its npm package.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { InvalidArgumentError } from "@ferret/errors";
import { Index, MetricKind, ScalarKind } from "usearch";
import { IDS_FILE, checkShape, readIds } from "./exact-index.js";
import { TopK } from "./top-k.js";
import type { SearchHit, VectorIndex } from "./vector-index.js";

export const HNSW_FILE = "hnsw.usearch";

export interface HnswOptions {
  /** Graph degree M (usearch "connectivity"). */
  connectivity?: number;
  /** Candidate list size while inserting (efConstruction). */
  expansionAdd?: number;
  /** Candidate list size while searching (ef); raised to k when smaller. */
  expansionSearch?: number;
  /** Worker threads for add/search; 0 = all cores. */
  threads?: number;
}

export const DEFAULT_HNSW: Required<HnswOptions> = {
  connectivity: 16,
  expansionAdd: 128,
  expansionSearch: 128,
  threads: 0,
};

export class HnswIndex implements VectorIndex {
  readonly kind = "hnsw";
  private readonly index: Index;
  private readonly ids: string[] = [];
  private readonly known = new Set<string>();
  private readonly options: Required<HnswOptions>;

  constructor(
    readonly dimension: number,
    options: HnswOptions = {},
  ) {
    this.options = { ...DEFAULT_HNSW, ...options };
    this.index = new Index({
      dimensions: dimension,
      metric: MetricKind.IP,
      quantization: ScalarKind.F32,
      connectivity: this.options.connectivity,
      expansion_add: this.options.expansionAdd,
      expansion_search: this.options.expansionSearch,
      multi: false,
    } as ConstructorParameters<typeof Index>[0]);
  }

  get size(): number {
    return this.ids.length;
  }

  add(ids: readonly string[], vectors: Float32Array): void {
    checkShape(ids, vectors, this.dimension);
    if (ids.length === 0) return;
    for (const id of ids) {
      if (this.known.has(id)) throw new InvalidArgumentError(`document id "${id}" is already in the index`);
    }
    // usearch keys are the insertion ordinals; the id list maps them back
    const keys = new BigUint64Array(ids.length);
    for (let i = 0; i < ids.length; i++) keys[i] = BigInt(this.ids.length + i);
    this.index.add(keys, vectors, this.options.threads);
    for (const id of ids) {
      this.ids.push(id);
      this.known.add(id);
    }
  }

  search(queries: Float32Array, k: number): SearchHit[][] {
    const dim = this.dimension;
    const nq = checkShape(queries.length / dim, queries, dim);
    const results: SearchHit[][] = [];
    if (this.size === 0 || k <= 0) return Array.from({ length: nq }, () => []);
    for (let q = 0; q < nq; q++) {
      const matches = this.index.search(queries.subarray(q * dim, (q + 1) * dim), k, this.options.threads);
      const top = new TopK(k);
      for (let i = 0; i < matches.keys.length; i++) {
        // usearch's ip distance is 1 - <q, d>
        top.push({ id: this.ids[Number(matches.keys[i]!)]!, score: 1 - matches.distances[i]! });
      }
      results.push(top.sorted());
    }
    return results;
  }

  async save(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    this.index.save(join(dir, HNSW_FILE));
    await writeFile(join(dir, IDS_FILE), JSON.stringify(this.ids));
  }

  static async load(dir: string, dimension: number, options: HnswOptions = {}): Promise<HnswIndex> {
    const ids = await readIds(join(dir, IDS_FILE));
    const index = new HnswIndex(dimension, options);
    index.index.load(join(dir, HNSW_FILE));
    if (index.index.size() !== ids.length || index.index.dimensions() !== dimension) {
      throw new InvalidArgumentError(
        `${join(dir, HNSW_FILE)}: ${index.index.size()} vectors of ${index.index.dimensions()} dims; expected ${ids.length} of ${dimension}`,
      );
    }
    for (const id of ids) {
      index.ids.push(id);
      index.known.add(id);
    }
    return index;
  }
}
