/**
 * The payload of an evaluation job on the bus: an EvaluateRequest, either as protobuf bytes
 * (EvaluateRequest.encode) or as its proto3 JSON (EvaluateRequest.toJSON). The job id is the bus job id
 * (PublishOptions.id), which also keys the job's state in KV and deduplicates publishes. A payload that does
 * not decode is a NonRetryableError: it would fail the same way on every delivery.
 */
import { NonRetryableError } from "@ferret/bus";
import { EvaluateRequest } from "@ferret/proto";

export type EvaluationJobPayload = Uint8Array | Record<string, unknown>;

export function encodeJobPayload(
  request: EvaluateRequest,
  encoding: "json" | "protobuf",
): EvaluationJobPayload {
  return encoding === "protobuf"
    ? EvaluateRequest.encode(request).finish()
    : (EvaluateRequest.toJSON(request) as Record<string, unknown>);
}

export function decodeJobPayload(data: unknown): EvaluateRequest {
  if (data instanceof Uint8Array) {
    try {
      return EvaluateRequest.decode(data);
    } catch (err) {
      throw new NonRetryableError(
        `job payload is not a protobuf EvaluateRequest: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new NonRetryableError("job payload must be an EvaluateRequest (protobuf bytes or its JSON object)");
  }
  try {
    return EvaluateRequest.fromJSON(data);
  } catch (err) {
    throw new NonRetryableError(`job payload is not an EvaluateRequest: ${(err as Error).message}`, {
      cause: err,
    });
  }
}
