/**
 * The outcome cache on local disk for embedded runs (the in-process bus keeps KV in memory only):
 * one JSON file per key under `<dir>/<first 2 hex>/<key>.json`, written to a temp file and renamed, so
 * an interrupted run never leaves a half-written entry and the next run resumes from what finished.
 */
import { readFile } from "node:fs/promises";
import { writeDataAtomically } from "@ferret/datasets";
import { join } from "node:path";
import { decodeCachedOutcome } from "./cached-outcome.js";
import type { CachedOutcome, OutcomeCache } from "./label-cache.js";

export class FileOutcomeCache implements OutcomeCache {
  constructor(private readonly dir: string) {}

  private path(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  /** The stored outcome of `key`; an entry that is not one is an InputError naming its file. */
  async get(key: string): Promise<CachedOutcome | undefined> {
    const path = this.path(key);
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
    return decodeCachedOutcome(text, path);
  }

  async put(key: string, outcome: CachedOutcome): Promise<void> {
    const path = this.path(key);
    await writeDataAtomically(path, JSON.stringify(outcome));
  }
}
