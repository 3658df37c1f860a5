# このファイルは演習用のひな形です。関数の中身を書いてください。
# Exercise stub: fill in the function bodies. (generated from solutions/ by `python -m autograder.stubs`)
"""演習5: 手で書く誤差逆伝播法と自動微分 (本文 3.3「微分とバックプロパゲーション」)
=====================================================================================

本文の ``chain_rule_demonstration`` (小さな2層ネットワーク ``SimpleNetwork``) と
``automatic_differentiation`` (計算グラフ (sin((x+y)²) + cos(xy))² の自動微分) を、
連鎖律だけを使って自分で実装し、PyTorch の自動微分 (autograd) および数値微分と照合します。

実装するもの
------------
1. ``TwoLayerNet.forward(x)`` — 2層ネットワークの順伝播。重みは (出力, 入力) の形::

       z1 = W1 x + b1        (隠れ層の前活性, 形 (H,))
       a1 = ReLU(z1)         (ReLU(u) = max(0, u))
       y  = W2 a1 + b2       (出力, 形 (K,))

   ``x`` は形 (D,) (本文と同じ1本の入力) または形 (N, D) (N 個の入力のバッチ、各行が1つの入力)。
   後で ``backward`` が使う値 (x, z1, a1, y) を ``self.cache`` に保存してください。
2. ``TwoLayerNet.backward(y_true)`` — 損失 L = ½ Σ (y - t)² (バッチでは全サンプル・全出力の和)
   の各パラメータについての勾配を、連鎖律で **手で** 計算します (torch は使わない)::

       ∂L/∂y  = y - t                        (K,)
       ∂L/∂W2 = (∂L/∂y) a1ᵀ  (外積)          (K, H)  ← W2 と同じ形
       ∂L/∂b2 = ∂L/∂y                        (K,)
       ∂L/∂a1 = W2ᵀ (∂L/∂y)                  (H,)
       ∂L/∂z1 = ∂L/∂a1 ⊙ ReLU'(z1)           (H,)   ReLU'(u) = 1 (u > 0), 0 (u ≤ 0)
       ∂L/∂W1 = (∂L/∂z1) xᵀ  (外積)          (H, D)
       ∂L/∂b1 = ∂L/∂z1                       (H,)

   バッチでは各サンプルの勾配の和になります (例: ∂L/∂W2 = (Y - T)ᵀ A1)。
   戻り値はキー "W1", "b1", "W2", "b2" の辞書で、各勾配はパラメータと **同じ形** の float64 配列。
   ReLU'(0) = 0 とします (torch と同じ約束)。``forward`` より前に呼ばれたら RuntimeError。
3. ``numerical_gradient(f, x, h)`` — 中心差分 (f(x + h eᵢ) - f(x - h eᵢ)) / (2h) による数値勾配。
   ``x`` は任意の形の配列で、結果は同じ形の float64 配列。呼び出し側の ``x`` を変更してはいけません。
   中心差分の誤差は O(h²)、前進差分 (f(x + h eᵢ) - f(x)) / h は O(h) です。
4. ``autograd_gradients(net, x, y_true)`` — 同じ損失の勾配を torch の autograd (float64) で計算し、
   NumPy 配列で返します (``backward`` を検証する独立な「答え」)。
5. ``manual_grad(x, y)`` — 本文の計算グラフ L(x, y) = (sin((x+y)²) + cos(xy))² (``graph_loss``,
   与えられています) の偏微分 (∂L/∂x, ∂L/∂y) を連鎖律で手計算します (torch は使わない)。
   本文の点 (2, 3) では ∂L/∂x ≈ 17.7986, ∂L/∂y ≈ 17.3359。
6. ``relative_error(a, b)`` — 勾配チェック用の相対誤差
   max|a - b| / max(max|a|, max|b|, tiny)。

「手で」の意味 (採点のルール)
----------------------------
``backward``・``manual_grad``・``numerical_gradient`` では自動微分を使えません。使ってよいのは
NumPy 配列と Python の数値、そして連鎖律で自分で導いた式だけです。使えないもの:

- torch (テンソルの演算も含めて torch のすべて) と、ほかの自動微分・数式微分のライブラリ
  (jax、autograd、tensorflow、sympy、scipy.optimize など);
- 自作の自動微分エンジン: 算術演算子 (``__add__``、``__mul__``、``__pow__`` など) を定義した
  自分のクラスの値で計算し、計算グラフをたどって勾配を求めるもの (micrograd の ``Value`` など)。
  採点器は、これらの課題の実行中に自作クラスの算術演算子が呼ばれたら違反とみなします。

採点器はソースを読むだけでなく、実行中の呼び出しも確認します (別名・別モジュール・スレッド経由でも)。
違反するとその課題のテストはすべて 0 点になり、メッセージにファイルと行が示されます。
``backward`` のテストは ``forward`` も呼び、その中の呼び出しも同じように確認します。``forward`` で
torch を使うと ``backward`` の違反になるので、``forward`` も NumPy で書いてください。

本文との違い
------------
- 本文の ``SimpleNetwork`` は ``W2 = [[0.7], [-0.4]]`` (2×1) で ``W2 @ a1`` が形の不一致で失敗します
  (docs/ERRATA.md, 1273/1295 行)。重みは W1 と同じく (出力, 入力) なので W2 は 1×2 の
  ``[[0.7, -0.4]]`` です。∂L/∂W2 は外積 (∂L/∂y) a1ᵀ で、W2 と同じ形 (1, 2) になります
  (本文の ``dL_dz2 @ a1.reshape(1, -1)`` は形 (2,) を返し、W2 の形になりません)。
- 本文の ``backward(y, y_true)`` は y も受け取りますが、ここでは ``forward`` が保存した値を使い
  ``backward(y_true)`` とします。
- 本文の自動微分は float32 のテンソルで計算しているため、表示される「自動微分と数値微分の差」の
  大部分は float32 の丸め誤差です (docs/ERRATA.md, 1455 行)。ここでは float64 を使います。
- 本文の ``numerical_gradient`` はスカラーの x だけを扱います。ここでは任意の形の配列を扱います。
- 本文の計算グラフの図では「勾配の流れ」の矢印が順方向に描かれています (docs/ERRATA.md, 1398-1416 行)。
  勾配は損失 L から y, z2, a1, z1 を経てパラメータへと **逆向き** に流れます
  (∂L/∂W2 が先に、∂L/∂W1 が最後に求まる)。図は作らず、networkx も使いません。
- 本文は z = x² + 2xy + y² と書いていますが、これは (x+y)² と同じ関数です。

---------------------------------------------------------------------------------------------

Exercise 5: backpropagation by hand vs automatic differentiation (chapter 3.3
"微分とバックプロパゲーション", differentiation and backpropagation)
================================================================================

You re-implement the chapter's ``chain_rule_demonstration`` (the small two-layer network
``SimpleNetwork``) and ``automatic_differentiation`` (autograd of the computational graph
(sin((x+y)²) + cos(xy))²) using only the chain rule, and check them against PyTorch's autograd and
against numerical differentiation.

What to implement
-----------------
1. ``TwoLayerNet.forward(x)`` — the forward pass of a two-layer network with weights shaped
   (out, in)::

       z1 = W1 x + b1        (hidden pre-activation, shape (H,))
       a1 = ReLU(z1)         (ReLU(u) = max(0, u))
       y  = W2 a1 + b2       (output, shape (K,))

   ``x`` has shape (D,) (a single input, as in the chapter) or (N, D) (a batch of N inputs, one
   per row). Store what ``backward`` needs (x, z1, a1, y) in ``self.cache``.
2. ``TwoLayerNet.backward(y_true)`` — the gradients of the loss L = ½ Σ (y - t)² (for a batch, the
   sum over all samples and outputs) with respect to every parameter, **by hand** with the chain
   rule (no torch)::

       ∂L/∂y  = y - t                        (K,)
       ∂L/∂W2 = (∂L/∂y) a1ᵀ  (outer product) (K, H)  <- same shape as W2
       ∂L/∂b2 = ∂L/∂y                        (K,)
       ∂L/∂a1 = W2ᵀ (∂L/∂y)                  (H,)
       ∂L/∂z1 = ∂L/∂a1 ⊙ ReLU'(z1)           (H,)   ReLU'(u) = 1 if u > 0, 0 if u ≤ 0
       ∂L/∂W1 = (∂L/∂z1) xᵀ  (outer product) (H, D)
       ∂L/∂b1 = ∂L/∂z1                       (H,)

   For a batch the gradients are sums over the samples (e.g. ∂L/∂W2 = (Y - T)ᵀ A1).
   Return a dict with keys "W1", "b1", "W2", "b2"; each gradient is a float64 array with
   **exactly** its parameter's shape. ReLU'(0) = 0 (the convention torch uses). Calling it before
   ``forward`` raises RuntimeError.
3. ``numerical_gradient(f, x, h)`` — the numerical gradient by central differences
   (f(x + h eᵢ) - f(x - h eᵢ)) / (2h), for ``x`` of any shape; the result is a float64 array of
   the same shape, and the caller's ``x`` is left unchanged. The central difference has error
   O(h²); the forward difference (f(x + h eᵢ) - f(x)) / h only O(h).
4. ``autograd_gradients(net, x, y_true)`` — the same gradients by torch autograd in float64,
   returned as NumPy arrays (an independent answer to check ``backward`` against).
5. ``manual_grad(x, y)`` — the partial derivatives (∂L/∂x, ∂L/∂y) of the chapter's graph
   L(x, y) = (sin((x+y)²) + cos(xy))² (``graph_loss``, given) by the chain rule (no torch).
   At the chapter's point (2, 3): ∂L/∂x ≈ 17.7986, ∂L/∂y ≈ 17.3359.
6. ``relative_error(a, b)`` — the relative error used in gradient checks,
   max|a - b| / max(max|a|, max|b|, tiny).

What "by hand" means (the grading rule)
---------------------------------------
``backward``, ``manual_grad`` and ``numerical_gradient`` use no automatic differentiation: only
NumPy arrays, Python numbers and the formulas you derive with the chain rule. Not allowed:

- torch (all of it, tensor arithmetic included) and any other automatic or symbolic
  differentiation library (jax, autograd, tensorflow, sympy, scipy.optimize...);
- an autodiff engine of your own: values of a class of yours that defines arithmetic operators
  (``__add__``, ``__mul__``, ``__pow__``...) and finds the gradients by walking back through the
  graph they record (micrograd's ``Value``, for example). The grader counts any arithmetic
  operator of your own class called while these tasks run as a violation.

The grader reads the source and also watches the calls made while the code runs (whatever name,
module or thread they go through). A violation scores 0 on every test of that task, and the
message names the file and line. ``backward``'s tests call ``forward`` too and watch its calls
the same way: torch used in ``forward`` counts against ``backward``, so write ``forward`` with
NumPy as well.

Differs from the chapter
------------------------
- The chapter's ``SimpleNetwork`` has ``W2 = [[0.7], [-0.4]]`` (2x1), so ``W2 @ a1`` fails with a
  shape mismatch (docs/ERRATA.md, lines 1273/1295). Weights are (out, in) like W1, so W2 is the 1x2
  ``[[0.7, -0.4]]``. ∂L/∂W2 is the outer product (∂L/∂y) a1ᵀ with W2's shape (1, 2) (the
  chapter's ``dL_dz2 @ a1.reshape(1, -1)`` gives shape (2,), not W2's shape).
- The chapter's ``backward(y, y_true)`` also takes y; here ``backward(y_true)`` uses the values
  cached by ``forward``.
- The chapter runs autograd on float32 tensors, so most of its printed "autograd minus numerical"
  difference is float32 rounding (docs/ERRATA.md, line 1455). Here everything is float64.
- The chapter's ``numerical_gradient`` handles a scalar x only; here x is an array of any shape.
- The chapter's graph figure draws the "gradient flow" arrows forward (docs/ERRATA.md, lines
  1398-1416). Gradients flow **backward**, from the loss L through y, z2, a1, z1 to the
  parameters (∂L/∂W2 is found first, ∂L/∂W1 last). No figure is drawn here and networkx is not
  needed.
- The chapter writes z = x² + 2xy + y²; that is the same function as (x+y)².
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch

__all__ = [
    "CHAPTER_W1",
    "CHAPTER_B1",
    "CHAPTER_W2",
    "CHAPTER_B2",
    "CHAPTER_X",
    "CHAPTER_Y_TRUE",
    "TwoLayerNet",
    "numerical_gradient",
    "autograd_gradients",
    "graph_loss",
    "manual_grad",
    "relative_error",
]

#: The chapter's parameters (3.3 chain_rule_demonstration), with W2 corrected to (out, in) = (1, 2).
#: 本文 3.3 のパラメータ (W2 は (出力, 入力) = (1, 2) に修正済み)。
CHAPTER_W1 = np.array([[0.5, -0.3], [0.2, 0.8]])
CHAPTER_B1 = np.array([0.1, -0.1])
CHAPTER_W2 = np.array([[0.7, -0.4]])
CHAPTER_B2 = np.array([0.2])
#: The chapter's input and target. / 本文の入力と目標値。
CHAPTER_X = np.array([1.0, 0.5])
CHAPTER_Y_TRUE = np.array([0.8])

_PARAM_NAMES = ("W1", "b1", "W2", "b2")


def _param(value, default: np.ndarray, name: str) -> np.ndarray:
    """Return a float64 copy of ``value`` (or of ``default`` if ``value`` is None)."""
    arr = np.array(default if value is None else value, dtype=np.float64, copy=True)
    if not np.all(np.isfinite(arr)):
        raise ValueError(
            f"{name} に有限でない値 (nan/inf) があります。 / {name} contains non-finite values (nan/inf)."
        )
    return arr


class TwoLayerNet:
    """本文 3.3 の2層ネットワーク (修正版) / The chapter's two-layer network (3.3, corrected).

    z1 = W1 x + b1, a1 = ReLU(z1), y = W2 a1 + b2, 損失 / loss L = ½ Σ (y - t)².

    Args:
        W1: 形 (H, D) の第1層の重み (None なら本文の [[0.5, -0.3], [0.2, 0.8]])。
            first-layer weights, shape (H, D) (None: the chapter's [[0.5, -0.3], [0.2, 0.8]]).
        b1: 形 (H,) のバイアス (None なら [0.1, -0.1]) / bias, shape (H,) (None: [0.1, -0.1]).
        W2: 形 (K, H) の第2層の重み (None なら [[0.7, -0.4]]、本文の 2×1 を 1×2 に修正)。
            second-layer weights, shape (K, H) (None: [[0.7, -0.4]], the chapter's 2x1 fixed
            to 1x2).
        b2: 形 (K,) のバイアス (None なら [0.2]) / bias, shape (K,) (None: [0.2]).

    Attributes:
        W1, b1, W2, b2: float64 の ndarray (引数のコピー) / float64 ndarrays (copies).
        cache: ``forward`` が保存する中間値の dict / dict of values saved by ``forward``.

    Raises:
        ValueError: 形が合わない、または nan/inf を含む / shapes are inconsistent or contain
            nan/inf.
    """

    def __init__(self, W1=None, b1=None, W2=None, b2=None):
        self.W1 = _param(W1, CHAPTER_W1, "W1")
        self.b1 = _param(b1, CHAPTER_B1, "b1")
        self.W2 = _param(W2, CHAPTER_W2, "W2")
        self.b2 = _param(b2, CHAPTER_B2, "b2")
        if self.W1.ndim != 2 or self.W2.ndim != 2 or self.b1.ndim != 1 or self.b2.ndim != 1:
            raise ValueError(
                "W1, W2 は2次元 (出力, 入力)、b1, b2 は1次元でなければなりません "
                f"(W1 {self.W1.shape}, b1 {self.b1.shape}, W2 {self.W2.shape}, b2 {self.b2.shape})。 / "
                "W1 and W2 must be 2-D (out, in) and b1, b2 1-D "
                f"(got W1 {self.W1.shape}, b1 {self.b1.shape}, W2 {self.W2.shape}, b2 {self.b2.shape})."
            )
        hidden, out = self.W1.shape[0], self.W2.shape[0]
        if self.b1.shape != (hidden,) or self.W2.shape[1] != hidden or self.b2.shape != (out,):
            raise ValueError(
                "形が合いません: W1 (H, D), b1 (H,), W2 (K, H), b2 (K,) が必要です "
                f"(W1 {self.W1.shape}, b1 {self.b1.shape}, W2 {self.W2.shape}, b2 {self.b2.shape})。 / "
                "inconsistent shapes: need W1 (H, D), b1 (H,), W2 (K, H), b2 (K,) "
                f"(got W1 {self.W1.shape}, b1 {self.b1.shape}, W2 {self.W2.shape}, b2 {self.b2.shape})."
            )
        self.cache = {}

    def forward(self, x):
        """順伝播 z1 = W1 x + b1, a1 = ReLU(z1), y = W2 a1 + b2 (本文 3.3 連鎖律)。

        Forward pass z1 = W1 x + b1, a1 = ReLU(z1), y = W2 a1 + b2 (chapter 3.3, chain rule).
        Stores x, z1, a1 and y in ``self.cache`` for ``backward``.
        ``backward`` のために x, z1, a1, y を ``self.cache`` に保存します。

        Args:
            x: 形 (D,) の1つの入力、または形 (N, D) のバッチ (各行が1つの入力)。
               one input of shape (D,), or a batch of shape (N, D) (one input per row).

        Returns:
            y: float64 の ndarray、形 (K,) (x が (D,) のとき) または (N, K) (x が (N, D) のとき)。
               float64 ndarray of shape (K,) (for x of shape (D,)) or (N, K) (for (N, D)).

        Raises:
            ValueError: x が1次元・2次元でない、最後の軸の長さが D でない、または nan/inf を含む。
                x is not 1-D or 2-D, its last axis is not D long, or it contains nan/inf.
        """
        # YOUR CODE HERE / ここにコードを書いてください
        raise NotImplementedError()

    def loss(self, x, y_true) -> float:
        """損失 L = ½ Σ (y - t)² (バッチでは全サンプルの和) を返す (``forward`` を呼びます)。

        Loss L = ½ Σ (y - t)² (for a batch: the sum over all samples); calls ``forward``.

        Args:
            x: ``forward`` と同じ / as in ``forward``.
            y_true: 目標 t、``forward(x)`` の戻り値と同じ形 / target t, same shape as ``forward(x)``.

        Returns:
            float: 損失 / the loss.

        Raises:
            ValueError: y_true の形が出力と違う / y_true's shape differs from the output's.
        """
        y = self.forward(x)
        t = np.asarray(y_true, dtype=np.float64)
        if t.shape != y.shape:
            raise ValueError(
                f"y_true の形 {t.shape} が出力の形 {y.shape} と違います。 / "
                f"y_true has shape {t.shape}, but the output has shape {y.shape}."
            )
        return float(0.5 * np.sum((y - t) ** 2))

    def backward(self, y_true) -> dict:
        """連鎖律による逆伝播 (本文 3.3)。torch は使いません。

        Backpropagation by the chain rule (chapter 3.3), without torch, for the loss
        L = ½ Σ (y - t)² of the last ``forward`` call (for a batch: summed over the samples).

        Args:
            y_true: 目標 t、直前の ``forward`` の出力と同じ形 ((K,) または (N, K))。
                target t, same shape as the output of the last ``forward`` ((K,) or (N, K)).

        Returns:
            dict: キー "W1", "b1", "W2", "b2"。値は ∂L/∂(パラメータ) で、パラメータと同じ形の
            float64 ndarray (∂L/∂W2 は外積 (y - t) a1ᵀ、形 (K, H))。ReLU'(0) = 0。
            keys "W1", "b1", "W2", "b2"; values ∂L/∂(parameter), float64 ndarrays with exactly
            the parameter's shape (∂L/∂W2 is the outer product (y - t) a1ᵀ, shape (K, H)).
            ReLU'(0) = 0.

        Raises:
            RuntimeError: ``forward`` がまだ呼ばれていない / ``forward`` has not been called yet.
            ValueError: y_true の形が出力と違う / y_true's shape differs from the output's.
        """
        # YOUR CODE HERE / ここにコードを書いてください
        raise NotImplementedError()


def numerical_gradient(f: Callable[[np.ndarray], float], x, h: float = 1e-5) -> np.ndarray:
    """中心差分による数値勾配 (本文 3.3 自動微分、配列に一般化)。

    Numerical gradient by central differences (chapter 3.3 automatic differentiation,
    generalised to arrays)::

        g[i] = (f(x + h e_i) - f(x - h e_i)) / (2h)      (error O(h²) / 誤差 O(h²))

    Args:
        f: 形 x.shape の float64 配列を受け取りスカラー (float) を返す関数。
           a function taking a float64 array of shape x.shape and returning a scalar.
        x: 任意の形の実数の配列 (スカラーも可)。変更されません。
           real array of any shape (a scalar too); it is left unchanged.
        h: 刻み幅 (> 0) / step size (> 0).

    Returns:
        float64 の ndarray、形は x と同じ / float64 ndarray with the shape of x.

    Raises:
        ValueError: h が正の有限値でない、または f がスカラーを返さない。
            h is not positive and finite, or f does not return a scalar.
    """
    # YOUR CODE HERE / ここにコードを書いてください
    raise NotImplementedError()


def autograd_gradients(net: TwoLayerNet, x, y_true) -> dict:
    """torch の自動微分 (float64) で TwoLayerNet の損失の勾配を求める (本文 3.3 自動微分)。

    The gradients of ``net``'s loss L = ½ Σ (y - t)² by torch autograd in float64 (chapter 3.3
    automatic differentiation). Reads ``net.W1``, ``net.b1``, ``net.W2``, ``net.b2``; does not
    call ``net.forward`` and does not change ``net``.

    Args:
        net: ネットワーク / the network.
        x: 形 (D,) または (N, D) の入力 / input of shape (D,) or (N, D).
        y_true: 目標、出力と同じ形 / target, same shape as the output.

    Returns:
        dict: キー "W1", "b1", "W2", "b2"、値はパラメータと同じ形の float64 の NumPy 配列
        (計算グラフから切り離したもの)。
        keys "W1", "b1", "W2", "b2"; values detached float64 NumPy arrays shaped like the
        parameters.

    Raises:
        ValueError: x または y_true の形が合わない / x or y_true has the wrong shape.
    """
    # YOUR CODE HERE / ここにコードを書いてください
    raise NotImplementedError()


def graph_loss(x, y):
    """本文 3.3 自動微分の計算グラフ L(x, y) = (sin((x+y)²) + cos(xy))² (与えられた関数)。

    The chapter's computational graph (3.3 automatic differentiation), given:
    z = (x + y)² (the chapter writes x² + 2xy + y², the same function), w = sin z + cos(xy),
    L = w². Works elementwise on NumPy arrays. / NumPy 配列には要素ごとに計算します。
    """
    z = (x + y) ** 2
    w = np.sin(z) + np.cos(x * y)
    return w**2


def manual_grad(x: float, y: float) -> tuple[float, float]:
    """``graph_loss`` の偏微分を連鎖律で手計算する (本文 3.3 自動微分)。torch は使いません。

    The partial derivatives of ``graph_loss`` by the chain rule (chapter 3.3), without torch.

    導出 / derivation: with s = x + y, z = s², p = xy, w = sin z + cos p, L = w²::

        ∂L/∂w = 2w
        ∂w/∂x = cos z · ∂z/∂x - sin p · ∂p/∂x = cos z · 2s - sin p · y
        ∂w/∂y = cos z · 2s - sin p · x
        ∂L/∂x = 2w (cos z · 2(x+y) - sin(xy) · y)
        ∂L/∂y = 2w (cos z · 2(x+y) - sin(xy) · x)

    At the chapter's point (2, 3) / 本文の点 (2, 3) では: (≈ 17.7986, ≈ 17.3359).

    Args:
        x, y: 実数 / real numbers.

    Returns:
        tuple[float, float]: (∂L/∂x, ∂L/∂y).
    """
    # YOUR CODE HERE / ここにコードを書いてください
    raise NotImplementedError()


def relative_error(a, b) -> float:
    """勾配チェック用の相対誤差 max|a - b| / max(max|a|, max|b|, tiny)。

    Relative error for gradient checks::

        relative_error(a, b) = max|a - b| / max(max|a|, max|b|, tiny)

    where tiny = numpy.finfo(float64).tiny ≈ 2.2e-308 (the smallest positive normal float64) only
    prevents 0/0: equal arrays, including two zero arrays, give 0.0. The value is symmetric in a
    and b and lies in [0, 2]. Empty arrays give 0.0.
    tiny は 0/0 を防ぐためだけのもので、等しい配列 (0 の配列どうしを含む) は 0.0 になります。
    a と b について対称で、値は [0, 2] に入ります。空配列は 0.0。

    Args:
        a, b: 同じ形の実数の配列またはスカラー (ブロードキャストしない)。
              real arrays or scalars of the same shape (no broadcasting).

    Returns:
        float: 相対誤差 / the relative error.

    Raises:
        ValueError: a と b の形が違う / a and b have different shapes.
    """
    # YOUR CODE HERE / ここにコードを書いてください
    raise NotImplementedError()


# ---------------------------------------------------------------------------------------------
# ヒント (段階式): `workbook hint ex5_backprop [課題]` で 1 段ずつ表示されます。まず自分で考えてから。
# Graded hints: `workbook hint ex5_backprop [TASK]` shows them one level at a time. Try first.
# 各要素は (日本語, English)。答えそのものは書いていません。 / Each entry is (Japanese, English).
HINTS = {
    "forward": [
        ("z1 = W1 x + b1、a1 = ReLU(z1) = max(z1, 0)、y = W2 a1 + b2 です。重みは (出力, 入力) の形です。",
         "z1 = W1 x + b1, a1 = ReLU(z1) = max(z1, 0), y = W2 a1 + b2. Weights have shape (out, in)."),
        ("x が (D,) でも (N, D) でも同じ式で済むように、行ベクトルの形 x @ W1.T + b1 で書けます。"
         "np.maximum(z1, 0.0) が ReLU です。",
         "Written with rows, x @ W1.T + b1, the same code handles x of shape (D,) and (N, D). "
         "np.maximum(z1, 0.0) is the ReLU."),
        ("backward で使うので x, z1, a1, y を self.cache に保存します (コピーで)。x の形が合わない、"
         "nan/inf を含むときは ValueError。",
         "Store x, z1, a1 and y in self.cache (copies): backward needs them. A wrong shape of x or nan/inf "
         "raise ValueError."),
    ],
    "backward": [
        ("損失は L = ½ Σ (y − y_true)² なので ∂L/∂y = y − y_true。そこから連鎖律で y → z2 → a1 → z1 → "
         "パラメータと逆向きにたどります。torch などの自動微分は使えません。",
         "The loss is L = ½ Σ (y − y_true)², so ∂L/∂y = y − y_true. Follow the chain rule backwards: y → a1 → "
         "z1 → the parameters. No torch or other autodiff."),
        ("∂L/∂W2 = (∂L/∂y) a1ᵀ (外積、W2 と同じ形 (1, 2))、∂L/∂a1 = W2ᵀ (∂L/∂y)、∂L/∂z1 = ∂L/∂a1 ⊙ "
         "ReLU'(z1)、ReLU'(z) = 1 (z > 0) / 0 (それ以外)。",
         "∂L/∂W2 = (∂L/∂y) a1ᵀ (an outer product with W2's shape (1, 2)), ∂L/∂a1 = W2ᵀ (∂L/∂y), ∂L/∂z1 = "
         "∂L/∂a1 ⊙ ReLU'(z1), ReLU'(z) = 1 if z > 0 else 0."),
        ("バッチ (N, D) では np.atleast_2d で 1 件も (1, D) にそろえます。重みの勾配は「上流の勾配の転置」と"
         "「その層の入力」の行列積で、それだけで全件の和になります。バイアスの勾配は上流の勾配をバッチの軸で足したものです。forward の前に呼ばれたら RuntimeError、y_true の形違いは ValueError。戻り値は "
         "{\"W1\", \"b1\", \"W2\", \"b2\"} の辞書で、各勾配はパラメータと同じ形です。",
         "For a batch (N, D), np.atleast_2d turns a single input into (1, D). A weight gradient is the matrix "
         "product of the transposed upstream gradient and that layer's input, which already sums over the batch; "
         "a bias gradient sums the upstream gradient over the batch axis. Called before forward → RuntimeError; a y_true of the wrong "
         "shape → ValueError. Return a dict {\"W1\", \"b1\", \"W2\", \"b2\"}, each gradient shaped like its "
         "parameter."),
    ],
    "numerical_gradient": [
        ("中心差分 (f(x + h eᵢ) − f(x − h eᵢ)) / (2h) を x の成分ごとに計算します。誤差は O(h²) です。",
         "Central differences (f(x + h eᵢ) − f(x − h eᵢ)) / (2h), one component of x at a time. The error is "
         "O(h²)."),
        ("x は任意の形の配列です: np.ndindex(x.shape) で全成分を回れます。元の x を書き換えないよう、毎回コピーに "
         "±h を足します。",
         "x may have any shape: np.ndindex(x.shape) visits every component. Add ±h to fresh copies so the "
         "original x is never modified."),
        ("戻り値は x と同じ形の float64 配列。h が正の有限値でなければ ValueError、f がスカラーを返さなければ "
         "ValueError。",
         "Return a float64 array shaped like x. h not positive and finite → ValueError; f not returning a "
         "scalar → ValueError."),
    ],
    "autograd_gradients": [
        ("同じネットワークと損失 ½ Σ (y − y_true)² を torch で組み、loss.backward() で勾配を求めます "
         "(こちらは torch を使ってよい課題です)。",
         "Build the same network and loss ½ Σ (y − y_true)² in torch and call loss.backward() (torch is "
         "allowed in this task)."),
        ("パラメータは勾配を記録する (requires_grad) float64 の torch テンソルにします。float32 では"
         "誤差が大きすぎます。ReLU は torch.relu。",
         "Make the parameters float64 torch tensors that record gradients (requires_grad); float32 is "
         "far too imprecise. torch.relu is the ReLU."),
        ("backward の後、各パラメータの .grad に勾配があります。計算グラフから切り離して NumPy 配列にし、"
         "{\"W1\", \"b1\", \"W2\", \"b2\"} の辞書で返します。"
         "net 自体のパラメータは変更しません。",
         "After backward each parameter's .grad holds its gradient: detach it from the graph, turn it into a "
         "NumPy array and return a dict "
         "{\"W1\", \"b1\", \"W2\", \"b2\"}. Do not modify the net's own parameters."),
    ],
    "manual_grad": [
        ("L = (sin((x+y)²) + cos(xy))² を中間変数に分けます: s = x + y, z = s², p = xy, w = sin z + cos p, "
         "L = w²。torch は使えません。",
         "Split L = (sin((x+y)²) + cos(xy))² into steps: s = x + y, z = s², p = xy, w = sin z + cos p, "
         "L = w². No torch."),
        ("連鎖律: ∂L/∂x = (∂L/∂w)(∂w/∂x)、∂L/∂w = 2w。∂w/∂x には z を通る道と p を通る道の 2 本があります。",
         "Chain rule: ∂L/∂x = (∂L/∂w)(∂w/∂x) with ∂L/∂w = 2w. ∂w/∂x has two paths, one through z and one "
         "through p."),
        ("流れ: x, y から s, z, p, w を順に計算 → ∂L/∂w → z を通る項と p を通る項の和として ∂w/∂x と ∂w/∂y "
         "→ 掛け合わせる。点 (2, 3) で (≈17.7986, ≈17.3359) になれば正解です。"
         "戻り値は float 2 つのタプル。",
         "Outline: compute s, z, p and w from x and y in turn → ∂L/∂w → ∂w/∂x and ∂w/∂y, each the sum of a "
         "term through z and a term through p → multiply. At (2, 3) you should get (≈17.7986, ≈17.3359). "
         "Return a tuple of two floats."),
    ],
    "relative_error": [
        ("勾配チェックで使う相対誤差 max|a − b| / max(max|a|, max|b|, tiny) です。",
         "The relative error of gradient checks: max|a − b| / max(max|a|, max|b|, tiny)."),
        ("分母の tiny は np.finfo(np.float64).tiny: 両方ゼロのとき 0/0 にならないためです。",
         "tiny in the denominator is np.finfo(np.float64).tiny: it avoids 0/0 when both are zero."),
        ("形が違えば ValueError、空の配列なら 0.0。戻り値は Python の float です。",
         "Different shapes raise ValueError; empty arrays give 0.0. Return a Python float."),
    ],
}
