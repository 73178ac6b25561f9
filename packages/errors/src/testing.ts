// Test support for other packages' tests (`@ferret/errors/testing`), kept out of the production API.
export { DEFAULT_FUZZ_SEED, fuzzParameters, fuzzTimeout } from "./fuzz-parameters.js";
export type { FuzzParameters } from "./fuzz-parameters.js";
export { assertLocatedInputError, assertTypedError } from "./assert-typed-error.js";
