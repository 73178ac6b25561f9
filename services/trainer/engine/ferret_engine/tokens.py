"""Tokenisation cached per distinct text (each query and passage is tokenised once per job, not once per
batch), and padding of cached ids into model inputs."""

from __future__ import annotations

import torch


class TokenCache:
    def __init__(self, tokenizer, max_length: int) -> None:
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.pad_id = tokenizer.pad_token_id or 0
        self._ids: dict[str, list[int]] = {}

    def add(self, texts: list[str], chunk: int = 4096) -> None:
        todo = list(dict.fromkeys(t for t in texts if t not in self._ids))
        for start in range(0, len(todo), chunk):
            part = todo[start : start + chunk]
            enc = self.tokenizer(part, truncation=True, max_length=self.max_length)["input_ids"]
            self._ids.update(zip(part, enc))

    def ids(self, text: str) -> list[int]:
        if text not in self._ids:
            self.add([text])
        return self._ids[text]

    def length(self, text: str) -> int:
        return len(self.ids(text))

    def batch(self, texts: list[str]) -> dict[str, torch.Tensor]:
        """input_ids, attention_mask, token_type_ids padded on the right to the longest text."""
        rows = [self.ids(t) for t in texts]
        width = max(len(r) for r in rows)
        ids = torch.full((len(rows), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for i, r in enumerate(rows):
            ids[i, : len(r)] = torch.tensor(r, dtype=torch.long)
            mask[i, : len(r)] = 1
        return {"input_ids": ids, "attention_mask": mask, "token_type_ids": torch.zeros_like(ids)}


def pair_batch(tokenizer, max_length: int, pairs: list[tuple[str, str]]) -> dict[str, torch.Tensor]:
    """Cross-encoder inputs: (query, passage) pairs truncated longest-first, as Ferret's ranker does."""
    enc = tokenizer(
        [q for q, _ in pairs],
        [p for _, p in pairs],
        padding=True,
        truncation="longest_first",
        max_length=max_length,
        return_tensors="pt",
    )
    if "token_type_ids" not in enc:
        enc["token_type_ids"] = torch.zeros_like(enc["input_ids"])
    return dict(enc)
