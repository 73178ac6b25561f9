/**
 * Where an encoder keeps its dense indexes: `<indexes root>/<index name>/<model fingerprint, 16 hex>/`.
 * An index is stored per model, so a newly published model's index is built beside the one being served
 * and a hot swap (ModelServer.load) only has to open it.
 */
import { join } from "node:path";
import { InputError } from "@ferret/errors";

const NAME = /^[A-Za-z0-9_-]{1,128}$/;

/** Index names become directory names and job ids: [A-Za-z0-9_-], at most 128 characters. */
export function checkIndexName(name: string, field = "index"): string {
  if (!NAME.test(name)) {
    throw new InputError(
      { file: "<request>", field },
      `"${name}" is not a valid index name (1-128 of A-Z a-z 0-9 _ -)`,
    );
  }
  return name;
}

export function indexDir(root: string, name: string, modelFingerprint: string): string {
  return join(root, checkIndexName(name), modelFingerprint.slice(0, 16));
}
