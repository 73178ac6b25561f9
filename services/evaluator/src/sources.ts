/**
 * Resolves the runs and qrels a request names (proto RunSource / QrelsSource) into in-memory maps:
 *   - an inline Run / Qrels message (checked field by field, see service/proto-convert.ts);
 *   - TREC text, parsed with the same rules as TREC files; errors name the request part as the file,
 *     e.g. `<request run>:12 (field "score"): not a number: "x"`;
 *   - an ArtifactRef, fetched from the object store or an artifact directory (service/artifacts.ts) and
 *     read with the streaming file readers; errors name `artifact <bucket>/<name>`. A qrels artifact may be
 *     TREC or BEIR qrels (told apart by its first line).
 */
import {
  parseTrecQrels,
  parseTrecRun,
  readTrecRun,
  type Qrels,
  type ReadOptions,
  type Run,
} from "@ferret/datasets";
import { InvalidArgumentError } from "@ferret/errors";
import type { QrelsSource, RunSource } from "@ferret/proto";
import { readArtifact, type ArtifactFetcher } from "./service/artifacts.js";
import { qrelsFromMessage, runFromMessage } from "./service/proto-convert.js";
import { readQrelsFile } from "./service/qrels-file.js";

export interface SourceContext {
  /** Where artifact references are read from; without it they are refused. */
  artifacts?: ArtifactFetcher;
  signal?: AbortSignal;
  /** Progress of reading an artifact file (bytes read, file size). */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

export interface ResolvedRun {
  run: Run;
  /** The run's own name: the Run message's name, or the tag of the first TREC line. */
  name?: string;
}

function readOptions(context: SourceContext): ReadOptions {
  return context.onProgress === undefined ? {} : { onProgress: context.onProgress };
}

/** `label` names the run in error messages, e.g. "<request run>". */
export async function resolveRunSource(
  source: RunSource | undefined,
  label: string,
  context: SourceContext = {},
): Promise<ResolvedRun> {
  const which = source?.source;
  switch (which?.$case) {
    case "run":
      return {
        run: runFromMessage(which.value, label),
        ...(which.value.name === "" ? {} : { name: which.value.name }),
      };
    case "trecText": {
      const { run, name } = parseTrecRun(which.value, { file: label });
      return name === undefined ? { run } : { run, name };
    }
    case "artifact": {
      const { run, name } = await readArtifact(context.artifacts, which.value, context.signal, (path) =>
        readTrecRun(path, readOptions(context)),
      );
      return name === undefined ? { run } : { run, name };
    }
    default:
      throw new InvalidArgumentError(`${label}: no run given (set run, trec_text or artifact)`);
  }
}

export async function resolveQrelsSource(
  source: QrelsSource | undefined,
  label: string,
  context: SourceContext = {},
): Promise<Qrels> {
  const which = source?.source;
  switch (which?.$case) {
    case "qrels":
      return qrelsFromMessage(which.value, label);
    case "trecText":
      return parseTrecQrels(which.value, { file: label }).qrels;
    case "artifact":
      return (
        await readArtifact(context.artifacts, which.value, context.signal, (path) =>
          readQrelsFile(path, readOptions(context)),
        )
      ).qrels;
    default:
      throw new InvalidArgumentError(`${label}: no qrels given (set qrels, trec_text or artifact)`);
  }
}
