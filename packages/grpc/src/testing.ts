// Test support for services' tests (`@ferret/grpc/testing`), kept out of the production API.
export { spawnServiceProcess } from "./spawn-service-process.js";
export type { ServiceProcess } from "./spawn-service-process.js";
