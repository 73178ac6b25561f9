/**
 * assemble: the trainer's training-set artifact (positives, hard negatives, false-negative filtering,
 * teacher scores, batches) from the train stage's job spec, with the annotate stage's output where the
 * spec takes it (synthetic queries or LLM positives).
 */
import { dirname, join } from "node:path";
import { assembleTrainingSet, type JobSpec } from "@ferret/trainer";
import type { LoadedPipelineSpec } from "./load-pipeline-spec.js";
import type { StageDefinition } from "./stages.js";

function jobOf(pipeline: LoadedPipelineSpec): JobSpec {
  return pipeline.job!;
}

/** The files the job spec reads besides the annotate stage's output (that one is an upstream key). */
function jobInputPaths(job: JobSpec): Record<string, string> {
  const paths: Record<string, string> = {
    corpus: join(job.corpus, "corpus.jsonl"),
    queries: join(job.corpus, "queries.jsonl"),
  };
  if (job.queries.split !== undefined) paths.split = join(job.corpus, "qrels", `${job.queries.split}.tsv`);
  if (job.positives.human?.qrels !== undefined) paths.humanQrels = job.positives.human.qrels;
  if (job.teacher) paths.teacher = job.teacher.model;
  if (job.negatives.dense?.run !== undefined) paths.denseRun = job.negatives.dense.run;
  if (job.batching) paths.batchingEncoder = job.batching.encoder;
  return paths;
}

export const assembleStage: StageDefinition = {
  name: "assemble",
  title: "assemble: training set",
  enabled: ({ spec }) => spec.stages.train !== undefined,
  needs: ({ spec }) => (spec.stages.annotate ? ["annotate"] : []),
  keyInputs: (pipeline) => {
    const { training: _training, model: _model, output: _output, ...job } = jobOf(pipeline);
    return { config: job, paths: jobInputPaths(jobOf(pipeline)) };
  },
  async run(ctx) {
    ctx.progress(0, 1, "training sets");
    const job = jobOf(ctx.pipeline);
    const { stats } = await assembleTrainingSet(
      { spec: job, file: ctx.pipeline.file, baseDir: dirname(ctx.pipeline.file), outputDir: ctx.dir },
      { outputDir: ctx.dir, log: ctx.env.log },
    );
    ctx.progress(1, 1, "training sets");
    return {
      queries: stats.queries.records,
      positives: stats.positives.total,
      negatives: stats.negatives.total,
      falseNegativesFiltered: stats.falseNegatives.filtered,
    };
  },
};
