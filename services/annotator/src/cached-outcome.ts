/**
 * A cached LLM outcome as stored (a JSON file of FileOutcomeCache, a KV entry of KvOutcomeCache),
 * checked when read back: an entry cut short, edited by hand or written by something else is an
 * InputError naming the entry and the field at fault, never a crash or a label built from junk. The
 * task's own value is not checked here (its shape belongs to the task that wrote it).
 */
import { InputError } from "@ferret/errors";
import { z } from "zod";
import type { CachedOutcome } from "./label-cache.js";

const count = z.number().int().nonnegative();
const common = {
  raw: z.string(),
  asks: count,
  llmCalls: count,
  usage: z.object({ promptTokens: count, completionTokens: count }),
  model: z.string(),
  createdAt: z.string(),
};
const cachedOutcome = z.discriminatedUnion("status", [
  z.object({
    status: z.literal("ok"),
    value: z.custom<unknown>((v) => v !== undefined, { message: "expected the task's value" }),
    ...common,
  }),
  z.object({ status: z.literal("failed"), error: z.string(), ...common }),
]);

/** Parses a stored outcome's JSON text; `entry` names where it was read (a path, a bucket and key). */
export function decodeCachedOutcome(text: string, entry: string): CachedOutcome {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    // The whole entry is at fault: "(root)", as for a JSON value of the wrong kind.
    throw new InputError({ file: entry, field: "(root)" }, `invalid JSON: ${(cause as Error).message}`, {
      cause,
    });
  }
  const parsed = cachedOutcome.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError({ file: entry, field: issue.path.join(".") || "(root)" }, issue.message);
  }
  return parsed.data as CachedOutcome;
}
