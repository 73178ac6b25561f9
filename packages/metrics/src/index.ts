export { Counter, Gauge, Histogram, Registry, createRegistry } from "./registry.js";
export { startMetricsServer } from "./metrics-server.js";
export type { MetricsServer } from "./metrics-server.js";
export { noRpcMetrics, rpcMetrics } from "./rpc-metrics.js";
export type { RpcMetrics, RpcMetricsOptions } from "./rpc-metrics.js";
export { serviceMetrics } from "./service-metrics.js";
export type { ServiceMetricBuilders } from "./service-metrics.js";
