"""Bad input: the job file, the training set and the model dir, each error naming the file, line or field."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from ferret_engine.errors import JobFileError, ModelDirError, TrainingSetError
from ferret_engine.job import read_job
from ferret_engine.model_dir import load_model_dir
from ferret_engine.training_set import read_training_set

from conftest import make_examples, write_jsonl


def job_file(tmp_path, **fields):
    base = {"modelDir": "m", "trainingSet": "t.jsonl", "outputDir": "out"}
    base.update(fields)
    p = tmp_path / "job.json"
    p.write_text(json.dumps(base))
    return p


def test_job_defaults_and_relative_paths(tmp_path):
    job = read_job(job_file(tmp_path, loss=[{"name": "kl-listwise"}, {"name": "infonce", "weight": 0.1}]))
    assert job.modelDir == tmp_path / "m" and job.outputDir == tmp_path / "out"
    assert [(t.name, t.weight) for t in job.loss] == [("kl-listwise", 1.0), ("infonce", 0.1)]
    assert job.hyperparameters.batchSize == 32 and job.hyperparameters.precision == "auto"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"lossFunction": "infonce"}, "lossFunction"),
        ({"loss": "cosine"}, "loss.name"),
        ({"loss": [{"name": "infonce", "params": {"temp": 1}}]}, "loss[0].params"),
        ({"loss": {"name": "margin-mse", "params": {"teacher_temperature": 0}}}, "loss.params"),
        ({"hyperparameters": {"batchSize": 0}}, "hyperparameters.batchSize"),
        ({"hyperparameters": {"learningRate": "fast"}}, "hyperparameters.learningRate"),
        ({"hyperparameters": {"gradCache": 1}}, "hyperparameters.gradCache"),
        ({"hyperparameters": {"precision": "fp16"}}, "hyperparameters.precision"),
        ({"hyperparameters": {"epoch": 1}}, "hyperparameters.epoch"),
        ({"mode": "late-interaction"}, "mode"),
        ({"modelDir": ""}, "modelDir"),
        ({"checkpointEvery": 0}, "checkpointEvery"),
    ],
)
def test_job_errors_name_the_field(tmp_path, fields, field):
    with pytest.raises(JobFileError, match=re.escape(f'field "{field}"')):
        read_job(job_file(tmp_path, **fields))


def test_job_file_not_json(tmp_path):
    p = tmp_path / "job.json"
    p.write_text("{modelDir: x}")
    with pytest.raises(JobFileError, match="not JSON"):
        read_job(p)


def test_training_set_reads_grades_and_teacher(tmp_path):
    rows = make_examples(3, teacher=True)
    rows[0]["positives"][0]["grade"] = 3
    ts = read_training_set(write_jsonl(tmp_path / "t.jsonl", rows), need_teacher=True)
    assert len(ts) == 3 and ts.examples[0].positives[0].grade == 3.0
    assert ts.examples[1].negatives[0].grade == 0.0 and ts.examples[1].negatives[0].teacher is not None


def test_empty_training_set(tmp_path):
    p = tmp_path / "t.jsonl"
    p.write_text("\n\n")
    with pytest.raises(TrainingSetError, match="empty training set"):
        read_training_set(p)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda r: r.pop("query"), 'field "query"'),
        (lambda r: r.update(positives=[]), 'field "positives"'),
        (lambda r: r["positives"][0].pop("id"), 'field "positives\\[0\\].id"'),
        (lambda r: r["negatives"][1].update(grade=-1), 'field "negatives\\[1\\].grade"'),
        (lambda r: r["negatives"][0].update(teacher="high"), 'field "negatives\\[0\\].teacher"'),
        (lambda r: r.update(extra=1), 'field "extra"'),
        (lambda r: r["negatives"][0].update(id=r["positives"][0]["id"]), "also a positive"),
    ],
)
def test_training_set_errors_name_line_and_field(tmp_path, mutate, message):
    rows = make_examples(3)
    mutate(rows[1])
    p = write_jsonl(tmp_path / "t.jsonl", rows)
    with pytest.raises(TrainingSetError, match=f"t.jsonl:2: .*{message}"):
        read_training_set(p)


def test_training_set_line_that_is_not_json(tmp_path):
    p = tmp_path / "t.jsonl"
    p.write_text(json.dumps(make_examples(1)[0]) + "\n{oops\n")
    with pytest.raises(TrainingSetError, match="t.jsonl:2: not JSON"):
        read_training_set(p)


def test_distillation_needs_teacher_scores(tmp_path):
    p = write_jsonl(tmp_path / "t.jsonl", make_examples(2))
    with pytest.raises(TrainingSetError, match='t.jsonl:1: field "positives\\[0\\].teacher"'):
        read_training_set(p, need_teacher=True)


def test_negatives_required_when_sampled(tmp_path):
    p = write_jsonl(tmp_path / "t.jsonl", make_examples(2, negatives=0))
    with pytest.raises(TrainingSetError, match='t.jsonl:1: field "negatives": empty'):
        read_training_set(p, negatives_per_query=1)


def test_model_dir_without_weights(tmp_path, tiny_model_dir):
    d = tmp_path / "onnx-only"
    shutil.copytree(tiny_model_dir, d)
    (d / "model.safetensors").unlink()
    with pytest.raises(ModelDirError, match="no model.safetensors"):
        load_model_dir(d)


def test_model_dir_bad_ferret_json(tmp_path, tiny_model_dir):
    d = tmp_path / "bad"
    shutil.copytree(tiny_model_dir, d)
    cfg = json.loads((d / "ferret.json").read_text())
    cfg["pooling"] = "max"
    (d / "ferret.json").write_text(json.dumps(cfg))
    with pytest.raises(ModelDirError, match='ferret.json \\(field "pooling"\\)'):
        load_model_dir(d)
    assert load_model_dir(tiny_model_dir).pooling == "mean"
