"""Checkpoints under <outputDir>/checkpoints/step-<N>/, written atomically, and resume from the newest.

A checkpoint holds the model weights (safetensors), the optimiser and scheduler states, the RNG states and
trainer_state.json (step, the job's fingerprint). It is written into a temporary directory, fsynced and
renamed into place, then ``latest`` (a one-line file naming it) is replaced atomically: a crash at any point
leaves the previous checkpoint intact and ``latest`` naming a complete one. Older checkpoints beyond
``keep`` are removed after that.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from .errors import CheckpointError


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def rng_state() -> dict:
    state = {"python": random.getstate(), "numpy": np.random.get_state(), "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict) -> None:
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save_checkpoint(
    root: Path, step: int, model: torch.nn.Module, optimizer, scheduler, fingerprint: str, keep: int
) -> Path:
    ckpts = root / "checkpoints"
    ckpts.mkdir(parents=True, exist_ok=True)
    final = ckpts / f"step-{step:08d}"
    for stale in ckpts.glob(".step-*.tmp-*"):  # a checkpoint that a crash interrupted
        shutil.rmtree(stale, ignore_errors=True)
    tmp = ckpts / f".step-{step:08d}.tmp-{os.getpid()}"
    tmp.mkdir()
    state = {k: v.detach().contiguous().cpu() for k, v in model.state_dict().items()}
    save_file(_untied(state), str(tmp / "model.safetensors"))
    torch.save(
        {"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(), "rng": rng_state()},
        tmp / "trainer.pt",
    )
    (tmp / "trainer_state.json").write_text(json.dumps({"step": step, "fingerprint": fingerprint}) + "\n")
    for f in tmp.iterdir():
        with open(f, "rb") as fh:
            os.fsync(fh.fileno())
    _fsync_dir(tmp)
    if final.exists():  # a re-run of a step after a crash that came after the rename
        shutil.rmtree(final)
    os.rename(tmp, final)
    _fsync_dir(ckpts)
    write_atomic(ckpts / "latest", (final.name + "\n").encode())
    for old in sorted(p for p in ckpts.glob("step-*") if p.is_dir())[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
    return final


def _untied(state: dict) -> dict:
    """safetensors refuses tensors that share memory (tied embeddings); store each as its own copy."""
    seen, out = set(), {}
    for k, v in state.items():
        ptr = v.untyped_storage().data_ptr()
        out[k] = v.clone() if ptr in seen else v
        seen.add(ptr)
    return out


def latest_checkpoint(root: Path) -> Path | None:
    pointer = root / "checkpoints" / "latest"
    if not pointer.is_file():
        return None
    path = root / "checkpoints" / pointer.read_text().strip()
    if not (path / "trainer_state.json").is_file():
        raise CheckpointError(f"{pointer}: names {path.name}, which is missing or incomplete")
    return path


def load_checkpoint(path: Path, model: torch.nn.Module, optimizer, scheduler, fingerprint: str) -> int:
    """Restore everything; returns the step the checkpoint was taken after."""
    meta = json.loads((path / "trainer_state.json").read_text())
    if meta.get("fingerprint") != fingerprint:
        raise CheckpointError(
            f"{path}: written by a different job (fingerprint {meta.get('fingerprint')}, this job {fingerprint}); "
            "use a new outputDir or remove its checkpoints"
        )
    model.load_state_dict(load_file(str(path / "model.safetensors")))
    extra = torch.load(path / "trainer.pt", weights_only=False)
    optimizer.load_state_dict(extra["optimizer"])
    scheduler.load_state_dict(extra["scheduler"])
    set_rng_state(extra["rng"])
    return int(meta["step"])
