// The trainable tiny model lives in testing-trainable-model.ts (exported through @ferret/trainer/testing).
export { REAL_ENGINE_DIR, VENV_PYTHON, makeTrainableModel, requireVenv } from "../testing-trainable-model.js";
