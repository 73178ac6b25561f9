/**
 * An index opened for serving: the index its manifest names (exact or HNSW) and, for an HNSW index, its
 * exact vectors on demand (saved beside the graph, see sharding/assemble-index.ts) for exact searches.
 */
import { ExactIndex, EXACT_VECTORS_FILE } from "../vector-index/exact-index.js";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { NotFoundError } from "@ferret/errors";
import type { HnswOptions } from "../vector-index/hnsw-index.js";
import { loadDenseIndex, type IndexManifest } from "../vector-index/index-store.js";
import type { VectorIndex } from "../vector-index/vector-index.js";

export class ServedIndex {
  private exactIndex: Promise<VectorIndex> | undefined;

  private constructor(
    readonly name: string,
    readonly dir: string,
    readonly manifest: IndexManifest,
    readonly index: VectorIndex,
  ) {}

  /** Opens `dir`; ConflictError when another model built it. */
  static async open(
    name: string,
    dir: string,
    modelFingerprint: string,
    hnsw?: HnswOptions,
  ): Promise<ServedIndex> {
    const { index, manifest } = await loadDenseIndex(dir, {
      expectFingerprint: modelFingerprint,
      ...(hnsw ? { hnsw } : {}),
    });
    return new ServedIndex(name, dir, manifest, index);
  }

  /** The index to search: the exact vectors when `exact` is asked for, else the manifest's kind. */
  searcher(exact: boolean): Promise<VectorIndex> {
    if (!exact || this.index.kind === "exact") return Promise.resolve(this.index);
    if (!existsSync(join(this.dir, EXACT_VECTORS_FILE))) {
      return Promise.reject(new NotFoundError(`index "${this.name}" has no exact vectors (${this.dir})`));
    }
    this.exactIndex ??= ExactIndex.load(this.dir, this.manifest.dimension);
    return this.exactIndex;
  }
}
