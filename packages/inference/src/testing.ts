// Test support for other packages' tests (`@ferret/inference/testing`), kept out of the production API.
export { FIXTURE_MODELS } from "./fixture-models.js";
