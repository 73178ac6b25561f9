#!/usr/bin/env python3
"""False positives for the noisy-labels comparison (bench/train/RESULTS.md): for each query of a BM25 run, `--per-query`
documents drawn at random (seeded) from its top `--depth` that the qrels do not judge relevant, written as
annotator labels (labels.jsonl: kind "relevance", grade 2, status "ok"), the file the trainer's assembly reads as
LLM positives (`positives.llm`, mode graded). Added to the human qrels (`combine: union`), each query gets its
human positives plus these wrong ones, which the assembly also keeps out of its negatives.

Usage: noisy-labels.py --run bm25-train-top20.trec --qrels qrels/train.tsv [--per-query 2] [--depth 20] [--seed 13]
       > labels.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict


def read_run(path: str) -> dict[str, list[str]]:
    """qid -> doc ids by rank (score descending, as TREC runs are read)."""
    hits: dict[str, list[tuple[float, str]]] = defaultdict(list)
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 6:
                sys.exit(f"{path}:{n}: a TREC run line has 6 columns, got {len(parts)}")
            hits[parts[0]].append((-float(parts[4]), parts[2]))
    return {q: [d for _, d in sorted(h)] for q, h in hits.items()}


def read_relevant(path: str) -> dict[str, set[str]]:
    """BEIR qrels tsv (query-id, corpus-id, score with a header line): qid -> docs with score > 0."""
    rel: dict[str, set[str]] = defaultdict(set)
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 3 and int(parts[2]) > 0:
                rel[parts[0]].add(parts[1])
    return rel


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--run", required=True)
    ap.add_argument("--qrels", required=True)
    ap.add_argument("--per-query", type=int, default=2)
    ap.add_argument("--depth", type=int, default=20)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    run, relevant = read_run(args.run), read_relevant(args.qrels)
    for qid in sorted(run):
        if qid not in relevant:
            continue  # only the queries the human qrels give positives get noise added
        pool = [d for d in run[qid][: args.depth] if d not in relevant[qid]]
        # one stream per query, so a query's draw does not depend on the others
        picks = random.Random(f"{args.seed}:{qid}").sample(pool, min(args.per_query, len(pool)))
        for doc in picks:
            label = {"kind": "relevance", "queryId": qid, "docId": doc, "status": "ok", "grade": 2}
            sys.stdout.write(json.dumps(label) + "\n")


if __name__ == "__main__":
    main()
