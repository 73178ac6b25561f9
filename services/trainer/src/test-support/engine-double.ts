import { fileURLToPath } from "node:url";

/** Directory holding the engine test double's ferret_engine package (see engine-double/README.md). */
export const ENGINE_DOUBLE_DIR = fileURLToPath(new URL("./engine-double", import.meta.url));
/** The system Python runs the double (it needs no packages). */
export const PYTHON = process.env["FERRET_TEST_PYTHON"] ?? "python3";
