"""Disj-InfoNCE: all of a query's positives share one softmax numerator (summed marginal likelihood).

Objective (Zhang et al., 2025, "Utility-Focused LLM Annotation for Retrieval and RAG", arXiv:2504.05220, eq. 6;
research-methods.md §1):

    L = -(1/B) Σ_i log( Σ_{d ∈ D_i+} exp(s(q_i, d)/τ) / Σ_{d ∈ D_i+ ∪ D_i-} exp(s(q_i, d)/τ) )

computed as logsumexp over the positives minus logsumexp over every passage of the batch (the paper's code takes
-log of the summed softmax mass clamped at 1e-9; the log-sum-exp form is the same value without the clamp). With
one positive per query it is InfoNCE. Robust to noisy LLM positives: the model may put its mass on any of them.
"""

from __future__ import annotations

import torch

from .labels import BatchLabels


def disj_info_nce(scores: torch.Tensor, positives: torch.Tensor, *, temperature: float) -> torch.Tensor:
    if not bool(positives.any(dim=1).all()):
        raise ValueError("Disj-InfoNCE: every query needs at least one positive in the batch")
    logits = scores / temperature
    pos = torch.logsumexp(logits.masked_fill(~positives, float("-inf")), dim=1)
    return (torch.logsumexp(logits, dim=1) - pos).mean()


class DisjInfoNCELoss(torch.nn.Module):
    def __init__(self, temperature: float = 0.05) -> None:
        super().__init__()
        self.temperature = temperature

    def forward(self, scores: torch.Tensor, labels: BatchLabels) -> torch.Tensor:
        return disj_info_nce(scores, labels.positives, temperature=self.temperature)
