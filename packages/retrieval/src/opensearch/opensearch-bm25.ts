import { Client } from "@opensearch-project/opensearch";
import type { DocumentRecord, Run } from "@ferret/datasets";
import {
  type FerretError,
  InvalidArgumentError,
  NotFoundError,
  UnavailableError,
  isFerretError,
} from "@ferret/errors";
import { silentLogger, type Logger } from "@ferret/logging";
import { createAnalyzer, type Analyzer, type AnalyzerName } from "../analysis/analyzer.js";
import { ANSERINI_BM25, validateBm25Params, type Bm25Params } from "../bm25/bm25-similarity.js";
import type { FieldLayout } from "../bm25/index-builder.js";
import {
  checkTieRule,
  removeQueryHits,
  type BatchSearchOptions,
  type LexicalBackend,
  type LexicalQuery,
  type LexicalSearchOptions,
  type SearchHit,
} from "../search/lexical-backend.js";
import { bulkIngest, type IngestProgress } from "./bulk-ingest.js";
import { fieldNames, indexBody, type AnalysisMode, type FerretIndexMeta } from "./index-definition.js";
import { queryBody } from "./query-body.js";
import { adjustTiedScores } from "../search/anserini-ties.js";

/**
 * The OpenSearch BM25 backend: the same analyzer and BM25 parameters as the embedded index, served
 * by an OpenSearch cluster. Queries go to an alias; `build` loads a new versioned index
 * (`<alias>-<timestamp>`) and swaps the alias to it atomically, so readers never see a missing or
 * half-loaded index, then deletes the previous one.
 */

export interface OpenSearchConnection {
  /** An existing client, or a node URL (default $OPENSEARCH_URL or http://127.0.0.1:9200). */
  client?: Client;
  node?: string;
  logger?: Logger;
}

export interface OpenSearchBuildOptions extends OpenSearchConnection {
  alias: string;
  analyzer?: AnalyzerName;
  /** "auto" (default): server-side when the cluster has the analyzer, else client-side. */
  analysis?: AnalysisMode | "auto";
  layout?: FieldLayout;
  bm25?: Bm25Params;
  /** Primary shards (default 1: BM25 statistics are per shard; more shards search with DFS). */
  shards?: number;
  replicas?: number;
  /** Bulk request size in bytes (default 5 MB) and requests in flight (default 2). */
  flushBytes?: number;
  concurrency?: number;
  /** Retries of a rejected (429) bulk item before it counts as failed (default 5). */
  retries?: number;
  onProgress?: (progress: IngestProgress) => void;
  /** Wait after the alias swap before deleting the previous index (default 2000 ms). */
  retireAfterMs?: number;
}

export interface OpenSearchSearchConfig {
  /** Queries per _msearch request (default 100) and requests in flight (default 2). */
  msearchSize?: number;
  concurrency?: number;
}

export function defaultOpenSearchNode(): string {
  return process.env["OPENSEARCH_URL"] ?? "http://127.0.0.1:9200";
}

function connect(options: OpenSearchConnection): Client {
  return (
    options.client ?? new Client({ node: options.node ?? defaultOpenSearchNode(), requestTimeout: 60_000 })
  );
}

interface SearchResponseItem {
  error?: unknown;
  status?: number;
  hits?: { hits: { _id: string; _score: number | null }[] };
}

function describe(err: unknown): string {
  if (err && typeof err === "object" && "meta" in err) {
    const body = (err as { meta?: { body?: unknown } }).meta?.body;
    if (body) return JSON.stringify(body).slice(0, 500);
  }
  return err instanceof Error ? err.message : String(err);
}

function wrap(err: unknown, what: string): FerretError {
  if (isFerretError(err)) return err;
  const status = (err as { meta?: { statusCode?: number } }).meta?.statusCode;
  if (status === 404) return new NotFoundError(`${what}: not found (${describe(err)})`, { cause: err });
  if (status !== undefined && status < 500) {
    return new InvalidArgumentError(`${what}: rejected (${describe(err)})`, { cause: err });
  }
  return new UnavailableError(`${what}: OpenSearch unavailable (${describe(err)})`, { cause: err });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class OpenSearchBm25 implements LexicalBackend {
  readonly kind = "opensearch" as const;
  private readonly analyzer: Analyzer;

  private constructor(
    private readonly client: Client,
    readonly alias: string,
    readonly meta: FerretIndexMeta,
    private readonly shards: number,
    private readonly ownsClient: boolean,
    private readonly config: OpenSearchSearchConfig = {},
  ) {
    this.analyzer = createAnalyzer(meta.analyzer);
  }

  /** Opens an index built by `build`, reading its analyzer, layout and BM25 parameters from the mapping. */
  static async open(
    options: OpenSearchConnection & { alias: string } & OpenSearchSearchConfig,
  ): Promise<OpenSearchBm25> {
    const client = connect(options);
    try {
      const res = await client.indices.getMapping({ index: options.alias });
      const entries = Object.entries(
        res.body as Record<string, { mappings?: { _meta?: { ferret?: FerretIndexMeta } } }>,
      );
      const [concrete, mapping] = entries[0] ?? [];
      const meta = mapping?.mappings?._meta?.ferret;
      if (!concrete || !meta) throw new NotFoundError(`"${options.alias}" is not a Ferret BM25 index`);
      const settings = await client.indices.getSettings({ index: concrete, name: "index.number_of_shards" });
      const shards = Number(
        (settings.body as Record<string, { settings: { index: { number_of_shards: string } } }>)[concrete]
          ?.settings.index.number_of_shards ?? 1,
      );
      return new OpenSearchBm25(client, options.alias, meta, shards, options.client === undefined, options);
    } catch (err) {
      if (options.client === undefined) await client.close();
      throw wrap(err, `opening OpenSearch index "${options.alias}"`);
    }
  }

  /**
   * Indexes `docs` into a new versioned index and points the alias at it (reindex without
   * downtime). On failure the new index is deleted and the alias is left as it was.
   */
  static async build(
    docs: AsyncIterable<DocumentRecord> | Iterable<DocumentRecord>,
    options: OpenSearchBuildOptions,
  ): Promise<{ backend: OpenSearchBm25; index: string; indexed: number }> {
    const logger = options.logger ?? silentLogger();
    const bm25 = options.bm25 ?? ANSERINI_BM25;
    validateBm25Params(bm25);
    const shards = options.shards ?? 1;
    const client = connect(options);
    const analyzer = options.analyzer ?? "english";
    const index = `${options.alias}-${new Date().toISOString().replace(/[^0-9]/g, "")}-${Math.random().toString(36).slice(2, 6)}`;
    let created = false;
    try {
      const analysis =
        options.analysis === undefined || options.analysis === "auto"
          ? await detectAnalysis(client, analyzer)
          : options.analysis;
      const meta: FerretIndexMeta = {
        analyzer,
        analysis,
        layout: options.layout ?? "flat",
        bm25,
        version: 1,
      };
      const existing = await aliasTargets(client, options.alias);
      logger.info(
        { index, alias: options.alias, analysis, previous: existing },
        "building OpenSearch BM25 index",
      );
      await client.indices.create({ index, body: indexBody(meta, shards, options.replicas ?? 0) });
      created = true;
      const fieldAnalyzer = analysis === "client" ? createAnalyzer(analyzer) : undefined;
      const stats = await bulkIngest(client, index, docs, {
        fields: fieldNames(meta.layout),
        layout: meta.layout,
        analyzer: fieldAnalyzer,
        flushBytes: options.flushBytes ?? 5_000_000,
        concurrency: options.concurrency ?? 2,
        retries: options.retries ?? 5,
        onProgress: options.onProgress,
      });
      await client.indices.putSettings({ index, body: { index: { refresh_interval: "1s" } } });
      await client.indices.refresh({ index });
      // One atomic alias update: readers switch from the old index to the new one at once.
      await client.indices.updateAliases({
        body: {
          actions: [
            ...existing.map((old) => ({ remove: { index: old, alias: options.alias } })),
            { add: { index, alias: options.alias } },
          ],
        },
      });
      // Searches already routed to the old index finish before it goes away.
      if (existing.length > 0) await sleep(options.retireAfterMs ?? 2000);
      for (const old of existing) await client.indices.delete({ index: old });
      logger.info({ index, indexed: stats.successful }, "alias swapped");
      const backend = new OpenSearchBm25(client, options.alias, meta, shards, options.client === undefined);
      return { backend, index, indexed: stats.successful };
    } catch (err) {
      if (created) await client.indices.delete({ index }).catch(() => undefined);
      if (options.client === undefined) await client.close();
      throw wrap(err, `building OpenSearch index for alias "${options.alias}"`);
    }
  }

  private request(query: LexicalQuery, k: number, options: LexicalSearchOptions): Record<string, unknown> {
    return {
      size: k,
      _source: false,
      track_total_hits: false,
      query: queryBody(query.text, this.meta, this.analyzer, options.fieldWeights),
      // Anserini's sort: score, then the document id (Lucene's BytesRef order), also at the cut k.
      ...(options.ties === "anserini"
        ? { sort: [{ _score: "desc" }, { _id: "asc" }], track_scores: true }
        : {}),
    };
  }

  private check(options: LexicalSearchOptions): number {
    if (options.rm3) throw new InvalidArgumentError("RM3 is available on the embedded backend only");
    checkTieRule(options);
    if (options.bm25 && (options.bm25.k1 !== this.meta.bm25.k1 || options.bm25.b !== this.meta.bm25.b)) {
      throw new InvalidArgumentError(
        `this OpenSearch index scores with k1=${this.meta.bm25.k1} b=${this.meta.bm25.b}; rebuild it to change them`,
      );
    }
    const k = options.k ?? 1000;
    if (!Number.isInteger(k) || k < 0)
      throw new InvalidArgumentError(`k must be a non-negative integer, got ${k}`);
    return k;
  }

  private get legacyScale(): number {
    return 1 + this.meta.bm25.k1;
  }

  private get searchType(): "dfs_query_then_fetch" | undefined {
    // With several shards, DFS gathers global term statistics first, so scores equal a one-shard index's.
    return this.shards > 1 ? "dfs_query_then_fetch" : undefined;
  }

  async search(query: LexicalQuery, options: LexicalSearchOptions = {}): Promise<SearchHit[]> {
    const run = await this.searchBatch([query], options);
    const hits = [...(run.get(query.id) ?? new Map<string, number>())].map(([id, score]) => ({ id, score }));
    return hits;
  }

  async searchBatch(queries: readonly LexicalQuery[], options: BatchSearchOptions = {}): Promise<Run> {
    const k = this.check(options);
    const size = this.config.msearchSize ?? 100;
    const concurrency = this.config.concurrency ?? 2;
    const results = new Array<SearchHit[]>(queries.length);
    let done = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < queries.length) {
        const start = next;
        next = Math.min(queries.length, next + size);
        const chunk = queries.slice(start, next);
        const items = await this.msearch(chunk, k, options);
        items.forEach((hits, i) => {
          const q = chunk[i] as LexicalQuery;
          if (options.ties === "anserini") {
            // Lucene's float scores (the division above is in double), then Anserini's score writing.
            const scores = adjustTiedScores(Float32Array.from(hits, (h) => h.score));
            hits.forEach((h, j) => (h.score = scores[j] as number));
          }
          results[start + i] = options.removeQuery ? removeQueryHits(q.id, hits) : hits;
        });
        done += chunk.length;
        options.onProgress?.(done, queries.length);
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(concurrency, Math.ceil(queries.length / size)) }, worker),
    );
    const run: Run = new Map();
    queries.forEach((q, i) => run.set(q.id, new Map((results[i] ?? []).map((h) => [h.id, h.score]))));
    return run;
  }

  private async msearch(
    chunk: readonly LexicalQuery[],
    k: number,
    options: LexicalSearchOptions,
  ): Promise<SearchHit[][]> {
    const body = chunk.flatMap((q) => [{ index: this.alias }, this.request(q, k, options)]);
    for (let attempt = 0; ; attempt++) {
      let responses: SearchResponseItem[];
      try {
        const res = await this.client.msearch({
          body: body as never,
          ...(this.searchType ? { search_type: this.searchType } : {}),
        });
        responses = (res.body as { responses: SearchResponseItem[] }).responses;
      } catch (err) {
        const status = (err as { meta?: { statusCode?: number } }).meta?.statusCode;
        if (attempt < 3 && (status === undefined || status === 429 || status >= 500)) {
          await sleep(200 * 2 ** attempt);
          continue;
        }
        throw wrap(err, `searching "${this.alias}"`);
      }
      const rejected = responses.some((r) => r.status === 429);
      if (rejected && attempt < 3) {
        await sleep(200 * 2 ** attempt);
        continue;
      }
      return responses.map((r) => {
        if (r.error)
          throw wrap({ meta: { statusCode: r.status, body: r.error } }, `searching "${this.alias}"`);
        // OpenSearch's BM25 type is Lucene's LegacyBM25Similarity, which scales scores by (1 + k1);
        // dividing restores Lucene's BM25 scale (equal to the embedded scores up to float rounding).
        return (r.hits?.hits ?? []).map((h) => ({ id: h._id, score: (h._score ?? 0) / this.legacyScale }));
      });
    }
  }

  async documentIds(ids: readonly string[]): Promise<string[]> {
    const found = new Set<string>();
    const chunk = 1000;
    for (let i = 0; i < ids.length; i += chunk) {
      const values = [...new Set(ids.slice(i, i + chunk))];
      try {
        const res = await this.client.search({
          index: this.alias,
          body: { size: values.length, _source: false, query: { ids: { values } } } as never,
        });
        const hits = (res.body as { hits?: { hits?: { _id: string }[] } }).hits?.hits ?? [];
        for (const h of hits) found.add(h._id);
      } catch (err) {
        throw wrap(err, `looking up document ids in "${this.alias}"`);
      }
    }
    return ids.filter((id) => found.has(id));
  }

  /** Deletes the alias and the index behind it. */
  async drop(): Promise<void> {
    const targets = await aliasTargets(this.client, this.alias);
    for (const index of targets) await this.client.indices.delete({ index });
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.client.close();
  }
}

/** Server-side analysis when the cluster knows the analyzer (the minimal distribution has no "english"). */
async function detectAnalysis(client: Client, analyzer: AnalyzerName): Promise<AnalysisMode> {
  try {
    await client.indices.analyze({ body: { analyzer, text: "ferret" } });
    return "server";
  } catch (err) {
    const status = (err as { meta?: { statusCode?: number } }).meta?.statusCode;
    if (status === 400 || status === 404) return "client";
    throw err;
  }
}

/** The concrete indices an alias points at ([] if it does not exist); refuses a concrete index of that name. */
async function aliasTargets(client: Client, alias: string): Promise<string[]> {
  const exists = await client.indices.exists({ index: alias });
  if (!exists.body) return [];
  const isAlias = await client.indices.existsAlias({ name: alias });
  if (!isAlias.body) {
    throw new InvalidArgumentError(
      `"${alias}" is a concrete OpenSearch index, not an alias; delete or rename it`,
    );
  }
  const res = await client.indices.getAlias({ name: alias });
  return Object.keys(res.body as Record<string, unknown>);
}
