export type {
  DocumentRecord,
  QueryRecord,
  Run,
  Qrels,
  ReadOptions,
  ReadStats,
  RecordStream,
} from "./types.js";
export { readBeirCorpus, readBeirQueries } from "./beir-jsonl.js";
export { readBeirQrels, readBeirQrelsWithStats } from "./beir-qrels.js";
export type { BeirQrelsResult } from "./beir-qrels.js";
export { writeBeirCorpus, writeBeirQueries, writeBeirQrels } from "./beir-writers.js";
export { readTrecRun, parseTrecRun } from "./trec-run.js";
export type { TrecRunResult, ParseTrecRunOptions } from "./trec-run.js";
export { readTrecQrels, parseTrecQrels } from "./trec-qrels.js";
export type { TrecQrelsResult } from "./trec-qrels.js";
export { writeTrecRun, writeTrecQrels } from "./trec-writers.js";
export type { WriteTrecRunOptions } from "./trec-writers.js";
export { rankByTrecOrder, compareCodePoints } from "./trec-order.js";
