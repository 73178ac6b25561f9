"""Negatives gathered across DDP processes, with gradients that equal one process holding the whole batch.

Each process encodes its shard of the batch, gathers every shard's embeddings (its own slot keeps the autograd
graph, the others are constants), and computes the loss on the whole batch's score matrix. The gradient that
reaches a process's parameters is then the whole-batch loss's gradient through that process's embeddings;
summing over processes gives the full gradient. DDP *averages* gradients across processes, so the loss each
process backpropagates is multiplied by the world size (``backward_scale``).
"""

from __future__ import annotations

import os

import torch
import torch.distributed as dist


def is_distributed() -> bool:
    return dist.is_available() and dist.is_initialized()


def world_size() -> int:
    return dist.get_world_size() if is_distributed() else 1


def rank() -> int:
    return dist.get_rank() if is_distributed() else 0


def backward_scale() -> float:
    """Factor on the loss before backward so that DDP's gradient average becomes the whole-batch gradient."""
    return float(world_size())


def gather_with_grad(local: torch.Tensor) -> torch.Tensor:
    """Concatenate every process's ``local`` in rank order; only this process's part carries gradients.
    All shards must have the same shape (the sampler gives every process the same number of rows)."""
    if not is_distributed():
        return local
    parts = [torch.empty_like(local) for _ in range(world_size())]
    dist.all_gather(parts, local.detach().contiguous())
    parts[rank()] = local
    return torch.cat(parts, dim=0)


def init_from_env() -> bool:
    """Join the process group torchrun describes (WORLD_SIZE > 1): nccl on GPU, gloo on CPU."""
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1 or is_distributed():
        return is_distributed()
    backend = "nccl" if torch.cuda.is_available() else "gloo"
    dist.init_process_group(backend=backend)
    if backend == "nccl":
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
    return True
