// Test support for services' tests (`@ferret/service/testing`), kept out of the production API.
export { spawnServiceProcess } from "./spawn-service-process.js";
export type { ServiceProcess } from "./spawn-service-process.js";
export { freePort } from "./free-port.js";
