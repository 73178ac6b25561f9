/**
 * The services `ferret serve` runs and `ferret up` starts, in the order `up` starts them (`down` stops them
 * in reverse), with the ports each listens on by default (the services' own config defaults). Each main is
 * imported when it runs: a service's package pulls in its models and runtimes.
 */
import type { ServiceBlocksConfig } from "@ferret/config";
import type { Logger } from "@ferret/logging";
import type { StartServiceOptions, StoppableService } from "@ferret/service";

export const SERVICE_NAMES = ["encoder", "ranker", "evaluator", "trainer", "annotator"] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export function isServiceName(name: string): name is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(name);
}

/** The services' own default ports (services/<name>/src/config.ts). */
export const DEFAULT_PORTS: Record<ServiceName, { grpc: number; metrics: number }> = {
  encoder: { grpc: 50054, metrics: 9465 },
  evaluator: { grpc: 50055, metrics: 9464 },
  ranker: { grpc: 50056, metrics: 9466 },
  annotator: { grpc: 50057, metrics: 9467 },
  trainer: { grpc: 50058, metrics: 9468 },
};

/** The prefix of a service's config variables (FERRET_ENCODER_...). */
export const envPrefix = (name: ServiceName): string => `FERRET_${name.toUpperCase()}_`;

/** A started service, with the config it read (the pipeline stages it hosts use the same NATS and engine). */
export interface StartedService {
  service: StoppableService;
  config: ServiceBlocksConfig;
  /** The trainer's engine (its Python and the ferret_engine directory). */
  engine?: { python: string; dir: string };
}

/** What `ferret serve` adds to a service it starts (the pipeline API). */
export type MainOptions = Pick<StartServiceOptions, "extraServices">;

type Main = (logger: Logger, options?: MainOptions) => Promise<StartedService>;

/** Each service's start from its FERRET_<SERVICE>_* config, as its own main.ts does. */
export const SERVICE_MAINS: Record<ServiceName, Main> = {
  encoder: async (logger, options) => {
    const { loadEncoderConfig, startEncoder } = await import("@ferret/encoder");
    const config = loadEncoderConfig();
    return { service: await startEncoder(config, { logger, ...options }), config };
  },
  ranker: async (logger, options) => {
    const { loadRankerConfig, startRanker } = await import("@ferret/ranker");
    const config = loadRankerConfig();
    return { service: await startRanker(config, { logger, ...options }), config };
  },
  evaluator: async (logger, options) => {
    const { loadEvaluatorConfig, startEvaluator } = await import("@ferret/evaluator");
    const config = loadEvaluatorConfig();
    return { service: await startEvaluator(config, { logger, ...options }), config };
  },
  trainer: async (logger, options) => {
    const { loadTrainerConfig, startTrainer } = await import("@ferret/trainer");
    const config = loadTrainerConfig();
    return { service: await startTrainer(config, { logger, ...options }), config, engine: config.engine };
  },
  annotator: async (logger, options) => {
    const { loadAnnotatorConfig, startAnnotator } = await import("@ferret/annotator");
    const config = loadAnnotatorConfig();
    return { service: await startAnnotator(config, { logger, ...options }), config };
  },
};
