"""Export a trained model as a Ferret model dir that the encoder (bi-encoder) or the ranker (cross-encoder)
loads as is: config.json, tokenizer.json, model.safetensors (so it can be trained further), model.onnx (fp32),
model.int8.onnx and ferret.json. The ONNX files are checked with onnxruntime against the PyTorch model on
texts from the training set; a mismatch is an ``ExportError`` and nothing is published.

Separate query and document towers are written as two complete model dirs, <out>/query and <out>/document
(Ferret's encoder serves one model for both sides, so it cannot serve such a pair as one model).
An ADORE model is its query tower alone; its ferret.json's ``source.adore`` names the document side (the
starting model and the index it was trained against), which documents must be embedded with.
The directory is assembled under a temporary name and renamed into place.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import torch
from transformers import AutoModel, AutoModelForSequenceClassification

from .errors import ExportError
from .onnx_export import exporter_note, export_onnx, min_cosine, onnx_embed, onnx_logits, quantize_int8, sha256
from .pooling import pool

FP32_MIN_COSINE = 0.9999
INT8_MIN_COSINE = 0.95
FP32_MAX_LOGIT_DIFF = 1e-3


def _check_texts(trainer, n: int = 8) -> tuple[list[str], list[str]]:
    exs = trainer.ts.examples[:n]
    queries = [trainer._q(e.query) for e in exs]
    docs = [trainer._d(e.positives[0].text) for e in exs] + [trainer._d("word " * 400)]  # beyond maxLength
    return queries, docs


def _write_model(model, trainer, out: Path, auto_class, output: str, quantize: bool):
    """Weights, config, tokenizer and the ONNX file(s); returns the model reloaded with eager attention (what
    was traced: the reference for the onnxruntime check) and the ONNX file names."""
    out.mkdir(parents=True)
    model.save_pretrained(str(out), safe_serialization=True)
    shutil.copy(trainer.model_dir.path / "tokenizer.json", out / "tokenizer.json")
    eager = auto_class.from_pretrained(str(out), local_files_only=True, attn_implementation="eager").eval()
    export_onnx(eager, out / "model.onnx", output=output)
    files = ["model.onnx"]
    if quantize:
        quantize_int8(out / "model.onnx", out / "model.int8.onnx")
        files.append("model.int8.onnx")
    return eager, files


def _export_tower(tower, trainer, out: Path, texts: list[str], quantize: bool, source: dict | None = None) -> dict:
    eager, files = _write_model(tower, trainer, out, AutoModel, "last_hidden_state", quantize)
    src = trainer.model_dir.ferret
    cfg = {
        "formatVersion": 1,
        "kind": "bi-encoder",
        "pooling": src["pooling"],
        "normalize": src["normalize"],
        "queryPrefix": src.get("queryPrefix", ""),
        "documentPrefix": src.get("documentPrefix", ""),
        "maxLength": trainer.max_length,
        "dimension": int(eager.config.hidden_size),
        **({"quantized": "model.int8.onnx"} if quantize else {}),
        "source": {**_source(trainer, out), **(source or {})},
    }
    (out / "ferret.json").write_text(json.dumps(cfg, indent=2) + "\n", encoding="utf-8")
    # the reference: the trained PyTorch weights as the engine pools them
    enc = trainer.tokenizer(texts, padding=True, truncation=True, max_length=trainer.max_length, return_tensors="pt")
    with torch.no_grad():
        feats = {k: enc[k] for k in ("input_ids", "attention_mask")}
        feats["token_type_ids"] = enc.get("token_type_ids", torch.zeros_like(enc["input_ids"]))
        hidden = eager(**feats).last_hidden_state
        ref = pool(hidden, feats["attention_mask"], cfg["pooling"])
        if cfg["normalize"]:
            ref = torch.nn.functional.normalize(ref, dim=-1)
    ref = ref.numpy()
    report = {}
    for name in files:
        got = onnx_embed(out / name, trainer.tokenizer, cfg, texts)
        report[name] = min_cosine(got, ref)
    if report["model.onnx"] < FP32_MIN_COSINE:
        raise ExportError(f"{out}/model.onnx: min cosine vs PyTorch {report['model.onnx']:.6f} < {FP32_MIN_COSINE}")
    if quantize and report["model.int8.onnx"] < INT8_MIN_COSINE:
        raise ExportError(
            f"{out}/model.int8.onnx: min cosine vs PyTorch {report['model.int8.onnx']:.6f} < {INT8_MIN_COSINE}"
        )
    return {"minCosineVsPyTorch": report}


def _export_cross_encoder(trainer, out: Path, quantize: bool) -> dict:
    eager, files = _write_model(
        trainer.model.model, trainer, out, AutoModelForSequenceClassification, "logits", quantize
    )
    labels = eager.config.num_labels
    cfg = {
        "formatVersion": 1,
        "kind": "cross-encoder",
        "maxLength": trainer.max_length,
        # trained on raw logits (list-wise softmax or pairwise margins): the positive label's logit is the score
        "scoreActivation": "none",
        **({"positiveLabel": trainer.model.positive_label} if labels > 1 else {}),
        **({"quantized": "model.int8.onnx"} if quantize else {}),
        "source": _source(trainer, out),
    }
    (out / "ferret.json").write_text(json.dumps(cfg, indent=2) + "\n", encoding="utf-8")
    pairs = [(trainer._q(e.query), p.text) for e in trainer.ts.examples[:4] for p in e.passages()[:2]]
    enc = trainer.tokenizer(
        [q for q, _ in pairs], [p for _, p in pairs], padding=True, truncation="longest_first",
        max_length=trainer.max_length, return_tensors="pt",
    )
    with torch.no_grad():
        ref = eager(**enc).logits.numpy()
    report = {}
    for name in files:
        report[name] = float(np.abs(onnx_logits(out / name, trainer.tokenizer, cfg, pairs) - ref).max())
    if report["model.onnx"] > FP32_MAX_LOGIT_DIFF:
        raise ExportError(f"{out}/model.onnx: max logit difference vs PyTorch {report['model.onnx']:.6f}")
    return {"maxLogitDiffVsPyTorch": report}


def _source(trainer, out: Path) -> dict:
    return {
        "trainedFrom": str(trainer.model_dir.path),
        "trainingSet": str(trainer.ts.path),
        "loss": [t.name for t in trainer.job.loss],
        "steps": trainer.total_steps,
        "modelSafetensorsSha256": sha256(out / "model.safetensors"),
        "tokenizerJsonSha256": sha256(out / "tokenizer.json"),
        "exporter": exporter_note(),
    }


def _adore_note(trainer) -> dict:
    """What serving an ADORE query tower needs (ferret.json's source is free-form and informational)."""
    return {
        "trainedSide": "query",
        "documentModel": str(trainer.model_dir.path),
        "documentIndex": trainer.index.source,
        "serving": (
            "this model embeds queries only: embed documents with documentModel (or search documentIndex). "
            "Ferret's encoder serves one model for both sides, so re-indexing a collection with this model "
            "is not what it was trained for"
        ),
    }


def export_model(trainer, out: Path) -> dict:
    out.parent.mkdir(parents=True, exist_ok=True)
    # leftovers of an export that crashed (one engine runs per output dir at a time)
    for stale in out.parent.glob(f".{out.name}.tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    quantize = trainer.job.quantize
    model = trainer.model
    was_training = model.training
    model.eval()
    try:
        if trainer.job.mode == "cross-encoder":
            report = _export_cross_encoder(trainer, tmp, quantize)
        else:
            queries, docs = _check_texts(trainer)
            if trainer.job.mode == "adore":
                report = _export_tower(
                    model.query_tower, trainer, tmp, queries + docs, quantize, {"adore": _adore_note(trainer)}
                )
            elif model.separate_towers:
                tmp.mkdir()
                report = {
                    "query": _export_tower(model.query_tower, trainer, tmp / "query", queries, quantize),
                    "document": _export_tower(model.doc_tower, trainer, tmp / "document", docs, quantize),
                }
            else:
                report = _export_tower(model.query_tower, trainer, tmp, queries + docs, quantize)
    except Exception:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        model.train(was_training)
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.rename(out, old)
        os.rename(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(tmp, out)
    return {"path": str(out), **report}
