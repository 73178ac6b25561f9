"""ADORE mode: the LambdaRank loss on hand-computed values, the query tower trained against a fixed document
index (the document side never moves, the retrieved negatives do), determinism, resume, the encoder index dir
as the document side, and bad ADORE parameters named."""

from __future__ import annotations

import json
import math
import re
import shutil

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from ferret_engine.adore import retrieved_lists
from ferret_engine.errors import DocumentIndexError, JobFileError
from ferret_engine.job import read_job
from ferret_engine.losses import BatchLabels, LambdaRankLoss
from ferret_engine.train import Trainer, run

from conftest import events, make_examples, write_job, write_jsonl


def softplus(x: float) -> float:
    return math.log(1 + math.exp(x))


def labels(relevant: list[list[bool]], valid: list[list[bool]] | None = None) -> BatchLabels:
    rel = torch.tensor(relevant)
    own = torch.tensor(valid) if valid is not None else torch.ones_like(rel)
    return BatchLabels(target=rel.float().argmax(1), positives=rel, own=own, grades=rel.float())


def test_lambdarank_one_list_by_hand():
    # ranks 1..3, the relevant document at rank 2: pairs (2,1) and (2,3); D = 1, 1/2, 1/3
    got = LambdaRankLoss()(torch.tensor([[2.0, 1.0, 0.5]]), labels([[False, True, False]]))
    c21, w21 = softplus(-(1.0 - 2.0)), abs(1 / 2 - 1)
    c23, w23 = softplus(-(1.0 - 0.5)), abs(1 / 2 - 1 / 3)
    want = (w21 * c21 + w23 * c23) / (2 * 2)
    assert want == pytest.approx(0.183911, abs=1e-6)  # 0.5·log(1+e) + (1/6)·log(1+e^-0.5), over 4
    assert got.item() == pytest.approx(want, rel=1e-6)


def test_lambdarank_metric_cut_temperature_padding_and_mean_over_queries():
    scores = torch.tensor([[3.0, 1.0, 2.0, 0.0], [0.5, 1.5, -1.0, 9.0]])
    # query 0: relevant at rank 3 of 4; query 1: relevant at ranks 1 and 2, column 4 is padding
    lab = labels(
        [[False, False, True, False], [True, True, False, True]],
        [[True, True, True, True], [True, True, True, False]],
    )
    cut, tau = 2, 0.5
    d = [1.0, 0.5, 0.0, 0.0]  # 1/r within the cut, 0 beyond
    q0 = [(2, 0), (2, 1), (2, 3)]
    l0 = sum(abs(d[i] - d[j]) * softplus(-(scores[0, i] - scores[0, j]).item() / tau) for i, j in q0) / (2 * 3)
    q1 = [(0, 2), (1, 2)]
    l1 = sum(abs(d[i] - d[j]) * softplus(-(scores[1, i] - scores[1, j]).item() / tau) for i, j in q1) / (2 * 2)
    # by hand: query 0 = (1·log(1+e^2) + 0.5·log(1+e^-2) + 0)/6, query 1 = (1·log(1+e^-3) + 0.5·log(1+e^-5))/4
    assert l0 == pytest.approx((math.log(1 + math.e**2) + 0.5 * math.log(1 + math.e**-2)) / 6, rel=1e-9)
    assert l1 == pytest.approx((math.log(1 + math.e**-3) + 0.5 * math.log(1 + math.e**-5)) / 4, rel=1e-9)
    got = LambdaRankLoss(metric_cut=cut, temperature=tau)(scores, lab)
    assert got.item() == pytest.approx((l0 + l1) / 2, rel=1e-6)


def test_lambdarank_gradient_raises_the_positive_and_a_list_without_pairs_has_no_loss():
    scores = torch.tensor([[2.0, 1.0, 0.5], [1.0, 0.0, 0.0]], requires_grad=True)
    loss = LambdaRankLoss()(scores, labels([[False, True, False], [True, True, True]]))
    loss.backward()
    assert scores.grad[0, 1] < 0 and scores.grad[0, 0] > 0 and scores.grad[0, 2] > 0
    assert torch.equal(scores.grad[1], torch.zeros(3))  # all relevant: no pair, no gradient
    alone = LambdaRankLoss()(torch.tensor([[2.0, 1.0, 0.5]]), labels([[False, True, False]]))
    assert loss.item() == pytest.approx(alone.item(), rel=1e-6)


def corpus_rows(rows: list[dict]) -> list[dict]:
    docs = {}
    for r in rows:
        for p in r["positives"] + r["negatives"]:
            docs.setdefault(p["id"], {"_id": p["id"], "title": "", "text": p["text"]})
    return list(docs.values())


def adore_job(tmp_path, model_dir, name, rows=None, adore=None, **extra):
    rows = rows or make_examples(32)
    train_file = write_jsonl(tmp_path / f"train-{name}.jsonl", rows)
    corpus = write_jsonl(tmp_path / f"corpus-{name}.jsonl", corpus_rows(rows))
    hp = {"batchSize": 8, "epochs": 2, "learningRate": 2e-3, "seed": 13, **extra.pop("hyperparameters", {})}
    return write_job(
        tmp_path, model_dir, train_file, tmp_path / name, mode="adore", hyperparameters=hp, logEvery=1,
        quantize=False, adore={"corpus": str(corpus), "topK": 6, **(adore or {})},
        loss={"name": "lambdarank", "params": {"temperature": 0.05}}, **extra,
    )


def test_adore_trains_the_query_tower_only_and_exports_it(tmp_path, tiny_model_dir, capsys):
    job = adore_job(tmp_path, tiny_model_dir, "train", hyperparameters={"epochs": 3, "precision": "auto"})
    capsys.readouterr()
    result = run(read_job(job))
    evs = events(capsys.readouterr().out)
    start = next(e for e in evs if e["event"] == "start")
    assert start["mode"] == "adore" and start["documentIndex"]["documents"] == 32 * 3
    # precision "auto" picks bf16 where the CPU has AMX-BF16, and the start event says which and why
    has_amx = " amx_bf16" in open("/proc/cpuinfo").read()
    assert start["precision"] == ("bf16" if has_amx else "fp32") and "amx_bf16" in start["bf16Detection"]
    ls = [e["loss"] for e in evs if e["event"] == "step"]
    assert len(ls) == 12 and sum(ls[-3:]) < 0.8 * sum(ls[:3])
    out = tmp_path / "train" / "model"
    start_w = load_file(str(tiny_model_dir / "model.safetensors"))
    served = load_file(str(out / "model.safetensors"))
    assert any(not torch.equal(start_w[k], served[k]) for k in start_w)  # the query tower moved
    ckpt = load_file(str(sorted((tmp_path / "train" / "checkpoints").glob("step-*"))[-1] / "model.safetensors"))
    doc = {k.removeprefix("doc_tower."): v for k, v in ckpt.items() if k.startswith("doc_tower.")}
    assert doc.keys() == start_w.keys() and all(torch.equal(start_w[k], doc[k]) for k in start_w)
    cfg = json.loads((out / "ferret.json").read_text())
    note = cfg["source"]["adore"]
    assert note["trainedSide"] == "query" and note["documentModel"] == str(tiny_model_dir)
    assert note["documentIndex"]["kind"] == "corpus" and "one model for both sides" in note["serving"]
    assert result["export"]["minCosineVsPyTorch"]["model.onnx"] > 0.9999
    assert sorted(p.name for p in out.iterdir()) == [
        "config.json", "ferret.json", "model.onnx", "model.safetensors", "tokenizer.json",
    ]


def test_the_index_stays_fixed_and_the_retrieved_negatives_move_with_the_query_tower(tmp_path, tiny_model_dir):
    trainer = Trainer(read_job(adore_job(tmp_path, tiny_model_dir, "moving", hyperparameters={"epochs": 4})))
    trainer._lengths = trainer._prepare_tokens()
    index_before = trainer.index.vectors.clone()
    doc_before = {k: v.clone() for k, v in trainer.model.doc_tower.state_dict().items()}
    examples = trainer.ts.examples[:16]
    feats = trainer._to(trainer.cache.batch([trainer._q(e.query) for e in examples]))

    def lists():
        trainer.model.eval()
        with torch.no_grad():
            q, _ = trainer.model(queries=feats)
        trainer.model.train()
        rows, lab = retrieved_lists(trainer.index, q, examples, 6)
        return rows.tolist(), lab

    before, lab = lists()
    # a list is the top 6 of the index, positives appended only when none was retrieved
    for r, ex, pos, own in zip(before, examples, lab.positives.tolist(), lab.own.tolist()):
        ids = [trainer.index.ids[i] for i, o in zip(r, own) if o]
        assert [i in {p.id for p in ex.positives} for i in ids] == pos[: len(ids)]
        assert len(ids) == 6 or (len(ids) == 7 and ids[-1] == ex.positives[0].id and not any(pos[:6]))
    for k in range(8):
        trainer._micro_step(trainer._batch(k), final=True)
        trainer.optimizer.step()
        trainer.scheduler.step()
        trainer.optimizer.zero_grad(set_to_none=True)
    after, _ = lists()
    changed = sum(a[:6] != b[:6] for a, b in zip(after, before))
    assert changed >= 4  # most queries retrieve other documents now
    assert torch.equal(trainer.index.vectors, index_before)
    assert all(torch.equal(v, doc_before[k]) for k, v in trainer.model.doc_tower.state_dict().items())
    assert all(p.grad is None for p in trainer.model.doc_tower.parameters())


def test_same_seed_same_weights_and_resume_gives_the_same_weights(tmp_path, tiny_model_dir, capsys):
    def weights(name, **extra):
        run(read_job(adore_job(tmp_path, tiny_model_dir, name, checkpointEvery=4, **extra)))
        return load_file(str(tmp_path / name / "model" / "model.safetensors"))

    a, b = weights("a"), weights("b")
    assert all(torch.equal(a[k], b[k]) for k in a)
    c = weights("c", hyperparameters={"seed": 14})
    assert any(not torch.equal(a[k], c[k]) for k in a)
    # resume: drop the last checkpoint and the model, point latest at step 4 of 8, run again
    ckpts = tmp_path / "b" / "checkpoints"
    assert sorted(p.name for p in ckpts.glob("step-*")) == ["step-00000004", "step-00000008"]
    shutil.rmtree(ckpts / "step-00000008")
    shutil.rmtree(tmp_path / "b" / "model")
    (ckpts / "latest").write_text("step-00000004\n")
    capsys.readouterr()
    resumed = weights("b")
    evs = events(capsys.readouterr().out)
    assert next(e for e in evs if e["event"] == "resume")["step"] == 4
    assert [e["step"] for e in evs if e["event"] == "step"] == [5, 6, 7, 8]
    assert all(torch.equal(a[k], resumed[k]) for k in a)


def write_encoder_index(trainer, out, ids=None):
    """The encoder's exact index layout (services/encoder/src/vector-index), from the starting model."""
    out.mkdir()
    ids = ids or trainer.index.ids
    vecs = trainer.index.vectors[[trainer.index.row[i] for i in ids]].numpy().astype("<f4")
    vecs.tofile(out / "vectors.f32")
    (out / "ids.json").write_text(json.dumps(ids))
    manifest = {
        "formatVersion": 1, "kind": "exact", "dimension": 32, "size": len(ids), "modelFingerprint": "0" * 64,
        "modelName": "tiny-bert", "createdAt": "2026-12-03T00:00:00Z",
    }
    (out / "manifest.json").write_text(json.dumps(manifest))
    return out


def index_opts(path):
    return {"corpus": None, "index": str(path)}


def test_an_encoder_index_dir_is_the_document_side(tmp_path, tiny_model_dir):
    rows = make_examples(32)
    from_corpus = Trainer(read_job(adore_job(tmp_path, tiny_model_dir, "corpus", rows=rows)))
    index_dir = write_encoder_index(from_corpus, tmp_path / "index")
    from_index = Trainer(read_job(adore_job(tmp_path, tiny_model_dir, "dir", rows=rows, adore=index_opts(index_dir))))
    assert from_index.index.ids == from_corpus.index.ids
    assert from_index.index.source["modelName"] == "tiny-bert"
    for t in (from_corpus, from_index):
        t._lengths = t._prepare_tokens()
    la = [from_corpus._micro_step(from_corpus._batch(k), final=True) for k in range(2)]
    lb = [from_index._micro_step(from_index._batch(k), final=True) for k in range(2)]
    assert la == pytest.approx(lb, rel=1e-6)

    (tmp_path / "short").mkdir()
    shutil.copy(index_dir / "manifest.json", tmp_path / "short")
    shutil.copy(index_dir / "ids.json", tmp_path / "short")
    (tmp_path / "short" / "vectors.f32").write_bytes(np.zeros(10, "<f4").tobytes())
    with pytest.raises(DocumentIndexError, match=r"short/vectors.f32: 40 bytes; expected 96 ids x 32 dims x 4"):
        Trainer(read_job(adore_job(tmp_path, tiny_model_dir, "short", rows=rows, adore=index_opts(tmp_path / "short"))))
    missing = write_encoder_index(from_corpus, tmp_path / "missing", ids=from_corpus.index.ids[1:])
    with pytest.raises(DocumentIndexError, match=r'train-missing.jsonl:1: field "positives\[0\].id": .d0-0. is not in'):
        Trainer(read_job(adore_job(tmp_path, tiny_model_dir, "missing", rows=rows, adore=index_opts(missing))))


def test_without_corpus_or_index_the_training_sets_passages_are_the_index(tmp_path, tiny_model_dir):
    rows = make_examples(16)
    trainer = Trainer(read_job(adore_job(tmp_path, tiny_model_dir, "own", rows=rows, adore={"corpus": None})))
    assert trainer.index.source["kind"] == "training-set passages"
    assert trainer.index.ids == [p["_id"] for p in corpus_rows(rows)]


def job_file(tmp_path, **fields):
    base = {"modelDir": "m", "trainingSet": "t.jsonl", "outputDir": "out", "mode": "adore", **fields}
    p = tmp_path / "job.json"
    p.write_text(json.dumps(base))
    return p


def test_adore_defaults(tmp_path):
    job = read_job(job_file(tmp_path))
    assert [t.name for t in job.loss] == ["lambdarank"] and job.adore.topK == 200
    assert job.adore.corpus is None and job.adore.index is None


@pytest.mark.parametrize(
    ("fields", "field", "problem"),
    [
        ({"adore": {"topK": 1}}, "adore.topK", "must be >= 2"),
        ({"adore": {"topK": "many"}}, "adore.topK", "must be an integer"),
        ({"adore": {"k": 5}}, "adore.k", "unknown field"),
        ({"adore": {"corpus": "c.jsonl", "index": "idx"}}, "adore.index", "not both"),
        ({"adore": {"index": ""}}, "adore.index", "must be a path"),
        ({"adore": []}, "adore", "must be an object"),
        ({"mode": "bi-encoder", "adore": {"topK": 5}}, "adore", 'mode "adore" only'),
        ({"loss": "infonce"}, "loss", "infonce does not apply to adore mode"),
        ({"mode": "bi-encoder", "loss": "lambdarank"}, "loss", 'mode "adore" only'),
        ({"loss": {"name": "lambdarank", "params": {"metric_cut": 0}}}, "loss.params", "metric_cut"),
        ({"loss": {"name": "lambdarank", "params": {"temperature": 0}}}, "loss.params", "temperature"),
        ({"hyperparameters": {"separateTowers": True}}, "hyperparameters.separateTowers", "adore"),
        ({"hyperparameters": {"gradCache": True}}, "hyperparameters.gradCache", "adore"),
        ({"batchPlan": "b.jsonl"}, "batchPlan", "adore"),
    ],
)
def test_bad_adore_parameters_name_the_field(tmp_path, fields, field, problem):
    with pytest.raises(JobFileError, match=re.escape(f'field "{field}"') + ".*" + re.escape(problem)):
        read_job(job_file(tmp_path, **fields))
