export { normalizeAnswer, answerTokens, overlapCount } from "./normalize.js";
export { exactMatch } from "./exact-match.js";
export { tokenF1 } from "./token-f1.js";
export { tokenRecall } from "./token-recall.js";
export { kPrecision, kPrecisionPlusPlus } from "./k-precision.js";
export { reorderForLongContext, reorderedPosition } from "./reorder.js";
