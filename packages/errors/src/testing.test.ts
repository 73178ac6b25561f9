import { describe, expect, it } from "vitest";
import { InputError, NotFoundError } from "./index.js";
import {
  DEFAULT_FUZZ_SEED,
  assertLocatedInputError,
  assertTypedError,
  fuzzParameters,
  fuzzTimeout,
} from "./testing.js";

describe("fuzz parameters", () => {
  it("uses the fixed seed and the property's default runs unless the environment says otherwise", () => {
    expect(fuzzParameters(40, {})).toEqual({ seed: DEFAULT_FUZZ_SEED, numRuns: 40, endOnFailure: true });
    expect(fuzzParameters(40, { FERRET_FUZZ_RUNS: "5000", FERRET_FUZZ_SEED: "7" })).toMatchObject({
      seed: 7,
      numRuns: 5000,
    });
    expect(() => fuzzParameters(40, { FERRET_FUZZ_RUNS: "many" })).toThrow(/FERRET_FUZZ_RUNS/);
    expect(() => fuzzParameters(40, { FERRET_FUZZ_RUNS: "0" })).toThrow(/at least 1/);
    expect(fuzzTimeout(60_000, {})).toBe(60_000);
    expect(fuzzTimeout(60_000, { FERRET_FUZZ_RUNS: "5000" })).toBeGreaterThan(3_600_000);
  });
});

describe("typed error assertions", () => {
  it("accept a FerretError, and an InputError that names the file and its line or field", () => {
    const located = new InputError({ file: "a.tsv", line: 3, field: "score" }, "bad");
    expect(assertLocatedInputError(located, "a.tsv")).toBe(located);
    expect(assertTypedError(new NotFoundError("gone"))).toBeInstanceOf(NotFoundError);
  });

  it("reject anything else", () => {
    expect(() => assertTypedError(new TypeError("x is undefined"))).toThrow(/expected a FerretError/);
    expect(() => assertTypedError(new NotFoundError("gone"), { file: "a.tsv" })).toThrow(/InputError/);
    expect(() => assertTypedError(new InputError({ file: "b.tsv" }, "bad"), { file: "a.tsv" })).toThrow(
      /does not name a.tsv/,
    );
    expect(() => assertLocatedInputError(new InputError({ file: "a.tsv" }, "bad"), "a.tsv")).toThrow(
      /neither a line nor a field/,
    );
  });
});
