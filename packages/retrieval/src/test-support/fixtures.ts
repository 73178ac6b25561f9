import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

/** Paths and readers for the committed reference fixtures and the shared SciFact collection. */

const here = dirname(fileURLToPath(import.meta.url));
export const FIXTURES_DIR = resolve(here, "../../fixtures");
export const REPO_ROOT = resolve(here, "../../../..");
/** BEIR SciFact, read-only, beside the repository (shared/data/scifact). */
export const SCIFACT_DIR = process.env["FERRET_SCIFACT_DIR"] ?? resolve(REPO_ROOT, "../shared/data/scifact");

export function fixturePath(name: string): string {
  return join(FIXTURES_DIR, name);
}

/** Lines of a fixture, gunzipped when the name ends in .gz; blank lines dropped. */
export function fixtureLines(name: string): string[] {
  const raw = readFileSync(fixturePath(name));
  const text = name.endsWith(".gz") ? gunzipSync(raw).toString("utf8") : raw.toString("utf8");
  return text.split("\n").filter((l) => l.length > 0);
}

export function fixtureJson<T>(name: string): T {
  return JSON.parse(readFileSync(fixturePath(name), "utf8")) as T;
}

export interface SciFactDoc {
  _id: string;
  title: string;
  text: string;
}

export function readJsonl<T>(path: string): T[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as T);
}
