/**
 * Per-RPC metrics, the same in every service: `ferret_<service>_calls_total{method,outcome}` and
 * `ferret_<service>_call_seconds{method}`. The outcome is "OK", or the `code` of the FerretError the call
 * failed with ("INTERNAL" for anything else), so dashboards read one scheme across services.
 */
import { isFerretError } from "@ferret/errors";
import { Counter, Histogram, type Registry } from "prom-client";

export interface RpcMetrics {
  /** Times one RPC; the outcome label is "OK" or the FerretError code it failed with. */
  timeCall<T>(method: string, call: () => Promise<T>): Promise<T>;
  /** The same for a streaming RPC: call the returned function when it ends (with its error, if any). */
  startCall(method: string): (err?: unknown) => void;
}

export interface RpcMetricsOptions {
  /** Histogram buckets in seconds (default: 5 ms … 1 h). */
  buckets?: number[];
  /** What the duration covers when it is not obvious, e.g. "WatchJob: the whole stream". */
  durationNote?: string;
}

const DEFAULT_BUCKETS = [0.005, 0.02, 0.1, 0.5, 1, 5, 30, 120, 600, 3600];

export function rpcMetrics(registry: Registry, service: string, options: RpcMetricsOptions = {}): RpcMetrics {
  const title = service.charAt(0).toUpperCase() + service.slice(1);
  const calls = new Counter({
    name: `ferret_${service}_calls_total`,
    help: `${title} RPCs by method and outcome (OK or the error code)`,
    labelNames: ["method", "outcome"] as const,
    registers: [registry],
  });
  const seconds = new Histogram({
    name: `ferret_${service}_call_seconds`,
    help: `${title} RPC duration${options.durationNote === undefined ? "" : ` (${options.durationNote})`}`,
    labelNames: ["method"] as const,
    buckets: options.buckets ?? DEFAULT_BUCKETS,
    registers: [registry],
  });
  const startCall = (method: string) => {
    const end = seconds.startTimer({ method });
    return (err?: unknown): void => {
      end();
      calls.inc({ method, outcome: err === undefined ? "OK" : isFerretError(err) ? err.code : "INTERNAL" });
    };
  };
  return {
    async timeCall(method, call) {
      const end = startCall(method);
      try {
        const result = await call();
        end();
        return result;
      } catch (err) {
        end(err);
        throw err;
      }
    },
    startCall,
  };
}

/** RPC metrics that record nothing (tests, library use). */
export const noRpcMetrics: RpcMetrics = {
  timeCall: (_method, call) => call(),
  startCall: () => () => undefined,
};
