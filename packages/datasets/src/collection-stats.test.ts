import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { collectionStats } from "./collection-stats.js";
import { detectCollectionFormat, loadBeirDir } from "./collection-dir.js";
import { SHARED_DATA, tempDir } from "./test-support/paths.js";

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => {
  await tmp.cleanup();
});

/*
 * Expected lengths come from an independent Python script (json + str.split(), sorted lists,
 * median = mean of the middle two, p90 = value at 1-based rank ceil(0.9 n)):
 *   scifact docs len((title+" "+text).split()): mean 214.6280146633224, median 204, min 33, max 1541, p90 309
 *   scifact queries: mean 12.379621280432822, median 12, min 3, max 39, p90 19
 *   cranfield docs (.T plus every non-marker line after the first .W, re.split on "^.I "):
 *     mean 176.73, median 156, min 0 (docs 471, 995), max 689, p90 293
 *   cranfield queries: mean 17.973333333333333, median 17, min 6, max 46, p90 26
 */
describe("collectionStats", () => {
  it("summarises SciFact (BEIR)", async () => {
    const progress: number[] = [];
    const stats = await collectionStats(join(SHARED_DATA, "scifact"), {
      onProgress: (read) => progress.push(read),
    });
    expect(stats.format).toBe("beir");
    expect(stats.documents).toBe(5183);
    expect(stats.queries).toBe(1109);
    expect(stats.documentLength).toEqual({
      count: 5183,
      mean: 214.6280146633224,
      median: 204,
      min: 33,
      max: 1541,
      p90: 309,
    });
    expect(stats.queryLength).toEqual({
      count: 1109,
      mean: 12.379621280432822,
      median: 12,
      min: 3,
      max: 39,
      p90: 19,
    });
    expect(stats.splits).toEqual([
      {
        name: "test",
        judgments: 339,
        judgedQueries: 300,
        relevant: 339,
        queriesWithRelevant: 300,
        unknownQueries: 0,
        labels: { "1": 339 },
      },
      {
        name: "train",
        judgments: 919,
        judgedQueries: 809,
        relevant: 919,
        queriesWithRelevant: 809,
        unknownQueries: 0,
        labels: { "1": 919 },
      },
    ]);
    // `stat -c %s` of corpus.jsonl + queries.jsonl + qrels/*.tsv.
    expect(stats.bytes).toBe(8106566 + 209731 + 5049 + 13582);
    expect(progress.at(-1)).toBe(stats.bytes);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it("summarises Cranfield (Glasgow) with graded labels", async () => {
    const stats = await collectionStats(join(SHARED_DATA, "cranfield"));
    expect(stats.format).toBe("cranfield");
    expect([stats.documents, stats.queries]).toEqual([1400, 225]);
    expect(stats.documentLength).toEqual({
      count: 1400,
      mean: 176.73,
      median: 156,
      min: 0,
      max: 689,
      p90: 293,
    });
    expect(stats.queryLength).toEqual({
      count: 225,
      mean: 17.973333333333333,
      median: 17,
      min: 6,
      max: 46,
      p90: 26,
    });
    expect(stats.splits).toEqual([
      {
        name: "all",
        judgments: 1837,
        judgedQueries: 225,
        relevant: 1612,
        queriesWithRelevant: 225,
        unknownQueries: 0,
        labels: { "0": 225, "1": 363, "2": 734, "3": 387, "4": 128 },
      },
    ]);
  });

  it("lists BEIR splits and refuses unknown layouts", async () => {
    const beir = await loadBeirDir(join(SHARED_DATA, "scifact"));
    expect(beir.splits).toEqual(["test", "train"]);
    expect(beir.qrelsPath("test")).toBe(join(SHARED_DATA, "scifact", "qrels", "test.tsv"));
    expect(() => beir.qrelsPath("dev")).toThrow(/no qrels for split "dev"/);
    const empty = join(tmp.dir, "empty");
    await mkdir(empty);
    await expect(detectCollectionFormat(empty)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(detectCollectionFormat(join(tmp.dir, "absent"))).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(loadBeirDir(empty)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
