"""What a loss knows about a batch besides the scores: one ``BatchLabels`` per score matrix.

A score matrix is ``scores[i, j] = s(q_i, d_j)`` for the B queries of the (gathered) batch against all M
passages in it (bi-encoder: every query against every passage; cross-encoder: each query against its own
list only, so M is the list length). The label tensors have the same [B, M] shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch


@dataclass
class BatchLabels:
    #: [B] column of query i's designated positive (InfoNCE, Margin-MSE's positive).
    target: torch.Tensor
    #: [B, M] bool: passage j is a positive of query i (by passage id, so a duplicate of query i's positive in
    #: another query's slot counts too).
    positives: torch.Tensor
    #: [B, M] bool: passage j is in query i's own list (its sampled positives and hard negatives).
    own: torch.Tensor
    #: [B, M] float: graded relevance of passage j for query i (0 for anything not in i's list).
    grades: torch.Tensor
    #: [B, M] float: teacher score of passage j for query i; NaN where the teacher did not score the pair.
    teacher: torch.Tensor = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.teacher is None:
            self.teacher = torch.full(self.positives.shape, float("nan"), dtype=torch.float32)

    @staticmethod
    def one_positive_each(batch: int, width: int) -> "BatchLabels":
        """Query i's positive in column i, nothing else labelled: the in-batch layout of MultipleNegativesRankingLoss."""
        positives = torch.zeros(batch, width, dtype=torch.bool)
        positives[torch.arange(batch), torch.arange(batch)] = True
        return BatchLabels(
            target=torch.arange(batch),
            positives=positives,
            own=positives.clone(),
            grades=positives.float(),
        )

    def to(self, device: torch.device | str) -> "BatchLabels":
        return BatchLabels(
            target=self.target.to(device),
            positives=self.positives.to(device),
            own=self.own.to(device),
            grades=self.grades.to(device),
            teacher=self.teacher.to(device),
        )
