/** The index build progress gauges: set per index while a build runs, removed when it ends. */
import { createRegistry } from "@ferret/metrics";
import { describe, expect, it } from "vitest";
import { encoderMetrics } from "./service-metrics.js";

describe("encoderMetrics", () => {
  it("reports an index build's progress while it runs and drops it when it ends", async () => {
    const registry = createRegistry({ defaults: false });
    const metrics = encoderMetrics(registry);
    metrics.indexProgress("docs", 1536, 4096, 3, 8);
    let text = await registry.metrics();
    expect(text).toMatch(/^ferret_encoder_index_documents\{index="docs"\} 4096$/m);
    expect(text).toMatch(/^ferret_encoder_index_documents_done\{index="docs"\} 1536$/m);
    expect(text).toMatch(/^ferret_encoder_index_shards_done_ratio\{index="docs"\} 0.375$/m); // 3 / 8
    metrics.indexFinished("docs", "CANCELLED");
    text = await registry.metrics();
    expect(text).not.toMatch(/index="docs"/);
    expect(text).toMatch(/^ferret_encoder_index_jobs_total\{outcome="CANCELLED"\} 1$/m);
  });
});
