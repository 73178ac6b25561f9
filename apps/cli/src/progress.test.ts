import { describe, expect, it } from "vitest";
import { PassThrough } from "node:stream";
import { LARGE_INPUT_BYTES, byteProgress, formatBytes, withByteProgress } from "./progress.js";

function capture(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new PassThrough() as unknown as NodeJS.WriteStream;
  (stream as unknown as { isTTY: boolean }).isTTY = isTTY;
  (stream as unknown as PassThrough).on("data", (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

describe("byteProgress", () => {
  it("stays silent for small inputs when stderr is not a terminal", () => {
    const out = capture(false);
    const bar = byteProgress({ label: "reading", stream: out.stream });
    bar.update(10, 100);
    bar.update(100, 100);
    bar.stop();
    expect(out.text()).toBe("");
  });

  it("reports large inputs even without a terminal, and never when disabled", async () => {
    const out = capture(false);
    await withByteProgress({ label: "reading", stream: out.stream }, async (onProgress) => {
      onProgress(LARGE_INPUT_BYTES / 2, LARGE_INPUT_BYTES);
      onProgress(LARGE_INPUT_BYTES, LARGE_INPUT_BYTES);
    });
    expect(out.text()).toContain("reading [");
    expect(out.text()).toContain("100%");

    const off = capture(true);
    const bar = byteProgress({ label: "reading", stream: off.stream, enabled: false });
    bar.update(5, 10);
    bar.stop();
    expect(off.text()).toBe("");
  });

  it("formats byte counts in SI units", () => {
    expect([formatBytes(999), formatBytes(8_334_928), formatBytes(2.5e9)]).toEqual([
      "999 B",
      "8.3 MB",
      "2.5 GB",
    ]);
  });
});
