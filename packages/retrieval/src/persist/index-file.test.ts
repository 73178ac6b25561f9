import { mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sciFactIndex, sciFactTestQueries } from "../test-support/scifact.js";
import { readIndexFile, writeIndexFile } from "./index-file.js";

describe("index file", () => {
  let dir: string;
  let path: string;
  const index = sciFactIndex("flat");

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ferret-bm25-"));
    path = join(dir, "scifact.bm25");
    await writeIndexFile(path, index);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("round-trips: the loaded index answers every test query identically", async () => {
    const loaded = await readIndexFile(path);
    expect(loaded.numDocs).toBe(index.numDocs);
    expect(loaded.analyzerName).toBe("english");
    expect(loaded.defaultBm25).toEqual({ k1: 0.9, b: 0.4 });
    for (const q of sciFactTestQueries()) {
      const a = index.search(q.text, { k: 1000 });
      const b = loaded.search(q.text, { k: 1000 });
      expect(b.docs).toEqual(a.docs);
      expect(b.scores).toEqual(a.scores);
    }
    // Term vectors derived from the loaded postings equal the builder's.
    expect(loaded.docVectors.starts).toEqual(index.docVectors.starts);
  });

  it("is compact (about 2 bytes per posting) and leaves no temporary files", async () => {
    const postings = index.contents.docs.length;
    const { size } = await stat(path);
    expect(size).toBeLessThan(postings * 2.5 + 400_000);
    expect(await readdir(dir)).toEqual(["scifact.bm25"]);
  });

  it("rejects a corrupted file by checksum and a foreign file by magic", async () => {
    const bytes = await readFile(path);
    const corrupt = Buffer.from(bytes);
    const at = corrupt.length - 10;
    corrupt[at] = (corrupt[at] as number) ^ 0xff;
    const corruptPath = join(dir, "corrupt.bm25");
    await writeFile(corruptPath, corrupt);
    await expect(readIndexFile(corruptPath)).rejects.toMatchObject({ code: "CHECKSUM_MISMATCH" });

    const truncatedPath = join(dir, "truncated.bm25");
    await writeFile(truncatedPath, bytes.subarray(0, bytes.length - 100));
    await expect(readIndexFile(truncatedPath)).rejects.toThrow(/truncated/);

    const foreignPath = join(dir, "foreign.bm25");
    await writeFile(foreignPath, "not an index at all");
    await expect(readIndexFile(foreignPath)).rejects.toThrow(/not a Ferret BM25 index/);
    await Promise.all([corruptPath, truncatedPath, foreignPath].map((p) => rm(p)));
  });
});
