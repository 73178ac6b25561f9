/**
 * What a replica does when a `model.published` event names a model: fetch it from the artifact store
 * into the models root when the event names its bundle and the local copy is not that bundle (every
 * file checksum-verified, renamed into place whole), build every served index again with it (from the
 * corpus each was built from, its `source.json`), then swap to it with those indexes. Events are handled
 * one at a time; any failure leaves the current model serving, and is logged.
 */
import { basename, join } from "node:path";
import { getDirectory, type Bus } from "@ferret/bus";
import { NotFoundError } from "@ferret/errors";
import { MODEL_DIR_CONTENTS, type ModelVariant } from "@ferret/inference";
import type { Logger } from "@ferret/logging";
import type { ArtifactRef, ModelPublished } from "@ferret/proto";
import type { BiEncoderCache } from "../model-registry.js";
import type { ModelServer, SwapResult } from "../serving/model-server.js";
import { readIndexSource, type CorpusIndexer } from "./corpus-indexer.js";

export interface FollowPublishedOptions {
  bus: Bus;
  server: ModelServer;
  models: BiEncoderCache;
  indexer: CorpusIndexer;
  variant: ModelVariant;
  logger: Logger;
  signal: AbortSignal;
}

export interface PublishedModelLoaded {
  swap: SwapResult;
  /** Whether the model was downloaded from the artifact store (false: the models root had it). */
  downloaded: boolean;
  /** The served indexes built again with it. */
  reindexed: string[];
}

/** Writes the model the ref names to `<models root>/<name>` unless it is there already. */
export async function fetchPublishedModel(
  bus: Bus,
  ref: ArtifactRef,
  modelsRoot: string,
  name: string,
  signal?: AbortSignal,
): Promise<boolean> {
  const store = await bus.objects(ref.bucket);
  const fetched = await getDirectory(store, ref.name, join(modelsRoot, name), {
    contents: MODEL_DIR_CONTENTS,
    ...(ref.sha256 === "" ? {} : { expectedSha256: ref.sha256 }),
    ...(signal ? { signal } : {}),
  });
  return fetched.downloaded;
}

export async function loadPublishedModel(
  event: ModelPublished,
  o: FollowPublishedOptions,
): Promise<PublishedModelLoaded | undefined> {
  const name = event.model?.name ?? "";
  if (name === "") return undefined;
  if (basename(name) !== name || name === "." || name === "..")
    throw new NotFoundError(`published model "${name}" is not a directory name`);
  const ref = event.model?.artifact;
  let downloaded = false;
  if (ref !== undefined && ref.bucket !== "" && ref.name !== "") {
    downloaded = await fetchPublishedModel(o.bus, ref, o.server.options.modelsRoot, name, o.signal);
    // a model republished under the same name: the cached one is the old version
    if (downloaded) o.models.forget(name);
  }
  const reindexed: string[] = [];
  for (const index of o.server.serving?.indexes.keys() ?? []) {
    const source = await readIndexSource(o.server.options.indexesRoot, index);
    if (source === undefined) {
      o.logger.warn(
        { index, model: name },
        "no record of what this index was built from; not served with the new model",
      );
      continue;
    }
    const updates = o.indexer.run(
      {
        ...source,
        index,
        jobId: "",
        model: { name, version: event.model?.version ?? "", artifact: undefined },
        quantized: o.variant === "quantized",
      },
      o.signal,
    );
    let step = await updates.next();
    while (step.done !== true) step = await updates.next();
    if (step.value !== undefined) throw step.value;
    reindexed.push(index);
  }
  const swap = await o.server.load(name, o.variant, reindexed);
  return { swap, downloaded, reindexed };
}
