// Test support for other packages' tests (`@ferret/ranker/testing`), kept out of the production API: the
// ranker's committed fixtures (tiny cross-encoder, examples/mini BM25 run, PyTorch reference logits).
export {
  EXAMPLES_DIR,
  FIXTURES_DIR,
  MINI_DIR,
  MINI_RUN,
  TINY_CE,
  readReference,
  sigmoid,
} from "./test-support/fixtures.js";
export type { PairReference, Reference } from "./test-support/fixtures.js";
