/**
 * BEIR corpora that server-side pools were built over, kept between SubmitJob calls: a corpus read and
 * BM25-indexed once serves the next jobs on it (relevance, then utility, another split) instead of being
 * read and indexed again per request. Keyed by the corpus file's path, size and mtime, so an edited corpus
 * is read again. Beyond `capacity` entries the least recently used is dropped, and closed once the requests
 * using it have released it. Concurrent requests for a corpus being loaded share the one load.
 */
import { stat } from "node:fs/promises";
import { readBeirCorpus, type DocumentRecord } from "@ferret/datasets";
import { EmbeddedBm25 } from "@ferret/retrieval";

export interface IndexedCorpus {
  docs: DocumentRecord[];
  bm25: EmbeddedBm25;
}

interface Entry {
  key: string;
  loading: Promise<IndexedCorpus>;
  users: number;
  evicted: boolean;
}

export interface CorpusLease extends IndexedCorpus {
  release(): Promise<void>;
}

async function load(corpusPath: string): Promise<IndexedCorpus> {
  const docs: DocumentRecord[] = [];
  for await (const doc of readBeirCorpus(corpusPath)) docs.push(doc);
  return { docs, bm25: await EmbeddedBm25.build(docs) };
}

export class CorpusIndexCache {
  private readonly entries = new Map<string, Entry>(); // insertion order = least recently used first
  private hitCount = 0;
  private missCount = 0;

  constructor(readonly capacity = 1) {}

  /** The corpus at `corpusPath` with its BM25 index; call release() when done searching it. */
  async acquire(corpusPath: string): Promise<CorpusLease> {
    const { size, mtimeMs } = await stat(corpusPath);
    const key = `${corpusPath}\u0000${size}\u0000${mtimeMs}`;
    let entry = this.entries.get(corpusPath);
    if (entry && entry.key === key) {
      this.hitCount++;
      this.entries.delete(corpusPath); // most recently used goes last
    } else {
      this.missCount++;
      if (entry) this.evict(corpusPath, entry);
      entry = { key, loading: load(corpusPath), users: 0, evicted: false };
      // a failed load is not kept: the next request tries again
      entry.loading.catch(() => {
        if (this.entries.get(corpusPath) === entry) this.entries.delete(corpusPath);
      });
    }
    this.entries.set(corpusPath, entry);
    entry.users++;
    for (const [path, old] of this.entries) {
      if (this.entries.size <= this.capacity) break;
      if (old !== entry) this.evict(path, old);
    }
    const held = entry;
    let corpus: IndexedCorpus;
    try {
      corpus = await held.loading;
    } catch (err) {
      held.users--;
      throw err;
    }
    let released = false;
    return {
      ...corpus,
      release: async () => {
        if (released) return;
        released = true;
        held.users--;
        if (held.evicted && held.users === 0) await corpus.bm25.close();
      },
    };
  }

  stats(): { hits: number; misses: number; entries: number } {
    return { hits: this.hitCount, misses: this.missCount, entries: this.entries.size };
  }

  /** Drops every entry (each closed once released). */
  async close(): Promise<void> {
    const all = [...this.entries];
    this.entries.clear();
    await Promise.all(all.map(([, entry]) => this.closeWhenUnused(entry)));
  }

  private evict(path: string, entry: Entry): void {
    this.entries.delete(path);
    void this.closeWhenUnused(entry);
  }

  private async closeWhenUnused(entry: Entry): Promise<void> {
    entry.evicted = true;
    if (entry.users > 0) return; // the last release() closes it
    const corpus = await entry.loading.catch(() => undefined);
    await corpus?.bm25.close();
  }
}
