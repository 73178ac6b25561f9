"""Wasserstein list-wise loss: the 2-Wasserstein distance between Gaussian fits of the predicted and the
graded target distributions over the batch's passages.

Objective (Esfandiarpoor et al., 2025, "Beyond Contrastive Learning: Synthetic Data Enables List-wise Training
with Multiple Levels of Relevance" (SyCL), arXiv:2503.23239, as its code's ``WS2Loss`` computes it;
research-methods.md §3):

    P_i = softmax_j(s(q_i, d_j) / τ)        (each query against every passage of the batch)
    T_i = softmax_j(g_ij)                   (the integer grades as logits; 0 for other queries' passages)
    L   = ‖μ_P − μ_T‖² + Tr(Σ_P) + Tr(Σ_T) − 2 Tr((Σ_P Σ_T)^{1/2})

μ and Σ are the mean and the unbiased covariance (1/(B−1)) of the B row vectors, in float64. With
C = centred rows / sqrt(B−1), Σ = Cᵀ C and Tr((Σ_P Σ_T)^{1/2}) is the sum of the singular values of C_P C_Tᵀ
(a B×B matrix): the same quantity SyCL takes from the eigenvalues of (C_P C_Tᵀ)(C_T C_Pᵀ).
"""

from __future__ import annotations

import torch

from .labels import BatchLabels


def wasserstein_listwise(scores: torch.Tensor, grades: torch.Tensor, *, temperature: float) -> torch.Tensor:
    p = torch.softmax(scores.double() / temperature, dim=1)
    t = torch.softmax(grades.double(), dim=1)
    b = p.shape[0]
    scale = 1.0 if b < 2 else (b - 1) ** -0.5
    cp = (p - p.mean(0, keepdim=True)) * scale
    ct = (t - t.mean(0, keepdim=True)) * scale
    mean_term = (p.mean(0) - t.mean(0)).pow(2).sum()
    cross = torch.linalg.svdvals(cp @ ct.T).sum()
    loss = mean_term + cp.pow(2).sum() + ct.pow(2).sum() - 2.0 * cross
    return loss.to(scores.dtype)


class WassersteinListwiseLoss(torch.nn.Module):
    def __init__(self, temperature: float = 0.05) -> None:
        super().__init__()
        self.temperature = temperature

    def forward(self, scores: torch.Tensor, labels: BatchLabels) -> torch.Tensor:
        return wasserstein_listwise(scores, labels.grades, temperature=self.temperature)
