/**
 * Publishing a trained model: the exported model dir is copied into the models root the encoder (or, for
 * a cross-encoder, the ranker) serves by name, then `model.published` fires (a ModelPublished, proto3
 * JSON) so their replicas hot-load it. The copy goes beside the target and is renamed into place, so a
 * server never sees half a model; the event's id is the job's, so a redelivered job that publishes again
 * is deduplicated by the bus, and a model already in place from the same job is not copied twice.
 */
import { cp, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Bus } from "@ferret/bus";
import { writeDataAtomically } from "@ferret/datasets";
import { checkJobId } from "@ferret/jobs";
import { ModelPublished, type ModelRef } from "@ferret/proto";
import { TRAINING_JOB_KIND } from "./training-job.js";

export const MODEL_PUBLISHED_EVENT = "model.published";
/** Written into a published model dir: the job that trained it. */
export const PUBLISHED_BY_FILE = "published-by.json";

export interface PublishModelOptions {
  bus: Bus;
  modelsDir: string;
  /** Directory name under modelsDir, and the event's model name. */
  name: string;
  jobId: string;
  modelDir: string;
}

export async function publishModel(options: PublishModelOptions): Promise<ModelRef> {
  const { bus, modelsDir, name, jobId } = options;
  checkJobId(name, { file: "<model name>" });
  const target = join(modelsDir, name);
  if (!(await publishedBy(target, jobId))) {
    const partial = join(modelsDir, `.${name}.partial-${jobId}`);
    await rm(partial, { recursive: true, force: true });
    await cp(options.modelDir, partial, { recursive: true });
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
  const model: ModelRef = {
    name,
    version: jobId,
    artifact: { bucket: modelsDir, name, sha256: "", size: 0, mediaType: "application/x-ferret-model-dir" },
  };
  const event: ModelPublished = { model, trainedBy: { jobId, kind: TRAINING_JOB_KIND }, at: new Date() };
  await bus.events.publish(MODEL_PUBLISHED_EVENT, ModelPublished.toJSON(event), {
    id: `${MODEL_PUBLISHED_EVENT}.${jobId}`,
  });
  return model;
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
