"""Build the ranx/scipy/statsmodels reference fixtures for @ferret/fusion and the evaluator's significance code.

Run from the repo root:  .venv/bin/python services/evaluator/scripts/make-ranx-fixtures.py
Needs infra/dev/requirements-fixtures.txt (ranx 0.3.21, numpy, scipy, statsmodels).

Three simple runs over the BEIR SciFact test queries (../shared/data/scifact), computed here so the fixture is
self-contained:
  bm25        BM25 (k1=0.9, b=0.4, Lucene idf) over lower-cased word tokens of title + text
  char4       TF-IDF cosine over within-word character 4-grams (a "dense-like" score in [0, 1])
  bm25-title  BM25 over titles only (a weaker system)
Ties inside a query are broken before anything is recorded (see break_ties): ranx orders tied documents by
numba's unstable argsort, so rank-based outputs (rank norm, RRF) are only comparable on tie-free runs.

Outputs
  packages/fusion/fixtures/ranx-fusion.json.gz       inputs, ranx.normalize / ranx.fuse outputs, a Pyserini
                                                       hybrid reference, ranx.optimize_fusion (wsum) report
  services/evaluator/fixtures/ranx/significance.json  per-query metric values (ranx.evaluate), scipy t-tests,
                                                       ranx.compare p-values, exact permutation p-values,
                                                       statsmodels Holm, scipy bootstrap percentile CIs
Everything is deterministic except ranx's Fisher p-values: ranx samples inside a numba prange loop whose
per-thread generators np.random.seed does not reach, so they change run to run (tests compare statistically).
Edge cases: the fusion edge inputs include tied scores on purpose (query e1); tests skip rank-based outputs there.
"""

import gzip
import itertools
import json
import math
import re
from collections import Counter
from pathlib import Path

import numpy as np
import ranx
import scipy
import scipy.sparse as sp
import statsmodels
from ranx import Qrels, Run
from ranx.fusion_optimization.optimize_weights import get_possible_weights, get_trial_configs
from scipy.stats import bootstrap, ttest_rel
from statsmodels.stats.multitest import multipletests

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT.parent / "shared" / "data" / "scifact"
FUSION_OUT = ROOT / "packages" / "fusion" / "fixtures" / "ranx-fusion.json.gz"
SIG_OUT = ROOT / "services" / "evaluator" / "fixtures" / "ranx" / "significance.json"

DEPTH = 100  # run depth for the significance fixtures
FUSION_QUERIES = 40  # queries (first by sorted id) used for the fusion fixtures
FUSION_DEPTH = 25  # per-run depth for the fusion fixtures
TOKEN = re.compile(r"[a-z0-9]+")


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def read_qrels(path):
    qrels = {}
    with open(path, encoding="utf-8") as f:
        next(f)  # header
        for line in f:
            qid, docid, score = line.rstrip("\n").split("\t")
            qrels.setdefault(qid, {})[docid] = int(score)
    return qrels


def tokens(text):
    return TOKEN.findall(text.lower())


def bm25_scores(doc_tokens, query_tokens, k1=0.9, b=0.4):
    """Dense [queries x docs] BM25 score matrix (Lucene idf: log(1 + (N - df + 0.5) / (df + 0.5)))."""
    n_docs = len(doc_tokens)
    tfs = [Counter(t) for t in doc_tokens]
    lengths = np.array([len(t) for t in doc_tokens], dtype=float)
    avgdl = lengths.mean()
    df = Counter(term for tf in tfs for term in tf)
    postings = {}
    for d, tf in enumerate(tfs):
        for term, count in tf.items():
            postings.setdefault(term, []).append((d, count))
    scores = np.zeros((len(query_tokens), n_docs))
    for q, qt in enumerate(query_tokens):
        for term in qt:  # repeated query terms count repeatedly, as in Lucene's BooleanQuery of SHOULD clauses
            if term not in postings:
                continue
            idf = math.log(1 + (n_docs - df[term] + 0.5) / (df[term] + 0.5))
            for d, count in postings[term]:
                norm = k1 * (1 - b + b * lengths[d] / avgdl)
                scores[q, d] += idf * count * (k1 + 1) / (count + norm)
    return scores


def char4_matrix(texts, vocab=None):
    rows, cols, vals = [], [], []
    building = vocab is None
    vocab = {} if building else vocab
    for i, text in enumerate(texts):
        grams = Counter()
        for word in tokens(text):
            padded = f"#{word}#"
            for j in range(max(1, len(padded) - 3)):
                grams[padded[j : j + 4]] += 1
        for g, c in grams.items():
            if g not in vocab:
                if not building:
                    continue
                vocab[g] = len(vocab)
            rows.append(i)
            cols.append(vocab[g])
            vals.append(1 + math.log(c))
    return sp.csr_matrix((vals, (rows, cols)), shape=(len(texts), len(vocab))), vocab


def char4_scores(doc_texts, query_texts):
    docs, vocab = char4_matrix(doc_texts)
    df = np.asarray((docs > 0).sum(axis=0)).ravel()
    idf = np.log((1 + docs.shape[0]) / (1 + df)) + 1
    docs = docs.multiply(idf).tocsr()
    queries, _ = char4_matrix(query_texts, vocab)
    queries = queries.multiply(idf).tocsr()

    def l2(m):
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        norms[norms == 0] = 1
        return sp.diags(1 / norms) @ m

    return (l2(queries) @ l2(docs).T).toarray()


def break_ties(results):
    """Lower each tied score by k * 1e-7 (k = position among its ties, by docid) so no query has ties."""
    by_score = {}
    for docid, score in results.items():
        by_score.setdefault(score, []).append(docid)
    out = {}
    for score, docids in by_score.items():
        for k, docid in enumerate(sorted(docids)):
            out[docid] = score - k * 1e-7
    assert len(set(out.values())) == len(out), "ties remain"
    return out


def top_run(score_matrix, qids, doc_ids, depth):
    run = {}
    for q, qid in enumerate(qids):
        row = score_matrix[q]
        nonzero = np.flatnonzero(row > 0)
        order = nonzero[np.argsort(-row[nonzero], kind="stable")][:depth]
        run[qid] = break_ties({doc_ids[d]: float(row[d]) for d in order})
    return run


def truncate(run, qids, depth):
    out = {}
    for qid in qids:
        ranked = sorted(run[qid].items(), key=lambda kv: -kv[1])[:depth]
        out[qid] = dict(ranked)
    return out


def enc(x):
    """JSON has no NaN/Infinity: encode them as the strings "NaN", "Infinity", "-Infinity"."""
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def run_to_dict(run: Run):
    return {qid: {docid: float(s) for docid, s in docs.items()} for qid, docs in run.to_dict().items()}


def pyserini_hybrid(dense, sparse, alpha, k, normalization, weight_on_dense=False):
    """Pyserini HybridSearcher._hybrid_results (castorini/pyserini, pyserini/search/hybrid/_searcher.py),
    re-typed on plain dicts: a document missing from one list gets that list's minimum score."""
    min_d = min(dense.values()) if dense else 0
    max_d = max(dense.values()) if dense else 1
    min_s = min(sparse.values()) if sparse else 0
    max_s = max(sparse.values()) if sparse else 1
    out = {}
    for doc in set(dense) | set(sparse):
        s = sparse.get(doc, min_s)
        d = dense.get(doc, min_d)
        if normalization:
            s = (s - (min_s + max_s) / 2) / (max_s - min_s)
            d = (d - (min_d + max_d) / 2) / (max_d - min_d)
        out[doc] = alpha * s + d if not weight_on_dense else s + alpha * d
    return dict(sorted(out.items(), key=lambda kv: kv[1], reverse=True)[:k])


def exact_permutation_p(control, treatment):
    """Two-sided exact paired permutation p-value: all 2^n sign flips of d = treatment - control.
    Counts |sum(s * d)| >= |sum(d)| - 1e-10 * sum(|d|) (the tolerance Ferret uses, so that permutations whose
    statistic equals the observed one mathematically count regardless of summation order)."""
    d = np.asarray(treatment, dtype=float) - np.asarray(control, dtype=float)
    n = len(d)
    observed = abs(d.sum())
    tol = 1e-10 * np.abs(d).sum()
    count = 0
    total = 0
    chunk_bits = min(n, 16)
    low = np.array(list(itertools.product([1.0, -1.0], repeat=chunk_bits)))  # 2^chunk_bits x chunk_bits
    low_sums = low @ d[:chunk_bits]
    for high in itertools.product([1.0, -1.0], repeat=n - chunk_bits):
        s = low_sums + (np.dot(high, d[chunk_bits:]) if n > chunk_bits else 0.0)
        count += int(np.sum(np.abs(s) >= observed - tol))
        total += len(s)
    assert total == 2**n
    return count / total


def significance_fixture(runs_dict, qrels_dict):
    qrels = Qrels(qrels_dict)
    measures = ["ndcg@10", "map@100", "recall@100", "mrr@10"]
    names = list(runs_dict)
    per_query = {}
    qids = sorted(qrels_dict)
    for name in names:
        run = Run(runs_dict[name], name=name)
        scores = ranx.evaluate(qrels, run, measures, return_mean=False, make_comparable=True)
        # ranx returns arrays in its (sorted) query order; record them keyed by qid.
        order = list(Run(runs_dict[name]).make_comparable(qrels).keys())
        per_query[name] = {m: dict(zip(order, map(float, scores[m]))) for m in measures}
        assert sorted(order) == qids

    def values(name, m):
        return np.array([per_query[name][m][q] for q in qids])

    baseline = names[0]
    ttests = []
    for control, treatment in itertools.permutations(names, 2):
        for m in measures:
            res = ttest_rel(values(treatment, m), values(control, m))
            ttests.append(
                {
                    "control": control,
                    "treatment": treatment,
                    "measure": m,
                    "statistic": enc(res.statistic),
                    "df": float(res.df),
                    "pValue": enc(res.pvalue),
                }
            )

    ranx_runs = [Run(runs_dict[n], name=n) for n in names]
    student = ranx.compare(qrels, ranx_runs, measures, stat_test="student", make_comparable=True).to_dict()
    fisher_1000 = ranx.compare(
        qrels, ranx_runs, measures, stat_test="fisher", n_permutations=1000, random_seed=42, make_comparable=True
    ).to_dict()

    def comparisons(report):
        out = []
        for control in names:
            for treatment, by_m in report[control]["comparisons"].items():
                for m, p in by_m.items():
                    out.append({"control": control, "treatment": treatment, "measure": m, "pValue": enc(p)})
        return out

    # ranx's Fisher test is not reproducible (see the test for why), so record a high-precision estimate from
    # its own implementation for a statistical comparison: many permutations, standard error recorded.
    from ranx.statistical_tests import fisher_randomization_test

    n_big = 200_000
    fisher_big = []
    for treatment in names[1:]:
        for m in measures:
            p, _ = fisher_randomization_test(values(baseline, m), values(treatment, m), n_big, 0.01, 42)
            fisher_big.append(
                {
                    "control": baseline,
                    "treatment": treatment,
                    "measure": m,
                    "permutations": n_big,
                    "pValue": float(p),
                    "standardError": float(math.sqrt(max(p * (1 - p), 1e-12) / n_big)),
                }
            )

    # Exact permutation p-values on the first n queries (numpy enumeration of all 2^n sign flips).
    exact = []
    for n, (control, treatment), m in [
        (10, (names[0], names[1]), "ndcg@10"),
        (16, (names[0], names[2]), "ndcg@10"),
        (18, (names[0], names[1]), "mrr@10"),  # tie-heavy: reciprocal ranks repeat
        (20, (names[1], names[2]), "recall@100"),  # mostly 0/1 values: many exact ties
    ]:
        # n - 2 queries where the systems differ plus 2 where they tie (ties must not change the p-value).
        d = values(treatment, m) - values(control, m)
        idx = sorted(list(np.flatnonzero(d != 0)[: n - 2]) + list(np.flatnonzero(d == 0)[:2]))
        a = values(control, m)[idx]
        b = values(treatment, m)[idx]
        exact.append(
            {
                "control": control,
                "treatment": treatment,
                "measure": m,
                "queries": n,
                "controlValues": a.tolist(),
                "treatmentValues": b.tolist(),
                "pValue": exact_permutation_p(a, b),
            }
        )

    # Holm over baseline-vs-others per measure (the compare table's family), plus synthetic edge vectors.
    holm = []
    for m in measures:
        ps = [
            next(t["pValue"] for t in ttests if t["control"] == baseline and t["treatment"] == tr and t["measure"] == m)
            for tr in names[1:]
        ]
        holm.append({"label": f"t-test {m}", "pValues": ps})
    holm += [
        {"label": "textbook", "pValues": [0.01, 0.04, 0.03, 0.005]},
        {"label": "ties", "pValues": [0.02, 0.02, 0.02, 0.5, 0.001]},
        {"label": "boundary", "pValues": [0.0125, 0.05 / 3, 0.025, 0.05]},
        {"label": "clipped", "pValues": [0.3, 0.6, 0.9, 0.2]},
        {"label": "single", "pValues": [0.04]},
        {"label": "zeros", "pValues": [0.0, 0.0, 0.01, 1.0]},
    ]
    for case in holm:
        for alpha in (0.05, 0.01):
            reject, adjusted, _, _ = multipletests(case["pValues"], alpha=alpha, method="holm")
            case.setdefault("results", []).append(
                {"alpha": alpha, "reject": [bool(x) for x in reject], "adjusted": [float(x) for x in adjusted]}
            )

    # Bootstrap percentile CIs (scipy.stats.bootstrap, method="percentile"): 30 seeds give the Monte-Carlo spread
    # of each endpoint for the statistical comparison.
    boot = []
    for label, data in [
        ("paired ndcg@10 difference", values(names[1], "ndcg@10") - values(baseline, "ndcg@10")),
        ("mean map@100", values(baseline, "map@100")),
    ]:
        for confidence, resamples in [(0.95, 10_000), (0.9, 5_000)]:
            lows, highs = [], []
            for seed in range(30):
                ci = bootstrap(
                    (data,),
                    np.mean,
                    confidence_level=confidence,
                    n_resamples=resamples,
                    method="percentile",
                    random_state=np.random.default_rng(seed),
                ).confidence_interval
                lows.append(ci.low)
                highs.append(ci.high)
            boot.append(
                {
                    "label": label,
                    "values": data.tolist(),
                    "confidence": confidence,
                    "resamples": resamples,
                    "lowerMean": float(np.mean(lows)),
                    "lowerSd": float(np.std(lows, ddof=1)),
                    "upperMean": float(np.mean(highs)),
                    "upperSd": float(np.std(highs, ddof=1)),
                }
            )

    rng = np.random.default_rng(7)
    percentiles = []
    for arr in [rng.normal(size=11), rng.random(100), np.array([3.0]), np.array([1.0, 1.0, 2.0, 5.0])]:
        qs = [0, 2.5, 5, 25, 50, 75, 95, 97.5, 100]
        percentiles.append(
            {"values": arr.tolist(), "q": qs, "expected": [float(np.percentile(arr, q)) for q in qs]}
        )

    # t-test edge cases (scipy semantics, including NaN results).
    ttest_edges = []
    for label, a, b in [
        ("identical", [0.1, 0.5, 0.9], [0.1, 0.5, 0.9]),
        ("constant shift", [0.25, 0.5, 0.75], [0.5, 0.75, 1.0]),
        ("two queries", [0.1, 0.9], [0.4, 0.8]),
        ("tiny p", list(np.linspace(0, 1, 40)), list(np.linspace(0, 1, 40) + 0.5 + 0.01 * np.sin(np.arange(40)))),
        ("large n", list(rng.random(500)), list(rng.random(500) * 0.98 + 0.03)),
    ]:
        with np.errstate(all="ignore"):
            res = ttest_rel(np.array(b, dtype=float), np.array(a, dtype=float))
        ttest_edges.append(
            {
                "label": label,
                "control": [float(x) for x in a],
                "treatment": [float(x) for x in b],
                "statistic": enc(res.statistic),
                "pValue": enc(res.pvalue),
            }
        )

    return {
        "measures": measures,
        "systems": names,
        "baseline": baseline,
        "queries": qids,
        "perQuery": per_query,
        "ttest": ttests,
        "ttestEdgeCases": ttest_edges,
        "ranxStudent": comparisons(student),
        # ranx's means and win/tie/loss counts: report[a]["winTieLoss"][b][m]["W"] = #queries where a beats b.
        "ranxReport": {
            n: {"scores": {m: float(v) for m, v in student[n]["scores"].items()}, "winTieLoss": student[n]["win_tie_loss"]}
            for n in names
        },
        "ranxFisher1000Seed42": comparisons(fisher_1000),
        "ranxFisherLarge": fisher_big,
        "exactPermutation": exact,
        "holm": holm,
        "bootstrap": boot,
        "percentile": percentiles,
    }


def fusion_fixture(runs_dict, qrels_dict):
    fq = sorted(runs_dict["bm25"])[:FUSION_QUERIES]
    inputs = {name: truncate(run, fq, FUSION_DEPTH) for name, run in runs_dict.items()}
    # Edge cases: equal scores (max == min), a single document, negative scores, a query one run lacks docs for.
    edge = {
        "a": {
            "e1": {"d1": 2.0, "d2": 2.0, "d3": 2.0},
            "e2": {"d1": 5.0},
            "e3": {"d1": -1.0, "d2": -3.0, "d3": -2.5},
            "e4": {"d1": 1.0, "d2": 0.5},
        },
        "b": {
            "e1": {"d2": 0.9, "d4": 0.1, "d5": 0.4},
            "e2": {"d2": 0.3, "d3": 0.2},
            "e3": {"d3": 4.0, "d4": -4.0},
            "e4": {"d3": 7.0},
        },
    }
    norms = ["min-max", "max", "sum", "zmuv", "rank"]
    methods = [("wsum", {"weights": [0.3, 0.7]}), ("sum", {}), ("mnz", {}), ("rrf", {"k": 60})]

    normalized = []
    for label, source in [("bm25", inputs["bm25"]), ("char4", inputs["char4"]), ("edge-a", edge["a"])]:
        for norm in norms:
            normalized.append(
                {"input": label, "norm": norm, "run": run_to_dict(ranx.normalize(Run(source), norm=norm))}
            )

    fused = []
    for pair, a, b in [("bm25+char4", inputs["bm25"], inputs["char4"]), ("edge", edge["a"], edge["b"])]:
        for norm in norms + [None]:
            for method, params in methods:
                out = ranx.fuse([Run(a), Run(b)], norm=norm, method=method, params=params)
                fused.append({"inputs": pair, "norm": norm, "method": method, "params": params, "run": run_to_dict(out)})
    three = [Run(inputs[n]) for n in ["bm25", "char4", "bm25-title"]]
    for method, params in [("wsum", {"weights": [0.5, 0.3, 0.2]}), ("sum", {}), ("mnz", {}), ("rrf", {"k": 10})]:
        out = ranx.fuse(three, norm="min-max", method=method, params=params)
        fused.append(
            {"inputs": "bm25+char4+bm25-title", "norm": "min-max", "method": method, "params": params, "run": run_to_dict(out)}
        )

    # Pyserini-style hybrid: sparse = bm25, dense = char4, top-k0 = 20 from each, k = 10.
    pyserini = []
    for alpha, normalization, weight_on_dense in [(0.1, False, False), (0.1, True, False), (0.5, True, True), (1.3, True, False)]:
        dense = truncate(inputs["char4"], fq, 20)
        sparse = truncate(inputs["bm25"], fq, 20)
        run = {q: pyserini_hybrid(dense[q], sparse[q], alpha, 10, normalization, weight_on_dense) for q in fq}
        pyserini.append(
            {"alpha": alpha, "normalization": normalization, "weightOnDense": weight_on_dense, "k0": 20, "k": 10, "run": run}
        )

    # ranx.optimize_fusion (wsum, min-max, step 0.1) on a tuning subset: the curve of mrr@10 over weight pairs.
    tuning = fq[:30]
    tq = Qrels({q: qrels_dict[q] for q in tuning})
    best, report = ranx.optimize_fusion(
        tq,
        [Run({q: inputs["bm25"][q] for q in tuning}), Run({q: inputs["char4"][q] for q in tuning})],
        norm="min-max",
        method="wsum",
        metric="mrr@10",
        return_optimization_report=True,
        show_progress=False,
    )
    # The report is keyed by str(weights) (numpy reprs); ranx builds its trials in this order.
    trials = get_trial_configs(get_possible_weights(0.1), 2)
    assert len(trials) == len(report.results)
    curve = [{"weights": [float(w) for w in cfg], "score": float(score)} for cfg, score in zip(trials, report.results)]
    sweep = {"tuningQueries": tuning, "metric": "mrr@10", "norm": "min-max", "step": 0.1,
             "bestWeights": [float(w) for w in best["weights"]], "curve": curve}

    return {
        "queries": fq,
        "qrels": {q: qrels_dict[q] for q in fq},
        "inputs": inputs,
        "edgeInputs": edge,
        "normalized": normalized,
        "fused": fused,
        "pyserini": pyserini,
        "alphaSweep": sweep,
    }


def main():
    corpus = read_jsonl(DATA / "corpus.jsonl")
    queries = {q["_id"]: q["text"] for q in read_jsonl(DATA / "queries.jsonl")}
    qrels = read_qrels(DATA / "qrels" / "test.tsv")
    qids = sorted(qrels)
    doc_ids = [d["_id"] for d in corpus]
    full = [f'{d["title"]} {d["text"]}' for d in corpus]
    q_texts = [queries[q] for q in qids]
    q_tokens = [tokens(t) for t in q_texts]

    runs = {
        "bm25": top_run(bm25_scores([tokens(t) for t in full], q_tokens), qids, doc_ids, DEPTH),
        "char4": top_run(char4_scores(full, q_texts), qids, doc_ids, DEPTH),
        "bm25-title": top_run(bm25_scores([tokens(d["title"]) for d in corpus], q_tokens), qids, doc_ids, DEPTH),
    }
    # A fused system for the comparison table (RRF of bm25 and char4, by ranx).
    rrf = ranx.fuse([Run(runs["bm25"]), Run(runs["char4"])], norm=None, method="rrf")
    runs_for_sig = dict(runs)
    runs_for_sig["rrf"] = truncate(run_to_dict(rrf), qids, DEPTH)

    versions = {"ranx": ranx.__version__ if hasattr(ranx, "__version__") else "0.3.21", "numpy": np.__version__,
                "scipy": scipy.__version__, "statsmodels": statsmodels.__version__}
    header = {"generator": "services/evaluator/scripts/make-ranx-fixtures.py", "versions": versions,
              "data": "BEIR SciFact test split (shared/data/scifact)"}

    sig = {**header, **significance_fixture(runs_for_sig, qrels)}
    SIG_OUT.parent.mkdir(parents=True, exist_ok=True)
    SIG_OUT.write_text(json.dumps(sig, separators=(",", ":"), allow_nan=False) + "\n")

    fusion = {**header, **fusion_fixture(runs, qrels)}
    FUSION_OUT.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(FUSION_OUT, "wb", mtime=0) as f:
        f.write((json.dumps(fusion, separators=(",", ":"), allow_nan=False) + "\n").encode())
    print(f"wrote {SIG_OUT.relative_to(ROOT)} ({SIG_OUT.stat().st_size} bytes)")
    print(f"wrote {FUSION_OUT.relative_to(ROOT)} ({FUSION_OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
