/**
 * `ferret run --cluster <nats-url> <pipeline.yaml>`: plans the run here (spec, preflight checks, stage keys,
 * exactly as embedded mode), records it on the cluster's bus and announces it; the services' stage hosts
 * take it from there (stage-reactors.ts). This process only watches: the same progress view as embedded
 * mode, then the stage lines and the path of report.html. Ctrl-C (the signal) detaches and cancels nothing;
 * `--attach <run-id>` follows a run submitted earlier.
 */
import { createBus } from "@ferret/bus";
import { InternalError } from "@ferret/errors";
import { openPipelineStores, pipelineNames, submitRun } from "./pipeline-run.js";
import { planClusterRun } from "./plan-run.js";
import { watchRun, type RunView } from "./watch-run.js";
import { cliNatsAuth } from "../nats-auth.js";

export interface ClusterRunOptions {
  natsUrl: string;
  /** Submit this spec (else attach). */
  specFile?: string;
  /** Follow this run instead of submitting one; with specFile, the id to submit under. */
  runId?: string;
  attach: boolean;
  progress: boolean;
  /** Aborting detaches. */
  signal: AbortSignal;
  out(line: string): void;
}

export type ClusterRunOutcome =
  { state: "succeeded"; runId: string; reportHtml: string } | { state: "detached"; runId: string };

export async function runCluster(options: ClusterRunOptions): Promise<ClusterRunOutcome> {
  const { stageProgressView } = await import("../pipeline/index.js");
  const bus = await createBus({
    kind: "nats",
    url: options.natsUrl,
    name: "ferret-run",
    auth: cliNatsAuth(),
  });
  try {
    const stores = await openPipelineStores(bus, pipelineNames());
    let runId = options.runId;
    if (!options.attach) {
      const run = await planClusterRun(options.specFile!, { runId });
      runId = run.runId;
      const { created } = await submitRun(bus, stores, run);
      options.out(`run ${runId} ${created ? "submitted" : "was submitted before"} to ${options.natsUrl}`);
      options.out(
        `  Ctrl-C detaches (the run goes on); ferret run --cluster ${options.natsUrl} --attach ${runId}`,
      );
    }
    const id = runId!;
    let view: ReturnType<typeof stageProgressView> | undefined;
    const shown = new Map<string, string>();
    let last: RunView | undefined;
    for await (const current of watchRun(stores, id, options.signal)) {
      last = current;
      view ??= stageProgressView(
        current.run.stages.map((s) => s.name),
        { enabled: options.progress },
      );
      for (const { name } of current.run.stages) {
        const record = current.stages[name];
        if (record === undefined) continue;
        const before = shown.get(name);
        if (record.state === "succeeded") {
          if (before === "succeeded") continue;
          if (before === undefined) view.start(name);
          const result = record.result as { skipped?: boolean; seconds?: number } | undefined;
          if (result?.skipped === true) view.skip(name, current.run.stages.find((s) => s.name === name)!.key);
          else view.finish(name, result?.seconds ?? 0);
        } else if (record.state === "failed" || record.state === "cancelled") {
          if (before !== record.state) view.fail(name, record.error?.message ?? record.state);
        } else {
          if (before === undefined) view.start(name);
          if (record.progress.total > 0)
            view.update(name, record.progress.done, record.progress.total, record.progress.unit);
        }
        shown.set(name, record.state);
      }
    }
    view?.stop();
    if (last === undefined || last.state === "running") return { state: "detached", runId: id };
    if (last.state === "failed" || last.state === "cancelled") {
      const ended = last.run.stages.find((s) => last!.stages[s.name]?.state === last!.state);
      const record = ended ? last.stages[ended.name] : undefined;
      throw new InternalError(
        `run ${id}: stage ${ended?.name ?? "?"} ${last.state}: ${record?.error?.message ?? "no reason"}`,
      );
    }
    for (const { name, key } of last.run.stages) {
      const result = last.stages[name]?.result as { skipped?: boolean; seconds?: number } | undefined;
      options.out(
        `${name.padEnd(8)} ${result?.skipped === true ? "skipped (finished earlier)" : `done in ${(result?.seconds ?? 0).toFixed(1)} s`}  key ${key.slice(0, 12)}`,
      );
    }
    const report = last.stages.report?.result as { summary?: { html?: unknown } } | undefined;
    return { state: "succeeded", runId: id, reportHtml: String(report?.summary?.html ?? "") };
  } finally {
    await bus.close({ graceMs: 1000 });
  }
}
