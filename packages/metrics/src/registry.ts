import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export { Counter, Gauge, Histogram, Registry };

/** A fresh registry per process (not prom-client's global), with Node's default metrics. */
export function createRegistry(options: { prefix?: string; defaults?: boolean } = {}): Registry {
  const registry = new Registry();
  if (options.defaults ?? true)
    collectDefaultMetrics({ register: registry, prefix: options.prefix ?? "ferret_" });
  return registry;
}
