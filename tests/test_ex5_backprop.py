"""Graded tests for ex5_backprop (chapter section 3.3 微分とバックプロパゲーション).

Backpropagation by hand (TwoLayerNet.backward, manual_grad) is checked against three independent
oracles: torch autograd in float64 (written here with torch.nn.functional.linear, not the
submission's autograd_gradients), central differences computed here, and values derived by hand
(derivations in comments; the ReLU-at-zero example uses dyadic numbers, so it is exact).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograder.compare import (Misconception, as_left, check_accepts, check_array, check_equal, check_float,
                                 check_raises, check_type, convention)
from autograder.portable import portable

pytestmark = pytest.mark.exercise("ex5_backprop")
#: The exercise's title in the score table and reports (Japanese, English).
TITLE = ("手計算の逆伝播と自動微分", "Backprop by hand vs autograd")

#: Automatic or numerical differentiation libraries: backprop by hand must not use them.
FORBIDDEN_AUTODIFF = (
    "torch", "jax", "tensorflow", "autograd", "functorch", "sympy", "scipy.optimize", "scipy.differentiate",
    "numdifftools", "mpmath", "findiff", "pytensor", "aesara", "theano", "chainer", "mxnet", "paddle", "mlx",
    "tinygrad", "micrograd",
)
#: "From scratch" rules (docs/authoring.md, autograder.core.scratch): the library calls each task's
#: code may not use, checked in the submission's code and while the task's tests run.
RULES = [
    {"task": "backward", "function": "TwoLayerNet.backward", "forbidden": FORBIDDEN_AUTODIFF, "no_overloading": True},
    {"task": "manual_grad", "forbidden": FORBIDDEN_AUTODIFF, "no_overloading": True},
    {"task": "numerical_gradient", "forbidden": FORBIDDEN_AUTODIFF, "no_overloading": True},
]

# ---------------------------------------------------------------------------------------------
# Misconceptions (docs/authoring.md): known mistakes, named in a failure when the student's value
# is exactly what the mistake gives, computed from this module's own oracles (torch autograd with
# the mistake built in, the oracle transposed or divided by N, differences computed here).
# ---------------------------------------------------------------------------------------------

W2_GRADIENT_TRANSPOSED = Misconception(
    "w2_gradient_transposed", task="backward", lines=(1273, 1295), errata=True,
    ja="あなたの ∂L/∂W2 は正しい勾配の転置 (形 (H, K)) と一致します: 本文の W2 は (入力, 出力) の形ですが、"
       "W2 は W1 と同じ (出力, 入力) = (K, H) で、その勾配 (y − t) a1ᵀ も同じ形です",
    en="your ∂L/∂W2 equals the transpose of the right gradient, shape (H, K): the chapter's W2 is (in, out), but "
       "W2 is (out, in) = (K, H) like W1, and so is its gradient (y − t) a1ᵀ")
RELU_DERIVATIVE_AT_ZERO_IS_ONE = Misconception(
    "relu_derivative_at_zero_is_one", task="backward",
    ja="あなたの勾配は ReLU'(0) = 1 とした値と一致します: ReLU'(0) = 0 (z1 >= 0 ではなく z1 > 0 で判定) とし、"
       "z1 がちょうど 0 のユニットは勾配を通しません",
    en="your gradients equal those with ReLU'(0) = 1: take ReLU'(0) = 0 (test z1 > 0, not z1 >= 0), so a unit "
       "with z1 exactly 0 passes no gradient")
RELU_DERIVATIVE_MISSING = Misconception(
    "relu_derivative_missing", task="backward",
    ja="あなたの勾配は ReLU の微分を掛け忘れた値 (∂L/∂z1 = ∂L/∂a1) と一致します: ∂L/∂z1 = ∂L/∂a1 ⊙ ReLU'(z1) "
       "なので、z1 ≤ 0 のユニットは勾配を通しません",
    en="your gradients equal those without the ReLU derivative (∂L/∂z1 = ∂L/∂a1): ∂L/∂z1 = ∂L/∂a1 ⊙ ReLU'(z1), "
       "so a unit with z1 ≤ 0 passes no gradient")
GRADIENT_MEAN_OVER_BATCH = Misconception(
    "gradient_mean_over_batch", task="backward",
    ja="あなたの勾配は正しい勾配をバッチの大きさ N で割った値 (平均の損失の勾配) と一致します: 損失はバッチ全体の和 "
       "½ Σ (y − t)² なので、勾配も各サンプルの勾配の和です",
    en="your gradients equal the right ones divided by the batch size N (the gradients of the mean loss): the "
       "loss is the sum ½ Σ (y − t)² over the batch, so its gradients are sums over the samples")
BIAS_GRADIENT_NOT_SUMMED = Misconception(
    "bias_gradient_not_summed", task="backward", lines=(1315, 1328),
    ja="あなたのバイアスの勾配はサンプルごとの勾配を行に並べたものと一致します: 本文の ∂L/∂b = ∂L/∂z は入力 1 つの場合の式で、"
       "バッチではサンプルの軸で和をとるので、形はバイアスと同じになります",
    en="your bias gradient equals the per-sample gradients stacked as rows: the chapter's ∂L/∂b = ∂L/∂z is for "
       "a single input, and for a batch you sum it over the samples, which gives the bias's shape")
FORWARD_DIFFERENCE = Misconception(
    "forward_difference", task="numerical_gradient",
    ja="あなたの結果は前進差分 (f(x + h eᵢ) − f(x)) / h と一致します: 誤差が O(h²) の中心差分 "
       "(f(x + h eᵢ) − f(x − h eᵢ)) / (2h) を使ってください",
    en="your result equals the forward difference (f(x + h eᵢ) − f(x)) / h: use the central difference "
       "(f(x + h eᵢ) − f(x − h eᵢ)) / (2h), whose error is O(h²)")
FLOAT32_AUTOGRAD = Misconception(
    "float32_autograd", task="autograd_gradients", lines=(1455, 1456), errata=True,
    ja="あなたの勾配は float32 (本文と同じ torch.tensor の既定の dtype) で計算した自動微分と一致します: "
       "テンソルを dtype=torch.float64 で作ってください",
    en="your gradients equal autograd in float32, torch.tensor's default dtype as in the chapter: create the "
       "tensors with dtype=torch.float64")
COS_DERIVATIVE_SIGN = Misconception(
    "cos_derivative_sign", task="manual_grad",
    ja="あなたの値は d cos(u)/du = +sin(u) とした値と一致します: 正しくは −sin(u) なので、∂/∂x cos(xy) = −sin(xy)·y です",
    en="your value equals taking d cos(u)/du = +sin(u): the derivative is −sin(u), so ∂/∂x cos(xy) = −sin(xy)·y")
#: The catalogue of this exercise's misconceptions (selftests/test_misconception.py checks it).
MISCONCEPTIONS = [W2_GRADIENT_TRANSPOSED, RELU_DERIVATIVE_AT_ZERO_IS_ONE, RELU_DERIVATIVE_MISSING,
                  GRADIENT_MEAN_OVER_BATCH, BIAS_GRADIENT_NOT_SUMMED, FORWARD_DIFFERENCE, FLOAT32_AUTOGRAD,
                  COS_DERIVATIVE_SIGN]

PARAMS = ("W1", "b1", "W2", "b2")

# The chapter's network (3.3 chain_rule_demonstration) with W2 fixed to (out, in) = (1, 2).
CH_W1 = np.array([[0.5, -0.3], [0.2, 0.8]])
CH_B1 = np.array([0.1, -0.1])
CH_W2 = np.array([[0.7, -0.4]])
CH_B2 = np.array([0.2])
CH_X = np.array([1.0, 0.5])
CH_T = np.array([0.8])

# Hand derivation at the chapter's point:
#   z1 = W1 x + b1 = [0.5*1 - 0.3*0.5 + 0.1, 0.2*1 + 0.8*0.5 - 0.1] = [0.45, 0.5]
#   a1 = ReLU(z1) = [0.45, 0.5]                      (both positive)
#   y  = W2 a1 + b2 = 0.7*0.45 - 0.4*0.5 + 0.2 = 0.315 - 0.2 + 0.2 = 0.315
#   L  = ½ (0.315 - 0.8)² = ½ * 0.235225 = 0.1176125
#   ∂L/∂y  = 0.315 - 0.8 = -0.485
#   ∂L/∂W2 = -0.485 * [0.45, 0.5] = [[-0.21825, -0.2425]]     (shape (1, 2) like W2)
#   ∂L/∂b2 = [-0.485]
#   ∂L/∂a1 = W2ᵀ (-0.485) = [0.7 * -0.485, -0.4 * -0.485] = [-0.3395, 0.194]
#   ∂L/∂z1 = ∂L/∂a1 (ReLU' = 1 for both units)             = [-0.3395, 0.194]
#   ∂L/∂W1 = outer([-0.3395, 0.194], [1, 0.5]) = [[-0.3395, -0.16975], [0.194, 0.097]]
#   ∂L/∂b1 = [-0.3395, 0.194]
CH_Y = np.array([0.315])
CH_LOSS = 0.1176125
CH_GRADS = {
    "W1": np.array([[-0.3395, -0.16975], [0.194, 0.097]]),
    "b1": np.array([-0.3395, 0.194]),
    "W2": np.array([[-0.21825, -0.2425]]),
    "b2": np.array([-0.485]),
}


# ---------------------------------------------------------------------------------------------
# oracles written here (never the submission's helpers)
# ---------------------------------------------------------------------------------------------

def _torch_oracle(W1, b1, W2, b2, x, t, *, dtype=torch.float64, relu=F.relu):
    """Forward output, loss and parameter gradients of ½ Σ (y - t)² by torch autograd (float64).

    ``dtype`` and ``relu`` only build in a misconception (float32; a ReLU with another derivative),
    the results are float64 arrays either way."""
    params = [torch.tensor(np.asarray(p, dtype=np.float64), dtype=dtype, requires_grad=True)
              for p in (W1, b1, W2, b2)]
    xt = torch.tensor(np.asarray(x, dtype=np.float64), dtype=dtype)
    tt = torch.tensor(np.asarray(t, dtype=np.float64), dtype=dtype)
    y = F.linear(relu(F.linear(xt, params[0], params[1])), params[2], params[3])
    loss = 0.5 * ((y - tt) ** 2).sum()
    grads = torch.autograd.grad(loss, params)
    return (y.detach().numpy().astype(np.float64), float(loss.detach()),
            {name: g.numpy().astype(np.float64) for name, g in zip(PARAMS, grads)})


def _relu_derivative_one_at_zero(z):
    """ReLU whose derivative is 1 for z >= 0 (RELU_DERIVATIVE_AT_ZERO_IS_ONE): where picks z at 0."""
    return torch.where(z >= 0, z, torch.zeros_like(z))


def _relu_without_derivative(z):
    """ReLU's value with the identity's derivative (RELU_DERIVATIVE_MISSING): relu(z) + z - z, the last
    z detached (exact: relu(z) + z - z is relu(z) in floating point)."""
    return F.relu(z).detach() + z - z.detach()


def _backward_mistakes(W1, b1, W2, b2, x, t, ref: dict) -> list:
    """What each backward misconception gives for this input, ``[(Misconception, {name: gradient})]``,
    applied to the test's oracles (``ref``: the right gradients). A mistake that gives the right value
    for this input is never named (autograder.checks.misconception.match)."""
    _, _, at_zero_one = _torch_oracle(W1, b1, W2, b2, x, t, relu=_relu_derivative_one_at_zero)
    _, _, no_relu_derivative = _torch_oracle(W1, b1, W2, b2, x, t, relu=_relu_without_derivative)
    mistakes = [(W2_GRADIENT_TRANSPOSED, {"W2": ref["W2"].T}),
                (RELU_DERIVATIVE_AT_ZERO_IS_ONE, at_zero_one),
                (RELU_DERIVATIVE_MISSING, no_relu_derivative)]
    x = np.asarray(x)
    if x.ndim == 2:  # a batch: the mean's gradients, and the per-sample bias gradients as rows
        n = x.shape[0]
        per_sample = [_torch_oracle(W1, b1, W2, b2, x[i], np.asarray(t)[i])[2] for i in range(n)]
        mistakes += [(GRADIENT_MEAN_OVER_BATCH, {name: ref[name] / n for name in PARAMS}),
                     (BIAS_GRADIENT_NOT_SUMMED, {name: np.stack([g[name] for g in per_sample]) for name in ("b1", "b2")})]
    return mistakes


def _np_loss(params: dict, x, t) -> float:
    """The loss ½ Σ (y - t)² written with NumPy, for the central-difference oracle."""
    z1 = params["W1"] @ x + params["b1"]
    y = params["W2"] @ np.maximum(z1, 0.0) + params["b2"]
    return 0.5 * float(np.sum((y - t) ** 2))


def _central_diff(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central differences of a scalar function of an array (oracle, own copy of x)."""
    x = np.array(x, dtype=np.float64)
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += h
        xm[idx] -= h
        g[idx] = (f(xp) - f(xm)) / (2 * h)
    return g


def _forward_diff(f, x, h: float) -> np.ndarray:
    """Forward differences (f(x + h e_i) - f(x)) / h: what FORWARD_DIFFERENCE gives (own copy of x)."""
    x = np.array(x, dtype=np.float64)
    f0 = float(f(x.copy()))
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        xp = x.copy()
        xp[idx] += h
        g[idx] = (float(f(xp)) - f0) / h
    return g


def _random_net(rng, d, h, k):
    return (rng.normal(size=(h, d)), rng.normal(size=h), rng.normal(size=(k, h)), rng.normal(size=k))


#: The exercise text's convention for a batch; named in the failure messages of the tests it decides.
BATCH_SUM = convention("バッチの損失はすべてのサンプルの和 (平均ではない): L = ½ Σ (y - t)²",
                       "the loss of a batch is the sum over all samples (not the mean): L = ½ Σ (y - t)²")


def _check_grads(grads, expected: dict, *, call: str, rtol: float, atol: float, mistakes=()) -> None:
    """Check a gradient dict: a dict with exactly the four keys, each an array like expected.

    ``mistakes``: ``[(Misconception, {name: gradient})]``, what known mistakes give for this input."""
    check_type(grads, dict, call=call)
    check_equal(sorted(grads.keys()), sorted(PARAMS), call=call, what="keys of the gradient dict / 勾配の辞書のキー")
    for name in PARAMS:
        check_array(grads[name], expected[name], call=call, rtol=rtol, atol=atol,
                    what=f'gradient "{name}" / 勾配 "{name}"',
                    misconceptions=[m.gives(wrong[name]) for m, wrong in mistakes if name in wrong])


def _net(exercise, W1, b1, W2, b2):
    return exercise.TwoLayerNet(W1=np.array(W1, dtype=np.float64), b1=np.array(b1, dtype=np.float64),
                                W2=np.array(W2, dtype=np.float64), b2=np.array(b2, dtype=np.float64))


# ---------------------------------------------------------------------------------------------
# forward
# ---------------------------------------------------------------------------------------------

@pytest.mark.task("forward", points=1)
def test_forward_chapter_values(exercise):
    """The default (chapter) network maps x = [1, 0.5] to y = [0.315] with loss 0.1176125 (by hand).

    ja: 既定 (本文) のネットワークは x = [1, 0.5] を y = [0.315] に写し、損失は 0.1176125 (手計算)。
    """
    net = exercise.TwoLayerNet()
    y = net.forward(CH_X.copy())
    check_array(y, CH_Y, call="TwoLayerNet().forward([1.0, 0.5])", rtol=1e-12)
    check_float(net.loss(CH_X.copy(), CH_T.copy()), CH_LOSS,
                call="TwoLayerNet().loss([1.0, 0.5], [0.8])", rtol=1e-12)


@pytest.mark.task("forward", points=1)
def test_forward_matches_torch(exercise):
    """forward of a random 3-4-2 network, and of a wide 300-4-2 one, equals torch's linear-ReLU-linear in float64.

    ja: 乱数の 3-4-2 ネットワークと幅の広い 300-4-2 ネットワークの forward が float64 の torch の linear-ReLU-linear に等しい。
    """
    rng = np.random.default_rng(0)
    # D = 300 is above 256, where int identity differs from equality.
    for d in (3, 300):
        W1, b1, W2, b2 = _random_net(rng, d, 4, 2)
        x = rng.normal(size=d)
        y_ref, _, _ = _torch_oracle(W1, b1, W2, b2, x, np.zeros(2))
        y = _net(exercise, W1, b1, W2, b2).forward(x.copy())
        check_array(y, y_ref, call=f"TwoLayerNet(random {d}-4-2).forward(x)", rtol=1e-12, atol=1e-14)


@pytest.mark.task("forward", points=1)
def test_forward_batch(exercise):
    """A batch (N, D) gives outputs (N, K) row by row and the loss summed over the batch (torch).

    ja: バッチ (N, D) では出力は行ごとに (N, K)、損失はバッチ全体の和 (torch)。
    """
    rng = np.random.default_rng(1)
    W1, b1, W2, b2 = _random_net(rng, 3, 4, 2)
    X = rng.normal(size=(5, 3))
    T = rng.normal(size=(5, 2))
    y_ref, loss_ref, _ = _torch_oracle(W1, b1, W2, b2, X, T)
    net = _net(exercise, W1, b1, W2, b2)
    check_array(net.forward(X.copy()), y_ref, call="TwoLayerNet(3-4-2).forward(X of shape (5, 3))",
                rtol=1e-12, atol=1e-14)
    with BATCH_SUM:
        check_float(net.loss(X.copy(), T.copy()), loss_ref,
                    call="TwoLayerNet(3-4-2).loss(X (5, 3), T (5, 2)) (sum over the batch)", rtol=1e-12)
    # A batch is 2-D: a 3-D array (even with a last axis of length D) raises ValueError, as the text says.
    check_raises(ValueError, net.forward, rng.normal(size=(2, 5, 3)), call="TwoLayerNet(3-4-2).forward(X of shape (2, 5, 3))")


# ---------------------------------------------------------------------------------------------
# backward
# ---------------------------------------------------------------------------------------------

@pytest.mark.task("backward", points=2)
def test_backward_chapter_gradients(exercise):
    """Gradients of the chapter network at x = [1, 0.5], t = [0.8] equal the hand-derived values.

    ja: 本文のネットワークの x = [1, 0.5], t = [0.8] での勾配が手計算の値に等しい。
    """
    net = exercise.TwoLayerNet()
    net.forward(CH_X.copy())
    grads = net.backward(CH_T.copy())
    _check_grads(grads, CH_GRADS, call="TwoLayerNet().backward([0.8]) after forward([1.0, 0.5])",
                 rtol=1e-12, atol=1e-15, mistakes=_backward_mistakes(CH_W1, CH_B1, CH_W2, CH_B2, CH_X, CH_T, CH_GRADS))


@pytest.mark.task("backward", points=1)
def test_backward_gradient_shapes(exercise):
    """Every gradient is a float64 array shaped exactly like its parameter (W2: (K, H), not (H, K)).

    ja: どの勾配もパラメータとちょうど同じ形の float64 配列 (W2 は (H, K) ではなく (K, H))。
    """
    rng = np.random.default_rng(2)
    for d, h, k in ((2, 2, 1), (3, 4, 2), (1, 3, 5)):
        W1, b1, W2, b2 = _random_net(rng, d, h, k)
        net = _net(exercise, W1, b1, W2, b2)
        net.forward(rng.normal(size=d))
        grads = net.backward(rng.normal(size=k))
        call = f"TwoLayerNet(D={d}, H={h}, K={k}).backward(t)"
        check_type(grads, dict, call=call)
        check_equal(sorted(grads.keys()), sorted(PARAMS), call=call, what="keys / キー")
        for name, param in zip(PARAMS, (W1, b1, W2, b2)):
            check_type(grads[name], np.ndarray, call=call, what=f'gradient "{name}" / 勾配 "{name}"')
            check_equal(tuple(grads[name].shape), param.shape, call=call,
                        what=f'shape of gradient "{name}" (must equal the parameter\'s) / 勾配 "{name}" の形',
                        misconceptions=[W2_GRADIENT_TRANSPOSED.gives(param.shape[::-1])] if name == "W2" else ())
            check_equal(str(grads[name].dtype), "float64", call=call, what=f'dtype of gradient "{name}"')


@pytest.mark.task("backward", points=1)
def test_backward_matches_torch_autograd(exercise):
    """backward of a random 4-5-3 network equals torch autograd (float64) to 1e-12.

    ja: 乱数の 4-5-3 ネットワークの backward が torch autograd (float64) と 1e-12 まで一致。
    """
    rng = np.random.default_rng(3)
    W1, b1, W2, b2 = _random_net(rng, 4, 5, 3)
    x, t = rng.normal(size=4), rng.normal(size=3)
    _, _, ref = _torch_oracle(W1, b1, W2, b2, x, t)
    net = _net(exercise, W1, b1, W2, b2)
    net.forward(x.copy())
    _check_grads(net.backward(t.copy()), ref, call="TwoLayerNet(random 4-5-3).backward(t)",
                 rtol=1e-10, atol=1e-12, mistakes=_backward_mistakes(W1, b1, W2, b2, x, t, ref))


@pytest.mark.task("backward", points=1)
def test_backward_matches_numerical_gradient(exercise):
    """backward of a random 3-4-2 network agrees with central differences computed in the test.

    ja: 乱数の 3-4-2 ネットワークの backward がテスト内で計算した中心差分と一致。
    """
    rng = np.random.default_rng(4)
    W1, b1, W2, b2 = _random_net(rng, 3, 4, 2)
    x, t = rng.normal(size=3), rng.normal(size=2)
    params = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    # no pre-activation near the ReLU kink, so the finite differences are valid
    assert np.min(np.abs(W1 @ x + b1)) > 1e-2
    expected = {}
    for name in PARAMS:
        def f(p, name=name):
            return _np_loss({**params, name: p}, x, t)
        expected[name] = _central_diff(f, params[name])
    net = _net(exercise, W1, b1, W2, b2)
    net.forward(x.copy())
    _check_grads(net.backward(t.copy()), expected, call="TwoLayerNet(random 3-4-2).backward(t)",
                 rtol=1e-6, atol=1e-8, mistakes=_backward_mistakes(W1, b1, W2, b2, x, t, expected))


@pytest.mark.task("backward", points=1)
def test_backward_relu_at_zero(exercise):
    """A hidden unit with z1 exactly 0 passes no gradient (ReLU'(0) = 0, as in torch), nor does one with z1 < 0.

    ja: z1 がちょうど 0 の隠れユニットは勾配を通さない (torch と同じく ReLU'(0) = 0)。z1 < 0 のユニットも同じ。
    """
    # Dyadic numbers, so everything is exact (the third unit, z1 < 0, tells ReLU'(0) = 1 apart from
    # forgetting ReLU' altogether: both pass gradient through unit 0, only the latter through unit 2):
    #   z1 = W1 x + b1 = [0.5 - 0.125 - 0.375, 0.25 + 0.375 + 0.125, -0.5 + 0.125 - 0.25] = [0, 0.75, -0.625]
    #   a1 = [0, 0.75, 0],  y = 0.5*0 - 0.75*0.75 + 0.5*0 + 0.25 = -0.3125,  ∂L/∂y = -0.3125 - 1 = -1.3125
    #   ∂L/∂W2 = -1.3125 * [0, 0.75, 0] = [[0, -0.984375, 0]],  ∂L/∂b2 = [-1.3125]
    #   ∂L/∂a1 = W2ᵀ(-1.3125) = [-0.65625, 0.984375, -0.65625]
    #   ∂L/∂z1 = [-0.65625 * ReLU'(0), 0.984375 * 1, -0.65625 * 0] = [0, 0.984375, 0]
    #   ∂L/∂W1 = outer([0, 0.984375, 0], [1, 0.5]) = [[0, 0], [0.984375, 0.4921875], [0, 0]]
    W1 = np.array([[0.5, -0.25], [0.25, 0.75], [-0.5, 0.25]])
    b1 = np.array([-0.375, 0.125, -0.25])
    W2 = np.array([[0.5, -0.75, 0.5]])
    b2 = np.array([0.25])
    x, t = np.array([1.0, 0.5]), np.array([1.0])
    expected = {
        "W1": np.array([[0.0, 0.0], [0.984375, 0.4921875], [0.0, 0.0]]),
        "b1": np.array([0.0, 0.984375, 0.0]),
        "W2": np.array([[0.0, -0.984375, 0.0]]),
        "b2": np.array([-1.3125]),
    }
    _, _, ref = _torch_oracle(W1, b1, W2, b2, x, t)  # torch agrees: relu'(0) = 0
    for name in PARAMS:
        np.testing.assert_array_equal(ref[name], expected[name])
    net = _net(exercise, W1, b1, W2, b2)
    net.forward(x.copy())
    with convention("ReLU'(0) = 0 (torch と同じ約束): z1 がちょうど 0 の隠れユニットは勾配を通しません",
                    "ReLU'(0) = 0 (the convention torch uses): a hidden unit with z1 exactly 0 passes no gradient"):
        _check_grads(net.backward(t.copy()), expected, call="backward with z1[0] == 0 exactly (and z1[2] < 0)",
                     rtol=0, atol=0, mistakes=_backward_mistakes(W1, b1, W2, b2, x, t, expected))


@pytest.mark.task("backward", points=1)
def test_backward_dead_relus(exercise):
    """When every z1 < 0 the gradients of W1, b1 and W2 are zero and ∂L/∂b2 = y - t.

    ja: z1 がすべて負なら W1, b1, W2 の勾配は 0 で、∂L/∂b2 = y - t。
    """
    # chapter weights with b1 = [-2, -2]: z1 = [0.35 - 2, 0.6 - 2] < 0, a1 = 0, y = b2 = [0.2]
    # ∂L/∂y = 0.2 - 0.8 = -0.6; nothing flows through the dead ReLUs, and ∂L/∂W2 = -0.6 * a1 = 0
    b1 = np.array([-2.0, -2.0])
    expected = {
        "W1": np.zeros((2, 2)),
        "b1": np.zeros(2),
        "W2": np.zeros((1, 2)),
        "b2": np.array([0.2 - 0.8]),
    }
    net = _net(exercise, CH_W1, b1, CH_W2, CH_B2)
    net.forward(CH_X.copy())
    _check_grads(net.backward(CH_T.copy()), expected, call="backward with b1 = [-2, -2] (all ReLUs dead)",
                 rtol=1e-12, atol=1e-15, mistakes=_backward_mistakes(CH_W1, b1, CH_W2, CH_B2, CH_X, CH_T, expected))


@pytest.mark.task("backward", points=1)
def test_backward_before_forward_raises(exercise):
    """backward called before any forward raises RuntimeError (the text names the exception, not its wording); a target shaped unlike the output raises ValueError; backward after forward on the chapter's values gives the hand-derived gradients.

    ja: forward の前に backward を呼ぶと RuntimeError (本文が定めるのは例外の種類で、メッセージの文言ではない)。出力と形の違う目標は ValueError。本文の値で forward の後に呼ぶ backward は手計算の勾配になる。
    """
    net = exercise.TwoLayerNet()
    check_raises(RuntimeError, net.backward, CH_T.copy(), call="TwoLayerNet().backward([0.8]) before forward")
    net2 = _net(exercise, np.ones((3, 2)), np.zeros(3), np.ones((2, 3)), np.zeros(2))
    check_raises(RuntimeError, net2.backward, np.zeros(2), call="TwoLayerNet(2-3-2).backward(t) before forward")
    # After forward, a target whose shape differs from the output's (1,) raises ValueError.
    net.forward(CH_X.copy())
    for name, t in (("0.8 (0-d)", np.array(0.8)), ("[0.8, 0.8, 0.8]", np.full(3, 0.8)), ("[[0.8]]", np.full((1, 1), 0.8))):
        check_raises(ValueError, net.backward, t, call=f"TwoLayerNet().backward({name}) after forward([1.0, 0.5])")
    # The valid call, on a new network: forward, then backward with a target shaped like the output.
    net = exercise.TwoLayerNet()
    net.forward(CH_X.copy())
    call = "TwoLayerNet().backward([0.8]) after forward([1.0, 0.5])"
    _check_grads(check_accepts(net.backward, CH_T.copy(), call=call), CH_GRADS, call=call, rtol=1e-12, atol=1e-15)


@pytest.mark.task("backward", points=1)
def test_backward_batch_sums_over_samples(exercise):
    """For a batch (N, D) the gradients are those of the loss summed over the batch (torch).

    ja: バッチ (N, D) の勾配はバッチ全体の損失の和の勾配 (torch)。
    """
    rng = np.random.default_rng(5)
    W1, b1, W2, b2 = _random_net(rng, 3, 4, 2)
    X, T = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    _, _, ref = _torch_oracle(W1, b1, W2, b2, X, T)
    net = _net(exercise, W1, b1, W2, b2)
    net.forward(X.copy())
    with BATCH_SUM:
        _check_grads(net.backward(T.copy()), ref, call="TwoLayerNet(3-4-2).backward(T (6, 2)) after forward(X (6, 3))",
                     rtol=1e-10, atol=1e-12, mistakes=_backward_mistakes(W1, b1, W2, b2, X, T, ref))


_floats = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False, allow_subnormal=False, width=64)


@st.composite
def _small_nets(draw):
    d, h, k = (draw(st.integers(1, 4)) for _ in range(3))
    arrays = [draw(hnp.arrays(np.float64, shape, elements=_floats))
              for shape in ((h, d), (h,), (k, h), (k,), (d,), (k,))]
    return arrays


@pytest.mark.hidden  # not run in released notebooks / 公開版ノートブックでは実行しない
@pytest.mark.task("backward", points=1)
@settings(report_multiple_bugs=False)
@given(_small_nets())
def test_backward_property_random_nets(exercise, arrays):
    """For random small networks and inputs, backward equals torch autograd within 1e-10.

    ja: 小さな乱数ネットワークと入力で、backward が torch autograd と 1e-10 以内で一致。
    """
    W1, b1, W2, b2, x, t = arrays
    z1 = F.linear(torch.tensor(x), torch.tensor(W1), torch.tensor(b1)).numpy()
    assume(np.all(np.abs(z1) > 1e-9))  # away from the kink, where rounding could flip ReLU'
    _, _, ref = _torch_oracle(W1, b1, W2, b2, x, t)
    net = _net(exercise, W1, b1, W2, b2)
    net.forward(x.copy())
    call = (f"TwoLayerNet(W1={W1.tolist()}, b1={b1.tolist()}, W2={W2.tolist()}, b2={b2.tolist()})"
            f".backward({t.tolist()}) after forward({x.tolist()})")
    _check_grads(net.backward(t.copy()), ref, call=call, rtol=1e-10, atol=1e-10,
                 mistakes=_backward_mistakes(W1, b1, W2, b2, x, t, ref))


# ---------------------------------------------------------------------------------------------
# numerical_gradient
# ---------------------------------------------------------------------------------------------

@pytest.mark.task("numerical_gradient", points=1)
def test_numerical_gradient_2d_known_function(exercise):
    """numerical_gradient of f(X) = Σ A⊙X² + sin(X00)·X12 on a (2, 3) array; X stays unchanged; h <= 0, inf, nan or an f that returns an array raise ValueError.

    ja: (2, 3) 配列での f(X) = Σ A⊙X² + sin(X00)·X12 の numerical_gradient。X は変更されない。h が 0 以下・inf・nan、または f が配列を返すと ValueError。
    """
    A = np.array([[1.0, -2.0, 0.5], [3.0, 0.25, -1.0]])
    # entries such that x + h - 2h + h != x in float64 (an in-place "undo" does not restore them)
    X = np.array([[0.1, 0.7, 1.3], [1.1, -0.45, 2.1]])
    X_before = X.copy()

    @portable
    def f(Z):
        return float(np.sum(A * Z**2) + np.sin(Z[0, 0]) * Z[1, 2])

    # by hand: ∂f/∂X = 2 A ⊙ X, plus cos(X00)·X12 at (0, 0) and sin(X00) at (1, 2)
    expected = 2 * A * X
    expected[0, 0] += np.cos(X[0, 0]) * X[1, 2]
    expected[1, 2] += np.sin(X[0, 0])
    out = exercise.numerical_gradient(f, X)
    call = "numerical_gradient(f, X of shape (2, 3))"
    check_array(out, expected, call=call, rtol=1e-8, atol=1e-8,
                misconceptions=[FORWARD_DIFFERENCE.gives(_forward_diff(f, X_before, 1e-5))])  # default h = 1e-5
    check_equal(str(out.dtype), "float64", call=call, what="dtype of the result / 結果の dtype")
    check_array(as_left(X), X_before, call=call, rtol=0, atol=0, what="the input X after the call (must be unchanged) / 呼び出し後の入力 X")
    # h must be positive and finite, and f must return a scalar: ValueError otherwise.
    for h in (0.0, -1e-5, np.inf, np.nan):
        check_raises(ValueError, exercise.numerical_gradient, f, X.copy(), h=h, call=f"numerical_gradient(f, X, h={h!r})")
    check_raises(ValueError, exercise.numerical_gradient, lambda Z: 2.0 * Z, X.copy(),
                 call="numerical_gradient(lambda Z: 2 * Z, X)  # f returns an array, not a scalar")


@pytest.mark.task("numerical_gradient", points=1)
def test_numerical_gradient_central_difference_accuracy(exercise):
    """For f = Σ x³ the central difference is exactly 3x² + h² for every shape and the given h, also for a Python float and a list.

    ja: f = Σ x³ では、どの形と与えた h でも中心差分はちょうど 3x² + h² (Python の float やリストでも)。
    """
    # (f(x+h) - f(x-h)) / (2h) = ((x+h)³ - (x-h)³) / (2h) = (6x²h + 2h³) / (2h) = 3x² + h²
    # (a forward difference would give 3x² + 3xh + h² instead)
    @portable
    def f(z):
        return float(np.sum(z**3))

    rng = np.random.default_rng(6)
    for shape, h in (((4,), 1e-3), ((2, 1, 3), 1e-2), ((), 1e-3), ((3,), 1e-5)):
        x = rng.uniform(-2.0, 2.0, size=shape)
        x_before = x.copy()
        out = exercise.numerical_gradient(f, x, h=h)
        call = f"numerical_gradient(sum(x**3), x of shape {shape}, h={h:g})"
        check_array(out, 3 * x**2 + h**2, call=call, rtol=0, atol=1e-9,
                    misconceptions=[FORWARD_DIFFERENCE.gives(_forward_diff(f, x_before, h))])
        check_array(as_left(x), x_before, call=call, rtol=0, atol=0, what="the input x after the call / 呼び出し後の入力 x")
    # x may be any real array_like: a Python float (a scalar) and a list of ints.
    for x, expected, name in ((1.5, np.array(3 * 1.5**2 + 1e-6), "1.5"), ([1, -2], np.array([3.0 + 1e-6, 12.0 + 1e-6]), "[1, -2]")):
        call = f"numerical_gradient(sum(x**3), {name}, h=1e-3)"
        cube = portable(lambda z: float(np.sum(np.asarray(z) ** 3)))
        check_array(exercise.numerical_gradient(cube, x, h=1e-3), expected, call=call, rtol=0, atol=1e-9,
                    misconceptions=[FORWARD_DIFFERENCE.gives(_forward_diff(cube, x, 1e-3))])


# ---------------------------------------------------------------------------------------------
# autograd_gradients
# ---------------------------------------------------------------------------------------------

@pytest.mark.task("autograd_gradients", points=1)
def test_autograd_gradients_float64(exercise):
    """autograd_gradients returns float64 NumPy gradients: chapter values (by hand) and a batch (torch); wrong shapes of x or y_true raise ValueError.

    ja: autograd_gradients は float64 の NumPy の勾配を返す: 本文の値 (手計算) とバッチ (torch)。x や y_true の形が違うと ValueError。
    """
    net = exercise.TwoLayerNet()
    out = exercise.autograd_gradients(net, CH_X.copy(), CH_T.copy())
    call = "autograd_gradients(TwoLayerNet(), [1.0, 0.5], [0.8])"
    in_float32 = _torch_oracle(CH_W1, CH_B1, CH_W2, CH_B2, CH_X, CH_T, dtype=torch.float32)[2]
    _check_grads(out, CH_GRADS, call=call, rtol=1e-12, atol=1e-15,  # float32 would be off by ~1e-8
                 mistakes=[(FLOAT32_AUTOGRAD, in_float32)])
    for name in PARAMS:
        check_equal(str(out[name].dtype), "float64", call=call, what=f'dtype of "{name}"')
    rng = np.random.default_rng(7)
    # A batch of a 3-4-2 network, and any input size D: a wide 300-4-2 network (D > 256, where int
    # identity differs from equality).
    for d, n in ((3, 5), (300, 3)):
        W1, b1, W2, b2 = _random_net(rng, d, 4, 2)
        X, T = rng.normal(size=(n, d)), rng.normal(size=(n, 2))
        _, _, ref = _torch_oracle(W1, b1, W2, b2, X, T)
        out = exercise.autograd_gradients(_net(exercise, W1, b1, W2, b2), X.copy(), T.copy())
        in_float32 = _torch_oracle(W1, b1, W2, b2, X, T, dtype=torch.float32)[2]
        _check_grads(out, ref, call=f"autograd_gradients(TwoLayerNet({d}-4-2), X ({n}, {d}), T ({n}, 2))",
                     rtol=1e-12, atol=1e-13, mistakes=[(FLOAT32_AUTOGRAD, in_float32)])
    # x of another shape than (D,) or (N, D), or y_true shaped unlike the output (1,): ValueError.
    bad = (("[1.0]", np.array([1.0]), CH_T), ("[1.0, 0.5, 2.0]", np.array([1.0, 0.5, 2.0]), CH_T),
           ("X of shape (2, 2, 2)", np.ones((2, 2, 2)), np.ones((2, 2, 1))),
           ("[1.0, 0.5], 0.8 (0-d)", CH_X, np.array(0.8)), ("[1.0, 0.5], [0.8, 0.8, 0.8]", CH_X, np.full(3, 0.8)))
    for name, x, t in bad:
        check_raises(ValueError, exercise.autograd_gradients, exercise.TwoLayerNet(), x.copy(), t.copy(),
                     call=f"autograd_gradients(TwoLayerNet(), {name})")


# ---------------------------------------------------------------------------------------------
# manual_grad
# ---------------------------------------------------------------------------------------------

def _torch_graph_grad(x: float, y: float, *, cos_derivative_sign: float = -1.0) -> tuple[float, float]:
    """Oracle: (∂L/∂x, ∂L/∂y) of (sin(x² + 2xy + y²) + cos(xy))² by torch autograd, float64.

    ``cos_derivative_sign=+1`` builds in COS_DERIVATIVE_SIGN: cos(xy) keeps its value, but its
    derivative becomes +sin(xy) (2c - c with the first c detached is c, with derivative -dc)."""
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    yt = torch.tensor(y, dtype=torch.float64, requires_grad=True)
    c = torch.cos(xt * yt)
    if cos_derivative_sign > 0:
        c = 2 * c.detach() - c
    loss = (torch.sin(xt**2 + 2 * xt * yt + yt**2) + c) ** 2
    gx, gy = torch.autograd.grad(loss, (xt, yt))
    return float(gx), float(gy)


def _check_pair(out, expected, *, call: str, rtol: float, atol: float, mistakes=()) -> None:
    """``mistakes``: ``[(Misconception, (dL/dx, dL/dy))]``, what known mistakes give for this point."""
    check_type(out, tuple, call=call)
    check_equal(len(out), 2, call=call, what="length of the tuple / タプルの長さ")
    check_float(out[0], expected[0], call=call, rtol=rtol, atol=atol, what="dL/dx",
                misconceptions=[m.gives(wrong[0]) for m, wrong in mistakes])
    check_float(out[1], expected[1], call=call, rtol=rtol, atol=atol, what="dL/dy",
                misconceptions=[m.gives(wrong[1]) for m, wrong in mistakes])


@pytest.mark.task("manual_grad", points=1)
def test_manual_grad_chapter_point(exercise):
    """manual_grad(2, 3) is a tuple of two floats equal to torch autograd (≈ 17.7986, 17.3359).

    ja: manual_grad(2, 3) は float 2 つのタプルで torch autograd に等しい (≈ 17.7986, 17.3359)。
    """
    expected = _torch_graph_grad(2.0, 3.0)
    # by hand: z = 25, w = sin 25 + cos 6, dL/dx = 2w (10 cos 25 - 3 sin 6), dL/dy = 2w (10 cos 25 - 2 sin 6)
    w = math.sin(25.0) + math.cos(6.0)
    assert abs(expected[0] - 2 * w * (10 * math.cos(25.0) - 3 * math.sin(6.0))) < 1e-12
    assert abs(expected[1] - 2 * w * (10 * math.cos(25.0) - 2 * math.sin(6.0))) < 1e-12
    sign_error = _torch_graph_grad(2.0, 3.0, cos_derivative_sign=+1.0)
    _check_pair(exercise.manual_grad(2.0, 3.0), expected, call="manual_grad(2.0, 3.0)", rtol=1e-12, atol=1e-12,
                mistakes=[(COS_DERIVATIVE_SIGN, sign_error)])


@pytest.mark.hidden  # not run in released notebooks / 公開版ノートブックでは実行しない
@pytest.mark.task("manual_grad", points=1)
@settings(report_multiple_bugs=False)
@given(st.floats(-3.0, 3.0, allow_nan=False, allow_subnormal=False),
       st.floats(-3.0, 3.0, allow_nan=False, allow_subnormal=False))
def test_manual_grad_property_vs_torch(exercise, x, y):
    """manual_grad(x, y) equals torch autograd at random points of [-3, 3]².

    ja: [-3, 3]² の乱数の点で manual_grad(x, y) が torch autograd に等しい。
    """
    _check_pair(exercise.manual_grad(x, y), _torch_graph_grad(x, y), call=f"manual_grad({x!r}, {y!r})",
                rtol=1e-10, atol=1e-10,
                mistakes=[(COS_DERIVATIVE_SIGN, _torch_graph_grad(x, y, cos_derivative_sign=+1.0))])


# ---------------------------------------------------------------------------------------------
# relative_error
# ---------------------------------------------------------------------------------------------

@pytest.mark.task("relative_error", points=1)
def test_relative_error_values(exercise):
    """relative_error = max|a-b| / max(max|a|, max|b|, tiny): values, symmetry, 0 for equal, zero and empty arrays.

    ja: relative_error = max|a-b| / max(max|a|, max|b|, tiny): 値、対称性、等しい配列・ゼロの配列・空配列では 0。
    """
    re = exercise.relative_error
    # max|a-b| = 0.5, max(max|a|, max|b|) = 3.5
    check_float(re(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.5])), 0.5 / 3.5,
                call="relative_error([1, 2, 3], [1, 2, 3.5])", rtol=1e-14)
    check_float(re(np.array([1.0, 2.0, 3.5]), np.array([1.0, 2.0, 3.0])), 0.5 / 3.5,
                call="relative_error([1, 2, 3.5], [1, 2, 3])", rtol=1e-14)
    # absolute values in the scale: max|a-b| = 1, max|a| = 4 -> 0.25
    check_float(re(np.array([-4.0, 1.0]), np.array([-4.0, 2.0])), 0.25,
                call="relative_error([-4, 1], [-4, 2])", rtol=1e-14)
    a = np.array([[0.3, -1.7], [2.5, 1e-3]])
    check_float(re(a, a.copy()), 0.0, call="relative_error(A, A)", rtol=0, atol=0)
    check_float(re(np.zeros((2, 3)), np.zeros((2, 3))), 0.0, call="relative_error(zeros, zeros)", rtol=0, atol=0)
    check_float(re(np.array([]), np.array([])), 0.0, call="relative_error([], [])  # empty arrays give 0.0", rtol=0, atol=0)
    # 1e-300 is far above tiny (2.2e-308): |0 - 1e-300| / 1e-300 = 1
    check_float(re(np.array([0.0]), np.array([1e-300])), 1.0, call="relative_error([0], [1e-300])", rtol=1e-14)
    # opposite signs: max|a-b| = 2, scale 1 -> 2 (the largest possible value)
    check_float(re(np.array([1.0, -0.5]), np.array([-1.0, 0.5])), 2.0,
                call="relative_error([1, -0.5], [-1, 0.5])", rtol=1e-14)


@pytest.mark.task("relative_error", points=1)
def test_relative_error_scalars_and_shape_mismatch(exercise):
    """relative_error accepts scalars and raises ValueError when the shapes differ (no broadcasting).

    ja: relative_error はスカラーを受け付け、形が違えば ValueError (ブロードキャストしない)。
    """
    re = exercise.relative_error
    check_float(re(1.0, 1.1), abs(1.0 - 1.1) / 1.1, call="relative_error(1.0, 1.1)", rtol=1e-14)
    check_float(re(np.float64(-3.0), -3.0), 0.0, call="relative_error(np.float64(-3.0), -3.0)", rtol=0, atol=0)
    for sa, sb in (((3,), (2,)), ((3,), (1,)), ((2, 1), (2,)), ((2, 3), (3, 2)), ((), (1,))):
        check_raises(ValueError, re, np.ones(sa), np.ones(sb),
                     call=f"relative_error(array of shape {sa}, array of shape {sb})")
