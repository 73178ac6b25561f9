/**
 * A dense index on disk: the vectors (ExactIndex or HnswIndex files) plus manifest.json that says
 * which model made them (its fingerprint), so a search never mixes query vectors from one model
 * with document vectors from another. The manifest is written last, via temp file + rename, so a
 * directory with a manifest always holds a complete index.
 */
import { readFile } from "node:fs/promises";
import { writeDataAtomically } from "@ferret/datasets";
import { join } from "node:path";
import { ConflictError, InputError } from "@ferret/errors";
import { z } from "zod";
import { ExactIndex } from "./exact-index.js";
import { HnswIndex } from "./hnsw-index.js";
import type { HnswOptions } from "./hnsw-index.js";
import type { VectorIndex } from "./vector-index.js";

export const MANIFEST_FILE = "manifest.json";

const manifestSchema = z.strictObject({
  formatVersion: z.literal(1),
  kind: z.enum(["exact", "hnsw"]),
  dimension: z.number().int().positive(),
  size: z.number().int().min(0),
  /** modelFingerprint() of the model (and variant) that embedded the documents. */
  modelFingerprint: z.string().regex(/^[0-9a-f]{64}$/),
  /** Informational: model directory name, collection, when. */
  modelName: z.string(),
  /** Where the model directory was when the index was built, and its variant (a search's default model). */
  modelDir: z.string().optional(),
  modelVariant: z.enum(["fp32", "quantized"]).optional(),
  collection: z.string().optional(),
  createdAt: z.string(),
});
export type IndexManifest = z.infer<typeof manifestSchema>;

export interface SaveIndexInfo {
  modelFingerprint: string;
  modelName: string;
  modelDir?: string;
  modelVariant?: "fp32" | "quantized";
  collection?: string;
}

export async function saveDenseIndex(
  dir: string,
  index: VectorIndex,
  info: SaveIndexInfo,
): Promise<IndexManifest> {
  await index.save(dir);
  const manifest: IndexManifest = {
    formatVersion: 1,
    kind: index.kind,
    dimension: index.dimension,
    size: index.size,
    modelFingerprint: info.modelFingerprint,
    modelName: info.modelName,
    ...(info.modelDir === undefined ? {} : { modelDir: info.modelDir }),
    ...(info.modelVariant === undefined ? {} : { modelVariant: info.modelVariant }),
    ...(info.collection === undefined ? {} : { collection: info.collection }),
    createdAt: new Date().toISOString(),
  };
  await writeDataAtomically(join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + "\n");
  return manifest;
}

export interface LoadIndexOptions {
  /** When given, the index must have been built by this model (fingerprint), else ConflictError. */
  expectFingerprint?: string;
  hnsw?: HnswOptions;
}

/** Reads and checks `dir`/manifest.json without loading the vectors. */
export async function readIndexManifest(dir: string): Promise<IndexManifest> {
  const file = join(dir, MANIFEST_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, "utf8"));
  } catch (err) {
    throw new InputError({ file }, `cannot read the index manifest (${(err as Error).message})`, {
      cause: err,
    });
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError({ file, field: issue.path.map(String).join(".") || undefined }, issue.message);
  }
  return parsed.data;
}

export async function loadDenseIndex(
  dir: string,
  options: LoadIndexOptions = {},
): Promise<{ index: VectorIndex; manifest: IndexManifest }> {
  const file = join(dir, MANIFEST_FILE);
  const manifest = await readIndexManifest(dir);
  if (options.expectFingerprint !== undefined && options.expectFingerprint !== manifest.modelFingerprint) {
    throw new ConflictError(
      `${dir} was built by model ${manifest.modelName} (fingerprint ${manifest.modelFingerprint.slice(0, 12)}…), ` +
        `not by the model asked for (${options.expectFingerprint.slice(0, 12)}…): re-index the collection`,
    );
  }
  const index =
    manifest.kind === "exact"
      ? await ExactIndex.load(dir, manifest.dimension)
      : await HnswIndex.load(dir, manifest.dimension, options.hnsw);
  if (index.size !== manifest.size) {
    throw new InputError(
      { file, field: "size" },
      `says ${manifest.size} vectors; the index holds ${index.size}`,
    );
  }
  return { index, manifest };
}
