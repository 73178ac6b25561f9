// A process hosting every stage of a test pipeline's reactors (the BUILT dist/cluster modules) on real NATS,
// to be SIGKILLed mid-stage by stage-reactors.test.ts. Stage HANG_STAGE tells the parent (IPC) it started,
// then waits forever; the others finish at once. Env: NATS_URL, PREFIX, EVENTS_STREAM, EVENTS_PREFIX, STAGES (comma list), HANG_STAGE.
import { createBus } from "@ferret/bus";
import { openPipelineStores, pipelineNames } from "../../../dist/cluster/pipeline-run.js";
import { startStageReactors } from "../../../dist/cluster/stage-reactors.js";

const bus = await createBus({
  kind: "nats",
  url: process.env.NATS_URL,
  name: "stage-host-process",
  events: { stream: process.env.EVENTS_STREAM, prefix: process.env.EVENTS_PREFIX },
});
const stores = await openPipelineStores(bus, pipelineNames(process.env.PREFIX));
await startStageReactors({
  bus,
  stores,
  stages: process.env.STAGES.split(","),
  ackWaitMs: 2000,
  runStage: async (run, stage) => {
    process.send({ type: "started", stage });
    if (stage === process.env.HANG_STAGE) await new Promise(() => {});
    process.send({ type: "finished", stage });
    return { by: "child", stage };
  },
});
process.send({ type: "ready" });
