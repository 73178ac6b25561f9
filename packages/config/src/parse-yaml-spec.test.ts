import { InputError } from "@ferret/errors";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseYamlSpec } from "./parse-yaml-spec.js";

const schema = z.strictObject({
  name: z.string(),
  limits: z
    .strictObject({ depth: z.int().min(1).default(10), alpha: z.number().max(1).optional() })
    .prefault({}),
});
const options = { file: "/specs/x.yaml", what: "test spec" };

function fails(text: string): InputError {
  try {
    parseYamlSpec(text, schema, options);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error("expected the spec to be rejected");
}

describe("parseYamlSpec", () => {
  it("returns the schema's output (defaults filled) from YAML or JSON", () => {
    expect(parseYamlSpec("name: a\n", schema, options).data).toEqual({ name: "a", limits: { depth: 10 } });
    expect(parseYamlSpec('{"name": "b", "limits": {"alpha": 0.5}}', schema, options).data.limits.alpha).toBe(
      0.5,
    );
  });

  it("names a misspelt key and its line before the key it makes missing", () => {
    const err = fails("name: a\nlimits:\n  dpeth: 3\n");
    expect(err.field).toBe("limits.dpeth");
    expect(err.line).toBe(3);
    expect(err.message).toBe(
      '/specs/x.yaml:3 (field "limits.dpeth"): invalid test spec: limits.dpeth: unknown field',
    );
  });

  it("names a bad value's key and line, and lists every issue", () => {
    const err = fails("limits:\n  depth: 0\n  alpha: 2\n");
    // A missing top-level key has no line of its own.
    expect(err.field).toBe("name");
    expect(err.line).toBeUndefined();
    expect(err.message).toMatch(/name: .*limits\.depth: .*limits\.alpha: /);
  });

  it("gives the YAML syntax error's line", () => {
    const err = fails("name: a\nlimits: [1, 2\n");
    expect(err.line).toBeGreaterThanOrEqual(2);
    expect(err.message).toMatch(/not valid YAML or JSON/);
  });

  it("keeps the source so later checks can name a key's line", () => {
    const { source } = parseYamlSpec("name: a\nlimits:\n  depth: 4\n", schema, options);
    const err = source.errorAt(["limits", "depth"], "too deep for this file");
    expect(err.line).toBe(3);
    expect(err.field).toBe("limits.depth");
    // A key that is not there: the line where its parent's value starts.
    expect(source.lineOf(["limits", "missing"])).toBe(3);
  });
});
