"""How the engine's CPU memory is allocated: keep freed blocks in the process (the default) or hand them back.

PyTorch's CPU tensors come from the C library's malloc, with no cache of their own (CUDA's allocator has one).
glibc serves every block above its mmap threshold (at most 32 MiB on 64-bit) with a fresh mmap and unmaps it
on free, so each training step's activation tensors, hundreds of MiB at 256 tokens, are mapped anew and every
page faults in again, zero-filled by the kernel. On bench/train's MiniLM runs that was 20-43 % of the
engine's CPU time spent in the kernel. ``mallopt(M_MMAP_MAX, 0)`` serves large blocks from the heap and a high
``M_TRIM_THRESHOLD`` keeps the heap's freed top, so a step reuses the pages of the step before. The cost: the
process keeps its peak heap until it exits (bench/train/RESULTS.md has the measured RSS).
"""

from __future__ import annotations

import ctypes
import sys

ALLOCATORS = ("retain", "system")

# glibc's malloc.h
_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4
_INT_MAX = 2**31 - 1


def retain_freed_memory() -> str:
    """Applies the "retain" policy to this process; returns what was done, for the start event."""
    if not sys.platform.startswith("linux"):
        return f"system ({sys.platform}: no glibc mallopt)"
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.gnu_get_libc_version.restype = ctypes.c_char_p  # absent outside glibc (musl)
    except (OSError, AttributeError):
        return "system (not glibc)"
    version = libc.gnu_get_libc_version().decode()
    if libc.mallopt(_M_MMAP_MAX, 0) != 1 or libc.mallopt(_M_TRIM_THRESHOLD, _INT_MAX) != 1:
        return f"system (glibc {version} refused mallopt)"
    return f"retain (glibc {version}: mallopt M_MMAP_MAX=0, M_TRIM_THRESHOLD={_INT_MAX})"
