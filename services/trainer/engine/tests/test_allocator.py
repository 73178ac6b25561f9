"""The "retain" allocator policy (allocator.py): a step's large tensors reuse the pages freed by the step
before instead of faulting in fresh ones, and the job file names a bad policy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ferret_engine.errors import JobFileError
from ferret_engine.job import read_job

ENGINE_DIR = Path(__file__).resolve().parents[1]

# Allocates and frees a 64 MiB tensor 30 times; prints the minor page faults of the last 10. The first few
# grow the heap (torch's 64-byte-aligned requests do not fit the exact block just freed until neighbours
# coalesce), as a training run's first steps do.
_PROBE = """
import resource, sys, torch
from ferret_engine.allocator import retain_freed_memory
note = retain_freed_memory() if sys.argv[1] == "retain" else "system"
for _ in range(20):
    torch.empty(16 * 2**20).fill_(1.0)  # 64 MiB, freed at once
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    torch.empty(16 * 2**20).fill_(1.0)
after = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
print(after - before, note)
"""


def _faults(policy: str) -> tuple[int, str]:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, policy],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ENGINE_DIR)},
    )
    faults, note = out.stdout.strip().split(" ", 1)
    return int(faults), note


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt is Linux-only")
def test_retain_reuses_freed_pages():
    system, _ = _faults("system")
    retained, note = _faults("retain")
    assert note.startswith("retain (glibc"), note
    # glibc's default maps and unmaps each 64 MiB block: 10 x 16,384 pages fault in again
    assert system > 10 * 16_384 * 0.9
    assert retained < system / 100


def test_job_file_names_a_bad_allocator(tmp_path):
    job = tmp_path / "job.json"
    job.write_text(
        json.dumps({"modelDir": "m", "trainingSet": "t.jsonl", "outputDir": "o", "allocator": "jemalloc"})
    )
    with pytest.raises(JobFileError, match=r'field "allocator"\): must be one of retain, system'):
        read_job(job)
    job.write_text(json.dumps({"modelDir": "m", "trainingSet": "t.jsonl", "outputDir": "o"}))
    assert read_job(job).allocator == "retain"
