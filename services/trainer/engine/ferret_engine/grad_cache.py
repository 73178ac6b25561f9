"""GradCache (Gao, Zhang, Han and Callan, 2021, "Scaling Deep Contrastive Learning Batch Size under Memory
Limited Setup", arXiv:2101.06983): a contrastive batch larger than memory, with the gradient of the whole batch.

1. Embed the batch in chunks without building graphs (remembering each chunk's RNG state, so dropout draws
   the same masks again in step 3).
2. Compute the loss on the embeddings (leaf tensors) and backpropagate to them only: the embedding gradients.
3. Re-embed each chunk with a graph and backpropagate its cached embedding gradient into the parameters.

Peak activation memory is one chunk's, whatever the batch size.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import torch


class RngState:
    """The CPU (and CUDA) RNG state at construction, restorable in a ``with`` block."""

    def __init__(self) -> None:
        self.cpu = torch.get_rng_state()
        self.cuda = torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None

    @contextlib.contextmanager
    def restored(self):
        cpu, cuda = torch.get_rng_state(), torch.cuda.get_rng_state_all() if self.cuda is not None else None
        torch.set_rng_state(self.cpu)
        if self.cuda is not None:
            torch.cuda.set_rng_state_all(self.cuda)
        try:
            yield
        finally:
            torch.set_rng_state(cpu)
            if cuda is not None:
                torch.cuda.set_rng_state_all(cuda)


def embed_without_graph(
    chunks: list[dict], embed: Callable[[dict], torch.Tensor]
) -> tuple[torch.Tensor, list[RngState]]:
    """Step 1: the concatenated embeddings of every chunk and the RNG state each chunk started from."""
    states, parts = [], []
    with torch.no_grad():
        for chunk in chunks:
            states.append(RngState())
            parts.append(embed(chunk))
    return torch.cat(parts), states


def backward_chunks(
    chunks: list[dict],
    states: list[RngState],
    grads: torch.Tensor,
    embed: Callable[[dict], torch.Tensor],
    sync_last: Callable[[], contextlib.AbstractContextManager],
    no_sync: Callable[[], contextlib.AbstractContextManager],
    is_final: bool,
) -> None:
    """Step 3: re-embed each chunk under its saved RNG state and push its slice of ``grads`` into the parameters.
    Gradients are synchronised (DDP) only on the last chunk when ``is_final``."""
    offset = 0
    for k, (chunk, state) in enumerate(zip(chunks, states)):
        n = chunk["input_ids"].shape[0]
        last = is_final and k == len(chunks) - 1
        with (sync_last() if last else no_sync()), state.restored():
            emb = embed(chunk)
            (emb * grads[offset : offset + n]).sum().backward()
        offset += n
