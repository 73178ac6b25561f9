import type { Client } from "@opensearch-project/opensearch";
import type { DocumentRecord } from "@ferret/datasets";
import { ResourceExhaustedError } from "@ferret/errors";
import type { Analyzer } from "../analysis/analyzer.js";
import type { FieldLayout } from "../bm25/index-builder.js";

/**
 * Bulk loading through the client's bulk helper, which gives the three things a large load needs:
 * backpressure (the document source is only read while fewer than `concurrency` requests are in
 * flight), retries (items rejected with 429 are resent, with a wait, up to `retries` times;
 * connection errors are retried by the transport), and batching by size (`flushBytes`).
 */

export interface IngestProgress {
  /** Documents read from the source and queued for indexing. */
  sent: number;
  /** Documents OpenSearch confirmed. */
  indexed: number;
  /** Documents dropped after their retries ran out. */
  failed: number;
}

export interface IngestOptions {
  fields: string[];
  layout: FieldLayout;
  /** Client-side analysis: fields hold the analyzer's terms joined by spaces. */
  analyzer: Analyzer | undefined;
  flushBytes: number;
  concurrency: number;
  retries: number;
  onProgress: ((progress: IngestProgress) => void) | undefined;
}

function fieldTexts(doc: DocumentRecord, layout: FieldLayout): string[] {
  return layout === "flat" ? [`${doc.title}\n${doc.text}`] : [doc.text, doc.title];
}

export async function bulkIngest(
  client: Client,
  index: string,
  docs: AsyncIterable<DocumentRecord> | Iterable<DocumentRecord>,
  options: IngestOptions,
): Promise<{ successful: number; failed: number }> {
  let sent = 0;
  let failed = 0;
  const drops: string[] = [];
  const progressEvery = 1000;
  const running: { helper?: { stats: { successful: number } } } = {};
  const report = (): void =>
    options.onProgress?.({ sent, indexed: running.helper?.stats.successful ?? 0, failed });

  async function* source(): AsyncGenerator<DocumentRecord> {
    for await (const doc of docs) {
      sent++;
      if (sent % progressEvery === 0) report();
      yield doc;
    }
  }

  const helper = client.helpers.bulk<DocumentRecord>({
    datasource: source(),
    flushBytes: options.flushBytes,
    concurrency: options.concurrency,
    retries: options.retries,
    wait: 1000,
    onDocument(doc) {
      const texts = fieldTexts(doc, options.layout);
      const body: Record<string, string> = {};
      options.fields.forEach((field, i) => {
        const text = texts[i] ?? "";
        body[field] = options.analyzer ? options.analyzer.analyze(text).join(" ") : text;
      });
      return [{ index: { _index: index, _id: doc.id } }, body];
    },
    onDrop(drop) {
      failed++;
      if (drops.length < 5) drops.push(`${drop.status} ${drop.error?.type}: ${drop.error?.reason}`);
    },
  });
  running.helper = helper;
  const stats = await helper;
  report();
  if (stats.failed > 0) {
    throw new ResourceExhaustedError(
      `${stats.failed} of ${stats.total} documents were not indexed into ${index} (first: ${drops.join("; ")})`,
      { details: { index, failed: stats.failed, total: stats.total } },
    );
  }
  return { successful: stats.successful, failed: stats.failed };
}
