#!/usr/bin/env python3
"""Passages/s of ONNX model files on the same SciFact batches (Python onnxruntime, 1 thread), and each
file's mean-pooled embeddings compared with the first file's (cosine). Used to choose how export-model.py
exports (e.g. eager vs SDPA attention trace, fused vs unfused graph before quantization).

Usage: .venv/bin/python bench/encode/onnx_timing.py A.onnx,B.onnx[,...] [--every 16]
       [--tokenizer models/all-minilm-l6-v2/tokenizer.json] [--corpus /work/shared/data/scifact/corpus.jsonl]
"""

import argparse
import json
import time

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

ap = argparse.ArgumentParser()
ap.add_argument("models")
ap.add_argument("--every", type=int, default=16, help="take every n-th corpus document")
ap.add_argument("--tokenizer", default="models/all-minilm-l6-v2/tokenizer.json")
ap.add_argument("--corpus", default="/work/shared/data/scifact/corpus.jsonl")
ap.add_argument("--max-length", type=int, default=256)
ap.add_argument("--batch-size", type=int, default=32)
args = ap.parse_args()

tok = Tokenizer.from_file(args.tokenizer)
tok.enable_truncation(args.max_length)
with open(args.corpus) as f:
    docs = [json.loads(line) for line in f]
texts = [(d.get("title", "") + " " + d["text"]).strip() for d in docs][:: args.every]
encs = tok.encode_batch(texts)
order = sorted(range(len(encs)), key=lambda i: len(encs[i].ids))  # length-grouped, as both benches batch
batches = []
for s in range(0, len(order), args.batch_size):
    b = [encs[i] for i in order[s : s + args.batch_size]]
    width = max(len(e.ids) for e in b)
    ids = np.zeros((len(b), width), np.int64)
    mask = np.zeros((len(b), width), np.int64)
    for j, e in enumerate(b):
        ids[j, : len(e.ids)] = e.ids
        mask[j, : len(e.ids)] = 1
    batches.append((ids, mask))


def run(path: str):
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    names = [i.name for i in sess.get_inputs()]

    def feed(ids, mask):
        return {n: ids if n == "input_ids" else mask if n == "attention_mask" else np.zeros_like(ids) for n in names}

    sess.run(None, feed(*batches[0]))  # warm-up
    out = []
    cpu0, wall0 = time.process_time(), time.time()
    for ids, mask in batches:
        hidden = sess.run(None, feed(ids, mask))[0]
        m = mask[..., None].astype(np.float32)
        pooled = (hidden * m).sum(1) / m.sum(1)
        out.append(pooled / np.linalg.norm(pooled, axis=1, keepdims=True))
    return time.process_time() - cpu0, time.time() - wall0, np.concatenate(out)


first = None
for path in args.models.split(","):
    cpu, wall, emb = run(path)
    first = emb if first is None else first
    cos = (emb * first).sum(1)
    print(
        f"{path}: {len(texts)} passages, CPU {cpu:.2f} s, wall {wall:.2f} s, {len(texts) / cpu:.1f} passages/s (CPU); "
        f"cosine vs first min {cos.min():.4f} mean {cos.mean():.5f}",
        flush=True,
    )
