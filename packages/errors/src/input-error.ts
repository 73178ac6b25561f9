import { FerretError } from "./ferret-error.js";

export interface InputLocation {
  /** Path of the file (or a label such as "<inline run>"). */
  file: string;
  /** 1-based line number, when the problem is on one line. */
  line?: number;
  /** The field or column at fault (e.g. "score", "query-id"). */
  field?: string;
}

/**
 * Bad data in a user's file. The message always starts with `file:line` and names the
 * field, so a user can jump straight to it.
 */
export class InputError extends FerretError {
  readonly file: string;
  readonly line: number | undefined;
  readonly field: string | undefined;

  constructor(location: InputLocation, problem: string, options: { cause?: unknown } = {}) {
    const where = location.line === undefined ? location.file : `${location.file}:${location.line}`;
    const field = location.field === undefined ? "" : ` (field "${location.field}")`;
    super("INVALID_INPUT", `${where}${field}: ${problem}`, {
      cause: options.cause,
      details: { ...location, problem },
    });
    this.file = location.file;
    this.line = location.line;
    this.field = location.field;
  }
}
