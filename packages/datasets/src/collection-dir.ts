import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { InvalidArgumentError, NotFoundError } from "@ferret/errors";
import {
  GLASGOW_MANIFEST,
  findGlasgowFiles,
  readGlasgowManifest,
  type GlasgowCollectionSpec,
} from "./glasgow-collection.js";

/** Locating the files of a collection directory and telling BEIR from Glasgow (Cranfield) layouts. */

export interface BeirDir {
  dir: string;
  corpusPath: string;
  queriesPath: string;
  qrelsDir: string;
  /** Split names (file names of qrels/*.tsv without the extension), sorted. Empty when there is no qrels/. */
  splits: string[];
  qrelsPath(split: string): string;
}

export interface CranfieldDir {
  dir: string;
  documentsPath: string;
  queriesPath: string;
  qrelsPath: string;
}

export type CollectionFormat = "beir" | "cranfield" | "glasgow";

const CRANFIELD_FILES = { documents: "cran.all.1400", queries: "cran.qry", qrels: "cranqrel" } as const;

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function requireDir(dir: string): Promise<void> {
  let info;
  try {
    info = await stat(dir);
  } catch {
    throw new NotFoundError(`collection directory not found: ${dir}`, { details: { path: dir } });
  }
  if (!info.isDirectory())
    throw new InvalidArgumentError(`not a directory: ${dir}`, { details: { path: dir } });
}

/** Split names available under `<dir>/qrels` (e.g. ["dev", "test", "train"]). */
export async function listBeirSplits(dir: string): Promise<string[]> {
  const qrelsDir = join(dir, "qrels");
  if (!(await exists(qrelsDir))) return [];
  const entries = await readdir(qrelsDir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(".tsv"))
    .map((e) => e.name.slice(0, -".tsv".length))
    .sort();
}

/** Resolves a BEIR directory (corpus.jsonl, queries.jsonl, qrels/<split>.tsv); NotFoundError names what is missing. */
export async function loadBeirDir(dir: string): Promise<BeirDir> {
  await requireDir(dir);
  const corpusPath = join(dir, "corpus.jsonl");
  const queriesPath = join(dir, "queries.jsonl");
  for (const path of [corpusPath, queriesPath]) {
    if (!(await exists(path)))
      throw new NotFoundError(`BEIR collection ${dir} has no ${path}`, { details: { path } });
  }
  const qrelsDir = join(dir, "qrels");
  const splits = await listBeirSplits(dir);
  return {
    dir,
    corpusPath,
    queriesPath,
    qrelsDir,
    splits,
    qrelsPath(split: string) {
      if (!splits.includes(split)) {
        throw new NotFoundError(
          `no qrels for split "${split}" in ${qrelsDir} (have: ${splits.join(", ") || "none"})`,
          {
            details: { split },
          },
        );
      }
      return join(qrelsDir, `${split}.tsv`);
    },
  };
}

/** Resolves a Cranfield directory in Glasgow format (cran.all.1400, cran.qry, cranqrel). */
export async function loadCranfieldDir(dir: string): Promise<CranfieldDir> {
  await requireDir(dir);
  const paths = {
    documentsPath: join(dir, CRANFIELD_FILES.documents),
    queriesPath: join(dir, CRANFIELD_FILES.queries),
    qrelsPath: join(dir, CRANFIELD_FILES.qrels),
  };
  for (const path of Object.values(paths)) {
    if (!(await exists(path)))
      throw new NotFoundError(`Cranfield collection ${dir} has no ${path}`, { details: { path } });
  }
  return { dir, ...paths };
}

/**
 * "beir" when the directory holds corpus.jsonl, "cranfield" when it holds cran.all.1400, "glasgow" when
 * it holds a glasgow.json manifest or the files findGlasgowFiles looks for.
 */
export async function detectCollectionFormat(dir: string): Promise<CollectionFormat> {
  await requireDir(dir);
  if (await exists(join(dir, "corpus.jsonl"))) return "beir";
  if (await exists(join(dir, CRANFIELD_FILES.documents))) return "cranfield";
  if ((await exists(join(dir, GLASGOW_MANIFEST))) || (await findGlasgowFiles(dir)) !== undefined)
    return "glasgow";
  throw new InvalidArgumentError(
    `${dir} is neither a BEIR collection (corpus.jsonl, queries.jsonl, qrels/) nor a Glasgow-format collection ` +
      `(cran.all.1400, cran.qry, cranqrel; one each of *.ALL, *.QRY or *.QUE, *.REL; LISA's LISA<n>.<nnn>, LISA.QUE, ` +
      `LISA.REL or LISARJ.NUM; or a ${GLASGOW_MANIFEST} naming the documents, queries and qrels files)`,
    { details: { path: dir } },
  );
}

/** The Glasgow files of a directory: its manifest, else Cranfield's names, else what findGlasgowFiles finds. */
export async function loadGlasgowDir(dir: string): Promise<GlasgowCollectionSpec> {
  await requireDir(dir);
  if (await exists(join(dir, GLASGOW_MANIFEST))) return readGlasgowManifest(dir);
  if (await exists(join(dir, CRANFIELD_FILES.documents))) {
    const cran = await loadCranfieldDir(dir);
    return { documents: cran.documentsPath, queries: cran.queriesPath, qrels: cran.qrelsPath };
  }
  const found = await findGlasgowFiles(dir);
  if (found === undefined) {
    throw new NotFoundError(
      `${dir} has no ${GLASGOW_MANIFEST}, no cran.all.1400 and not exactly one each of *.ALL (or LISA<n>.<nnn> files), *.QRY or *.QUE, *.REL or *.NUM`,
      { details: { path: dir } },
    );
  }
  return found;
}
