"""A batch plan: the batches to train on, in order, chosen by the control plane (TAS-Balanced, research-methods
§4: one query cluster per batch, (positive, negative) pairs with balanced teacher margins) instead of the
engine's random sampler. The file is the training-set artifact's batches.jsonl, one batch per line:

    {"epoch": 0, "batch": 0, "stage": 1, "clusters": [3], "items": [{"qid": "q1", "positive": "d1", "negative": "d9"}]}

Only the lines of the job's stage are used; each item's ids must be in the training set (a ``TrainingSetError``
names the plan's line otherwise). Epochs beyond the plan's repeat it.
"""

from __future__ import annotations

import json
from pathlib import Path

from .errors import TrainingSetError
from .sampler import Batch
from .training_set import TrainingSet


def read_batch_plan(path: Path, stage: int, ts: TrainingSet, divisor: int) -> list[list[Batch]]:
    """The plan's batches per epoch (epochs in order). A batch whose size does not divide by ``divisor`` (the
    number of DDP processes) is dropped, as the random sampler drops an incomplete last batch."""
    if not path.is_file():
        raise TrainingSetError(f"{path}: batch plan does not exist")
    by_qid = {}
    for ex in ts.examples:
        if ex.qid in by_qid:
            raise TrainingSetError(f"{ts.path}:{ex.line}: qid {ex.qid!r} repeats line {by_qid[ex.qid].line}")
        by_qid[ex.qid] = ex
    epochs: dict[int, list[tuple[int, Batch]]] = {}
    with path.open(encoding="utf-8") as f:
        for line_no, line in enumerate(f, start=1):
            if not line.strip():
                continue
            where = f"{path}:{line_no}"
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as e:
                raise TrainingSetError(f"{where}: not JSON ({e.msg})") from e
            if not isinstance(raw, dict):
                raise TrainingSetError(f"{where}: must be a JSON object")
            for fld in ("epoch", "batch", "stage"):
                if not isinstance(raw.get(fld), int) or isinstance(raw.get(fld), bool) or raw[fld] < 0:
                    raise TrainingSetError(f'{where}: field "{fld}": must be an integer >= 0')
            if raw["stage"] != stage:
                continue
            items = raw.get("items")
            if not isinstance(items, list) or not items:
                raise TrainingSetError(f'{where}: field "items": must be a non-empty list')
            exs, slots = [], []
            for i, item in enumerate(items):
                if not isinstance(item, dict):
                    raise TrainingSetError(f'{where}: field "items[{i}]": must be an object')
                ex = by_qid.get(item.get("qid"))
                if ex is None:
                    raise TrainingSetError(f'{where}: field "items[{i}].qid": {item.get("qid")!r} is not in {ts.path}')
                pos = next((p for p in ex.positives if p.id == item.get("positive")), None)
                if pos is None:
                    raise TrainingSetError(
                        f'{where}: field "items[{i}].positive": {item.get("positive")!r} is not a positive of {ex.qid!r}'
                    )
                neg = next((p for p in ex.negatives if p.id == item.get("negative")), None)
                if neg is None:
                    raise TrainingSetError(
                        f'{where}: field "items[{i}].negative": {item.get("negative")!r} is not a negative of {ex.qid!r}'
                    )
                exs.append(ex)
                slots.append((pos, neg))
            if len(exs) % divisor == 0:
                epochs.setdefault(raw["epoch"], []).append((raw["batch"], Batch(tuple(exs), tuple(slots))))
    if not epochs:
        raise TrainingSetError(f"{path}: no batches for stage {stage}")
    return [[b for _, b in sorted(epochs[e], key=lambda x: x[0])] for e in sorted(epochs)]
