"""Which examples form each batch, and which of an example's passages it uses, as a pure function of
(seed, epoch): a resumed job and every DDP process see the same global batches without sharing state.

Each query of a batch brings ``positives_per_query`` positives then ``negatives_per_query`` hard negatives,
drawn without replacement (cycled when it has fewer). Length grouping sorts each window of 50 batches by
token length before cutting it into batches, then shuffles the batches, so a batch pads to similar lengths.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .losses import BatchLabels
from .training_set import Example, Passage, TrainingSet

GROUP_WINDOW = 50  # batches per length-sorted window


@dataclass(frozen=True)
class Batch:
    examples: tuple[Example, ...]
    #: per query: its positives then its negatives (every list has the same length, the group size)
    slots: tuple[tuple[Passage, ...], ...]

    @property
    def group_size(self) -> int:
        return len(self.slots[0])

    def documents(self) -> list[Passage]:
        return [p for group in self.slots for p in group]


def _take(items: tuple[Passage, ...], n: int, rng: np.random.Generator) -> list[Passage]:
    if n <= 0:
        return []
    order = rng.permutation(len(items))
    return [items[order[i % len(items)]] for i in range(n)]


def epoch_batches(
    ts: TrainingSet,
    *,
    epoch: int,
    seed: int,
    batch_size: int,
    positives_per_query: int,
    negatives_per_query: int,
    lengths: list[int] | None = None,
) -> list[Batch]:
    """The epoch's global batches (an incomplete last batch is dropped, so every DDP process gets equal shards).
    ``lengths``: one token length per example, to group batches by length."""
    rng = np.random.Generator(np.random.PCG64([seed, epoch]))
    order = rng.permutation(len(ts))
    n_batches = len(order) // batch_size
    order = order[: n_batches * batch_size]
    if lengths is not None:
        window = batch_size * GROUP_WINDOW
        chunks = []
        for start in range(0, len(order), window):
            part = order[start : start + window]
            part = part[np.argsort([-lengths[i] for i in part], kind="stable")]
            chunks.extend(part[i : i + batch_size] for i in range(0, len(part), batch_size))
        order = np.concatenate([chunks[i] for i in rng.permutation(len(chunks))]) if chunks else order
    batches = []
    for b in range(n_batches):
        idx = order[b * batch_size : (b + 1) * batch_size]
        exs, slots = [], []
        for i in idx:
            ex = ts.examples[int(i)]
            pick = np.random.Generator(np.random.PCG64([seed, epoch, int(i)]))
            exs.append(ex)
            slots.append(
                tuple(_take(ex.positives, positives_per_query, pick) + _take(ex.negatives, negatives_per_query, pick))
            )
        batches.append(Batch(tuple(exs), tuple(slots)))
    return batches


def batch_labels(batch: Batch) -> BatchLabels:
    """Labels of the [B, B·G] matrix of every query against every passage of the batch (passage j of query i
    in column i·G + j). Relations come from passage ids, so another query's passage that is labelled for
    query i (a positive, a scored negative) counts as such for i."""
    g = batch.group_size
    docs = batch.documents()
    b, m = len(batch.examples), len(docs)
    positives = torch.zeros(b, m, dtype=torch.bool)
    own = torch.zeros(b, m, dtype=torch.bool)
    grades = torch.zeros(b, m)
    teacher = torch.full((b, m), float("nan"))
    for i, ex in enumerate(batch.examples):
        own[i, i * g : (i + 1) * g] = True
        pos_ids = {p.id for p in ex.positives}
        known = {p.id: p for p in ex.passages()}
        for j, d in enumerate(docs):
            hit = known.get(d.id)
            if hit is None:
                continue
            positives[i, j] = d.id in pos_ids
            grades[i, j] = hit.grade
            if hit.teacher is not None:
                teacher[i, j] = hit.teacher
    return BatchLabels(
        target=torch.arange(b) * g, positives=positives, own=own, grades=grades, teacher=teacher
    )


def own_columns(labels: BatchLabels, group_size: int) -> BatchLabels:
    """The same labels restricted to each query's own list ([B, G]): the cross-encoder scores only those."""
    b, device = labels.target.shape[0], labels.target.device
    cols = (torch.arange(b, device=device)[:, None] * group_size + torch.arange(group_size, device=device)[None, :])

    def take(t: torch.Tensor) -> torch.Tensor:
        return torch.gather(t, 1, cols)

    return BatchLabels(
        target=torch.zeros(b, dtype=torch.long, device=device),
        positives=take(labels.positives),
        own=torch.ones(b, group_size, dtype=torch.bool, device=device),
        grades=take(labels.grades),
        teacher=take(labels.teacher),
    )
