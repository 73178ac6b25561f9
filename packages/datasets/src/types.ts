/**
 * In-memory records shared by every Ferret package that reads or writes collections.
 * The shapes are part of the cross-package contract; extend them additively only.
 */

export interface DocumentRecord {
  id: string;
  title: string;
  text: string;
  metadata?: Record<string, unknown>;
}

export interface QueryRecord {
  id: string;
  text: string;
  metadata?: Record<string, unknown>;
}

/** qid -> docid -> score. A TREC run. */
export type Run = Map<string, Map<string, number>>;

/** qid -> docid -> relevance label (may be graded, 0 or negative). */
export type Qrels = Map<string, Map<string, number>>;

export interface ReadOptions {
  /** Skip malformed lines (counting them in ReadStats.skipped) instead of throwing InputError. */
  lenient?: boolean;
  /** Called after each chunk read from disk; bytes are raw file bytes. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

export interface ReadStats {
  /** Physical lines seen (blank lines included). */
  lines: number;
  /** Records produced (documents, queries, judgments or run entries). */
  records: number;
  /** Malformed records skipped in lenient mode (always 0 in strict mode, which throws instead). */
  skipped: number;
}

/** A lazily read stream of records; `stats` fills in as it is consumed and is final once iteration ends. */
export interface RecordStream<T> extends AsyncIterable<T> {
  readonly stats: ReadStats;
}
