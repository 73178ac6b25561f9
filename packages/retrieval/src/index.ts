export { createAnalyzer, isAnalyzerName, ANALYZER_NAMES } from "./analysis/analyzer.js";
export type { Analyzer, AnalyzerName } from "./analysis/analyzer.js";
export { standardTokenize, DEFAULT_MAX_TOKEN_LENGTH } from "./analysis/standard-tokenizer.js";
export type { TokenizeOptions } from "./analysis/standard-tokenizer.js";
export { porterStem } from "./analysis/porter-stem.js";
export { ENGLISH_STOP_WORDS } from "./analysis/english-stop-words.js";
