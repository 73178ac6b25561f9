#!/usr/bin/env python3
"""sentence-transformers' CrossEncoder on the benchmark pairs (reference side of bench/rerank).

Reads a JSON file of pairs [[qid, docid, query, passage], ...], scores them with CrossEncoder.predict (CPU,
torch threads as given, same max length and batch size as Ferret), after a warm-up batch, and writes
{"seconds": ..., "scores": [...], "versions": {...}} to --out.
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import sentence_transformers  # noqa: E402
import torch  # noqa: E402
from sentence_transformers import CrossEncoder  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--pairs", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--max-length", type=int, default=512)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    pairs = [(p[2], p[3]) for p in json.load(open(args.pairs, encoding="utf-8"))]
    model = CrossEncoder(args.model, max_length=args.max_length, device="cpu")
    model.predict(pairs[: args.batch_size], batch_size=args.batch_size, show_progress_bar=False)  # warm-up
    started = time.perf_counter()
    scores = model.predict(pairs, batch_size=args.batch_size, show_progress_bar=False, convert_to_numpy=True)
    seconds = time.perf_counter() - started
    versions = {"sentence_transformers": sentence_transformers.__version__, "torch": torch.__version__}
    json.dump({"seconds": seconds, "scores": [float(s) for s in scores], "versions": versions}, open(args.out, "w"))


if __name__ == "__main__":
    main()
