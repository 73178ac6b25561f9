#!/usr/bin/env python3
"""Builds the trec_eval parity fixtures under services/evaluator/fixtures/trec_eval/.

Run from the repository root with the fixture venv:

    .venv/bin/python services/evaluator/scripts/make-trec-eval-fixtures.py

What it writes (all committed; CI only reads them):
  qrels/*.qrels            TREC qrels (qid 0 docid rel) for SciFact test and a graded Cranfield variant
  runs/*.run.br            TREC runs (qid Q0 docid rank score tag), Brotli-compressed (half gzip's size; Node
                           reads it with zlib.brotliDecompressSync); scores are written as text and
                           the references below read them back from that text, so every tool sees the
                           same doubles
  expected/*.json.br       per-query and mean values for every measure, raw doubles and trec_eval's
                           "%6.4f" strings, with and without -c
  binary/*.txt.br          `trec_eval -q -c -m all_trec` output of the real C binary (when
                           .cache/trec_eval/trec_eval exists; see build-trec-eval.sh), filtered to the
                           measures Ferret implements

References (none of them Ferret code):
  - ndcg, ndcg_cut, map, map_cut, recip_rank, P, recall, Rprec, bpref, success: pytrec_eval-terrier 0.5.11,
    which compiles trec_eval 9.0.8's measure code. pytrec_eval evaluates only queries that are in both the
    run and the qrels and has no -c; the -c means here are its per-query values summed over the qrels
    query set (missing queries contribute 0, as trec_eval -c does) divided by the number of qrels queries.
  - mrr_cut (MRR@k as BEIR / MS MARCO report it): pytrec_eval's recip_rank on the run cut to its top k in
    trec_eval's order (score descending, docid descending).
  - judged (Judged@k as ir_measures defines it: judged docs among the top min(k, n) / min(k, n)): computed
    below in trec_eval's order; cross-checked against ir_measures 0.4.3 on queries without score ties.
  - auc (ROC AUC = U / (n+ n-), ties count one half): scipy.stats.mannwhitneyu's U statistic.
"""

from __future__ import annotations

import brotli
import json
import math
import os
import random
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import ir_measures
import numpy as np
import pytrec_eval
import scipy.sparse as sp
import scipy.stats

SCRIPT_DIR = Path(__file__).resolve().parent
REPO_ROOT = SCRIPT_DIR.parents[2]
DATA_DIR = Path(os.environ.get("FERRET_DATA_DIR", REPO_ROOT.parent / "shared" / "data"))
OUT = SCRIPT_DIR.parent / "fixtures" / "trec_eval"
TREC_EVAL_BIN = REPO_ROOT / ".cache" / "trec_eval" / "trec_eval"

CUTS = [1, 3, 5, 10, 20, 100, 1000, 1200]
SUCCESS_CUTS = [1, 5, 10]
MRR_CUTS = [10, 100]
JUDGED_CUTS = [5, 10, 100]
AUC_DEPTH = 500
# trec_eval prints measures in the order of its measure table (measures.c), not the command-line order.
TREC_ORDER = ["map", "Rprec", "bpref", "recip_rank", "P", "recall", "ndcg", "ndcg_cut", "map_cut", "success"]


def cut_list(cuts):
    return ",".join(str(c) for c in cuts)


PYTREC_MEASURES = {
    "map",
    "Rprec",
    "bpref",
    "recip_rank",
    "P." + cut_list(CUTS),
    "recall." + cut_list(CUTS),
    "ndcg",
    "ndcg_cut." + cut_list(CUTS),
    "map_cut." + cut_list(CUTS),
    "success." + cut_list(SUCCESS_CUTS),
}


def measure_names():
    names = []
    for fam in TREC_ORDER:
        if fam in ("P", "recall", "ndcg_cut", "map_cut"):
            names += [f"{fam}_{c}" for c in CUTS]
        elif fam == "success":
            names += [f"success_{c}" for c in SUCCESS_CUTS]
        else:
            names.append(fam)
    names += [f"mrr_cut_{c}" for c in MRR_CUTS]
    names += [f"judged_{c}" for c in JUDGED_CUTS]
    names += ["auc", f"auc_{AUC_DEPTH}"]
    return names


def fmt(v):
    # Python's %-formatting rounds the exact binary value half-to-even, as glibc printf does.
    return "%6.4f" % v


# ----------------------------------------------------------------------------------------------------------
# Data and a small TF-IDF retriever (lexical, cosine of log-tf * idf vectors): any decent lexical scorer will
# do; the fixtures only need realistic rankings.

TOKEN = re.compile(r"[a-z0-9]+")


def tokens(text):
    return TOKEN.findall(text.lower())


def tfidf_scores(doc_texts, query_texts):
    vocab = {}
    rows, cols, vals = [], [], []
    for i, text in enumerate(doc_texts):
        counts = defaultdict(int)
        for t in tokens(text):
            counts[vocab.setdefault(t, len(vocab))] += 1
        for j, c in counts.items():
            rows.append(i)
            cols.append(j)
            vals.append(1.0 + math.log(c))
    docs = sp.csr_matrix((vals, (rows, cols)), shape=(len(doc_texts), len(vocab)))
    df = np.bincount(docs.indices, minlength=len(vocab))
    idf = np.log((1 + len(doc_texts)) / (1 + df)) + 1.0
    docs = docs.multiply(idf).tocsr()
    norms = np.sqrt(docs.multiply(docs).sum(axis=1)).A1
    norms[norms == 0] = 1.0
    docs = sp.diags(1.0 / norms) @ docs
    rows, cols, vals = [], [], []
    for i, text in enumerate(query_texts):
        counts = defaultdict(int)
        for t in tokens(text):
            if t in vocab:
                counts[vocab[t]] += 1
        for j, c in counts.items():
            rows.append(i)
            cols.append(j)
            vals.append((1.0 + math.log(c)) * idf[j])
    queries = sp.csr_matrix((vals, (rows, cols)), shape=(len(query_texts), len(vocab)))
    return (queries @ docs.T).toarray()


def load_scifact():
    base = DATA_DIR / "scifact"
    doc_ids, doc_texts = [], []
    with open(base / "corpus.jsonl", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            doc_ids.append(d["_id"])
            doc_texts.append(d["title"] + " " + d["text"])
    queries = {}
    with open(base / "queries.jsonl", encoding="utf-8") as f:
        for line in f:
            q = json.loads(line)
            queries[q["_id"]] = q["text"]
    qrels = defaultdict(dict)
    with open(base / "qrels" / "test.tsv", encoding="utf-8") as f:
        next(f)  # header
        for line in f:
            qid, did, rel = line.rstrip("\n").split("\t")
            qrels[qid][did] = int(rel)
    return doc_ids, doc_texts, queries, dict(qrels)


def read_glasgow(path):
    records, cur, field = [], None, None
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\r\n")
            if line.startswith(".I"):
                cur = {"id": line[2:].strip(), "W": [], "T": []}
                records.append(cur)
                field = None
            elif re.fullmatch(r"\.[A-Z]", line):
                field = line[1]
            elif cur is not None and field in ("W", "T"):
                cur[field].append(line)
    return records


def load_cranfield():
    base = DATA_DIR / "cranfield"
    docs = read_glasgow(base / "cran.all.1400")
    doc_ids = [d["id"] for d in docs]
    doc_texts = [" ".join(d["T"] + d["W"]) for d in docs]
    qs = read_glasgow(base / "cran.qry")
    # The qrels number queries 1..225 in file order (see shared/data/README.md).
    queries = {str(i + 1): " ".join(q["W"]) for i, q in enumerate(qs)}
    qrels = defaultdict(dict)
    with open(base / "cranqrel", encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 3:
                continue
            qid, did, code = parts[0], parts[1], int(parts[2])
            # Codes 1..4 (1 = complete answer) become graded gains 4..1. The -1 code ("not relevant") becomes
            # 0, except on every third query where it stays -1, so trec_eval's handling of negative labels
            # (in the pool but unjudged) is covered too.
            if code == -1:
                rel = -1 if int(qid) % 3 == 0 else 0
            else:
                rel = 5 - code
            qrels[qid][did] = rel
    return doc_ids, doc_texts, queries, dict(qrels)


# ----------------------------------------------------------------------------------------------------------
# Runs


def ranked(doc_ids, scores, depth):
    order = np.argsort(-scores, kind="stable")[:depth]
    return [(doc_ids[i], float(scores[i])) for i in order]


def make_runs_scifact(doc_ids, doc_texts, queries, qrels):
    qids = sorted(qrels)
    scores = tfidf_scores(doc_texts, [queries[q] for q in qids])
    rng = random.Random(20251126)
    runs = {}
    runs["scifact-tfidf"] = {q: [(d, f"{s:.6f}") for d, s in ranked(doc_ids, scores[i], 1000)] for i, q in enumerate(qids)}
    # 1,500 documents on every fifth query (longer than trec_eval's usual 1,000; kept to a fifth for size).
    runs["scifact-long"] = {
        q: [(d, f"{s:.6f}") for d, s in ranked(doc_ids, scores[i], 1500)] for i, q in enumerate(qids) if i % 5 == 0
    }
    # Heavy ties: one decimal; every tenth query gets one score for all its documents.
    ties = {}
    for i, q in enumerate(qids):
        docs = ranked(doc_ids, scores[i], 100)
        ties[q] = [(d, "0.5" if i % 10 == 0 else f"{round(s, 1):.1f}") for d, s in docs]
    runs["scifact-ties"] = ties
    missing_q = set(rng.sample(qids, int(0.3 * len(qids))))
    runs["scifact-missing"] = {
        q: [(d, f"{s:.6f}") for d, s in ranked(doc_ids, scores[i], 100)] for i, q in enumerate(qids) if q not in missing_q
    }
    short = {}
    for i, q in enumerate(qids):
        k = rng.randint(1, 7)
        short[q] = [(d, f"{s:.6f}") for d, s in ranked(doc_ids, scores[i], k)]
    runs["scifact-short"] = short
    rand = {}
    for q in qids:
        picked = set(rng.sample(doc_ids, 100))
        for d in qrels[q]:
            if rng.random() < 0.5:
                picked.add(d)
        rand[q] = [(d, f"{rng.uniform(-5.0, 5.0):.6f}") for d in sorted(picked)]
    runs["scifact-random"] = rand
    return runs


def make_runs_cranfield(doc_ids, doc_texts, queries, qrels):
    qids = sorted(qrels, key=lambda q: (len(q), q))
    scores = tfidf_scores(doc_texts, [queries[q] for q in qids])
    runs = {}
    runs["cranfield-tfidf"] = {q: [(d, f"{s:.6f}") for d, s in ranked(doc_ids, scores[i], 100)] for i, q in enumerate(qids)}
    runs["cranfield-ties"] = {
        q: [(d, f"{round(s, 2):.2f}") for d, s in ranked(doc_ids, scores[i], 100)] for i, q in enumerate(qids)
    }
    return runs


def write_run(name, run):
    path = OUT / "runs" / f"{name}.run.br"
    lines = []
    for q in sorted(run):
        for rank, (d, s) in enumerate(run[q], start=1):
            lines.append(f"{q} Q0 {d} {rank} {s} {name}\n")
    write_br(path, "".join(lines))
    # The references read the scores back from the text, like trec_eval's atof.
    return {q: {d: float(s) for d, s in docs} for q, docs in run.items()}, path


def write_br(path, text):
    path.write_bytes(brotli.compress(text.encode("utf-8"), quality=11, lgwin=24))


def write_qrels(name, qrels):
    path = OUT / "qrels" / f"{name}.qrels"
    with open(path, "w", encoding="utf-8") as f:
        for q in sorted(qrels):
            for d in sorted(qrels[q]):
                f.write(f"{q} 0 {d} {qrels[q][d]}\n")
    return path


# ----------------------------------------------------------------------------------------------------------
# References


def trec_order(docs):
    """trec_eval's ranking: score descending, ties by docid descending (strcmp)."""
    return sorted(docs.items(), key=lambda x: (x[1], x[0]), reverse=True)


def judged_filter(docs, q_qrels):
    return {d: s for d, s in docs.items() if q_qrels.get(d, -1) >= 0}


def auc(pos, neg):
    if not pos or not neg:
        return None
    return float(scipy.stats.mannwhitneyu(pos, neg).statistic) / (len(pos) * len(neg))


def auc_sets(ranking, q_qrels, level, depth):
    """Positives: retrieved docs with label >= level. Negatives: retrieved judged docs with 0 <= label < level
    (depth None) or every other doc in the top `depth` (the MW-loss protocol, research-methods §2)."""
    pos, neg = [], []
    for rank, (d, s) in enumerate(ranking):
        rel = q_qrels.get(d)
        if rel is not None and rel >= level:
            pos.append(s)
        elif depth is None:
            if rel is not None and rel >= 0:
                neg.append(s)
        elif rank < depth:
            neg.append(s)
    return pos, neg


def evaluate_reference(run, qrels, level, judged_only):
    evaluator = pytrec_eval.RelevanceEvaluator(
        qrels, PYTREC_MEASURES, relevance_level=level, judged_docs_only_flag=judged_only
    )
    per_query = evaluator.evaluate(run)
    queries = [q for q in per_query]
    global_sets = {"judged": ([], []), "top": ([], [])}
    for q in queries:
        docs = run[q]
        if judged_only:
            docs = judged_filter(docs, qrels[q])
        ranking = trec_order(docs)
        vals = per_query[q]
        for k in MRR_CUTS:
            cut = {q: dict(ranking[:k])}
            rr = pytrec_eval.RelevanceEvaluator({q: qrels[q]}, {"recip_rank"}, relevance_level=level).evaluate(cut)
            vals[f"mrr_cut_{k}"] = rr[q]["recip_rank"] if cut[q] else 0.0
        for k in JUDGED_CUTS:
            top = ranking[:k]
            vals[f"judged_{k}"] = (sum(1 for d, _ in top if d in qrels[q]) / len(top)) if top else 0.0
        for key, depth, name in (("judged", None, "auc"), ("top", AUC_DEPTH, f"auc_{AUC_DEPTH}")):
            pos, neg = auc_sets(ranking, qrels[q], level, depth)
            global_sets[key][0].extend(pos)
            global_sets[key][1].extend(neg)
            a = auc(pos, neg)
            if a is not None:
                vals[name] = a
    global_auc = {
        "judged": auc(*global_sets["judged"]),
        f"top{AUC_DEPTH}": auc(*global_sets["top"]),
    }
    return per_query, global_auc


def means(per_query, names, qrels_queries):
    """trec_eval sums per-query values in qid order (strcmp) and divides by the query count; with -c the count
    is every qrels query and missing queries add 0. Measures that can be undefined for a query (auc) average
    over the queries where they are defined."""
    mean, mean_c, counts = {}, {}, {}
    qids = sorted(per_query)
    for m in names:
        vals = [per_query[q][m] for q in qids if m in per_query[q]]
        counts[m] = len(vals)
        total = 0.0
        for v in vals:
            total += v
        if m.startswith("auc"):
            mean[m] = total / len(vals) if vals else None
            mean_c[m] = mean[m]
        else:
            mean[m] = total / len(qids)
            mean_c[m] = total / len(qrels_queries)
    return mean, mean_c, counts


def cross_check_ir_measures(run, qrels, per_query, level):
    """Judged@k and RR@k from ir_measures must agree with ours on queries without any tied scores (ir_measures
    breaks ties by docid ascending, trec_eval descending)."""
    no_ties = {q: docs for q, docs in run.items() if len(set(docs.values())) == len(docs) and q in per_query}
    if not no_ties:
        return 0
    ms = [ir_measures.Judged @ k for k in JUDGED_CUTS] + [ir_measures.RR(rel=level) @ k for k in MRR_CUTS]
    checked = 0
    for m in ir_measures.iter_calc(ms, qrels, no_ties):
        if m.query_id not in no_ties:
            continue  # ir_measures also reports qrels queries missing from the run (as 0)
        name = str(m.measure)
        ours = per_query[m.query_id][
            f"judged_{m.measure['cutoff']}" if name.startswith("Judged") else f"mrr_cut_{m.measure['cutoff']}"
        ]
        if abs(ours - m.value) > 1e-12:
            raise SystemExit(f"ir_measures disagrees on {name} for query {m.query_id}: {m.value} vs {ours}")
        checked += 1
    return checked


def run_binary(qrels_path, run_path, level, judged_only):
    args = [str(TREC_EVAL_BIN), "-q", "-c", f"-l{level}", "-m", "all_trec"]
    if judged_only:
        args.append("-J")
    plain = brotli.decompress(run_path.read_bytes())
    tmp = OUT / ".tmp.run"
    tmp.write_bytes(plain)
    try:
        out = subprocess.run(args + [str(qrels_path), str(tmp)], check=True, capture_output=True, text=True).stdout
    finally:
        tmp.unlink()
    version = subprocess.run([str(TREC_EVAL_BIN), "-v"], capture_output=True, text=True).stderr.strip()
    keep = re.compile(r"^(map|Rprec|bpref|recip_rank|P_\d+|recall_\d+|ndcg|ndcg_cut_\d+|map_cut_\d+|success_\d+|num_q)\s")
    lines = [line for line in out.splitlines() if keep.match(line)]
    return version, lines


def compare_binary(lines, per_query, mean_c):
    """Counts the binary's values that our reference also has and how many of them differ."""
    compared = differing = 0
    for line in lines:
        name, qid, value = line.split("\t")
        name = name.strip()
        ref = mean_c.get(name) if qid == "all" else per_query.get(qid, {}).get(name)
        if ref is None:
            continue
        compared += 1
        if fmt(ref) != value:
            differing += 1
            print(f"  binary differs: {name} {qid} {value} vs reference {fmt(ref)}", file=sys.stderr)
    return compared, differing


# ----------------------------------------------------------------------------------------------------------


def main():
    for sub in ("qrels", "runs", "expected", "binary"):
        (OUT / sub).mkdir(parents=True, exist_ok=True)
    names = measure_names()

    collections_ = {}
    doc_ids, doc_texts, queries, qrels = load_scifact()
    collections_["scifact-test"] = (qrels, make_runs_scifact(doc_ids, doc_texts, queries, qrels))
    doc_ids, doc_texts, queries, qrels = load_cranfield()
    collections_["cranfield-graded"] = (qrels, make_runs_cranfield(doc_ids, doc_texts, queries, qrels))

    configs = [
        # (collection, run, relevance level, judged-only, cross-check with the C binary)
        ("scifact-test", "scifact-tfidf", 1, False, True),
        ("scifact-test", "scifact-random", 1, False, False),
        ("scifact-test", "scifact-ties", 1, False, True),
        ("scifact-test", "scifact-missing", 1, False, True),
        ("scifact-test", "scifact-long", 1, False, False),
        ("scifact-test", "scifact-short", 1, False, False),
        ("cranfield-graded", "cranfield-tfidf", 1, False, True),
        ("cranfield-graded", "cranfield-tfidf", 2, False, True),
        ("cranfield-graded", "cranfield-tfidf", 1, True, True),
        ("cranfield-graded", "cranfield-ties", 2, False, False),
    ]
    have_binary = TREC_EVAL_BIN.exists()
    if not have_binary:
        print(f"note: {TREC_EVAL_BIN} missing (run build-trec-eval.sh); skipping the C binary cross-check", file=sys.stderr)

    written_runs, qrels_paths = {}, {}
    manifest = []
    for coll, run_name, level, judged_only, check_binary in configs:
        qrels, runs = collections_[coll]
        if coll not in qrels_paths:
            qrels_paths[coll] = write_qrels(coll, qrels)
        if run_name not in written_runs:
            written_runs[run_name] = write_run(run_name, runs[run_name])
        run, run_path = written_runs[run_name]
        config = f"{run_name}.l{level}" + (".J" if judged_only else "")
        per_query, global_auc = evaluate_reference(run, qrels, level, judged_only)
        checked = cross_check_ir_measures(run, qrels, per_query, level) if not judged_only else 0
        mean, mean_c, counts = means(per_query, names, list(qrels))
        expected = {
            "config": config,
            "qrels": f"qrels/{coll}.qrels",
            "run": f"runs/{run_name}.run.br",
            "relevanceLevel": level,
            "judgedOnly": judged_only,
            "measures": names,
            "qrelsQueries": sorted(qrels),
            "perQuery": {q: per_query[q] for q in sorted(per_query)},
            "perQueryFormatted": {q: {m: fmt(v) for m, v in per_query[q].items()} for q in sorted(per_query)},
            "mean": mean,
            "meanFormatted": {m: (fmt(v) if v is not None else None) for m, v in mean.items()},
            "meanComplete": mean_c,
            "meanCompleteFormatted": {m: (fmt(v) if v is not None else None) for m, v in mean_c.items()},
            "meanCount": counts,
            "globalAuc": global_auc,
            "references": {
                "trec_eval measures": f"pytrec_eval-terrier {pytrec_eval.__version__ if hasattr(pytrec_eval, '__version__') else '0.5.11'} (trec_eval 9.0.8)",
                "mrr_cut": "pytrec_eval recip_rank on the top-k cut in trec_eval order",
                "judged": f"independent Python (ir_measures {ir_measures.__version__} Judged@k agrees on {checked} tie-free values incl. RR@k)",
                "auc": f"scipy {scipy.__version__} mannwhitneyu U / (n+ n-)",
            },
        }
        if have_binary and check_binary:
            version, lines = run_binary(qrels_paths[coll], run_path, level, judged_only)
            compared, differing = compare_binary(lines, per_query, mean_c)
            print(f"{config}: C binary ({version}) {compared} values compared, {differing} differ", file=sys.stderr)
            write_br(OUT / "binary" / f"{config}.txt.br", "\n".join(lines) + "\n")
            expected["binary"] = {"file": f"binary/{config}.txt.br", "version": version, "args": "-q -c -m all_trec"}
        write_br(OUT / "expected" / f"{config}.json.br", json.dumps(expected))
        manifest.append(config)
        print(f"{config}: {len(per_query)} queries evaluated, {len(qrels)} in qrels", file=sys.stderr)

    with open(OUT / "manifest.json", "w", encoding="utf-8") as f:
        json.dump({"configs": manifest}, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
