/**
 * The ferret.v1.Ranker gRPC service (proto/ferret/v1/ranker.proto): Score and Rerank run in the call with
 * the cross-encoders of a ModelCatalog; SubmitScoreJob queues a batch scoring job on the bus (see
 * jobs/score-worker.ts), WatchScoreJob streams its status until it ends, GetScoreJobResult returns its scores.
 * Bad input is an InputError (INVALID_ARGUMENT naming the field); Rerank's BEIR directories are resolved
 * under a configured corpora root and may not leave it. Every RPC is timed and counted (service-metrics.ts).
 */
import type { Bus } from "@ferret/bus";
import { CancelledError, ConflictError, InputError, UnsupportedError } from "@ferret/errors";
import { defineService, type ServiceImplementation, type ServiceRegistration } from "@ferret/grpc";
import { RankerService, type RerankCorpus } from "@ferret/proto";
import { pathUnderRoot } from "@ferret/service";
import { submitScoreJob } from "../jobs/submit-score-job.js";
import { readScoreJob, readScoreJobResult, watchScoreJob } from "../jobs/score-job-results.js";
import type { ScoreJobNames, ScorePairTuple } from "../jobs/score-job-record.js";
import { loadBeirTexts, recordTexts } from "../rerank/beir-texts.js";
import type { ModelCatalog } from "../rerank/model-catalog.js";
import { DEFAULT_RERANK_DEPTH, rerankCandidates, rerankRun, type RerankTexts } from "../rerank/rerank-run.js";
import { jobStatusOf, runFromMessage, runToMessage } from "./proto-convert.js";
import { noMetrics, type RankerMetrics } from "./service-metrics.js";

export interface RankerServiceOptions {
  models: ModelCatalog;
  /** Root of the BEIR directories Rerank may read; without it only inline texts are accepted. */
  corporaRoot?: string;
  /** For scoring jobs; without it the job methods answer UNIMPLEMENTED. */
  bus?: Bus;
  jobNames?: Partial<ScoreJobNames>;
  metrics?: RankerMetrics;
}

function corpusDir(root: string | undefined, relative: string): string {
  if (root === undefined) {
    throw new InputError({ file: "<request>", field: "corpus.beir_dir" }, "this ranker has no corpora root");
  }
  const dir = pathUnderRoot(root, relative);
  if (dir === undefined) {
    throw new InputError(
      { file: "<request>", field: "corpus.beir_dir" },
      `"${relative}" leaves the corpora root`,
    );
  }
  return dir;
}

async function textsFor(
  corpus: RerankCorpus | undefined,
  root: string | undefined,
  docIds: Set<string>,
): Promise<RerankTexts> {
  const inline = recordTexts(corpus?.documents ?? [], corpus?.queries ?? [], "<request corpus>");
  if (corpus === undefined || corpus.beirDir === "") return inline;
  const beir = await loadBeirTexts(corpusDir(root, corpus.beirDir), docIds);
  return {
    label: beir.label,
    query: (id) => inline.query(id) ?? beir.query(id),
    passage: (id) => inline.passage(id) ?? beir.passage(id),
  };
}

export function rankerHandlers(options: RankerServiceOptions): ServiceImplementation<typeof RankerService> {
  const { models } = options;
  const busOf = (): Bus => {
    if (options.bus === undefined) throw new UnsupportedError("this ranker runs no scoring jobs (no bus)");
    return options.bus;
  };
  const names = options.jobNames ?? {};
  const metrics = options.metrics ?? noMetrics;

  return {
    score: (request, { signal }) =>
      metrics.timeCall("Score", async () => {
        const scorer = await models.scorer(request.model?.name ?? "", request.quantized);
        const scores = await scorer.score(
          request.passages.map((p) => [request.query, p] as const),
          { signal },
        );
        metrics.pairsScored(scores.length);
        return { scores, model: scorer.name };
      }),

    rerank: (request, { signal }) =>
      metrics.timeCall("Rerank", async () => {
        if (request.run === undefined) throw new InputError({ file: "<request>", field: "run" }, "missing");
        const run = runFromMessage(request.run, "<request run>");
        const depth = request.depth === 0 ? DEFAULT_RERANK_DEPTH : request.depth;
        const docIds = new Set<string>();
        for (const ids of rerankCandidates(run, depth).values()) for (const id of ids) docIds.add(id);
        const scorer = await models.scorer(request.model?.name ?? "", request.quantized);
        const texts = await textsFor(request.corpus, options.corporaRoot, docIds);
        const result = await rerankRun(run, texts, scorer, { depth, keepTail: request.keepTail, signal });
        const name = request.name !== "" ? request.name : `${request.run.name || "run"}+${scorer.name}`;
        metrics.pairsScored(result.pairsScored);
        return { run: runToMessage(result.run, name), pairsScored: result.pairsScored };
      }),

    submitScoreJob: (request) =>
      metrics.timeCall("SubmitScoreJob", async () => {
        const pairs: ScorePairTuple[] = request.pairs.map((p) => [p.queryId, p.docId, p.query, p.passage]);
        const { record } = await submitScoreJob(busOf(), {
          ...(request.jobId === "" ? {} : { jobId: request.jobId }),
          model: models.resolveName(request.model?.name ?? ""),
          quantized: request.quantized,
          pairs,
          ...(request.batchSize === 0 ? {} : { batchSize: request.batchSize }),
          names,
        });
        return jobStatusOf(record);
      }),

    async *watchScoreJob(request, { signal }) {
      const end = metrics.startCall("WatchScoreJob");
      let failure: unknown;
      try {
        for await (const record of watchScoreJob(busOf(), request.jobId, { names, signal })) {
          yield jobStatusOf(record);
        }
      } catch (err) {
        failure = err;
        throw err;
      } finally {
        // a client that goes away mid-stream ends the generator without an error
        failure ??= signal.aborted ? new CancelledError("WatchScoreJob call cancelled") : undefined;
        end(failure);
      }
    },

    getScoreJobResult: (request) =>
      metrics.timeCall("GetScoreJobResult", async () => {
        const bus = busOf();
        const record = await readScoreJob(bus, request.jobId, names);
        if (record !== undefined && record.state !== "succeeded") {
          throw new ConflictError(
            `score job "${request.jobId}" is ${record.state} (${record.progress.done}/${record.progress.total} batches)${record.error === undefined ? "" : `: ${record.error.message}`}`,
          );
        }
        const { record: done, scores } = await readScoreJobResult(bus, request.jobId, names);
        return { status: jobStatusOf(done), scores };
      }),
  };
}

export function createRankerService(options: RankerServiceOptions): ServiceRegistration {
  return defineService(RankerService, rankerHandlers(options));
}
