"""Graded tests for ex3_attention (chapter 3.1 Attention機構の数学的基礎, 3.2 softmax_as_probability).

Oracles: torch.softmax and torch.nn.functional.scaled_dot_product_attention in float64 (with
``scale=1/(sqrt(d_k)*T)`` and a boolean ``attn_mask``, True = attend), scipy.special.entr (-p log p,
0 at p = 0; lighter to import than scipy.stats.entropy, same values for normalised rows), and
values derived by hand (derivations in comments). Misconceptions (``MISCONCEPTIONS``) are named when a
wrong value is exactly what a known mistake gives: the same oracles applied with the mistake (another
divisor than sqrt(d_k), a softmax over the whole array, x * T, log base 2, log(p + 1e-10)).
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
from hypothesis.extra.numpy import array_shapes, arrays
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from scipy.special import entr

from autograder.compare import (Misconception, check_accepts, check_array, check_count, check_equal, check_float,
                                check_raises, check_type, convention, fail)
from autograder.ownvalues import own_array

pytestmark = pytest.mark.exercise("ex3_attention")
#: The exercise's title in the score table and reports (Japanese, English).
TITLE = ("温度付き Scaled Dot-Product Attention", "Attention with temperature")

#: torch's private attention kernels (what F.scaled_dot_product_attention dispatches to; they
#: return the attention weights, a softmax).
PRIVATE_ATTENTION = (
    "torch._scaled_dot_product_attention_math", "torch._scaled_dot_product_flash_attention_for_cpu",
    "torch._scaled_dot_product_flash_attention", "torch._scaled_dot_product_efficient_attention",
    "torch._scaled_dot_product_cudnn_attention", "torch._native_multi_head_attention",
    "torch._triton_multi_head_attention", "torch._triton_scaled_dot_attention", "torch._fused_sdp_choice",
)
#: Libraries' softmax, log-softmax, logsumexp and attention.
FORBIDDEN_SOFTMAX = PRIVATE_ATTENTION + (
    "torch.softmax", "torch.log_softmax", "torch.special.softmax", "torch.special.log_softmax",
    "torch.nn.functional.softmax", "torch.nn.functional.log_softmax",
    "torch.nn.functional.scaled_dot_product_attention", "torch.nn.functional.multi_head_attention_forward",
    "torch.nn.functional.softmin", "torch.nn.functional.gumbel_softmax", "torch.nn.Softmax", "torch.nn.Softmax2d",
    "torch.nn.Softmin", "torch.nn.LogSoftmax", "torch.nn.MultiheadAttention", "torch._softmax",
    "torch._log_softmax", "torch._softmax_backward_data", "torch.softmin", "torch.logsumexp",
    "torch.special.logsumexp", "torch.sparse.softmax", "torch.sparse.log_softmax", "torch.ops", "torch._ops",
    "torch.logcumsumexp",  # its last element is the log-sum-exp (a red-team helper's note)
    # torch._VF's softmax family only: torch.einsum, split, norm, broadcast_tensors go through torch._VF too
    "torch._VF.softmax", "torch._VF.log_softmax", "torch._VF._softmax", "torch._VF._log_softmax",
    "torch._VF.logsumexp", "torch._VF._safe_softmax", "torch._VF._masked_softmax", "torch._safe_softmax",
    "torch._masked_softmax", "torch._nested_tensor_softmax_with_shape",
    # torch._C._nn's attention and cross-entropy only: F.linear, F.gelu, F.pad... live there too
    "torch._C._nn.scaled_dot_product_attention", "torch._C._nn.cross_entropy_loss",
    "torch.nn.functional.cross_entropy", "scipy.special.softmax", "scipy.special.log_softmax",
    "scipy.special.logsumexp", "jax", "tensorflow", "sklearn",
    # NumPy's log-sum-exp: np.logaddexp.reduce(z) is logsumexp(z) (red team round 9)
    "numpy.logaddexp", "numpy.logaddexp2",
    # what computes a softmax inside: a distribution's normalised logits and probabilities, torch's
    # Transformer layers and their fused kernel (weights chosen to give softmax(x): red team)
    "torch.distributions", "torch._transformer_encoder_layer_fwd", "torch.nn.modules.transformer",
    "torch.nn.Transformer", "torch.nn.TransformerEncoder", "torch.nn.TransformerEncoderLayer",
    "torch.nn.TransformerDecoder", "torch.nn.TransformerDecoderLayer",
)
#: Libraries' entropies (and x log y with its 0 log 0 = 0 built in, as in ex6).
FORBIDDEN_ENTROPY = (
    "scipy.stats.entropy", "scipy.stats.differential_entropy", "scipy.special.entr", "scipy.special.rel_entr",
    "scipy.special.kl_div", "scipy.special.xlogy", "scipy.special.xlog1py", "torch.special.entr",
    "torch.special.xlogy", "torch.xlogy", "torch.distributions", "torch.special.xlog1py",
    # p log p inside: KL divergence and binary cross-entropy kernels (F.kl_div(0, p) is p log p: red team)
    "torch.nn.functional.kl_div", "torch.kl_div", "torch.nn.KLDivLoss", "torch.nn.functional.binary_cross_entropy",
    "torch._C._nn.binary_cross_entropy", "torch.nn.BCELoss",
)
NO_SOFTMAX_METHODS = ("softmax", "log_softmax", "logsumexp")  # tensor.softmax(-1) and the like
#: "From scratch" rules (docs/authoring.md, autograder.core.scratch): the library calls each task's
#: code may not use, checked in the submission's code and while the task's tests run.
RULES = [
    {"task": "softmax", "forbidden": FORBIDDEN_SOFTMAX, "forbidden_methods": NO_SOFTMAX_METHODS},
    {"task": "scaled_dot_product_attention", "forbidden": FORBIDDEN_SOFTMAX, "forbidden_methods": NO_SOFTMAX_METHODS},
    {"task": "attention_entropy", "forbidden": FORBIDDEN_SOFTMAX, "forbidden_methods": NO_SOFTMAX_METHODS},
    {"task": "plot_temperature_effect", "forbidden": FORBIDDEN_SOFTMAX, "forbidden_methods": NO_SOFTMAX_METHODS},
    {"task": "attention_entropy", "forbidden": FORBIDDEN_ENTROPY},
]

#: The chapter's model dimension (line 476: ``def __init__(self, d_model=64)``), which its code
#: divides the scores by (lines 478-501).
CHAPTER_D_MODEL = 64

# Misconceptions (docs/authoring.md): known mistakes the failure message names when the student's
# value is exactly what the mistake gives; each test computes that value by applying the mistake
# to its own oracle (torch with another scale, a softmax over the whole array, ...).
SCALE_BY_SQRT_D_MODEL = Misconception(
    "scale_by_sqrt_d_model", task="scaled_dot_product_attention", lines=(478, 501), errata=True,
    ja="結果はスコアを本文のコードのように √d_model (= 64) で割ったときの値と一致します: "
       "割るのはキーの次元 d_k (Q.shape[-1]) の平方根 √d_k です",
    en="your result equals dividing the scores by √d_model (= 64) as the chapter's code does: "
       "divide by √d_k, the square root of the key dimension d_k = Q.shape[-1]")
SCALE_BY_SQRT_D_V = Misconception(
    "scale_by_sqrt_d_v", task="scaled_dot_product_attention",
    ja="結果はスコアを値の次元 d_v (V.shape[-1]) の平方根 √d_v で割ったときの値と一致します: "
       "割るのはキーの次元 d_k (Q.shape[-1]) の平方根 √d_k です",
    en="your result equals dividing the scores by √d_v, the square root of the value dimension "
       "d_v = V.shape[-1]: divide by √d_k, with d_k = Q.shape[-1] the key dimension")
SCALE_BY_D_K = Misconception(
    "scale_by_d_k", task="scaled_dot_product_attention",
    ja="結果はスコアを d_k そのもので割ったときの値と一致します: 割るのは d_k の平方根 √d_k です",
    en="your result equals dividing the scores by d_k itself: divide by its square root √d_k")
SCORES_UNSCALED = Misconception(
    "scores_unscaled", task="scaled_dot_product_attention",
    ja="結果はスコア Q Kᵀ を割らずに softmax に渡したときの値と一致します: √d_k (d_k = Q.shape[-1]) で割ってから "
       "softmax に渡します (q · k の標準偏差は √d_k で、割らないと重みが 1 つのキーに偏ります)",
    en="your result equals passing the scores Q Kᵀ to softmax without dividing them: divide by √d_k "
       "(d_k = Q.shape[-1]) first (q · k has standard deviation √d_k; unscaled, the weights pile onto one key)")
SOFTMAX_WHOLE_MATRIX = Misconception(
    "softmax_whole_matrix", task="softmax", lines=(850, 854), errata=True,
    ja="結果は本文のコードのように配列全体を 1 つの分布として正規化した softmax と一致します: "
       "axis に沿って (既定では各行を) 別々に正規化し、それぞれの和を 1 にします",
    en="your result equals a softmax that normalises the whole array as one distribution, as the "
       "chapter's code does: normalise along axis (by default each row) separately, each summing to 1")
SOFTMAX_IGNORES_AXIS = Misconception(
    "softmax_ignores_axis", task="softmax",
    ja="結果は axis の値にかかわらず最後の軸で正規化した softmax と一致します: 指定された axis に沿って正規化します",
    en="your result equals a softmax over the last axis whatever axis is given: normalise along the given axis")
SOFTMAX_FIRST_AXIS = Misconception(
    "softmax_first_axis", task="softmax",
    ja="結果は axis の値にかかわらず最初の軸 (axis=0) で正規化した softmax と一致します (行列なら各列の和が 1): "
       "指定された axis に沿って正規化します (既定の axis=-1 なら各行の和が 1)",
    en="your result equals a softmax over the first axis (axis=0) whatever axis is given (for a matrix, each "
       "column sums to 1): normalise along the given axis (the default axis=-1: each row sums to 1)")
TEMPERATURE_MULTIPLIED = Misconception(
    "temperature_multiplied", task="softmax",
    ja="結果はロジットに温度 T を掛けた softmax(x · T) と一致します: 温度で割ってください (softmax(x / T))",
    en="your result equals softmax(x · T), the logits multiplied by the temperature: divide them by it, "
       "softmax(x / T)")
SOFTMAX_OVERFLOW = Misconception(
    "softmax_overflow", task="softmax",
    ja="結果は最大値を引かずに exp(x) / Σ exp(x) をそのまま計算したときの値 (nan) と一致します: exp(1000) は inf に"
       "あふれ (inf / inf = nan)、exp(-1000) は 0 になります (0 / 0 = nan)。本文 522 行のように先に最大値を引きます "
       "(softmax(x) = softmax(x − max x) なので値は変わりません)",
    en="your result equals exp(x) / Σ exp(x) computed as it stands, without subtracting the maximum (nan): exp(1000) "
       "overflows to inf (inf / inf = nan) and exp(-1000) underflows to 0 (0 / 0 = nan). Subtract the maximum first, "
       "as the chapter does at line 522 (softmax(x) = softmax(x − max x): the values do not change)")
ENTROPY_EPSILON = Misconception(
    "entropy_epsilon", task="attention_entropy", lines=(879, 880),
    ja="結果は本文のコードのように log の中に 1e-10 を足した -Σ p log(p + 1e-10) と一致します: "
       "何も足さず、p > 0 の項だけを足し合わせます (0 · log 0 = 0)",
    en="your result equals -Σ p log(p + 1e-10), with the chapter's 1e-10 inside the log: add nothing, "
       "and sum only the terms with p > 0 (0 · log 0 = 0)")
ENTROPY_IN_BITS = Misconception(
    "entropy_in_bits", task="attention_entropy",
    ja="結果は底 2 の対数で計算したエントロピー (単位 bits) と一致します: 自然対数 (単位 nats) を使います",
    en="your result equals the entropy in bits (logarithm base 2): use the natural logarithm (nats)")
#: The catalogue of this exercise's misconceptions (selftests/variants/ex3_attention/ embody them).
MISCONCEPTIONS = [SCALE_BY_SQRT_D_MODEL, SCALE_BY_SQRT_D_V, SCALE_BY_D_K, SCORES_UNSCALED, SOFTMAX_WHOLE_MATRIX, SOFTMAX_IGNORES_AXIS,
                  SOFTMAX_FIRST_AXIS, TEMPERATURE_MULTIPLIED, SOFTMAX_OVERFLOW, ENTROPY_EPSILON, ENTROPY_IN_BITS]

# The chapter's example (3.2 softmax_as_probability).
CHAPTER_LOGITS = [2.0, 1.0, 0.1, -1.0, -2.0]
CHAPTER_TEMPERATURES = [0.1, 0.5, 1.0, 2.0, 5.0]
#: The figure of the HTML report (autograder.results.figures): the chapter's logits and temperatures.
FIGURE = {"task": "plot_temperature_effect",
          "call": "plot_temperature_effect([2, 1, 0.1, -1, -2], [0.1, 0.5, 1, 2, 5])",
          "args": (CHAPTER_LOGITS, CHAPTER_TEMPERATURES)}


# ---------------------------------------------------------------------------------------------
# oracles (torch in float64; never the code under test)
# ---------------------------------------------------------------------------------------------

def _entropy(p) -> np.ndarray:
    """Shannon entropy in nats of each row of ``p`` (last axis): sum of scipy.special.entr."""
    return np.sum(entr(np.asarray(p, dtype=np.float64)), axis=-1)


def _t(a) -> torch.Tensor:
    return torch.as_tensor(np.asarray(a), dtype=torch.float64)


def _torch_softmax(x, dim: int = -1, temperature: float = 1.0) -> np.ndarray:
    return torch.softmax(_t(x) / temperature, dim=dim).numpy()


def _torch_softmax_whole(x, temperature: float = 1.0) -> np.ndarray:
    """Misconception SOFTMAX_WHOLE_MATRIX: torch.softmax over all entries of ``x`` at once."""
    t = _t(x)
    return torch.softmax(t.reshape(-1) / temperature, dim=0).reshape(t.shape).numpy()


def _entropy_epsilon(p) -> np.ndarray:
    """Misconception ENTROPY_EPSILON: -sum(p log(p + 1e-10)) over the last axis (chapter line 880)."""
    p = np.asarray(p, dtype=np.float64)
    return -np.sum(p * np.log(p + 1e-10), axis=-1)


def _torch_attention(Q, K, V, mask=None, temperature: float = 1.0, divisor: float | None = None
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Oracle (output, weights). Output from torch's SDPA, weights from torch.softmax.

    ``divisor``: what the scores are divided by instead of sqrt(d_k) (a misconception's value).
    """
    q, k, v = _t(Q), _t(K), _t(V)
    d_k = q.shape[-1]
    scale = 1.0 / ((math.sqrt(d_k) if divisor is None else divisor) * temperature)
    m = None if mask is None else torch.as_tensor(np.asarray(mask), dtype=torch.bool)
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=m, scale=scale)
    scores = (q @ k.transpose(-2, -1)) * scale
    if m is not None:
        scores = scores.masked_fill(~m, float("-inf"))
    return out.numpy(), torch.softmax(scores, dim=-1).numpy()


#: Conventions the exercise text fixes; named in the failure messages of the tests they decide.
MASK_CONVENTION = convention("mask は torch と同じく True = 注意してよい (attend)、False = 遮断 (重みはちょうど 0)",
                             "mask as in torch: True = may attend, False = blocked (its weight is exactly 0)")
ENTROPY_CONVENTION = convention("自然対数 (単位 nats) で、0 · log 0 = 0 (小さな数を足さずに正確に)",
                                "natural logarithm (nats), and 0 · log 0 = 0 exactly (no small constant added)")


def _qkv(rng, batch, n_q, n_k, d_k, d_v, scale=1.0):
    Q = scale * rng.standard_normal((*batch, n_q, d_k))
    K = rng.standard_normal((*batch, n_k, d_k))
    V = rng.standard_normal((*batch, n_k, d_v))
    return Q, K, V


def _check_attention(exercise, Q, K, V, *, call, mask=None, temperature=None, rtol=1e-10, atol=1e-13,
                     accepts=False):
    """Check scaled_dot_product_attention(Q, K, V, ...) against torch; ``accepts``: the valid call of an
    input-check test (made through check_accepts)."""
    kwargs = {}
    if mask is not None:
        kwargs["mask"] = mask
    if temperature is not None:
        kwargs["temperature"] = temperature
    f = exercise.scaled_dot_product_attention
    result = check_accepts(f, Q, K, V, call=call, **kwargs) if accepts else f(Q, K, V, **kwargs)
    check_type(result, tuple, call=call)
    check_equal(len(result), 2, call=call, what="length of the returned tuple (output, weights)")
    out, weights = result
    t = 1.0 if temperature is None else temperature
    exp_out, exp_w = _torch_attention(Q, K, V, mask=mask, temperature=t)
    # What the scale misconceptions give for this input: the oracle with another divisor than sqrt(d_k).
    # Two mistakes with the same divisor (d_k = 8 = sqrt(64)) cannot be told apart: neither is named.
    d_k, d_v = np.shape(Q)[-1], np.shape(V)[-1]
    divisors = ((SCALE_BY_SQRT_D_MODEL, math.sqrt(CHAPTER_D_MODEL)), (SCALE_BY_SQRT_D_V, math.sqrt(d_v)),
                (SCALE_BY_D_K, float(d_k)), (SCORES_UNSCALED, 1.0))
    wrong = [(m, _torch_attention(Q, K, V, mask=mask, temperature=t, divisor=divisor))
             for m, divisor in divisors
             if not any(other is not m and math.isclose(divisor, d, rel_tol=1e-12) for other, d in divisors)]
    check_array(weights, exp_w, call=call, rtol=rtol, atol=atol, what="weights",
                misconceptions=[m.gives(w) for m, (_, w) in wrong])
    check_array(out, exp_out, call=call, rtol=rtol, atol=atol, what="output",
                misconceptions=[m.gives(o) for m, (o, _) in wrong])
    return out, weights


# =============================================================================================
# softmax (7 points)
# =============================================================================================

@pytest.mark.task("softmax", points=1)
def test_softmax_large_scores_stable(exercise):
    """softmax of [1000, 1001, 1002] and [-1000, -1001, -1002] is finite, float64 and exact.

    ja: [1000, 1001, 1002] と [-1000, -1001, -1002] の softmax が有限・float64・正確。
    """
    # Hand derivation: subtracting the max 1002 gives exp([-2, -1, 0]); divide by the sum.
    # Without the max subtraction exp(1000) overflows (inf / inf = nan) and exp(-1000)
    # underflows to 0 (0 / 0 = nan).
    # (what the formula without the subtraction gives, derived above: nan everywhere)
    overflowed = [SOFTMAX_OVERFLOW.gives(np.full(3, np.nan))]
    e = np.exp([-2.0, -1.0, 0.0])
    out = exercise.softmax([1000, 1001, 1002])
    check_array(out, e / e.sum(), call="softmax([1000, 1001, 1002])", rtol=1e-12, atol=1e-15, misconceptions=overflowed)
    check_equal(out.dtype.name, "float64", call="softmax([1000, 1001, 1002])", what="dtype")
    e = np.exp([0.0, -1.0, -2.0])
    out = exercise.softmax(np.array([-1000.0, -1001.0, -1002.0]))
    check_array(out, e / e.sum(), call="softmax([-1000, -1001, -1002])", rtol=1e-12, atol=1e-15,
                misconceptions=overflowed)


@pytest.mark.task("softmax", points=1)
def test_softmax_rows_sum_to_one_matrix(exercise):
    """On a score matrix each row (default axis=-1) is normalised separately and sums to 1.

    ja: スコア行列では各行 (既定 axis=-1) が別々に正規化され、和が 1。
    """
    x = np.array([[1000.0, 1001.0, 1002.0], [0.0, 0.0, 0.0], [-5.0, 0.0, 5.0], [3.0, -2.0, 0.5]],
                 dtype=np.float32)
    call = "softmax(x)  # x: 4x3 float32 score matrix"
    out = exercise.softmax(x)
    check_array(out, _torch_softmax(x, dim=-1), call=call, rtol=1e-6, atol=1e-7,
                misconceptions=[SOFTMAX_WHOLE_MATRIX.gives(_torch_softmax_whole(x)),
                                SOFTMAX_FIRST_AXIS.gives(_torch_softmax(x, dim=0))])
    check_equal(out.dtype.name, "float64", call=call, what="dtype")
    check_array(out.sum(axis=-1), np.ones(4), call=call, rtol=1e-12, atol=0.0, what="row sums")


@pytest.mark.task("softmax", points=1)
def test_softmax_other_axes(exercise):
    """axis=0 normalises columns, and axis=1 of a 3-D array matches torch.softmax(dim=1).

    ja: axis=0 は列を正規化し、3 次元配列の axis=1 は torch.softmax(dim=1) に一致する。
    """
    rng = np.random.default_rng(0)
    x = 3.0 * rng.standard_normal((3, 4))
    check_array(exercise.softmax(x, axis=0), _torch_softmax(x, dim=0), call="softmax(x, axis=0)  # x: 3x4",
                rtol=1e-12, atol=1e-15,
                misconceptions=[SOFTMAX_WHOLE_MATRIX.gives(_torch_softmax_whole(x)),
                                SOFTMAX_IGNORES_AXIS.gives(_torch_softmax(x, dim=-1))])
    y = 3.0 * rng.standard_normal((2, 5, 3))
    check_array(exercise.softmax(y, axis=1), _torch_softmax(y, dim=1), call="softmax(y, axis=1)  # y: 2x5x3",
                rtol=1e-12, atol=1e-15,
                misconceptions=[SOFTMAX_WHOLE_MATRIX.gives(_torch_softmax_whole(y)),
                                SOFTMAX_IGNORES_AXIS.gives(_torch_softmax(y, dim=-1)),
                                SOFTMAX_FIRST_AXIS.gives(_torch_softmax(y, dim=0))])


_logit_arrays = arrays(
    np.float64,
    array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6),
    elements=st.floats(min_value=-50.0, max_value=50.0, allow_nan=False, allow_infinity=False),
)


@pytest.mark.hidden  # not run in released notebooks / 公開版ノートブックでは実行しない
@pytest.mark.task("softmax", points=1)
@given(x=_logit_arrays, shift=st.floats(min_value=-1000.0, max_value=1000.0))
def test_softmax_shift_invariance_property(exercise, x, shift):
    """Property: softmax(x + c) = softmax(x) = torch's softmax, and each slice sums to 1.

    ja: 性質: softmax(x + c) = softmax(x) = torch の softmax、各スライスの和は 1。
    """
    expected = _torch_softmax(x, dim=-1)
    call = f"softmax(x + c)  # x.shape={x.shape}, c={shift!r}"
    out = exercise.softmax(x + shift)
    # |c| <= 1000 loses at most ~1e-13 of absolute precision in x + c.
    check_array(out, expected, call=call, rtol=1e-9, atol=1e-10,
                misconceptions=[SOFTMAX_WHOLE_MATRIX.gives(_torch_softmax_whole(x))])
    check_array(out.sum(axis=-1, keepdims=True), np.ones((*x.shape[:-1], 1)), call=call, rtol=1e-12,
                what="sums along axis -1")


@pytest.mark.task("softmax", points=1)
def test_softmax_temperature_chapter_logits(exercise):
    """Chapter 3.2: logits [2, 1, 0.1, -1, -2] at T in [0.1, 0.5, 1, 2, 5] match torch.softmax(x / T).

    ja: 本文 3.2: ロジット [2, 1, 0.1, -1, -2] を T = 0.1, 0.5, 1, 2, 5 で計算し torch.softmax(x / T) に一致。
    """
    for t in CHAPTER_TEMPERATURES:
        # A temperature that multiplies gives torch.softmax(x * T), i.e. the oracle at 1 / T (same at T = 1).
        check_array(exercise.softmax(np.array(CHAPTER_LOGITS), temperature=t),
                    _torch_softmax(CHAPTER_LOGITS, temperature=t),
                    call=f"softmax({CHAPTER_LOGITS}, temperature={t})", rtol=1e-12, atol=1e-15,
                    misconceptions=[TEMPERATURE_MULTIPLIED.gives(_torch_softmax(CHAPTER_LOGITS, temperature=1.0 / t))])


@pytest.mark.task("softmax", points=1)
def test_softmax_temperature_limits(exercise):
    """T -> 0 puts the mass on the argmax (split among ties); T -> infinity gives the uniform distribution.

    ja: T -> 0 で確率は argmax に集まり (同点なら等分)、T -> 無限大 で一様分布になる。
    """
    # T = 1e-8 on [1, 3, 3]: (x - max) / T = [-2e8, 0, 0] -> exp = [0, 1, 1] -> [0, 1/2, 1/2].
    # (atol 1e-8: a log-sum-exp formulation rounds 3e8 + log 2 and is off by ~1e-9 here.)
    # (A temperature that multiplies gives the opposite limit: the oracle at 1 / T.)
    check_array(exercise.softmax(np.array([1.0, 3.0, 3.0]), temperature=1e-8), [0.0, 0.5, 0.5],
                call="softmax([1, 3, 3], temperature=1e-8)", rtol=0.0, atol=1e-8,
                misconceptions=[TEMPERATURE_MULTIPLIED.gives(_torch_softmax([1.0, 3.0, 3.0], temperature=1e8))])
    # Rows of a matrix: the second row's max 7 is unique -> one-hot.
    x = np.array([[1.0, 3.0, 3.0], [7.0, -1.0, 6.0]])
    check_array(exercise.softmax(x, temperature=1e-6), [[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]],
                call="softmax([[1, 3, 3], [7, -1, 6]], temperature=1e-6)", rtol=0.0, atol=1e-8,
                misconceptions=[TEMPERATURE_MULTIPLIED.gives(_torch_softmax(x, temperature=1e6)),
                                SOFTMAX_WHOLE_MATRIX.gives(_torch_softmax_whole(x, temperature=1e-6))])
    # T = 1e12: x / T differs by at most 4e-12 between entries -> uniform 1/5 to ~1e-12.
    check_array(exercise.softmax(np.array(CHAPTER_LOGITS), temperature=1e12), np.full(5, 0.2),
                call=f"softmax({CHAPTER_LOGITS}, temperature=1e12)", rtol=0.0, atol=1e-11,
                misconceptions=[TEMPERATURE_MULTIPLIED.gives(_torch_softmax(CHAPTER_LOGITS, temperature=1e-12))])


@pytest.mark.task("softmax", points=1)
def test_softmax_invalid_temperature_raises(exercise):
    """temperature <= 0 or non-finite (0, -1, inf, -inf, nan) or a 0-d x raises ValueError; a temperature that is not a real number (a string, None, 1j) raises TypeError. One valid call (temperature=2.0) matches torch.

    ja: temperature が 0 以下か有限でない (0, -1, inf, -inf, nan)、または x が 0 次元なら ValueError。実数でない temperature (文字列、None、1j) は TypeError。正しい入力での呼び出し 1 回 (temperature=2.0) は torch に一致する。
    """
    call = f"softmax({CHAPTER_LOGITS}, temperature=2.0)"
    check_array(check_accepts(exercise.softmax, np.array(CHAPTER_LOGITS), temperature=2.0, call=call),
                _torch_softmax(CHAPTER_LOGITS, temperature=2.0), call=call, rtol=1e-12, atol=1e-15)
    for t in (0.0, 0, -1.0, -1e-300, math.inf, -math.inf, math.nan):
        check_raises(ValueError, exercise.softmax, np.array(CHAPTER_LOGITS), temperature=t,
                     call=f"softmax({CHAPTER_LOGITS}, temperature={t!r})")
    for t in ("2.0", None, 1j):
        check_raises(TypeError, exercise.softmax, np.array(CHAPTER_LOGITS), temperature=t,
                     call=f"softmax({CHAPTER_LOGITS}, temperature={t!r})")
    check_raises(ValueError, exercise.softmax, np.float64(3.0), call="softmax(np.float64(3.0))  # 0-d x")


# =============================================================================================
# scaled_dot_product_attention (8 points)
# =============================================================================================

@pytest.mark.task("scaled_dot_product_attention", points=2)
def test_attention_single_head_matches_torch(exercise):
    """One head with n_q=5, n_k=7, d_k=6, d_v=3 (and d_k = 1, n_k = 1, d_k = n_k = 300): output and weights match torch's SDPA (scale 1/sqrt(d_k)).

    ja: n_q=5, n_k=7, d_k=6, d_v=3 (と d_k = 1、n_k = 1、d_k = n_k = 300) の 1 ヘッド: 出力と重みが torch の SDPA (スケール 1/sqrt(d_k)) に一致。
    """
    rng = np.random.default_rng(0)
    Q, K, V = _qkv(rng, (), n_q=5, n_k=7, d_k=6, d_v=3, scale=1.5)
    _, weights = _check_attention(exercise, Q, K, V, call="scaled_dot_product_attention(Q, K, V)  "
                                  "# Q: 5x6, K: 7x6, V: 7x3")
    check_array(weights.sum(axis=-1), np.ones(5), call="scaled_dot_product_attention(Q, K, V)", rtol=1e-12,
                what="row sums of weights")
    # Any sizes >= 1: d_k = 1 and n_k = 1 (one key: every weight is 1), and d_k = n_k = 300 (above
    # 256, where int identity differs from equality).
    for n_q, n_k, d_k in ((3, 4, 1), (3, 1, 2), (2, 300, 300)):
        Q, K, V = _qkv(rng, (), n_q=n_q, n_k=n_k, d_k=d_k, d_v=2, scale=0.2)
        _check_attention(exercise, Q, K, V, call=f"scaled_dot_product_attention(Q, K, V)  # Q: {n_q}x{d_k}, "
                         f"K: {n_k}x{d_k}, V: {n_k}x2")


@pytest.mark.task("scaled_dot_product_attention", points=1)
def test_attention_temperature_matches_torch(exercise):
    """Temperature divides the scores: matches torch SDPA with scale=1/(sqrt(d_k)*T), stable at T=0.01.

    ja: 温度はスコアを割る: scale=1/(sqrt(d_k)*T) の torch SDPA に一致し、T=0.01 でも安定。
    """
    rng = np.random.default_rng(1)
    Q, K, V = _qkv(rng, (2,), n_q=4, n_k=6, d_k=5, d_v=3, scale=4.0)
    for t in (0.5, 3.0, 0.01):
        # At T = 0.01 the scaled scores reach ~1e3: exp overflows without the max subtraction.
        _check_attention(exercise, Q, K, V, temperature=t,
                         call=f"scaled_dot_product_attention(Q, K, V, temperature={t})  # Q: 2x4x5, K: 2x6x5")


@pytest.mark.task("scaled_dot_product_attention", points=1)
def test_attention_batch_dims_broadcast(exercise):
    """Leading batch/head dims: (2,3,4,8) x (2,3,6,8) x (2,3,6,5), and K, V without batch dims broadcast.

    ja: 先頭のバッチ・ヘッド次元: (2,3,4,8) x (2,3,6,8) x (2,3,6,5)、バッチ次元のない K, V はブロードキャスト。
    """
    rng = np.random.default_rng(2)
    Q, K, V = _qkv(rng, (2, 3), n_q=4, n_k=6, d_k=8, d_v=5)
    _check_attention(exercise, Q, K, V, call="scaled_dot_product_attention(Q, K, V)  # Q: 2x3x4x8, K: 2x3x6x8, "
                     "V: 2x3x6x5")
    K1, V1 = K[0, 0], V[0, 0]
    _check_attention(exercise, Q, K1, V1, call="scaled_dot_product_attention(Q, K, V)  # Q: 2x3x4x8, K: 6x8, V: 6x5")


@pytest.mark.task("scaled_dot_product_attention", points=1)
def test_attention_causal_mask_matches_torch(exercise):
    """Causal mask torch.tril (True = attend) and a key-padding mask: matches torch SDPA; blocked weights are 0.

    ja: 因果マスク torch.tril (True = 注意してよい) とキーのパディングマスク: torch SDPA に一致し、遮断した重みは 0。
    """
    rng = np.random.default_rng(3)
    Q, K, V = _qkv(rng, (2,), n_q=5, n_k=5, d_k=4, d_v=3, scale=2.0)
    causal = torch.tril(torch.ones(5, 5, dtype=torch.bool)).numpy()
    with MASK_CONVENTION:
        _, weights = _check_attention(exercise, Q, K, V, mask=causal,
                                      call="scaled_dot_product_attention(Q, K, V, mask=torch.tril(ones(5, 5)))")
        check_array(weights[:, ~causal], np.zeros((2, 10)), call="scaled_dot_product_attention(Q, K, V, mask=causal)",
                    rtol=0.0, atol=0.0, what="weights above the diagonal (blocked)")
    # Key padding: batch item 0 may see keys 0..4, item 1 only keys 0..2; shape (2, 1, 5) broadcasts
    # over the query rows.
    padding = np.array([[[True] * 5], [[True, True, True, False, False]]])
    with MASK_CONVENTION:
        _check_attention(exercise, Q, K, V, mask=padding, temperature=0.7,
                         call="scaled_dot_product_attention(Q, K, V, mask=padding, temperature=0.7)  # mask: 2x1x5")


@pytest.mark.task("scaled_dot_product_attention", points=1)
def test_attention_non_boolean_mask_raises(exercise):
    """A mask that is not boolean (0/1 ints, 0/1 floats, an additive -inf mask, strings) raises ValueError; the same mask as booleans matches torch.

    ja: 真偽値でないマスク (0/1 の整数、0/1 の浮動小数点数、-inf の加算マスク、文字列) は ValueError。同じマスクを真偽値で渡すと torch に一致する。
    """
    rng = np.random.default_rng(4)
    Q, K, V = _qkv(rng, (), n_q=4, n_k=4, d_k=3, d_v=2)
    tril = np.tril(np.ones((4, 4)))
    with MASK_CONVENTION:
        _check_attention(exercise, Q, K, V, mask=tril > 0, accepts=True,
                         call="scaled_dot_product_attention(Q, K, V, mask=np.tril(np.ones((4, 4))) > 0)")
    additive = np.where(tril > 0, 0.0, -np.inf)
    for name, mask in (("np.tril(np.ones((4, 4), dtype=int))", tril.astype(int)),
                       ("np.tril(np.ones((4, 4)))", tril),
                       ("np.where(tril, 0.0, -np.inf)", additive),
                       ('np.where(tril > 0, "y", "n")', np.where(tril > 0, "y", "n"))):
        check_raises(ValueError, exercise.scaled_dot_product_attention, Q, K, V, mask=mask,
                     call=f"scaled_dot_product_attention(Q, K, V, mask={name})")


@pytest.mark.task("scaled_dot_product_attention", points=1)
def test_attention_fully_masked_row_raises(exercise):
    """A query row whose keys are all blocked raises ValueError naming that row (index 3), also in a batch; the causal mask, where no row is fully blocked, matches torch.

    ja: キーがすべて遮断されたクエリ行は、その行 (番号 3) を示す ValueError (バッチの中でも)。どの行もすべては遮断しない因果マスクでは torch に一致する。
    """
    rng = np.random.default_rng(5)
    Q, K, V = _qkv(rng, (), n_q=5, n_k=5, d_k=4, d_v=2)
    mask = np.tril(np.ones((5, 5), dtype=bool))
    with MASK_CONVENTION:
        _check_attention(exercise, Q, K, V, mask=mask, accepts=True,
                         call="scaled_dot_product_attention(Q, K, V, mask=np.tril(ones((5, 5), dtype=bool)))")
    mask[3, :] = False
    check_raises(ValueError, exercise.scaled_dot_product_attention, Q, K, V, mask=mask,
                 call="scaled_dot_product_attention(Q, K, V, mask=mask)  # mask[3] all False",
                 match=r"(?<![\d.])3(?![\d.])")
    # In a batch the row is still the query row (3), not the batch position (1).
    Qb, Kb, Vb = _qkv(rng, (2,), n_q=5, n_k=5, d_k=4, d_v=2)
    batch_mask = np.ones((2, 5, 5), dtype=bool)
    batch_mask[1, 3, :] = False
    check_raises(ValueError, exercise.scaled_dot_product_attention, Qb, Kb, Vb, mask=batch_mask,
                 call="scaled_dot_product_attention(Q, K, V, mask=mask)  # Q: 2x5x4, mask[1, 3] all False",
                 match=r"(?<![\d.])3(?![\d.])")


@pytest.mark.task("scaled_dot_product_attention", points=1)
def test_attention_dimension_mismatch_raises(exercise):
    """Q and K with different d_k, or K and V with different n_k, raise ValueError naming d_k / n_k; 1-D Q, K or V, d_k = 0 and n_k = 0 raise ValueError. One valid call (Q: 4x6, K: 5x6, V: 5x3) matches torch.

    ja: Q と K の d_k が違う、または K と V の n_k が違うと、d_k / n_k を示す ValueError。1 次元の Q・K・V、d_k = 0、n_k = 0 も ValueError。正しい入力での呼び出し 1 回 (Q: 4x6, K: 5x6, V: 5x3) は torch に一致する。
    """
    rng = np.random.default_rng(6)
    Q = rng.standard_normal((4, 6))
    _check_attention(exercise, Q, rng.standard_normal((5, 6)), rng.standard_normal((5, 3)), accepts=True,
                     call="scaled_dot_product_attention(Q, K, V)  # Q: 4x6, K: 5x6, V: 5x3")
    check_raises(ValueError, exercise.scaled_dot_product_attention, Q, rng.standard_normal((5, 7)),
                 rng.standard_normal((5, 3)), call="scaled_dot_product_attention(Q, K, V)  # Q: 4x6, K: 5x7",
                 match=r"d_k")
    check_raises(ValueError, exercise.scaled_dot_product_attention, Q, rng.standard_normal((5, 6)),
                 rng.standard_normal((6, 3)), call="scaled_dot_product_attention(Q, K, V)  # K: 5x6, V: 6x3",
                 match=r"n_k")
    check_raises(ValueError, exercise.scaled_dot_product_attention, Q, rng.standard_normal((5, 6)),
                 rng.standard_normal((4, 3)), call="scaled_dot_product_attention(Q, K, V)  # K: 5x6, V: 4x3",
                 match=r"n_k")
    check_raises(ValueError, exercise.scaled_dot_product_attention, Q, rng.standard_normal((5, 4)),
                 rng.standard_normal((5, 3)), call="scaled_dot_product_attention(Q, K, V)  # Q: 4x6, K: 5x4",
                 match=r"d_k")
    # Fewer than 2 dimensions, and d_k = 0 or n_k = 0: ValueError, as the text says.
    shapes = {"Q: 6 (1-D)": ((6,), (5, 6), (5, 3)), "K: 6 (1-D)": ((4, 6), (6,), (6, 3)),
              "V: 5 (1-D)": ((4, 6), (5, 6), (5,)), "d_k = 0": ((4, 0), (5, 0), (5, 3)),
              "n_k = 0": ((4, 6), (0, 6), (0, 3))}
    for name, (sq, sk, sv) in shapes.items():
        check_raises(ValueError, exercise.scaled_dot_product_attention, np.ones(sq), np.ones(sk), np.ones(sv),
                     call=f"scaled_dot_product_attention(Q, K, V)  # {name}")


# =============================================================================================
# attention_entropy (3 points)
# =============================================================================================

@pytest.mark.task("attention_entropy", points=1)
def test_entropy_matches_scipy(exercise):
    """Batched weights (2, 3, 5), some with exact zeros: entropy per row matches scipy.special.entr summed over the row; 0-d, negative or non-finite weights raise ValueError.

    ja: ちょうど 0 を含むバッチの重み (2, 3, 5): 行ごとのエントロピーが scipy.special.entr の行和に一致。0 次元・負・有限でない重みは ValueError。
    """
    rng = np.random.default_rng(7)
    w = _torch_softmax(2.0 * rng.standard_normal((2, 3, 5)), dim=-1)
    w[1, 2] = [0.0, 0.25, 0.0, 0.75, 0.0]
    check_array(exercise.attention_entropy(w), _entropy(w), call="attention_entropy(w)  # w: 2x3x5",
                rtol=1e-12, atol=1e-15, misconceptions=[ENTROPY_EPSILON.gives(_entropy_epsilon(w)),
                                                        ENTROPY_IN_BITS.gives(_entropy(w) / math.log(2))])
    for name, bad in (("0.5 (0-d)", np.float64(0.5)), ("[-0.5, 1.5]", [-0.5, 1.5]), ("[0.5, nan]", [0.5, np.nan]),
                      ("[inf, 0]", [np.inf, 0.0])):
        check_raises(ValueError, exercise.attention_entropy, np.array(bad), call=f"attention_entropy({name})")


@pytest.mark.task("attention_entropy", points=1)
def test_entropy_zero_probabilities_exact(exercise):
    """0 log 0 = 0 without an added epsilon (such as 1e-10): one-hot rows give exactly 0, [1/2, 1/2, 0, 0] gives log 2, uniform gives log n.

    ja: 補正項 (1e-10 など) を足さずに 0 log 0 = 0 として: one-hot の行はちょうど 0、[1/2, 1/2, 0, 0] は log 2、一様なら log n。
    """
    # Hand derivation: H(one-hot) = -1 log 1 = 0; H([1/2, 1/2, 0, 0]) = -2 (1/2) log(1/2) = log 2;
    # H(uniform over n) = -n (1/n) log(1/n) = log n. A "+1e-10" inside the log is off by ~1e-10.
    w = np.array([[1.0, 0.0, 0.0, 0.0],
                  [0.5, 0.5, 0.0, 0.0],
                  [0.25, 0.25, 0.25, 0.25],
                  [0.0, 0.0, 0.0, 1.0]])
    with ENTROPY_CONVENTION:
        # The "+1e-10" gives -1e-10 (not 0) for the one-hot rows; log base 2 gives [0, 1, 2, 0].
        check_array(exercise.attention_entropy(w), [0.0, math.log(2), math.log(4), 0.0],
                    call="attention_entropy([[1,0,0,0], [.5,.5,0,0], [.25,.25,.25,.25], [0,0,0,1]])",
                    rtol=1e-14, atol=1e-300,
                    misconceptions=[ENTROPY_EPSILON.gives(_entropy_epsilon(w)),
                                    ENTROPY_IN_BITS.gives(_entropy(w) / math.log(2))])


def _distributions():
    """Rows of non-negative weights normalised to sum 1 (zeros included), shape (rows, n)."""
    return st.integers(1, 4).flatmap(lambda rows: st.integers(1, 7).flatmap(lambda n: arrays(
        np.float64, (rows, n),
        elements=st.one_of(st.just(0.0), st.floats(min_value=1e-6, max_value=1.0)),
    )))


@pytest.mark.hidden  # not run in released notebooks / 公開版ノートブックでは実行しない
@pytest.mark.task("attention_entropy", points=1)
@given(raw=_distributions())
@example(raw=np.array([[0.0, 1.0, 0.0], [1.0, 1.0, 1.0]]))
def test_entropy_bounds_property(exercise, raw):
    """Property: 0 <= H <= log n for every distribution row, H = 0 for one-hot rows, H = log n for uniform rows.

    ja: 性質: どの分布の行でも 0 <= H <= log n、one-hot の行は H = 0、一様な行は H = log n。
    """
    raw = raw.copy()
    raw[raw.sum(axis=-1) == 0, 0] = 1.0  # every row needs some mass
    p = raw / raw.sum(axis=-1, keepdims=True)
    n = p.shape[-1]
    call = f"attention_entropy(p)  # p.shape={p.shape}"
    h = exercise.attention_entropy(p)
    check_array(h, _entropy(p), call=call, rtol=1e-9, atol=1e-12,
                misconceptions=[ENTROPY_IN_BITS.gives(_entropy(p) / math.log(2))])
    if np.any(h < 0.0) or np.any(h > math.log(n) + 1e-12):
        fail(f"{call} の値 {h.tolist()} が範囲 [0, log {n}] の外です。",
             f"{call} returned {h.tolist()}, outside [0, log {n}].")
    one_hot = np.count_nonzero(p, axis=-1) == 1
    check_array(h[one_hot], np.zeros(int(one_hot.sum())), call=call, rtol=0.0, atol=0.0,
                what="entropy of one-hot rows")
    uniform = np.all(p == p[:, :1], axis=-1)
    check_array(h[uniform], np.full(int(uniform.sum()), math.log(n)), call=call, rtol=1e-12,
                what="entropy of uniform rows")


# =============================================================================================
# plot_temperature_effect (2 points)
# =============================================================================================

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


def _bar_heights(ax) -> np.ndarray:
    return np.array([p.get_height() for p in ax.patches if isinstance(p, Rectangle)], dtype=np.float64)


def _chapter_figure(exercise):
    call = f"plot_temperature_effect({CHAPTER_LOGITS}, {CHAPTER_TEMPERATURES})"
    fig = exercise.plot_temperature_effect(CHAPTER_LOGITS, CHAPTER_TEMPERATURES)
    check_type(fig, Figure, call=call)
    check_count(fig.axes, len(CHAPTER_TEMPERATURES), call=call, what="panels (Axes), one per temperature / パネル (Axes、温度ごとに 1 つ)")
    return fig, call


def _own_softmax(exercise, t) -> np.ndarray | None:
    """The submission's own softmax(CHAPTER_LOGITS, temperature=t), or None when it fails."""
    return own_array(exercise.softmax, np.array(CHAPTER_LOGITS), temperature=t, shape=(len(CHAPTER_LOGITS),))


@pytest.mark.task("plot_temperature_effect", points=1)
def test_plot_panels_bars_titles(exercise):
    """Chapter figure: one panel per temperature, bar heights = torch softmax(logits / T), title shows T; one logit gives one bar of height 1; 2-D logits raise ValueError.

    ja: 本文の図: 温度ごとに 1 パネル、棒の高さ = torch の softmax(logits / T)、タイトルに T。ロジット 1 つなら高さ 1 の棒 1 本、2 次元のロジットは ValueError。
    """
    fig, call = _chapter_figure(exercise)
    try:
        for i, (ax, t) in enumerate(zip(fig.axes, CHAPTER_TEMPERATURES)):
            heights = _bar_heights(ax)
            # The text draws softmax(logits, temperature=T): the bars of the submission's own softmax
            # are accepted too (a wrong softmax is graded by its own tests; docs/authoring.md, figures).
            # Its own softmax is called only when the bars are not the correct ones: this task is
            # "from scratch" too, and a library call in softmax costs the softmax task, not this one.
            correct = _torch_softmax(CHAPTER_LOGITS, temperature=t)
            if heights.shape != correct.shape or not np.allclose(heights, correct, rtol=1e-9, atol=1e-12):
                own = _own_softmax(exercise, t)
                if own is None or heights.shape != own.shape or not np.allclose(heights, own, rtol=1e-9, atol=1e-12):
                    check_array(heights, correct, call=call, rtol=1e-9, atol=1e-12,
                                what=f"bar heights of panel {i} (T={t})",
                                misconceptions=[TEMPERATURE_MULTIPLIED.gives(_torch_softmax(CHAPTER_LOGITS,
                                                                                            temperature=1.0 / t))])
            title = ax.get_title()
            if not any(math.isclose(float(s), t, rel_tol=1e-6) for s in re.findall(_NUMBER, title)):
                fail(f"{call}: パネル {i} のタイトル {title!r} に温度 {t} が含まれていません。",
                     f"{call}: the title {title!r} of panel {i} does not show the temperature {t}.")
    finally:
        plt.close(fig)
    # One logit is a non-empty 1-D array: one bar of probability exactly 1 (exp(0) / exp(0)).
    call = "plot_temperature_effect([0.7], [1.0])"
    fig = exercise.plot_temperature_effect([0.7], [1.0])
    try:
        check_type(fig, Figure, call=call)
        check_count(fig.axes, 1, call=call, what="panels (Axes) / パネル (Axes)")
        check_array(_bar_heights(fig.axes[0]), np.ones(1), call=call, rtol=1e-12, what="bar heights")
    finally:
        plt.close(fig)
    # Logits that are not 1-D (a 1 x 5 row) raise ValueError, as the text says.
    check_raises(ValueError, exercise.plot_temperature_effect, [CHAPTER_LOGITS], CHAPTER_TEMPERATURES,
                 call=f"plot_temperature_effect([{CHAPTER_LOGITS}], {CHAPTER_TEMPERATURES})  # 2-D logits")


@pytest.mark.task("plot_temperature_effect", points=1)
def test_plot_entropy_text(exercise):
    """Each panel shows its entropy as text 'H = ...' matching scipy.special.entr summed, to two decimals.

    ja: 各パネルにエントロピーのテキスト 'H = ...' があり、scipy.special.entr の和に小数 2 桁で一致。
    """
    fig, call = _chapter_figure(exercise)
    try:
        for i, (ax, t) in enumerate(zip(fig.axes, CHAPTER_TEMPERATURES)):
            texts = [txt.get_text() for txt in ax.texts]
            found = [m.group(1) for s in texts for m in [re.search(rf"H\s*=\s*({_NUMBER})", s)] if m]
            if not found:
                fail(f"{call}: パネル {i} (T={t}) にエントロピーのテキスト 'H = ...' がありません "
                     f"(テキスト: {texts[:8]})。",
                     f"{call}: panel {i} (T={t}) has no entropy text 'H = ...' (texts: {texts[:8]}).")
            expected = float(_entropy(_torch_softmax(CHAPTER_LOGITS, temperature=t)))
            # The text shows attention_entropy(p) of the bars p = softmax(logits, temperature=T): the
            # value of the submission's own functions is accepted too (docs/authoring.md, figures);
            # they are called only when the text is not the correct value (see the bars above).
            if abs(float(found[0]) - expected) > 0.005 + 1e-9:
                own_p = _own_softmax(exercise, t)
                own = [own_array(exercise.attention_entropy, p, shape=())
                       for p in (own_p, _torch_softmax(CHAPTER_LOGITS, temperature=t)) if p is not None]
                if not any(h is not None and abs(float(found[0]) - float(h)) <= 0.005 + 1e-9 for h in own):
                    check_float(float(found[0]), expected, call=call, rtol=0.0, atol=0.005 + 1e-9,
                                what=f"entropy shown in panel {i} (T={t})")
    finally:
        plt.close(fig)
