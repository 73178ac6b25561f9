export { loadConfig } from "./load-config.js";
export type { LoadConfigOptions } from "./load-config.js";
export {
  block,
  countField,
  flagField,
  grpcClientTlsSchema,
  grpcServerSchema,
  grpcServerTlsSchema,
  listField,
  portField,
  textField,
} from "./schema-fields.js";
export {
  artifactsSchema,
  jobsBlock,
  metricsServerSchema,
  natsSchema,
  pipelineHostSchema,
  serviceConfig,
  serviceConfigBlocks,
} from "./service-blocks.js";
export type { ServiceBlockDefaults, ServiceBlocksConfig } from "./service-blocks.js";
export { parseYamlSpec } from "./parse-yaml-spec.js";
export type { ParseYamlSpecOptions, SpecSource } from "./parse-yaml-spec.js";
