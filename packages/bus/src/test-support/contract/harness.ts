/**
 * What the shared contract suite needs from an adapter's test file. Everything else is identical
 * for both adapters; the differences are spelled out here:
 * - replicas: on NATS a replica is a separate connection (another pod); in-process, replicas of a
 *   stage are consumers on the same bus (embedded mode is one process).
 * - a worker that dies mid-job: on NATS a real child process killed with SIGKILL; in-process a
 *   handler that never resolves (the process cannot lose one of its own consumers otherwise).
 */
import type { Bus, QueueOptions } from "../../types.js";

export interface DoomedWorkerSpec {
  bus: Bus;
  queue: string;
  queueOptions: QueueOptions;
  /** KV bucket where the worker records its effect (create-if-absent at `effect.<job id>`). */
  effectsBucket: string;
}

export interface DoomedWorker {
  /** Resolves with the job id once the worker has recorded its effect (it then hangs, never acking). */
  effectRecorded: Promise<string>;
  /** Kills the worker (NATS: SIGKILL, awaited exit) or abandons it (in-process: nothing to do). */
  kill(): Promise<void>;
  /** Releases whatever is left (in-process: stops the abandoned consumer). */
  dispose(): Promise<void>;
}

export interface BusHarness {
  readonly kind: "nats" | "memory";
  /** Run-unique suffix; every test resource name includes it. */
  readonly runId: string;
  createBus(): Promise<Bus>;
  /** Another replica of the same deployment (see above). */
  replica(bus: Bus): Promise<Bus>;
  startDoomedWorker(spec: DoomedWorkerSpec): Promise<DoomedWorker>;
}

export function uniqueName(harness: BusHarness, base: string): string {
  return `${base}-${harness.runId}`;
}
