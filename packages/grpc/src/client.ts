/**
 * A promise/async-iterable client for a ts-proto `...Service` definition: a deadline on every call by
 * default, errors rebuilt as FerretErrors (error-status.ts), AbortSignal cancellation, and retries on
 * UNAVAILABLE for idempotent methods only (retry-policy.ts).
 */
import {
  Client,
  Metadata,
  status as Status,
  type ChannelCredentials,
  type ChannelOptions,
  type ServiceDefinition,
  type ServiceError,
  type CallOptions as GrpcCallOptions,
} from "@grpc/grpc-js";
import { readDescriptorSet } from "@ferret/proto";
import { CancelledError, InvalidArgumentError, UnavailableError, type FerretError } from "@ferret/errors";
import { idempotentMethods, serviceNameOf } from "./descriptors.js";
import { fromGrpcError, isServiceError } from "./error-status.js";
import type { RequestOf, ResponseOf } from "./method-types.js";
import { type RetryPolicy, retryChannelOptions } from "./retry-policy.js";
import { type ClientTls, channelCredentials, isClientTls } from "./tls.js";

export interface CallOptions {
  /** Overrides the client's `deadlineMs` for this call. */
  readonly deadlineMs?: number;
  readonly signal?: AbortSignal;
  readonly metadata?: Metadata;
  /** Overrides the client's `waitForReady` for this call. */
  readonly waitForReady?: boolean;
}

export type ClientMethodFor<M> = M extends { requestStream: true }
  ? never
  : M extends { responseStream: true }
    ? (request: RequestOf<M>, options?: CallOptions) => AsyncIterable<ResponseOf<M>>
    : (request: RequestOf<M>, options?: CallOptions) => Promise<ResponseOf<M>>;

export interface ClientControls {
  /** Resolves once connected; rejects with UnavailableError after `timeoutMs`. */
  waitForReady(timeoutMs: number): Promise<void>;
  close(): void;
  /** The underlying grpc-js client (channel state, raw calls). */
  readonly grpcClient: Client;
}

export type ServiceClient<D extends ServiceDefinition> = {
  [K in keyof D]: ClientMethodFor<D[K]>;
} & ClientControls;

export interface ClientOptions<D extends ServiceDefinition> {
  /** Deadline of each call unless the call sets its own. Default 30 000 ms. */
  readonly deadlineMs?: number;
  /**
   * Retry on UNAVAILABLE. `methods` (definition keys, e.g. "evaluate") defaults to the methods whose
   * proto sets `option idempotency_level = IDEMPOTENT | NO_SIDE_EFFECTS`: any other call may have
   * had effects before it failed, so it is retried only when listed here. `false` turns retries off.
   */
  readonly retry?: (RetryPolicy & { readonly methods?: readonly (keyof D & string)[] }) | false;
  /** Queue calls while the server is unreachable instead of failing fast with UNAVAILABLE. Default false. */
  readonly waitForReady?: boolean;
  /** Descriptor sets to read idempotency from besides @ferret/proto's. */
  readonly descriptorSets?: readonly Uint8Array[];
  /** TLS from PEM files (tls.ts); ignored when `credentials` is given. Default: plaintext. */
  readonly tls?: ClientTls | undefined;
  /** Default insecure (plaintext), or from `tls`. */
  readonly credentials?: ChannelCredentials;
  readonly channelOptions?: ChannelOptions;
}

const CONTROL_NAMES = new Set(["waitForReady", "close", "grpcClient"]);

/** Proto method name ("Evaluate") of a definition key ("evaluate"). */
function protoMethodName(definition: ServiceDefinition, key: string): string {
  const method = definition[key];
  if (method === undefined) throw new InvalidArgumentError(`no method ${key} in the service definition`);
  return method.path.slice(method.path.lastIndexOf("/") + 1);
}

function retryMethods<D extends ServiceDefinition>(definition: D, options: ClientOptions<D>): string[] {
  const retry = options.retry;
  if (retry === false) return [];
  if (retry?.methods !== undefined) return retry.methods.map((key) => protoMethodName(definition, key));
  const safe = idempotentMethods(
    [readDescriptorSet(), ...(options.descriptorSets ?? [])],
    serviceNameOf(definition),
  );
  return Object.keys(definition)
    .map((key) => protoMethodName(definition, key))
    .filter((name) => safe.has(name));
}

export function createClient<D extends ServiceDefinition>(
  definition: D,
  address: string,
  options: ClientOptions<D> = {},
): ServiceClient<D> {
  const serviceName = serviceNameOf(definition);
  const retry = retryChannelOptions(
    serviceName,
    retryMethods(definition, options),
    options.retry === false ? {} : options.retry,
  );
  const client = new Client(address, options.credentials ?? channelCredentials(options.tls), {
    ...retry,
    ...options.channelOptions,
  });
  const defaultDeadlineMs = options.deadlineMs ?? 30_000;
  const dialed =
    options.credentials !== undefined
      ? "with the given credentials"
      : !isClientTls(options.tls)
        ? "in plaintext"
        : options.tls?.caFile === undefined
          ? "over TLS, trusting the system's CAs"
          : `over TLS, trusting ${options.tls.caFile}`;
  // grpc-js says only "No connection established" when the link never came up; naming the address and how
  // it was dialed makes a TLS/plaintext mismatch or a wrong CA read as such.
  const callError = (error: ServiceError): FerretError =>
    error.code === Status.UNAVAILABLE && error.details.startsWith("No connection established")
      ? new UnavailableError(`${address} (dialed ${dialed}): ${error.details}`, { cause: error })
      : fromGrpcError(error);

  const callOptions = (call: CallOptions): Partial<GrpcCallOptions> => ({
    deadline: Date.now() + (call.deadlineMs ?? defaultDeadlineMs),
  });
  // grpc-js takes wait-for-ready as a metadata option; clone so the caller's metadata stays untouched.
  const callMetadata = (call: CallOptions): Metadata => {
    const metadata = call.metadata?.clone() ?? new Metadata();
    metadata.setOptions({ waitForReady: call.waitForReady ?? options.waitForReady ?? false });
    return metadata;
  };

  const methods: Record<string, unknown> = {};
  for (const [key, method] of Object.entries(definition)) {
    if (CONTROL_NAMES.has(key))
      throw new InvalidArgumentError(`method name ${key} clashes with the client API`);
    if (method.requestStream) continue; // client-streaming and bidi: not offered (see ClientMethodFor)
    methods[key] = method.responseStream
      ? (request: unknown, call: CallOptions = {}) =>
          serverStream(
            () => {
              const stream = client.makeServerStreamRequest(
                method.path,
                method.requestSerialize,
                method.responseDeserialize,
                request,
                callMetadata(call),
                callOptions(call),
              );
              return { stream, cancel: () => stream.cancel() };
            },
            call.signal,
            callError,
          )
      : (request: unknown, call: CallOptions = {}) =>
          new Promise((resolve, reject) => {
            if (call.signal?.aborted) return reject(new CancelledError("call aborted before it started"));
            const unary = client.makeUnaryRequest(
              method.path,
              method.requestSerialize,
              method.responseDeserialize,
              request,
              callMetadata(call),
              callOptions(call),
              (error: ServiceError | null, response?: unknown) => {
                call.signal?.removeEventListener("abort", cancel);
                if (error) reject(callError(error));
                else resolve(response);
              },
            );
            const cancel = (): void => unary.cancel();
            call.signal?.addEventListener("abort", cancel, { once: true });
          });
  }

  const controls: ClientControls = {
    waitForReady: (timeoutMs) =>
      new Promise((resolve, reject) => {
        client.waitForReady(Date.now() + timeoutMs, (error) =>
          error
            ? reject(new UnavailableError(`${address} not ready within ${timeoutMs} ms`, { cause: error }))
            : resolve(),
        );
      }),
    close: () => client.close(),
    grpcClient: client,
  };
  return Object.assign(methods, controls) as ServiceClient<D>;
}

/** The messages of a server stream; the call starts on the first `next()` and is cancelled on `return()`. */
async function* serverStream<T>(
  start: () => { stream: AsyncIterable<unknown>; cancel: () => void },
  signal: AbortSignal | undefined,
  callError: (error: ServiceError) => FerretError,
): AsyncGenerator<T> {
  if (signal?.aborted) throw new CancelledError("call aborted before it started");
  const { stream, cancel } = start();
  signal?.addEventListener("abort", cancel, { once: true });
  try {
    for await (const message of stream) yield message as T;
  } catch (error) {
    throw isServiceError(error) ? callError(error) : error;
  } finally {
    signal?.removeEventListener("abort", cancel);
    cancel(); // no-op after the status arrived; stops the server when the consumer broke out early
  }
}
