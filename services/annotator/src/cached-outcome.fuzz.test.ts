/**
 * Property-based tests of the outcome cache's readers (fixed seed; FERRET_FUZZ_RUNS for more): whatever
 * bytes an entry holds (valid outcomes, outcomes with a field removed, retyped or added, truncated JSON,
 * arbitrary text, invalid UTF-8), FileOutcomeCache and KvOutcomeCache (in-process bus and a real
 * nats-server) either return an outcome of the stored shape or throw an InputError naming the entry
 * and the field at fault; the entry's bytes and the cache's other entries are unchanged afterwards.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import fc from "fast-check";
import { createBus, type Bus, type KvStore } from "@ferret/bus";
import { assertLocatedInputError, fuzzParameters, fuzzTimeout } from "@ferret/errors/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileOutcomeCache } from "./file-cache.js";
import { KvOutcomeCache, type CachedOutcome, type OutcomeCache } from "./label-cache.js";

const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const count = fc.nat(1_000_000);
const common = {
  raw: fc.string({ maxLength: 20 }),
  asks: count,
  llmCalls: count,
  usage: fc.record({ promptTokens: count, completionTokens: count }),
  model: fc.string({ maxLength: 10 }),
  createdAt: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
};
const outcome: fc.Arbitrary<CachedOutcome> = fc.oneof(
  fc.record({ status: fc.constant("ok" as const), value: fc.jsonValue(), ...common }),
  fc.record({ status: fc.constant("failed" as const), error: fc.string({ maxLength: 20 }), ...common }),
);
const FIELDS = ["status", "value", "error", "raw", "asks", "llmCalls", "usage", "model", "createdAt"];

/** An entry's bytes: a valid outcome, one with a field removed, retyped or added, or junk. */
const entryBytes: fc.Arbitrary<{ bytes: Uint8Array; valid?: CachedOutcome }> = fc.oneof(
  // What a valid entry reads back as is its JSON's value (-0 is stored as 0).
  outcome
    .map((o) => JSON.stringify(o))
    .map((json) => ({ bytes: Buffer.from(json), valid: JSON.parse(json) as CachedOutcome })),
  fc
    .tuple(outcome, fc.constantFrom(...FIELDS, "usage.promptTokens", "extra"), fc.option(fc.jsonValue()))
    .map(([o, field, value]) => {
      const copy = JSON.parse(JSON.stringify(o)) as Record<string, unknown>;
      const [head, tail] = field.split(".") as [string, string | undefined];
      const target = tail === undefined ? copy : (copy[head] as Record<string, unknown>);
      const key = tail ?? head;
      if (value === null) delete target[key];
      else target[key] = value;
      return { bytes: Buffer.from(JSON.stringify(copy)) };
    }),
  outcome
    .map((o) => JSON.stringify(o))
    .chain((json) => fc.nat(json.length).map((cut) => ({ bytes: Buffer.from(json.slice(0, cut)) }))),
  fc.jsonValue().map((v) => ({ bytes: Buffer.from(JSON.stringify(v) ?? "") })),
  fc.string({ maxLength: 40 }).map((s) => ({ bytes: Buffer.from(s) })),
  fc.uint8Array({ maxLength: 40 }).map((b) => ({ bytes: b })),
);
const key = fc.stringMatching(/^[0-9a-f]{64}$/);
const SENTINEL_KEY = "f".repeat(64);

/**
 * The verdict on one read of a fuzzed entry: the valid outcome it held, an outcome of the stored shape,
 * or an InputError naming `entry`.
 */
async function checkRead(cache: OutcomeCache, k: string, entry: string, valid?: CachedOutcome) {
  try {
    const got = await cache.get(k);
    if (valid !== undefined) expect(got).toEqual(valid);
    expect(got).toBeDefined();
    expect(["ok", "failed"]).toContain(got!.status);
    for (const f of ["raw", "model", "createdAt"] as const) expect(typeof got![f]).toBe("string");
    expect(Number.isSafeInteger(got!.usage.promptTokens + got!.asks + got!.llmCalls)).toBe(true);
  } catch (err) {
    expect(valid).toBeUndefined();
    assertLocatedInputError(err, entry);
  }
}

let dir: string;
let sentinel: CachedOutcome;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "annotator-cache-fuzz-"));
  sentinel = fc.sample(outcome, { numRuns: 1, seed: 1 })[0]!;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("FileOutcomeCache, fuzzed", () => {
  it(
    "reads any entry file as an outcome or an InputError naming the file, and changes no file",
    async () => {
      const cacheDir = join(dir, "files");
      const cache = new FileOutcomeCache(cacheDir);
      await cache.put(SENTINEL_KEY, sentinel);
      const sentinelBytes = await readFile(join(cacheDir, "ff", `${SENTINEL_KEY}.json`));
      let cases = 0;
      await fc.assert(
        fc.asyncProperty(key, entryBytes, async (k, { bytes, valid }) => {
          fc.pre(k !== SENTINEL_KEY);
          cases++;
          const path = join(cacheDir, k.slice(0, 2), `${k}.json`);
          await mkdir(dirname(path), { recursive: true });
          await writeFile(path, bytes);
          await checkRead(cache, k, path, valid);
          expect(new Uint8Array(await readFile(path))).toEqual(new Uint8Array(bytes));
          await rm(path);
        }),
        fuzzParameters(200),
      );
      expect(await readFile(join(cacheDir, "ff", `${SENTINEL_KEY}.json`))).toEqual(sentinelBytes);
      expect(await cache.get(SENTINEL_KEY)).toEqual(sentinel);
      expect(cases).toBeGreaterThan(0);
    },
    fuzzTimeout(60_000),
  );
});

for (const kind of ["memory", "nats"] as const) {
  describe(`KvOutcomeCache on the ${kind} bus, fuzzed`, () => {
    let bus: Bus;
    let bucket: string;
    let raw: KvStore<Uint8Array>;
    beforeAll(async () => {
      bus =
        kind === "memory"
          ? await createBus({ kind: "memory", dir: join(dir, "bus") })
          : await createBus({ kind: "nats", url: NATS_URL, name: "annotator-cache-fuzz" });
      bucket = `cache-fuzz-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
      raw = await bus.kv(bucket, { codec: "bytes" });
    });
    afterAll(async () => {
      await raw?.destroy();
      await bus?.close();
    });

    it(
      "reads any entry as an outcome or an InputError naming the bucket and key, and changes no entry",
      async () => {
        const cache = new KvOutcomeCache(raw, bucket);
        await cache.put(SENTINEL_KEY, sentinel);
        await fc.assert(
          fc.asyncProperty(key, entryBytes, async (k, { bytes, valid }) => {
            fc.pre(k !== SENTINEL_KEY);
            await raw.put(`c.${k}`, bytes);
            await checkRead(cache, k, `${bucket}/c.${k}`, valid);
            expect((await raw.get(`c.${k}`))?.value).toEqual(new Uint8Array(bytes));
            await raw.delete(`c.${k}`);
          }),
          fuzzParameters(kind === "memory" ? 150 : 60),
        );
        expect(await cache.get(SENTINEL_KEY)).toEqual(sentinel);
      },
      fuzzTimeout(60_000),
    );
  });
}
