import fc from "fast-check";
import { fuzzParameters } from "@ferret/errors/testing";
import { describe, expect, it } from "vitest";
import { TokenTermTable } from "./token-term-table.js";

/** Tokens drawn from a small alphabet, so repeats, shared prefixes and hash collisions of slots abound. */
const tokens = fc.array(fc.string({ unit: fc.constantFrom("a", "b", "é", "\u{1F600}"), maxLength: 6 }), {
  maxLength: 3000,
});

describe("TokenTermTable", () => {
  it("returns what resolve gave each distinct token, resolving each once until the limit clears it", () => {
    fc.assert(
      fc.property(tokens, fc.constantFrom(4, 50, 1 << 20), (list, limit) => {
        const table = new TokenTermTable(limit);
        const expected = new Map<string, number>();
        let resolved = 0;
        const source = `>${list.join("|")}<`;
        let at = 1;
        for (const token of list) {
          const start = at;
          at += token.length + 1;
          const value = table.intern(source, start, start + token.length, (t) => {
            expect(t).toBe(token);
            resolved++;
            return expected.get(t) ?? t.length * 31 + (t.codePointAt(0) ?? 0);
          });
          if (!expected.has(token)) expected.set(token, value);
          expect(value).toBe(expected.get(token));
        }
        if (limit > list.length) expect(resolved).toBe(expected.size);
        expect(table.size).toBeLessThanOrEqual(Math.min(limit, expected.size));
      }),
      fuzzParameters(100),
    );
  });
});
