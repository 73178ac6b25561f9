"""KL list-wise distillation: match the student's distribution over a query's candidate list to the teacher's.

Objective (Tamber, Kazi, Sourabh and Lin, 2025, "Teaching Dense Retrieval Models to Specialize with Listwise
Distillation and LLM Data Augmentation", arXiv:2502.19712; research-methods.md §7):

    L = (1/B) Σ_i KL( softmax_j(t_ij / τ_t) ‖ softmax_j(s_ij / τ_s) )

over j in query i's own list (its positives and negatives that the teacher scored). The paper adds 0.1 × InfoNCE
(τ = 0.01); in a job that is a second loss term with weight 0.1, not part of this one.
"""

from __future__ import annotations

import torch

from .labels import BatchLabels


def kl_listwise(
    scores: torch.Tensor,
    teacher: torch.Tensor,
    listed: torch.Tensor,
    *,
    teacher_temperature: float,
    student_temperature: float,
) -> torch.Tensor:
    """``listed`` [B, M] bool: the entries of each query's list; ``teacher`` must be finite there."""
    if not bool(listed.any(dim=1).all()):
        raise ValueError("KL list-wise: every query needs teacher scores for its list")
    t = torch.nan_to_num(teacher, nan=0.0)
    log_t = torch.log_softmax((t / teacher_temperature).masked_fill(~listed, float("-inf")), dim=1)
    log_s = torch.log_softmax((scores / student_temperature).masked_fill(~listed, float("-inf")), dim=1)
    terms = torch.where(listed, log_t.exp() * (log_t - log_s), torch.zeros_like(log_s))
    return terms.sum(dim=1).mean()


class KLListwiseLoss(torch.nn.Module):
    def __init__(self, teacher_temperature: float = 0.3, student_temperature: float = 0.05) -> None:
        super().__init__()
        self.teacher_temperature = teacher_temperature
        self.student_temperature = student_temperature

    def forward(self, scores: torch.Tensor, labels: BatchLabels) -> torch.Tensor:
        listed = labels.own & torch.isfinite(labels.teacher)
        return kl_listwise(
            scores,
            labels.teacher,
            listed,
            teacher_temperature=self.teacher_temperature,
            student_temperature=self.student_temperature,
        )
