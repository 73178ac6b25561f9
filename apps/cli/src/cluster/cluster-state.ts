/**
 * Where `ferret up` keeps a local cluster's state, and what it wrote down: one directory (default
 * .ferret/cluster) with cluster.json (the servers' URLs, which of them `up` started, each service's pid and
 * ports), each service's config file, log and data, and nats/ and opensearch/ (the dev scripts' own data,
 * logs and pid files). cluster.json is written to a temporary file and renamed, so a reader never sees half
 * of it.
 */
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { InputError } from "@ferret/errors";
import { z } from "zod";
import { SERVICE_NAMES } from "./service-catalog.js";

export const DEFAULT_STATE_DIR = ".ferret/cluster";

const serviceSchema = z.object({
  pid: z.int().positive(),
  grpcPort: z.int().positive(),
  metricsPort: z.int().positive(),
  log: z.string(),
});

const clusterSchema = z.object({
  nats: z.object({
    url: z.string(),
    started: z.boolean(),
    port: z.int().optional(),
    monitorPort: z.int().optional(),
  }),
  opensearch: z.object({ url: z.string(), started: z.boolean(), port: z.int().optional() }),
  services: z.partialRecord(z.enum(SERVICE_NAMES), serviceSchema),
});

export type ClusterState = z.infer<typeof clusterSchema>;
export type ServiceState = z.infer<typeof serviceSchema>;

export class StateDir {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = resolve(dir);
  }
  get stateFile(): string {
    return join(this.dir, "cluster.json");
  }
  serviceDir(name: string): string {
    return join(this.dir, "services", name);
  }
  logFile(name: string): string {
    return join(this.serviceDir(name), `${name}.log`);
  }
  configFile(name: string): string {
    return join(this.serviceDir(name), `${name}.yaml`);
  }

  /** The state `up` wrote, or undefined when there is none (never started, or stopped by `down`). */
  async read(): Promise<ClusterState | undefined> {
    let text: string;
    try {
      text = await readFile(this.stateFile, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
    let parsed: ReturnType<typeof clusterSchema.safeParse>;
    try {
      parsed = clusterSchema.safeParse(JSON.parse(text));
    } catch (cause) {
      throw new InputError({ file: this.stateFile }, `not JSON (${(cause as Error).message})`, { cause });
    }
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InputError({ file: this.stateFile, field: issue.path.join(".") }, issue.message);
    }
    return parsed.data;
  }

  async write(state: ClusterState): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const partial = `${this.stateFile}.partial-${process.pid}`;
    await writeFile(partial, `${JSON.stringify(state, null, 2)}\n`);
    await rename(partial, this.stateFile);
  }

  async clear(): Promise<void> {
    await rm(this.stateFile, { force: true });
  }
}
