/**
 * A nats-server of a test's own (JetStream on, loopback, a port the server picks), for tests that need
 * settings the shared dev server ($NATS_URL) does not have: a user and password, a token, TLS.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface NatsServerOptions {
  /** Names the server in errors. */
  readonly name?: string;
  /** JetStream's store directory; a fresh temporary one, removed by stop(), when omitted. */
  readonly storeDir?: string;
  /** Clients must give this user and password. */
  readonly user?: { readonly user: string; readonly password: string };
  /** Clients must give this token. */
  readonly token?: string;
  /** The server speaks TLS only, with this certificate and key. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
}

export interface NatsServer {
  /** nats://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  /** SIGTERM, then resolves once the server has exited (and its temporary store is removed). */
  stop(): Promise<void>;
}

function authArgs(options: NatsServerOptions): string[] {
  const args: string[] = [];
  if (options.user) args.push("--user", options.user.user, "--pass", options.user.password);
  if (options.token !== undefined) args.push("--auth", options.token);
  if (options.tls) args.push("--tls", "--tlscert", options.tls.certFile, "--tlskey", options.tls.keyFile);
  return args;
}

/** Starts nats-server (from PATH) and resolves once it accepts clients. */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const name = options.name ?? "nats-server";
  const tempDir = options.storeDir === undefined ? await mkdtemp(join(tmpdir(), "ferret-nats-")) : undefined;
  const storeDir = options.storeDir ?? tempDir!;
  // -p -1: the server picks a free port itself (no window in which another process could take it).
  const child = spawn(
    "nats-server",
    ["-a", "127.0.0.1", "-p", "-1", "-m", "0", "-js", "-sd", storeDir, ...authArgs(options)],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  // A failed spawn (no nats-server on PATH) may emit "error" without "exit".
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", () => resolve());
  });
  const removeStore = async () => {
    if (tempDir !== undefined) await rm(tempDir, { recursive: true, force: true });
  };
  try {
    const port = await new Promise<number>((ready, fail) => {
      let log = "";
      const onLog = (chunk: Buffer) => {
        log += chunk.toString("utf8");
        const listening = /Listening for client connections on \S+:(\d+)/.exec(log);
        if (!listening || !log.includes("Server is ready")) return;
        child.stderr.off("data", onLog);
        child.stderr.resume(); // keep draining its log so the pipe never fills
        ready(Number(listening[1]));
      };
      child.stderr.on("data", onLog);
      child.once("error", fail);
      void exited.then(() =>
        fail(new Error(`${name} exited (${child.exitCode}) before it was ready: ${log}`)),
      );
    });
    return {
      url: `nats://127.0.0.1:${port}`,
      port,
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
        await exited;
        await removeStore();
      },
    };
  } catch (err) {
    child.kill("SIGKILL");
    await exited;
    await removeStore();
    throw err;
  }
}
