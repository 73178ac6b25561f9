import { availableParallelism } from "node:os";
import type { DocumentRecord, Run } from "@ferret/datasets";
import { InvalidArgumentError } from "@ferret/errors";
import { Bm25Index, type TopDocs } from "../bm25/bm25-index.js";
import type { Bm25Params } from "../bm25/bm25-similarity.js";
import { Bm25IndexBuilder, type IndexBuildOptions } from "../bm25/index-builder.js";
import { readIndexFile, writeIndexFile } from "../persist/index-file.js";
import type {
  BatchSearchOptions,
  LexicalBackend,
  LexicalQuery,
  LexicalSearchOptions,
  SearchHit,
} from "./lexical-backend.js";
import { SearchPool } from "./search-pool.js";
import { searchIndex, searchTopDocs } from "./search-index.js";

/**
 * The embedded BM25 backend: an in-process index (built from documents or loaded from a file),
 * single queries on the calling thread, batches on a pool of worker threads.
 */

export interface EmbeddedBuildOptions extends IndexBuildOptions {
  bm25?: Bm25Params;
  /** Called every 1,000 documents and at the end. */
  onProgress?: (indexed: number) => void;
}

export interface EmbeddedBatchOptions extends BatchSearchOptions {
  /** Search threads: 1 searches on the calling thread; more use a worker pool. Default: cores, at most 4. */
  threads?: number;
}

export class EmbeddedBm25 implements LexicalBackend {
  readonly kind = "embedded" as const;
  private pool: SearchPool | undefined;

  constructor(readonly index: Bm25Index) {}

  static async build(
    docs: AsyncIterable<DocumentRecord> | Iterable<DocumentRecord>,
    options: EmbeddedBuildOptions = {},
  ): Promise<EmbeddedBm25> {
    const builder = new Bm25IndexBuilder(options);
    for await (const doc of docs) {
      builder.add(doc);
      if (builder.size % 1000 === 0) options.onProgress?.(builder.size);
    }
    options.onProgress?.(builder.size);
    const index = Bm25Index.fromBuilt(builder.finish(), options.bm25);
    // The pruning bounds are part of a searchable index, as Lucene writes its impacts when indexing.
    index.prepareScoring();
    return new EmbeddedBm25(index);
  }

  static async load(path: string): Promise<EmbeddedBm25> {
    const index = await readIndexFile(path);
    index.prepareScoring();
    return new EmbeddedBm25(index);
  }

  async save(path: string): Promise<void> {
    await writeIndexFile(path, this.index);
  }

  async search(query: LexicalQuery, options: LexicalSearchOptions = {}): Promise<SearchHit[]> {
    return searchIndex(this.index, query, options);
  }

  async searchBatch(queries: readonly LexicalQuery[], options: EmbeddedBatchOptions = {}): Promise<Run> {
    const { onProgress, threads: requested, ...searchOptions } = options;
    const threads = requested ?? Math.min(4, availableParallelism());
    if (!Number.isInteger(threads) || threads < 1) {
      throw new InvalidArgumentError(`threads must be a positive integer, got ${threads}`);
    }
    let results: TopDocs[];
    if (threads === 1) {
      results = [];
      for (const q of queries) {
        results.push(searchTopDocs(this.index, q, searchOptions));
        if (onProgress && (results.length % 50 === 0 || results.length === queries.length)) {
          onProgress(results.length, queries.length);
          // Let progress output and other callbacks run between chunks.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
    } else {
      // Anserini's tie rule needs the id ranks: build them once here and share them with the workers.
      const ranks = searchOptions.ties === "anserini" && this.index.docIdRanks !== undefined;
      if (this.pool?.size !== threads || (ranks && !this.pool.hasDocIdRanks)) {
        await this.pool?.close();
        this.pool = new SearchPool(this.index, threads);
      }
      results = await this.pool.search(queries, searchOptions, onProgress);
    }
    const run: Run = new Map();
    const ids = this.index.docIds;
    queries.forEach((q, i) => {
      const top = results[i] as TopDocs;
      const hits = new Map<string, number>();
      for (let j = 0; j < top.docs.length; j++)
        hits.set(ids[top.docs[j] as number] as string, top.scores[j] as number);
      run.set(q.id, hits);
    });
    return run;
  }

  async documentIds(ids: readonly string[]): Promise<string[]> {
    return ids.filter((id) => this.index.docNumber(id) !== undefined);
  }

  async close(): Promise<void> {
    await this.pool?.close();
    this.pool = undefined;
  }
}
