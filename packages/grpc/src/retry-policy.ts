/**
 * Client retries as a gRPC service config (gRFC A6, implemented by grpc-js), not a hand-written loop:
 * grpc-js retries only before the call is committed (so a server stream that has delivered a message
 * is never replayed), keeps all attempts inside the call's one deadline, applies exponential backoff
 * with ±20 % jitter, and honours the server's `grpc-retry-pushback-ms`.
 * https://github.com/grpc/proposal/blob/master/A6-client-retries.md
 */
import type { ChannelOptions } from "@grpc/grpc-js";

export interface RetryPolicy {
  /** Attempts including the first. Default 5. */
  readonly maxAttempts?: number;
  /** Default 100 ms; each retry waits backoff × (0.8…1.2), then backoff grows by `backoffMultiplier`. */
  readonly initialBackoffMs?: number;
  /** Default 5000 ms. */
  readonly maxBackoffMs?: number;
  /** Default 2. */
  readonly backoffMultiplier?: number;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(3)}s`;

/**
 * Channel options that retry `methods` (proto names, e.g. "Evaluate") of `serviceName` on UNAVAILABLE
 * only: the one status that means "not processed, try again" for an idempotent call.
 */
export function retryChannelOptions(
  serviceName: string,
  methods: readonly string[],
  policy: RetryPolicy = {},
): ChannelOptions {
  const maxAttempts = policy.maxAttempts ?? 5;
  // No policy still leaves grpc-js's transparent retries, which only resend what never reached the server.
  if (methods.length === 0 || maxAttempts < 2) return {};
  const initialBackoffMs = policy.initialBackoffMs ?? 100;
  const maxBackoffMs = policy.maxBackoffMs ?? 5000;
  const serviceConfig = {
    methodConfig: [
      {
        name: methods.map((method) => ({ service: serviceName, method })),
        retryPolicy: {
          maxAttempts,
          initialBackoff: seconds(initialBackoffMs),
          maxBackoff: seconds(maxBackoffMs),
          backoffMultiplier: policy.backoffMultiplier ?? 2,
          retryableStatusCodes: ["UNAVAILABLE"],
        },
      },
    ],
  };
  return {
    "grpc.service_config": JSON.stringify(serviceConfig),
    // Our config is the whole truth: do not let DNS TXT records replace it.
    "grpc.service_config_disable_resolution": 1,
    // grpc-js caps attempts at 5 unless told otherwise.
    "grpc-node.retry_max_attempts_limit": Math.max(5, maxAttempts),
    // Redial a refused address as eagerly as we retry: with grpc-js's default (1 s, growing to 120 s)
    // every retry inside the redial wait fails at once, and a restarted server is found late.
    "grpc.initial_reconnect_backoff_ms": initialBackoffMs,
    "grpc.max_reconnect_backoff_ms": maxBackoffMs,
  };
}
