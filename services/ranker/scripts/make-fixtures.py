#!/usr/bin/env python3
"""Build the ranker's tiny cross-encoder and its PyTorch reference scores.

Writes services/ranker/fixtures/:
  tiny-ce/            BertForSequenceClassification (1 label, 2 layers, hidden 32, random weights) with the
                      WordPiece tokenizer of @ferret/inference's fixtures: tokenizer.json, config.json,
                      model.onnx (fp32), model.int8.onnx (onnxruntime quantize_dynamic, per-channel),
                      ferret.json (sigmoid score, maxLength 64)
  reference.json      for every (query, document) pair of mini-bm25-top20.trec: the pair's texts, the
                      PyTorch logit (one pair at a time, no padding) and onnxruntime's logit of the int8 file

mini-bm25-top20.trec (committed beside it) is the embedded BM25 top 20 of the first 8 test queries of
examples/mini, made with:
  npx ferret bm25 index examples/mini --out /tmp/mini.idx
  npx ferret bm25 search /tmp/mini.idx --queries examples/mini --split test -k 20 --out /tmp/all.trec
  awk '$1<=8' /tmp/all.trec > services/ranker/fixtures/mini-bm25-top20.trec

Passage text is BEIR's reranking convention: (title + " " + text).strip().
The tests compare Ferret's scores and reranked order against these numbers, never against our own code.

Run: .venv/bin/python services/ranker/scripts/make-fixtures.py  (deps: infra/dev/requirements-fixtures.txt)
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import torch
import transformers
from onnxruntime.quantization import QuantType, quantize_dynamic
from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

HERE = Path(__file__).resolve().parent.parent
ROOT = HERE.parent.parent
OUT = HERE / "fixtures"
TOKENIZER = ROOT / "packages" / "inference" / "fixtures" / "tiny-bert-ce1" / "tokenizer.json"
MINI = ROOT / "examples" / "mini"
RUN = OUT / "mini-bm25-top20.trec"
MAX_LENGTH = 64
OPSET = 17


class Logits(torch.nn.Module):
    def __init__(self, model: BertForSequenceClassification) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: D102
        return self.model(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).logits


def read_jsonl(path: Path) -> dict[str, dict]:
    rows = {}
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                rows[str(row["_id"])] = row
    return rows


def main() -> None:
    torch.manual_seed(20261126)
    tok = PreTrainedTokenizerFast(
        tokenizer_file=str(TOKENIZER),
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_input_names=["input_ids", "token_type_ids", "attention_mask"],
    )
    config = BertConfig(
        vocab_size=len(tok),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=MAX_LENGTH,
        type_vocab_size=2,
        initializer_range=0.25,  # wide, so documents get clearly different scores (few near-ties)
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
        num_labels=1,
    )
    model = BertForSequenceClassification(config).eval()

    d = OUT / "tiny-ce"
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    shutil.copy(TOKENIZER, d / "tokenizer.json")
    config.to_json_file(str(d / "config.json"))
    ferret = {
        "formatVersion": 1,
        "kind": "cross-encoder",
        "maxLength": MAX_LENGTH,
        "scoreActivation": "sigmoid",
        "quantized": "model.int8.onnx",
        "source": {"generator": "services/ranker/scripts/make-fixtures.py", "weights": "random (seed 20261126)"},
    }
    (d / "ferret.json").write_text(json.dumps(ferret, indent=2) + "\n", encoding="utf-8")

    ids = torch.tensor([[2, 10, 11, 3, 12, 3], [2, 13, 3, 14, 3, 0]], dtype=torch.long)
    mask = (ids != 0).long()
    types = torch.tensor([[0, 0, 0, 0, 1, 1], [0, 0, 0, 1, 1, 0]], dtype=torch.long)
    axes = {0: "batch", 1: "sequence"}
    torch.onnx.export(
        Logits(model),
        (ids, mask, types),
        str(d / "model.onnx"),
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["logits"],
        dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes, "logits": {0: "batch"}},
        opset_version=OPSET,
        dynamo=False,
    )
    onnx.checker.check_model(onnx.load(str(d / "model.onnx")))
    quantize_dynamic(
        str(d / "model.onnx"), str(d / "model.int8.onnx"), weight_type=QuantType.QInt8, per_channel=True
    )
    int8 = onnxruntime.InferenceSession(str(d / "model.int8.onnx"), providers=["CPUExecutionProvider"])

    corpus = read_jsonl(MINI / "corpus.jsonl")
    queries = read_jsonl(MINI / "queries.jsonl")
    pairs = []
    with torch.no_grad():
        for line in RUN.read_text(encoding="utf-8").splitlines():
            qid, _, docid, _rank, _score, _tag = line.split()
            doc = corpus[docid]
            query = queries[qid]["text"]
            passage = (doc.get("title", "") + " " + doc.get("text", "")).strip()
            enc = tok(query, passage, truncation=True, max_length=MAX_LENGTH, return_tensors="pt")
            logit = model(**enc).logits[0, 0].item()
            feeds = {i.name: enc[i.name].numpy().astype(np.int64) for i in int8.get_inputs()}
            int8_logit = float(int8.run(["logits"], feeds)[0][0, 0])
            pairs.append(
                {
                    "queryId": qid,
                    "docId": docid,
                    "query": query,
                    "passage": passage,
                    "ids": enc["input_ids"][0].tolist(),
                    "logit": logit,
                    "int8Logit": int8_logit,
                }
            )

    reference = {
        "generator": "services/ranker/scripts/make-fixtures.py",
        "versions": {
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "onnx": onnx.__version__,
            "onnxruntime": onnxruntime.__version__,
        },
        "maxLength": MAX_LENGTH,
        "pairs": pairs,
    }
    (OUT / "reference.json").write_text(json.dumps(reference) + "\n", encoding="utf-8")
    diffs = [abs(p["logit"] - p["int8Logit"]) for p in pairs]
    print(f"{len(pairs)} pairs; max |int8 - fp32 PyTorch| logit {max(diffs):.4f}")


if __name__ == "__main__":
    main()
