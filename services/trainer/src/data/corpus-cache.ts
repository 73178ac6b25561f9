/**
 * Collections and their BM25 indexes kept between assemblies (a worker assembling several jobs over one
 * corpus, or tests), keyed by directory and BM25 parameters. Without a cache each assembly reads and
 * indexes its corpus afresh.
 */
import { EmbeddedBm25 } from "@ferret/retrieval";
import { loadCollection, type Collection } from "./collection.js";

export class CorpusCache {
  private readonly collections = new Map<string, Promise<Collection>>();
  private readonly indexes = new Map<string, Promise<EmbeddedBm25>>();

  collection(dir: string): Promise<Collection> {
    let c = this.collections.get(dir);
    if (!c) {
      c = loadCollection(dir);
      this.collections.set(dir, c);
      c.catch(() => this.collections.delete(dir));
    }
    return c;
  }

  bm25(dir: string, params: { k1: number; b: number }): Promise<EmbeddedBm25> {
    const key = JSON.stringify([dir, params.k1, params.b]);
    let index = this.indexes.get(key);
    if (!index) {
      index = this.collection(dir).then((c) => EmbeddedBm25.build(c.docs.values(), { bm25: params }));
      this.indexes.set(key, index);
      index.catch(() => this.indexes.delete(key));
    }
    return index;
  }

  async close(): Promise<void> {
    const indexes = [...this.indexes.values()];
    this.indexes.clear();
    this.collections.clear();
    await Promise.all(indexes.map(async (i) => (await i.catch(() => undefined))?.close()));
  }
}
