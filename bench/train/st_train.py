#!/usr/bin/env python3
"""sentence-transformers' side of the side-by-side (bench/train/RESULTS.md): MultipleNegativesRankingLoss on the
same pairs file Ferret's engine trains on (bench/train/pairs.py: query, positive, negative per line), with the
same batch size, max length, epochs, learning-rate schedule, weight decay, seed and thread count.

sentence-transformers' own model, tokenizer and loss in a plain PyTorch loop (AdamW with weight decay off for biases
and LayerNorm, linear warm-up then decay, gradient clipping 1.0: what its Trainer does by default):
SentenceTransformerTrainer needs `datasets` and `accelerate`, which the repo's Python environment does not install.

Writes the base sentence-transformers dir with the trained weights to --out (export it to a Ferret model dir with
packages/inference/scripts/export-model.py, so both models are encoded and evaluated by the same code) and prints
one JSON line: pairs, steps, train seconds (trainer.train() only), pairs/s.

Usage: st_train.py --model <st-dir> --pairs pairs.jsonl --out DIR [--epochs 3 --lr 5e-5 --batch-size 32
       --max-length 256 --seed 13 --warmup-ratio 0.1 --weight-decay 0.01 --threads 2]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time

import torch


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--pairs", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--max-length", type=int, default=256)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--warmup-ratio", type=float, default=0.1)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (0: all epochs)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    from sentence_transformers import SentenceTransformer
    from sentence_transformers.losses import MultipleNegativesRankingLoss
    from transformers import get_linear_schedule_with_warmup

    triples = []
    with open(args.pairs, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                triples.append((r["query"], r["positives"][0]["text"], r["negatives"][0]["text"]))

    torch.manual_seed(args.seed)
    model = SentenceTransformer(args.model, device="cpu")
    model.max_seq_length = args.max_length
    model.train()
    loss = MultipleNegativesRankingLoss(model, scale=20.0)  # scale 20 = Ferret's infonce temperature 0.05
    steps_per_epoch = len(triples) // args.batch_size  # incomplete last batch dropped, as Ferret's engine does
    total = steps_per_epoch * args.epochs
    if args.max_steps:
        total = min(total, args.max_steps)  # as the engine's maxSteps: the schedule spans the steps run
    decay = [p for n, p in model.named_parameters() if not any(k in n for k in ("bias", "LayerNorm"))]
    no_decay = [p for n, p in model.named_parameters() if any(k in n for k in ("bias", "LayerNorm"))]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=args.lr,
    )
    sched = get_linear_schedule_with_warmup(opt, round(args.warmup_ratio * total), total)
    gen = torch.Generator().manual_seed(args.seed)
    t = time.perf_counter()
    step = 0
    for epoch in range(args.epochs):
        order = torch.randperm(len(triples), generator=gen).tolist()
        for b in range(steps_per_epoch):
            if step == total:
                break
            batch = [triples[i] for i in order[b * args.batch_size : (b + 1) * args.batch_size]]
            # what SentenceTransformerTrainer's collator does: one tokenised feature dict per column
            features = [model.preprocess([row[c] for row in batch]) for c in range(3)]
            value = loss(features, None)
            value.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
            if step % 10 == 0:
                el = time.perf_counter() - t
                print(json.dumps({"step": step, "total": total, "loss": round(value.item(), 4),
                                  "pairsPerSecond": round(step * args.batch_size / el, 3)}), flush=True)
    seconds = time.perf_counter() - t
    model.eval()
    # The base dir with the trained transformer weights in place of its model.safetensors: the pooling,
    # normalisation and max length files stay those of the base (training does not change them), in the layout
    # export-model.py reads (sentence-transformers 6.2's own save writes a newer one).
    shutil.copytree(args.model, args.out, dirs_exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        model[0].auto_model.save_pretrained(tmp, safe_serialization=True)
        shutil.copy(os.path.join(tmp, "model.safetensors"), os.path.join(args.out, "model.safetensors"))
    steps = step
    print(
        json.dumps(
            {
                "pairs": len(triples),
                "epochs": args.epochs,
                "steps": steps,
                "trainSeconds": round(seconds, 1),
                "pairsPerSecond": round(steps * args.batch_size / seconds, 3),
                "threads": torch.get_num_threads(),
            }
        )
    )


if __name__ == "__main__":
    main()
