/**
 * The ferret.v1.Evaluator gRPC service (proto/ferret/v1/evaluator.proto): Evaluate, Compare and Fuse over
 * runs and qrels given inline, as TREC text or as artifacts. Bad input is an InputError or
 * InvalidArgumentError, which @ferret/grpc answers with INVALID_ARGUMENT and the message naming the source,
 * line and field. Long evaluations and comparisons stop at the call's deadline or cancellation.
 */
import type { Qrels } from "@ferret/datasets";
import {
  defineService,
  type CallContext,
  type ServiceImplementation,
  type ServiceRegistration,
} from "@ferret/grpc";
import type {
  CompareRequest,
  CompareResponse,
  EvaluateRequest,
  EvaluateResponse,
  FuseRequest,
  FuseResponse,
  NamedRun,
} from "@ferret/proto";
import { EvaluatorService } from "@ferret/proto";
import { renderComparisonText } from "../compare/render.js";
import { resolveQrelsSource, resolveRunSource, type SourceContext } from "../sources.js";
import type { ArtifactFetcher } from "./artifacts.js";
import { compareRuns, type NamedRunData } from "./compare-runs.js";
import { evaluateInSlices, throwIfAborted } from "./evaluate-in-slices.js";
import { fuseRuns } from "./fuse-runs.js";
import { comparisonCells, evaluationToResponse, runToMessage } from "./proto-convert.js";
import { evaluateOptionsFrom, measureSpecs, significanceTestFrom } from "./request-options.js";
import { noMetrics, type EvaluatorMetrics } from "./service-metrics.js";

export interface EvaluatorServiceOptions {
  /** Where ArtifactRefs are read from; without it requests naming artifacts are refused. */
  artifacts?: ArtifactFetcher;
  metrics?: EvaluatorMetrics;
  /** Queries evaluated between checks of the call's signal (see evaluate-in-slices.ts). */
  sliceQueries?: number;
}

export const REQUEST_RUN = "<request run>";
export const REQUEST_QRELS = "<request qrels>";

function namedRunLabel(run: NamedRun, index: number): string {
  return run.name === "" ? `<request runs[${index}]>` : `<request run "${run.name}">`;
}

async function resolveNamedRuns(runs: readonly NamedRun[], context: SourceContext): Promise<NamedRunData[]> {
  const resolved: NamedRunData[] = [];
  for (let i = 0; i < runs.length; i++) {
    const named = runs[i] as NamedRun;
    const { run, name } = await resolveRunSource(named.run, namedRunLabel(named, i), context);
    resolved.push({ name: named.name !== "" ? named.name : (name ?? `run${i + 1}`), run });
  }
  return resolved;
}

function qrelsOf(request: { qrels?: EvaluateRequest["qrels"] }, context: SourceContext): Promise<Qrels> {
  return resolveQrelsSource(request.qrels, REQUEST_QRELS, context);
}

/** The handlers, for callers that host them in their own server or call them in-process. */
export function evaluatorHandlers(
  options: EvaluatorServiceOptions = {},
): ServiceImplementation<typeof EvaluatorService> {
  const metrics = options.metrics ?? noMetrics;
  const slicing = options.sliceQueries === undefined ? {} : { sliceQueries: options.sliceQueries };
  const contextOf = ({ signal }: CallContext): SourceContext =>
    options.artifacts === undefined ? { signal } : { signal, artifacts: options.artifacts };

  async function evaluate(request: EvaluateRequest, call: CallContext): Promise<EvaluateResponse> {
    const measures = measureSpecs(request.measures);
    const context = contextOf(call);
    const [{ run }, qrels] = await Promise.all([
      resolveRunSource(request.run, REQUEST_RUN, context),
      qrelsOf(request, context),
    ]);
    const evaluation = await evaluateInSlices(run, qrels, measures, evaluateOptionsFrom(request.options), {
      signal: call.signal,
      ...slicing,
    });
    return evaluationToResponse(evaluation);
  }

  async function compare(request: CompareRequest, call: CallContext): Promise<CompareResponse> {
    const measures = measureSpecs(request.measures);
    const test = significanceTestFrom(request.test);
    const context = contextOf(call);
    const [runs, qrels] = await Promise.all([
      resolveNamedRuns(request.runs, context),
      qrelsOf(request, context),
    ]);
    const { table } = await compareRuns(runs, qrels, {
      measures,
      evaluate: evaluateOptionsFrom(request.options),
      test,
      ...(request.alpha === 0 ? {} : { alpha: request.alpha }),
      ...(request.rounds === 0 ? {} : { rounds: request.rounds }),
      ...(request.seed === 0 ? {} : { seed: request.seed }),
      holm: request.holm,
      signal: call.signal,
    });
    return { baseline: table.baseline, cells: comparisonCells(table), table: renderComparisonText(table) };
  }

  async function fuse(request: FuseRequest, call: CallContext): Promise<FuseResponse> {
    const runs = await resolveNamedRuns(request.runs, contextOf(call));
    throwIfAborted(call.signal);
    // Two runs and one weight: the weight is α on the first run (see FuseRequest.weights).
    const alpha = runs.length === 2 && request.weights.length === 1 ? request.weights[0] : undefined;
    const fused = fuseRuns(
      runs.map((r) => r.run),
      {
        method: request.method,
        normalization: request.normalization,
        ...(alpha === undefined ? { weights: request.weights } : { alpha }),
        ...(request.rrfK === 0 ? {} : { k: request.rrfK }),
        ...(request.depth === 0 ? {} : { depth: request.depth }),
      },
    );
    return { run: runToMessage(fused, request.name === "" ? "fused" : request.name) };
  }

  return {
    evaluate: (request, call) => metrics.timeCall("Evaluate", () => evaluate(request, call)),
    compare: (request, call) => metrics.timeCall("Compare", () => compare(request, call)),
    fuse: (request, call) => metrics.timeCall("Fuse", () => fuse(request, call)),
  };
}

/** The service to pass to startGrpcServer({ services: [createEvaluatorService(...)] }). */
export function createEvaluatorService(options: EvaluatorServiceOptions = {}): ServiceRegistration {
  return defineService(EvaluatorService, evaluatorHandlers(options));
}
