/** Events contract: live and group subscribers, wildcards, retries within a group, dedup by id. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bus, BusEvent, Subscription } from "../../types.js";
import { deferred, eventually, sleep, within } from "../waiting.js";
import { type BusHarness, uniqueName } from "./harness.js";

export function describeEventsContract(harness: BusHarness): void {
  describe(`events (${harness.kind})`, () => {
    let bus: Bus;
    const subs: Subscription[] = [];
    beforeAll(async () => {
      bus = await harness.createBus();
    });
    afterAll(async () => {
      await Promise.all(subs.map((s) => s.stop({ graceMs: 100 })));
      await bus?.close({ graceMs: 100 });
    });

    it("delivers to plain subscribers by pattern, asynchronously and in order", async () => {
      const scope = uniqueName(harness, "live").replace(/-/g, "_");
      const indexed: BusEvent<{ corpus: string }>[] = [];
      const any: string[] = [];
      let insidePublish = false;
      subs.push(
        await bus.events.subscribe<{ corpus: string }>(`${scope}.corpus.indexed`, (e) => {
          expect(insidePublish).toBe(false);
          indexed.push(e);
        }),
        await bus.events.subscribe(`${scope}.corpus.*`, (e) => void any.push(e.type)),
      );
      insidePublish = true;
      const published = bus.events.publish(`${scope}.corpus.indexed`, { corpus: "scifact" }, { id: "ev-1" });
      insidePublish = false;
      await published;
      await bus.events.publish(`${scope}.corpus.deleted`, { corpus: "nfcorpus" });
      await bus.events.publish(`${scope}.model.published`, { model: "m" });
      await bus.events.publish(`${scope}.corpus.indexed`, { corpus: "fiqa" });
      await eventually(5_000, "live events", () => indexed.length === 2 && any.length === 3);
      expect(indexed.map((e) => e.data.corpus)).toEqual(["scifact", "fiqa"]);
      expect(indexed[0]).toMatchObject({ type: `${scope}.corpus.indexed`, id: "ev-1", deliveryCount: 1 });
      expect(indexed[0]!.time).toBeInstanceOf(Date);
      expect(any).toEqual([`${scope}.corpus.indexed`, `${scope}.corpus.deleted`, `${scope}.corpus.indexed`]);
    });

    it("shares a group's events among its members, once each, and retries a failed event", async () => {
      const scope = uniqueName(harness, "grp").replace(/-/g, "_");
      const group = uniqueName(harness, "trainer");
      const handled = new Map<string, number>();
      const members = [0, 0];
      let failedOnce = false;
      const retried = deferred<number>();
      const replica = await harness.replica(bus);
      const handler = (member: number) => async (e: BusEvent<{ n: number }>) => {
        if (e.data.n === 3 && !failedOnce) {
          failedOnce = true;
          throw new Error("transient");
        }
        if (e.data.n === 3) retried.resolve(e.deliveryCount);
        handled.set(e.id, (handled.get(e.id) ?? 0) + 1);
        members[member]!++;
      };
      const options = { group, concurrency: 2, backoff: { initialMs: 100, jitter: 0 } };
      subs.push(await bus.events.subscribe(`${scope}.job.*`, handler(0), options));
      subs.push(await replica.events.subscribe(`${scope}.job.*`, handler(1), options));
      try {
        for (let n = 0; n < 20; n++) await bus.events.publish(`${scope}.job.done`, { n }, { id: `e${n}` });
        await eventually(10_000, "20 group events", () => handled.size === 20);
        await sleep(300);
        expect([...handled.values()].every((c) => c === 1)).toBe(true);
        expect(await within(1_000, "the retry", retried.promise)).toBe(2);
        expect(members[0]! + members[1]!).toBe(20);
      } finally {
        if (replica !== bus) await replica.close({ graceMs: 100 });
      }
    }, 20_000);

    it("drops a republished event with the same id", async () => {
      const scope = uniqueName(harness, "dup").replace(/-/g, "_");
      const got: number[] = [];
      subs.push(
        await bus.events.subscribe<{ v: number }>(`${scope}.x`, (e) => void got.push(e.data.v), {
          group: uniqueName(harness, "dupgroup"),
        }),
      );
      await bus.events.publish(`${scope}.x`, { v: 1 }, { id: "once" });
      await bus.events.publish(`${scope}.x`, { v: 2 }, { id: "once" });
      await bus.events.publish(`${scope}.x`, { v: 3 }, { id: "other" });
      await eventually(5_000, "two events", () => got.length === 2);
      await sleep(300);
      expect(got).toEqual([1, 3]);
    });

    it("rejects wildcards in event types", async () => {
      await expect(bus.events.publish("corpus.*", {})).rejects.toThrow(/no wildcards/);
    });
  });
}
