export { Counter, Gauge, Histogram, Registry, createRegistry } from "./registry.js";
export { startMetricsServer } from "./metrics-server.js";
export type { MetricsServer } from "./metrics-server.js";
