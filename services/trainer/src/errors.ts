import { InvalidArgumentError } from "@ferret/errors";

/** The spec's sources yield no query with a positive: there is nothing to train on. */
export class EmptyTrainingSetError extends InvalidArgumentError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message, { details });
  }
}
