"""Graded tests for ex7_layernorm (chapter 3.2 StatisticalConcepts: expectation_and_variance,
correlation_and_covariance).

Oracles: torch.nn.functional.layer_norm in float64 and torch.autograd through it, central
differences of a NumPy forward pass written here from the formula of the text, np.cov and
np.corrcoef with ``rowvar=False``, and values derived by hand (derivations in comments).
Misconceptions (``MISCONCEPTIONS``) are named when a wrong value is exactly what a known mistake
gives: the same oracles applied with the mistake (ddof=1, ε outside the square root, another axis,
μ and σ detached from the graph, means instead of sums, no centring, rows as variables).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from autograder.compare import Misconception, check_accepts, check_array, check_equal, check_raises, check_type, fail
from autograder.ownvalues import own_array

pytestmark = pytest.mark.exercise("ex7_layernorm")
#: The exercise's title in the score table and reports (Japanese, English).
TITLE = ("LayerNorm と逆伝播、共分散と相関", "LayerNorm, its backward pass, covariance and correlation")

#: Library normalisations, covariances and correlations, and every automatic differentiation
#: library: all four tasks are written with NumPy (the backward pass by hand).
FORBIDDEN_LIBRARIES = (
    "torch", "jax", "tensorflow", "autograd", "functorch", "sympy", "scipy.optimize", "scipy.differentiate",
    "numdifftools", "mpmath", "findiff", "pytensor", "aesara", "theano", "chainer", "mxnet", "paddle", "mlx",
    "tinygrad", "micrograd", "sklearn", "pandas", "statsmodels", "numpy.cov", "numpy.corrcoef", "numpy.ma.cov",
    "numpy.ma.corrcoef", "scipy.stats", "scipy.spatial.distance", "statistics.covariance", "statistics.correlation",
)
#: "From scratch" rules (docs/authoring.md, autograder.core.scratch): the library calls each task's
#: code may not use, checked in the submission's code and while the task's tests run.
RULES = [
    {"task": "layer_norm", "forbidden": FORBIDDEN_LIBRARIES},
    {"task": "layer_norm_backward", "forbidden": FORBIDDEN_LIBRARIES, "no_overloading": True},
    {"task": "covariance_matrix", "forbidden": FORBIDDEN_LIBRARIES},
    {"task": "correlation_matrix", "forbidden": FORBIDDEN_LIBRARIES},
]

#: The chapter's LayerNorm epsilon (line 956: ``def __init__(self, eps=1e-6)``); torch's default is 1e-5.
CHAPTER_EPS = 1e-6

# ---------------------------------------------------------------------------------------------
# Misconceptions (docs/authoring.md): known mistakes the failure message names when the student's
# value is exactly what the mistake gives; each test computes that value by applying the mistake to
# its own oracle (torch with another eps or axis, μ and σ detached, np.cov with ddof=0, ...).
# ---------------------------------------------------------------------------------------------

LN_UNBIASED_VARIANCE = Misconception(
    "layernorm_unbiased_variance", task="layer_norm",
    ja="結果は分散を d − 1 で割った (不偏分散、ddof=1) ときの値と一致します: LayerNorm の分散は d で割ります (ddof=0)",
    en="your result equals the variance divided by d − 1 (unbiased, ddof=1): LayerNorm's variance divides by d "
       "(ddof=0)")
LN_EPS_OUTSIDE_SQRT = Misconception(
    "layernorm_eps_outside_sqrt", task="layer_norm",
    ja="結果は (x − μ) / (σ + ε) と ε を平方根の外で足したときの値と一致します: ε は平方根の中、"
       "(x − μ) / √(σ² + ε) です",
    en="your result equals (x − μ) / (σ + ε), with ε added outside the square root: ε goes inside, "
       "(x − μ) / √(σ² + ε)")
LN_CHAPTER_EPS = Misconception(
    "layernorm_chapter_eps", task="layer_norm", lines=(956, 956), errata=True,
    ja="結果は本文のコードのように ε = 1e-6 を決め打ちしたときの値と一致します: 引数の eps (既定値は torch と同じ 1e-5) "
       "を使います",
    en="your result equals a hard-coded ε = 1e-6, as in the chapter's code: use the eps argument (default 1e-5, "
       "as in torch)")
LN_BATCH_AXIS = Misconception(
    "layernorm_batch_axis", task="layer_norm",
    ja="結果は最初の軸 (バッチの軸、axis=0) に沿って正規化したときの値と一致します: LayerNorm は各ベクトルを"
       "最後の軸 (axis=-1) に沿って正規化します (バッチに沿うのは BatchNorm)",
    en="your result equals normalising along the first (batch) axis, axis=0: LayerNorm normalises each vector "
       "along the last axis, axis=-1 (along the batch is BatchNorm)")
LN_WHOLE_ARRAY = Misconception(
    "layernorm_whole_array", task="layer_norm",
    ja="結果は配列全体の平均と分散で正規化したときの値と一致します: 平均と分散は各ベクトルごとに最後の軸に"
       "沿って計算します (keepdims=True)",
    en="your result equals normalising with the mean and variance of the whole array: compute them for each "
       "vector along the last axis (keepdims=True)")
BACKWARD_MU_SIGMA_CONSTANT = Misconception(
    "backward_mu_sigma_constant", task="layer_norm_backward",
    ja="dx は μ と σ を定数とみなした γ dy / √(σ² + ε) と一致します: μ と σ も x の関数なので、"
       "dx = s (g − mean(g) − x̂ mean(g ⊙ x̂)) のように平均の項が 2 つ加わります",
    en="your dx equals γ dy / √(σ² + ε), treating μ and σ as constants: they depend on x too, which adds the "
       "two mean terms of dx = s (g − mean(g) − x̂ mean(g ⊙ x̂))")
BACKWARD_PARAMS_AVERAGED = Misconception(
    "backward_params_averaged", task="layer_norm_backward",
    ja="dgamma・dbeta はバッチ内のベクトルについての平均と一致します: 損失は全ベクトルの寄与の和なので、"
       "先頭のすべての軸について和を取ります",
    en="your dgamma and dbeta equal the mean over the batch's vectors: the loss adds up every vector's "
       "contribution, so sum over all the leading axes")
COVARIANCE_NOT_CENTRED = Misconception(
    "covariance_not_centred", task="covariance_matrix",
    ja="結果は列の平均を引かずに計算した Xᵀ X / (N − 1) と一致します: 先に各列から平均を引いて中心化します",
    en="your result equals Xᵀ X / (N − 1) without subtracting the column means: centre each column first")
COVARIANCE_DIVIDES_BY_N = Misconception(
    "covariance_divides_by_n", task="covariance_matrix",
    ja="結果は N で割った共分散 (ddof=0) と一致します: np.cov の既定と同じく N − 1 で割ります (不偏共分散)",
    en="your result equals the covariance divided by N (ddof=0): divide by N − 1, as np.cov does by default "
       "(unbiased covariance)")
CORRELATION_NOT_CENTRED = Misconception(
    "correlation_not_centred", task="correlation_matrix",
    ja="結果は列どうしのコサイン類似度 (平均を引かない) と一致します: 相関係数は中心化した列どうしで計算するので、"
       "列に定数を足しても変わりません",
    en="your result equals the cosine similarity of the columns (means not subtracted): the correlation uses "
       "centred columns, so adding a constant to a column does not change it")
CORRELATION_ROWS_AS_VARIABLES = Misconception(
    "correlation_rows_as_variables", task="correlation_matrix", lines=(1081, 1081),
    ja="結果は本文の np.corrcoef(embeddings) のように各行を変数とみなした相関行列と一致します: ここでは"
       "各列が変数、各行が観測です (np.corrcoef(X, rowvar=False) と同じ)",
    en="your result equals the correlation matrix with each row as a variable, like the chapter's "
       "np.corrcoef(embeddings): here each column is a variable and each row an observation "
       "(as np.corrcoef(X, rowvar=False))")
#: The catalogue of this exercise's misconceptions (selftests/variants/ex7_layernorm/ embody them).
MISCONCEPTIONS = [LN_UNBIASED_VARIANCE, LN_EPS_OUTSIDE_SQRT, LN_CHAPTER_EPS, LN_BATCH_AXIS, LN_WHOLE_ARRAY,
                  BACKWARD_MU_SIGMA_CONSTANT, BACKWARD_PARAMS_AVERAGED, COVARIANCE_NOT_CENTRED,
                  COVARIANCE_DIVIDES_BY_N, CORRELATION_NOT_CENTRED, CORRELATION_ROWS_AS_VARIABLES]


# ---------------------------------------------------------------------------------------------
# oracles (torch in float64, NumPy's cov/corrcoef; never the code under test)
# ---------------------------------------------------------------------------------------------

def _t(a, grad: bool = False) -> torch.Tensor:
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64, requires_grad=grad)


def _torch_ln(x, gamma=None, beta=None, eps: float = 1e-5) -> np.ndarray:
    """Oracle: torch.nn.functional.layer_norm over the last axis."""
    t = _t(x)
    w = None if gamma is None else _t(gamma)
    b = None if beta is None else _t(beta)
    return F.layer_norm(t, (t.shape[-1],), w, b, eps=eps).numpy()


def _ln_with_mistake(x, gamma=None, beta=None, eps: float = 1e-5, *, dims=(-1,), correction: int = 0,
                     eps_outside: bool = False) -> np.ndarray:
    """A misconception's value: LayerNorm in torch with the statistics over ``dims``, the variance
    divided by (n - correction), or ε added outside the square root."""
    t = _t(x)
    mu = t.mean(dim=dims, keepdim=True)
    var = t.var(dim=dims, correction=correction, keepdim=True)
    den = var.sqrt() + eps if eps_outside else (var + eps).sqrt()
    y = (t - mu) / den
    if gamma is not None:
        y = y * _t(gamma)
    if beta is not None:
        y = y + _t(beta)
    return y.numpy()


def _layer_norm_misconceptions(x, gamma, beta, eps):
    """Every layer_norm misconception's value for this input (torch with the mistake built in)."""
    nd = np.ndim(x)
    # With d = 1 dividing by d - 1 = 0 is undefined: that mistake then gives no value to name.
    unbiased = ([LN_UNBIASED_VARIANCE.gives(_ln_with_mistake(x, gamma, beta, eps, correction=1))]
                if np.shape(x)[-1] > 1 else [])
    found = [*unbiased,
             LN_EPS_OUTSIDE_SQRT.gives(_ln_with_mistake(x, gamma, beta, eps, eps_outside=True)),
             LN_CHAPTER_EPS.gives(_torch_ln(x, gamma, beta, eps=CHAPTER_EPS)),
             LN_BATCH_AXIS.gives(_ln_with_mistake(x, gamma, beta, eps, dims=(0,))),
             LN_WHOLE_ARRAY.gives(_ln_with_mistake(x, gamma, beta, eps, dims=tuple(range(nd))))]
    # Two mistakes that give the same value cannot be told apart (x of shape (n, 1): the batch axis
    # is the whole array): neither is named.
    return [(m, v) for m, v in found
            if not any(o is not m and np.allclose(v, w, rtol=1e-9, atol=1e-12) for o, w in found)]


def _torch_ln_grads(x, gamma, dy, eps: float = 1e-5, detach_stats: bool = False):
    """Oracle (dx, dgamma, dbeta) by torch.autograd through layer_norm (float64).

    ``detach_stats``: misconception BACKWARD_MU_SIGMA_CONSTANT, μ and σ² cut from the graph.
    """
    xt, gt = _t(x, grad=True), _t(gamma, grad=True)
    bt = torch.zeros_like(gt, requires_grad=True)
    if detach_stats:
        mu = xt.mean(dim=-1, keepdim=True).detach()
        var = xt.var(dim=-1, correction=0, keepdim=True).detach()
        y = (xt - mu) / (var + eps).sqrt() * gt + bt
    else:
        y = F.layer_norm(xt, (xt.shape[-1],), gt, bt, eps=eps)
    # the vector-Jacobian product with dy as the gradient of sum(y * dy): the same numbers as
    # y.backward(dy) (d/dy of the sum is dy exactly), without the symbolic-shapes import (sympy,
    # ~0.35 s of a student's run) torch makes on its first backward given a gradient tensor
    (y * _t(dy)).sum().backward()
    return xt.grad.numpy(), gt.grad.numpy(), bt.grad.numpy()


def _np_ln(x, gamma, beta, eps):
    """The text's formula, written here in NumPy (for central differences only)."""
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


def _backward(exercise, x, gamma, dy, *, call, eps=None, accepts=False):
    """Call layer_norm_backward and check it returns a tuple (dx, dgamma, dbeta); ``accepts``: the valid
    call of an input-check test (made through check_accepts)."""
    kwargs = {} if eps is None else {"eps": eps}
    f = exercise.layer_norm_backward
    result = check_accepts(f, x, gamma, dy, call=call, **kwargs) if accepts else f(x, gamma, dy, **kwargs)
    check_type(result, tuple, call=call)
    check_equal(len(result), 3, call=call, what="length of the returned tuple (dx, dgamma, dbeta)")
    return result


def _cosine_columns(X) -> np.ndarray:
    """Misconception CORRELATION_NOT_CENTRED: cosine similarity of the (uncentred) columns."""
    Xn = X / np.linalg.norm(X, axis=0)
    return Xn.T @ Xn


def _check_correlation(exercise, X, expected, *, call, misconceptions=(), rtol=1e-9, atol=1e-12, accepts=False):
    """correlation_matrix(X) against ``expected``; also accepted: the submission's own
    covariance_matrix(X) normalised to a correlation (a mistake in covariance_matrix is graded by
    covariance_matrix's tests only; docs/authoring.md, "one mistake, one loss"). The own
    covariance is called only when the answer is not the correct one. ``accepts``: the valid call
    of an input-check test (made through check_accepts)."""
    got = check_accepts(exercise.correlation_matrix, X, call=call) if accepts else exercise.correlation_matrix(X)
    p = X.shape[1]
    if type(got) is np.ndarray and got.shape == (p, p) and got.dtype.kind == "f" and np.all(np.isfinite(got)):
        if np.allclose(got, expected, rtol=rtol, atol=atol):
            return got
        own = own_array(exercise.covariance_matrix, X, shape=(p, p))
        if own is not None and np.all(np.diag(own) > 0):
            sd = np.sqrt(np.diag(own))
            if np.allclose(got, np.clip(own / np.outer(sd, sd), -1.0, 1.0), rtol=rtol, atol=atol):
                return got
    check_array(got, expected, call=call, rtol=rtol, atol=atol, misconceptions=list(misconceptions))
    return got


# =============================================================================================
# layer_norm (6 points)
# =============================================================================================

@pytest.mark.task("layer_norm", points=2)
def test_layer_norm_matches_torch(exercise):
    """A batch (2, 3, 8) with rows of different scales and offsets, random γ and β: matches torch.nn.functional.layer_norm (eps 1e-5, and eps 1e-3).

    ja: 行ごとにスケールとオフセットが違うバッチ (2, 3, 8) とランダムな γ・β: torch.nn.functional.layer_norm に一致 (eps 1e-5 と 1e-3)。
    """
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 8)) * rng.uniform(0.1, 5.0, (2, 3, 1)) + rng.uniform(-3, 3, (2, 3, 1))
    gamma, beta = rng.uniform(0.5, 2.0, 8), rng.standard_normal(8)
    check_array(exercise.layer_norm(x, gamma, beta), _torch_ln(x, gamma, beta),
                call="layer_norm(x, gamma, beta)  # x: 2x3x8", rtol=1e-9, atol=1e-12,
                misconceptions=_layer_norm_misconceptions(x, gamma, beta, 1e-5))
    check_array(exercise.layer_norm(x, gamma, beta, eps=1e-3), _torch_ln(x, gamma, beta, eps=1e-3),
                call="layer_norm(x, gamma, beta, eps=1e-3)  # x: 2x3x8", rtol=1e-9, atol=1e-12,
                misconceptions=_layer_norm_misconceptions(x, gamma, beta, 1e-3))


@pytest.mark.task("layer_norm", points=1)
def test_layer_norm_without_gain_and_bias(exercise):
    """gamma = beta = None (the chapter's LayerNorm, γ = 1, β = 0): a vector (5,) and a matrix (4, 6) match torch with eps 1e-5 (default) and the chapter's 1e-6.

    ja: gamma = beta = None (本文の LayerNorm、γ = 1、β = 0): ベクトル (5,) と行列 (4, 6) が torch に一致 (eps は既定の 1e-5 と本文の 1e-6)。
    """
    rng = np.random.default_rng(1)
    for x, name in ((np.array([2.0, -1.0, 0.5, 4.0, 3.0]), "[2, -1, 0.5, 4, 3]"),
                    (rng.standard_normal((4, 6)) * 3.0 + 1.0, "x  # x: 4x6")):
        check_array(exercise.layer_norm(x), _torch_ln(x), call=f"layer_norm({name})", rtol=1e-9, atol=1e-12,
                    misconceptions=_layer_norm_misconceptions(x, None, None, 1e-5))
        check_array(exercise.layer_norm(x, eps=CHAPTER_EPS), _torch_ln(x, eps=CHAPTER_EPS),
                    call=f"layer_norm({name.split('  #')[0]}, eps=1e-6)", rtol=1e-9, atol=1e-12)


@pytest.mark.task("layer_norm", points=1)
def test_layer_norm_eps_inside_square_root(exercise):
    """Rows with tiny variance and a constant row, eps = 1e-3: ε inside the square root as torch does; a constant row gives exactly β.

    ja: 分散がとても小さい行と定数の行、eps = 1e-3: torch と同じく ε は平方根の中。定数の行はちょうど β。
    """
    rng = np.random.default_rng(2)
    x = 1e-2 * rng.standard_normal((3, 5))
    x[2] = 7.25  # constant row: x - μ = 0 exactly (7.25 is exact in binary), so y = γ·0 + β = β
    gamma, beta = rng.uniform(0.5, 2.0, 5), rng.standard_normal(5)
    check_array(exercise.layer_norm(x, gamma, beta, eps=1e-3), _torch_ln(x, gamma, beta, eps=1e-3),
                call="layer_norm(x, gamma, beta, eps=1e-3)  # x: 3x5, std ~ 0.01, x[2] = 7.25",
                rtol=1e-9, atol=1e-12, misconceptions=_layer_norm_misconceptions(x, gamma, beta, 1e-3))


@pytest.mark.task("layer_norm", points=1)
def test_layer_norm_bad_input_raises(exercise):
    """A 0-d x, an empty last axis, gamma or beta not of shape (d,), eps <= 0, nan or inf raise ValueError; an eps that is not a real number raises TypeError. One valid call (gamma and beta of shape (4,)) matches torch.

    ja: 0 次元の x、長さ 0 の最後の軸、形が (d,) でない gamma・beta、0 以下・nan・inf の eps は ValueError。実数でない eps は TypeError。正しい入力での呼び出し 1 回 (形 (4,) の gamma と beta) は torch に一致する。
    """
    x = np.arange(12.0).reshape(3, 4)
    gamma, beta = np.full(4, 2.0), np.ones(4)
    call = "layer_norm(x, np.full(4, 2.0), np.ones(4))  # x: 3x4"
    check_array(check_accepts(exercise.layer_norm, x, gamma, beta, call=call), _torch_ln(x, gamma, beta), call=call,
                rtol=1e-9, atol=1e-12)
    check_raises(ValueError, exercise.layer_norm, np.float64(1.0), call="layer_norm(np.float64(1.0))  # 0-d")
    check_raises(ValueError, exercise.layer_norm, np.ones((3, 0)), call="layer_norm(np.ones((3, 0)))")
    check_raises(ValueError, exercise.layer_norm, x, np.ones(3), call="layer_norm(x, np.ones(3))  # x: 3x4")
    check_raises(ValueError, exercise.layer_norm, x, None, np.zeros((1, 4)),
                 call="layer_norm(x, None, np.zeros((1, 4)))  # x: 3x4")
    for eps in (0.0, -1e-5, math.nan, math.inf):
        check_raises(ValueError, exercise.layer_norm, x, eps=eps, call=f"layer_norm(x, eps={eps!r})")
    for eps in ("1e-5", None):
        check_raises(TypeError, exercise.layer_norm, x, eps=eps, call=f"layer_norm(x, eps={eps!r})")


@pytest.mark.hidden  # not run in released notebooks / 公開版ノートブックでは実行しない
@pytest.mark.task("layer_norm", points=1)
@given(x=arrays(np.float64, array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6),
                elements=st.floats(-100.0, 100.0)),
       eps=st.sampled_from([1e-5, 1e-3, 0.5]))
@example(x=np.array([[3.0, 3.0, 3.0], [1.0, 2.0, 4.0]]), eps=1e-5)
def test_layer_norm_property_matches_torch(exercise, x, eps):
    """Property: for any shape (1 to 3 axes), any values and eps, layer_norm(x, gamma, beta, eps) matches torch.

    ja: 性質: どんな形 (1〜3 軸)・値・eps でも layer_norm(x, gamma, beta, eps) が torch に一致。
    """
    d = x.shape[-1]
    gamma, beta = np.linspace(0.5, 2.0, d), np.linspace(-1.0, 1.0, d)
    check_array(exercise.layer_norm(x, gamma, beta, eps=eps), _torch_ln(x, gamma, beta, eps=eps),
                call=f"layer_norm(x, gamma, beta, eps={eps})  # x.shape={x.shape}", rtol=1e-9, atol=1e-9,
                misconceptions=_layer_norm_misconceptions(x, gamma, beta, eps))


# =============================================================================================
# layer_norm_backward (6 points)
# =============================================================================================

def _backward_case(seed: int, shape):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape) * 2.0 + rng.uniform(-1, 1, (*shape[:-1], 1))
    return x, rng.uniform(0.5, 2.0, shape[-1]), rng.standard_normal(shape)


@pytest.mark.task("layer_norm_backward", points=2)
def test_backward_dx_matches_autograd(exercise):
    """dx for a batch (2, 3, 6) matches torch.autograd through layer_norm (float64), eps 1e-5 and 0.1.

    ja: バッチ (2, 3, 6) の dx が layer_norm を通した torch.autograd (float64) に一致 (eps 1e-5 と 0.1)。
    """
    x, gamma, dy = _backward_case(3, (2, 3, 6))
    for eps in (None, 0.1):
        e = 1e-5 if eps is None else eps
        call = "layer_norm_backward(x, gamma, dy)" if eps is None else f"layer_norm_backward(x, gamma, dy, eps={eps})"
        dx, _, _ = _backward(exercise, x, gamma, dy, eps=eps, call=call + "  # x: 2x3x6")
        check_array(dx, _torch_ln_grads(x, gamma, dy, e)[0], call=call, rtol=1e-9, atol=1e-12, what="dx",
                    misconceptions=[BACKWARD_MU_SIGMA_CONSTANT.gives(_torch_ln_grads(x, gamma, dy, e, True)[0])])


@pytest.mark.task("layer_norm_backward", points=1)
def test_backward_params_summed_over_leading_axes(exercise):
    """dgamma and dbeta for a batch (2, 3, 6) have shape (6,) and match torch.autograd: sums over both leading axes.

    ja: バッチ (2, 3, 6) の dgamma と dbeta は形 (6,) で torch.autograd に一致: 先頭の 2 軸についての和。
    """
    x, gamma, dy = _backward_case(4, (2, 3, 6))
    call = "layer_norm_backward(x, gamma, dy)  # x: 2x3x6"
    _, dgamma, dbeta = _backward(exercise, x, gamma, dy, call=call)
    _, exp_dgamma, exp_dbeta = _torch_ln_grads(x, gamma, dy)
    n_vectors = 2 * 3  # what averaging over the leading axes divides by
    check_array(dgamma, exp_dgamma, call=call, rtol=1e-9, atol=1e-12, what="dgamma",
                misconceptions=[BACKWARD_PARAMS_AVERAGED.gives(exp_dgamma / n_vectors)])
    check_array(dbeta, exp_dbeta, call=call, rtol=1e-9, atol=1e-12, what="dbeta",
                misconceptions=[BACKWARD_PARAMS_AVERAGED.gives(exp_dbeta / n_vectors)])


@pytest.mark.task("layer_norm_backward", points=1)
def test_backward_matches_central_differences(exercise):
    """(dx, dgamma, dbeta) for x (3, 4) match central differences of L = Σ dy ⊙ layer_norm(x, γ, β), h = 1e-5.

    ja: x (3, 4) の (dx, dgamma, dbeta) が L = Σ dy ⊙ layer_norm(x, γ, β) の中心差分 (h = 1e-5) に一致。
    """
    # Derivation: with the upstream gradient dy fixed, L(x, γ, β) = Σ dy ⊙ y(x, γ, β) has
    # ∂L/∂y = dy, so its gradients are exactly (dx, dgamma, dbeta). Central differences
    # (L(θ + h e_i) − L(θ − h e_i)) / (2h) have error O(h²) ≈ 1e-10 plus rounding ≈ 1e-16 · |L| / h.
    x, gamma, dy = _backward_case(5, (3, 4))
    beta, eps, h = np.array([0.3, -0.2, 0.1, 0.0]), 1e-2, 1e-5

    def numeric(which: int) -> np.ndarray:
        params = [x, gamma, beta]
        grad = np.zeros_like(params[which])
        for i in np.ndindex(grad.shape):
            plus, minus = [p.copy() for p in params], [p.copy() for p in params]
            plus[which][i] += h
            minus[which][i] -= h
            grad[i] = (np.sum(dy * _np_ln(*plus, eps)) - np.sum(dy * _np_ln(*minus, eps))) / (2 * h)
        return grad

    call = "layer_norm_backward(x, gamma, dy, eps=0.01)  # x: 3x4"
    dx, dgamma, dbeta = _backward(exercise, x, gamma, dy, eps=eps, call=call)
    for got, which, name in ((dx, 0, "dx"), (dgamma, 1, "dgamma"), (dbeta, 2, "dbeta")):
        check_array(got, numeric(which), call=call, rtol=1e-6, atol=1e-7, what=f"{name} (central differences)")


@pytest.mark.task("layer_norm_backward", points=1)
def test_backward_bad_input_raises(exercise):
    """dy of another shape than x, gamma not of shape (d,), a 0-d x, eps <= 0 or nan raise ValueError; a non-real eps raises TypeError. One valid call (dy of x's shape) matches torch.autograd.

    ja: x と形の違う dy、形が (d,) でない gamma、0 次元の x、0 以下や nan の eps は ValueError。実数でない eps は TypeError。正しい入力での呼び出し 1 回 (x と同じ形の dy) は torch.autograd に一致する。
    """
    x, gamma, dy = _backward_case(6, (4, 3))
    call = "layer_norm_backward(x, gamma, dy)  # x: 4x3"
    got = _backward(exercise, x, gamma, dy, call=call, accepts=True)
    for value, expected, name in zip(got, _torch_ln_grads(x, gamma, dy), ("dx", "dgamma", "dbeta")):
        check_array(value, expected, call=call, rtol=1e-9, atol=1e-12, what=name)
    check_raises(ValueError, exercise.layer_norm_backward, x, gamma, dy.T,
                 call="layer_norm_backward(x, gamma, dy.T)  # x: 4x3, dy.T: 3x4")
    check_raises(ValueError, exercise.layer_norm_backward, x, np.ones(4), dy,
                 call="layer_norm_backward(x, np.ones(4), dy)  # x: 4x3")
    check_raises(ValueError, exercise.layer_norm_backward, np.float64(1.0), np.ones(1), np.float64(1.0),
                 call="layer_norm_backward(np.float64(1.0), np.ones(1), np.float64(1.0))  # 0-d")
    for eps in (0.0, -0.1, math.nan):
        check_raises(ValueError, exercise.layer_norm_backward, x, gamma, dy, eps=eps,
                     call=f"layer_norm_backward(x, gamma, dy, eps={eps!r})")
    check_raises(TypeError, exercise.layer_norm_backward, x, gamma, dy, eps="0.1",
                 call="layer_norm_backward(x, gamma, dy, eps='0.1')")


@pytest.mark.hidden  # not run in released notebooks / 公開版ノートブックでは実行しない
@pytest.mark.task("layer_norm_backward", points=1)
@given(shape=array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5), seed=st.integers(0, 2**32 - 1),
       eps=st.sampled_from([1e-5, 1e-2, 1.0]))
@example(shape=(1, 4), seed=0, eps=1e-5)
def test_backward_property_autograd_and_zero_sum(exercise, shape, seed, eps):
    """Property: for any shape (1 to 3 axes) and eps, (dx, dgamma, dbeta) match torch.autograd and each vector of dx sums to 0.

    ja: 性質: どんな形 (1〜3 軸) と eps でも (dx, dgamma, dbeta) が torch.autograd に一致し、dx の各ベクトルの和は 0。
    """
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape) * rng.uniform(0.1, 10.0)
    gamma, dy = rng.uniform(-2.0, 2.0, shape[-1]), rng.standard_normal(shape)
    call = f"layer_norm_backward(x, gamma, dy, eps={eps})  # x.shape={tuple(shape)}"
    dx, dgamma, dbeta = _backward(exercise, x, gamma, dy, eps=eps, call=call)
    exp = _torch_ln_grads(x, gamma, dy, eps)
    detached = _torch_ln_grads(x, gamma, dy, eps, True)
    n_vectors = max(1, int(np.prod(shape[:-1])))
    check_array(dx, exp[0], call=call, rtol=1e-8, atol=1e-10, what="dx",
                misconceptions=[BACKWARD_MU_SIGMA_CONSTANT.gives(detached[0])])
    for got, want, name in ((dgamma, exp[1], "dgamma"), (dbeta, exp[2], "dbeta")):
        check_array(got, want, call=call, rtol=1e-8, atol=1e-10, what=name,
                    misconceptions=[BACKWARD_PARAMS_AVERAGED.gives(want / n_vectors)] if n_vectors > 1 else [])
    # Hand derivation: layer_norm(x + c) = layer_norm(x) for a constant c added to a vector, so the
    # directional derivative along (1, ..., 1) is 0: each vector of dx sums to 0.
    sums = np.atleast_1d(np.sum(dx, axis=-1))
    check_array(sums, np.zeros(sums.shape), call=call, rtol=0.0, atol=1e-9 * (1.0 + np.max(np.abs(dx))),
                what="sum of each vector of dx")


# =============================================================================================
# covariance_matrix (3 points)
# =============================================================================================

def _data(seed: int, n: int, p: int) -> np.ndarray:
    """Observations with correlated columns, different scales and non-zero means."""
    rng = np.random.default_rng(seed)
    mix = rng.standard_normal((p, p)) + 2.0 * np.eye(p)
    return rng.standard_normal((n, p)) @ mix * rng.uniform(0.5, 4.0, p) + rng.uniform(-5.0, 5.0, p)


@pytest.mark.task("covariance_matrix", points=2)
def test_covariance_matches_numpy(exercise):
    """X (50, 4) with non-zero means: matches np.cov(X, rowvar=False) (divided by N − 1); [[1], [3]] gives [[2]].

    ja: 平均が 0 でない X (50, 4): np.cov(X, rowvar=False) (N − 1 で割る) に一致。[[1], [3]] なら [[2]]。
    """
    X = _data(7, 50, 4)
    n = X.shape[0]
    check_array(exercise.covariance_matrix(X), np.cov(X, rowvar=False), call="covariance_matrix(X)  # X: 50x4",
                rtol=1e-9, atol=1e-12,
                misconceptions=[COVARIANCE_NOT_CENTRED.gives(X.T @ X / (n - 1)),
                                COVARIANCE_DIVIDES_BY_N.gives(np.cov(X, rowvar=False, ddof=0))])
    # Hand derivation: mean 2, deviations -1 and 1, ((-1)² + 1²) / (2 - 1) = 2 (dividing by N = 2
    # gives 1; without centring (1 + 9) / 1 = 10).
    X2 = np.array([[1.0], [3.0]])
    check_array(exercise.covariance_matrix(X2), np.array([[2.0]]), call="covariance_matrix([[1], [3]])",
                rtol=1e-12, misconceptions=[COVARIANCE_DIVIDES_BY_N.gives(np.array([[1.0]])),
                                            COVARIANCE_NOT_CENTRED.gives(np.array([[10.0]]))])


@pytest.mark.task("covariance_matrix", points=1)
def test_covariance_bad_input_raises(exercise):
    """A 1-D or 3-D X, a single observation (1, 3) and no variable (5, 0) raise ValueError; two observations (2, 3) match np.cov.

    ja: 1 次元・3 次元の X、観測が 1 つ (1, 3)、変数がない (5, 0) は ValueError。観測が 2 つ (2, 3) なら np.cov に一致する。
    """
    X = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 0.0]])
    call = "covariance_matrix([[1.0, 2.0, 3.0], [3.0, 2.0, 0.0]])"
    check_array(check_accepts(exercise.covariance_matrix, X, call=call), np.cov(X, rowvar=False), call=call,
                rtol=1e-12, atol=1e-15)
    for name, X in (("np.arange(5.0)", np.arange(5.0)), ("np.ones((2, 3, 4))", np.ones((2, 3, 4))),
                    ("[[1.0, 2.0, 3.0]]", np.array([[1.0, 2.0, 3.0]])), ("np.ones((5, 0))", np.ones((5, 0)))):
        check_raises(ValueError, exercise.covariance_matrix, X, call=f"covariance_matrix({name})")


# =============================================================================================
# correlation_matrix (5 points)
# =============================================================================================

@pytest.mark.task("correlation_matrix", points=2)
def test_correlation_matches_numpy(exercise):
    """A square X (6, 6) and X (40, 5), both with non-zero means: matches np.corrcoef(X, rowvar=False) (columns are the variables).

    ja: 平均が 0 でない正方の X (6, 6) と X (40, 5): np.corrcoef(X, rowvar=False) に一致 (列が変数)。
    """
    # The square X first: there "rows as variables" has the right shape and can be named.
    for seed, (n, p) in ((9, (6, 6)), (8, (40, 5))):
        X = _data(seed, n, p)
        wrong = [CORRELATION_NOT_CENTRED.gives(_cosine_columns(X))]
        if n == p:  # rows as variables has the right shape only for a square X
            wrong.append(CORRELATION_ROWS_AS_VARIABLES.gives(np.corrcoef(X)))
        _check_correlation(exercise, X, np.corrcoef(X, rowvar=False), call=f"correlation_matrix(X)  # X: {n}x{p}",
                           misconceptions=wrong)


@pytest.mark.task("correlation_matrix", points=1)
def test_correlation_invariant_under_scaling_and_shift(exercise):
    """The chapter's embeddings (seed 42, 6 words x 64, words as columns): scaling 'cat' and 'mat' by 0.8 changes no correlation; a·x + b keeps it for a > 0 and flips its sign for a < 0.

    ja: 本文の埋め込み (seed 42、6 単語 x 64、単語が列): 'cat' と 'mat' を 0.8 倍しても相関は変わらない。a·x + b は a > 0 なら相関を保ち、a < 0 なら符号だけ反転。
    """
    # Chapter lines 1072-1081: np.random.seed(42); embeddings = np.random.randn(6, 64); rows 1 (cat) and
    # 5 (mat) scaled by 0.8. Here the words are the columns of X = embeddings.T (64 observations).
    rs = np.random.RandomState(42)
    X = rs.randn(6, 64).T
    R = np.corrcoef(X, rowvar=False)
    # Hand derivation: corr(a·u + b, v) = a·cov(u, v) / (|a|·σ_u·σ_v) = sign(a)·corr(u, v), and
    # corr(a·u + b, a·u + b) = 1. So with D = diag(sign(a)) the matrix becomes D R D.
    scaled = X.copy()
    scaled[:, [1, 5]] *= 0.8
    _check_correlation(exercise, scaled, R, call="correlation_matrix(X)  # X: 64x6, columns 1 and 5 scaled by 0.8",
                       misconceptions=[CORRELATION_NOT_CENTRED.gives(_cosine_columns(scaled))])
    a = np.array([0.8, 1000.0, -2.0, 0.001, 5.0, -0.5])
    b = np.array([10.0, -3000.0, 4.0, 0.05, -20.0, 1.0])
    signs = np.sign(a)
    shifted = X * a + b
    _check_correlation(exercise, shifted, R * np.outer(signs, signs),
                       call="correlation_matrix(X * a + b)  # a = [0.8, 1000, -2, 0.001, 5, -0.5]", atol=1e-10,
                       misconceptions=[CORRELATION_NOT_CENTRED.gives(_cosine_columns(shifted))])


@pytest.mark.task("correlation_matrix", points=1)
def test_correlation_constant_column_raises(exercise):
    """A constant column (index 3, all 3.7, whose computed variance is not exactly 0) raises ValueError naming the column; a 1-D X raises ValueError. The same X before its column 3 is made constant matches np.corrcoef.

    ja: 定数の列 (番号 3、すべて 3.7、計算上の分散は 0 ぴったりにならない) は、その列番号を含む ValueError。1 次元の X も ValueError。列 3 を定数にする前の同じ X では np.corrcoef に一致する。
    """
    X = _data(10, 6, 5)
    _check_correlation(exercise, X, np.corrcoef(X, rowvar=False), call="correlation_matrix(X)  # X: 6x5", accepts=True)
    X[:, 3] = 3.7  # np.var of six 3.7s is ~2e-31, not 0: the mean 3.7 is not exact in binary
    check_raises(ValueError, exercise.correlation_matrix, X, call="correlation_matrix(X)  # X: 6x5, X[:, 3] = 3.7",
                 match=r"(?<![\d.])3(?![\d.])")
    check_raises(ValueError, exercise.correlation_matrix, np.arange(6.0), call="correlation_matrix(np.arange(6.0))")


@pytest.mark.hidden  # not run in released notebooks / 公開版ノートブックでは実行しない
@pytest.mark.task("correlation_matrix", points=1)
@given(n=st.integers(2, 8), p=st.integers(1, 4), seed=st.integers(0, 2**32 - 1),
       a=st.floats(0.01, 100.0), negative=st.booleans(), b=st.floats(-10.0, 10.0))
@example(n=2, p=3, seed=1, a=3.0, negative=True, b=1.0)
def test_correlation_property_bounds_and_invariance(exercise, n, p, seed, a, negative, b):
    """Property: for any data (N >= 2), entries lie in [-1, 1] with a unit diagonal and match np.corrcoef; scaling column 0 by a and adding b keeps R up to the sign of a.

    ja: 性質: どんなデータ (N >= 2) でも成分は [-1, 1]、対角は 1 で np.corrcoef に一致。列 0 を a 倍して b を足しても、a の符号を除いて R は同じ。
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    R = np.corrcoef(X, rowvar=False).reshape(p, p)
    got = _check_correlation(exercise, X, R, call=f"correlation_matrix(X)  # X: {n}x{p}", atol=1e-10,
                             misconceptions=[CORRELATION_NOT_CENTRED.gives(_cosine_columns(X))])
    if np.any(np.abs(got) > 1.0):
        fail(f"correlation_matrix(X) (X: {n}x{p}) の成分 {got[np.abs(got) > 1.0].tolist()} が [-1, 1] の外です。",
             f"correlation_matrix(X) (X: {n}x{p}) has entries {got[np.abs(got) > 1.0].tolist()} outside [-1, 1].")
    check_array(np.diag(got), np.ones(p), call=f"correlation_matrix(X)  # X: {n}x{p}", rtol=0.0, atol=1e-12,
                what="diagonal")
    factor = -a if negative else a
    Y = X.copy()
    Y[:, 0] = factor * X[:, 0] + b
    sign = np.ones(p)
    sign[0] = np.sign(factor)
    _check_correlation(exercise, Y, R * np.outer(sign, sign), atol=1e-9,
                       call=f"correlation_matrix(Y)  # Y = X with column 0 -> {factor:.6g}·x + {b:.6g}",
                       misconceptions=[CORRELATION_NOT_CENTRED.gives(_cosine_columns(Y))])
