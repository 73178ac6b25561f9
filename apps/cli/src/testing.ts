// Test support for other workspaces' tests (`@ferret/cli/testing`), kept out of the CLI's API.
export { ferret } from "./test-support/ferret-process.js";
export type { FerretResult } from "./test-support/ferret-process.js";
