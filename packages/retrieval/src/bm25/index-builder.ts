import type { DocumentRecord } from "@ferret/datasets";
import { InvalidArgumentError } from "@ferret/errors";
import { createAnalyzer, type Analyzer, type AnalyzerName } from "../analysis/analyzer.js";
import type { FieldIndex } from "./field-index.js";
import { ChunkedInt32, GrowableInt32, GrowableUint8 } from "./growable.js";
import { intToByte4 } from "./small-float.js";
import { TokenTermTable } from "./token-term-table.js";
import { TokenSpans } from "../analysis/token-spans.js";

/**
 * Builds the embedded BM25 index from documents streamed in once, in index order (which is also
 * Lucene's tie order). Postings are collected as (term, freq) pairs per document and inverted at
 * the end with a counting sort, which keeps each posting list in document order.
 *
 * Field layouts follow Anserini's BEIR collections: "flat" indexes title + "\n" + text as one
 * "contents" field (BeirFlatCollection); "multifield" indexes text as "contents" and title as
 * "title" (BeirMultifieldCollection).
 */

export type FieldLayout = "flat" | "multifield";

export interface IndexBuildOptions {
  analyzer?: AnalyzerName;
  layout?: FieldLayout;
}

export interface BuiltIndex {
  analyzer: AnalyzerName;
  layout: FieldLayout;
  docIds: string[];
  fields: FieldIndex[];
}

/** tokenTerms' mark for a token the analyzer drops (a stop word). */
const DROPPED = -1;

/**
 * One field's postings under construction. Each distinct token is analysed once and mapped straight to
 * its term id (tokenTerms), a document's term frequencies are counted in a per-term typed array, and
 * its (term, freq) pairs are appended to chunked int32 sequences; finish() inverts them into posting
 * lists with a counting sort by term (stable, so each list stays in document order), releasing the
 * pairs chunk by chunk.
 */
class FieldBuilder {
  readonly termIds = new Map<string, number>();
  readonly terms: string[] = [];
  private readonly tokenTerms = new TokenTermTable();
  private readonly spans = new TokenSpans();
  /** A token's term id, or DROPPED (on a tokenTerms miss). */
  private readonly resolve = (token: string): number => {
    const term = this.analyzer.term(token);
    return term === undefined ? DROPPED : this.termId(term);
  };
  private readonly pairTerms = new ChunkedInt32();
  private readonly pairFreqs = new ChunkedInt32();
  private readonly docStarts = new GrowableInt32(1 << 12);
  private readonly norms = new GrowableUint8(1 << 12);
  /** Per term id: its document frequency so far, and its count in the document being added. */
  private dfs = new Int32Array(1024);
  private counts = new Int32Array(1024);
  /** The distinct term ids of the document being added, in first-occurrence order. */
  private docTerms = new Int32Array(256);
  private docCount = 0;
  private sumTotalTermFreq = 0;

  constructor(
    readonly name: string,
    private readonly analyzer: Analyzer,
  ) {}

  add(text: string): void {
    let length = 0;
    let distinct = 0;
    const spans = this.spans;
    this.analyzer.tokenSpans(text, spans);
    const { source, starts, ends } = spans;
    for (let k = 0; k < spans.count; k++) {
      const id = this.tokenTerms.intern(source, starts[k] as number, ends[k] as number, this.resolve);
      if (id === DROPPED) continue;
      length++;
      const counts = this.counts;
      if ((counts[id] as number) === 0) {
        if (distinct === this.docTerms.length) this.docTerms = grow(this.docTerms);
        this.docTerms[distinct++] = id;
      }
      counts[id] = (counts[id] as number) + 1;
    }
    this.docStarts.push(this.pairTerms.length);
    const { counts, dfs, docTerms } = this;
    for (let i = 0; i < distinct; i++) {
      const id = docTerms[i] as number;
      this.pairTerms.push(id);
      this.pairFreqs.push(counts[id] as number);
      dfs[id] = (dfs[id] as number) + 1;
      counts[id] = 0;
    }
    // Lucene's norm: the number of tokens (positions) in the field, discountOverlaps changing nothing here.
    this.norms.push(intToByte4(length));
    if (length > 0) this.docCount++;
    this.sumTotalTermFreq += length;
  }

  private termId(term: string): number {
    let id = this.termIds.get(term);
    if (id === undefined) {
      id = this.terms.length;
      this.termIds.set(term, id);
      this.terms.push(term);
      if (id === this.counts.length) {
        this.counts = grow(this.counts);
        this.dfs = grow(this.dfs);
      }
    }
    return id;
  }

  finish(): FieldIndex {
    const numTerms = this.terms.length;
    const numPostings = this.pairTerms.length;
    this.docStarts.push(numPostings);
    const docStarts = this.docStarts.toArray();
    const starts = new Uint32Array(numTerms + 1);
    for (let t = 0; t < numTerms; t++) starts[t + 1] = (starts[t] as number) + (this.dfs[t] as number);
    const fill = starts.slice(0, numTerms);
    const docs = new Int32Array(numPostings);
    const freqs = new Int32Array(numPostings);
    const termChunks = this.pairTerms.take();
    const freqChunks = this.pairFreqs.take();
    let d = 0;
    let i = 0;
    for (let c = 0; c < termChunks.length; c++) {
      const tc = termChunks[c] as Int32Array;
      const fc = freqChunks[c] as Int32Array;
      // Release the pairs as they are inverted.
      termChunks[c] = EMPTY;
      freqChunks[c] = EMPTY;
      for (let j = 0; j < tc.length; j++, i++) {
        while (i >= (docStarts[d + 1] as number)) d++;
        const t = tc[j] as number;
        const at = fill[t] as number;
        fill[t] = at + 1;
        docs[at] = d;
        freqs[at] = fc[j] as number;
      }
    }
    return {
      name: this.name,
      terms: this.terms,
      termIds: this.termIds,
      starts,
      docs,
      freqs,
      norms: this.norms.toArray(),
      docCount: this.docCount,
      sumTotalTermFreq: this.sumTotalTermFreq,
    };
  }
}

const EMPTY = new Int32Array(0);

function grow(a: Int32Array): Int32Array<ArrayBuffer> {
  const next = new Int32Array(a.length * 2);
  next.set(a);
  return next;
}

export class Bm25IndexBuilder {
  private readonly analyzer: Analyzer;
  private readonly layout: FieldLayout;
  private readonly docIds: string[] = [];
  private readonly seen = new Set<string>();
  private readonly fields: FieldBuilder[];

  constructor(options: IndexBuildOptions = {}) {
    this.analyzer = createAnalyzer(options.analyzer ?? "english");
    this.layout = options.layout ?? "flat";
    this.fields =
      this.layout === "flat"
        ? [new FieldBuilder("contents", this.analyzer)]
        : [new FieldBuilder("contents", this.analyzer), new FieldBuilder("title", this.analyzer)];
  }

  get size(): number {
    return this.docIds.length;
  }

  add(doc: DocumentRecord): void {
    if (this.seen.has(doc.id)) throw new InvalidArgumentError(`duplicate document id "${doc.id}"`);
    this.seen.add(doc.id);
    this.docIds.push(doc.id);
    const [contents, title] = this.fields as [FieldBuilder, FieldBuilder | undefined];
    if (this.layout === "flat") {
      contents.add(`${doc.title}\n${doc.text}`);
    } else {
      contents.add(doc.text);
      title?.add(doc.title);
    }
  }

  /** The index; term vectors for RM3 are derived from the postings when first needed. */
  finish(): BuiltIndex {
    this.seen.clear();
    return {
      analyzer: this.analyzer.name,
      layout: this.layout,
      docIds: this.docIds,
      fields: this.fields.map((f) => f.finish()),
    };
  }
}
