"""Progress as JSON lines on stdout, one event per line, for the control plane to read and republish.

Events: start, step (step, totalSteps, epoch, loss, lr, samplesPerSecond), eval, checkpoint, resume, export,
done, error (code, message). Only the first process of a DDP job writes.
"""

from __future__ import annotations

import json
import math
import sys
import time

from . import distributed


def emit(event: str, **fields) -> None:
    if distributed.rank() != 0:
        return
    clean = {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in fields.items()}
    sys.stdout.write(json.dumps({"event": event, "time": round(time.time(), 3), **clean}) + "\n")
    sys.stdout.flush()
