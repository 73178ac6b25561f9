/**
 * report: report.json and report.html in the run directory (the report module's buildReport and
 * writeReport), scoring the evaluate stage's run files against the test qrels, with the training curves
 * and label statistics of the stages that ran, and the exact spec and versions.
 */
import { basename, join } from "node:path";
import { readBeirQrels, readTrecRun, type Qrels } from "@ferret/datasets";
import type { EngineEvent } from "@ferret/trainer";
import { readFile } from "node:fs/promises";
import { buildReport, writeReport, type LabelUsage } from "../report/index.js";
import { SYSTEMS_FILE, type SystemsFile } from "./stage-evaluate.js";
import { TRAINING_EVENTS } from "./stage-train.js";
import type { StageContext, StageDefinition } from "./stages.js";

async function readJsonLines<T>(file: string): Promise<T[]> {
  const text = await readFile(file, "utf8");
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as T);
}

async function labelsOf(
  ctx: StageContext,
): Promise<{ llm: Qrels; human?: Qrels; usage: LabelUsage } | undefined> {
  const { spec } = ctx.pipeline;
  const annotate = spec.stages.annotate;
  if (!annotate) return undefined;
  const { dir, record } = ctx.upstream("annotate");
  const llm = await readBeirQrels(join(dir, "qrels.tsv"));
  const judged = annotate.task === "relevance" || annotate.task === "utility";
  const human =
    judged && spec.dataset.train !== undefined
      ? await readBeirQrels(join(spec.dataset.dir, "qrels", `${spec.dataset.train}.tsv`))
      : undefined;
  const s = record.summary as { promptTokens?: number; completionTokens?: number; costUsd?: number };
  const usage: LabelUsage = {
    ...(s.promptTokens !== undefined ? { promptTokens: s.promptTokens } : {}),
    ...(s.completionTokens !== undefined ? { completionTokens: s.completionTokens } : {}),
    ...(s.costUsd ? { costUsd: s.costUsd } : {}),
  };
  return { llm, ...(human ? { human } : {}), usage };
}

export const reportStage: StageDefinition = {
  name: "report",
  title: "report: report.json and report.html",
  enabled: () => true,
  needs: ({ spec }) => [
    "evaluate",
    ...(spec.stages.train ? (["train"] as const) : []),
    ...(spec.stages.annotate ? (["annotate"] as const) : []),
  ],
  keyInputs: ({ spec }) => ({
    config: { evaluate: spec.stages.evaluate, spec },
    paths: { test: join(spec.dataset.dir, "qrels", `${spec.dataset.test}.tsv`) },
  }),
  async run(ctx) {
    const { spec } = ctx.pipeline;
    ctx.progress(0, 1, "reports");
    const evaluated = ctx.upstream("evaluate").dir;
    const file = JSON.parse(await readFile(join(evaluated, SYSTEMS_FILE), "utf8")) as SystemsFile;
    const systems = [];
    for (const s of file.systems)
      systems.push({
        name: s.name,
        description: s.description,
        run: (await readTrecRun(join(evaluated, s.run))).run,
      });
    const rocName = file.systems.find((s) => s.id === file.rocSystem)?.name;
    const training = spec.stages.train
      ? await readJsonLines<EngineEvent>(join(ctx.upstream("train").dir, TRAINING_EVENTS))
      : undefined;
    const labels = await labelsOf(ctx);
    const evaluate = spec.stages.evaluate;
    const report = buildReport({
      title: spec.name ?? basename(spec.output),
      dataset: { name: basename(spec.dataset.dir), split: spec.dataset.test },
      systems,
      qrels: await readBeirQrels(join(spec.dataset.dir, "qrels", `${spec.dataset.test}.tsv`)),
      measures: evaluate.measures,
      recallCutoffs: evaluate.recallCurve,
      test: evaluate.test,
      alpha: evaluate.alpha,
      ...(rocName ? { rocSystem: rocName } : {}),
      ...(training ? { training } : {}),
      ...(labels ? { labels } : {}),
      config: { spec, tuning: file.tuning },
      versions: ctx.env.versions,
    });
    const written = await writeReport(spec.output, report);
    ctx.progress(1, 1, "reports");
    return {
      json: written.json,
      html: written.html,
      means: Object.fromEntries(report.systems.map((s) => [s.name, s.mean])),
    };
  },
};
