#!/usr/bin/env python3
"""One (query, positive, negative) triple per line, from a training-set artifact's training-set.jsonl: the pairs
file both Ferret's engine and sentence-transformers train on in the side-by-side runs (bench/train/RESULTS.md).

Each query line of the artifact becomes one line per positive (sentence-transformers' recipe trains on the 919
(query, positive) rows of SciFact's train qrels, not on the 809 queries), each with the query's i-th hard negative
(cycled). The output is itself a valid engine training-set file (one positive and one negative per line).

Usage: pairs.py <artifact>/training-set.jsonl > pairs.jsonl
"""

from __future__ import annotations

import json
import sys


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            negatives = rec["negatives"]
            if not negatives:
                sys.exit(f"{sys.argv[1]}: query {rec['qid']} has no negative")
            for i, pos in enumerate(rec["positives"]):
                out = {
                    "qid": rec["qid"],
                    "query": rec["query"],
                    "positives": [pos],
                    "negatives": [negatives[i % len(negatives)]],
                }
                sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
