"""The training loop on the tiny BERT fixture: the loss falls, the export reproduces the PyTorch model in
onnxruntime, runs are deterministic, GradCache gives the plain step's gradients, and every mode trains."""

from __future__ import annotations

import json

import onnxruntime as ort
import pytest
import torch
from safetensors.torch import load_file

from ferret_engine.job import read_job
from ferret_engine.model_dir import load_model_dir
from ferret_engine.models import BiEncoder
from ferret_engine.onnx_export import min_cosine, onnx_embed
from ferret_engine.precision import resolve_precision
from ferret_engine.train import Trainer, run

from conftest import events, make_examples, write_job, write_jsonl


def train(tmp_path, model_dir, capsys, name="out", rows=None, **job):
    train_file = write_jsonl(tmp_path / f"train-{name}.jsonl", rows or make_examples(48))
    hp = {"batchSize": 8, "epochs": 2, "learningRate": 1e-3, "seed": 13, **job.pop("hyperparameters", {})}
    path = write_job(tmp_path, model_dir, train_file, tmp_path / name, hyperparameters=hp, logEvery=1, **job)
    capsys.readouterr()
    run(read_job(path))
    return events(capsys.readouterr().out), tmp_path / name


def losses(evs):
    return [e["loss"] for e in evs if e["event"] == "step"]


def test_bi_encoder_learns_and_exports_a_model_the_encoder_path_reproduces(tmp_path, tiny_model_dir, capsys):
    evs, out = train(tmp_path, tiny_model_dir, capsys, hyperparameters={"epochs": 3})
    ls = losses(evs)
    assert len(ls) == 18 and [e["step"] for e in evs if e["event"] == "step"] == list(range(1, 19))
    assert sum(ls[-3:]) / 3 < 0.7 * sum(ls[:3]) / 3
    step = next(e for e in evs if e["event"] == "step")
    assert {"step", "totalSteps", "epoch", "loss", "lr", "samplesPerSecond"} <= set(step)
    assert evs[-1]["event"] == "done" and evs[-2]["event"] == "export"

    model = out / "model"
    assert {p.name for p in model.iterdir()} == {
        "config.json", "tokenizer.json", "model.safetensors", "model.onnx", "model.int8.onnx", "ferret.json",
    }
    cfg = json.loads((model / "ferret.json").read_text())
    assert cfg["kind"] == "bi-encoder" and cfg["pooling"] == "mean" and cfg["quantized"] == "model.int8.onnx"
    assert cfg["dimension"] == 32 and cfg["maxLength"] == 24
    # independent check: the exported weights in PyTorch (the engine's BiEncoder) vs onnxruntime, as Ferret's
    # encoder runs it (tokenize, run, mean-pool, normalize)
    md = load_model_dir(model)
    enc = BiEncoder(md, attn="eager").eval()
    texts = ["cancer treatment therapy", "the quick brown fox", "vaccine risk in adults " * 10]
    feats = md.tokenizer()(texts, padding=True, truncation=True, max_length=24, return_tensors="pt")
    with torch.no_grad():
        ref, _ = enc(queries=dict(feats))
    got = onnx_embed(model / "model.onnx", md.tokenizer(), cfg, texts)
    assert min_cosine(got, ref.numpy()) > 0.9999
    assert min_cosine(onnx_embed(model / "model.int8.onnx", md.tokenizer(), cfg, texts), ref.numpy()) > 0.95
    sess = ort.InferenceSession(str(model / "model.onnx"))
    assert [i.name for i in sess.get_inputs()] == ["input_ids", "attention_mask", "token_type_ids"]
    # training changed the weights
    before = load_file(str(tiny_model_dir / "model.safetensors"))
    after = load_file(str(model / "model.safetensors"))
    assert any(not torch.equal(before[k], after[k]) for k in before)


def test_same_seed_same_weights_other_seed_other_weights(tmp_path, tiny_model_dir, capsys):
    hp = {"epochs": 1, "lengthGrouping": True}
    _, a = train(tmp_path, tiny_model_dir, capsys, name="a", hyperparameters=hp, quantize=False)
    _, b = train(tmp_path, tiny_model_dir, capsys, name="b", hyperparameters=hp, quantize=False)
    _, c = train(tmp_path, tiny_model_dir, capsys, name="c", hyperparameters={**hp, "seed": 14}, quantize=False)
    wa, wb, wc = (load_file(str(x / "model" / "model.safetensors")) for x in (a, b, c))
    assert all(torch.equal(wa[k], wb[k]) for k in wa)
    assert any(not torch.equal(wa[k], wc[k]) for k in wa)


def one_step_grads(tmp_path, model_dir, name, **hp):
    """One micro-step's loss and gradients in fp32: the equalities below are exact arithmetic, which bf16
    autocast (the default on AMX CPUs) rounds differently per chunk."""
    rows = make_examples(8)
    train_file = write_jsonl(tmp_path / f"t-{name}.jsonl", rows)
    path = write_job(
        tmp_path, model_dir, train_file, tmp_path / name,
        hyperparameters={"batchSize": 8, "negativesPerQuery": 2, "maxGradNorm": 0, "precision": "fp32", **hp},
    )
    trainer = Trainer(read_job(path))
    trainer._lengths = trainer._prepare_tokens()
    loss = trainer._micro_step(trainer._batch(0), final=True)
    return loss, {n: p.grad.clone() for n, p in trainer.model.named_parameters() if p.grad is not None}


def test_grad_cache_gives_the_plain_steps_loss_and_gradients(tmp_path, tiny_model_dir):
    plain_loss, plain = one_step_grads(tmp_path, tiny_model_dir, "plain")
    cached_loss, cached = one_step_grads(tmp_path, tiny_model_dir, "cached", gradCache=True, gradCacheChunk=3)
    assert cached_loss == pytest.approx(plain_loss, rel=1e-6)
    assert plain.keys() == cached.keys() and len(plain) > 10
    for k in plain:
        torch.testing.assert_close(cached[k], plain[k], rtol=1e-4, atol=1e-6)


def test_gradient_checkpointing_gives_the_same_gradients(tmp_path, tiny_model_dir):
    _, plain = one_step_grads(tmp_path, tiny_model_dir, "plain2")
    _, ckpt = one_step_grads(tmp_path, tiny_model_dir, "ckpt", gradientCheckpointing=True)
    for k in plain:
        torch.testing.assert_close(ckpt[k], plain[k], rtol=1e-4, atol=1e-6)


def test_cross_encoder_trains_and_exports_for_the_ranker(tmp_path, tiny_model_dir, capsys):
    evs, out = train(
        tmp_path, tiny_model_dir, capsys, mode="cross-encoder",
        hyperparameters={"epochs": 3, "gradAccumulation": 2, "batchSize": 4},
    )
    ls = losses(evs)
    assert len(ls) == 18 and sum(ls[-3:]) < sum(ls[:3])
    cfg = json.loads((out / "model" / "ferret.json").read_text())
    assert cfg["kind"] == "cross-encoder" and cfg["scoreActivation"] == "none"
    export = next(e for e in evs if e["event"] == "export")
    assert export["maxLogitDiffVsPyTorch"]["model.onnx"] < 1e-3
    sess = ort.InferenceSession(str(out / "model" / "model.onnx"))
    assert sess.get_outputs()[0].name == "logits"


def test_separate_towers_export_two_model_dirs(tmp_path, tiny_model_dir, capsys):
    evs, out = train(
        tmp_path, tiny_model_dir, capsys, name="towers", hyperparameters={"epochs": 1, "separateTowers": True},
        quantize=False,
    )
    q = load_file(str(out / "model" / "query" / "model.safetensors"))
    d = load_file(str(out / "model" / "document" / "model.safetensors"))
    assert any(not torch.equal(q[k], d[k]) for k in q)  # the towers moved apart
    for side in ("query", "document"):
        assert json.loads((out / "model" / side / "ferret.json").read_text())["kind"] == "bi-encoder"


@pytest.mark.parametrize(
    ("loss", "teacher"),
    [
        ("disj-infonce", False),
        ("mw", False),
        ("wasserstein", False),
        ([{"name": "kl-listwise"}, {"name": "infonce", "weight": 0.1, "params": {"temperature": 0.01}}], True),
        ("margin-mse", True),
    ],
)
def test_every_loss_trains(tmp_path, tiny_model_dir, capsys, loss, teacher):
    evs, _ = train(
        tmp_path, tiny_model_dir, capsys, rows=make_examples(32, teacher=teacher), loss=loss,
        hyperparameters={"epochs": 2, "negativesPerQuery": 2}, quantize=False,
    )
    ls = losses(evs)
    assert len(ls) == 8 and all(x == x for x in ls) and sum(ls[-2:]) < sum(ls[:2])


def test_bf16_autocast_where_detected(tmp_path, tiny_model_dir, capsys):
    flags = open("/proc/cpuinfo").read()
    has_amx = " amx_bf16" in flags
    precision, note = resolve_precision("auto", torch.device("cpu"))
    assert precision == ("bf16" if has_amx else "fp32") and "amx_bf16" in note
    if has_amx:
        evs, _ = train(
            tmp_path, tiny_model_dir, capsys, name="bf16", hyperparameters={"epochs": 1, "precision": "bf16"},
            quantize=False,
        )
        assert next(e for e in evs if e["event"] == "start")["precision"] == "bf16"
        assert all(x == x for x in losses(evs))


def plan_line(epoch, batch, stage, rows):
    items = [{"qid": r["qid"], "positive": r["positives"][0]["id"], "negative": r["negatives"][-1]["id"]} for r in rows]
    return {"epoch": epoch, "batch": batch, "stage": stage, "clusters": [0], "items": items}


def test_batch_plan_sets_the_batches(tmp_path, tiny_model_dir):
    rows = make_examples(12)
    train_file = write_jsonl(tmp_path / "t.jsonl", rows)
    plan = write_jsonl(
        tmp_path / "batches.jsonl",
        [
            plan_line(0, 1, 1, rows[4:8]),
            plan_line(0, 0, 1, rows[0:4]),
            plan_line(0, 0, 2, rows[8:12]),  # another stage: not this job's
            plan_line(1, 0, 1, rows[8:12]),
        ],
    )
    job = write_job(
        tmp_path, tiny_model_dir, train_file, tmp_path / "plan", batchPlan=str(plan),
        hyperparameters={"batchSize": 4, "epochs": 3},
    )
    trainer = Trainer(read_job(job))
    assert trainer.total_steps == 2 + 1 + 2  # epoch 2 repeats the plan's epoch 0
    order = [[e.qid for e in trainer._batch(k).examples] for k in range(5)]
    assert order == [["q0", "q1", "q2", "q3"], ["q4", "q5", "q6", "q7"], ["q8", "q9", "q10", "q11"]] + order[:2]
    first = trainer._batch(0)
    assert [p.id for p in first.slots[0]] == [rows[0]["positives"][0]["id"], rows[0]["negatives"][-1]["id"]]


def test_batch_plan_with_unknown_ids_names_its_line(tmp_path, tiny_model_dir):
    from ferret_engine.errors import TrainingSetError

    rows = make_examples(8)
    train_file = write_jsonl(tmp_path / "t.jsonl", rows)
    bad = plan_line(0, 1, 1, rows[4:8])
    bad["items"][2]["negative"] = "nowhere"
    plan = write_jsonl(tmp_path / "batches.jsonl", [plan_line(0, 0, 1, rows[:4]), bad])
    job = write_job(tmp_path, tiny_model_dir, train_file, tmp_path / "bad", batchPlan=str(plan),
                    hyperparameters={"batchSize": 4})
    with pytest.raises(TrainingSetError, match=r'batches.jsonl:2: field "items\[2\].negative": .nowhere.'):
        Trainer(read_job(job))


def test_contriever_mode_trains_on_crops_of_a_corpus(tmp_path, tiny_model_dir, capsys):
    import random

    from conftest import TOPICS

    rng = random.Random(3)
    vocab = sorted({w for _, words in TOPICS for w in words.split()})
    corpus = [{"_id": f"c{i}", "title": TOPICS[i % 12][0], "text": " ".join(rng.sample(vocab, 9))} for i in range(48)]
    corpus_file = write_jsonl(tmp_path / "corpus.jsonl", corpus)
    job = write_job(
        tmp_path, tiny_model_dir, corpus_file, tmp_path / "contriever", mode="contriever", logEvery=1, quantize=False,
        hyperparameters={"batchSize": 8, "epochs": 4, "learningRate": 2e-3, "cropRatioMin": 0.6, "cropRatioMax": 0.9},
    )
    trainer = Trainer(read_job(job))
    trainer._lengths = None
    a, b = trainer._batch(0), trainer._batch(6)  # epochs 0 and 1
    ex = a.examples[0]
    words = set(corpus[int(ex.qid[1:])]["title"].split() + corpus[int(ex.qid[1:])]["text"].split())
    assert set(ex.query.split()) <= words and set(a.slots[0][0].text.split()) <= words
    assert 0.6 * 10 - 4 <= len(ex.query.split()) <= 9  # 6 to 9 of the 10 words, less the deleted ones
    assert a.slots[0][0].id == ex.qid and len(a.slots[0]) == 1  # the other crop is the only positive
    assert [e.query for e in a.examples] != [e.query for e in b.examples]
    capsys.readouterr()
    run(read_job(job))
    ls = losses(events(capsys.readouterr().out))
    assert len(ls) == 24 and sum(ls[-6:]) < 0.9 * sum(ls[:6])  # the last epoch vs the first


def test_onnx_export_leaves_the_model_in_its_mode_and_the_check_runs_without_dropout(tmp_path, tiny_model_dir, capsys):
    import shutil

    from transformers import AutoModel

    from ferret_engine.onnx_export import export_onnx

    # the tiny fixture with dropout, as all-MiniLM-L6-v2 has (0.1): an export that left the model in training
    # mode made the export check compare onnxruntime with a dropout forward (EXPORT_MISMATCH)
    model_dir = tmp_path / "with-dropout"
    shutil.copytree(tiny_model_dir, model_dir)
    cfg = json.loads((model_dir / "config.json").read_text())
    cfg["hidden_dropout_prob"] = cfg["attention_probs_dropout_prob"] = 0.1
    (model_dir / "config.json").write_text(json.dumps(cfg))
    model = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()
    export_onnx(model, tmp_path / "eval.onnx")
    assert not model.training
    model.train()
    export_onnx(model, tmp_path / "train.onnx")
    assert model.training
    evs, _ = train(tmp_path, model_dir, capsys, name="dropout", hyperparameters={"epochs": 1}, quantize=False)
    assert next(e for e in evs if e["event"] == "export")["minCosineVsPyTorch"]["model.onnx"] > 0.9999
