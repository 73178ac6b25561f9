/**
 * The service runtime: what every service's start file shares. `startService` opens the /metrics listener
 * and the bus, hands them to the service's own wiring, starts the gRPC server when the wiring asks
 * (`listen`), logs "<name> started", and returns a handle whose `stop()` shuts down in the order a rolling
 * update needs: the gRPC server and the work takers (`stopFirst`: job workers, subscriptions) stop together,
 * in-flight calls and jobs getting the shutdown timeout; then everything opened is closed in reverse order
 * (the service's own resources, then the bus, then /metrics, which outlives the rest for scrapes). A failed
 * start closes what it had opened the same way, then rethrows.
 */
import type { Bus } from "@ferret/bus";
import type { ServiceBlocksConfig } from "@ferret/config";
import { InternalError } from "@ferret/errors";
import {
  isServerTls,
  serverCredentials,
  startGrpcServer,
  type GrpcServer,
  type ServiceRegistration,
} from "@ferret/grpc";
import { silentLogger, type Logger } from "@ferret/logging";
import { createRegistry, startMetricsServer, type Registry } from "@ferret/metrics";
import { Closers, type Close } from "./closers.js";
import { openBus } from "./open-bus.js";

/** A job worker: it stops taking jobs, and lets the running ones finish within `graceMs`. */
export interface Worker {
  stop(options?: { graceMs?: number }): Promise<void>;
}

/** What a service's wiring gets from the runtime. */
export interface ServiceRuntime {
  readonly bus: Bus;
  /** The registry /metrics serves; the service registers its own metrics in it. */
  readonly registry: Registry;
  readonly logger: Logger;
  /** How long in-flight calls and jobs get to finish on stop (config.grpc.shutdownTimeoutMs). */
  readonly graceMs: number;
  /** Closed on stop, after the intake has stopped, or on a failed start: the last registered first. */
  onClose(close: Close): void;
  /** Stopped first on stop, together with the gRPC server: what takes new work (job workers, subscriptions). */
  stopFirst(stop: () => Promise<void>): void;
  /**
   * Starts a job worker when `enabled` (else resolves undefined) and stops it first on stop, its in-flight
   * jobs getting `graceMs`. Call it after `listen`.
   */
  startWorker<W extends Worker>(enabled: boolean, start: () => Promise<W> | W): Promise<W | undefined>;
  /**
   * Starts the gRPC server on config.grpc's host and port, with health, reflection, the message size limit
   * both ways, the shutdown timeout, TLS when config.grpc.tls sets a certificate, and the plaintext
   * health-only port when config.grpc.healthPort is set. Call it once, after what the services need is
   * open and before the work takers start, so a failed start (a port in use) never leaves a worker pulling
   * jobs.
   */
  listen(services: readonly ServiceRegistration[]): Promise<GrpcServer>;
  /** Adds fields to the "<name> started" log line (which always has grpcPort, metricsPort and bus). */
  describe(fields: Record<string, unknown>): void;
}

export interface RunningService {
  readonly bus: Bus;
  readonly grpc: GrpcServer;
  readonly registry: Registry;
  /** Undefined when metrics.enabled is false. */
  readonly metricsPort: number | undefined;
  /** Idempotent: every call returns the same promise. */
  stop(): Promise<void>;
}

export interface StartServiceOptions {
  /** The service's name: the NATS connection's name and the "<name> started" log line. */
  readonly name: string;
  readonly logger?: Logger;
  /**
   * gRPC services served beside the service's own on the same server (same port, TLS, limits, health and
   * reflection), built once the bus is open: what a process adds to a service it runs (the pipeline API
   * `ferret serve` adds to the services that host pipeline stages).
   */
  readonly extraServices?: (bus: Bus) => Promise<readonly ServiceRegistration[]>;
}

/**
 * Starts a service: /metrics, the bus, then `wire` (the service's own part, which calls `listen` once), and
 * returns the running service with what `wire` returned.
 */
export async function startService<Own extends object>(
  config: ServiceBlocksConfig,
  options: StartServiceOptions,
  wire: (runtime: ServiceRuntime) => Promise<Own>,
): Promise<RunningService & Own> {
  const { name } = options;
  const logger = options.logger ?? silentLogger();
  const graceMs = config.grpc.shutdownTimeoutMs;
  const registry = createRegistry();
  const closers = new Closers();
  const intake: (() => Promise<void>)[] = [];
  const described: Record<string, unknown> = {};
  let grpc: GrpcServer | undefined;
  // Before anything opens: a bad certificate or key fails the start naming its field and file.
  const credentials = serverCredentials(config.grpc.tls);
  const tls = !isServerTls(config.grpc.tls)
    ? "off"
    : config.grpc.tls.clientAuth === "require"
      ? "mutual"
      : "server";
  try {
    let metricsPort: number | undefined;
    if (config.metrics.enabled) {
      const metrics = await startMetricsServer(registry, {
        host: config.metrics.host,
        port: config.metrics.port,
      });
      metricsPort = metrics.port;
      closers.add(() => metrics.close());
    }
    const bus = await openBus(config, name, logger);
    closers.add(() => bus.close({ graceMs }));
    const own = await wire({
      bus,
      registry,
      logger,
      graceMs,
      onClose: (close) => closers.add(close),
      stopFirst: (stop) => void intake.push(stop),
      async startWorker(enabled, start) {
        if (!enabled) return undefined;
        const worker = await start();
        intake.push(() => worker.stop({ graceMs }));
        return worker;
      },
      async listen(services) {
        if (grpc !== undefined) throw new InternalError(`${name}: the gRPC server is already listening`);
        const extra = options.extraServices === undefined ? [] : await options.extraServices(bus);
        grpc = await startGrpcServer({
          services: [...services, ...extra],
          host: config.grpc.host,
          port: config.grpc.port,
          logger,
          shutdownTimeoutMs: graceMs,
          credentials,
          ...(config.grpc.healthPort === undefined ? {} : { healthPort: config.grpc.healthPort }),
          serverOptions: {
            "grpc.max_receive_message_length": config.grpc.maxMessageBytes,
            "grpc.max_send_message_length": config.grpc.maxMessageBytes,
          },
        });
        intake.unshift(() => grpc!.shutdown());
        return grpc;
      },
      describe: (fields) => void Object.assign(described, fields),
    });
    if (grpc === undefined) throw new InternalError(`${name}: the start never called listen()`);
    const server = grpc;
    logger.info(
      { grpcPort: server.port, tls, healthPort: server.healthPort, metricsPort, bus: bus.kind, ...described },
      `${name} started`,
    );
    let stopped: Promise<void> | undefined;
    return {
      ...own,
      bus,
      grpc: server,
      registry,
      metricsPort,
      stop() {
        stopped ??= (async () => {
          logger.info(`${name} stopping`);
          await Promise.all(intake.map((stop) => stop()));
          const [failure] = await closers.closeAll();
          if (failure !== undefined) throw failure;
          logger.info(`${name} stopped`);
        })();
        return stopped;
      },
    };
  } catch (err) {
    await Promise.all(intake.map((stop) => stop().catch(() => undefined)));
    for (const failure of await closers.closeAll()) {
      logger.warn({ err: failure }, `${name}: closing after a failed start failed`);
    }
    throw err;
  }
}

/** A service's start function, as main.ts and tests call it. */
export type ServiceStart<Config, Running> = (
  config: Config,
  options?: Omit<StartServiceOptions, "name">,
) => Promise<Running>;

/**
 * Defines a service's start function (startRanker, startEncoder...) from its name and its own wiring; the
 * running service has the runtime's fields and what the wiring returns.
 */
export function serviceStart<Config extends ServiceBlocksConfig, Own extends object>(
  name: string,
  wire: (config: Config, runtime: ServiceRuntime) => Promise<Own>,
): ServiceStart<Config, RunningService & Own> {
  return (config, options = {}) =>
    startService(config, { name, ...options }, (runtime) => wire(config, runtime));
}
