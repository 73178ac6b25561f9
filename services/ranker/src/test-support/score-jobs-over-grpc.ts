/**
 * A ranker serving score jobs on loopback for tests: a score worker and the gRPC Ranker on one bus and
 * model catalog (both the caller's, which it closes), and a client. `stop()` undoes it in order.
 */
import type { Bus } from "@ferret/bus";
import { createClient, startGrpcServer, type ServiceClient } from "@ferret/grpc";
import { RankerService } from "@ferret/proto";
import { startScoreWorker, type ScoreWorker } from "../jobs/score-worker.js";
import type { ScoreJobNames } from "../jobs/score-job-record.js";
import type { ModelCatalog } from "../rerank/model-catalog.js";
import { createRankerService } from "../service/ranker-service.js";

export interface ScoreJobsOverGrpc {
  worker: ScoreWorker;
  client: ServiceClient<typeof RankerService>;
  stop(): Promise<void>;
}

export async function serveScoreJobs(options: {
  bus: Bus;
  models: ModelCatalog;
  names?: ScoreJobNames;
}): Promise<ScoreJobsOverGrpc> {
  const { bus, models, names } = options;
  const worker = await startScoreWorker({
    bus,
    scorers: (m, q) => models.scorer(m, q),
    ...(names === undefined ? {} : { names }),
  });
  const server = await startGrpcServer({
    services: [createRankerService({ models, bus, ...(names === undefined ? {} : { jobNames: names }) })],
    host: "127.0.0.1",
    port: 0,
  });
  const client = createClient(RankerService, `127.0.0.1:${server.port}`, { deadlineMs: 60_000 });
  return {
    worker,
    client,
    async stop() {
      client.close();
      await server.shutdown();
      await worker.stop({ graceMs: 1_000 });
      await bus.close({ graceMs: 0 });
      await models.close();
    },
  };
}
