"""InfoNCE with in-batch and hard negatives, a temperature, and duplicate-positive masking.

Objective (van den Oord et al., 2018, "Representation Learning with Contrastive Predictive Coding",
arXiv:1807.03748; the in-batch form of Karpukhin et al., 2020, DPR, arXiv:2004.04906; research-methods.md §1):

    L = -(1/B) Σ_i log( exp(s(q_i, d_i+)/τ) / Σ_{d ∈ {d_i+} ∪ D_i-} exp(s(q_i, d)/τ) )

D_i- is every other passage of the batch: the other queries' positives and everyone's hard negatives. A passage
that is also a positive of q_i (another of its positives, or the same passage sampled for another query) is
dropped from D_i-, so the loss never pushes q_i away from something labelled relevant to it.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .labels import BatchLabels


def info_nce(
    scores: torch.Tensor, target: torch.Tensor, *, temperature: float, exclude: torch.Tensor | None = None
) -> torch.Tensor:
    """Mean over rows of the cross-entropy of ``softmax(scores/τ)`` at ``target``; ``exclude`` [B, M] drops
    those entries from the denominator (never the target itself)."""
    logits = scores / temperature
    if exclude is not None:
        exclude = exclude.clone()
        exclude[torch.arange(len(target), device=target.device), target] = False
        logits = logits.masked_fill(exclude, float("-inf"))
    return F.cross_entropy(logits, target)


class InfoNCELoss(torch.nn.Module):
    def __init__(self, temperature: float = 0.05, mask_duplicate_positives: bool = True) -> None:
        super().__init__()
        self.temperature = temperature
        self.mask_duplicate_positives = mask_duplicate_positives

    def forward(self, scores: torch.Tensor, labels: BatchLabels) -> torch.Tensor:
        exclude = labels.positives if self.mask_duplicate_positives else None
        return info_nce(scores, labels.target, temperature=self.temperature, exclude=exclude)
