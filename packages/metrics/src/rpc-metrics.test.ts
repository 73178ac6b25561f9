import { NotFoundError } from "@ferret/errors";
import { describe, expect, it } from "vitest";
import { createRegistry, rpcMetrics } from "./index.js";

describe("rpcMetrics", () => {
  it("counts calls by method and outcome (OK, the FerretError code, INTERNAL) and times every call", async () => {
    const registry = createRegistry({ defaults: false });
    const rpc = rpcMetrics(registry, "demo", { buckets: [1, 10], durationNote: "Watch: the whole stream" });
    expect(await rpc.timeCall("Get", async () => 7)).toBe(7);
    await expect(
      rpc.timeCall("Get", () => Promise.reject(new NotFoundError("no such thing"))),
    ).rejects.toThrow("no such thing");
    await expect(rpc.timeCall("Get", () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    const end = rpc.startCall("Watch");
    end();
    const text = await registry.metrics();
    expect(text).toContain("# HELP ferret_demo_call_seconds Demo RPC duration (Watch: the whole stream)");
    expect(text).toContain('ferret_demo_calls_total{method="Get",outcome="OK"} 1');
    expect(text).toContain(
      `ferret_demo_calls_total{method="Get",outcome="${new NotFoundError("x").code}"} 1`,
    );
    expect(text).toContain('ferret_demo_calls_total{method="Get",outcome="INTERNAL"} 1');
    expect(text).toContain('ferret_demo_calls_total{method="Watch",outcome="OK"} 1');
    expect(text).toContain('ferret_demo_call_seconds_count{method="Get"} 3');
    expect(text).toContain('ferret_demo_call_seconds_bucket{le="10",method="Get"} 3');
  });
});
