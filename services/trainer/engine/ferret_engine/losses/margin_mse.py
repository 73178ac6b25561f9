"""Margin-MSE: regress the student's positive-minus-negative score margin onto the teacher's.

Objective (Hofstätter et al., 2020, "Improving Efficient Neural Ranking Models with Cross-Architecture Knowledge
Distillation", arXiv:2010.02666; used for TAS-Balanced, research-methods.md §4):

    L = mean over (i, n) of ( (s(q_i, d_i+) − s(q_i, d_n)) − (t(q_i, d_i+) − t(q_i, d_n)) )²

d_i+ is query i's designated positive and d_n ranges over the negatives of its own list that the teacher scored.
By default scores are compared raw, so student and teacher margins must be on the same scale. A teacher whose
scores spread differently (bge-small-en-v1.5's cosine margins are about half all-MiniLM-L6-v2's on SciFact pairs)
is put on the student's scale by dividing each side by its own temperature first, s/τ_s and t/τ_t, as KL
list-wise does.
"""

from __future__ import annotations

import torch

from .labels import BatchLabels


def margin_mse(
    scores: torch.Tensor, teacher: torch.Tensor, target: torch.Tensor, negatives: torch.Tensor
) -> torch.Tensor:
    """``negatives`` [B, M] bool: the (query, negative) pairs to use; ``teacher`` is finite there and at target."""
    rows = torch.arange(len(target), device=scores.device)
    t = torch.nan_to_num(teacher, nan=0.0)
    student_margin = scores[rows, target][:, None] - scores
    teacher_margin = t[rows, target][:, None] - t
    if not bool(negatives.any()):
        raise ValueError("Margin-MSE: no scored negatives in the batch")
    return (student_margin - teacher_margin)[negatives].pow(2).mean()


class MarginMSELoss(torch.nn.Module):
    def __init__(self, teacher_temperature: float = 1.0, student_temperature: float = 1.0) -> None:
        super().__init__()
        if teacher_temperature <= 0 or student_temperature <= 0:
            raise ValueError("Margin-MSE: temperatures must be > 0")
        self.teacher_temperature = teacher_temperature
        self.student_temperature = student_temperature

    def forward(self, scores: torch.Tensor, labels: BatchLabels) -> torch.Tensor:
        rows = torch.arange(len(labels.target), device=scores.device)
        if not bool(torch.isfinite(labels.teacher[rows, labels.target]).all()):
            raise ValueError("Margin-MSE: every query's positive needs a teacher score")
        negatives = labels.own & ~labels.positives & torch.isfinite(labels.teacher)
        return margin_mse(
            scores / self.student_temperature,
            labels.teacher / self.teacher_temperature,
            labels.target,
            negatives,
        )
