/** Directory holding the engine test double's ferret_engine package (see engine-double/README.md). */
export { ENGINE_DOUBLE_DIR } from "../testing.js";
/** The system Python runs the double (it needs no packages). */
export const PYTHON = process.env["FERRET_TEST_PYTHON"] ?? "python3";
