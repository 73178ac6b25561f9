import { describe, expect, it } from "vitest";
import { createRegistry, serviceMetrics } from "./index.js";

describe("serviceMetrics", () => {
  it("names every metric ferret_<service>_<name> in the service's registry, the RPC metrics included", async () => {
    const registry = createRegistry({ defaults: false });
    const m = serviceMetrics(registry, "demo", { buckets: [1] });
    m.counter("pairs_total", "Pairs").inc(3);
    m.counter("batches_total", "Batches by outcome", ["outcome"]).inc({ outcome: "ok" });
    m.gauge("depth", "Depth by queue", ["queue"]).set({ queue: "q" }, 7);
    m.histogram("job_seconds", "Job duration", [0.5, 5]).observe(2);
    await m.rpc.timeCall("Get", async () => undefined);
    const text = await registry.metrics();
    expect(text).toContain("# HELP ferret_demo_pairs_total Pairs");
    expect(text).toMatch(/^ferret_demo_pairs_total 3$/m);
    expect(text).toMatch(/^ferret_demo_batches_total\{outcome="ok"\} 1$/m);
    expect(text).toMatch(/^ferret_demo_depth\{queue="q"\} 7$/m);
    expect(text).toMatch(/^ferret_demo_job_seconds_bucket\{le="0.5"\} 0$/m);
    expect(text).toMatch(/^ferret_demo_job_seconds_bucket\{le="5"\} 1$/m);
    expect(text).toMatch(/^ferret_demo_calls_total\{method="Get",outcome="OK"\} 1$/m);
  });
});
