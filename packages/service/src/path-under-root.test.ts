import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pathUnderRoot } from "./index.js";

describe("pathUnderRoot", () => {
  it("joins a path below the root", () => {
    expect(pathUnderRoot("/data", "beir/scifact")).toBe(join("/data", "beir/scifact"));
    expect(pathUnderRoot("/data", "runs", "bm25.trec")).toBe(join("/data", "runs/bm25.trec"));
    expect(pathUnderRoot("/data", "", "bm25.trec")).toBe(join("/data", "bm25.trec"));
    expect(pathUnderRoot("/data", "a/../b")).toBe(join("/data", "b"));
    expect(pathUnderRoot("/data", "..x")).toBe(join("/data", "..x"));
  });

  it("refuses the root itself, absolute parts and paths that climb out", () => {
    for (const parts of [[""], ["."], ["a/.."], [".."], ["../etc/passwd"], ["a/../../b"], ["/etc/passwd"]]) {
      expect(pathUnderRoot("/data", ...parts), parts.join(",")).toBeUndefined();
    }
    expect(pathUnderRoot("/data", "runs", "/etc/passwd")).toBeUndefined();
    expect(pathUnderRoot("/data", "..", "data2/x")).toBeUndefined();
  });
});
