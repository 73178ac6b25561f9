/** JetStream API error codes this package branches on (nats-server errors.json). */
import { JetStreamApiError } from "@nats-io/jetstream";

export const API = {
  streamNotFound: 10059,
  consumerNotFound: 10014,
  streamNameInUse: 10058,
  consumerAlreadyExists: 10148,
  consumerNameInUse: 10013,
  wrongLastSequence: 10071,
} as const;

export function apiCode(err: unknown): number | undefined {
  return err instanceof JetStreamApiError ? err.code : undefined;
}
