import { parentPort, workerData } from "node:worker_threads";
import { fromSharedIndex, type SharedIndex } from "./shared-index.js";
import { searchIndex } from "./search-index.js";
import type { LexicalQuery, LexicalSearchOptions } from "./lexical-backend.js";

/** Worker thread of SearchPool: holds a view of the shared index and answers chunks of queries. */

export interface SearchRequest {
  id: number;
  queries: LexicalQuery[];
  options: LexicalSearchOptions;
}

export interface SearchResponse {
  id: number;
  /** Per query: hit ids and scores, best first. */
  results?: { ids: string[]; scores: Float32Array }[];
  error?: string;
}

const index = fromSharedIndex(workerData as SharedIndex);
const port = parentPort;
if (!port) throw new Error("search-worker must run as a worker thread");

port.on("message", (request: SearchRequest) => {
  try {
    const results = request.queries.map((q) => {
      const hits = searchIndex(index, q, request.options);
      return { ids: hits.map((h) => h.id), scores: Float32Array.from(hits, (h) => h.score) };
    });
    const response: SearchResponse = { id: request.id, results };
    port.postMessage(response);
  } catch (err) {
    const response: SearchResponse = {
      id: request.id,
      error: err instanceof Error ? err.message : String(err),
    };
    port.postMessage(response);
  }
});
