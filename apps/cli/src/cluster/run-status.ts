/** A cluster run as the pipeline API answers it (proto/ferret/v1/pipeline.proto's PipelineRunStatus). */
import { toJobStatus } from "@ferret/jobs";
import { PipelineRunState, type PipelineRunStatus, type PipelineStageStatus } from "@ferret/proto";
import type { PlannedClusterStage, StageJobRecord } from "./pipeline-run.js";
import type { RunView } from "./watch-run.js";

const STATES: Record<RunView["state"], PipelineRunState> = {
  running: PipelineRunState.PIPELINE_RUN_STATE_RUNNING,
  succeeded: PipelineRunState.PIPELINE_RUN_STATE_SUCCEEDED,
  failed: PipelineRunState.PIPELINE_RUN_STATE_FAILED,
  cancelled: PipelineRunState.PIPELINE_RUN_STATE_CANCELLED,
};

/** What the stage runner (pipeline-stage-runner.ts) keeps as a stage job's result. */
interface StageJobResult {
  skipped?: boolean;
  seconds?: number;
  summary?: Record<string, unknown>;
}

export function toStageStatus(
  planned: PlannedClusterStage,
  record: StageJobRecord | undefined,
): PipelineStageStatus {
  const result = (record?.state === "succeeded" ? record.result : undefined) as StageJobResult | undefined;
  return {
    name: planned.name,
    key: planned.key,
    needs: planned.needs,
    job: record === undefined ? undefined : toJobStatus(record),
    skipped: result?.skipped === true,
    seconds: result?.seconds ?? 0,
    summaryJson: result?.summary === undefined ? "" : JSON.stringify(result.summary),
  };
}

export function toRunStatus(view: RunView): PipelineRunStatus {
  const { run } = view;
  const report = view.stages.report;
  const html = (report?.result as StageJobResult | undefined)?.summary?.html;
  return {
    runId: run.runId,
    specFile: run.specFile,
    output: run.output,
    manual: run.manual === true,
    state: STATES[view.state],
    stages: run.stages.map((s) => toStageStatus(s, view.stages[s.name])),
    submittedAt: new Date(run.submittedAt),
    reportHtml: report?.state === "succeeded" && typeof html === "string" ? html : "",
  };
}
