#!/usr/bin/env python3
"""Hugging Face's token ids for (query, passage) pairs cut longest-first with an odd budget.

Writes packages/inference/fixtures/pair-truncation.json: for the tiny-bert-ce1 tokenizer.json (maxLength 40,
[CLS] a [SEP] b [SEP], so a budget of 37 tokens for the two halves), the ids and segment ids that
transformers' fast tokenizer gives with truncation=True (longest_first), as sentence-transformers'
CrossEncoder calls it. The pairs are built so that both halves are longer than half the budget, in both
orders and up to beyond maxLength (where the npm `tokenizers` 0.23.2 binding's own pair truncation gives
the odd extra token to the shorter half); plus equal lengths, a short query, and a pair that fits.

Run: .venv/bin/python packages/inference/scripts/make-pair-truncation-fixture.py
(deps: infra/dev/requirements-fixtures.txt)
"""

from __future__ import annotations

import json
from pathlib import Path

import tokenizers
import transformers
from transformers import PreTrainedTokenizerFast

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
MAX_LENGTH = 40  # tiny-bert-ce1/ferret.json maxLength

WORDS = (
    "the immune response of patients to the vaccine was associated with increased antibody levels in "
    "blood and a decreased risk of infection during the clinical trial while the tumor cells expression "
    "of the receptor pathway signaling activity function role mechanism of the protein in human mouse "
    "model studies of disease treatment therapy drug dose effect"
).split()


def words(n: int, start: int = 0) -> str:
    return " ".join(WORDS[(start + i) % len(WORDS)] for i in range(n))


PAIRS = [
    (words(25), words(60, 7)),  # both long, passage longer
    (words(60, 3), words(25, 11)),  # both long, query longer
    (words(19), words(19, 5)),  # just over half each
    (words(30), words(30, 9)),  # equal lengths
    (words(18), words(70, 2)),  # query exactly fits half
    (words(5), words(80, 4)),  # short query kept whole
    (words(8), words(12, 1)),  # fits
    (words(45, 6), words(44, 8)),  # both beyond maxLength, query longer by one
    (words(70, 2), words(50, 10)),  # both beyond maxLength, query longer
    (words(50, 4), words(70, 12)),  # both beyond maxLength, passage longer
    (words(60, 1), words(60, 1)),  # both beyond maxLength, equal
]


def main() -> None:
    tok = PreTrainedTokenizerFast(
        tokenizer_file=str(FIXTURES / "tiny-bert-ce1" / "tokenizer.json"),
        model_input_names=["input_ids", "token_type_ids", "attention_mask"],
    )
    rows = []
    for query, passage in PAIRS:
        enc = tok(query, passage, truncation=True, max_length=MAX_LENGTH)
        full = tok(query, passage, add_special_tokens=False, truncation=False)
        rows.append(
            {
                "query": query,
                "passage": passage,
                "ids": enc["input_ids"],
                "typeIds": enc["token_type_ids"],
                "untruncatedLength": len(full["input_ids"]),
            }
        )
    out = {
        "generator": "packages/inference/scripts/make-pair-truncation-fixture.py",
        "versions": {"transformers": transformers.__version__, "tokenizers": tokenizers.__version__},
        "tokenizer": "tiny-bert-ce1/tokenizer.json",
        "maxLength": MAX_LENGTH,
        "pairs": rows,
    }
    (FIXTURES / "pair-truncation.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
