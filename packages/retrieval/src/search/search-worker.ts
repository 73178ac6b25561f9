import { parentPort, workerData } from "node:worker_threads";
import { fromSharedIndex, type SharedIndex } from "./shared-index.js";
import { searchTopDocs } from "./search-index.js";
import type { LexicalQuery, LexicalSearchOptions } from "./lexical-backend.js";

/** Worker thread of SearchPool: holds a view of the shared index and answers chunks of queries. */

export interface SearchRequest {
  id: number;
  queries: LexicalQuery[];
  options: LexicalSearchOptions;
}

export interface SearchResponse {
  id: number;
  /** Per query: internal document numbers and scores, best first (transferred, not copied). */
  results?: { docs: Int32Array; scores: Float32Array }[];
  error?: string;
}

const index = fromSharedIndex(workerData as SharedIndex);
const port = parentPort;
if (!port) throw new Error("search-worker must run as a worker thread");

port.on("message", (request: SearchRequest) => {
  try {
    const results = request.queries.map((q) => searchTopDocs(index, q, request.options));
    const response: SearchResponse = { id: request.id, results };
    port.postMessage(
      response,
      results.flatMap((r) => [r.docs.buffer as ArrayBuffer, r.scores.buffer as ArrayBuffer]),
    );
  } catch (err) {
    const response: SearchResponse = {
      id: request.id,
      error: err instanceof Error ? err.message : String(err),
    };
    port.postMessage(response);
  }
});
