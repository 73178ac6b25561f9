/**
 * Candidate pools built by the service for SubmitJob (CandidatePools in annotator.proto): the corpus
 * and queries come inline or from a BEIR directory under the corpora root, human qrels inline or from
 * the directory's split; BM25 top-k from an embedded index built over the corpus (or an OpenSearch
 * index), dense top-k from the encoder's Search when an encoder is configured, merged with the human
 * positives by candidatePools. The result is each query with its pooled passages, in pool order.
 */
import {
  loadBeirDir,
  readBeirCorpus,
  readBeirQrels,
  readBeirQueries,
  type BeirDir,
  type DocumentRecord,
  type Qrels,
  type Run,
} from "@ferret/datasets";
import { InputError, InvalidArgumentError } from "@ferret/errors";
import type { CandidatePools } from "@ferret/proto";
import { EmbeddedBm25, OpenSearchBm25, type LexicalBackend } from "@ferret/retrieval";
import { pathUnderRoot } from "@ferret/service";
import { candidatePools } from "../candidates.js";
import { encoderDenseRun, type EncoderClient } from "../dense-candidates.js";
import type { PassageText } from "../tasks/passage-format.js";
import type { CorpusIndexCache, CorpusLease } from "./corpus-index-cache.js";
import type { QueryRef } from "../work-items.js";

export interface ServerPoolOptions {
  /** Root that CandidatePools.beir_dir is relative to; without it only inline corpora are accepted. */
  corporaRoot?: string;
  /** The encoder for dense candidates. */
  encoder?: EncoderClient;
  /** Dense index searched when a request names none. */
  defaultDenseIndex?: string;
  /** OpenSearch node URL for CandidatePools.opensearch_index (default $OPENSEARCH_URL or localhost). */
  opensearchNode?: string;
  /** BEIR corpora (and their BM25 indexes) kept between requests; without it each request reads its own. */
  corpusCache?: CorpusIndexCache;
}

export interface PooledQuery {
  query: QueryRef;
  passages: PassageText[];
}

export const DEFAULT_POOL_DEPTH = 20;

function underRoot(root: string | undefined, relative: string): string {
  const field = "pools.beir_dir";
  if (root === undefined)
    throw new InputError({ file: "<request>", field }, "this annotator has no corpora root");
  const dir = pathUnderRoot(root, relative);
  if (dir === undefined) {
    throw new InputError({ file: "<request>", field }, `"${relative}" is not a path under the corpora root`);
  }
  return dir;
}

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of source) out.push(x);
  return out;
}

function qrelsOf(spec: CandidatePools): Qrels | undefined {
  if (!spec.qrels || spec.qrels.qrels.length === 0) return undefined;
  const qrels: Qrels = new Map();
  for (const q of spec.qrels.qrels) {
    let row = qrels.get(q.queryId);
    if (!row) qrels.set(q.queryId, (row = new Map()));
    row.set(q.docId, q.relevance);
  }
  return qrels;
}

function passageOf(doc: DocumentRecord): PassageText {
  return { id: doc.id, ...(doc.title ? { title: doc.title } : {}), text: doc.text };
}

export async function serverPools(
  spec: CandidatePools,
  options: ServerPoolOptions,
  signal?: AbortSignal,
): Promise<PooledQuery[]> {
  if (!spec.beirDir && spec.documents.length === 0)
    throw new InvalidArgumentError("pools need a corpus: beir_dir or documents");
  const dir = spec.beirDir ? await loadBeirDir(underRoot(options.corporaRoot, spec.beirDir)) : undefined;
  // a cached corpus brings its embedded BM25 index along (a request searching OpenSearch needs neither)
  const lease: CorpusLease | undefined =
    dir && options.corpusCache && !spec.opensearchIndex
      ? await options.corpusCache.acquire(dir.corpusPath)
      : undefined;
  try {
    return await poolsOver(spec, options, dir, lease, signal);
  } finally {
    await lease?.release();
  }
}

async function poolsOver(
  spec: CandidatePools,
  options: ServerPoolOptions,
  dir: BeirDir | undefined,
  lease: CorpusLease | undefined,
  signal: AbortSignal | undefined,
): Promise<PooledQuery[]> {
  const docs: DocumentRecord[] = lease
    ? lease.docs
    : dir
      ? await collect(readBeirCorpus(dir.corpusPath))
      : spec.documents.map((d) => ({ id: d.id, title: d.title, text: d.text }));
  let qrels = qrelsOf(spec);
  if (!qrels && dir && spec.split) qrels = await readBeirQrels(dir.qrelsPath(spec.split));
  let queries: QueryRef[] = spec.queries.map((q) => ({ id: q.id, text: q.text }));
  if (queries.length === 0) {
    if (!dir) throw new InvalidArgumentError("pools need queries: inline, or from beir_dir");
    queries = (await collect(readBeirQueries(dir.queriesPath))).map((q) => ({ id: q.id, text: q.text }));
    if (spec.split) queries = queries.filter((q) => qrels?.has(q.id));
  }
  const k = spec.depth || DEFAULT_POOL_DEPTH;
  const denseIndex = spec.denseIndex || options.defaultDenseIndex;
  if (spec.denseIndex && !options.encoder)
    throw new InvalidArgumentError(
      `dense_index "${spec.denseIndex}" given, but this annotator has no encoder`,
    );

  const bm25: LexicalBackend = spec.opensearchIndex
    ? await OpenSearchBm25.open({
        alias: spec.opensearchIndex,
        ...(options.opensearchNode ? { node: options.opensearchNode } : {}),
      })
    : (lease?.bm25 ?? (await EmbeddedBm25.build(docs)));
  const ownBm25 = bm25 !== lease?.bm25; // the cache closes its own
  try {
    let dense: Run | undefined;
    if (denseIndex && options.encoder)
      dense = await encoderDenseRun(options.encoder, denseIndex, queries, k, signal);
    const pools = await candidatePools({
      queries,
      bm25,
      k,
      ...(dense ? { dense } : {}),
      ...(qrels ? { qrels, addHumanPositives: !spec.noHumanPositives } : {}),
    });
    const docById = new Map(docs.map((d) => [d.id, d]));
    return queries.map((query) => ({
      query,
      passages: (pools.get(query.id) ?? []).flatMap((id) => {
        const d = docById.get(id);
        return d ? [passageOf(d)] : [];
      }),
    }));
  } finally {
    if (ownBm25) await bm25.close();
  }
}
