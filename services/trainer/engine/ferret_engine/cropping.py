"""Contriever-style unsupervised pairs for a corpus without queries (Izacard et al., 2022, "Unsupervised Dense
Information Retrieval with Contrastive Learning", arXiv:2112.09118; research-methods.md §9): two independent
random crops of the same passage are a positive pair, and the other passages' crops in the batch are the
negatives (the in-batch variant, not MoCo's queue).

Each crop keeps a contiguous span of ``ratio × length`` words, ratio ~ U[ratio_min, ratio_max] (Contriever's code
default is [0.1, 0.5]), then drops each word with probability ``deletion`` (0.1). Contriever crops tokens of
256-token chunks; here the unit is the whitespace word, so crops are valid text for any tokenizer, and a
passage longer than the model's maxLength is cropped before truncation.

The corpus file is JSON lines with "_id" or "id", "text" and an optional "title" (BEIR's corpus.jsonl reads as
is). Crops are a pure function of (seed, epoch, passage), so a resumed job draws the same ones.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .corpus import read_corpus_texts
from .errors import TrainingSetError
from .training_set import Example, Passage, TrainingSet


def read_corpus(path: Path) -> list[tuple[str, list[str]]]:
    """(passage id, words) per passage of the corpus file (corpus.py); a passage needs at least 2 words to
    give two crops."""
    out = [(pid, words) for pid, text in read_corpus_texts(path) if len(words := text.split()) >= 2]
    if not out:
        raise TrainingSetError(f"{path}: empty corpus (no passage of 2 words or more)")
    return out


def crop(words: list[str], rng: np.random.Generator, ratio_min: float, ratio_max: float, deletion: float) -> str:
    n = len(words)
    length = max(1, int(round(rng.uniform(ratio_min, ratio_max) * n)))
    start = int(rng.integers(0, n - length + 1))
    span = words[start : start + length]
    kept = [w for w, drop in zip(span, rng.random(len(span)) < deletion) if not drop]
    return " ".join(kept or span[:1])


def cropped_pairs(
    corpus: list[tuple[str, list[str]]],
    path: Path,
    *,
    seed: int,
    epoch: int,
    ratio_min: float = 0.1,
    ratio_max: float = 0.5,
    deletion: float = 0.1,
) -> TrainingSet:
    """One example per passage: crop 1 is the query, crop 2 its only positive (id = the passage id)."""
    examples = []
    for i, (pid, words) in enumerate(corpus):
        rng = np.random.Generator(np.random.PCG64([seed, epoch, i, 7]))
        query = crop(words, rng, ratio_min, ratio_max, deletion)
        key = crop(words, rng, ratio_min, ratio_max, deletion)
        examples.append(Example(pid, query, (Passage(pid, key, 1.0, None),), (), i + 1))
    return TrainingSet(path, tuple(examples))
