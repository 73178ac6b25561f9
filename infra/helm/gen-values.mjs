#!/usr/bin/env node
/**
 * Writes what the Helm chart takes from the code, so the two cannot drift:
 *   - infra/helm/ferret/generated/stages.json: per worker stage its service, default queue, the config key
 *     that renames the queue, the env variable that turns the stage's worker on, and the JetStream stream and
 *     durable consumer names (from @ferret/bus's queueStreamName and WORKERS_CONSUMER, which the code binds);
 *     per service its gRPC and /metrics ports and env prefix (from the config schemas' defaults).
 *   - infra/helm/ferret/values.schema.json: infra/helm/values.schema.base.json with each service's config
 *     schema (its zod schema in src/config.ts as JSON Schema, unknown keys refused) under $defs.
 * Run after a build (it imports the built packages): `node infra/helm/gen-values.mjs` (--check: exit 1 and
 * name the files that differ instead of writing them; test/infra/k8s-chart.test.ts runs that).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { annotatorConfigSchema, loadAnnotatorConfig, openAnnotationStore } from "@ferret/annotator";
import { createBus, queueStreamName, WORKERS_CONSUMER } from "@ferret/bus";
import { encoderConfigSchema, loadEncoderConfig } from "@ferret/encoder";
import { evaluatorConfigSchema, loadEvaluatorConfig } from "@ferret/evaluator";
import { loadRankerConfig, rankerConfigSchema } from "@ferret/ranker";
import { loadTrainerConfig, trainerConfigSchema } from "@ferret/trainer";
import prettier from "prettier";
import { z } from "zod";

const here = dirname(fileURLToPath(import.meta.url));
const chart = join(here, "ferret");

/** The least config each loader accepts (the annotator needs an LLM). */
const MINIMAL_ENV = { annotator: { FERRET_ANNOTATOR_LLM__GGUF_PATH: "/m.gguf" } };

/** Config keys that hold secrets: the chart passes them from a Secret, so its config schema refuses them. */
const NATS_SECRETS = [
  ["nats", "password"],
  ["nats", "token"],
];
const SECRET_KEYS = {
  annotator: [["llm", "apiKey"], ...NATS_SECRETS],
  encoder: NATS_SECRETS,
  evaluator: NATS_SECRETS,
  ranker: NATS_SECRETS,
  trainer: NATS_SECRETS,
};

const services = {
  annotator: { schema: annotatorConfigSchema, load: loadAnnotatorConfig, envPrefix: "FERRET_ANNOTATOR_" },
  encoder: { schema: encoderConfigSchema, load: loadEncoderConfig, envPrefix: "FERRET_ENCODER_" },
  evaluator: { schema: evaluatorConfigSchema, load: loadEvaluatorConfig, envPrefix: "FERRET_EVALUATOR_" },
  ranker: { schema: rankerConfigSchema, load: loadRankerConfig, envPrefix: "FERRET_RANKER_" },
  trainer: { schema: trainerConfigSchema, load: loadTrainerConfig, envPrefix: "FERRET_TRAINER_" },
};

function load(service, extraEnv = {}) {
  return services[service].load({ env: { ...MINIMAL_ENV[service], ...extraEnv } });
}

function get(obj, key) {
  return key.split(".").reduce((o, k) => (o === undefined ? undefined : o[k]), obj);
}

function envName(prefix, key) {
  return (
    prefix +
    key
      .split(".")
      .map((k) => k.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase())
      .join("__")
  );
}

/** The annotator names its queue `${prefix}-<suffix>` inside openAnnotationStore; read it from a store opened in memory. */
async function annotatorQueueFormat() {
  const dir = mkdtempSync(join(tmpdir(), "ferret-gen-"));
  const bus = await createBus({ kind: "memory", dir });
  try {
    const store = await openAnnotationStore(bus, { prefix: "PREFIX" });
    const name = store.queue.name;
    if (!name.includes("PREFIX")) throw new Error(`annotator queue ${name} does not derive from its prefix`);
    return name.replace("PREFIX", "%s");
  } finally {
    await bus.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Stage -> where its queue name lives in the service's config and which flag runs its worker. */
async function stages() {
  const defs = {
    annotator: {
      service: "annotator",
      queueKey: "prefix",
      format: await annotatorQueueFormat(),
      enableKey: "worker.enabled",
    },
    "encoder-shards": {
      service: "encoder",
      queueKey: "shards.queue",
      format: "%s",
      enableKey: "shards.enabled",
    },
    "ranker-score": { service: "ranker", queueKey: "jobs.queue", format: "%s", enableKey: "jobs.enabled" },
    evaluator: { service: "evaluator", queueKey: "jobs.queue", format: "%s", enableKey: "jobs.enabled" },
    trainer: { service: "trainer", queueKey: "jobs.queue", format: "%s", enableKey: "jobs.enabled" },
  };
  const out = {};
  for (const [stage, d] of Object.entries(defs)) {
    const { envPrefix } = services[d.service];
    const enableEnv = envName(envPrefix, d.enableKey);
    // The env name must really switch the worker, both ways.
    if (get(load(d.service, { [enableEnv]: "false" }), d.enableKey) !== false) {
      throw new Error(`${enableEnv}=false does not turn off ${d.service}'s ${d.enableKey}`);
    }
    if (get(load(d.service, { [enableEnv]: "true" }), d.enableKey) !== true) {
      throw new Error(`${enableEnv}=true does not turn on ${d.service}'s ${d.enableKey}`);
    }
    const queue = d.format.replace("%s", get(load(d.service), d.queueKey));
    out[stage] = {
      service: d.service,
      queue,
      queueKey: d.queueKey,
      queueFormat: d.format,
      stream: queueStreamName(queue),
      consumer: WORKERS_CONSUMER,
      enableEnv,
    };
  }
  return out;
}

function serviceInfo() {
  const out = {};
  for (const [name, s] of Object.entries(services)) {
    const c = load(name);
    out[name] = { grpcPort: c.grpc.port, metricsPort: c.metrics.port, envPrefix: s.envPrefix };
  }
  return out;
}

/** Objects refuse unknown keys (the services' zod objects strip them silently: a typo would be lost). */
function strict(node) {
  if (Array.isArray(node)) return node.map(strict);
  if (node === null || typeof node !== "object") return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) if (k !== "$schema") out[k] = strict(v);
  if (out.type === "object" && out.properties && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

/**
 * Defaults that are paths inside this checkout (the trainer's engine dir is found beside its code) say
 * where the generator ran, not where a pod has the file: they are left out, so the schema is the same in
 * every clone and the service's own default applies in the image.
 */
const repoRoot = join(here, "..", "..") + "/";
function withoutCheckoutPaths(node) {
  if (Array.isArray(node)) return node.map(withoutCheckoutPaths);
  if (node === null || typeof node !== "object") return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === "default" && typeof v === "string" && v.startsWith(repoRoot)) continue;
    out[k] = withoutCheckoutPaths(v);
  }
  return out;
}

function configSchema(name) {
  const schema = withoutCheckoutPaths(
    strict(z.toJSONSchema(services[name].schema, { io: "input", unrepresentable: "any" })),
  );
  for (const path of SECRET_KEYS[name] ?? []) {
    const parent = path.slice(0, -1).reduce((s, k) => s.properties[k], schema);
    delete parent.properties[path[path.length - 1]];
  }
  return schema;
}

function valuesSchema() {
  const base = JSON.parse(readFileSync(join(here, "values.schema.base.json"), "utf8"));
  base.$defs = { ...base.$defs };
  for (const name of Object.keys(services)) {
    base.$defs[`${name}Config`] = configSchema(name);
    // Each service's entry is the shared component schema with its own config schema.
    const entry = structuredClone(base.$defs.service);
    entry.properties.config = { $ref: `#/$defs/${name}Config` };
    base.properties[name] = entry;
  }
  return base;
}

const streamPrefix = queueStreamName("");
if (queueStreamName("x") !== `${streamPrefix}x`) throw new Error("queueStreamName is not prefix + queue");

const files = {
  [join(chart, "generated", "stages.json")]: {
    comment: "Generated by infra/helm/gen-values.mjs from the built packages; do not edit.",
    streamPrefix,
    consumer: WORKERS_CONSUMER,
    stages: await stages(),
    services: serviceInfo(),
  },
  [join(chart, "values.schema.json")]: valuesSchema(),
};

const check = process.argv.includes("--check");
const stale = [];
for (const [file, value] of Object.entries(files)) {
  // Formatted as `prettier --check` wants it, so make lint and the --check here agree.
  const options = { ...(await prettier.resolveConfig(file)), filepath: file };
  const text = await prettier.format(JSON.stringify(value), options);
  let old = "";
  try {
    old = readFileSync(file, "utf8");
  } catch {
    // not written yet
  }
  if (old === text) continue;
  if (check) stale.push(file);
  else writeFileSync(file, text);
}
if (stale.length > 0) {
  console.error(`out of date (run node infra/helm/gen-values.mjs): ${stale.join(", ")}`);
  process.exit(1);
}
