/**
 * The BEIR collection a training set is drawn from, read into memory: documents by id (for negatives'
 * texts and id checks) and every query of queries.jsonl by id. Label and qrels files are checked against
 * it, so an id that names nothing is an error, not a silently empty training pair.
 */
import {
  loadBeirDir,
  readBeirCorpus,
  readBeirQrels,
  readBeirQueries,
  readTrecQrels,
  type BeirDir,
  type DocumentRecord,
  type Qrels,
  type QueryRecord,
} from "@ferret/datasets";
import { InputError } from "@ferret/errors";

export interface Collection {
  dir: BeirDir;
  docs: Map<string, DocumentRecord>;
  /** Document ids in corpus order. */
  docIds: string[];
  queries: Map<string, QueryRecord>;
}

/**
 * The text a document is trained and scored on: title and text, the way the encoder indexes it (so a
 * model is trained on what it will be asked to embed).
 */
export function documentText(doc: DocumentRecord): string {
  return `${doc.title} ${doc.text}`.trim();
}

export async function loadCollection(dir: string): Promise<Collection> {
  const beir = await loadBeirDir(dir);
  const docs = new Map<string, DocumentRecord>();
  for await (const doc of readBeirCorpus(beir.corpusPath)) docs.set(doc.id, doc);
  const queries = new Map<string, QueryRecord>();
  for await (const q of readBeirQueries(beir.queriesPath)) queries.set(q.id, q);
  return { dir: beir, docs, docIds: [...docs.keys()], queries };
}

/**
 * Reads a qrels file (BEIR .tsv, else TREC) and checks that every document exists in the corpus
 * and, when `knownQueries` is given, that every query does.
 */
export async function readCheckedQrels(
  path: string,
  collection: Collection,
  knownQueries?: (qid: string) => boolean,
): Promise<Qrels> {
  const qrels = path.endsWith(".tsv") ? await readBeirQrels(path) : (await readTrecQrels(path)).qrels;
  for (const [qid, row] of qrels) {
    if (knownQueries && !knownQueries(qid))
      throw new InputError({ file: path, field: "query-id" }, `unknown query id "${qid}"`);
    for (const docId of row.keys()) {
      if (!collection.docs.has(docId))
        throw new InputError(
          { file: path, field: "corpus-id" },
          `unknown document id "${docId}" (query "${qid}"): not in ${collection.dir.corpusPath}`,
        );
    }
  }
  return qrels;
}
