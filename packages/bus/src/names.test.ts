import { describe, expect, it } from "vitest";
import { checkKvKey, checkName, checkSubject, subjectMatches } from "./names.js";

describe("subjectMatches (NATS wildcard semantics, per the NATS subject-based messaging docs)", () => {
  it.each([
    ["corpus.indexed", "corpus.indexed", true],
    ["corpus.*", "corpus.indexed", true],
    ["corpus.*", "corpus.indexed.v2", false],
    ["corpus.>", "corpus.indexed.v2", true],
    ["corpus.>", "corpus", false],
    [">", "a", true],
    ["*.indexed", "corpus.indexed", true],
    ["*.indexed", "indexed", false],
    ["jobs.*.state", "jobs.j1.state", true],
    ["jobs.*.state", "jobs.j1.other", false],
  ])("%s vs %s -> %s", (pattern, subject, expected) => {
    expect(subjectMatches(pattern, subject)).toBe(expected);
  });
});

describe("name checks", () => {
  it("accepts stream-safe names and rejects the rest", () => {
    expect(checkName("queue", "encode-shards_2")).toBe("encode-shards_2");
    expect(() => checkName("queue", "a.b")).toThrow(/queue name "a.b"/);
    expect(() => checkName("queue", "")).toThrow();
  });

  it("applies NATS KV key rules", () => {
    expect(checkKvKey("jobs/j-1.state=x")).toBe("jobs/j-1.state=x");
    expect(() => checkKvKey(".a")).toThrow(/KV key/);
    expect(() => checkKvKey("a b")).toThrow(/KV key/);
    expect(() => checkKvKey("a.*")).toThrow(/KV key/);
  });

  it("allows wildcards only in patterns and `>` only last", () => {
    expect(checkSubject("pattern", "a.*.>", true)).toBe("a.*.>");
    expect(() => checkSubject("pattern", "a.>.b", true)).toThrow();
    expect(() => checkSubject("event type", "a.*", false)).toThrow(/no wildcards/);
    expect(() => checkSubject("event type", "a..b", false)).toThrow();
  });
});
