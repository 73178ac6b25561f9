/**
 * A grpc-js server set up the way every Ferret service runs: its services plus grpc.health.v1 and
 * server reflection, deadline-aware promise handlers (handlers.ts), and a graceful shutdown that
 * Kubernetes can rely on: NOT_SERVING first, then drain, then close.
 */
import { Server, ServerCredentials, type ServerOptions } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { UnavailableError } from "@ferret/errors";
import { readDescriptorSet } from "@ferret/proto";
import { type Logger, silentLogger } from "@ferret/logging";
import { HealthImplementation, protoPath as healthProtoPath } from "grpc-health-check";
import { descriptorSetOf, serviceNameOf } from "./descriptors.js";
import { type ServiceRegistration, adaptService } from "./handlers.js";
import { tolerantDecoding } from "./request-decoding.js";
import { InFlightCalls } from "./in-flight-calls.js";
import { addReflection } from "./reflection.js";

const HEALTH_SERVICE = "grpc.health.v1.Health";

export interface GrpcServerOptions {
  readonly services: readonly ServiceRegistration[];
  /** 0 picks a free port (see `port` on the result). Default 0. */
  readonly port?: number;
  /** Default "0.0.0.0" (all IPv4 interfaces, as a pod needs); tests pass "127.0.0.1". */
  readonly host?: string;
  readonly logger?: Logger;
  /** How long shutdown waits for in-flight calls before force-closing them. Default 10 000 ms. */
  readonly shutdownTimeoutMs?: number;
  /** Shut down on SIGTERM/SIGINT (a second signal forces). Default false: the caller decides. */
  readonly handleSignals?: boolean;
  /**
   * Descriptor sets for reflection besides @ferret/proto's (which is always included), e.g.
   * `descriptorSetOf(protoLoaderPackage)` for a service not under proto/.
   */
  readonly descriptorSets?: readonly Uint8Array[];
  /** Default insecure (plaintext, as behind a mesh or on loopback); see `serverCredentials` (tls.ts). */
  readonly credentials?: ServerCredentials;
  /**
   * A second, plaintext port (on `host`) serving only grpc.health.v1, with the same statuses: for probes
   * that cannot speak TLS (Kubernetes' native gRPC probes). Unset: none. 0 picks a free port.
   */
  readonly healthPort?: number;
  /** grpc-js server options, e.g. `"grpc.max_receive_message_length"`. */
  readonly serverOptions?: ServerOptions;
}

export interface GrpcServer {
  /** The bound port (the chosen one when `port` was 0). */
  readonly port: number;
  /** The bound plaintext health-only port, when `healthPort` was set. */
  readonly healthPort: number | undefined;
  readonly host: string;
  /** Full names of the registered application services, e.g. "ferret.v1.Evaluator". */
  readonly serviceNames: readonly string[];
  /** Set "" (overall) or a service's status, e.g. NOT_SERVING while a dependency is down. */
  readonly health: HealthImplementation;
  /** Calls running now (application services only). */
  readonly inFlightCalls: number;
  /**
   * NOT_SERVING for all -> refuse new calls with UNAVAILABLE -> wait for in-flight calls -> close
   * connections; anything still running when `shutdownTimeoutMs` is up is aborted and force-closed.
   * Idempotent: every call returns the same promise.
   */
  shutdown(): Promise<void>;
  /** Resolves once the server has shut down (by `shutdown()` or a signal). */
  readonly closed: Promise<void>;
}

function bind(server: Server, address: string, credentials: ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, credentials, (error, port) =>
      error
        ? reject(new UnavailableError(`cannot listen on ${address}: ${error.message}`, { cause: error }))
        : resolve(port),
    );
  });
}

function healthDescriptorSet(): Uint8Array {
  return descriptorSetOf(loadSync(healthProtoPath, { keepCase: true }));
}

export async function startGrpcServer(options: GrpcServerOptions): Promise<GrpcServer> {
  const logger = options.logger ?? silentLogger();
  const host = options.host ?? "0.0.0.0";
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 10_000;
  const calls = new InFlightCalls();
  const server = new Server(options.serverOptions);

  const serviceNames = options.services.map((service) => serviceNameOf(service.definition));
  for (const service of options.services) {
    server.addService(tolerantDecoding(service.definition), adaptService(service, { calls, logger }));
  }
  const health = new HealthImplementation(
    Object.fromEntries(["", ...serviceNames].map((name) => [name, "SERVING" as const])),
  );
  health.addToServer(server);
  addReflection(
    server,
    [readDescriptorSet(), healthDescriptorSet(), ...(options.descriptorSets ?? [])],
    [...serviceNames, HEALTH_SERVICE],
  );

  const credentials = options.credentials ?? ServerCredentials.createInsecure();
  const port = await bind(server, `${host}:${options.port ?? 0}`, credentials);
  let healthServer: Server | undefined;
  let healthPort: number | undefined;
  if (options.healthPort !== undefined) {
    healthServer = new Server();
    health.addToServer(healthServer);
    try {
      healthPort = await bind(
        healthServer,
        `${host}:${options.healthPort}`,
        ServerCredentials.createInsecure(),
      );
    } catch (error) {
      server.forceShutdown();
      throw error;
    }
  }
  logger.info({ host, port, healthPort, services: serviceNames }, "gRPC server listening");

  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let shuttingDown: Promise<void> | undefined;

  const forceClose = (): void => {
    calls.abortAll();
    server.forceShutdown();
    healthServer?.forceShutdown();
  };

  const closeConnections = (timeoutMs: number): Promise<boolean> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });

  async function drainAndClose(): Promise<void> {
    const deadline = Date.now() + shutdownTimeoutMs;
    for (const name of ["", ...serviceNames]) health.setStatus(name, "NOT_SERVING");
    calls.stopAccepting();
    logger.info({ inFlight: calls.size, timeoutMs: shutdownTimeoutMs }, "gRPC server draining");
    const drained = await calls.drained(Math.max(0, deadline - Date.now()));
    // tryShutdown also waits for streams we do not track (health Watch, reflection), within what is left.
    const closedCleanly = drained && (await closeConnections(Math.max(0, deadline - Date.now())));
    if (!closedCleanly) {
      logger.warn({ inFlight: calls.size }, "gRPC shutdown timed out; force-closing");
      forceClose();
    }
    // The health port answers NOT_SERVING until the end; its open Watch streams would hold tryShutdown.
    healthServer?.forceShutdown();
    logger.info("gRPC server stopped");
  }

  const signals = ["SIGTERM", "SIGINT"] as const;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (shuttingDown === undefined) {
      logger.info({ signal }, "shutting down on signal");
      void shutdown();
    } else {
      logger.warn({ signal }, "second signal; force-closing");
      forceClose();
    }
  };
  if (options.handleSignals) for (const signal of signals) process.on(signal, onSignal);

  function shutdown(): Promise<void> {
    shuttingDown ??= drainAndClose().finally(() => {
      for (const signal of signals) process.off(signal, onSignal);
      resolveClosed();
    });
    return shuttingDown;
  }

  return {
    port,
    healthPort,
    host,
    serviceNames,
    health,
    get inFlightCalls() {
      return calls.size;
    },
    shutdown,
    closed,
  };
}
