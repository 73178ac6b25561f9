import { open } from "node:fs/promises";
import { crc32 } from "node:zlib";
import { ChecksumMismatchError, InputError } from "@ferret/errors";
import { isAnalyzerName } from "../analysis/analyzer.js";
import { Bm25Index } from "../bm25/bm25-index.js";
import type { Bm25Params } from "../bm25/bm25-similarity.js";
import type { FieldIndex } from "../bm25/field-index.js";
import type { FieldLayout } from "../bm25/index-builder.js";
import { replaceFileAtomically } from "@ferret/datasets";
import { ByteReader, ByteWriter } from "./varint.js";

/**
 * The embedded index on disk: one file, written atomically, read with one read.
 *
 *   bytes 0-7    magic "FRTBM25\0"
 *   bytes 8-11   format version (u32 LE)
 *   bytes 12-15  header length H (u32 LE)
 *   H bytes      header (JSON): analyzer, layout, BM25 defaults, document count, per-field
 *                statistics, the length of each section that follows, and their CRC-32
 *   sections     docIds.lengths (varint UTF-16 lengths), docIds.text (UTF-8), and per field:
 *                terms.lengths, terms.text, df (varint per term), postings (per term, varint pairs
 *                of doc-id gap and frequency), norms (one byte per document)
 *
 * Gaps and frequencies are mostly one byte, so postings take about 2 bytes each. Term vectors for
 * RM3 are not stored; the index derives them from the postings when first needed.
 */

const MAGIC = Buffer.from("FRTBM25\0", "latin1");
export const INDEX_FORMAT_VERSION = 1;

interface FieldHeader {
  name: string;
  numTerms: number;
  numPostings: number;
  docCount: number;
  sumTotalTermFreq: number;
}

interface Header {
  analyzer: string;
  layout: FieldLayout;
  bm25: Bm25Params;
  numDocs: number;
  fields: FieldHeader[];
  sections: { name: string; length: number }[];
  crc32: number;
}

function encodeStrings(values: readonly string[]): { lengths: Uint8Array; text: Uint8Array } {
  const w = new ByteWriter(values.length * 2 + 16);
  for (const v of values) w.varint(v.length);
  return { lengths: w.result(), text: Buffer.from(values.join(""), "utf8") };
}

function decodeStrings(lengths: Uint8Array, text: Uint8Array, count: number): string[] {
  const all = Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString("utf8");
  const r = new ByteReader(lengths);
  const out = new Array<string>(count);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const len = r.varint();
    out[i] = all.slice(at, at + len);
    at += len;
  }
  return out;
}

function encodeField(field: FieldIndex): { name: string; data: Uint8Array }[] {
  const { lengths, text } = encodeStrings(field.terms);
  const df = new ByteWriter(field.terms.length * 2 + 16);
  const postings = new ByteWriter(field.docs.length * 2 + 16);
  for (let t = 0; t < field.terms.length; t++) {
    const start = field.starts[t] as number;
    const end = field.starts[t + 1] as number;
    df.varint(end - start);
    let prev = -1;
    for (let i = start; i < end; i++) {
      const d = field.docs[i] as number;
      postings.varint(d - prev - 1);
      postings.varint(field.freqs[i] as number);
      prev = d;
    }
  }
  return [
    { name: `${field.name}.terms.lengths`, data: lengths },
    { name: `${field.name}.terms.text`, data: text },
    { name: `${field.name}.df`, data: df.result() },
    { name: `${field.name}.postings`, data: postings.result() },
    { name: `${field.name}.norms`, data: field.norms },
  ];
}

/** Writes `index` to `path` atomically (temporary file, fsync, rename). */
export async function writeIndexFile(path: string, index: Bm25Index): Promise<void> {
  const ids = encodeStrings(index.docIds);
  const sections = [
    { name: "docIds.lengths", data: ids.lengths },
    { name: "docIds.text", data: ids.text },
    ...index.fields.flatMap(encodeField),
  ];
  let crc = 0;
  for (const s of sections) crc = crc32(s.data, crc);
  const header: Header = {
    analyzer: index.analyzerName,
    layout: index.layout,
    bm25: { k1: index.defaultBm25.k1, b: index.defaultBm25.b },
    numDocs: index.numDocs,
    fields: index.fields.map((f) => ({
      name: f.name,
      numTerms: f.terms.length,
      numPostings: f.docs.length,
      docCount: f.docCount,
      sumTotalTermFreq: f.sumTotalTermFreq,
    })),
    sections: sections.map((s) => ({ name: s.name, length: s.data.length })),
    crc32: crc,
  };
  const headerBytes = Buffer.from(JSON.stringify(header), "utf8");
  const prefix = Buffer.alloc(16);
  MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(INDEX_FORMAT_VERSION, 8);
  prefix.writeUInt32LE(headerBytes.length, 12);
  await replaceFileAtomically(path, async (handle) => {
    await handle.write(prefix);
    await handle.write(headerBytes);
    for (const s of sections) await handle.write(s.data);
  });
}

async function readWholeFile(path: string): Promise<Buffer> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    const buf = Buffer.allocUnsafe(size);
    let at = 0;
    while (at < size) {
      const { bytesRead } = await handle.read(buf, at, Math.min(size - at, 1 << 30), at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return at === size ? buf : buf.subarray(0, at);
  } finally {
    await handle.close();
  }
}

/** Loads an index written by writeIndexFile, verifying its magic, version and checksum. */
export async function readIndexFile(path: string): Promise<Bm25Index> {
  const buf = await readWholeFile(path);
  const bad = (problem: string): InputError => new InputError({ file: path }, problem);
  if (buf.length < 16 || !buf.subarray(0, 8).equals(MAGIC)) throw bad("not a Ferret BM25 index file");
  const version = buf.readUInt32LE(8);
  if (version !== INDEX_FORMAT_VERSION) {
    throw bad(`index format version ${version}; this build reads version ${INDEX_FORMAT_VERSION}`);
  }
  const headerLength = buf.readUInt32LE(12);
  let header: Header;
  try {
    header = JSON.parse(buf.subarray(16, 16 + headerLength).toString("utf8")) as Header;
  } catch {
    throw bad("corrupt header");
  }
  if (!isAnalyzerName(header.analyzer)) throw bad(`unknown analyzer "${header.analyzer}"`);

  const sections = new Map<string, Uint8Array>();
  let at = 16 + headerLength;
  let crc = 0;
  for (const s of header.sections) {
    if (at + s.length > buf.length) throw bad(`truncated: section ${s.name} runs past the end of the file`);
    const data = buf.subarray(at, at + s.length);
    crc = crc32(data, crc);
    sections.set(s.name, data);
    at += s.length;
  }
  if (crc !== header.crc32) {
    throw new ChecksumMismatchError(`${path}: index checksum mismatch (file is corrupt)`, {
      details: { path },
    });
  }
  const section = (name: string): Uint8Array => {
    const data = sections.get(name);
    if (!data) throw bad(`missing section ${name}`);
    return data;
  };

  const docIds = decodeStrings(section("docIds.lengths"), section("docIds.text"), header.numDocs);
  const fields = header.fields.map((fh): FieldIndex => {
    const terms = decodeStrings(
      section(`${fh.name}.terms.lengths`),
      section(`${fh.name}.terms.text`),
      fh.numTerms,
    );
    const termIds = new Map<string, number>();
    terms.forEach((t, i) => termIds.set(t, i));
    const starts = new Uint32Array(fh.numTerms + 1);
    const dfs = new ByteReader(section(`${fh.name}.df`));
    for (let t = 0; t < fh.numTerms; t++) starts[t + 1] = (starts[t] as number) + dfs.varint();
    const docs = new Int32Array(fh.numPostings);
    const freqs = new Int32Array(fh.numPostings);
    const postings = new ByteReader(section(`${fh.name}.postings`));
    for (let t = 0; t < fh.numTerms; t++) {
      const end = starts[t + 1] as number;
      let prev = -1;
      for (let i = starts[t] as number; i < end; i++) {
        prev += postings.varint() + 1;
        docs[i] = prev;
        freqs[i] = postings.varint();
      }
    }
    return {
      name: fh.name,
      terms,
      termIds,
      starts,
      docs,
      freqs,
      norms: Uint8Array.from(section(`${fh.name}.norms`)),
      docCount: fh.docCount,
      sumTotalTermFreq: fh.sumTotalTermFreq,
    };
  });
  return new Bm25Index(header.analyzer, header.layout, docIds, fields, undefined, header.bm25);
}
