import { readFileSync } from "node:fs";
import { ConfigError } from "@ferret/errors";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";

export interface LoadConfigOptions {
  /** Environment to read (defaults to process.env). */
  env?: NodeJS.ProcessEnv;
  /**
   * Only variables starting with this prefix are read; the rest of the name becomes the
   * key path, split on "__" and camel-cased: FERRET_NATS__MAX_DELIVER → nats.maxDeliver.
   */
  prefix?: string;
  /** Optional YAML file; defaults to the path in `${prefix}CONFIG` when set. */
  file?: string;
}

type Tree = Record<string, unknown>;

function camel(segment: string): string {
  return segment.toLowerCase().replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function envTree(env: NodeJS.ProcessEnv, prefix: string): Tree {
  const tree: Tree = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(prefix) || value === undefined || name === `${prefix}CONFIG`) continue;
    const path = name.slice(prefix.length).split("__").map(camel);
    let node = tree;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      node = (typeof next === "object" && next !== null ? next : (node[key] = {})) as Tree;
    }
    node[path[path.length - 1]!] = value;
  }
  return tree;
}

function merge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    const bothObjects =
      typeof prev === "object" &&
      prev !== null &&
      !Array.isArray(prev) &&
      typeof value === "object" &&
      value !== null;
    out[key] = bothObjects ? merge(prev as Tree, value as Tree) : value;
  }
  return out;
}

function readYaml(file: string): Tree {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new ConfigError(`cannot read config file ${file}`, { cause, details: { file } });
  }
  try {
    const doc: unknown = parseYaml(text);
    if (doc === null || doc === undefined) return {};
    if (typeof doc !== "object" || Array.isArray(doc)) throw new Error("top level must be a mapping");
    return doc as Tree;
  } catch (cause) {
    throw new ConfigError(`${file}: not valid YAML config: ${(cause as Error).message}`, {
      cause,
      details: { file },
    });
  }
}

/**
 * Load configuration once at start-up: schema defaults, then the YAML file, then env
 * (env wins). Values from env are strings, so schemas should use z.coerce for numbers
 * and booleans. Throws a ConfigError whose message names every bad key.
 */
export function loadConfig<S extends z.ZodType>(schema: S, options: LoadConfigOptions = {}): z.infer<S> {
  const env = options.env ?? process.env;
  const prefix = options.prefix ?? "FERRET_";
  const file = options.file ?? env[`${prefix}CONFIG`];
  const raw = merge(file ? readYaml(file) : {}, envTree(env, prefix));
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = issue.path.map(String).join(".") || "(root)";
    return { key, message: issue.message };
  });
  const listed = problems.map((p) => `${p.key}: ${p.message}`).join("; ");
  throw new ConfigError(`invalid configuration${file ? ` (file ${file}, env ${prefix}*)` : ""}: ${listed}`, {
    details: { problems },
  });
}
