/**
 * The text a cross-encoder sees for a document: BEIR's reranking convention (beir/reranking/rerank.py),
 * title and body joined by a space and trimmed, the same as sentence-transformers' CrossEncoder gets in
 * BEIR's evaluation scripts, so scores are comparable with published reranking numbers.
 */
import type { DocumentRecord } from "@ferret/datasets";

export function passageText(doc: Pick<DocumentRecord, "title" | "text">): string {
  return `${doc.title} ${doc.text}`.trim();
}
