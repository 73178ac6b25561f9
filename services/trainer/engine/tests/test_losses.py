"""Every loss against values computed by hand from its formula (research-methods.md), in scalar Python math."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.linalg
import torch

from ferret_engine.losses import (
    BatchLabels,
    DisjInfoNCELoss,
    InfoNCELoss,
    KLListwiseLoss,
    MarginMSELoss,
    MWLoss,
    WassersteinListwiseLoss,
)


def labels(positives, target=None, own=None, grades=None, teacher=None) -> BatchLabels:
    pos = torch.tensor(positives, dtype=torch.bool)
    return BatchLabels(
        target=torch.tensor(target if target is not None else [row.index(True) for row in positives]),
        positives=pos,
        own=torch.tensor(own, dtype=torch.bool) if own is not None else torch.ones_like(pos),
        grades=torch.tensor(grades, dtype=torch.float32) if grades is not None else pos.float(),
        teacher=torch.tensor(teacher, dtype=torch.float32) if teacher is not None else None,
    )


def softmax(xs):
    m = max(xs)
    es = [math.exp(x - m) for x in xs]
    return [e / sum(es) for e in es]


def log_sigmoid(x):
    return -math.log1p(math.exp(-x))


S = torch.tensor([[1.0, 0.0, 0.5], [0.2, 0.8, 0.1]])


# ---- InfoNCE ---------------------------------------------------------------------------------------------


def test_infonce_matches_formula():
    got = InfoNCELoss(temperature=1.0)(S, labels([[True, False, False], [False, True, False]]))
    row0 = -math.log(math.exp(1.0) / (math.exp(1.0) + math.exp(0.0) + math.exp(0.5)))
    row1 = -math.log(math.exp(0.8) / (math.exp(0.2) + math.exp(0.8) + math.exp(0.1)))
    assert got.item() == pytest.approx((row0 + row1) / 2, rel=1e-6)


def test_infonce_temperature_divides_scores():
    got = InfoNCELoss(temperature=0.5)(S, labels([[True, False, False], [False, True, False]]))
    row0 = -math.log(math.exp(2.0) / (math.exp(2.0) + math.exp(0.0) + math.exp(1.0)))
    row1 = -math.log(math.exp(1.6) / (math.exp(0.4) + math.exp(1.6) + math.exp(0.2)))
    assert got.item() == pytest.approx((row0 + row1) / 2, rel=1e-6)


def test_infonce_masks_other_positives_of_the_query():
    # column 2 is also a positive of query 0 (e.g. the same passage sampled for another query): it leaves the
    # denominator of row 0 and stays in row 1's
    lab = labels([[True, False, True], [False, True, False]], target=[0, 1])
    got = InfoNCELoss(temperature=1.0)(S, lab)
    row0 = -math.log(math.exp(1.0) / (math.exp(1.0) + math.exp(0.0)))
    row1 = -math.log(math.exp(0.8) / (math.exp(0.2) + math.exp(0.8) + math.exp(0.1)))
    assert got.item() == pytest.approx((row0 + row1) / 2, rel=1e-6)
    unmasked = InfoNCELoss(temperature=1.0, mask_duplicate_positives=False)(S, lab)
    assert unmasked.item() > got.item()


def test_infonce_equals_sentence_transformers_mnrl_loss_and_gradients():
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    g = torch.Generator().manual_seed(7)
    q, p, n = (torch.randn(5, 16, generator=g, dtype=torch.float64, requires_grad=True) for _ in range(3))
    mnrl = MultipleNegativesRankingLoss(model=None, scale=20.0)  # defaults: cosine, query_to_doc, joint
    ref = mnrl.compute_loss_from_embeddings([q, p, n], labels=None)
    ref_grads = torch.autograd.grad(ref, [q, p, n])

    docs = torch.cat([p, n])
    scores = torch.nn.functional.normalize(q, dim=-1) @ torch.nn.functional.normalize(docs, dim=-1).T
    ours = InfoNCELoss(temperature=1 / 20.0)(scores, BatchLabels.one_positive_each(5, 10))
    our_grads = torch.autograd.grad(ours, [q, p, n])
    assert ours.item() == pytest.approx(ref.item(), rel=1e-12)
    for a, b in zip(our_grads, ref_grads):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)


# ---- Disj-InfoNCE ----------------------------------------------------------------------------------------


def test_disj_infonce_sums_positive_mass():
    scores = torch.tensor([[2.0, 1.0, 0.0, -1.0], [0.5, 0.0, 1.5, 0.3]])
    lab = labels([[True, True, False, False], [False, False, True, False]])
    got = DisjInfoNCELoss(temperature=1.0)(scores, lab)
    row0 = -math.log((math.e**2 + math.e**1) / (math.e**2 + math.e**1 + math.e**0 + math.e**-1))
    row1 = -math.log(math.exp(1.5) / sum(math.exp(x) for x in (0.5, 0.0, 1.5, 0.3)))
    assert got.item() == pytest.approx((row0 + row1) / 2, rel=1e-6)


def test_disj_infonce_with_one_positive_is_infonce():
    lab = labels([[True, False, False], [False, True, False]])
    d = DisjInfoNCELoss(temperature=0.1)(S.double(), lab)
    i = InfoNCELoss(temperature=0.1)(S.double(), lab)
    assert d.item() == pytest.approx(i.item(), rel=1e-9)


def test_disj_infonce_rejects_a_query_without_positive():
    with pytest.raises(ValueError, match="at least one positive"):
        DisjInfoNCELoss()(S, labels([[True, False, False], [False, False, False]], target=[0, 0]))


# ---- MW --------------------------------------------------------------------------------------------------


def test_mw_compares_every_positive_with_every_negative_of_the_batch():
    scores = torch.tensor([[0.9, 0.3], [0.2, 0.6]])
    lab = labels([[True, False], [False, True]])
    tau = 0.1
    positives, negatives = [0.9, 0.6], [0.3, 0.2]
    expected = -sum(log_sigmoid((p - n) / tau) for p in positives for n in negatives) / 2
    assert MWLoss(temperature=tau)(scores, lab).item() == pytest.approx(expected, rel=1e-5)


def test_mw_penalises_scores_not_comparable_across_queries():
    # each query ranks its positive first (InfoNCE is happy), but query 1's positive (1.0) is below query 0's
    # negative (9.0): MW charges that cross-query pair
    scores = torch.tensor([[10.0, 9.0], [0.0, 1.0]])
    lab = labels([[True, False], [False, True]])
    positives, negatives = [10.0, 1.0], [9.0, 0.0]
    expected = -sum(log_sigmoid(p - n) for p in positives for n in negatives) / 2
    got = MWLoss(temperature=1.0)(scores, lab).item()
    assert got == pytest.approx(expected, rel=1e-6)
    assert got > -log_sigmoid(1.0 - 9.0) / 2  # the cross-query pair alone


# ---- Wasserstein list-wise -------------------------------------------------------------------------------


def test_wasserstein_two_queries_closed_form():
    # With B = 2 the centred rows are ±d/2 (d = row0 - row1), so Tr Σ = |d|²/2 and the singular values of
    # C_P C_Tᵀ are |d_P·d_T|/2 and 0: L = |μ_P - μ_T|² + |d_P|²/2 + |d_T|²/2 - |d_P·d_T|.
    scores = [[1.0, 0.0, -1.0], [0.2, 0.4, 0.0]]
    grades = [[3.0, 1.0, 0.0], [0.0, 2.0, 0.0]]
    tau = 0.5
    p = [softmax([x / tau for x in row]) for row in scores]
    t = [softmax(row) for row in grades]
    mu = [[(a + b) / 2 for a, b in zip(*m)] for m in (p, t)]
    d_p = [a - b for a, b in zip(*p)]
    d_t = [a - b for a, b in zip(*t)]
    expected = (
        sum((a - b) ** 2 for a, b in zip(*mu))
        + sum(x * x for x in d_p) / 2
        + sum(x * x for x in d_t) / 2
        - abs(sum(a * b for a, b in zip(d_p, d_t)))
    )
    lab = labels([[True, False, False], [False, True, False]], grades=grades)
    got = WassersteinListwiseLoss(temperature=tau)(torch.tensor(scores), lab)
    assert got.item() == pytest.approx(expected, rel=1e-6)


def test_wasserstein_one_query_is_squared_distance():
    lab = labels([[True, False, False]], grades=[[2.0, 0.0, 1.0]])
    got = WassersteinListwiseLoss(temperature=1.0)(torch.tensor([[0.0, 1.0, 0.0]]), lab)
    p, t = softmax([0.0, 1.0, 0.0]), softmax([2.0, 0.0, 1.0])
    assert got.item() == pytest.approx(sum((a - b) ** 2 for a, b in zip(p, t)), rel=1e-6)


def test_wasserstein_equals_frechet_distance_with_scipy_sqrtm():
    g = torch.Generator().manual_seed(3)
    scores = torch.randn(6, 9, generator=g, dtype=torch.float64)
    grades = torch.randint(0, 4, (6, 9), generator=g).double()
    got = WassersteinListwiseLoss(temperature=0.7)(
        scores, BatchLabels(torch.zeros(6, dtype=torch.long), grades > 0, grades > 0, grades)
    )
    p = torch.softmax(scores / 0.7, 1).numpy()
    t = torch.softmax(grades, 1).numpy()
    cov_p, cov_t = np.cov(p, rowvar=False), np.cov(t, rowvar=False)
    covmean = scipy.linalg.sqrtm(cov_p @ cov_t).real
    expected = ((p.mean(0) - t.mean(0)) ** 2).sum() + np.trace(cov_p + cov_t - 2 * covmean)
    assert got.item() == pytest.approx(expected, rel=1e-6, abs=1e-9)


def test_wasserstein_gradient_is_finite():
    scores = torch.randn(4, 8, dtype=torch.float64, requires_grad=True)
    grades = torch.zeros(4, 8, dtype=torch.float64)
    grades[torch.arange(4), torch.arange(4) * 2] = 3.0
    lab = BatchLabels(torch.arange(4) * 2, grades > 0, grades > 0, grades)
    loss = WassersteinListwiseLoss(temperature=1.0)(scores, lab)
    (grad,) = torch.autograd.grad(loss, scores)
    assert torch.isfinite(grad).all() and grad.abs().sum() > 0


# ---- KL list-wise ----------------------------------------------------------------------------------------


def kl(pt, ps):
    return sum(a * (math.log(a) - math.log(b)) for a, b in zip(pt, ps))


def test_kl_listwise_matches_formula_with_two_temperatures():
    scores = torch.tensor([[0.8, 0.5, 0.1], [0.3, 0.9, 0.2]])
    teacher = [[0.9, 0.2, 0.4], [0.1, 0.7, 0.6]]
    lab = labels([[True, False, False], [False, True, False]], teacher=teacher)
    got = KLListwiseLoss(teacher_temperature=0.3, student_temperature=0.05)(scores, lab)
    expected = sum(
        kl(softmax([x / 0.3 for x in teacher[i]]), softmax([x / 0.05 for x in scores[i].tolist()])) for i in range(2)
    ) / 2
    assert got.item() == pytest.approx(expected, rel=1e-5)


def test_kl_listwise_only_over_the_querys_own_scored_list():
    scores = torch.tensor([[1.0, 0.0, 5.0, 2.0]])
    teacher = [[2.0, 0.0, float("nan"), 1.0]]  # column 3 is not in the list, column 2 unscored
    lab = labels([[True, False, False, False]], own=[[True, True, True, False]], teacher=teacher)
    got = KLListwiseLoss(teacher_temperature=1.0, student_temperature=1.0)(scores, lab)
    assert got.item() == pytest.approx(kl(softmax([2.0, 0.0]), softmax([1.0, 0.0])), rel=1e-5)


def test_kl_listwise_is_zero_when_student_matches_teacher_up_to_shift():
    lab = labels([[True, False, False]], teacher=[[3.0, 2.0, 1.0]])
    got = KLListwiseLoss(teacher_temperature=1.0, student_temperature=1.0)(torch.tensor([[0.5, -0.5, -1.5]]), lab)
    assert abs(got.item()) < 1e-6


# ---- Margin-MSE ------------------------------------------------------------------------------------------


def test_margin_mse_matches_formula():
    scores = torch.tensor([[0.9, 0.2, 0.4], [0.1, 0.6, 0.3]])
    teacher = [[5.0, 1.0, 4.0], [2.0, 3.0, float("nan")]]  # query 1's second negative has no teacher score
    lab = labels([[True, False, False], [False, True, False]], teacher=teacher)
    got = MarginMSELoss()(scores, lab)
    pairs = [((0.9 - 0.2) - (5 - 1)) ** 2, ((0.9 - 0.4) - (5 - 4)) ** 2, ((0.6 - 0.1) - (3 - 2)) ** 2]
    assert got.item() == pytest.approx(sum(pairs) / 3, rel=1e-6)


def test_margin_mse_needs_the_positives_teacher_score():
    lab = labels([[True, False]], teacher=[[float("nan"), 1.0]])
    with pytest.raises(ValueError, match="teacher score"):
        MarginMSELoss()(torch.tensor([[0.5, 0.1]]), lab)


def test_margin_mse_compares_margins_each_over_its_own_temperature():
    scores = torch.tensor([[0.9, 0.2, 0.4]])
    teacher = [[0.8, 0.7, 0.75]]  # a bi-encoder teacher's compressed cosines
    lab = labels([[True, False, False]], teacher=teacher)
    got = MarginMSELoss(teacher_temperature=0.01, student_temperature=0.05)(scores, lab)
    pairs = [((0.9 - 0.2) / 0.05 - (0.8 - 0.7) / 0.01) ** 2, ((0.9 - 0.4) / 0.05 - (0.8 - 0.75) / 0.01) ** 2]
    assert got.item() == pytest.approx(sum(pairs) / 2, rel=1e-5)


def test_margin_mse_temperatures_must_be_positive():
    with pytest.raises(ValueError, match="temperatures"):
        MarginMSELoss(teacher_temperature=0.0)
