"""A corpus file: JSON lines with "_id" or "id", "text" and an optional "title" (BEIR's corpus.jsonl reads as
is). A passage's text is ``f"{title} {text}".strip()``, the way Ferret's encoder indexes a document
(services/encoder/src/dense-retriever.ts) and the trainer's data assembly writes it."""

from __future__ import annotations

import json
from pathlib import Path

from .errors import TrainingSetError


def read_corpus_texts(path: Path) -> list[tuple[str, str]]:
    """(passage id, text) per non-blank line; every problem names the file, the line and the field."""
    if not path.is_file():
        raise TrainingSetError(f"{path}: corpus file does not exist")
    out = []
    with path.open(encoding="utf-8") as f:
        for line_no, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as e:
                raise TrainingSetError(f"{path}:{line_no}: not JSON ({e.msg})") from e
            if not isinstance(raw, dict):
                raise TrainingSetError(f"{path}:{line_no}: must be a JSON object")
            pid = raw.get("_id", raw.get("id"))
            if not isinstance(pid, str) or not pid:
                raise TrainingSetError(f'{path}:{line_no}: field "_id": must be a non-empty string')
            text, title = raw.get("text"), raw.get("title", "")
            if not isinstance(text, str):
                raise TrainingSetError(f'{path}:{line_no}: field "text": must be a string')
            if not isinstance(title, str):
                raise TrainingSetError(f'{path}:{line_no}: field "title": must be a string')
            out.append((pid, f"{title} {text}".strip()))
    return out
