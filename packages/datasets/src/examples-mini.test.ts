import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { loadBeirDir } from "./collection-dir.js";
import { readBeirCorpus, readBeirQueries } from "./beir-jsonl.js";
import { readBeirQrels } from "./beir-qrels.js";
import { readGlasgowDocuments } from "./glasgow.js";
import { readCranfieldQrels, readCranfieldQueries } from "./cranfield.js";
import { REPO_ROOT, SHARED_DATA, collect } from "./test-support/paths.js";

/*
 * examples/mini was written by examples/scripts/make-mini.py, a Python parser of the Glasgow
 * format written independently of this package. Agreement between the two on the original
 * Cranfield files checks both (field continuation, query renumbering, code → grade mapping).
 * Counts from `wc -l`: corpus 400 lines, queries 46, qrels/test.tsv 352 (351 + header).
 */
describe("examples/mini (Cranfield subset in BEIR layout)", () => {
  it("matches what the Glasgow readers give for the same ids", async () => {
    const mini = await loadBeirDir(join(REPO_ROOT, "examples", "mini"));
    expect(mini.splits).toEqual(["test"]);
    const docs = await collect(readBeirCorpus(mini.corpusPath));
    const queries = await collect(readBeirQueries(mini.queriesPath));
    const qrels = await readBeirQrels(mini.qrelsPath("test"));
    expect([docs.length, queries.length, [...qrels.values()].reduce((n, d) => n + d.size, 0)]).toEqual([
      400, 46, 351,
    ]);

    const cran = join(SHARED_DATA, "cranfield");
    const originalDocs = new Map(
      (await collect(readGlasgowDocuments(join(cran, "cran.all.1400")))).map((d) => [d.id, d]),
    );
    for (const doc of docs) {
      const original = originalDocs.get(doc.id);
      expect(doc, doc.id).toEqual({ ...original, metadata: original?.metadata ?? {} });
    }
    const originalQueries = new Map(
      (await collect(readCranfieldQueries(join(cran, "cran.qry")))).map((q) => [q.id, q]),
    );
    for (const query of queries) expect(query).toEqual(originalQueries.get(query.id));

    const graded = (await readCranfieldQrels(join(cran, "cranqrel"))).qrels;
    const docIds = new Set(docs.map((d) => d.id));
    for (const [qid, judged] of qrels) {
      // Complete judgments: every judged document of an included query is in the corpus.
      expect(judged, qid).toEqual(graded.get(qid));
      for (const docid of judged.keys()) expect(docIds.has(docid), `${qid}/${docid}`).toBe(true);
      expect(
        [...judged.values()].some((g) => g > 0),
        qid,
      ).toBe(true);
    }
  });
});
