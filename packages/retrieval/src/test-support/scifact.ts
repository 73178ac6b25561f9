import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Bm25IndexBuilder, type FieldLayout } from "../bm25/index-builder.js";
import { Bm25Index } from "../bm25/bm25-index.js";
import { SCIFACT_DIR, readJsonl, type SciFactDoc } from "./fixtures.js";

/** SciFact loaded synchronously for tests: documents, test queries in qrels order, test qrels. */

export function sciFactDocs(): { id: string; title: string; text: string }[] {
  return readJsonl<SciFactDoc>(join(SCIFACT_DIR, "corpus.jsonl")).map((d) => ({
    id: d._id,
    title: d.title,
    text: d.text,
  }));
}

export function sciFactQrels(split = "test"): Map<string, Map<string, number>> {
  const qrels = new Map<string, Map<string, number>>();
  const rows = readFileSync(join(SCIFACT_DIR, "qrels", `${split}.tsv`), "utf8")
    .split("\n")
    .slice(1);
  for (const row of rows) {
    if (!row) continue;
    const [q, d, r] = row.split("\t") as [string, string, string];
    let m = qrels.get(q);
    if (!m) qrels.set(q, (m = new Map()));
    m.set(d, Number(r));
  }
  return qrels;
}

export function sciFactTestQueries(): { id: string; text: string }[] {
  const text = new Map(readJsonl<SciFactDoc>(join(SCIFACT_DIR, "queries.jsonl")).map((q) => [q._id, q.text]));
  return [...sciFactQrels("test").keys()].map((id) => ({ id, text: text.get(id) as string }));
}

const cache = new Map<FieldLayout, Bm25Index>();

export function sciFactIndex(layout: FieldLayout = "flat"): Bm25Index {
  let index = cache.get(layout);
  if (!index) {
    const builder = new Bm25IndexBuilder({ layout });
    for (const d of sciFactDocs()) builder.add(d);
    index = Bm25Index.fromBuilt(builder.finish());
    cache.set(layout, index);
  }
  return index;
}
