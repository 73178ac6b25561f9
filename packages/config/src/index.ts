export { loadConfig } from "./load-config.js";
export type { LoadConfigOptions } from "./load-config.js";
export { countField, flagField, grpcServerSchema, listField, portField } from "./schema-fields.js";
