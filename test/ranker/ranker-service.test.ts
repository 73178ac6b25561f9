/**
 * The Ranker over real gRPC on loopback, end to end: the committed embedded-BM25 run of examples/mini
 * (fixtures/mini-bm25-top20.trec) is reranked by the tiny cross-encoder through Rerank (texts read by the
 * service from the BEIR directory), and the reranked run is evaluated with @ferret/evaluator's evaluate().
 * The expected order and scores come from PyTorch (fixtures/reference.json, scripts/make-fixtures.py), never
 * from our own output. The weights are random, so no quality change is asserted.
 */
import { readBeirQrels, readTrecRun, rankByTrecOrder, type Run } from "@ferret/datasets";
import { evaluate } from "@ferret/evaluator";
import { FerretError } from "@ferret/errors";
import {
  createClient,
  isServiceError,
  startGrpcServer,
  type GrpcServer,
  type ServiceClient,
} from "@ferret/grpc";
import { RankerService, type Run as RunMessage } from "@ferret/proto";
import { createRankerService, ModelCatalog, runFromMessage, runToMessage } from "@ferret/ranker";
import {
  EXAMPLES_DIR,
  FIXTURES_DIR,
  MINI_DIR,
  MINI_RUN,
  readReference,
  sigmoid,
} from "@ferret/ranker/testing";
import { status as Status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const DEPTH = 10;
const reference = readReference();
/** PyTorch logit by query id and doc id. */
const logitOf = new Map(reference.pairs.map((p) => [`${p.queryId}\u0000${p.docId}`, p.logit]));

let server: GrpcServer;
let client: ServiceClient<typeof RankerService>;
let models: ModelCatalog;
let bm25: Run;
let bm25Message: RunMessage;

beforeAll(async () => {
  models = new ModelCatalog({ root: FIXTURES_DIR, defaultModel: "tiny-ce", load: { intraOpNumThreads: 1 } });
  server = await startGrpcServer({
    services: [createRankerService({ models, corporaRoot: EXAMPLES_DIR })],
    host: "127.0.0.1",
    port: 0,
  });
  client = createClient(RankerService, `127.0.0.1:${server.port}`, { deadlineMs: 60_000 });
  bm25 = (await readTrecRun(MINI_RUN)).run;
  bm25Message = runToMessage(bm25, "bm25");
});

afterAll(async () => {
  client?.close();
  await server?.shutdown();
  await models?.close();
});

/** The gRPC status code behind a client-side FerretError. */
function grpcCode(err: unknown): number | undefined {
  expect(err).toBeInstanceOf(FerretError);
  const cause = (err as FerretError).cause;
  return isServiceError(cause) ? cause.code : undefined;
}

describe("Rerank over gRPC", () => {
  it("re-orders each query's BM25 top 10 by PyTorch's scores, and the run evaluates end to end", async () => {
    const response = await client.rerank({
      model: { name: "tiny-ce", version: "", artifact: undefined },
      run: bm25Message,
      corpus: { beirDir: "mini", documents: [], queries: [] },
      depth: DEPTH,
      keepTail: false,
      quantized: false,
      name: "",
    });
    expect(response.pairsScored).toBe(8 * DEPTH);
    expect(response.run!.name).toBe("bm25+tiny-ce");
    const reranked = runFromMessage(response.run!, "<response>");
    expect([...reranked.keys()].sort()).toEqual([...bm25.keys()].sort());

    for (const [qid, docs] of bm25) {
      const top = rankByTrecOrder(docs, DEPTH).map(([docid]) => docid);
      const ranking = response.run!.rankings.find((r) => r.queryId === qid)!;
      // same documents as the input's top 10 ...
      expect(ranking.docs.map((d) => d.docId).sort()).toEqual([...top].sort());
      // ... ordered by PyTorch's logit (sigmoid is monotonic), ranks 1..10
      const expected = [...top].sort(
        (a, b) => logitOf.get(`${qid}\u0000${b}`)! - logitOf.get(`${qid}\u0000${a}`)!,
      );
      expect(ranking.docs.map((d) => d.docId)).toEqual(expected);
      expect(ranking.docs.map((d) => d.rank)).toEqual(top.map((_, i) => i + 1));
      for (const d of ranking.docs) {
        expect(Math.abs(d.score - sigmoid(logitOf.get(`${qid}\u0000${d.docId}`)!))).toBeLessThan(1e-4);
      }
    }

    const qrels = await readBeirQrels(`${MINI_DIR}/qrels/test.tsv`);
    const measures = ["ndcg_cut.10", "map", "recip_rank", "P.5"];
    const evaluation = evaluate(reranked, qrels, measures);
    expect(evaluation.numQueries).toBe(8);
    for (const name of ["ndcg_cut_10", "map", "recip_rank", "P_5"]) {
      expect(Number.isFinite(evaluation.mean[name])).toBe(true);
      expect(evaluation.mean[name]).toBeGreaterThanOrEqual(0);
      expect(evaluation.mean[name]).toBeLessThanOrEqual(1);
    }
    // Reranking within the top 10 keeps P@10's document set, hence its value, per query (hand argument:
    // P@10 counts relevant documents among the first 10, whatever their order).
    const p10 = (run: Run) => evaluate(run, qrels, ["P.10"]).perQuery;
    const before = p10(new Map([...bm25].map(([q, d]) => [q, new Map(rankByTrecOrder(d, DEPTH))])));
    const after = p10(reranked);
    for (const [qid, values] of before) expect(after.get(qid)!["P_10"]).toBe(values["P_10"]);
  });

  it("keeps the documents below the depth in first-stage order with keep_tail", async () => {
    const response = await client.rerank({
      model: undefined,
      run: bm25Message,
      corpus: { beirDir: "mini", documents: [], queries: [] },
      depth: DEPTH,
      keepTail: true,
      quantized: false,
      name: "tail",
    });
    for (const ranking of response.run!.rankings) {
      const input = rankByTrecOrder(bm25.get(ranking.queryId)!).map(([docid]) => docid);
      expect(ranking.docs).toHaveLength(20);
      expect(ranking.docs.slice(DEPTH).map((d) => d.docId)).toEqual(input.slice(DEPTH));
      expect(
        ranking.docs
          .slice(0, DEPTH)
          .map((d) => d.docId)
          .sort(),
      ).toEqual(input.slice(0, DEPTH).sort());
    }
  });

  it("reranks inline texts, and names a missing document", async () => {
    const qid = "3";
    const pairs = reference.pairs.filter((p) => p.queryId === qid).slice(0, 4);
    const run: RunMessage = {
      name: "inline",
      rankings: [
        { queryId: qid, docs: pairs.map((p, i) => ({ docId: p.docId, score: 10 - i, rank: i + 1 })) },
      ],
    };
    const corpus = {
      beirDir: "",
      documents: pairs.map((p) => ({ id: p.docId, title: "", text: p.passage, metadata: {} })),
      queries: [{ id: qid, text: pairs[0]!.query, metadata: {} }],
    };
    const base = { model: undefined, depth: 0, keepTail: false, quantized: false, name: "" };
    const response = await client.rerank({ ...base, run, corpus });
    const expected = [...pairs].sort((a, b) => b.logit - a.logit).map((p) => p.docId);
    expect(response.run!.rankings[0]!.docs.map((d) => d.docId)).toEqual(expected);

    const missing = { ...corpus, documents: corpus.documents.slice(1) };
    const err = await client.rerank({ ...base, run, corpus: missing }).catch((e: unknown) => e);
    expect(grpcCode(err)).toBe(Status.INVALID_ARGUMENT);
    expect((err as Error).message).toContain(`no document "${pairs[0]!.docId}"`);
  });

  it("refuses corpus directories outside the corpora root and unknown models", async () => {
    const base = { depth: 5, keepTail: false, quantized: false, name: "", run: bm25Message };
    const escape = await client
      .rerank({ ...base, model: undefined, corpus: { beirDir: "../services", documents: [], queries: [] } })
      .catch((e: unknown) => e);
    expect(grpcCode(escape)).toBe(Status.INVALID_ARGUMENT);
    expect((escape as Error).message).toContain("leaves the corpora root");
    const unknown = await client
      .score({
        model: { name: "no-such-model", version: "", artifact: undefined },
        query: "q",
        passages: ["p"],
        quantized: false,
      })
      .catch((e: unknown) => e);
    expect(grpcCode(unknown)).toBe(Status.NOT_FOUND);
  });
});

describe("Score over gRPC", () => {
  it("scores passages in request order within 1e-4 of PyTorch's sigmoid scores", async () => {
    const pairs = reference.pairs.filter((p) => p.queryId === "5");
    const response = await client.score({
      model: undefined,
      query: pairs[0]!.query,
      passages: pairs.map((p) => p.passage),
      quantized: false,
    });
    expect(response.model).toBe("tiny-ce");
    expect(response.scores).toHaveLength(pairs.length);
    pairs.forEach((p, i) => expect(Math.abs(response.scores[i]! - sigmoid(p.logit))).toBeLessThan(1e-4));
  });
});
