"""Test double of ferret_engine (see ../README.md): progress, checkpoints, resume and crashes, no training."""

import json
import os
import sys
import time
from pathlib import Path

KNOWN = {
    "modelDir",
    "trainingSet",
    "outputDir",
    "mode",
    "loss",
    "hyperparameters",
    "checkpointEvery",
    "logEvery",
    "batchPlan",
    "batchPlanStage",
}


def emit(event, **fields):
    sys.stdout.write(json.dumps({"event": event, "time": round(time.time(), 3), **fields}) + "\n")
    sys.stdout.flush()


def write_atomic(path: Path, text: str):
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def main() -> int:
    job_path = Path(sys.argv[1])
    job = json.loads(job_path.read_text())
    unknown = sorted(set(job) - KNOWN)
    if unknown:
        emit("error", code="JOB_FILE", message=f'{job_path} (field "{unknown[0]}"): unknown field')
        return 2
    examples = sum(1 for line in open(job["trainingSet"]) if line.strip())
    hp = job.get("hyperparameters", {})
    total = hp.get("maxSteps") or hp.get("epochs", 1) * max(1, examples // hp.get("batchSize", 32))
    every = job.get("checkpointEvery", 100)
    out = Path(job["outputDir"])
    out.mkdir(parents=True, exist_ok=True)
    ckpt = out / "checkpoint.json"
    start = json.loads(ckpt.read_text())["step"] if ckpt.exists() else 0
    emit("start", totalSteps=total, examples=examples)
    if start:
        emit("resume", step=start, checkpoint=str(ckpt))
    crash_at = int(os.environ.get("FERRET_ENGINE_DOUBLE_CRASH_AT", "0"))
    delay = int(os.environ.get("FERRET_ENGINE_DOUBLE_STEP_MS", "0")) / 1000
    steps_file = out / "steps-run.txt"
    for step in range(start + 1, total + 1):
        if step == crash_at and not (out / "crashed").exists():
            (out / "crashed").write_text("")
            print("Traceback (most recent call last):\nRuntimeError: injected crash (engine double)", file=sys.stderr)
            sys.stderr.flush()
            os._exit(1)
        time.sleep(delay)
        with open(steps_file, "a") as f:
            f.write(f"{step}\n")
        emit("step", step=step, totalSteps=total, epoch=0, loss=1.0 / step, lr=1e-5, samplesPerSecond=10.0)
        if step % every == 0:
            write_atomic(ckpt, json.dumps({"step": step}))
            emit("checkpoint", step=step, path=str(ckpt))
    model = out / "model"
    model.mkdir(exist_ok=True)
    (model / "ferret.json").write_text(json.dumps({"trainedFrom": job["modelDir"], "steps": total}))
    emit("export", step=total)
    emit("done", step=total, model=str(model))
    return 0


if __name__ == "__main__":
    sys.exit(main())
