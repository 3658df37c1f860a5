"""Graded tests for ex6_probability (chapter 3.2 確率・統計の実践的理解: discrete_distributions,
softmax_as_probability, cross_entropy_loss).

Oracles: torch.distributions.Binomial (the chapter's binomial pmf), np.average with weights (mean
and variance of a pmf), numpy's np.mean / np.var of raw samples (the chapter's word lengths),
scipy.special.xlogy / rel_entr and torch.distributions' Categorical entropy and kl_divergence
(cross-entropy and KL divergence, 0 log 0 = 0), torch.nn.functional.cross_entropy
in float64 (class-index and probability targets, mean over the batch), and values derived by hand
(derivations in comments). Misconceptions (``MISCONCEPTIONS``) are named when a wrong value is
exactly what a known mistake gives: the same oracles applied with the mistake (E[X²] for the
variance, np.cov's n - 1 weighting, log(q + 1e-10), log base 2, swapped arguments, a sum over the
batch).
"""

from __future__ import annotations

import math
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from scipy.special import rel_entr, xlogy

from autograder.compare import (Misconception, check_accepts, check_array, check_count, check_equal, check_float,
                                check_raises, check_type, convention, fail)
from autograder.ownvalues import own_array

pytestmark = pytest.mark.exercise("ex6_probability")
#: The exercise's title in the score table and reports (Japanese, English).
TITLE = ("確率分布と交差エントロピー", "Probability distributions and cross-entropy")

#: Library moments of distributions: the mean and variance are written from the definition.
FORBIDDEN_MOMENTS = ("scipy.stats", "torch.distributions")
#: Library entropies, cross-entropies and divergences (and x log y with its 0 log 0 = 0 built in).
FORBIDDEN_ENTROPY = (
    "scipy.stats", "scipy.special.entr", "scipy.special.rel_entr", "scipy.special.kl_div", "scipy.special.xlogy",
    "scipy.special.xlog1py", "torch.special.entr", "torch.special.xlogy", "torch.xlogy", "torch.distributions",
    "torch.nn.functional.kl_div", "torch.nn.functional.cross_entropy", "torch.nn.KLDivLoss",
    "torch.nn.CrossEntropyLoss", "torch.special.xlog1py", "torch.kl_div", "torch.nn.functional.binary_cross_entropy",
    "torch._C._nn.binary_cross_entropy", "torch.nn.BCELoss",
    # the kernels F.cross_entropy and F.nll_loss run (a red-team helper called the first by a computed name)
    "torch._C._nn.cross_entropy_loss", "torch.nn.functional.nll_loss", "torch._C._nn.nll_loss",
    "torch._C._nn.nll_loss2d", "torch._C._nn.nll_loss_nd", "torch.nn.NLLLoss",
)
#: Library log-softmax, log-sum-exp and cross-entropy losses: the stable loss is written by hand.
FORBIDDEN_LOG_SOFTMAX = (
    "torch.nn.functional.cross_entropy", "torch.nn.functional.nll_loss", "torch.nn.functional.log_softmax",
    "torch.nn.functional.softmax", "torch.nn.functional.binary_cross_entropy",
    "torch.nn.functional.binary_cross_entropy_with_logits", "torch.nn.CrossEntropyLoss", "torch.nn.NLLLoss",
    "torch.nn.LogSoftmax", "torch.nn.Softmax", "torch.log_softmax", "torch.softmax", "torch.logsumexp",
    "torch.special.logsumexp", "torch.special.log_softmax", "torch.special.softmax", "torch._softmax",
    "torch._log_softmax", "torch.ops", "torch._ops", "torch.distributions",
    # torch._C._nn's losses only: F.linear, F.gelu, F.pad... live there too
    "torch._C._nn.cross_entropy_loss", "torch._C._nn.nll_loss", "torch._C._nn.nll_loss2d",
    "torch._C._nn.nll_loss_nd", "torch._C._nn.binary_cross_entropy", "torch.binary_cross_entropy_with_logits",
    # torch._VF's softmax family only: torch.einsum, split, norm, broadcast_tensors go through torch._VF too
    "torch._VF.softmax", "torch._VF.log_softmax", "torch._VF._softmax", "torch._VF._log_softmax",
    "torch._VF.logsumexp", "torch._VF._safe_softmax", "torch._VF._masked_softmax", "torch._safe_softmax",
    "torch._masked_softmax", "scipy.special.logsumexp", "scipy.special.log_softmax", "scipy.special.softmax",
    "scipy.stats", "jax", "tensorflow", "sklearn", "torch.logcumsumexp",
    # NumPy's log-sum-exp: np.logaddexp.reduce(z) is logsumexp(z) (red team round 9)
    "numpy.logaddexp", "numpy.logaddexp2",
)
NO_LOG_SOFTMAX_METHODS = ("softmax", "log_softmax", "logsumexp")  # tensor.log_softmax(-1) and the like
#: "From scratch" rules (docs/authoring.md, autograder.core.scratch): the library calls each task's
#: code may not use, checked in the submission's code and while the task's tests run. The figure
#: has none: it draws what the submission's own cross_entropy returns.
RULES = [
    {"task": "expectation_variance", "forbidden": FORBIDDEN_MOMENTS},
    {"task": "cross_entropy", "forbidden": FORBIDDEN_ENTROPY},
    {"task": "kl_divergence", "forbidden": FORBIDDEN_ENTROPY},
    {"task": "cross_entropy_from_logits", "forbidden": FORBIDDEN_LOG_SOFTMAX,
     "forbidden_methods": NO_LOG_SOFTMAX_METHODS},
]

# Misconceptions (docs/authoring.md): known mistakes the failure message names when the student's
# value is exactly what the mistake gives; each test computes that value by applying the mistake
# to its own oracle.
VARIANCE_WITHOUT_MEAN_SQUARED = Misconception(
    "variance_without_mean_squared", task="expectation_variance",
    ja="分散が E[X²] = Σ p_i x_i² と一致します: 分散は期待値からのずれの 2 乗の期待値 Σ p_i (x_i − E[X])² です",
    en="your variance equals E[X²] = Σ p_i x_i²: the variance is the expected squared deviation from the mean, "
       "Σ p_i (x_i − E[X])²")
VARIANCE_SAMPLE_CORRECTION = Misconception(
    "variance_sample_correction", task="expectation_variance",
    ja="分散が np.cov(values, aweights=probabilities) の既定 (標本の n − 1 補正、Var / (1 − Σ p_i²)) と一致します: "
       "確率分布そのものの分散 Σ p_i (x_i − E[X])² には補正をしません",
    en="your variance equals np.cov(values, aweights=probabilities) with its default sample (n − 1) "
       "correction, Var / (1 − Σ p_i²): the variance of the distribution itself, Σ p_i (x_i − E[X])², has "
       "no correction")
CROSS_ENTROPY_EPSILON = Misconception(
    "cross_entropy_epsilon", task="cross_entropy", lines=(912, 912), errata=True,
    ja="結果は本文のコードのように log の中に 1e-10 を足した −Σ p log(q + 1e-10) と一致します: 何も足さず、"
       "p_i > 0 の項だけを足し合わせます (q_i = 0 なら +inf)",
    en="your result equals −Σ p log(q + 1e-10), with the chapter's 1e-10 inside the log: add nothing and sum "
       "only the terms with p_i > 0 (+inf when such a q_i is 0)")
CROSS_ENTROPY_IN_BITS = Misconception(
    "cross_entropy_in_bits", task="cross_entropy",
    ja="結果は底 2 の対数で計算した交差エントロピー (単位 bits) と一致します: 自然対数 (単位 nats) を使います",
    en="your result equals the cross-entropy in bits (logarithm base 2): use the natural logarithm (nats)")
CROSS_ENTROPY_SWAPPED = Misconception(
    "cross_entropy_swapped", task="cross_entropy",
    ja="結果は引数を入れ替えた H(q, p) = −Σ q log p と一致します: 重みは真の分布 p、対数をとるのは予測 q で、"
       "H(p, q) = −Σ p log q です",
    en="your result equals H(q, p) = −Σ q log p, with the arguments swapped: the true distribution p weighs "
       "the log of the prediction q, H(p, q) = −Σ p log q")
KL_REVERSED = Misconception(
    "kl_reversed", task="kl_divergence",
    ja="結果は向きが逆の D_KL(q ‖ p) = Σ q log(q / p) と一致します: KL ダイバージェンスは非対称で、"
       "D_KL(p ‖ q) = Σ p log(p / q) です",
    en="your result equals the reverse divergence D_KL(q ‖ p) = Σ q log(q / p): the KL divergence is not "
       "symmetric, D_KL(p ‖ q) = Σ p log(p / q)")
KL_EPSILON = Misconception(
    "kl_epsilon", task="kl_divergence",
    ja="結果は q に 1e-10 を足した Σ p log(p / (q + 1e-10)) と一致します: 何も足さず、p_i > 0 なのに q_i = 0 "
       "なら D_KL は +inf です",
    en="your result equals Σ p log(p / (q + 1e-10)), with 1e-10 added to q: add nothing; D_KL is +inf when "
       "q_i = 0 where p_i > 0")
LOGITS_BATCH_SUM = Misconception(
    "logits_batch_sum", task="cross_entropy_from_logits",
    ja="結果はサンプルごとの損失のバッチでの和と一致します: 損失はバッチで平均します (和を N で割る)",
    en="your result equals the sum of the per-sample losses over the batch: the loss is their mean (the sum "
       "divided by N)")
#: The catalogue of this exercise's misconceptions (selftests/variants/ex6_probability/ embody them).
MISCONCEPTIONS = [VARIANCE_WITHOUT_MEAN_SQUARED, VARIANCE_SAMPLE_CORRECTION, CROSS_ENTROPY_EPSILON,
                  CROSS_ENTROPY_IN_BITS, CROSS_ENTROPY_SWAPPED, KL_REVERSED, KL_EPSILON, LOGITS_BATCH_SUM]

#: Conventions the exercise text fixes; named in the failure messages of the tests they decide.
ZERO_CONVENTION = convention(
    "自然対数 (単位 nats) で、0 · log 0 = 0 (p_i = 0 の項は 0)、p_i > 0 で q_i = 0 なら +inf (小さな数は足さない)",
    "natural logarithm (nats), 0 · log 0 = 0 (terms with p_i = 0 are 0), and +inf when q_i = 0 where p_i > 0 "
    "(no small constant added)")
BATCH_MEAN = convention("損失はサンプルごとの損失のバッチ平均 (torch.nn.functional.cross_entropy の既定と同じ)",
                        "the loss is the mean of the per-sample losses over the batch (torch's default)")

# The chapter's examples (3.2 cross_entropy_loss, lines 899-906): class 2 is right.
CHAPTER_TRUE = [0.0, 0.0, 1.0, 0.0, 0.0]
CHAPTER_PREDICTIONS = [[0.1, 0.1, 0.6, 0.1, 0.1], [0.2, 0.2, 0.2, 0.2, 0.2], [0.6, 0.1, 0.1, 0.1, 0.1]]
#: The figure of the HTML report (autograder.results.figures): the chapter's true distribution and
#: its three predictions, with the loss of each in the panel's title.
FIGURE = {"task": "plot_predictions",
          "call": "plot_predictions([0, 0, 1, 0, 0], [[.1, .1, .6, .1, .1], [.2] * 5, [.6, .1, .1, .1, .1]])",
          "args": (CHAPTER_TRUE, CHAPTER_PREDICTIONS)}
# The chapter's sentence (discrete_distributions, lines 722-724): its word lengths.
CHAPTER_TEXT = """Transformers have revolutionized natural language processing
              by introducing self-attention mechanisms that capture long-range
              dependencies in text without recurrence or convolution."""


# ---------------------------------------------------------------------------------------------
# oracles (scipy, torch in float64; never the code under test)
# ---------------------------------------------------------------------------------------------

def _cross_entropy(p, q) -> float:
    """H(p, q) = -sum xlogy(p, q): 0 where p = 0, +inf where q = 0 < p."""
    return float(-np.sum(xlogy(np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64))))


def _cross_entropy_epsilon(p, q) -> float:
    """Misconception CROSS_ENTROPY_EPSILON: -sum(p log(q + 1e-10)) (chapter line 912)."""
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    return float(-np.sum(p * np.log(q + 1e-10)))


def _kl(p, q) -> float:
    """D_KL(p || q) = sum rel_entr(p, q): 0 where p = 0, +inf where q = 0 < p."""
    return float(np.sum(rel_entr(np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64))))


def _kl_epsilon(p, q) -> float:
    """Misconception KL_EPSILON: sum over p > 0 of p log(p / (q + 1e-10))."""
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    s = p > 0
    return float(np.sum(p[s] * np.log(p[s] / (q[s] + 1e-10))))


def _torch_ce(logits, targets) -> float:
    """torch.nn.functional.cross_entropy in float64 (mean over the batch)."""
    z = torch.as_tensor(np.asarray(logits), dtype=torch.float64)
    t = np.asarray(targets)
    tt = torch.as_tensor(t, dtype=torch.long if t.dtype.kind in "iu" else torch.float64)
    return float(F.cross_entropy(z, tt))


def _check_moments(exercise, values, probabilities, mean, var, *, call, rtol=1e-12, atol=1e-12):
    """Check the tuple (mean, variance), naming the variance misconceptions."""
    result = exercise.expectation_variance(values, probabilities)
    check_type(result, tuple, call=call)
    check_equal(len(result), 2, call=call, what="length of the returned tuple (mean, variance)")
    wrong = [VARIANCE_WITHOUT_MEAN_SQUARED.gives(var + mean ** 2)]
    # np.cov(x, aweights=p) divides by 1 - sum p² (undefined for a point mass, 0 / 0).
    one_minus = 1.0 - float(np.sum(np.asarray(probabilities, dtype=np.float64) ** 2))
    if one_minus > 1e-12:
        wrong.append(VARIANCE_SAMPLE_CORRECTION.gives(var / one_minus))
    check_float(result[0], mean, call=call, rtol=rtol, atol=atol, what="mean")
    check_float(result[1], var, call=call, rtol=rtol, atol=atol, what="variance", misconceptions=wrong)


def _check_ce(exercise, p, q, *, call, rtol=1e-12, atol=1e-14):
    expected = _cross_entropy(p, q)
    wrong = [CROSS_ENTROPY_EPSILON.gives(_cross_entropy_epsilon(p, q)),
             CROSS_ENTROPY_IN_BITS.gives(expected / math.log(2)),
             CROSS_ENTROPY_SWAPPED.gives(_cross_entropy(q, p))]
    check_float(exercise.cross_entropy(p, q), expected, call=call, rtol=rtol, atol=atol, misconceptions=wrong)


def _check_kl(exercise, p, q, *, call, rtol=1e-12, atol=1e-14):
    expected = _kl(p, q)
    wrong = [KL_EPSILON.gives(_kl_epsilon(p, q)), KL_REVERSED.gives(_kl(q, p))]
    check_float(exercise.kl_divergence(p, q), expected, call=call, rtol=rtol, atol=atol, misconceptions=wrong)


def _check_logits(exercise, logits, targets, expected, *, call, rtol=1e-12, atol=1e-13):
    n = np.shape(logits)[0]
    with BATCH_MEAN:
        check_float(exercise.cross_entropy_from_logits(logits, targets), expected, call=call, rtol=rtol, atol=atol,
                    misconceptions=[LOGITS_BATCH_SUM.gives(n * expected)])


def _binomial_pmf(n: int, p: float) -> np.ndarray:
    """P(X = k) for k = 0..n of Binomial(n, p), by torch.distributions (float64)."""
    binomial = torch.distributions.Binomial(n, probs=torch.tensor(p, dtype=torch.float64))
    return binomial.log_prob(torch.arange(n + 1, dtype=torch.float64)).exp().numpy()


def _categorical(p) -> torch.distributions.Categorical:
    """torch's Categorical distribution with probabilities ``p`` (float64; 0 log 0 = 0 in its entropy)."""
    return torch.distributions.Categorical(probs=torch.as_tensor(np.asarray(p, dtype=np.float64)))


def _random_pmf(rng, n) -> np.ndarray:
    p = rng.random(n) + 0.05
    return p / p.sum()


# =============================================================================================
# expectation_variance (5 points)
# =============================================================================================

@pytest.mark.task("expectation_variance", points=1)
def test_moments_chapter_examples(exercise):
    """Chapter examples: Binomial(20, 0.3) gives (6, 4.2); the chapter sentence's word lengths give np.mean and np.var (ddof=0) of the lengths.

    ja: 本文の例: 二項分布 Binomial(20, 0.3) は (6, 4.2)。本文の例文の単語長の分布は、単語長の np.mean と np.var (ddof=0) に一致。
    """
    # Hand derivation (chapter lines 698-699): E = np = 20 * 0.3 = 6, Var = np(1 - p) = 6 * 0.7 = 4.2.
    x = np.arange(21)
    pmf = _binomial_pmf(20, 0.3)
    _check_moments(exercise, x, pmf, 6.0, 4.2, call="expectation_variance(range(21), binom.pmf(range(21), 20, 0.3))",
                   rtol=1e-12, atol=1e-12)
    # The chapter's relative frequencies (lines 727-731); the oracle is computed on the raw lengths.
    lengths = np.array([len(w) for w in CHAPTER_TEXT.split()])
    values, counts = np.unique(lengths, return_counts=True)
    _check_moments(exercise, values, counts / lengths.size, float(np.mean(lengths)), float(np.var(lengths)),
                   call="expectation_variance(unique_lengths, counts / len(lengths))  # chapter line 731")


@pytest.mark.task("expectation_variance", points=1)
def test_moments_match_weighted_average(exercise):
    """A pmf on unsorted real values (negative, fractional): the mean and variance match np.average weighted by the pmf.

    ja: 昇順に並んでいない実数値 (負の数や小数を含む) をとる確率質量関数: 期待値と分散は確率で重み付けした np.average に一致。
    """
    rng = np.random.default_rng(0)
    values = np.array([2.5, -1.25, 7.0, 0.0, -3.5, 4.75])
    p = _random_pmf(rng, values.size)
    mean = float(np.average(values, weights=p))
    _check_moments(exercise, values, p, mean, float(np.average((values - mean) ** 2, weights=p)),
                   call="expectation_variance([2.5, -1.25, 7, 0, -3.5, 4.75], p)", rtol=1e-10, atol=1e-12)
    # A list of Python numbers works too; a point mass has variance exactly 0.
    _check_moments(exercise, [3.0, 5.0], [0.0, 1.0], 5.0, 0.0, call="expectation_variance([3, 5], [0, 1])",
                   rtol=0.0, atol=0.0)


@pytest.mark.task("expectation_variance", points=1)
def test_variance_with_large_offset(exercise):
    """Values 1e8 + (0, 1, 2) with p = (1/4, 1/2, 1/4): mean 1e8 + 1, variance 0.5 (no cancellation of E[X²] - E[X]²).

    ja: 値 1e8 + (0, 1, 2)、p = (1/4, 1/2, 1/4): 期待値 1e8 + 1、分散 0.5 (E[X²] − E[X]² の桁落ちなし)。
    """
    # Hand derivation: the deviations from the mean 1e8 + 1 are (-1, 0, 1), so
    # Var = 1/4 * 1 + 1/2 * 0 + 1/4 * 1 = 0.5. Every number here is exact in float64, while
    # E[X²] - E[X]² subtracts two numbers near 1e16 (spacing 2) and gives 0.
    _check_moments(exercise, 1e8 + np.array([0.0, 1.0, 2.0]), [0.25, 0.5, 0.25], 1e8 + 1.0, 0.5,
                   call="expectation_variance(1e8 + [0, 1, 2], [0.25, 0.5, 0.25])", rtol=1e-9, atol=0.0)


@pytest.mark.task("expectation_variance", points=1)
def test_moments_invalid_input_raises(exercise):
    """Lengths that differ, negative, nan or non-summing probabilities, 2-D or empty input raise ValueError; words as values raise TypeError; a sum off by rounding is accepted.

    ja: 長さの違い、負・nan・和が 1 でない確率、2 次元や空の入力は ValueError。値が単語 (文字列) なら TypeError。丸め誤差だけの和のずれは受け付ける。
    """
    bad = {
        "expectation_variance([1, 2, 3], [0.5, 0.5])": ([1.0, 2.0, 3.0], [0.5, 0.5]),
        "expectation_variance([1, 2], [1.2, -0.2])": ([1.0, 2.0], [1.2, -0.2]),
        "expectation_variance([1, 2], [0.5, 0.4])": ([1.0, 2.0], [0.5, 0.4]),
        "expectation_variance([1, 2], [0.5, 0.6])": ([1.0, 2.0], [0.5, 0.6]),
        "expectation_variance([1, 2], [nan, 1])": ([1.0, 2.0], [np.nan, 1.0]),
        "expectation_variance([1, nan], [0.5, 0.5])": ([1.0, np.nan], [0.5, 0.5]),
        "expectation_variance([[1, 2]], [[0.5, 0.5]])": ([[1.0, 2.0]], [[0.5, 0.5]]),
        "expectation_variance([], [])": ([], []),
    }
    for call, (x, p) in bad.items():
        check_raises(ValueError, exercise.expectation_variance, np.array(x), np.array(p), call=call)
    # The chapter's words (line 662) are not numbers.
    check_raises(TypeError, exercise.expectation_variance, np.array(["the", "is", "a"]), np.array([0.5, 0.3, 0.2]),
                 call='expectation_variance(["the", "is", "a"], [0.5, 0.3, 0.2])')
    # The chapter's word probabilities with remaining = 1 - sum(probs) (lines 664-670): the sum is 1
    # up to rounding. Hand derivation of the mean over the values 0..8:
    # 0*.25 + 1*.15 + 2*.12 + 3*.10 + 4*.08 + 5*.08 + 6*.07 + 7*.05 + 8*.1 = 2.98.
    probs = [0.25, 0.15, 0.12, 0.10, 0.08, 0.08, 0.07, 0.05]
    probs.append(1 - sum(probs))
    probs[0] += 1e-12
    result = exercise.expectation_variance(np.arange(9.0), np.array(probs))
    call = "expectation_variance(range(9), probs)  # chapter lines 664-670, sum 1 + 1e-12"
    check_type(result, tuple, call=call)
    check_equal(len(result), 2, call=call, what="length of the returned tuple (mean, variance)")
    check_float(result[0], 2.98, call=call, rtol=1e-9, what="mean")


@pytest.mark.hidden  # not run in released notebooks / 公開版ノートブックでは実行しない
@pytest.mark.task("expectation_variance", points=1)
@given(x=arrays(np.float64, st.integers(1, 8), elements=st.floats(-100.0, 100.0)),
       w=arrays(np.float64, 8, elements=st.floats(0.0, 1.0)), shift=st.floats(-1e3, 1e3), scale=st.floats(-10.0, 10.0))
@example(x=np.array([1.0, 2.0]), w=np.array([0.0, 1.0] + [0.0] * 6), shift=0.0, scale=1.0)
def test_moments_property(exercise, x, w, shift, scale):
    """Property: mean and variance match numpy's weighted averages; a + b·X has mean a + b·E[X] and variance b²·Var[X] >= 0.

    ja: 性質: 期待値と分散は numpy の重み付き平均に一致。a + b·X の期待値は a + b·E[X]、分散は b²·Var[X] >= 0。
    """
    w = w[:x.size].copy()
    if w.sum() == 0:
        w[0] = 1.0
    p = w / w.sum()
    mean = float(np.average(x, weights=p))
    var = float(np.average((x - mean) ** 2, weights=p))
    call = f"expectation_variance(x, p)  # x={x.tolist()}, p={p.tolist()}"
    _check_moments(exercise, x, p, mean, var, call=call, rtol=1e-9, atol=1e-9)
    y = shift + scale * x
    _check_moments(exercise, y, p, shift + scale * mean, scale ** 2 * var, call=call.replace("(x,", "(a + b * x,"),
                   rtol=1e-9, atol=1e-7)


# =============================================================================================
# cross_entropy (4 points)
# =============================================================================================

@pytest.mark.task("cross_entropy", points=1)
def test_cross_entropy_chapter_examples(exercise):
    """Chapter examples: true one-hot class 2, predictions give -log 0.6, -log 0.2 = log 5 and -log 0.1 = log 10.

    ja: 本文の例: 正解がクラス 2 の one-hot で、3 つの予測はそれぞれ −log 0.6、−log 0.2 = log 5、−log 0.1 = log 10。
    """
    # Hand derivation: only the term of class 2 has p_i > 0, so H(p, q) = -1 * log q_2.
    for q, expected in zip(CHAPTER_PREDICTIONS, (-math.log(0.6), math.log(5.0), math.log(10.0))):
        with ZERO_CONVENTION:
            check_float(exercise.cross_entropy(CHAPTER_TRUE, q), expected, call=f"cross_entropy({CHAPTER_TRUE}, {q})",
                        rtol=1e-12, misconceptions=[CROSS_ENTROPY_IN_BITS.gives(expected / math.log(2))])


@pytest.mark.task("cross_entropy", points=1)
def test_cross_entropy_matches_scipy(exercise):
    """Two full-support distributions: H(p, q) = -sum xlogy(p, q) (scipy), differs from H(q, p); mismatched lengths, negative or non-summing input raise ValueError.

    ja: どちらも 0 を含まない 2 つの分布: H(p, q) = −Σ xlogy(p, q) (scipy) で、H(q, p) とは違う。長さの違い・負・和が 1 でない入力は ValueError。
    """
    rng = np.random.default_rng(1)
    p, q = _random_pmf(rng, 6), _random_pmf(rng, 6)
    _check_ce(exercise, p, q, call="cross_entropy(p, q)  # p, q: random, 6 classes")
    _check_ce(exercise, q, p, call="cross_entropy(q, p)")
    for call, (a, b) in {"cross_entropy([0.5, 0.5], [0.2, 0.3, 0.5])": ([0.5, 0.5], [0.2, 0.3, 0.5]),
                         "cross_entropy([1.5, -0.5], [0.5, 0.5])": ([1.5, -0.5], [0.5, 0.5]),
                         "cross_entropy([0.5, 0.5], [0.5, 0.4])": ([0.5, 0.5], [0.5, 0.4]),
                         "cross_entropy([[0.5, 0.5]], [[0.5, 0.5]])": ([[0.5, 0.5]], [[0.5, 0.5]])}.items():
        check_raises(ValueError, exercise.cross_entropy, np.array(a), np.array(b), call=call)


@pytest.mark.task("cross_entropy", points=1)
def test_cross_entropy_zeros_and_infinity(exercise):
    """0 log 0 = 0 without an added epsilon (such as 1e-10): p = q = (1/2, 1/2, 0) gives log 2; q_i = 0 where p_i > 0 gives +inf; q_i = 1e-8 is exact.

    ja: 補正項 (1e-10 など) を足さずに 0 log 0 = 0 として: p = q = (1/2, 1/2, 0) は log 2。p_i > 0 で q_i = 0 なら +inf。q_i = 1e-8 でも正確。
    """
    with ZERO_CONVENTION:
        # Hand derivation: -(1/2 log 1/2 + 1/2 log 1/2 + 0 log 0) = log 2.
        _check_ce(exercise, [0.5, 0.5, 0.0], [0.5, 0.5, 0.0], call="cross_entropy([0.5, 0.5, 0], [0.5, 0.5, 0])")
        # -1 * log 0 = +inf: the prediction gives the true class no probability at all.
        _check_ce(exercise, [1.0, 0.0, 0.0], [0.0, 0.5, 0.5], call="cross_entropy([1, 0, 0], [0, 0.5, 0.5])")
        # -(1/2 log 1e-8 + 1/2 log(1 - 1e-8)); log(1e-8 + 1e-10) is off by about 0.01.
        _check_ce(exercise, [0.5, 0.5], [1e-8, 1.0 - 1e-8], call="cross_entropy([0.5, 0.5], [1e-8, 1 - 1e-8])")


#: Raw weights for two distributions of one length: p may have zeros, q has full support.
_P_WEIGHTS = arrays(np.float64, st.integers(1, 7), elements=st.one_of(st.just(0.0), st.floats(1e-3, 1.0)))
_Q_WEIGHTS = arrays(np.float64, 7, elements=st.floats(1e-3, 1.0))


def _normalised(a, b) -> tuple[np.ndarray, np.ndarray]:
    """p = a / sum a (some mass guaranteed) and q = the first len(a) entries of b, normalised."""
    a = a.copy()
    if a.sum() == 0:
        a[0] = 1.0
    return a / a.sum(), b[:a.size] / b[:a.size].sum()


@pytest.mark.hidden  # not run in released notebooks / 公開版ノートブックでは実行しない
@pytest.mark.task("cross_entropy", points=1)
@given(a=_P_WEIGHTS, b=_Q_WEIGHTS)
def test_cross_entropy_property(exercise, a, b):
    """Property (Gibbs): H(p, q) >= H(p) (the entropy of torch's Categorical(p)), with equality H(p, p) = H(p); H(p, q) matches -sum xlogy(p, q).

    ja: 性質 (ギブスの不等式): H(p, q) >= H(p) (torch の Categorical(p) のエントロピー)、H(p, p) = H(p)。H(p, q) は −Σ xlogy(p, q) に一致。
    """
    p, q = _normalised(a, b)
    call = f"cross_entropy(p, q)  # p={p.tolist()}, q={q.tolist()}"
    h_pq = exercise.cross_entropy(p, q)
    _check_ce(exercise, p, q, call=call, rtol=1e-9, atol=1e-12)
    h_p = float(_categorical(p).entropy())
    with ZERO_CONVENTION:
        check_float(exercise.cross_entropy(p, p), h_p, call="cross_entropy(p, p)", rtol=1e-9, atol=1e-12)
    if float(h_pq) < h_p - 1e-12:
        fail(f"{call} = {h_pq} がエントロピー H(p) = {h_p} より小さくなっています (ギブスの不等式に反します)。",
             f"{call} = {h_pq} is below the entropy H(p) = {h_p} (Gibbs' inequality says H(p, q) >= H(p)).")


# =============================================================================================
# kl_divergence (4 points)
# =============================================================================================

@pytest.mark.task("kl_divergence", points=1)
def test_kl_matches_scipy(exercise):
    """Two full-support distributions: D_KL(p || q) = sum rel_entr(p, q) = torch's kl_divergence of two Categoricals; mismatched lengths or non-distributions raise ValueError.

    ja: どちらも 0 を含まない 2 つの分布: D_KL(p ‖ q) = Σ rel_entr(p, q) = torch の 2 つの Categorical の kl_divergence。長さの違いや確率分布でない入力は ValueError。
    """
    rng = np.random.default_rng(2)
    p, q = _random_pmf(rng, 5), _random_pmf(rng, 5)
    torch_kl = torch.distributions.kl_divergence(_categorical(p), _categorical(q))
    assert math.isclose(_kl(p, q), float(torch_kl), rel_tol=1e-12)  # two oracles agree
    _check_kl(exercise, p, q, call="kl_divergence(p, q)  # p, q: random, 5 classes")
    for call, (a, b) in {"kl_divergence([0.5, 0.5], [1.0])": ([0.5, 0.5], [1.0]),
                         "kl_divergence([0.5, 0.5], [1.5, -0.5])": ([0.5, 0.5], [1.5, -0.5]),
                         "kl_divergence([0.7, 0.7], [0.5, 0.5])": ([0.7, 0.7], [0.5, 0.5])}.items():
        check_raises(ValueError, exercise.kl_divergence, np.array(a), np.array(b), call=call)


@pytest.mark.task("kl_divergence", points=1)
def test_kl_is_not_symmetric(exercise):
    """p = (1/2, 1/2), q = (0.9, 0.1): D_KL(p || q) = ½ log(25/9) and D_KL(q || p) = 0.9 log 1.8 + 0.1 log 0.2 differ.

    ja: p = (1/2, 1/2)、q = (0.9, 0.1): D_KL(p ‖ q) = ½ log(25/9) と D_KL(q ‖ p) = 0.9 log 1.8 + 0.1 log 0.2 は違う。
    """
    # Hand derivation: D_KL(p || q) = 1/2 log(0.5 / 0.9) + 1/2 log(0.5 / 0.1) = 1/2 log(25 / 9) ≈ 0.5108;
    # D_KL(q || p) = 0.9 log(0.9 / 0.5) + 0.1 log(0.1 / 0.5) = 0.9 log 1.8 + 0.1 log 0.2 ≈ 0.3681.
    p, q = [0.5, 0.5], [0.9, 0.1]
    forward, backward = 0.5 * math.log(25.0 / 9.0), 0.9 * math.log(1.8) + 0.1 * math.log(0.2)
    check_float(exercise.kl_divergence(p, q), forward, call="kl_divergence([0.5, 0.5], [0.9, 0.1])", rtol=1e-12,
                misconceptions=[KL_REVERSED.gives(backward)])
    check_float(exercise.kl_divergence(q, p), backward, call="kl_divergence([0.9, 0.1], [0.5, 0.5])", rtol=1e-12,
                misconceptions=[KL_REVERSED.gives(forward)])


@pytest.mark.task("kl_divergence", points=1)
def test_kl_zeros_and_infinity(exercise):
    """D_KL(p || p) is 0; p = (1/2, 1/2, 0), q = (1/4, 1/4, 1/2) gives log 2; q_i = 0 where p_i > 0 gives +inf (no 1e-10); p ≈ q never gives a negative number.

    ja: D_KL(p ‖ p) は 0。p = (1/2, 1/2, 0)、q = (1/4, 1/4, 1/2) は log 2。p_i > 0 で q_i = 0 なら +inf (1e-10 は足さない)。p ≈ q でも負の値にはならない。
    """
    with ZERO_CONVENTION:
        p = np.array([0.1, 0.2, 0.3, 0.4, 0.0])
        check_float(exercise.kl_divergence(p, p), 0.0, call="kl_divergence(p, p)  # p = [.1, .2, .3, .4, 0]",
                    rtol=0.0, atol=1e-15)
        # Hand derivation: 1/2 log(1/2 / 1/4) * 2 + 0 log(0 / 1/2) = log 2.
        _check_kl(exercise, [0.5, 0.5, 0.0], [0.25, 0.25, 0.5], call="kl_divergence([0.5, 0.5, 0], [0.25, 0.25, 0.5])")
        # 1/2 log(1/2 / 0) = +inf.
        _check_kl(exercise, [0.5, 0.5, 0.0], [1.0, 0.0, 0.0], call="kl_divergence([0.5, 0.5, 0], [1, 0, 0])")
    # p ≈ q (q is p with each entry changed by about 1e-9, then normalised). Both sum to 1 only up to
    # rounding (1 - 1.1e-16 and 1 - 3.5e-18), and Σ p_i (log p_i - log q_i) on these floats is -1.0e-16
    # (checked with mpmath at 50 digits; -7.8e-17 in float64). D_KL of two distributions is never
    # negative: the text asks for 0.0 when the sum comes out below 0.
    p = np.array([0.13139089030396614, 0.019954829182505313, 0.00804925015178311, 0.3960769575916508,
                  0.44452807277009454])
    q = np.array([0.13139089055330655, 0.01995482921325132, 0.008049250150897403, 0.39607695732559717,
                  0.44452807275694756])
    call = "kl_divergence(p, q)  # p ≈ q: entries differ by about 1e-9"
    d = exercise.kl_divergence(p, q)
    check_type(d, float, call=call)
    if not 0.0 <= d <= 1e-15:
        fail(f"{call} = {d!r}: 0 以上 1e-15 以下のはずです (丸めで負になった和は 0.0 にします)。",
             f"{call} = {d!r}: expected between 0 and 1e-15 (a sum rounded below 0 becomes 0.0).")


@pytest.mark.hidden  # not run in released notebooks / 公開版ノートブックでは実行しない
@pytest.mark.task("kl_divergence", points=1)
@given(a=_P_WEIGHTS, b=_Q_WEIGHTS)
def test_kl_property(exercise, a, b):
    """Property: D_KL(p || q) matches sum rel_entr(p, q) (scipy), is >= 0, and D_KL(p || p) = 0.

    ja: 性質: D_KL(p ‖ q) は scipy の rel_entr(p, q) の和に一致し、0 以上、D_KL(p ‖ p) = 0。
    """
    p, q = _normalised(a, b)
    call = f"kl_divergence(p, q)  # p={p.tolist()}, q={q.tolist()}"
    d = exercise.kl_divergence(p, q)
    _check_kl(exercise, p, q, call=call, rtol=1e-9, atol=1e-12)
    if float(d) < 0.0:
        fail(f"{call} = {d} が負です (D_KL は 0 以上)。", f"{call} = {d} is negative (D_KL is never negative).")
    with ZERO_CONVENTION:
        check_float(exercise.kl_divergence(p, p), 0.0, call="kl_divergence(p, p)", rtol=0.0, atol=1e-15)


# =============================================================================================
# cross_entropy_from_logits (5 points)
# =============================================================================================

@pytest.mark.task("cross_entropy_from_logits", points=1)
def test_logits_class_indices_match_torch(exercise):
    """Batched (4, 5) logits with class indices match torch F.cross_entropy (mean); the chapter's predictions as logits log q give the mean of -log q_2.

    ja: バッチ (4, 5) のロジットとクラス番号: torch の F.cross_entropy (平均) に一致。本文の予測をロジット log q にすると −log q_2 の平均。
    """
    rng = np.random.default_rng(3)
    logits = 3.0 * rng.standard_normal((4, 5))
    targets = np.array([2, 0, 4, 1])
    _check_logits(exercise, logits, targets, _torch_ce(logits, targets),
                  call="cross_entropy_from_logits(logits, [2, 0, 4, 1])  # logits: 4x5")
    # Hand derivation: softmax(log q) = q for a distribution q, so the loss of sample n is -log q_n[2]
    # and the mean is (-log 0.6 + log 5 + log 10) / 3.
    chapter = np.log(np.array(CHAPTER_PREDICTIONS))
    _check_logits(exercise, chapter, np.array([2, 2, 2]), (-math.log(0.6) + math.log(5.0) + math.log(10.0)) / 3.0,
                  call="cross_entropy_from_logits(log(predictions), [2, 2, 2])  # chapter lines 902-906")


@pytest.mark.task("cross_entropy_from_logits", points=1)
def test_logits_probability_targets_match_torch(exercise):
    """Batched (3, 4) logits with soft-label rows (some zeros) match torch F.cross_entropy with probability targets (mean).

    ja: バッチ (3, 4) のロジットとソフトラベル (0 を含む行もある): 確率の targets を渡した torch の F.cross_entropy (平均) に一致。
    """
    rng = np.random.default_rng(4)
    logits = 2.0 * rng.standard_normal((3, 4))
    targets = np.array([[0.7, 0.1, 0.2, 0.0], [0.0, 0.0, 1.0, 0.0], [0.25, 0.25, 0.25, 0.25]])
    _check_logits(exercise, logits, targets, _torch_ce(logits, targets),
                  call="cross_entropy_from_logits(logits, soft_targets)  # logits: 3x4, soft_targets: 3x4")


@pytest.mark.task("cross_entropy_from_logits", points=1)
def test_logits_large_values_are_stable(exercise):
    """Logits around ±1000 (log-sum-exp, no overflow to nan/inf): [[1000, 1001, 1002], [-1000, 0, 1000]] match torch, for class indices and soft labels.

    ja: ±1000 程度のロジット (log-sum-exp、nan/inf にあふれない): [[1000, 1001, 1002], [-1000, 0, 1000]] が torch に一致 (クラス番号でもソフトラベルでも)。
    """
    # Hand derivation for targets (2, 0): row 0 loses log(1 + e^-1 + e^-2) ≈ 0.4076 (1002 is the largest);
    # row 1 loses 1000 - (-1000) = 2000 (up to e^-1000, below float64's resolution). torch agrees.
    logits = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, 0.0, 1000.0]])
    by_hand = (math.log(1.0 + math.exp(-1.0) + math.exp(-2.0)) + 2000.0) / 2.0
    assert math.isclose(by_hand, _torch_ce(logits, np.array([2, 0])), rel_tol=1e-14)  # two oracles agree
    _check_logits(exercise, logits, np.array([2, 0]), by_hand,
                  call="cross_entropy_from_logits([[1000, 1001, 1002], [-1000, 0, 1000]], [2, 0])")
    soft = np.array([[0.0, 0.5, 0.5], [0.5, 0.0, 0.5]])
    _check_logits(exercise, logits, soft, _torch_ce(logits, soft),
                  call="cross_entropy_from_logits([[1000, 1001, 1002], [-1000, 0, 1000]], [[0, .5, .5], [.5, 0, .5]])")


@pytest.mark.task("cross_entropy_from_logits", points=1)
def test_logits_invalid_input_raises(exercise):
    """1-D, empty or non-finite logits, targets of the wrong shape, class indices out of range and soft labels that are not distributions raise ValueError; boolean targets raise TypeError. One valid call (zero logits, classes [0, 1]) matches torch.

    ja: 1 次元・空・有限でないロジット、形の合わない targets、範囲外のクラス番号、確率分布でないソフトラベルは ValueError。真偽値の targets は TypeError。正しい入力での呼び出し 1 回 (ゼロのロジット、クラス [0, 1]) は torch に一致する。
    """
    z = np.zeros((2, 3))
    # By hand: zero logits give softmax 1/3 everywhere, so each sample loses log 3 (torch agrees).
    call = "cross_entropy_from_logits(zeros((2, 3)), [0, 1])"
    with BATCH_MEAN:
        check_float(check_accepts(exercise.cross_entropy_from_logits, z, np.array([0, 1]), call=call),
                    _torch_ce(z, np.array([0, 1])), call=call, rtol=1e-12, atol=1e-13)
    bad = {
        "cross_entropy_from_logits([0, 0, 0], [1])  # 1-D logits": (np.zeros(3), np.array([1])),
        "cross_entropy_from_logits(np.zeros((0, 3)), [])": (np.zeros((0, 3)), np.array([], dtype=int)),
        "cross_entropy_from_logits([[0, nan, 0], [0, 0, 0]], [0, 1])": (np.array([[0, np.nan, 0], [0, 0, 0]]),
                                                                         np.array([0, 1])),
        "cross_entropy_from_logits(zeros((2, 3)), [0, 1, 2])": (z, np.array([0, 1, 2])),
        "cross_entropy_from_logits(zeros((2, 3)), [0, 3])": (z, np.array([0, 3])),
        "cross_entropy_from_logits(zeros((2, 3)), [-1, 0])": (z, np.array([-1, 0])),
        "cross_entropy_from_logits(zeros((2, 3)), ones((2, 2)) / 2)": (z, np.ones((2, 2)) / 2),
        "cross_entropy_from_logits(zeros((2, 3)), [[.5, .5, 0], [.5, .4, 0]])": (z, np.array([[.5, .5, 0],
                                                                                            [.5, .4, 0]])),
        "cross_entropy_from_logits(zeros((2, 3)), [[1.5, -.5, 0], [1, 0, 0]])": (z, np.array([[1.5, -.5, 0],
                                                                                            [1.0, 0, 0]])),
    }
    for call, (logits, targets) in bad.items():
        check_raises(ValueError, exercise.cross_entropy_from_logits, logits, targets, call=call)
    check_raises(TypeError, exercise.cross_entropy_from_logits, z, np.array([True, False]),
                 call="cross_entropy_from_logits(zeros((2, 3)), [True, False])")


@pytest.mark.hidden  # not run in released notebooks / 公開版ノートブックでは実行しない
@pytest.mark.task("cross_entropy_from_logits", points=1)
@given(logits=arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 6)), elements=st.floats(-50.0, 50.0)),
       shift=st.floats(-800.0, 800.0), data=st.data())
def test_logits_property(exercise, logits, shift, data):
    """Property: matches torch F.cross_entropy for random class indices, and adding a constant to every logit changes nothing.

    ja: 性質: 乱数のクラス番号で torch の F.cross_entropy に一致し、すべてのロジットに同じ定数を足しても損失は変わらない。
    """
    n, c = logits.shape
    targets = np.array(data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)), dtype=np.int64)
    expected = _torch_ce(logits, targets)
    call = f"cross_entropy_from_logits(logits, {targets.tolist()})  # logits: {n}x{c}"
    _check_logits(exercise, logits, targets, expected, call=call, rtol=1e-9, atol=1e-9)
    _check_logits(exercise, logits + shift, targets, expected, call=call.replace("(logits,", f"(logits + {shift},"),
                  rtol=1e-9, atol=1e-9)


# =============================================================================================
# plot_predictions (2 points)
# =============================================================================================

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_FIGURE_CALL = FIGURE["call"]


def _chapter_figure(exercise):
    fig = exercise.plot_predictions(CHAPTER_TRUE, CHAPTER_PREDICTIONS)
    check_type(fig, Figure, call=_FIGURE_CALL)
    check_count(fig.axes, len(CHAPTER_PREDICTIONS), call=_FIGURE_CALL,
                what="panels (Axes), one per prediction / パネル (Axes、予測ごとに 1 つ)")
    return fig


@pytest.mark.task("plot_predictions", points=1)
def test_plot_panels_and_bars(exercise):
    """Chapter figure: one panel per prediction, with two bar series drawn by ax.bar: first the true distribution, then the prediction.

    ja: 本文の図: 予測ごとに 1 パネル、ax.bar で描いた 2 組の棒: 先に真の分布、次に予測分布。
    """
    fig = _chapter_figure(exercise)
    try:
        for i, (ax, q) in enumerate(zip(fig.axes, CHAPTER_PREDICTIONS)):
            bars = [c for c in ax.containers if isinstance(c, BarContainer)]
            if len(bars) != 2:
                fail(f"{_FIGURE_CALL}: パネル {i} の棒の組 (ax.bar の呼び出し) が {len(bars)} 組です。"
                     f"真の分布と予測分布の 2 組を描いてください。",
                     f"{_FIGURE_CALL}: panel {i} has {len(bars)} bar series (ax.bar calls); draw two, the true "
                     f"distribution and the prediction.")
            for what, container, expected in (("true", bars[0], CHAPTER_TRUE), ("predicted", bars[1], q)):
                heights = np.array([r.get_height() for r in container.patches], dtype=np.float64)
                check_array(heights, np.array(expected), call=_FIGURE_CALL, rtol=1e-12,
                            what=f"bar heights of the {what} distribution in panel {i}")
    finally:
        plt.close(fig)


@pytest.mark.task("plot_predictions", points=1)
def test_plot_titles_show_the_loss(exercise):
    """Each panel's title shows its loss H(p, q) (cross_entropy(p, q)) to three decimals: 0.511, 1.609, 2.303.

    ja: 各パネルのタイトルに損失 H(p, q) (cross_entropy(p, q)) が小数 3 桁で表示される: 0.511、1.609、2.303。
    """
    fig = _chapter_figure(exercise)
    try:
        for i, (ax, q) in enumerate(zip(fig.axes, CHAPTER_PREDICTIONS)):
            title = ax.get_title()
            shown = [float(s) for s in re.findall(_NUMBER, title)]
            # Hand derivation: -log q_2 with q_2 = 0.6, 0.2, 0.1 (see the cross_entropy tests).
            expected = -math.log(q[2])
            if any(abs(v - expected) <= 0.0005 + 1e-9 for v in shown):
                continue
            # The title shows cross_entropy(p, q): the submission's own value is accepted too (docs/authoring.md,
            # figures); it is called only when the title does not show the correct one.
            own = own_array(exercise.cross_entropy, CHAPTER_TRUE, q, shape=())
            if own is not None and any(abs(v - float(own)) <= 0.0005 + 1e-9 for v in shown):
                continue
            fail(f"{_FIGURE_CALL}: パネル {i} のタイトル {title!r} に損失 H(p, q) = {expected:.3f} "
                 f"(小数 3 桁) がありません。",
                 f"{_FIGURE_CALL}: the title {title!r} of panel {i} does not show the loss H(p, q) = "
                 f"{expected:.3f} (three decimals).")
    finally:
        plt.close(fig)
