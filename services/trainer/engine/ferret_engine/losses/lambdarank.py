"""ADORE's LambdaRank-style pairwise loss over a retrieved list (Zhan, Mao, Liu, Guo, Zhang and Ma, SIGIR 2021,
"Optimizing Dense Retrieval Model Training with Hard Negatives", arXiv:2104.08051; research-methods.md §5).

The scores are one row per query over its list in retrieval order: column j holds the document at rank j + 1
(the top k retrieved by the current query encoder from the fixed document index, then, when none of them is
relevant, the query's positives appended). For every pair (i relevant, j not) of a query's list:

    C_ij = log(1 + exp(-(y_i - y_j) / τ)),   weighted by   w_ij = |D(r_i) - D(r_j)|,
    D(r) = 1/r for r <= metric_cut, else 0   (the ΔMRR weight: pairs that cannot change MRR@cut weigh 0)

    L_q = Σ_{i rel, j not} w_ij C_ij / (2 P_q),   P_q = the number of such pairs;   L = mean_q L_q

τ is 1 in the paper (raw inner products); a model with normalized embeddings needs a small τ, as InfoNCE does.
Labels: ``positives`` marks the relevant documents of each list, ``own`` the columns that hold a document (a
shorter list is padded with ``own`` False). A list without a (relevant, non-relevant) pair has no loss and
is left out of the mean.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .labels import BatchLabels


def lambdarank_loss(
    scores: torch.Tensor,
    relevant: torch.Tensor,
    valid: torch.Tensor,
    *,
    metric_cut: int | None = None,
    temperature: float = 1.0,
) -> torch.Tensor:
    b, m = scores.shape
    ranks = torch.arange(1, m + 1, device=scores.device, dtype=scores.dtype)
    discount = 1.0 / ranks
    if metric_cut is not None:
        discount = discount.masked_fill(ranks > metric_cut, 0.0)
    weights = (discount[:, None] - discount[None, :]).abs()  # [M, M], by list position
    rel, non = relevant & valid, ~relevant & valid
    pairs = rel[:, :, None] & non[:, None, :]  # [B, M, M]: (i relevant, j not)
    n_pairs = pairs.sum((1, 2))
    diff = (scores[:, :, None] - scores[:, None, :]) / temperature
    cost = F.softplus(-diff) * weights  # softplus(x) = log(1 + exp(x)), stable for large |x|
    has = n_pairs > 0
    if not bool(has.any()):
        return scores.sum() * 0.0
    per_query = (cost * pairs).sum((1, 2))[has] / (2 * n_pairs[has])
    return per_query.mean()


class LambdaRankLoss(torch.nn.Module):
    def __init__(self, metric_cut: int | None = None, temperature: float = 1.0) -> None:
        super().__init__()
        bad_cut = isinstance(metric_cut, bool) or not isinstance(metric_cut, int) or metric_cut < 1
        if metric_cut is not None and bad_cut:
            raise TypeError("metric_cut must be an integer >= 1")
        if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or temperature <= 0:
            raise TypeError("temperature must be a number > 0")
        self.metric_cut = metric_cut
        self.temperature = float(temperature)

    def forward(self, scores: torch.Tensor, labels: BatchLabels) -> torch.Tensor:
        return lambdarank_loss(
            scores, labels.positives, labels.own, metric_cut=self.metric_cut, temperature=self.temperature
        )
