"""``python -m ferret_engine`` as the control plane runs it: JSON lines out, typed errors with exit status 2,
and a SIGKILLed job that resumes from its last checkpoint and ends with the weights of an uninterrupted run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from conftest import events, make_examples, write_job, write_jsonl

ENGINE = Path(__file__).resolve().parents[1]


def engine(job: Path, **kw) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ENGINE)}
    return subprocess.Popen(
        [sys.executable, "-m", "ferret_engine", str(job)],
        cwd=ENGINE, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw,
    )


def test_model_dir_without_weights_is_a_clear_error(tmp_path, tiny_model_dir):
    bare = tmp_path / "bare"
    bare.mkdir()
    for f in ("config.json", "tokenizer.json", "ferret.json"):
        (bare / f).write_bytes((tiny_model_dir / f).read_bytes())
    train = write_jsonl(tmp_path / "t.jsonl", make_examples(8))
    p = engine(write_job(tmp_path, bare, train, tmp_path / "out"))
    out, err = p.communicate(timeout=300)
    assert p.returncode == 2
    last = events(out)[-1]
    assert last["event"] == "error" and last["code"] == "MODEL_DIR_INVALID"
    assert "no model.safetensors" in last["message"] and str(bare) in last["message"]
    assert not (tmp_path / "out" / "model").exists()


def test_empty_training_set_is_a_clear_error(tmp_path, tiny_model_dir):
    train = tmp_path / "empty.jsonl"
    train.write_text("")
    p = engine(write_job(tmp_path, tiny_model_dir, train, tmp_path / "out"))
    out, _ = p.communicate(timeout=300)
    assert p.returncode == 2
    last = events(out)[-1]
    assert last["code"] == "TRAINING_SET_INVALID" and "empty.jsonl: empty training set" in last["message"]
    assert not (tmp_path / "out" / "model").exists()


def test_sigkill_mid_epoch_resumes_from_the_checkpoint_to_the_same_weights(tmp_path, tiny_model_dir):
    train = write_jsonl(tmp_path / "t.jsonl", make_examples(64))
    hp = {"batchSize": 8, "epochs": 2, "learningRate": 1e-3}  # 16 steps, checkpoints every 3
    common = {"hyperparameters": hp, "checkpointEvery": 3, "logEvery": 1, "quantize": False}

    full = engine(write_job(tmp_path, tiny_model_dir, train, tmp_path / "full", **common))
    full_out, full_err = full.communicate(timeout=600)
    assert full.returncode == 0, full_err[-2000:]

    job = write_job(tmp_path, tiny_model_dir, train, tmp_path / "killed", **common)
    first = engine(job)
    seen = []
    for line in first.stdout:
        seen.append(json.loads(line))
        if seen[-1]["event"] == "checkpoint" and seen[-1]["step"] == 6:
            os.kill(first.pid, signal.SIGKILL)  # mid-epoch: an epoch is 8 steps
            break
    first.wait(timeout=60)
    assert first.returncode == -signal.SIGKILL
    assert not (tmp_path / "killed" / "model").exists()

    second = engine(job)
    out, err = second.communicate(timeout=600)
    assert second.returncode == 0, err[-2000:]
    evs = events(out)
    resume = next(e for e in evs if e["event"] == "resume")
    assert resume["step"] in (6, 9)  # the kill may land after the next checkpoint's rename
    steps = [e["step"] for e in evs if e["event"] == "step"]
    assert steps == list(range(resume["step"] + 1, 17))
    assert [e["event"] for e in evs].count("export") == 1

    a = load_file(str(tmp_path / "full" / "model" / "model.safetensors"))
    b = load_file(str(tmp_path / "killed" / "model" / "model.safetensors"))
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    full_losses = [e["loss"] for e in events(full_out) if e["event"] == "step"]
    assert [e["loss"] for e in evs if e["event"] == "step"] == full_losses[resume["step"] :]
    ckpts = sorted(p.name for p in (tmp_path / "killed" / "checkpoints").glob("step-*"))
    assert ckpts == ["step-00000015", "step-00000016"]  # keepCheckpoints 2


def test_torchrun_two_processes_train_as_one(tmp_path, tiny_model_dir):
    """DDP under torchrun (gloo, 2 CPU processes; GradCache and accumulation on): each step's loss equals a
    single process's on the same job, and so do the trained weights."""
    train = write_jsonl(tmp_path / "t.jsonl", make_examples(32))
    # fp32: one process and two must agree to 1e-4, which bf16 autocast's rounding (the AMX default) does not
    hp = {"batchSize": 4, "epochs": 1, "learningRate": 1e-3, "gradCache": True, "gradCacheChunk": 3,
          "gradAccumulation": 2, "precision": "fp32"}
    common = {"hyperparameters": hp, "logEvery": 1, "quantize": False, "threads": 1}
    one = engine(write_job(tmp_path, tiny_model_dir, train, tmp_path / "one", **common))
    one_out, one_err = one.communicate(timeout=600)
    assert one.returncode == 0, one_err[-2000:]
    torchrun = Path(sys.executable).with_name("torchrun")
    env = {**os.environ, "PYTHONPATH": str(ENGINE)}
    two = subprocess.run(
        [str(torchrun), "--nproc-per-node", "2", "--master-addr", "127.0.0.1", "--master-port", str(free_port()),
         "-m", "ferret_engine", str(write_job(tmp_path, tiny_model_dir, train, tmp_path / "two", **common))],
        cwd=ENGINE, env=env, capture_output=True, text=True, timeout=600,
    )
    assert two.returncode == 0, two.stderr[-2000:]
    evs = events(two.stdout)
    assert next(e for e in evs if e["event"] == "start")["processes"] == 2
    l1 = [e["loss"] for e in events(one_out) if e["event"] == "step"]
    l2 = [e["loss"] for e in evs if e["event"] == "step"]
    assert len(l1) == 4 and l2 == [pytest.approx(x, rel=1e-4) for x in l1]
    a = load_file(str(tmp_path / "one" / "model" / "model.safetensors"))
    b = load_file(str(tmp_path / "two" / "model" / "model.safetensors"))
    for k in a:
        torch.testing.assert_close(b[k], a[k], rtol=1e-2, atol=2e-3)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
