/**
 * Builders of a service's own metrics, named `ferret_<service>_<name>` and registered in the service's
 * registry, so a service's metrics file says only what it counts: its per-RPC metrics (rpc-metrics.ts) come
 * with them.
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { rpcMetrics, type RpcMetrics, type RpcMetricsOptions } from "./rpc-metrics.js";

export interface ServiceMetricBuilders {
  /** `ferret_<service>_calls_total` and `ferret_<service>_call_seconds`. */
  readonly rpc: RpcMetrics;
  counter<L extends string = never>(name: string, help: string, labelNames?: readonly L[]): Counter<L>;
  gauge<L extends string = never>(name: string, help: string, labelNames?: readonly L[]): Gauge<L>;
  histogram<L extends string = never>(
    name: string,
    help: string,
    buckets: number[],
    labelNames?: readonly L[],
  ): Histogram<L>;
}

export function serviceMetrics(
  registry: Registry,
  service: string,
  rpc: RpcMetricsOptions = {},
): ServiceMetricBuilders {
  const named = (name: string) => `ferret_${service}_${name}`;
  return {
    rpc: rpcMetrics(registry, service, rpc),
    counter: (name, help, labelNames = []) =>
      new Counter({ name: named(name), help, labelNames, registers: [registry] }),
    gauge: (name, help, labelNames = []) =>
      new Gauge({ name: named(name), help, labelNames, registers: [registry] }),
    histogram: (name, help, buckets, labelNames = []) =>
      new Histogram({ name: named(name), help, buckets, labelNames, registers: [registry] }),
  };
}
