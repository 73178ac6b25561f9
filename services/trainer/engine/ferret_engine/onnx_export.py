"""ONNX export of a Hugging Face encoder the way Ferret's inference package runs it, shared by the engine's
export step and packages/inference/scripts/export-model.py (which imports it from here).

A bi-encoder exports ``last_hidden_state`` [batch, sequence, hidden] and Ferret pools it as ferret.json says; a
cross-encoder exports ``logits`` [batch, labels]. Both: opset 17, dynamic batch and sequence, inputs input_ids,
attention_mask and token_type_ids, eager attention. The int8 variant is onnxruntime's dynamic quantization with
per-channel int8 weights.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnxruntime.quantization import QuantType, quantize_dynamic

OPSET = 17


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class HiddenStates(torch.nn.Module):
    """Exports only last_hidden_state (the pooler output is not part of Ferret's contract)."""

    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: D102
        return self.model(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state


class Logits(torch.nn.Module):
    """A sequence-classification model's logits (cross-encoders)."""

    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: D102
        return self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).logits


def export_onnx(model: torch.nn.Module, path: Path, *, output: str = "last_hidden_state", example_ids=None) -> None:
    """Trace ``model`` (a Hugging Face model loaded with eager attention) to ``path``.

    Eager attention, not SDPA: the SDPA trace exports a heavier attention subgraph; on all-MiniLM-L6-v2
    (1 thread, SciFact documents, onnxruntime 1.32) eager gave fp32 24.7 vs 22.6 passages/s and, after the same
    per-channel dynamic quantization, int8 49 vs 38 passages/s, with the same embeddings.
    """
    wrapper = HiddenStates(model) if output == "last_hidden_state" else Logits(model)
    ids = torch.tensor(example_ids or [[101, 2023, 2003, 1037, 3231, 102], [101, 2023, 102, 0, 0, 0]])
    ids = ids.clamp(max=model.config.vocab_size - 1)
    mask = torch.ones_like(ids)
    mask[1, 3:] = 0
    axes = {0: "batch", 1: "sequence"}
    out_axes = axes if output == "last_hidden_state" else {0: "batch"}
    # the model's own mode, not the new wrapper's (a new module is in training mode): restoring the wrapper's left
    # an eval model in training mode, so the export check's reference ran with dropout (all-MiniLM-L6-v2, dropout
    # 0.1: min cosine 0.94 vs the ONNX file and EXPORT_MISMATCH; the tiny fixture has no dropout)
    was_training = model.training
    wrapper.eval()
    with torch.no_grad():
        torch.onnx.export(
            wrapper,
            (ids, mask, torch.zeros_like(ids)),
            str(path),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=[output],
            dynamic_axes={
                "input_ids": axes,
                "attention_mask": axes,
                "token_type_ids": axes,
                output: out_axes,
            },
            opset_version=OPSET,
            dynamo=False,
        )
    wrapper.train(was_training)
    onnx.checker.check_model(str(path))


def quantize_int8(src: Path, dst: Path) -> None:
    # per-channel int8 weights: per-tensor scales lose too much on MiniLM (min cosine 0.87 vs 0.99 per-channel
    # on the check sentences, onnxruntime 1.32)
    quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8, per_channel=True)


def exporter_note() -> str:
    return (
        f"torch {torch.__version__} torch.onnx.export opset {OPSET}; "
        f"onnxruntime {ort.__version__} quantize_dynamic QInt8 per-channel; eager attention"
    )


def _feeds(sess: ort.InferenceSession, enc) -> dict:
    feeds = {}
    for i in sess.get_inputs():
        if i.name == "token_type_ids" and "token_type_ids" not in enc:
            feeds[i.name] = np.zeros_like(enc["input_ids"], dtype=np.int64)
        else:
            feeds[i.name] = np.asarray(enc[i.name]).astype(np.int64)
    return feeds


def onnx_embed(path: Path, tokenizer, cfg: dict, texts: list[str]) -> np.ndarray:
    """Embed ``texts`` with the ONNX model at ``path`` as Ferret's encoder does: tokenize (truncated to
    maxLength), run, pool (cls | mean | last-token), L2-normalize if ferret.json says so."""
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    enc = tokenizer(texts, padding=True, truncation=True, max_length=cfg["maxLength"], return_tensors="np")
    hidden = sess.run([cfg.get("output", "last_hidden_state")], _feeds(sess, enc))[0]
    mask = enc["attention_mask"][..., None].astype(np.float32)
    if cfg["pooling"] == "mean":
        pooled = (hidden * mask).sum(1) / np.clip(mask.sum(1), 1e-9, None)
    elif cfg["pooling"] == "cls":
        pooled = hidden[:, 0]
    else:
        pooled = hidden[np.arange(len(texts)), enc["attention_mask"].sum(1) - 1]
    if cfg["normalize"]:
        pooled = pooled / np.linalg.norm(pooled, axis=1, keepdims=True).clip(1e-12)
    return pooled


def onnx_logits(path: Path, tokenizer, cfg: dict, pairs: list[tuple[str, str]]) -> np.ndarray:
    """Cross-encoder logits [pairs, labels] from the ONNX model (pairs truncated longest-first to maxLength)."""
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    enc = tokenizer(
        [q for q, _ in pairs],
        [p for _, p in pairs],
        padding=True,
        truncation="longest_first",
        max_length=cfg["maxLength"],
        return_tensors="np",
    )
    return sess.run([cfg.get("output", "logits")], _feeds(sess, enc))[0]


def min_cosine(a: np.ndarray, b: np.ndarray) -> float:
    cos = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)).clip(1e-12)
    return float(cos.min())
