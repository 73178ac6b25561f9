"""Shared fixtures: a tiny trainable Ferret model dir and small training sets.

The model is packages/inference's tiny BERT fixture (its tokenizer.json and config.json: 2 layers, hidden 32)
with seeded random weights saved as model.safetensors, so training tests take seconds on 2 cores."""

from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path

import pytest
import torch

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[4]
TINY_BERT = ROOT / "packages" / "inference" / "fixtures" / "tiny-bert"

TOPICS = [
    ("cancer", "tumor cells gene expression cancer treatment therapy"),
    ("vaccine", "vaccine antibody immune response influenza virus"),
    ("heart", "heart blood pressure risk patients adults"),
    ("brain", "brain neural signal receptor activity function"),
    ("liver", "liver kidney drug dose effect level"),
    ("covid", "covid sars coronavirus infection hospital care"),
    ("retrieval", "search query document ranking relevance index"),
    ("embedding", "dense sparse vector embedding model learning"),
    ("mouse", "mouse mice rat model study trial"),
    ("paris", "paris france city river water"),
    ("berlin", "berlin germany city people time"),
    ("fox", "quick brown fox jumps over lazy dog"),
]


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    from transformers import BertConfig, BertModel

    d = tmp_path_factory.mktemp("tiny-bert-trainable")
    torch.manual_seed(20261203)
    model = BertModel(BertConfig.from_json_file(str(TINY_BERT / "config.json")), add_pooling_layer=False)
    model.save_pretrained(str(d), safe_serialization=True)
    shutil.copy(TINY_BERT / "tokenizer.json", d / "tokenizer.json")
    ferret = json.loads((TINY_BERT / "ferret.json").read_text())
    ferret.pop("quantized", None)
    (d / "ferret.json").write_text(json.dumps(ferret))
    return d


def make_examples(n: int, seed: int = 5, negatives: int = 2, teacher: bool = False) -> list[dict]:
    """Queries of 2-3 words of a topic; the positive is a sentence of that topic, negatives of other topics."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        t = i % len(TOPICS)
        words = TOPICS[t][1].split()
        query = " ".join(rng.sample(words, 3))
        pos = {"id": f"d{t}-{i}", "text": " ".join(rng.sample(words, 5)) + " " + TOPICS[t][0]}
        negs = []
        for k in range(negatives):
            o = (t + 1 + rng.randrange(len(TOPICS) - 1)) % len(TOPICS)
            negs.append({"id": f"n{o}-{i}-{k}", "text": " ".join(rng.sample(TOPICS[o][1].split(), 5))})
        if teacher:
            # on the cosine scale, so that Margin-MSE's raw margins can be matched
            pos["teacher"] = 0.8 + 0.1 * rng.random()
            for k, n_ in enumerate(negs):
                n_["teacher"] = 0.1 + 0.1 * rng.random() + 0.2 * k
        out.append({"qid": f"q{i}", "query": query, "positives": [pos], "negatives": negs})
    return out


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def write_job(tmp: Path, model_dir: Path, train: Path, out: Path, **extra) -> Path:
    job = {"modelDir": str(model_dir), "trainingSet": str(train), "outputDir": str(out), **extra}
    p = tmp / f"job-{out.name}.json"
    p.write_text(json.dumps(job))
    return p


def events(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]
