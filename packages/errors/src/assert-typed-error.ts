import { FerretError } from "./ferret-error.js";
import { InputError } from "./input-error.js";

/**
 * The fuzz suites' verdict on a thrown value: it must be a FerretError with a code, and (when `file`
 * is given) an InputError about that file whose message names it and its line or field. Returns the
 * error; throws a plain Error describing what was wrong (test frameworks print it with the case).
 */
export function assertTypedError(err: unknown, expected: { file?: string } = {}): FerretError {
  if (!(err instanceof FerretError)) {
    const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    throw new Error(`expected a FerretError, got ${what}`, { cause: err });
  }
  if (typeof err.code !== "string" || err.code.length === 0) throw new Error(`${err.name} has no code`);
  if (expected.file !== undefined) {
    if (!(err instanceof InputError))
      throw new Error(`expected an InputError, got ${err.name}: ${err.message}`);
    if (err.file !== expected.file || !err.message.startsWith(expected.file))
      throw new Error(`InputError does not name ${expected.file}: ${err.message}`);
  }
  return err;
}

/** assertTypedError, and the error must point into the file: a line number or a field name. */
export function assertLocatedInputError(err: unknown, file: string): InputError {
  const error = assertTypedError(err, { file }) as InputError;
  if (error.line === undefined && error.field === undefined)
    throw new Error(`InputError names neither a line nor a field: ${error.message}`);
  return error;
}
