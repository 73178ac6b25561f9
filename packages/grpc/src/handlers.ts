/**
 * Promise-based handlers for grpc-js services, typed from a ts-proto `...Service` definition, and the
 * adapter to grpc-js's callback API that every call goes through: admission (UNAVAILABLE while
 * draining), deadlines (DEADLINE_EXCEEDED on arrival after the deadline; an AbortSignal for the rest),
 * error mapping (error-status.ts) and, for server streams, backpressure.
 */
import { once } from "node:events";
import {
  type Metadata,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  type UntypedServiceImplementation,
  type sendUnaryData,
} from "@grpc/grpc-js";
import {
  CancelledError,
  TimeoutError,
  UnavailableError,
  UnsupportedError,
  isFerretError,
} from "@ferret/errors";
import type { Logger } from "@ferret/logging";
import { toGrpcStatus } from "./error-status.js";
import { UndecodableRequest } from "./request-decoding.js";
import type { InFlightCalls } from "./in-flight-calls.js";
import type { RequestOf, ResponseOf } from "./method-types.js";

export interface CallContext {
  /**
   * Aborts when the deadline passes (reason: TimeoutError), the client cancels or the server
   * force-closes (reason: CancelledError). Pass it to every await that may take long.
   */
  readonly signal: AbortSignal;
  /** The request metadata (headers). */
  readonly metadata: Metadata;
  /** When the client stops waiting; undefined when it set no deadline. */
  readonly deadline: Date | undefined;
  /** Full method path, e.g. "/ferret.v1.Evaluator/Evaluate". */
  readonly method: string;
  readonly peer: string;
}

export type UnaryHandler<Req, Res> = (request: Req, context: CallContext) => Promise<Res> | Res;
/** Yields the messages to stream (progress, results); return to end the call OK, throw to fail it. */
export type ServerStreamingHandler<Req, Res> = (request: Req, context: CallContext) => AsyncIterable<Res>;

/** The handler a method definition calls for; client-streaming and bidi methods are not supported. */
export type HandlerFor<M> = M extends { requestStream: true }
  ? never
  : M extends { responseStream: true }
    ? ServerStreamingHandler<RequestOf<M>, ResponseOf<M>>
    : UnaryHandler<RequestOf<M>, ResponseOf<M>>;

/** What a service implements, e.g. `ServiceImplementation<typeof EvaluatorService>`. */
export type ServiceImplementation<D extends ServiceDefinition> = { [K in keyof D]: HandlerFor<D[K]> };

export interface ServiceRegistration {
  readonly definition: ServiceDefinition;
  readonly implementation: Readonly<Record<string, unknown>>;
}

/** Pairs a definition with its implementation, type-checked per method. */
export function defineService<D extends ServiceDefinition>(
  definition: D,
  implementation: ServiceImplementation<D>,
): ServiceRegistration {
  return { definition, implementation };
}

interface AdaptOptions {
  readonly calls: InFlightCalls;
  readonly logger: Logger;
}

/** Largest delay setTimeout honours; later deadlines are left to grpc-js's own timer. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface StartedCall {
  readonly context: CallContext;
  readonly finish: () => void;
}

type GrpcCall = ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>;

/** Admits a call (or returns the error to answer it with) and arms its abort signal. */
function startCall(
  call: GrpcCall,
  method: string,
  options: AdaptOptions,
): StartedCall | { rejection: Error } {
  if (!options.calls.accepting) return { rejection: new UnavailableError("server is shutting down") };
  if (call.request instanceof UndecodableRequest) return { rejection: call.request.toError() };
  const rawDeadline = call.getDeadline();
  const deadline = rawDeadline === Infinity ? undefined : new Date(rawDeadline);
  const remainingMs = deadline === undefined ? Infinity : deadline.getTime() - Date.now();
  if (remainingMs <= 0) return { rejection: new TimeoutError(`deadline passed before ${method} started`) };

  const controller = new AbortController();
  const timer =
    remainingMs <= MAX_TIMER_MS
      ? setTimeout(() => controller.abort(new TimeoutError(`deadline exceeded in ${method}`)), remainingMs)
      : undefined;
  const startedAt = Date.now();
  const onCancelled = (): void => {
    // A client cancels at its own deadline, which reaches us a moment before ours: call that a timeout.
    const slackMs = deadline === undefined ? 0 : Math.min(100, 0.1 * (deadline.getTime() - startedAt));
    const timedOut = deadline !== undefined && Date.now() >= deadline.getTime() - slackMs;
    controller.abort(
      timedOut
        ? new TimeoutError(`deadline exceeded in ${method}`)
        : new CancelledError(`${method} cancelled by the client`),
    );
  };
  call.once("cancelled", onCancelled);
  options.calls.add(controller);
  const context: CallContext = {
    signal: controller.signal,
    metadata: call.metadata,
    deadline,
    method,
    peer: call.getPeer(),
  };
  const finish = (): void => {
    clearTimeout(timer);
    call.off("cancelled", onCancelled);
    options.calls.delete(controller);
  };
  return { context, finish };
}

/**
 * The status to answer a failed handler with. After the signal fired the call is over (grpc-js has
 * already answered DEADLINE_EXCEEDED/CANCELLED), so the signal's reason stands in for the error.
 */
function failure(error: unknown, context: CallContext, logger: Logger) {
  if (context.signal.aborted) return toGrpcStatus(context.signal.reason);
  if (!isFerretError(error) || error.code === "INTERNAL") {
    logger.error({ err: error, method: context.method }, "handler failed");
  } else {
    logger.debug({ err: error, method: context.method }, "handler rejected the call");
  }
  return toGrpcStatus(error);
}

function adaptUnary(method: string, handler: UnaryHandler<unknown, unknown>, options: AdaptOptions) {
  return (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>): void => {
    const started = startCall(call, method, options);
    if ("rejection" in started) return callback(toGrpcStatus(started.rejection));
    const { context, finish } = started;
    Promise.resolve()
      .then(() => handler(call.request, context))
      .then(
        (response) => callback(null, response),
        (error: unknown) => callback(failure(error, context, options.logger)),
      )
      .catch((error: unknown) => options.logger.error({ err: error, method }, "could not answer the call"))
      .finally(finish);
  };
}

function adaptServerStreaming(
  method: string,
  handler: ServerStreamingHandler<unknown, unknown>,
  options: AdaptOptions,
) {
  return (call: ServerWritableStream<unknown, unknown>): void => {
    const started = startCall(call, method, options);
    if ("rejection" in started) {
      call.emit("error", toGrpcStatus(started.rejection));
      return;
    }
    const { context, finish } = started;
    const { signal } = context;
    (async () => {
      for await (const message of handler(call.request, context)) {
        if (signal.aborted) break; // leaves the generator, running its finally blocks
        if (!call.write(message)) await once(call, "drain", { signal });
      }
      if (!signal.aborted) call.end();
    })()
      .catch((error: unknown) => {
        if (!signal.aborted) call.emit("error", failure(error, context, options.logger));
      })
      .catch((error: unknown) => options.logger.error({ err: error, method }, "could not end the stream"))
      .finally(finish);
  };
}

/** The grpc-js implementation object for `registration`, every handler wrapped. */
export function adaptService(
  registration: ServiceRegistration,
  options: AdaptOptions,
): UntypedServiceImplementation {
  const adapted: UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries(registration.definition)) {
    const handler = registration.implementation[name];
    if (typeof handler !== "function") {
      throw new UnsupportedError(`no handler for ${method.path}`, { details: { method: method.path } });
    }
    if (method.requestStream) {
      throw new UnsupportedError(`${method.path}: client-streaming and bidi methods are not supported`, {
        details: { method: method.path },
      });
    }
    adapted[name] = method.responseStream
      ? adaptServerStreaming(method.path, handler as ServerStreamingHandler<unknown, unknown>, options)
      : adaptUnary(method.path, handler as UnaryHandler<unknown, unknown>, options);
  }
  return adapted;
}
