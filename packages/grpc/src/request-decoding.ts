/**
 * A request the server cannot decode (truncated or malformed protobuf, or a 64-bit value beyond what the
 * generated code represents) is the caller's fault. grpc-js answers a throwing deserializer with INTERNAL,
 * so the server decodes through tolerantDecoding: a failure becomes an UndecodableRequest that the
 * handler adapter (handlers.ts) refuses with INVALID_ARGUMENT naming the method and the decoder's problem.
 */
import type { ServiceDefinition } from "@grpc/grpc-js";
import { InvalidArgumentError } from "@ferret/errors";

export class UndecodableRequest {
  constructor(
    readonly method: string,
    readonly cause: unknown,
  ) {}

  toError(): InvalidArgumentError {
    const problem = this.cause instanceof Error ? this.cause.message : String(this.cause);
    return new InvalidArgumentError(`${this.method}: the request is not a valid message: ${problem}`, {
      cause: this.cause,
      details: { method: this.method, problem },
    });
  }
}

/** `definition` with each method's request deserializer returning an UndecodableRequest instead of throwing. */
export function tolerantDecoding(definition: ServiceDefinition): ServiceDefinition {
  const tolerant: Record<string, ServiceDefinition[string]> = {};
  for (const [key, method] of Object.entries(definition)) {
    tolerant[key] = {
      ...method,
      requestDeserialize: (bytes: Buffer) => {
        try {
          return method.requestDeserialize(bytes) as unknown;
        } catch (cause) {
          return new UndecodableRequest(method.path, cause);
        }
      },
    };
  }
  return tolerant as ServiceDefinition;
}
