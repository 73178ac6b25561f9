import type { AnalyzerName } from "../analysis/analyzer.js";
import { Bm25Index } from "../bm25/bm25-index.js";
import type { Bm25Params } from "../bm25/bm25-similarity.js";
import type { FieldIndex } from "../bm25/field-index.js";
import type { FieldLayout } from "../bm25/index-builder.js";

/**
 * An index in a form worker threads can receive without copying its postings: typed arrays backed
 * by SharedArrayBuffers (posted by reference), terms and document ids as plain arrays (cloned once
 * per worker).
 */

export interface SharedField {
  name: string;
  terms: string[];
  starts: Uint32Array;
  docs: Int32Array;
  freqs: Int32Array;
  norms: Uint8Array;
  docCount: number;
  sumTotalTermFreq: number;
}

export interface SharedIndex {
  analyzer: AnalyzerName;
  layout: FieldLayout;
  bm25: Bm25Params;
  docIds: string[];
  /** Bm25Index.docIdRanks when the index had built them. */
  docIdRanks?: Int32Array;
  fields: SharedField[];
}

function shared<T extends Uint32Array | Int32Array | Uint8Array>(array: T): T {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const Ctor = array.constructor as new (buffer: SharedArrayBuffer) => T;
  const copy = new Ctor(new SharedArrayBuffer(array.byteLength));
  copy.set(array as never);
  return copy;
}

export function toSharedIndex(index: Bm25Index): SharedIndex {
  return {
    analyzer: index.analyzerName,
    layout: index.layout,
    bm25: { k1: index.defaultBm25.k1, b: index.defaultBm25.b },
    docIds: [...index.docIds],
    ...(index.docIdRanksIfBuilt ? { docIdRanks: shared(index.docIdRanksIfBuilt) } : {}),
    fields: index.fields.map((f) => ({
      name: f.name,
      terms: [...f.terms],
      starts: shared(f.starts),
      docs: shared(f.docs),
      freqs: shared(f.freqs),
      norms: shared(f.norms),
      docCount: f.docCount,
      sumTotalTermFreq: f.sumTotalTermFreq,
    })),
  };
}

export function fromSharedIndex(s: SharedIndex): Bm25Index {
  const fields = s.fields.map((f): FieldIndex => ({
    ...f,
    termIds: new Map(f.terms.map((t, i) => [t, i] as [string, number])),
  }));
  const index = new Bm25Index(s.analyzer, s.layout, s.docIds, fields, undefined, s.bm25);
  if (s.docIdRanks) index.useDocIdRanks(s.docIdRanks);
  return index;
}
