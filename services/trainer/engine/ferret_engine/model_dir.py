"""A Ferret model directory as the engine reads it: Hugging Face layout (config.json, tokenizer.json,
model.safetensors) plus ferret.json (kind, pooling, normalize, prefixes, maxLength; the schema is
packages/inference/src/model-config.ts). ONNX-only directories (what the encoder serves) cannot be trained."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tokenizers import Tokenizer
from transformers import AutoConfig, PreTrainedTokenizerFast

from .errors import ModelDirError

POOLINGS = ("cls", "mean", "last-token")


@dataclass(frozen=True)
class ModelDir:
    path: Path
    #: ferret.json as read (the export writes it back with the fields it changes).
    ferret: dict

    @property
    def kind(self) -> str:
        return self.ferret["kind"]

    @property
    def max_length(self) -> int:
        return int(self.ferret["maxLength"])

    @property
    def pooling(self) -> str:
        return self.ferret.get("pooling", "cls")

    @property
    def normalize(self) -> bool:
        return bool(self.ferret.get("normalize", False))

    @property
    def query_prefix(self) -> str:
        return self.ferret.get("queryPrefix", "")

    @property
    def document_prefix(self) -> str:
        return self.ferret.get("documentPrefix", "")

    def config(self):
        return AutoConfig.from_pretrained(str(self.path), local_files_only=True)

    def tokenizer(self) -> PreTrainedTokenizerFast:
        backend = Tokenizer.from_file(str(self.path / "tokenizer.json"))
        # Ferret applies maxLength itself; a tokenizer.json may carry truncation/padding state from its exporter
        backend.no_truncation()
        backend.no_padding()
        tok = PreTrainedTokenizerFast(tokenizer_object=backend)
        if tok.pad_token is None:
            pad_id = getattr(self.config(), "pad_token_id", None) or 0
            tok.pad_token = backend.id_to_token(pad_id)
        return tok


def _field_error(path: Path, field: str, problem: str) -> ModelDirError:
    return ModelDirError(f'{path}/ferret.json (field "{field}"): {problem}')


def load_model_dir(path: str | Path) -> ModelDir:
    """Check that ``path`` is a trainable Ferret model dir and read its ferret.json."""
    p = Path(path)
    if not p.is_dir():
        raise ModelDirError(f"{p}: model directory does not exist")
    for name in ("ferret.json", "config.json", "tokenizer.json"):
        if not (p / name).is_file():
            raise ModelDirError(f"{p}: no {name}")
    if not (p / "model.safetensors").is_file():
        raise ModelDirError(
            f"{p}: no model.safetensors (the engine trains from safetensors weights; an ONNX-only model dir "
            "cannot be trained)"
        )
    try:
        ferret = json.loads((p / "ferret.json").read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise ModelDirError(f"{p}/ferret.json: not JSON ({e})") from e
    if not isinstance(ferret, dict):
        raise ModelDirError(f"{p}/ferret.json: not a JSON object")
    if ferret.get("formatVersion") != 1:
        raise _field_error(p, "formatVersion", "must be 1")
    kind = ferret.get("kind")
    if kind not in ("bi-encoder", "cross-encoder"):
        raise _field_error(p, "kind", 'must be "bi-encoder" or "cross-encoder"')
    max_length = ferret.get("maxLength")
    if not isinstance(max_length, int) or isinstance(max_length, bool) or max_length < 2:
        raise _field_error(p, "maxLength", "must be an integer >= 2")
    if kind == "bi-encoder":
        if ferret.get("pooling") not in POOLINGS:
            raise _field_error(p, "pooling", f"must be one of {', '.join(POOLINGS)}")
        if not isinstance(ferret.get("normalize"), bool):
            raise _field_error(p, "normalize", "must be true or false")
        for f in ("queryPrefix", "documentPrefix"):
            if not isinstance(ferret.get(f, ""), str):
                raise _field_error(p, f, "must be a string")
    return ModelDir(path=p, ferret=ferret)
