import { describe, expect, it } from "vitest";
import { FerretError, InputError, NotFoundError, isFerretError } from "./index.js";

describe("errors", () => {
  it("carries a stable code and its class name", () => {
    const err = new NotFoundError("model m1 not found", { details: { model: "m1" } });
    expect(err).toBeInstanceOf(FerretError);
    expect(err.code).toBe("NOT_FOUND");
    expect(err.name).toBe("NotFoundError");
    expect(err.details).toEqual({ model: "m1" });
    expect(isFerretError(err)).toBe(true);
    expect(isFerretError(new Error("x"))).toBe(false);
  });

  it("names file, line and field in input errors", () => {
    const err = new InputError({ file: "run.trec", line: 12, field: "score" }, 'not a number: "abc"');
    expect(err.message).toBe('run.trec:12 (field "score"): not a number: "abc"');
    expect(err.code).toBe("INVALID_INPUT");
    expect(err.line).toBe(12);
  });
});
