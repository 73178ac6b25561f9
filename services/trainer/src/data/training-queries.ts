/**
 * The queries a training set is built for: the training split (queries judged in qrels/<split>.tsv,
 * texts from the collection's queries.jsonl) and/or LLM-written synthetic queries (the annotator's
 * queries.jsonl, whose metadata.source names the passage each query was written from).
 */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { readBeirQueries, type Qrels } from "@ferret/datasets";
import { InputError } from "@ferret/errors";
import type { Collection } from "./collection.js";
import { readCheckedQrels } from "./collection.js";

export interface TrainingQuery {
  id: string;
  text: string;
  origin: "split" | "synthetic";
  /** Synthetic queries: the passage the query was written from (its positive). */
  sourceDocId?: string;
}

export interface TrainingQueries {
  queries: TrainingQuery[];
  /** The split's qrels, when a split was given. */
  splitQrels?: Qrels;
}

export async function loadTrainingQueries(
  collection: Collection,
  options: { split?: string | undefined; synthetic?: string | undefined },
): Promise<TrainingQueries> {
  const queries: TrainingQuery[] = [];
  let splitQrels: Qrels | undefined;
  if (options.split !== undefined) {
    const path = collection.dir.qrelsPath(options.split);
    splitQrels = await readCheckedQrels(path, collection, (qid) => collection.queries.has(qid));
    for (const qid of splitQrels.keys()) {
      queries.push({ id: qid, text: collection.queries.get(qid)!.text, origin: "split" });
    }
  }
  if (options.synthetic !== undefined) {
    const taken = new Set(queries.map((q) => q.id));
    for (const q of await readSyntheticQueries(options.synthetic, collection)) {
      if (taken.has(q.id))
        throw new InputError(
          { file: options.synthetic, field: "_id" },
          `synthetic query id "${q.id}" is also a training split query`,
        );
      taken.add(q.id);
      queries.push(q);
    }
  }
  return splitQrels ? { queries, splitQrels } : { queries };
}

/** A directory means its queries.jsonl (the annotator's output layout). */
export async function syntheticQueriesFile(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new InputError({ file: path }, "synthetic queries not found");
  return info.isDirectory() ? join(path, "queries.jsonl") : path;
}

async function readSyntheticQueries(path: string, collection: Collection): Promise<TrainingQuery[]> {
  const file = await syntheticQueriesFile(path);
  const out: TrainingQuery[] = [];
  const stream = readBeirQueries(file);
  for await (const q of stream) {
    // The stream counts lines before yielding each record, so this is the record's line.
    const line = stream.stats.lines;
    const source = q.metadata?.["source"];
    if (source !== undefined && typeof source !== "string")
      throw new InputError({ file, line, field: "metadata.source" }, "expected a document id string");
    if (source !== undefined && !collection.docs.has(source))
      throw new InputError({ file, line, field: "metadata.source" }, `unknown document id "${source}"`);
    out.push({
      id: q.id,
      text: q.text,
      origin: "synthetic",
      ...(source === undefined ? {} : { sourceDocId: source }),
    });
  }
  return out;
}
