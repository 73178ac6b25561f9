export { createProgram, VERSION } from "./program.js";
export { runCli, EXIT_OK, EXIT_FAILURE, EXIT_USAGE } from "./run-cli.js";
export { byteProgress, withByteProgress, formatBytes, LARGE_INPUT_BYTES } from "./progress.js";
export type { ByteProgress, ProgressOptions } from "./progress.js";
