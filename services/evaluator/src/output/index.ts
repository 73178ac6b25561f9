export { formatTrecEval, formatTrecValue } from "./trec-format.js";
export type { TrecFormatOptions } from "./trec-format.js";
export { toEvaluationJson, formatEvaluationJson } from "./json.js";
export type { EvaluationJson } from "./json.js";
