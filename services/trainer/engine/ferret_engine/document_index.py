"""ADORE's fixed document index: one embedding per document, made once by the starting model and never
updated, searched by exact inner product.

It is read from an encoder index dir (services/encoder/src/vector-index: manifest.json, ids.json and
vectors.f32, the little-endian float32 rows of an "exact" index), or embedded by the engine from (id, text)
pairs: a corpus file, or the training set's passages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from .errors import DocumentIndexError

MANIFEST_FILE, IDS_FILE, VECTORS_FILE = "manifest.json", "ids.json", "vectors.f32"
#: documents scored per matrix product when searching (bounds the [queries, chunk] score matrix)
SEARCH_CHUNK = 65536


@dataclass
class DocumentIndex:
    ids: list[str]
    #: [N, dimension] float32
    vectors: torch.Tensor
    #: where the vectors came from (the start event and the exported ferret.json say it)
    source: dict
    row: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.row = {d: i for i, d in enumerate(self.ids)}
        if len(self.row) != len(self.ids):
            dup = next(d for i, d in enumerate(self.ids) if self.row[d] != i)
            raise DocumentIndexError(f"{self.source.get('path', 'document index')}: document id {dup!r} twice")

    def __len__(self) -> int:
        return len(self.ids)

    def to(self, device: torch.device) -> "DocumentIndex":
        self.vectors = self.vectors.to(device)
        return self

    @torch.no_grad()
    def search(self, queries: torch.Tensor, k: int) -> torch.Tensor:
        """[B, min(k, N)] rows of the top documents by inner product, best first."""
        k = min(k, len(self))
        q = queries.detach().float()
        best_s, best_i = None, None
        for start in range(0, len(self), SEARCH_CHUNK):
            s = q @ self.vectors[start : start + SEARCH_CHUNK].T
            top_s, top_i = torch.topk(s, min(k, s.shape[1]), dim=1)
            top_i = top_i + start
            if best_s is not None:
                top_s, top_i = torch.cat([best_s, top_s], 1), torch.cat([best_i, top_i], 1)
                top_s, pick = torch.topk(top_s, k, dim=1)
                top_i = torch.gather(top_i, 1, pick)
            best_s, best_i = top_s, top_i
        return best_i


@torch.no_grad()
def embed_documents(model, cache, device, texts: list[str], batch_size: int = 64) -> torch.Tensor:
    """The document side's embeddings of ``texts`` (eval mode: no dropout), longest first so batches pad little."""
    was_training = model.training
    model.eval()
    order = sorted(range(len(texts)), key=lambda i: -cache.length(texts[i]))
    parts = []
    try:
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            feats = {k: v.to(device) for k, v in cache.batch([texts[i] for i in idx]).items()}
            _, d = model(documents=feats)
            parts.append(d.float().cpu())
    finally:
        model.train(was_training)
    out = torch.empty(len(texts), parts[0].shape[1])
    out[torch.tensor(order)] = torch.cat(parts)
    return out


def read_encoder_index(path: Path, dimension: int) -> DocumentIndex:
    """An encoder's exact index dir; it must hold vectors of the model's dimension."""
    manifest_file = path / MANIFEST_FILE
    try:
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise DocumentIndexError(
            f"{manifest_file}: no index manifest (adore.index must be an encoder index dir)"
        ) from e
    except json.JSONDecodeError as e:
        raise DocumentIndexError(f"{manifest_file}: not JSON ({e.msg})") from e
    if not isinstance(manifest, dict):
        raise DocumentIndexError(f"{manifest_file}: must be a JSON object")
    if manifest.get("kind") != "exact":
        raise DocumentIndexError(
            f'{manifest_file} (field "kind"): {manifest.get("kind")!r}; the engine reads "exact" indexes '
            "(vectors.f32), not HNSW graphs"
        )
    if manifest.get("dimension") != dimension:
        raise DocumentIndexError(
            f'{manifest_file} (field "dimension"): {manifest.get("dimension")!r}, but the model embeds {dimension}'
        )
    try:
        ids = json.loads((path / IDS_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError) as e:
        raise DocumentIndexError(f"{path / IDS_FILE}: cannot read the id list ({e})") from e
    if not isinstance(ids, list) or not all(isinstance(x, str) for x in ids):
        raise DocumentIndexError(f"{path / IDS_FILE}: must be a JSON array of document ids")
    if manifest.get("size") != len(ids):
        raise DocumentIndexError(
            f'{manifest_file} (field "size"): {manifest.get("size")!r}, but ids.json has {len(ids)}'
        )
    vec_file = path / VECTORS_FILE
    if not vec_file.is_file() or vec_file.stat().st_size != len(ids) * dimension * 4:
        size = vec_file.stat().st_size if vec_file.is_file() else "no"
        raise DocumentIndexError(f"{vec_file}: {size} bytes; expected {len(ids)} ids x {dimension} dims x 4")
    vectors = torch.from_numpy(np.fromfile(vec_file, dtype="<f4").reshape(len(ids), dimension).copy())
    if not bool(torch.isfinite(vectors).all()):
        raise DocumentIndexError(f"{vec_file}: holds a value that is not finite")
    source = {
        "kind": "encoder-index",
        "path": str(path),
        "modelName": manifest.get("modelName"),
        "modelFingerprint": manifest.get("modelFingerprint"),
    }
    return DocumentIndex(ids, vectors, source)
