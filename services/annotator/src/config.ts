/**
 * The annotator's configuration: schema defaults, then the YAML file named by FERRET_ANNOTATOR_CONFIG,
 * then FERRET_ANNOTATOR_* variables (nested keys with "__": FERRET_ANNOTATOR_LLM__BASE_URL=http://vllm:8000/v1,
 * FERRET_ANNOTATOR_LLM__MODEL=Qwen/Qwen2.5-32B-Instruct, FERRET_ANNOTATOR_LLM__API_KEY=...,
 * FERRET_ANNOTATOR_NATS__URL=nats://nats:4222, FERRET_ANNOTATOR_ENCODER__ADDRESS=encoder:50054). The LLM is either an OpenAI-compatible endpoint
 * (llm.baseUrl + llm.model) or a local GGUF (llm.ggufPath); only that endpoint is ever contacted.
 */
import { block, countField, flagField, grpcClientTlsSchema, serviceConfig } from "@ferret/config";
import { z } from "zod";

export const { schema: annotatorConfigSchema, load: loadAnnotatorConfig } = serviceConfig(
  "FERRET_ANNOTATOR_",
  { grpcPort: 50057, metricsPort: 9467, artifactsDir: ".ferret/annotator" },
  {
    llm: block({
      baseUrl: z.string().url().optional(),
      model: z.string().min(1).optional(),
      apiKey: z.string().optional(),
      structuredOutput: z.enum(["json_schema", "json_object", "none"]).default("json_schema"),
      timeoutMs: countField(60_000),
      ggufPath: z.string().min(1).optional(),
      threads: countField(2),
      /** LLM calls in flight per replica. */
      concurrency: countField(8),
      /** LLM calls started per second per replica (0: unlimited). */
      ratePerSecond: z.coerce.number().min(0).default(0),
      maxAttempts: countField(5),
    }).refine((l) => l.ggufPath !== undefined || (l.baseUrl !== undefined && l.model !== undefined), {
      message: "set llm.baseUrl and llm.model (OpenAI-compatible server) or llm.ggufPath (embedded GGUF)",
    }),
    worker: block({
      enabled: flagField(true),
      batchConcurrency: countField(2),
      itemConcurrency: countField(8),
    }),
    /** Root of the BEIR directories SubmitJob's server-side pools may name (none: inline corpora only). */
    corpora: block({
      dir: z.string().min(1).optional(),
      /** Corpora kept read and BM25-indexed between SubmitJob calls (0: read per request). */
      cacheSize: countField(1, 0),
    }),
    /**
     * Dense candidates for server-side pools: the encoder's gRPC address, its default index, and TLS to it
     * (FERRET_ANNOTATOR_ENCODER__TLS__CA_FILE=/etc/ferret/grpc-tls/ca.crt).
     */
    encoder: block({
      address: z.string().min(1).optional(),
      index: z.string().min(1).optional(),
      tls: grpcClientTlsSchema,
    }),
    /** OpenSearch for pools that name an opensearch_index (default $OPENSEARCH_URL or localhost). */
    opensearch: block({ url: z.string().url().optional() }),
    /** Prefix of the annotator's queues and buckets. */
    prefix: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/)
      .default("annotator"),
  },
);

export type AnnotatorConfig = z.infer<typeof annotatorConfigSchema>;
