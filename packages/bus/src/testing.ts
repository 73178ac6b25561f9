// Test support for other packages' tests (`@ferret/bus/testing`), kept out of the production API.
export { startNatsServer } from "./test-support/nats-server.js";
export type { NatsServer, NatsServerOptions } from "./test-support/nats-server.js";
export { eventually, sleep, within } from "./test-support/waiting.js";
export { forkWorkerProcess } from "./test-support/worker-process.js";
export type { WorkerProcess, WorkerProcessOptions } from "./test-support/worker-process.js";
