export { createLogger, silentLogger } from "./logger.js";
export type { CreateLoggerOptions, Logger } from "./logger.js";
