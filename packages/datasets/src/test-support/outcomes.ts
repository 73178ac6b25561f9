/** Verdicts the readers' tests share on what a read produced: its value, or the error it failed with. */
import { InputError } from "@ferret/errors";
import { assertLocatedInputError, assertTypedError } from "@ferret/errors/testing";
import { expect } from "vitest";

/** Either the value or the error of a promise. */
export async function settle<T>(promise: Promise<T>): Promise<{ value: T } | { error: unknown }> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

/** The InputError a read must fail with. */
export async function inputFailure(promise: Promise<unknown>): Promise<InputError> {
  const outcome = await settle(promise);
  expect(outcome).toHaveProperty("error");
  const error = "error" in outcome ? outcome.error : undefined;
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

/**
 * A relevance reader's failure: an InputError naming the file and a line in it (of `lines`), or "no
 * relevance judgments", which is about the whole file and only for one without a judgment line.
 */
export function expectQrelsError(error: unknown, path: string, lines: number): void {
  if (error instanceof Error && error.message.endsWith("no relevance judgments")) {
    assertTypedError(error, { file: path });
    return;
  }
  expect(assertLocatedInputError(error, path).line).toBeLessThanOrEqual(lines);
}
