import { fileURLToPath } from "node:url";

/** services/trainer/engine: the ferret_engine package beside this workspace (from src/ or dist/). */
export const ENGINE_DIR = fileURLToPath(new URL("../../engine", import.meta.url));
