import { InvalidArgumentError } from "@ferret/errors";
import { writeFileAtomically } from "./atomic-write.js";
import type { DocumentRecord, Qrels, QueryRecord } from "./types.js";

/** Writers for the BEIR layout (corpus.jsonl, queries.jsonl, qrels/<split>.tsv); all atomic. */

type Source<T> = Iterable<T> | AsyncIterable<T>;

/** Writes documents as `{"_id","title","text","metadata"?}` lines. Returns the number written. */
export async function writeBeirCorpus(path: string, docs: Source<DocumentRecord>): Promise<number> {
  let count = 0;
  await writeFileAtomically(path, async (sink) => {
    for await (const doc of docs) {
      const obj: Record<string, unknown> = { _id: doc.id, title: doc.title, text: doc.text };
      if (doc.metadata !== undefined) obj["metadata"] = doc.metadata;
      await sink.write(JSON.stringify(obj) + "\n");
      count++;
    }
  });
  return count;
}

/** Writes queries as `{"_id","text","metadata"?}` lines. Returns the number written. */
export async function writeBeirQueries(path: string, queries: Source<QueryRecord>): Promise<number> {
  let count = 0;
  await writeFileAtomically(path, async (sink) => {
    for await (const query of queries) {
      const obj: Record<string, unknown> = { _id: query.id, text: query.text };
      if (query.metadata !== undefined) obj["metadata"] = query.metadata;
      await sink.write(JSON.stringify(obj) + "\n");
      count++;
    }
  });
  return count;
}

const NO_TAB_OR_NEWLINE = /^[^\t\r\n]+$/;

/** An id the qrels reader gets back unchanged: it splits on tabs and trims each column. */
function isQrelsId(id: string): boolean {
  return NO_TAB_OR_NEWLINE.test(id) && id.trim() === id;
}

/** Writes `query-id<TAB>corpus-id<TAB>score` with the BEIR header, in the Map's order. */
export async function writeBeirQrels(path: string, qrels: Qrels): Promise<void> {
  await writeFileAtomically(path, async (sink) => {
    await sink.write("query-id\tcorpus-id\tscore\n");
    for (const [qid, docs] of qrels) {
      const lines: string[] = [];
      for (const [docid, score] of docs) {
        if (!isQrelsId(qid) || !isQrelsId(docid)) {
          throw new InvalidArgumentError(
            `ids must be non-empty, without tabs, newlines or surrounding whitespace: "${qid}" / "${docid}"`,
          );
        }
        if (!Number.isInteger(score))
          throw new InvalidArgumentError(`score of ${qid}/${docid} is not an integer: ${score}`);
        lines.push(`${qid}\t${docid}\t${score}\n`);
      }
      await sink.write(lines.join(""));
    }
  });
}
