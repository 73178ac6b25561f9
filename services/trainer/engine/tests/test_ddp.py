"""Under DDP (2 CPU processes, gloo on 127.0.0.1), each process encodes half of the batch and gathers the other
half's embeddings: the loss and the gradients must equal those of one process holding the whole batch."""

from __future__ import annotations

import math
import socket

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel

from ferret_engine import distributed
from ferret_engine.losses import LOSSES, BatchLabels

B, G, DIM = 4, 3, 6  # 4 queries, each with a positive and 2 negatives
WORLD = 2
PARAMS = {"mw": {"temperature": 0.5}, "infonce": {"temperature": 0.1}}


class Encoder(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.lin = torch.nn.Linear(DIM, 5)

    def forward(self, xq, xd):
        return (
            torch.nn.functional.normalize(self.lin(xq), dim=-1),
            torch.nn.functional.normalize(self.lin(xd), dim=-1),
        )


def data():
    g = torch.Generator().manual_seed(1)
    xq, xd = torch.randn(B, DIM, generator=g), torch.randn(B * G, DIM, generator=g)
    m = B * G
    positives = torch.zeros(B, m, dtype=torch.bool)
    own = torch.zeros(B, m, dtype=torch.bool)
    for i in range(B):
        positives[i, i * G] = True
        own[i, i * G : (i + 1) * G] = True
    positives[0, 2 * G] = True  # query 2's positive is also one of query 0's (duplicate-positive masking)
    grades = positives.float() * 2
    teacher = torch.where(own, torch.randn(B, m, generator=g), torch.full((B, m), math.nan))
    teacher[torch.arange(B), torch.arange(B) * G] = 5.0
    labels = BatchLabels(torch.arange(B) * G, positives, own, grades, teacher)
    return xq, xd, labels


def loss_and_grads(name, model, xq, xd, labels):
    model.zero_grad()
    q, d = model(xq, xd)
    q_all, d_all = distributed.gather_with_grad(q), distributed.gather_with_grad(d)
    loss = LOSSES[name](**PARAMS.get(name, {}))(q_all @ d_all.T, labels)
    (loss * distributed.backward_scale()).backward()
    inner = model.module if isinstance(model, DistributedDataParallel) else model
    return loss.item(), inner.lin.weight.grad.clone(), inner.lin.bias.grad.clone()


def worker(rank: int, port: int, out: dict) -> None:
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=WORLD)
    try:
        xq, xd, labels = data()
        model = DistributedDataParallel(Encoder())
        per = B // WORLD
        results = {}
        for name in LOSSES:
            results[name] = loss_and_grads(
                name, model, xq[rank * per : (rank + 1) * per], xd[rank * per * G : (rank + 1) * per * G], labels
            )
        out[rank] = results
    finally:
        dist.destroy_process_group()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def ddp_results():
    with mp.Manager() as manager:
        out = manager.dict()
        mp.spawn(worker, args=(free_port(), out), nprocs=WORLD, join=True)
        return dict(out)


@pytest.mark.parametrize("name", list(LOSSES))
def test_gathered_loss_and_gradients_equal_one_process(ddp_results, name):
    xq, xd, labels = data()
    ref_loss, ref_w, ref_b = loss_and_grads(name, Encoder(), xq, xd, labels)
    assert ref_w.abs().sum() > 0
    for rank in range(WORLD):
        loss, w, b = ddp_results[rank][name]
        assert loss == pytest.approx(ref_loss, rel=1e-5)
        torch.testing.assert_close(w, ref_w, rtol=1e-4, atol=1e-6)
        torch.testing.assert_close(b, ref_b, rtol=1e-4, atol=1e-6)
