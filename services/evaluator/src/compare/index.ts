export { MARKER_BETTER, MARKER_WORSE, compareSystems } from "./comparison-table.js";
export type {
  CompareOptions,
  ComparisonCell,
  ComparisonRow,
  ComparisonTable,
  SignificanceTest,
  SystemPerQuery,
} from "./comparison-table.js";
export { comparisonToJson, renderComparisonMarkdown, renderComparisonText } from "./render.js";
export type { ComparisonJson, RenderOptions } from "./render.js";
