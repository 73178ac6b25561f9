import { join } from "node:path";
import { parseJobSpec, type LoadedJobSpec } from "../data/load-spec.js";

/** A job spec from an object, as if read from <dir>/job.json. */
export function specIn(dir: string, spec: Record<string, unknown>): LoadedJobSpec {
  return parseJobSpec(JSON.stringify(spec), { file: join(dir, "job.json"), baseDir: dir });
}
