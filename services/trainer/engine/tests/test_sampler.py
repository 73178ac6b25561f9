from __future__ import annotations

import torch

from ferret_engine.sampler import batch_labels, epoch_batches, own_columns
from ferret_engine.training_set import Example, Passage, TrainingSet


def P(pid, grade=1.0, teacher=None):
    return Passage(pid, f"text of {pid}", grade, teacher)


def ts(n=10):
    return TrainingSet(
        path=None,
        examples=tuple(
            Example(f"q{i}", f"query {i}", (P(f"p{i}"), P(f"p{i}b")), (P(f"n{i}", 0.0), P(f"n{i}b", 0.0)), i + 1)
            for i in range(n)
        ),
    )


def plan(t, **kw):
    args = dict(epoch=0, seed=13, batch_size=4, positives_per_query=1, negatives_per_query=2)
    args.update(kw)
    return epoch_batches(t, **args)


def test_batches_are_a_function_of_seed_and_epoch_and_drop_the_incomplete_one():
    t = ts(10)
    a, b = plan(t), plan(t)
    assert [x.slots for x in a] == [x.slots for x in b]
    assert len(a) == 2 and all(len(x.examples) == 4 for x in a)
    qids = [e.qid for x in a for e in x.examples]
    assert len(set(qids)) == 8  # each example at most once per epoch
    assert [x.slots for x in plan(t, epoch=1)] != [x.slots for x in a]
    assert [x.slots for x in plan(t, seed=14)] != [x.slots for x in a]


def test_each_query_brings_positives_then_negatives():
    for batch in plan(ts(8), positives_per_query=2, negatives_per_query=3):
        for ex, group in zip(batch.examples, batch.slots):
            assert {p.id for p in group[:2]} == {p.id for p in ex.positives}
            assert {p.id for p in group[2:]} <= {p.id for p in ex.negatives}  # 3 from 2: cycled
            assert len(group) == 5


def test_length_grouping_puts_similar_lengths_together():
    t = ts(64)
    lengths = [(i * 37) % 64 for i in range(64)]  # a permutation of 0..63
    for batch in plan(t, batch_size=8, lengths=lengths):
        ls = sorted(lengths[int(e.qid[1:])] for e in batch.examples)
        assert ls[-1] - ls[0] == 7  # one window of 50 batches covers everything: consecutive lengths
    spread_random = [
        max(lengths[int(e.qid[1:])] for e in b.examples) - min(lengths[int(e.qid[1:])] for e in b.examples)
        for b in plan(t, batch_size=8)
    ]
    assert max(spread_random) > 7


def test_labels_follow_passage_ids_across_queries():
    q0 = Example("q0", "a", (P("shared", 2.0, 9.0),), (P("x", 0.0, 1.0),), 1)
    q1 = Example("q1", "b", (P("y", 1.0),), (P("shared", 0.0),), 2)  # q0's positive is q1's negative
    t = TrainingSet(None, (q0, q1))
    batch = plan(t, batch_size=2, negatives_per_query=1)[0]
    lab = batch_labels(batch)
    docs = [d.id for d in batch.documents()]
    i0 = [e.qid for e in batch.examples].index("q0")
    i1 = 1 - i0
    for j, d in enumerate(docs):
        assert bool(lab.positives[i0, j]) == (d == "shared")
        assert bool(lab.positives[i1, j]) == (d == "y")
    assert lab.grades[i0, docs.index("shared")] == 2.0
    assert lab.teacher[i0, docs.index("x")] == 1.0
    assert torch.isnan(lab.teacher[i1]).all()
    assert lab.own.sum().item() == 4 and lab.target.tolist() == [0, 2]
    ce = own_columns(lab, 2)
    assert ce.positives.shape == (2, 2) and ce.target.tolist() == [0, 0]
    assert ce.positives[:, 0].all() and not ce.positives[:, 1].any()
