/** KV contract: CAS semantics (create-if-absent, update at revision), delete, keys and watch. */
import { AlreadyExistsError, ConflictError } from "@ferret/errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bus, KvChange, KvStore } from "../../types.js";
import { eventually } from "../waiting.js";
import { type BusHarness, uniqueName } from "./harness.js";

interface JobState {
  state: string;
  progress?: number;
}

export function describeKvContract(harness: BusHarness): void {
  describe(`KV (${harness.kind})`, () => {
    let bus: Bus;
    let kv: KvStore<JobState>;
    beforeAll(async () => {
      bus = await harness.createBus();
      kv = await bus.kv<JobState>(uniqueName(harness, "jobs"), { history: 5 });
    });
    afterAll(async () => {
      await kv?.destroy();
      await bus?.close();
    });

    it("does compare-and-set: create-if-absent, update at a revision, ConflictError when stale", async () => {
      const r1 = await kv.create("job.a", { state: "queued" });
      await expect(kv.create("job.a", { state: "queued" })).rejects.toThrow(AlreadyExistsError);

      const r2 = await kv.update("job.a", { state: "running", progress: 0.1 }, r1);
      expect(r2).toBeGreaterThan(r1);
      // A writer that read r1 lost the race: its update must fail, and the value stays the winner's.
      const stale = kv.update("job.a", { state: "cancelled" }, r1);
      await expect(stale).rejects.toThrow(ConflictError);
      await expect(stale).rejects.toMatchObject({ code: "CONFLICT" });
      expect(await kv.get("job.a")).toMatchObject({
        key: "job.a",
        value: { state: "running", progress: 0.1 },
        revision: r2,
      });

      await expect(kv.delete("job.a", { revision: r1 })).rejects.toThrow(ConflictError);
      await kv.delete("job.a", { revision: r2 });
      expect(await kv.get("job.a")).toBeUndefined();
      // A deleted key counts as absent for create.
      const r3 = await kv.create("job.a", { state: "queued" });
      expect(r3).toBeGreaterThan(r2);
      expect((await kv.get("job.a"))?.updatedAt).toBeInstanceOf(Date);
    });

    it("puts unconditionally and lists keys by pattern", async () => {
      await kv.put("run.x.state", { state: "done" });
      await kv.put("run.y.state", { state: "failed" });
      await kv.put("run.y.log", { state: "n/a" });
      await kv.put("run.z.state", { state: "gone" });
      await kv.delete("run.z.state");
      expect((await kv.keys("run.*.state")).sort()).toEqual(["run.x.state", "run.y.state"]);
      expect((await kv.keys("run.>")).sort()).toEqual(["run.x.state", "run.y.log", "run.y.state"]);
    });

    it("watches current values, then changes in revision order", async () => {
      await kv.put("w.1", { state: "a" });
      const changes: KvChange<JobState>[] = [];
      const sub = await kv.watch("w.*", (c) => void changes.push(c));
      try {
        await eventually(5_000, "the initial value", () => changes.length === 1);
        const r = await kv.put("w.2", { state: "b" });
        await kv.delete("w.1");
        await kv.put("other", { state: "ignored" });
        await eventually(5_000, "two changes", () => changes.length === 3);
        expect(changes.map((c) => [c.key, c.operation, c.value?.state])).toEqual([
          ["w.1", "put", "a"],
          ["w.2", "put", "b"],
          ["w.1", "delete", undefined],
        ]);
        expect(changes[1]!.revision).toBe(r);
        expect(changes[2]!.revision).toBeGreaterThan(r);
      } finally {
        await sub.stop();
      }
    });

    it("stores raw bytes in a bytes bucket", async () => {
      const raw = await bus.kv(uniqueName(harness, "raw"), { codec: "bytes" });
      try {
        await raw.put("blob", new Uint8Array([1, 2, 3, 0]));
        expect([...(await raw.get("blob"))!.value]).toEqual([1, 2, 3, 0]);
      } finally {
        await raw.destroy();
      }
    });

    it("rejects keys NATS would reject", async () => {
      await expect(kv.put("bad key", { state: "x" })).rejects.toThrow(/KV key/);
    });
  });
}
