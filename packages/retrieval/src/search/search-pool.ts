import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { InternalError } from "@ferret/errors";
import type { Bm25Index, TopDocs } from "../bm25/bm25-index.js";
import type { LexicalQuery, LexicalSearchOptions } from "./lexical-backend.js";
import type { SearchRequest, SearchResponse } from "./search-worker.js";
import { toSharedIndex } from "./shared-index.js";

/**
 * A pool of worker threads searching one index in parallel (node:worker_threads). The postings are
 * shared memory, so each worker adds only its vocabulary map and per-query buffers. Queries are
 * dealt out in chunks, so faster workers take more and progress is reported as chunks finish.
 */

/** Queries per message: enough to amortise messaging, small enough to balance (about 8 chunks per worker). */
function chunkSize(queries: number, workers: number): number {
  return Math.min(64, Math.max(4, Math.ceil(queries / (workers * 8))));
}

/** The compiled worker script: beside this module in dist/, or dist/ when running from the sources. */
function workerScript(): URL {
  const sibling = new URL("./search-worker.js", import.meta.url);
  if (existsSync(fileURLToPath(sibling))) return sibling;
  return new URL("../../dist/search/search-worker.js", import.meta.url);
}

export class SearchPool {
  private readonly workers: Worker[];
  private nextId = 0;
  /** Whether the workers received the index's document id ranks (else each would sort its own). */
  readonly hasDocIdRanks: boolean;

  constructor(
    index: Bm25Index,
    readonly size: number,
  ) {
    const data = toSharedIndex(index);
    this.hasDocIdRanks = data.docIdRanks !== undefined;
    const script = workerScript();
    this.workers = Array.from({ length: size }, () => new Worker(script, { workerData: data }));
    for (const w of this.workers) w.unref();
  }

  async search(
    queries: readonly LexicalQuery[],
    options: LexicalSearchOptions,
    onProgress?: (done: number, total: number) => void,
  ): Promise<TopDocs[]> {
    const results = new Array<TopDocs>(queries.length);
    let next = 0;
    let done = 0;
    const chunk = chunkSize(queries.length, this.workers.length);
    const drive = (worker: Worker): Promise<void> =>
      new Promise((resolve, reject) => {
        let start = 0;
        let id = -1;
        const send = (): void => {
          if (next >= queries.length) {
            worker.off("message", onMessage);
            worker.off("error", onError);
            resolve();
            return;
          }
          start = next;
          next = Math.min(queries.length, next + chunk);
          id = this.nextId++;
          const request: SearchRequest = { id, queries: queries.slice(start, next), options };
          worker.postMessage(request);
        };
        const onMessage = (response: SearchResponse): void => {
          if (response.id !== id) return;
          if (response.error !== undefined || !response.results) {
            worker.off("message", onMessage);
            worker.off("error", onError);
            reject(new InternalError(`search worker failed: ${response.error ?? "no results"}`));
            return;
          }
          response.results.forEach((r, i) => {
            results[start + i] = r;
          });
          done += response.results.length;
          onProgress?.(done, queries.length);
          send();
        };
        const onError = (err: Error): void =>
          reject(new InternalError(`search worker crashed: ${err.message}`));
        worker.on("message", onMessage);
        worker.on("error", onError);
        send();
      });
    // Workers keep the process alive only while they have work.
    for (const w of this.workers) w.ref();
    try {
      await Promise.all(this.workers.map(drive));
    } finally {
      for (const w of this.workers) w.unref();
    }
    return results;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
