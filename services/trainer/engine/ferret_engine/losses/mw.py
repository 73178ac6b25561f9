"""MW loss: binary cross-entropy on the difference between any positive and any negative score of the batch.

Objective (Sheikholeslami et al., 2025, "Training retrievers for global AUC" / MW loss, arXiv:2510.00137, eq. 3;
research-methods.md §2), with the experiments' temperature:

    L = -(1/B) Σ_{(i,j): d_j ∈ D_i+}  Σ_{(k,l): d_l ∉ D_k+}  log σ( (s(q_i, d_j) - s(q_k, d_l)) / τ )

Positives are compared with the negatives of *every* query, not only their own: that is what makes scores
comparable across queries (InfoNCE is invariant to a per-query shift, so its global AUC can be arbitrarily bad),
and the loss upper-bounds the area over the ROC curve (AoC ≤ L_MW / log 2 in the population form). A negative
of query k is every passage of the batch that is not a positive of k (its hard negatives and the other queries'
positives). The normalisation is the paper's 1/B, not the number of pairs.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .labels import BatchLabels


def mw_loss(scores: torch.Tensor, positives: torch.Tensor, *, temperature: float) -> torch.Tensor:
    pos = scores[positives]  # [P]
    neg = scores[~positives]  # [N]
    margins = (pos[:, None] - neg[None, :]) / temperature
    return -F.logsigmoid(margins).sum() / scores.shape[0]


class MWLoss(torch.nn.Module):
    def __init__(self, temperature: float = 0.01) -> None:
        super().__init__()
        self.temperature = temperature

    def forward(self, scores: torch.Tensor, labels: BatchLabels) -> torch.Tensor:
        return mw_loss(scores, labels.positives, temperature=self.temperature)
