/**
 * The bus contract suite: one set of behaviours every adapter must show, run unchanged by
 * nats.test.ts (against a real nats-server) and memory.test.ts (in-process).
 */
import type { BusHarness } from "./harness.js";
import { describeEventsContract } from "./events-contract.js";
import { describeKvContract } from "./kv-contract.js";
import { describeObjectContract } from "./object-contract.js";
import { describeQueueContract } from "./queue-contract.js";

export type { BusHarness, DoomedWorker, DoomedWorkerSpec } from "./harness.js";

export function describeBusContract(harness: BusHarness): void {
  describeQueueContract(harness);
  describeEventsContract(harness);
  describeKvContract(harness);
  describeObjectContract(harness);
}
