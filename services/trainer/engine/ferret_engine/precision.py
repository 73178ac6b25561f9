"""bf16 autocast: where it is available (a CUDA GPU with bf16, or a CPU with AMX-BF16), detected at start.

The job's ``precision``: "auto" (the default: bf16 where detected, else fp32; bench/train showed bf16's SciFact
nDCG@10 within 0.0004 of fp32's on the same data), "bf16" (required; an error where unavailable) or "fp32".
"""

from __future__ import annotations

import contextlib

import torch

from .errors import JobFileError


def detect_bf16(device: torch.device) -> tuple[bool, str]:
    """(available, why) for bf16 autocast on ``device``."""
    if device.type == "cuda":
        ok = torch.cuda.is_bf16_supported()
        return ok, f"cuda {torch.cuda.get_device_name(device)}: bf16 {'supported' if ok else 'not supported'}"
    caps = torch.cpu.get_capabilities() if hasattr(torch.cpu, "get_capabilities") else {}
    ok = bool(caps.get("amx_bf16"))
    return ok, f"cpu {torch.backends.cpu.get_cpu_capability()}: amx_bf16 {'present' if ok else 'absent'}"


def resolve_precision(requested: str, device: torch.device) -> tuple[str, str]:
    """The precision to train in and the detection note that goes into the start event."""
    ok, why = detect_bf16(device)
    if requested == "bf16" and not ok:
        raise JobFileError(f'field "hyperparameters.precision": bf16 requested but unavailable here ({why})')
    if requested == "auto":
        return ("bf16" if ok else "fp32"), why
    return requested, why


def autocast(precision: str, device: torch.device):
    if precision != "bf16":
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=torch.bfloat16)
