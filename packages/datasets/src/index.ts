export type {
  DocumentRecord,
  QueryRecord,
  Run,
  Qrels,
  ReadOptions,
  ReadStats,
  RecordStream,
} from "./types.js";
export { readBeirCorpus, readBeirCorpusFrom, readBeirQueries } from "./beir-jsonl.js";
export { readBeirQrels, readBeirQrelsWithStats } from "./beir-qrels.js";
export type { BeirQrelsResult } from "./beir-qrels.js";
export { writeBeirCorpus, writeBeirQueries, writeBeirQrels } from "./beir-writers.js";
export { readTrecRun, parseTrecRun } from "./trec-run.js";
export type { TrecRunResult, ParseTrecRunOptions } from "./trec-run.js";
export {
  readTrecRunColumns,
  parseTrecRunColumns,
  trecRunColumnsToMap,
  hashBytes,
  compareByteRanges,
} from "./trec-run-columns.js";
export type { TrecRunColumns, TrecRunColumnsResult } from "./trec-run-columns.js";
export { readTrecQrels, parseTrecQrels } from "./trec-qrels.js";
export type { TrecQrelsResult } from "./trec-qrels.js";
export { writeTrecRun, writeTrecQrels } from "./trec-writers.js";
export type { WriteTrecRunOptions } from "./trec-writers.js";
export { rankByTrecOrder, compareCodePoints, compareTrecOrder } from "./trec-order.js";
export { removeQueryIds } from "./remove-query.js";
export { readTrecTopics } from "./trec-topics.js";
export type { TrecTopicsResult } from "./trec-topics.js";
export { readGlasgowRecords, readGlasgowDocuments, readGlasgowQueries } from "./glasgow.js";
export type { GlasgowRecord, GlasgowQueryOptions } from "./glasgow.js";
export { readCranfieldQueries, readCranfieldQrels, cranfieldGrade, CRANFIELD_GRADES } from "./cranfield.js";
export type { CranfieldQrelsResult } from "./cranfield.js";
export {
  loadBeirDir,
  listBeirSplits,
  loadCranfieldDir,
  loadGlasgowDir,
  detectCollectionFormat,
} from "./collection-dir.js";
export {
  openGlasgowCollection,
  readGlasgowManifest,
  findGlasgowFiles,
  GLASGOW_MANIFEST,
  GLASGOW_QRELS_FORMATS,
} from "./glasgow-collection.js";
export type {
  GlasgowCollection,
  GlasgowCollectionSpec,
  GlasgowQrelsFormat,
  GlasgowQueryIds,
  GlasgowRecordFormat,
} from "./glasgow-collection.js";
export { readGlasgowQrels, glasgowId } from "./glasgow-qrels.js";
export { readNplDocuments, readNplQueries, readNplQrels } from "./npl.js";
export { readTimeDocuments, readTimeQueries, readTimeQrels } from "./time.js";
export { readLisaDocuments, readLisaQueries, readLisaQrels, readLisaNumQrels } from "./lisa.js";
export type { GlasgowQrelsLayout, GlasgowQrelsResult } from "./glasgow-qrels.js";
export { convertToBeir } from "./beir-convert.js";
export type { CollectionSource, ConvertedCounts } from "./beir-convert.js";
export type { BeirDir, CranfieldDir, CollectionFormat } from "./collection-dir.js";
export { collectionStats } from "./collection-stats.js";
export type { CollectionStats, CollectionStatsOptions, SplitStats } from "./collection-stats.js";
export { countWhitespaceTokens } from "./length-stats.js";
export type { LengthStats } from "./length-stats.js";
export { replaceFileAtomically, writeDataAtomically, writeFileAtomically } from "./atomic-write.js";
export type { TextSink } from "./atomic-write.js";
