"""The SciFact and Cranfield inputs of the trec_eval parity fixtures: TREC runs from a small TF-IDF retriever
(lexical, cosine of log-tf * idf vectors; any decent lexical scorer will do, the fixtures only need realistic
rankings) and the qrels they are judged with. Deterministic (seeded). Used by make-trec-eval-fixtures.py
--regenerate-runs; needs ../shared/data/{scifact,cranfield}, numpy and scipy.
"""

from __future__ import annotations

import json
import math
import random
import re
from collections import defaultdict
from pathlib import Path

import brotli
import numpy as np
import scipy.sparse as sp

DATA_DIR: Path
OUT: Path

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



def write_all(data_dir: Path, out: Path) -> None:
    global DATA_DIR, OUT
    DATA_DIR, OUT = data_dir, out
    doc_ids, doc_texts, queries, qrels = load_scifact()
    write_qrels("scifact-test", qrels)
    for name, run in make_runs_scifact(doc_ids, doc_texts, queries, qrels).items():
        write_run(name, run)
    doc_ids, doc_texts, queries, qrels = load_cranfield()
    write_qrels("cranfield-graded", qrels)
    for name, run in make_runs_cranfield(doc_ids, doc_texts, queries, qrels).items():
        write_run(name, run)
