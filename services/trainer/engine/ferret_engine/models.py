"""The trainable models: a bi-encoder (one shared tower, or separate query and document towers) and a
cross-encoder (a sequence-classification head scoring (query, passage) pairs)."""

from __future__ import annotations

import copy

import torch
from transformers import AutoModel, AutoModelForSequenceClassification

from .model_dir import ModelDir
from .pooling import pool


class BiEncoder(torch.nn.Module):
    def __init__(
        self, model_dir: ModelDir, *, separate_towers: bool = False, frozen_documents: bool = False, attn: str = "sdpa"
    ) -> None:
        super().__init__()
        self.pooling = model_dir.pooling
        self.normalize = model_dir.normalize
        self.query_tower = AutoModel.from_pretrained(
            str(model_dir.path), local_files_only=True, attn_implementation=attn
        )
        # Ferret pools last_hidden_state itself; a pooler head (BERT's) would be computed for nothing and,
        # with no gradient, stall DDP's reducer
        if getattr(self.query_tower, "pooler", None) is not None:
            self.query_tower.pooler = None
        # one module for both sides unless separate: the export then writes one model for the encoder.
        # frozen_documents (ADORE): the document side is the starting model, never trained
        self.doc_tower = copy.deepcopy(self.query_tower) if separate_towers or frozen_documents else None
        if frozen_documents:
            self.doc_tower.requires_grad_(False)

    @property
    def separate_towers(self) -> bool:
        return self.doc_tower is not None

    def towers(self) -> dict[str, torch.nn.Module]:
        return {"query": self.query_tower, "document": self.doc_tower or self.query_tower}

    def embed(self, side: str, features: dict[str, torch.Tensor]) -> torch.Tensor:
        tower = self.query_tower if side == "query" or self.doc_tower is None else self.doc_tower
        hidden = tower(**features).last_hidden_state
        pooled = pool(hidden, features["attention_mask"], self.pooling).float()
        return torch.nn.functional.normalize(pooled, dim=-1) if self.normalize else pooled

    def forward(self, queries: dict | None = None, documents: dict | None = None):
        """Embeddings of the query and/or document features (one forward, so DDP sees one per backward)."""
        q = self.embed("query", queries) if queries is not None else None
        d = self.embed("document", documents) if documents is not None else None
        return q, d


class CrossEncoder(torch.nn.Module):
    def __init__(self, model_dir: ModelDir, *, attn: str = "sdpa") -> None:
        super().__init__()
        extra = {} if model_dir.kind == "cross-encoder" else {"num_labels": 1}
        self.model = AutoModelForSequenceClassification.from_pretrained(
            str(model_dir.path), local_files_only=True, attn_implementation=attn, **extra
        )
        self.positive_label = int(model_dir.ferret.get("positiveLabel", 1)) if self.model.config.num_labels > 1 else 0

    def forward(self, pairs: dict[str, torch.Tensor]) -> torch.Tensor:
        """One relevance score per (query, passage) pair: the logit of the positive label."""
        return self.model(**pairs).logits[:, self.positive_label].float()
