/**
 * The wire form of a job or event, identical in both adapters: payload bytes plus string headers.
 * Job metadata lives in headers (not in an envelope around the payload) so a dead letter carries
 * the original payload byte for byte.
 */
import { InvalidArgumentError } from "@ferret/errors";
import { NonRetryableError } from "../job-errors.js";
import type { DeadLetterInfo } from "../types.js";

export interface RawMessage {
  id: string;
  payload: Uint8Array;
  headers: Record<string, string>;
}

export const HEADER = {
  id: "Ferret-Id",
  type: "Ferret-Type",
  encoding: "Ferret-Encoding",
  time: "Ferret-Time",
  deadQueue: "Ferret-Dead-Queue",
  deadReason: "Ferret-Dead-Reason",
  deadDeliveries: "Ferret-Dead-Deliveries",
  deadAt: "Ferret-Dead-At",
} as const;

/** Room kept for headers (ids, dead-letter reason) within the server's max_payload. */
export const HEADER_ALLOWANCE_BYTES = 8 * 1024;

/**
 * nats-server's default max_payload (1 MiB) less the header allowance; the embedded bus uses it too,
 * so it rejects what a cluster would.
 */
export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024 - HEADER_ALLOWANCE_BYTES;

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

export function encodePayload(data: unknown): { payload: Uint8Array; encoding: "bytes" | "json" } {
  if (data instanceof Uint8Array) return { payload: new Uint8Array(data), encoding: "bytes" };
  const json = JSON.stringify(data);
  if (json === undefined)
    throw new InvalidArgumentError("payload is not JSON-serializable (undefined/function)");
  return { payload: encoder.encode(json), encoding: "json" };
}

export function decodePayload(payload: Uint8Array, encoding: string | undefined): unknown {
  if (encoding === "bytes") return payload;
  try {
    return JSON.parse(decoder.decode(payload));
  } catch (err) {
    // A payload that does not decode never will: dead-letter instead of retrying.
    throw new NonRetryableError(`payload is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

export function checkPayloadSize(payload: Uint8Array, maxBytes: number): void {
  if (payload.byteLength > maxBytes) {
    throw new InvalidArgumentError(
      `payload of ${payload.byteLength} bytes exceeds the bus limit of ${maxBytes}; store large data in the object store and send its name`,
    );
  }
}

export function buildMessage(data: unknown, id: string, now: Date): RawMessage {
  const { payload, encoding } = encodePayload(data);
  return {
    id,
    payload,
    headers: { [HEADER.id]: id, [HEADER.encoding]: encoding, [HEADER.time]: now.toISOString() },
  };
}

/** The dead letter: the original payload and headers plus why and after how many deliveries. */
export function deadLetterMessage(original: RawMessage, info: DeadLetterInfo): RawMessage {
  return {
    id: original.id,
    payload: original.payload,
    headers: {
      ...original.headers,
      [HEADER.deadQueue]: info.queue,
      [HEADER.deadReason]: info.reason,
      [HEADER.deadDeliveries]: String(info.deliveryCount),
      [HEADER.deadAt]: info.failedAt.toISOString(),
    },
  };
}

export function readDeadLetter(headers: Record<string, string>): DeadLetterInfo | undefined {
  const queue = headers[HEADER.deadQueue];
  if (queue === undefined) return undefined;
  return {
    queue,
    reason: headers[HEADER.deadReason] ?? "",
    deliveryCount: Number(headers[HEADER.deadDeliveries] ?? 0),
    failedAt: new Date(headers[HEADER.deadAt] ?? 0),
  };
}
