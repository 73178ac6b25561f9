"""Evaluation during training on an eval set in the training-set format: each query's own candidate list
(its positives and negatives) is ranked by the model, and MRR@10 and nDCG@10 (linear gains = grades) are
averaged over queries. A quick signal for the progress stream; Ferret's evaluator measures the exported model
on a corpus."""

from __future__ import annotations

import math

import torch

from .tokens import pair_batch
from .training_set import TrainingSet


def rank_metrics(scores: list[float], grades: list[float], k: int = 10) -> tuple[float, float]:
    """(reciprocal rank of the first relevant item within k, nDCG@k). Ties are broken against the relevant
    items (candidates are passed negatives first and the sort is stable)."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    rr = next((1.0 / (r + 1) for r, i in enumerate(order[:k]) if grades[i] > 0), 0.0)
    dcg = sum(grades[i] / math.log2(r + 2) for r, i in enumerate(order[:k]))
    ideal = sum(g / math.log2(r + 2) for r, g in enumerate(sorted(grades, reverse=True)[:k]))
    return rr, (dcg / ideal if ideal > 0 else 0.0)


@torch.no_grad()
def evaluate_lists(trainer, ts: TrainingSet) -> dict:
    model = trainer.model
    was_training = model.training
    model.eval()
    rr_sum = ndcg_sum = 0.0
    try:
        for ex in ts.examples:
            cands = list(ex.negatives) + list(ex.positives)
            grades = [p.grade for p in cands]
            if trainer.job.mode == "cross-encoder":
                pairs = [(trainer._q(ex.query), p.text) for p in cands]
                feats = trainer._to(pair_batch(trainer.tokenizer, trainer.max_length, pairs))
                scores = model(feats).tolist()
            else:
                q, _ = model(queries=trainer._to(trainer.cache.batch([trainer._q(ex.query)])))
                _, d = model(documents=trainer._to(trainer.cache.batch([trainer._d(p.text) for p in cands])))
                scores = (q @ d.T)[0].tolist()
            rr, ndcg = rank_metrics(scores, grades)
            rr_sum += rr
            ndcg_sum += ndcg
    finally:
        model.train(was_training)
    n = len(ts.examples)
    return {"queries": n, "mrr@10": rr_sum / n, "ndcg@10": ndcg_sum / n}
