// The service runtime every service's start file and main.ts use:
//
//   export const startRanker = serviceStart("ranker", async (config: RankerConfig, runtime) => {
//     const models = new ModelCatalog(...);
//     runtime.onClose(() => models.close());
//     await runtime.listen([createRankerService({ models, bus: runtime.bus, ... })]);
//     const worker = await runtime.startWorker(config.jobs.enabled, () => startScoreWorker({ ... }));
//     return { models, worker };
//   });
//
//   export type RunningRanker = Awaited<ReturnType<typeof startRanker>>;
//
//   await runServiceProcess("ranker", (logger) => startRanker(loadRankerConfig(), { logger })); // main.ts
export { serviceStart, startService } from "./start-service.js";
export type {
  RunningService,
  ServiceRuntime,
  ServiceStart,
  StartServiceOptions,
  Worker,
} from "./start-service.js";
export { openBus } from "./open-bus.js";
export { pathUnderRoot } from "./path-under-root.js";
export { runServiceProcess } from "./run-service-process.js";
export type { StoppableService } from "./run-service-process.js";
