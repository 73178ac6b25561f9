// Test support for other packages' tests (`@ferret/annotator/testing`), kept out of the production API:
// the fault-injection LLM server (a test double) and its task responder, built from test-support/.
export { startFaultInjectionServer } from "./test-support/fault-injection-server.js";
export type {
  Fault,
  FaultInjectionServer,
  RecordedRequest,
  Responder,
} from "./test-support/fault-injection-server.js";
export { taskResponder } from "./test-support/task-responder.js";
