/**
 * A worker in a child process of a test's own, to be SIGKILLed mid-job: a test-support script that
 * imports a package's BUILT dist/ (so the test says how to build it when it is missing), forked with an
 * IPC channel over which it reports what it has done ({ type: "ready" }, ...).
 */
import { fork } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";

export interface WorkerProcessOptions {
  /** Added to this process's environment. */
  readonly env: NodeJS.ProcessEnv;
  /** The built file the script imports, and the command that builds it. */
  readonly built: { readonly file: string; readonly command: string };
}

export interface WorkerProcess {
  /**
   * The first message of `type` (and satisfying `where`) the child sent, before or after this call;
   * rejects if the child exits first.
   */
  message<M extends { type: string }>(type: string, where?: (message: M) => boolean): Promise<M>;
  /** SIGKILL, then the signal that ended it (undefined when it had already exited). */
  kill(): Promise<NodeJS.Signals | null | undefined>;
}

export function forkWorkerProcess(script: string, options: WorkerProcessOptions): WorkerProcess {
  if (!existsSync(options.built.file))
    throw new Error(`the worker process imports the built package; run: ${options.built.command}`);
  const child = fork(script, [], {
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  const received: { type: string }[] = [];
  child.on("message", (m: { type: string }) => void received.push(m));
  return {
    message: <M extends { type: string }>(type: string, where: (message: M) => boolean = () => true) =>
      new Promise<M>((resolve, reject) => {
        const wanted = (m: { type: string }): m is M => m.type === type && where(m as M);
        const seen = received.find(wanted);
        if (seen) return resolve(seen);
        const onMessage = (m: { type: string }) => {
          if (!wanted(m)) return;
          child.off("message", onMessage);
          resolve(m);
        };
        child.on("message", onMessage);
        void exited.then(([code, signal]) =>
          reject(new Error(`worker process exited (code ${code}, signal ${signal}) before "${type}"`)),
        );
      }),
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return undefined;
      child.kill("SIGKILL");
      const [, signal] = await exited;
      return signal;
    },
  };
}
