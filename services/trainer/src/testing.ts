// Test support for other packages' tests (`@ferret/trainer/testing`), kept out of the production API.
import { fileURLToPath } from "node:url";

/**
 * The engine test double's directory (src/test-support/engine-double: a ferret_engine package with the
 * engine's command line, progress lines, checkpoints and exit codes, which trains nothing). Resolved from
 * src/ or dist/ alike.
 */
export const ENGINE_DOUBLE_DIR = fileURLToPath(new URL("../src/test-support/engine-double", import.meta.url));
export { REAL_ENGINE_DIR, VENV_PYTHON, makeTrainableModel, requireVenv } from "./testing-trainable-model.js";
