/** A test-only service (echo.proto, loaded with @grpc/proto-loader) that records what its handlers saw. */
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import type { MethodDefinition } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { FerretError, type ErrorCode } from "@ferret/errors";
import { descriptorSetOf } from "../descriptors.js";
import { defineService, type CallContext, type ServiceRegistration } from "../handlers.js";

export interface SayRequest {
  message: string;
  delayMs: number;
  failCode: string;
  count: number;
  ignoreSignal: boolean;
}

export interface SayResponse {
  message: string;
  sequence: number;
}

type Unary = MethodDefinition<SayRequest, SayResponse> & { requestStream: false; responseStream: false };
type ServerStreaming = MethodDefinition<SayRequest, SayResponse> & {
  requestStream: false;
  responseStream: true;
};

// A type alias, not an interface: grpc-js's ServiceDefinition needs the implicit index signature.
export type EchoDefinition = {
  Say: Unary;
  Record: Unary;
  Count: ServerStreaming;
};

const packageDefinition = loadSync(fileURLToPath(new URL("./echo.proto", import.meta.url)), {
  defaults: true,
});
export const EchoService = packageDefinition["ferret.test.v1.Echo"] as unknown as EchoDefinition;
export const echoDescriptorSet = descriptorSetOf(packageDefinition);

/** What the handlers saw, for assertions on the server side of a call. */
export class EchoObservations {
  readonly calls: string[] = [];
  readonly abortReasons: unknown[] = [];

  watch(method: string, context: CallContext): void {
    this.calls.push(method);
    context.signal.addEventListener("abort", () => this.abortReasons.push(context.signal.reason), {
      once: true,
    });
  }
}

function failIfAsked(request: SayRequest): void {
  if (request.failCode === "CRASH") throw new Error("secret internal detail at /srv/app.js:42");
  if (request.failCode !== "") {
    throw new FerretError(request.failCode as ErrorCode, `echo failed with ${request.failCode}`, {
      details: { requested: request.failCode, note: "naïve ✓" },
    });
  }
}

async function say(request: SayRequest, context: CallContext): Promise<SayResponse> {
  if (request.delayMs > 0) {
    await delay(request.delayMs, undefined, request.ignoreSignal ? {} : { signal: context.signal });
  }
  failIfAsked(request);
  return { message: request.message, sequence: 0 };
}

export function echoService(observed: EchoObservations): ServiceRegistration {
  return defineService(EchoService, {
    Say: (request, context) => {
      observed.watch("Say", context);
      return say(request, context);
    },
    Record: (request, context) => {
      observed.watch("Record", context);
      return say(request, context);
    },
    // Streams 1..count, delay_ms apart; fails after the first message when fail_code is set.
    Count: async function* (request, context) {
      observed.watch("Count", context);
      for (let sequence = 1; sequence <= request.count; sequence++) {
        if (request.delayMs > 0) await delay(request.delayMs, undefined, { signal: context.signal });
        yield { message: request.message, sequence };
        if (sequence === 1) failIfAsked(request);
      }
    },
  });
}

export function sayRequest(partial: Partial<SayRequest>): SayRequest {
  return { message: "hi", delayMs: 0, failCode: "", count: 0, ignoreSignal: false, ...partial };
}
