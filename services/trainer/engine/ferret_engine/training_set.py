"""The training-set file: JSON lines, one query per line (README.md, "Training-set file").

    {"qid": "q1", "query": "text",
     "positives": [{"id": "d1", "text": "...", "grade": 1, "teacher": 9.1}],
     "negatives": [{"id": "d7", "text": "...", "teacher": 2.4}]}

Every problem is a ``TrainingSetError`` naming the file, the line and the field.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from .errors import TrainingSetError


@dataclass(frozen=True)
class Passage:
    id: str
    text: str
    #: graded relevance (positives default to 1, negatives to 0)
    grade: float
    #: teacher score for this (query, passage) pair, when the set has one
    teacher: float | None


@dataclass(frozen=True)
class Example:
    qid: str
    query: str
    positives: tuple[Passage, ...]
    negatives: tuple[Passage, ...]
    line: int

    def passages(self):
        return self.positives + self.negatives


@dataclass(frozen=True)
class TrainingSet:
    path: Path
    examples: tuple[Example, ...]

    def __len__(self) -> int:
        return len(self.examples)


def _passage(where: str, field: str, raw, default_grade: float) -> Passage:
    if not isinstance(raw, dict):
        raise TrainingSetError(f'{where}: field "{field}": must be an object with "id" and "text"')
    pid, text = raw.get("id"), raw.get("text")
    if not isinstance(pid, str) or not pid:
        raise TrainingSetError(f'{where}: field "{field}.id": must be a non-empty string')
    if not isinstance(text, str):
        raise TrainingSetError(f'{where}: field "{field}.text": must be a string')
    grade = raw.get("grade", default_grade)
    if not isinstance(grade, (int, float)) or isinstance(grade, bool) or not math.isfinite(grade) or grade < 0:
        raise TrainingSetError(f'{where}: field "{field}.grade": must be a number >= 0')
    teacher = raw.get("teacher")
    if teacher is not None and (
        not isinstance(teacher, (int, float)) or isinstance(teacher, bool) or not math.isfinite(teacher)
    ):
        raise TrainingSetError(f'{where}: field "{field}.teacher": must be a finite number')
    unknown = set(raw) - {"id", "text", "grade", "teacher"}
    if unknown:
        raise TrainingSetError(f'{where}: field "{field}.{sorted(unknown)[0]}": unknown field')
    return Passage(pid, text, float(grade), None if teacher is None else float(teacher))


def parse_line(path: Path, line_no: int, line: str) -> Example:
    where = f"{path}:{line_no}"
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as e:
        raise TrainingSetError(f"{where}: not JSON ({e.msg})") from e
    if not isinstance(raw, dict):
        raise TrainingSetError(f"{where}: must be a JSON object")
    unknown = set(raw) - {"qid", "query", "positives", "negatives"}
    if unknown:
        raise TrainingSetError(f'{where}: field "{sorted(unknown)[0]}": unknown field')
    query = raw.get("query")
    if not isinstance(query, str) or not query.strip():
        raise TrainingSetError(f'{where}: field "query": must be a non-empty string')
    qid = raw.get("qid", f"line-{line_no}")
    if not isinstance(qid, str):
        raise TrainingSetError(f'{where}: field "qid": must be a string')
    pos, neg = raw.get("positives"), raw.get("negatives", [])
    if not isinstance(pos, list) or not pos:
        raise TrainingSetError(f'{where}: field "positives": must be a non-empty list')
    if not isinstance(neg, list):
        raise TrainingSetError(f'{where}: field "negatives": must be a list')
    positives = tuple(_passage(where, f"positives[{i}]", p, 1.0) for i, p in enumerate(pos))
    negatives = tuple(_passage(where, f"negatives[{i}]", p, 0.0) for i, p in enumerate(neg))
    pos_ids = {p.id for p in positives}
    clash = next((n.id for n in negatives if n.id in pos_ids), None)
    if clash is not None:
        raise TrainingSetError(f'{where}: field "negatives": passage {clash!r} is also a positive')
    return Example(qid, query, positives, negatives, line_no)


def read_training_set(
    path: str | Path, *, negatives_per_query: int = 0, need_teacher: bool = False
) -> TrainingSet:
    """Read and validate the whole file. ``negatives_per_query`` > 0 requires at least one negative per line;
    ``need_teacher`` requires a teacher score on every passage (distillation losses)."""
    p = Path(path)
    if not p.is_file():
        raise TrainingSetError(f"{p}: training-set file does not exist")
    examples = []
    with p.open(encoding="utf-8") as f:
        for line_no, line in enumerate(f, start=1):
            if not line.strip():
                continue
            ex = parse_line(p, line_no, line)
            if negatives_per_query > 0 and not ex.negatives:
                raise TrainingSetError(
                    f'{p}:{line_no}: field "negatives": empty, but the job samples {negatives_per_query} per query'
                )
            if need_teacher:
                missing = next((i for i, x in enumerate(ex.passages()) if x.teacher is None), None)
                if missing is not None:
                    kind, idx = (
                        ("positives", missing)
                        if missing < len(ex.positives)
                        else ("negatives", missing - len(ex.positives))
                    )
                    raise TrainingSetError(
                        f'{p}:{line_no}: field "{kind}[{idx}].teacher": the loss needs a teacher score on every passage'
                    )
            examples.append(ex)
    if not examples:
        raise TrainingSetError(f"{p}: empty training set (no examples)")
    return TrainingSet(p, tuple(examples))
