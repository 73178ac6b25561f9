"""ADORE mode (research-methods.md §5; Zhan et al., SIGIR 2021, arXiv:2104.08051): train the query tower alone
against a fixed document index, with dynamic hard negatives.

The document side is the starting model, frozen: its embeddings are made once at start (or read from an
encoder index dir) and never change. Each step, every training query is embedded by the current query tower and
the top ``adore.topK`` documents are retrieved from that index; the list is labelled with the query's positives
(by id), and, when none of them was retrieved, the positives are appended after the retrieved ones. The loss
(losses/lambdarank.py) ranks the list's scores, which carry the query tower's gradient; the document vectors are
constants. As the query tower moves, so do the negatives it retrieves.
"""

from __future__ import annotations

import torch

from .corpus import read_corpus_texts
from .document_index import DocumentIndex, embed_documents, read_encoder_index
from .errors import DocumentIndexError
from .losses import BatchLabels
from .training_set import Example, TrainingSet


def build_index(trainer) -> DocumentIndex:
    """The fixed index, from the job's ``adore`` options; embedded by ``trainer.model``'s (frozen) document
    side, which must still hold the starting weights."""
    opts = trainer.job.adore
    if opts.index is not None:
        dimension = int(trainer.model.query_tower.config.hidden_size)
        return read_encoder_index(opts.index, dimension)
    if opts.corpus is not None:
        docs = read_corpus_texts(opts.corpus)
        if not docs:
            raise DocumentIndexError(f"{opts.corpus}: empty corpus (no documents to index)")
        source = {"kind": "corpus", "path": str(opts.corpus)}
    else:
        seen: dict[str, str] = {}
        for ex in trainer.ts.examples:
            for p in ex.passages():
                seen.setdefault(p.id, p.text)
        docs = list(seen.items())
        source = {"kind": "training-set passages", "path": str(trainer.ts.path)}
    texts = [trainer._d(text) for _, text in docs]
    trainer.cache.add(texts)
    vectors = embed_documents(trainer.model, trainer.cache, trainer.device, texts)
    return DocumentIndex([d for d, _ in docs], vectors, {**source, "embeddedBy": str(trainer.model_dir.path)})


def check_positives(ts: TrainingSet, index: DocumentIndex) -> None:
    """Every positive must be a document of the index (ADORE labels the retrieved list by id)."""
    for ex in ts.examples:
        for i, p in enumerate(ex.positives):
            if p.id not in index.row:
                raise DocumentIndexError(
                    f'{ts.path}:{ex.line}: field "positives[{i}].id": {p.id!r} is not in the document index '
                    f"({index.source.get('path')})"
                )


def retrieved_lists(
    index: DocumentIndex, queries: torch.Tensor, examples: tuple[Example, ...], k: int
) -> tuple[torch.Tensor, BatchLabels]:
    """Index rows [B, M] of each query's list in rank order (top k, then its positives when none was
    retrieved; padded with row 0) and its labels: ``positives`` the relevant columns, ``own`` the real ones."""
    top = index.search(queries, k).cpu().tolist()
    lists, relevant = [], []
    for rows, ex in zip(top, examples):
        pos_rows = [index.row[p.id] for p in ex.positives]
        pos = set(pos_rows)
        flags = [r in pos for r in rows]
        if not any(flags):
            rows, flags = rows + pos_rows, flags + [True] * len(pos_rows)
        lists.append(rows)
        relevant.append(flags)
    width = max(len(r) for r in lists)
    b = len(lists)
    row_t = torch.zeros(b, width, dtype=torch.long)
    positives = torch.zeros(b, width, dtype=torch.bool)
    own = torch.zeros(b, width, dtype=torch.bool)
    for i, (rows, flags) in enumerate(zip(lists, relevant)):
        row_t[i, : len(rows)] = torch.tensor(rows)
        positives[i, : len(rows)] = torch.tensor(flags)
        own[i, : len(rows)] = True
    labels = BatchLabels(
        target=positives.float().argmax(1), positives=positives, own=own, grades=positives.float()
    )
    return row_t, labels


def list_scores(index: DocumentIndex, queries: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
    """[B, M] inner products of each query with its list's (constant) document vectors, with the queries'
    gradient."""
    docs = index.vectors[rows.to(index.vectors.device)]  # [B, M, dim]
    return torch.einsum("bd,bmd->bm", queries.float(), docs)
