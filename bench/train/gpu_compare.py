#!/usr/bin/env python3
"""Ferret's engine vs sentence-transformers' trainer on one device (bench/train/gpu.sh runs this): the same model,
loss (InfoNCE with in-batch and hard negatives at temperature 0.05 = MultipleNegativesRankingLoss at scale 20,
cosine similarity), batch size, max length, learning-rate schedule, seed and data (SciFact train, one BM25
negative per (query, positive) pair). Each side trains ``--steps`` optimiser steps in its own process; the table
gives samples/s ((query, positive, negative) triples per second over the steps after ``--warmup`` steps) and the
peak of PyTorch's CUDA allocator (on CPU: the process's peak RSS).

    gpu_compare.py prepare --data ../shared/data/scifact --out train.jsonl   # the training set (once)
    gpu_compare.py run --train train.jsonl --model models/all-minilm-l6-v2 --out DIR [--device cuda] [--steps 200]

``prepare`` mines the negatives with a small BM25 (k1 0.9, b 0.4 as Anserini; scikit-learn's tokenizer and English
stop words, so not Anserini's analyzer): one negative per train qrel, drawn from BM25 ranks 4-30 with the query's
positives left out, seeded. Only the negatives' texts matter to a speed comparison; bench/train's quality runs use
Ferret's own data assembly.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENGINE_DIR = ROOT / "services" / "trainer" / "engine"
TEMPERATURE = 0.05  # MultipleNegativesRankingLoss's default scale is 20 = 1 / 0.05


# ---- prepare: SciFact train with one BM25 negative per pair ---------------------------------------------------


def prepare(data: Path, out: Path, seed: int, window: tuple[int, int] = (4, 30)) -> int:
    import numpy as np
    from sklearn.feature_extraction.text import CountVectorizer

    sys.path.insert(0, str(ENGINE_DIR))
    from ferret_engine.corpus import read_corpus_texts

    corpus = read_corpus_texts(data / "corpus.jsonl")
    ids = [d for d, _ in corpus]
    texts = dict(corpus)
    queries = {}
    with open(data / "queries.jsonl", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                q = json.loads(line)
                queries[q["_id"]] = q["text"]
    qrels: dict[str, list[str]] = {}
    with open(data / "qrels" / "train.tsv", encoding="utf-8") as f:
        for i, line in enumerate(f):
            parts = line.rstrip("\n").split("\t")
            if i == 0 and not parts[-1].lstrip("-").isdigit():
                continue  # the header
            if int(parts[2]) > 0:
                qrels.setdefault(parts[0], []).append(parts[1])

    # BM25 written out here (a dozen lines on scikit-learn's sparse counts) rather than a new dependency
    vec = CountVectorizer(lowercase=True, stop_words="english")
    tf = vec.fit_transform([texts[d] for d in ids]).tocsr().astype(np.float64)
    n_docs = tf.shape[0]
    df = np.bincount(tf.indices, minlength=tf.shape[1])
    idf = np.log(1 + (n_docs - df + 0.5) / (df + 0.5))
    dl = np.asarray(tf.sum(1)).ravel()
    k1, b = 0.9, 0.4
    norm = k1 * (1 - b + b * dl / dl.mean())
    rows = np.repeat(np.arange(n_docs), np.diff(tf.indptr))
    tf.data = tf.data * (k1 + 1) / (tf.data + norm[rows]) * idf[tf.indices]
    qids = sorted(qrels)
    qv = vec.transform([queries[q] for q in qids])
    qv.data[:] = 1
    scores = (qv @ tf.T).toarray()

    rng = np.random.Generator(np.random.PCG64(seed))
    lines = 0
    with open(out, "w", encoding="utf-8") as f:
        for qi, qid in enumerate(qids):
            order = np.argsort(-scores[qi], kind="stable")[window[0] - 1 : window[1]]
            pos = set(qrels[qid])
            cands = [ids[j] for j in order if ids[j] not in pos]
            for p in qrels[qid]:
                neg = cands[int(rng.integers(len(cands)))]
                row = {
                    "qid": qid,
                    "query": queries[qid],
                    "positives": [{"id": p, "text": texts[p]}],
                    "negatives": [{"id": neg, "text": texts[neg]}],
                }
                f.write(json.dumps(row) + "\n")
                lines += 1
    return lines


# ---- the two sides, each in its own process ---------------------------------------------------------------------


def side_env(device: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ENGINE_DIR), TOKENIZERS_PARALLELISM="false")
    if device == "cpu":
        env["CUDA_VISIBLE_DEVICES"] = ""
    return env


def run_child(cmd: list[str], env: dict, log: Path) -> tuple[str, int]:
    """stdout of ``cmd`` and its peak RSS in bytes (stderr goes to ``log``)."""
    with open(log, "w") as err:
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True, env=env)
        out = p.stdout.read()
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        tail = log.read_text()[-3000:]
        raise SystemExit(f"{' '.join(cmd[:4])}... exited {p.returncode}; {log}:\n{tail}")
    return out, usage.ru_maxrss * 1024


def engine_side(args, precision: str, length_grouping: bool, work: Path) -> dict:
    name = f"ferret-{precision}{'-lg' if length_grouping else ''}"
    job = {
        "modelDir": str(Path(args.model).resolve()),
        "trainingSet": str(Path(args.train).resolve()),
        "outputDir": str(work / name),
        "mode": "bi-encoder",
        "loss": {"name": "infonce", "params": {"temperature": TEMPERATURE, "mask_duplicate_positives": False}},
        "hyperparameters": {
            "maxSteps": args.steps,
            "batchSize": args.batch_size,
            "positivesPerQuery": 1,
            "negativesPerQuery": 1,
            "learningRate": args.lr,
            "warmupRatio": 0.1,
            "maxLength": args.max_length,
            "seed": args.seed,
            "precision": precision,
            "lengthGrouping": length_grouping,
        },
        "checkpointEvery": args.steps + 1,
        "keepCheckpoints": 1,
        "logEvery": 1,
        "quantize": False,
        **({"threads": args.threads} if args.threads else {}),
    }
    job_file = work / f"{name}.job.json"
    job_file.write_text(json.dumps(job, indent=2))
    cmd = [sys.executable, "-m", "ferret_engine", str(job_file)]
    out, rss = run_child(cmd, side_env(args.device), work / f"{name}.log")
    events = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    steps = [e for e in events if e["event"] == "step"]
    start = next(e for e in events if e["event"] == "start")
    return {
        "side": "ferret engine" + (" + lengthGrouping" if length_grouping else ""),
        "precision": start["precision"],
        "device": start["device"],
        "stepTimes": [(e["step"], e["time"]) for e in steps],
        "finalLoss": steps[-1]["loss"],
        "peakGpuMemoryBytes": steps[-1].get("peakGpuMemoryBytes"),
        "peakRssBytes": rss,
    }


def st_side(args, precision: str, work: Path) -> dict:
    name = f"st-{precision}"
    opts = {**vars(args), "precision": precision, "work": str(work / name)}
    cmd = [sys.executable, str(Path(__file__).resolve()), "st-child", json.dumps(opts)]
    out, rss = run_child(cmd, side_env(args.device), work / f"{name}.log")
    result = json.loads(out.strip().splitlines()[-1])
    return {**result, "side": "sentence-transformers trainer", "peakRssBytes": rss}


def st_child(opts: dict) -> None:
    """sentence-transformers' SentenceTransformerTrainer with MultipleNegativesRankingLoss; prints one JSON line."""
    import torch
    from datasets import Dataset
    from sentence_transformers import (
        SentenceTransformer,
        SentenceTransformerTrainer,
        SentenceTransformerTrainingArguments,
    )
    from sentence_transformers.losses import MultipleNegativesRankingLoss
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from transformers import TrainerCallback

    if opts["threads"]:
        torch.set_num_threads(opts["threads"])
    cpu = opts["device"] == "cpu"
    ferret = json.loads((Path(opts["model"]) / "ferret.json").read_text())
    transformer = Transformer(opts["model"], max_seq_length=opts["max_length"])
    mods = [transformer, Pooling(transformer.get_embedding_dimension(), ferret["pooling"])]
    if ferret["normalize"]:
        mods.append(Normalize())
    model = SentenceTransformer(modules=mods, device="cpu" if cpu else "cuda")
    cols = {"anchor": [], "positive": [], "negative": []}
    with open(opts["train"], encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                cols["anchor"].append(r["query"])
                cols["positive"].append(r["positives"][0]["text"])
                cols["negative"].append(r["negatives"][0]["text"])
    times: list[tuple[int, float]] = []

    class StepTimes(TrainerCallback):
        def on_step_end(self, args, state, control, **kw):
            if not cpu:
                torch.cuda.synchronize()
            times.append((state.global_step, time.time()))

    targs = SentenceTransformerTrainingArguments(
        output_dir=opts["work"],
        max_steps=opts["steps"],
        per_device_train_batch_size=opts["batch_size"],
        learning_rate=opts["lr"],
        warmup_ratio=0.1,
        weight_decay=0.01,
        seed=opts["seed"],
        bf16=opts["precision"] == "bf16",
        use_cpu=cpu,
        dataloader_drop_last=True,
        logging_steps=1,
        save_strategy="no",
        report_to="none",
        disable_tqdm=True,
    )
    if not cpu:
        torch.cuda.reset_peak_memory_stats()
    trainer = SentenceTransformerTrainer(
        model=model,
        args=targs,
        train_dataset=Dataset.from_dict(cols),
        loss=MultipleNegativesRankingLoss(model, scale=1 / TEMPERATURE),
        callbacks=[StepTimes()],
    )
    trainer.train()
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    print(json.dumps({
        "precision": opts["precision"],
        "device": str(model.device),
        "stepTimes": times,
        "finalLoss": losses[-1] if losses else None,
        "peakGpuMemoryBytes": None if cpu else torch.cuda.max_memory_allocated(),
    }))


# ---- the table --------------------------------------------------------------------------------------------------


def throughput(step_times: list, warmup: int, batch_size: int) -> tuple[float, int]:
    """Samples/s over the steps after ``warmup`` (from the end of step ``warmup`` to the end of the last step)."""
    times = dict(step_times)
    last = max(times)
    w = warmup
    return (last - w) * batch_size / (times[last] - times[w]), last - w


def table(results: list[dict], args) -> str:
    mem_head = "peak GPU memory (MiB)" if args.device != "cpu" else "peak RSS (MiB)"
    lines = [
        f"| side | precision | steps timed | samples/s | {mem_head} | loss at the last step |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        sps, n = throughput(r["stepTimes"], args.warmup, args.batch_size)
        r["samplesPerSecond"], r["stepsTimed"] = sps, n
        mem = r["peakGpuMemoryBytes"] if args.device != "cpu" else r["peakRssBytes"]
        lines.append(
            f"| {r['side']} | {r['precision']} | {n} | {sps:.1f} | {mem / 2**20:,.0f} | {r['finalLoss']:.4f} |"
        )
    return "\n".join(lines)


def machine(device: str) -> str:
    import platform

    import torch

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    flags = open("/proc/cpuinfo").read()
    has = [f for f in ("avx512f", "avx512_vnni", "amx_bf16") if f" {f}" in flags]
    gpu = torch.cuda.get_device_name(0) if device != "cpu" and torch.cuda.is_available() else "none used"
    load = open("/proc/loadavg").read().split()[:3]
    return (
        f"GPU: {gpu}; CPU: {cpu} ({os.cpu_count()} logical, flags: {', '.join(has) or 'no avx512/amx'}); "
        f"load {' '.join(load)}; torch {torch.__version__}; python {platform.python_version()}"
    )


def run(args) -> None:
    import sentence_transformers

    work = Path(args.out).resolve()  # the job file's relative paths would resolve against its own directory
    work.mkdir(parents=True, exist_ok=True)
    if args.device == "cuda":
        import torch

        if not torch.cuda.is_available():
            raise SystemExit("--device cuda: torch sees no CUDA GPU (torch.cuda.is_available() is False)")
    lines = sum(1 for line in open(args.train) if line.strip())
    header = (
        f"Ferret engine vs sentence-transformers {sentence_transformers.__version__} trainer, device {args.device}: "
        f"{Path(args.model).name}, InfoNCE/MNRL (scale 20, cosine), batch {args.batch_size}, max length "
        f"{args.max_length}, {args.steps} steps (the first {args.warmup} not timed), lr {args.lr}, seed "
        f"{args.seed}, {lines} SciFact train pairs with one BM25 negative each\n{machine(args.device)}"
    )
    print(header, flush=True)
    results = []
    for precision in args.precision.split(","):
        for side in ("ferret", "st") + (("ferret-lg",) if args.length_grouping else ()):
            t0 = time.time()
            if side == "st":
                r = st_side(args, precision, work)
            else:
                r = engine_side(args, precision, side == "ferret-lg", work)
            print(f"  {r['side']} {precision}: done in {time.time() - t0:.0f} s (with loading and export)", flush=True)
            results.append(r)
    text = table(results, args)
    print(text)
    (work / "table.md").write_text(header + "\n\n" + text + "\n")
    (work / "results.json").write_text(json.dumps({"header": header, "results": results}, indent=2))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--data", required=True, type=Path, help="SciFact in BEIR layout")
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--seed", type=int, default=13)
    r = sub.add_parser("run")
    r.add_argument("--train", required=True, help="the training set prepare wrote")
    r.add_argument("--model", required=True, help="a Ferret model dir with model.safetensors")
    r.add_argument("--out", required=True)
    r.add_argument("--device", choices=("cuda", "cpu"), default="cuda")
    r.add_argument("--steps", type=int, default=200)
    r.add_argument("--warmup", type=int, help="steps left out of the timing (default: a fifth of them, at most 10)")
    r.add_argument("--batch-size", type=int, default=32)
    r.add_argument("--max-length", type=int, default=256)
    r.add_argument("--lr", type=float, default=2e-5)
    r.add_argument("--seed", type=int, default=13)
    r.add_argument("--precision", default="fp32", help="fp32, bf16 or fp32,bf16 (each runs both sides)")
    r.add_argument("--length-grouping", action="store_true", help="also run the engine with lengthGrouping")
    r.add_argument("--threads", type=int, default=0, help="torch threads per side (0: torch's default)")
    c = sub.add_parser("st-child")
    c.add_argument("opts")
    args = ap.parse_args()
    if args.cmd == "prepare":
        n = prepare(args.data, args.out, args.seed)
        print(f"{args.out}: {n} (query, positive, negative) lines")
    elif args.cmd == "run":
        if args.warmup is None:
            args.warmup = min(10, max(1, args.steps // 5))
        if not 1 <= args.warmup < args.steps:
            ap.error("--warmup must be at least 1 and below --steps")
        run(args)
    else:
        st_child(json.loads(args.opts))


if __name__ == "__main__":
    main()
