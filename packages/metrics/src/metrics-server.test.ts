import { describe, expect, it } from "vitest";
import { Counter, createRegistry, startMetricsServer } from "./index.js";

describe("metrics server", () => {
  it("serves registered metrics over HTTP", async () => {
    const registry = createRegistry({ defaults: false });
    const jobs = new Counter({
      name: "ferret_jobs_total",
      help: "jobs done",
      labelNames: ["queue"],
      registers: [registry],
    });
    jobs.inc({ queue: "eval" }, 3);
    const server = await startMetricsServer(registry, { port: 0, host: "127.0.0.1" });
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('ferret_jobs_total{queue="eval"} 3');
      expect((await fetch(`http://127.0.0.1:${server.port}/nope`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
