import type { DocumentRecord } from "@ferret/datasets";
import { InvalidArgumentError } from "@ferret/errors";
import { createAnalyzer, type Analyzer, type AnalyzerName } from "../analysis/analyzer.js";
import type { DocVectors, FieldIndex } from "./field-index.js";
import { GrowableInt32, GrowableUint8 } from "./growable.js";
import { intToByte4 } from "./small-float.js";

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
  docVectors: DocVectors | undefined;
}

class FieldBuilder {
  readonly termIds = new Map<string, number>();
  readonly terms: string[] = [];
  private readonly pairTerms = new GrowableInt32(1 << 16);
  private readonly pairFreqs = new GrowableInt32(1 << 16);
  private readonly docStarts = new GrowableInt32(1 << 12);
  private readonly norms = new GrowableUint8(1 << 12);
  private readonly counts = new Map<string, number>();
  private docCount = 0;
  private sumTotalTermFreq = 0;

  constructor(readonly name: string) {}

  add(tokens: string[]): void {
    this.docStarts.push(this.pairTerms.length);
    const counts = this.counts;
    counts.clear();
    for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
    for (const [term, freq] of counts) {
      let id = this.termIds.get(term);
      if (id === undefined) {
        id = this.terms.length;
        this.termIds.set(term, id);
        this.terms.push(term);
      }
      this.pairTerms.push(id);
      this.pairFreqs.push(freq);
    }
    // Lucene's norm: the number of tokens (positions) in the field, discountOverlaps changing nothing here.
    this.norms.push(intToByte4(tokens.length));
    if (tokens.length > 0) this.docCount++;
    this.sumTotalTermFreq += tokens.length;
  }

  finish(numDocs: number, keepVectors: boolean): { field: FieldIndex; vectors: DocVectors | undefined } {
    this.docStarts.push(this.pairTerms.length);
    const numTerms = this.terms.length;
    const pairTerms = this.pairTerms.toArray();
    const pairFreqs = this.pairFreqs.toArray();
    const starts = new Uint32Array(numTerms + 1);
    for (let i = 0; i < pairTerms.length; i++) {
      const slot = (pairTerms[i] as number) + 1;
      starts[slot] = (starts[slot] as number) + 1;
    }
    for (let t = 0; t < numTerms; t++) starts[t + 1] = (starts[t + 1] as number) + (starts[t] as number);
    const fill = starts.slice(0, numTerms);
    const docs = new Int32Array(pairTerms.length);
    const freqs = new Int32Array(pairTerms.length);
    for (let d = 0; d < numDocs; d++) {
      const end = this.docStarts.get(d + 1);
      for (let i = this.docStarts.get(d); i < end; i++) {
        const t = pairTerms[i] as number;
        const at = fill[t] as number;
        fill[t] = at + 1;
        docs[at] = d;
        freqs[at] = pairFreqs[i] as number;
      }
    }
    const field: FieldIndex = {
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
    const vectors = keepVectors
      ? { starts: Uint32Array.from(this.docStarts.toArray()), terms: pairTerms, freqs: pairFreqs }
      : undefined;
    return { field, vectors };
  }
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
        ? [new FieldBuilder("contents")]
        : [new FieldBuilder("contents"), new FieldBuilder("title")];
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
      contents.add(this.analyzer.analyze(`${doc.title}\n${doc.text}`));
    } else {
      contents.add(this.analyzer.analyze(doc.text));
      title?.add(this.analyzer.analyze(doc.title));
    }
  }

  /** Adds pre-analyzed field tokens (used by worker-parallel indexing). */
  addAnalyzed(id: string, fieldTokens: string[][]): void {
    if (this.seen.has(id)) throw new InvalidArgumentError(`duplicate document id "${id}"`);
    this.seen.add(id);
    this.docIds.push(id);
    this.fields.forEach((f, i) => f.add(fieldTokens[i] ?? []));
  }

  finish(): BuiltIndex {
    const n = this.docIds.length;
    const built = this.fields.map((f, i) => f.finish(n, i === 0));
    return {
      analyzer: this.analyzer.name,
      layout: this.layout,
      docIds: this.docIds,
      fields: built.map((b) => b.field),
      docVectors: built[0]?.vectors,
    };
  }
}
