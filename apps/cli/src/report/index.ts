export { buildReport, DEFAULT_RECALL_CUTOFFS, labelStats, trainingCurves } from "./build-report.js";
export type { BuildReportOptions, LabelUsage, ReportSystem } from "./build-report.js";
export { readReport, rerenderReport, writeReport } from "./report-files.js";
export { renderReportHtml } from "./render-html.js";
export { REPORT_HTML, REPORT_JSON, reportJsonSchema } from "./report-json.js";
export type { ReportJson } from "./report-json.js";
export { rocCurve, trapezoidArea } from "./roc-curve.js";
