/** What a failed job records of the error that ended it. */
import { isFerretError } from "@ferret/errors";
import type { JobError } from "./job-record.js";

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message || err.name : String(err);
}

export function jobErrorOf(err: unknown, deliveries?: number): JobError {
  return {
    code: isFerretError(err) ? err.code : "INTERNAL",
    message: messageOf(err),
    ...(deliveries === undefined ? {} : { deliveries }),
  };
}
