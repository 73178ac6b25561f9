// Test support for other packages' tests (`@ferret/grpc/testing`), kept out of the production API.
export {
  BAD_REQUEST_STATUSES,
  assertBadRequestOutcome,
  fuzzMethod,
  fuzzOutcome,
  fuzzRawRequests,
  rawRequestArbitrary,
  requestArbitrary,
} from "./request-fuzz.js";
export type { FieldValues, FuzzMethodOptions, FuzzOutcome } from "./request-fuzz.js";
export { makeTestPki } from "./test-support/test-pki.js";
export type { TestPki } from "./test-support/test-pki.js";
