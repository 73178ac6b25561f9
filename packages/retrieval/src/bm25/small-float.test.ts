import { describe, expect, it } from "vitest";
import { LENGTH_TABLE, byte4ToInt, intToByte4 } from "./small-float.js";

describe("SmallFloat byte4 encoding", () => {
  it("is exact below 24 and keeps 4 significant bits above (hand-computed from Lucene's algorithm)", () => {
    // MAX_INT4 = longToInt4(2^31 - 1) = 7 | (28 << 3) = 231, so 255 - 231 = 24 values are stored as is.
    expect(intToByte4(23)).toBe(23);
    expect(byte4ToInt(23)).toBe(23);
    expect(intToByte4(24)).toBe(24);
    // 100 - 24 = 76 = 0b1001100: 7 bits, shift 3, mantissa (76 >>> 3) & 7 = 1, exponent 4 -> 1 | 32 = 33.
    expect(intToByte4(100)).toBe(24 + 33);
    // Decoding 57: 24 + ((1 | 8) << 3) = 24 + 72 = 96.
    expect(byte4ToInt(57)).toBe(96);
    expect(byte4ToInt(255)).toBe(24 + 0xf * 2 ** 27);
    expect(LENGTH_TABLE[57]).toBe(96);
  });

  it("never decodes above the input and is monotone", () => {
    let prev = -1;
    for (let i = 0; i < 100_000; i += 7) {
      const b = intToByte4(i);
      expect(byte4ToInt(b)).toBeLessThanOrEqual(i);
      expect(b).toBeGreaterThanOrEqual(prev);
      prev = b;
    }
  });
});
