/**
 * Publishing a trained model: the exported model dir is uploaded to the artifact store (a directory
 * artifact in the models bucket, under `<name>/<job>`) and/or copied into a models root the encoder
 * (or, for a cross-encoder, the ranker) serves by name; only then does `model.published` fire (a
 * ModelPublished, proto3 JSON, whose artifact is the uploaded bundle), so a replica that hears of the
 * model can always fetch all of it.
 *
 * Idempotent on redelivery: the bundle object is written after every file, so a bundle already in the
 * store means a complete upload by this job and is not uploaded again; a model already in the models
 * root from the same job is not copied again; the event's id is the job's, so a republish is
 * deduplicated by the bus. The copy goes beside the target and is renamed into place, so a server never
 * sees half a model.
 */
import { cp, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { putDirectory, type Bus, type ObjectInfo } from "@ferret/bus";
import { writeDataAtomically } from "@ferret/datasets";
import { MODEL_DIR_CONTENTS, MODEL_DIR_MEDIA_TYPE } from "@ferret/inference";
import { checkJobId } from "@ferret/jobs";
import { ModelPublished, type ArtifactRef, type ModelRef } from "@ferret/proto";
import { TRAINING_JOB_KIND } from "./training-job.js";

export const MODEL_PUBLISHED_EVENT = "model.published";
/** Written into a published model dir: the job that trained it. */
export const PUBLISHED_BY_FILE = "published-by.json";

export interface PublishModelOptions {
  bus: Bus;
  /** The object bucket the model is uploaded to. */
  bucket?: string;
  /** A models root the model is also copied into, as <modelsDir>/<name>. */
  modelsDir?: string;
  /** Directory name under modelsDir and in the bucket, and the event's model name. */
  name: string;
  jobId: string;
  modelDir: string;
  /** Called after each uploaded file (keeps the job's delivery alive). */
  working?: () => void;
}

export async function publishModel(options: PublishModelOptions): Promise<ModelRef> {
  const { bus, name, jobId } = options;
  checkJobId(name, { file: "<model name>" });
  let artifact: ArtifactRef = { bucket: "", name: "", sha256: "", size: 0, mediaType: MODEL_DIR_MEDIA_TYPE };
  if (options.bucket !== undefined) {
    const info = await uploadModel(bus, options.bucket, name, jobId, options.modelDir, options.working);
    artifact = { ...artifact, bucket: info.bucket, name: info.name, sha256: info.sha256, size: info.size };
  }
  if (options.modelsDir !== undefined) await copyModel(options.modelsDir, name, jobId, options.modelDir);
  const model: ModelRef = { name, version: jobId, artifact };
  const event: ModelPublished = { model, trainedBy: { jobId, kind: TRAINING_JOB_KIND }, at: new Date() };
  await bus.events.publish(MODEL_PUBLISHED_EVENT, ModelPublished.toJSON(event), {
    id: `${MODEL_PUBLISHED_EVENT}.${jobId}`,
  });
  return model;
}

async function uploadModel(
  bus: Bus,
  bucket: string,
  name: string,
  jobId: string,
  modelDir: string,
  working?: () => void,
): Promise<ObjectInfo> {
  const store = await bus.objects(bucket);
  const prefix = `${name}/${jobId}`;
  const done = await store.info(`${prefix}/bundle.json`);
  if (done !== undefined) return done;
  return putDirectory(store, modelDir, prefix, {
    contents: MODEL_DIR_CONTENTS,
    metadata: { model: name, job: jobId },
    ...(working ? { working } : {}),
  });
}

async function copyModel(modelsDir: string, name: string, jobId: string, modelDir: string): Promise<void> {
  const target = join(modelsDir, name);
  if (await publishedBy(target, jobId)) return;
  const partial = join(modelsDir, `.${name}.partial-${jobId}`);
  await rm(partial, { recursive: true, force: true });
  await cp(modelDir, partial, { recursive: true });
  await writeDataAtomically(join(partial, PUBLISHED_BY_FILE), JSON.stringify({ jobId }) + "\n");
  const old = join(modelsDir, `.${name}.old-${jobId}`);
  const existed = await stat(target).then(
    () => true,
    () => false,
  );
  if (existed) await rename(target, old);
  await rename(partial, target);
  if (existed) await rm(old, { recursive: true, force: true });
}

async function publishedBy(dir: string, jobId: string): Promise<boolean> {
  try {
    return (
      (JSON.parse(await readFile(join(dir, PUBLISHED_BY_FILE), "utf8")) as { jobId?: string }).jobId === jobId
    );
  } catch {
    return false;
  }
}
