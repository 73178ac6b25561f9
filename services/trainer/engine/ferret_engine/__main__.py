"""``python -m ferret_engine <job.json>``: train, export, and report progress as JSON lines on stdout.

Exit status: 0 done; 2 a typed error (bad job file, model dir, training set, checkpoint, export), reported as
an ``error`` event with its code; 1 anything else (the traceback goes to stderr)."""

from __future__ import annotations

import argparse
import os
import sys
import traceback

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ferret_engine", description=__doc__)
    ap.add_argument("job", help="job file (JSON)")
    args = ap.parse_args(argv)

    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # stderr is the control plane's log tail: keep it to what matters

    from .errors import EngineError
    from .job import read_job
    from .progress import emit
    from .train import run

    try:
        run(read_job(args.job))
    except EngineError as e:
        emit("error", code=e.code, message=e.message)
        print(f"ferret_engine: {e.code}: {e.message}", file=sys.stderr)
        return 2
    except Exception as e:  # noqa: BLE001 - the control plane needs an error event, whatever failed
        traceback.print_exc()
        emit("error", code="ENGINE_CRASH", message=f"{type(e).__name__}: {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
