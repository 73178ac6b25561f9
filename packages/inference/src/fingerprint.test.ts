import { rm } from "node:fs/promises";
import { afterAll, describe, expect, it } from "vitest";
import { modelFingerprint } from "./fingerprint.js";
import { loadModelDir } from "./model-dir.js";
import { BI_ENCODER_DIR, variantDir } from "./test-support/fixtures.js";

const temps: string[] = [];
afterAll(async () => {
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

async function fp(dir: string, variant: "fp32" | "quantized" = "fp32"): Promise<string> {
  return modelFingerprint(await loadModelDir(dir, variant));
}

describe("modelFingerprint", () => {
  it("depends on content and settings, not on the directory or provenance", async () => {
    const base = await fp(BI_ENCODER_DIR);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    const copy = await variantDir("tiny-bert", (f) => ({ ...f, source: { name: "copied" } }));
    const cls = await variantDir("tiny-bert", (f) => ({ ...f, pooling: "cls" }));
    temps.push(copy, cls);
    expect(await fp(copy)).toBe(base);
    expect(await fp(cls)).not.toBe(base);
    expect(await fp(BI_ENCODER_DIR, "quantized")).not.toBe(base);
  });
});
