"""演習 7: Layer Normalization とその逆伝播、共分散と相関 (本文 3.2 統計的概念 StatisticalConcepts)

本文 3.2 の ``expectation_and_variance`` (期待値と分散を使う LayerNorm) と
``correlation_and_covariance`` (相関行列) を NumPy だけで実装し、PyTorch・NumPy の結果と照合します。

実装する関数
1. ``layer_norm(x, gamma=None, beta=None, eps=1e-5)`` — 最後の軸 (特徴の軸、長さ d) に沿った
   Layer Normalization:

       μ   = (1/d) Σ_j x_j                 (平均)
       σ²  = (1/d) Σ_j (x_j − μ)²          (分散。d − 1 ではなく d で割ります)
       x̂_j = (x_j − μ) / √(σ² + ε)         (ε は平方根の **中**)
       y_j = γ_j x̂_j + β_j

   x の形は (..., d) で、先頭の軸 (バッチ、系列など) はいくつあってもかまいません。統計量は各
   ベクトル (最後の軸) ごとに別々に計算し、バッチ全体や配列全体では計算しません。
   γ (gain) と β (bias) は形 (d,) の学習可能なパラメータで、None のときは γ = 1、β = 0 です。
   ε は正の有限な実数です。既定値 1e-5 は ``torch.nn.LayerNorm`` の既定値と同じです。ε の検査には
   用意した ``_check_eps`` を使えます。
2. ``layer_norm_backward(x, gamma, dy, eps=1e-5)`` — 上の y の逆伝播を手で計算します。上流の勾配
   dy = ∂L/∂y (x と同じ形) を受け取り、(dx, dgamma, dbeta) を返します。μ と σ も x の関数なので、
   x̂ を通る経路だけでなく μ と σ を通る経路の勾配も必要です。1 本のベクトル (長さ d) について
   g = γ ⊙ dy、s = 1/√(σ² + ε) と置くと

       dx     = s · (g − mean(g) − x̂ · mean(g ⊙ x̂))      (mean は最後の軸の平均)
       dgamma = Σ dy ⊙ x̂,   dbeta = Σ dy                 (Σ は先頭のすべての軸についての和)

   となります。dgamma と dbeta は γ・β と同じ形 (d,) で、バッチ内のすべてのベクトルの寄与の **和**
   です (平均ではありません)。LayerNorm の出力は x の各ベクトルに定数を足しても変わらないので、
   dx の各ベクトルの成分の和は 0 になります。μ と σ はこの関数の中で x から計算し直してください。
3. ``covariance_matrix(X)`` — データ行列 X (形 (N, p)、**各行が 1 つの観測、各列が 1 つの変数**) の
   共分散行列 (形 (p, p)):

       C[a, b] = (1/(N − 1)) Σ_n (X[n, a] − m_a)(X[n, b] − m_b)     (m_a は列 a の平均)

   N − 1 で割る不偏共分散で、``np.cov(X, rowvar=False)`` の既定と同じです (LayerNorm の分散は d で
   割ることに注意)。観測が 2 つ未満では定義できないので ValueError を送出します。
4. ``correlation_matrix(X)`` — 同じ X の列どうしの Pearson 相関係数の行列 (形 (p, p)):

       R[a, b] = C[a, b] / √(C[a, a] C[b, b])

   対角成分は 1 で、すべての成分は [-1, 1] に入ります (丸め誤差で 1 をわずかに超えた値は np.clip で
   [-1, 1] の範囲に収めてください)。分散が 0 の列 (定数の列) があると相関係数が定義できないので、その列の番号を
   メッセージに含めて ValueError を送出します。定数の列でも、平均の丸め誤差のせいで計算した分散が
   ちょうど 0 にならないことがあるので、列の値そのもの (最大値 = 最小値) でも判定してください。
   ``covariance_matrix`` を使って書いてもかまいません。テストは自分の covariance_matrix から求まる
   相関も受け付けるので、covariance_matrix の誤りで減点されるのは covariance_matrix の課題だけです。
   相関係数は、変数を正の定数倍しても定数を足しても変わらず (a > 0 なら corr(aX + b, Y) = corr(X, Y))、
   負の定数倍では符号だけが反転します (a < 0)。corr(aX + b, Y) = a · cov(X, Y) / (|a| σ_X σ_Y) だからです。

LayerNorm・共分散・相関はライブラリ (torch.nn.functional.layer_norm, torch.nn.LayerNorm, np.cov,
np.corrcoef, scipy.stats.pearsonr, scipy.spatial.distance の相関距離など) を使わずに自分で書いてください。4 つの課題のどれでも torch は
使えません (逆伝播は自動微分ではなく手で計算します)。``layer_norm_backward`` では自作の自動微分エンジンも
使えません: 算術演算子 (``__add__``、``__iadd__``、``__mul__`` など) を定義した自分のクラスの値をこの課題の
実行中に使うと、計算グラフを作らないもの (平均を足し込むだけのクラスなど) でも違反とみなされます。NumPy 配列と
Python の数値で書いてください。採点器はソースを読むだけでなく、実行中の呼び出しも確認します。違反するとその
課題のテストはすべて 0 点になります。

本文との違い
- 本文の ``LayerNorm`` (956 行) は ε = 1e-6 で、γ と β がありません。ここでは torch の既定値と同じ
  ε = 1e-5 を既定とし、引数で渡された ε をそのまま使います (1e-6 を決め打ちしない)。γ と β も持たせます
  (None なら本文と同じく γ = 1、β = 0) (docs/ERRATA.md)。本文の ``forward`` は平均と分散も返しますが、
  ここでは y だけを返します。
- 本文 (1077-1114 行) は「cat」と「mat」の埋め込みを 0.8 倍して「韻を踏む単語は相関が高い」と説明しますが、
  ベクトルを定数倍しても相関係数は変わりません。乱数の埋め込みどうしの相関はほぼ 0 のままです
  (docs/ERRATA.md)。テストはこの不変性を確かめます。
- 本文の ``np.corrcoef(embeddings)`` は各行 (単語) を変数として扱います。ここでは統計の慣習どおり
  各列を変数、各行を観測とします (``np.corrcoef(X, rowvar=False)`` と同じ)。
- 本文には乱数シードがありません (1049 行)。逆伝播は本文にありません (ここで追加した課題です)。

----------------------------------------------------------------------------------------------

Exercise 7: Layer normalization and its backward pass, covariance and correlation (chapter 3.2,
StatisticalConcepts)

Implement the chapter's ``expectation_and_variance`` (LayerNorm, built on the mean and the variance)
and ``correlation_and_covariance`` (the correlation matrix) with NumPy only, and check them against
PyTorch and NumPy.

Functions to implement
1. ``layer_norm(x, gamma=None, beta=None, eps=1e-5)`` — layer normalization along the last axis (the
   feature axis, of length d):

       μ   = (1/d) Σ_j x_j                 (mean)
       σ²  = (1/d) Σ_j (x_j − μ)²          (variance, divided by d, not d − 1)
       x̂_j = (x_j − μ) / √(σ² + ε)         (ε **inside** the square root)
       y_j = γ_j x̂_j + β_j

   x has shape (..., d) with any number of leading axes (batch, sequence, ...). The statistics are
   computed for each vector (along the last axis) on its own, never over the batch or the whole
   array. γ (gain) and β (bias) are learnable parameters of shape (d,); None means γ = 1, β = 0.
   ε is a positive finite real number; the default 1e-5 is ``torch.nn.LayerNorm``'s default. The
   given ``_check_eps`` performs the checks of ε.
2. ``layer_norm_backward(x, gamma, dy, eps=1e-5)`` — the backward pass of y, by hand. Given the
   upstream gradient dy = ∂L/∂y (same shape as x), return (dx, dgamma, dbeta). μ and σ depend on x
   too, so besides the path through x̂ the gradient also flows through μ and σ. For one vector (of
   length d), with g = γ ⊙ dy and s = 1/√(σ² + ε):

       dx     = s · (g − mean(g) − x̂ · mean(g ⊙ x̂))      (mean over the last axis)
       dgamma = Σ dy ⊙ x̂,   dbeta = Σ dy                 (Σ over all the leading axes)

   dgamma and dbeta have the shape (d,) of γ and β: the **sum** (not the mean) of the contributions
   of every vector in the batch. Adding a constant to a vector of x does not change LayerNorm's
   output, so each vector of dx sums to 0. Recompute μ and σ from x inside this function.
3. ``covariance_matrix(X)`` — the covariance matrix (shape (p, p)) of a data matrix X of shape
   (N, p), **one observation per row, one variable per column**:

       C[a, b] = (1/(N − 1)) Σ_n (X[n, a] − m_a)(X[n, b] − m_b)     (m_a the mean of column a)

   The unbiased covariance, divided by N − 1, as ``np.cov(X, rowvar=False)`` does by default (note
   that LayerNorm's variance divides by d). Fewer than 2 observations leave it undefined: ValueError.
4. ``correlation_matrix(X)`` — the matrix (shape (p, p)) of Pearson correlation coefficients between
   the columns of the same X:

       R[a, b] = C[a, b] / √(C[a, a] C[b, b])

   Its diagonal is 1 and every entry lies in [-1, 1] (clip to [-1, 1] a value that rounding pushed
   slightly past 1). A column with zero variance (a constant column) has no correlation
   coefficient: raise a ValueError whose message names that column's index. Rounding in the mean
   can leave a constant column with a computed variance slightly above 0, so test the column's
   values themselves (maximum = minimum) too. You may build it on ``covariance_matrix``: the
   tests also accept the correlation that follows from your own covariance_matrix, so a mistake
   there costs points in covariance_matrix only. The correlation does not change when a variable
   is multiplied by a positive constant or shifted (corr(aX + b, Y) = corr(X, Y) for a > 0), and
   only changes sign for a negative factor (a < 0): corr(aX + b, Y) = a · cov(X, Y) / (|a| σ_X σ_Y).

Write LayerNorm, the covariance and the correlation yourself: no library version
(torch.nn.functional.layer_norm, torch.nn.LayerNorm, np.cov, np.corrcoef, scipy.stats.pearsonr, the
correlation distance of scipy.spatial.distance, ...).
None of the four tasks may use torch (the backward pass is computed by hand, not by autograd).
``layer_norm_backward`` may not use an autodiff engine of your own either: values of a class of yours
that defines arithmetic operators (``__add__``, ``__iadd__``, ``__mul__``...) used while this task
runs count as a violation, even when the class records no graph (one that only accumulates a mean,
say). Write it with NumPy arrays and Python numbers. The grader reads the source and also watches
the calls made while the code runs; a violation scores 0 on every test of that task.

Differs from the chapter
- The chapter's ``LayerNorm`` (line 956) uses ε = 1e-6 and has no γ or β. Here the default is
  torch's ε = 1e-5, the ε passed in is the one used (no hard-coded 1e-6), and γ and β are
  parameters (None gives the chapter's γ = 1, β = 0) (docs/ERRATA.md). The chapter's ``forward``
  also returns the mean and the variance; here it returns y only.
- The chapter (lines 1077-1114) scales the "cat" and "mat" embeddings by 0.8 and says that rhyming
  words correlate. Scaling a vector cannot change its correlation coefficient, and random embeddings
  stay almost uncorrelated (docs/ERRATA.md). The tests check this invariance.
- The chapter's ``np.corrcoef(embeddings)`` treats each row (word) as a variable. Here, as is usual
  in statistics, columns are variables and rows observations (as ``np.corrcoef(X, rowvar=False)``).
- The chapter sets no random seed (line 1049). The backward pass is not in the chapter (it is a task
  added here).
"""

import math
import numbers

import numpy as np

__all__ = [
    "layer_norm",
    "layer_norm_backward",
    "covariance_matrix",
    "correlation_matrix",
]


def _check_eps(eps):
    """ε が正の有限な実数であることを確かめて float で返す / Check that eps is positive, finite, real."""
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real):
        raise TypeError(
            f"eps は実数でなければなりません (受け取った型: {type(eps).__name__}) / "
            f"eps must be a real number (got {type(eps).__name__})"
        )
    e = float(eps)
    if not math.isfinite(e) or e <= 0.0:
        raise ValueError(
            f"eps は正の有限な数でなければなりません (受け取った値: {eps!r}) / "
            f"eps must be positive and finite (got {eps!r})"
        )
    return e


def layer_norm(x, gamma=None, beta=None, eps=1e-5):
    """Layer Normalization (本文 3.2 expectation_and_variance) / layer normalization (chapter 3.2).

    最後の軸に沿って ``y = γ (x − μ) / √(σ² + ε) + β`` を計算する (σ² は d で割る分散)。
    Computes ``y = γ (x − μ) / √(σ² + ε) + β`` along the last axis (σ² divides by d).

    Parameters / 引数
    ----------
    x : array_like, shape (..., d), d >= 1
        入力。先頭の軸はいくつあってもよい。 Input; any number of leading axes.
    gamma : array_like, shape (d,), optional
        gain γ。None なら 1。 The gain γ; None means 1.
    beta : array_like, shape (d,), optional
        bias β。None なら 0。 The bias β; None means 0.
    eps : float, default 1e-5
        平方根の中で分散に足す正の有限な数 (torch と同じ既定値、本文は 1e-6)。
        Positive finite number added to the variance inside the square root (torch's default;
        the chapter uses 1e-6).

    Returns / 戻り値
    -------
    numpy.ndarray, float64, same shape as ``x``

    Raises / 例外
    ------
    ValueError
        x が 0 次元、または最後の軸の長さが 0 のとき。gamma・beta の形が (d,) でないとき。
        eps が 0 以下、または有限でない (inf, nan) とき。
        If x is 0-dimensional or its last axis is empty, gamma or beta does not have shape (d,),
        or eps is <= 0 or not finite (inf, nan).
    TypeError
        eps が実数でないとき。 If eps is not a real number.
    """
    ### BEGIN SOLUTION
    e = _check_eps(eps)
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 0 or x.shape[-1] == 0:
        raise ValueError(
            f"x は最後の軸の長さが 1 以上の配列でなければなりません (形: {x.shape}) / "
            f"x must be an array whose last axis is not empty (got shape {x.shape})"
        )
    d = x.shape[-1]
    params = []
    for name, value, default in (("gamma", gamma, 1.0), ("beta", beta, 0.0)):
        p = np.full(d, default) if value is None else np.asarray(value, dtype=np.float64)
        if p.shape != (d,):
            raise ValueError(
                f"{name} の形は (d,) = ({d},) でなければなりません (形: {p.shape}) / "
                f"{name} must have shape (d,) = ({d},) (got {p.shape})"
            )
        params.append(p)
    g, b = params
    mu = np.mean(x, axis=-1, keepdims=True)
    var = np.mean((x - mu) ** 2, axis=-1, keepdims=True)  # biased: divided by d
    x_hat = (x - mu) / np.sqrt(var + e)
    return g * x_hat + b
    ### END SOLUTION


def layer_norm_backward(x, gamma, dy, eps=1e-5):
    """LayerNorm の逆伝播 (本文 3.2 の LayerNorm の勾配) / Backward pass of LayerNorm (chapter 3.2).

    ``y = layer_norm(x, gamma, beta, eps)`` について、上流の勾配 ``dy = ∂L/∂y`` から
    ``(∂L/∂x, ∂L/∂γ, ∂L/∂β)`` を連鎖律で計算する (μ と σ を通る経路も含む)。β は結果に影響しない。

    Given the upstream gradient ``dy = ∂L/∂y`` of ``y = layer_norm(x, gamma, beta, eps)``, returns
    ``(∂L/∂x, ∂L/∂γ, ∂L/∂β)`` by the chain rule (including the paths through μ and σ). β does not
    affect the result.

    Parameters / 引数
    ----------
    x : array_like, shape (..., d), d >= 1
        順伝播の入力。 The forward pass's input.
    gamma : array_like, shape (d,), or None
        gain γ (None なら 1)。 The gain γ (None means 1).
    dy : array_like, same shape as ``x``
        上流の勾配 ∂L/∂y。 The upstream gradient ∂L/∂y.
    eps : float, default 1e-5
        順伝播と同じ ε (正の有限な数)。 The forward pass's ε (positive and finite).

    Returns / 戻り値
    -------
    tuple (dx, dgamma, dbeta) of numpy.ndarray, float64
        dx は x と同じ形、dgamma と dbeta は形 (d,) (先頭のすべての軸についての和)。
        dx has x's shape; dgamma and dbeta have shape (d,) (summed over all the leading axes).

    Raises / 例外
    ------
    ValueError
        x が 0 次元、または最後の軸の長さが 0 のとき。dy の形が x と違うとき。gamma の形が (d,) で
        ないとき。eps が 0 以下、または有限でないとき。
        If x is 0-dimensional or its last axis is empty, dy's shape differs from x's, gamma does
        not have shape (d,), or eps is <= 0 or not finite.
    TypeError
        eps が実数でないとき。 If eps is not a real number.
    """
    ### BEGIN SOLUTION
    e = _check_eps(eps)
    x = np.asarray(x, dtype=np.float64)
    dy = np.asarray(dy, dtype=np.float64)
    if x.ndim == 0 or x.shape[-1] == 0:
        raise ValueError(
            f"x は最後の軸の長さが 1 以上の配列でなければなりません (形: {x.shape}) / "
            f"x must be an array whose last axis is not empty (got shape {x.shape})"
        )
    if dy.shape != x.shape:
        raise ValueError(
            f"dy の形 {dy.shape} が x の形 {x.shape} と違います / "
            f"dy has shape {dy.shape}, but x has shape {x.shape}"
        )
    d = x.shape[-1]
    g = np.ones(d) if gamma is None else np.asarray(gamma, dtype=np.float64)
    if g.shape != (d,):
        raise ValueError(
            f"gamma の形は (d,) = ({d},) でなければなりません (形: {g.shape}) / "
            f"gamma must have shape (d,) = ({d},) (got {g.shape})"
        )
    mu = np.mean(x, axis=-1, keepdims=True)
    var = np.mean((x - mu) ** 2, axis=-1, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + e)
    x_hat = (x - mu) * inv_std
    leading = tuple(range(x.ndim - 1))
    dbeta = np.sum(dy, axis=leading) if leading else dy.copy()
    dgamma = np.sum(dy * x_hat, axis=leading) if leading else dy * x_hat
    dx_hat = dy * g
    # The paths through μ (the mean term) and σ (the x̂ term) besides the direct one.
    dx = inv_std * (dx_hat - np.mean(dx_hat, axis=-1, keepdims=True)
                    - x_hat * np.mean(dx_hat * x_hat, axis=-1, keepdims=True))
    return dx, dgamma, dbeta
    ### END SOLUTION


def covariance_matrix(X):
    """共分散行列 (本文 3.2 correlation_and_covariance) / Covariance matrix (chapter 3.2).

    各行が観測、各列が変数のデータ行列の不偏共分散行列 (N − 1 で割る、np.cov(X, rowvar=False) と同じ)。
    The unbiased covariance matrix (divided by N − 1, as np.cov(X, rowvar=False)) of a data matrix
    with one observation per row and one variable per column.

    Parameters / 引数
    ----------
    X : array_like, shape (N, p), N >= 2, p >= 1
        データ行列 (行 = 観測、列 = 変数)。 Data matrix (rows = observations, columns = variables).

    Returns / 戻り値
    -------
    numpy.ndarray, float64, shape (p, p)
        対称行列。C[a, a] は列 a の分散。 Symmetric; C[a, a] is the variance of column a.

    Raises / 例外
    ------
    ValueError
        X が 2 次元でないとき、観測が 2 つ未満 (N < 2) のとき、変数がない (p = 0) とき。
        If X is not 2-dimensional, has fewer than 2 observations (N < 2) or no variable (p = 0).
    """
    ### BEGIN SOLUTION
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(
            f"X は形 (N, p) の 2 次元配列でなければなりません (形: {X.shape}) / "
            f"X must be a 2-D array of shape (N, p) (got shape {X.shape})"
        )
    n, p = X.shape
    if n < 2 or p == 0:
        raise ValueError(
            f"共分散には 2 つ以上の観測 (行) と 1 つ以上の変数 (列) が必要です (形: {X.shape}) / "
            f"the covariance needs at least 2 observations (rows) and 1 variable (column) (got {X.shape})"
        )
    centred = X - np.mean(X, axis=0)
    return centred.T @ centred / (n - 1)
    ### END SOLUTION


def correlation_matrix(X):
    """相関行列 (本文 3.2 correlation_and_covariance) / Correlation matrix (chapter 3.2).

    X の列どうしの Pearson 相関係数 ``R[a, b] = C[a, b] / √(C[a, a] C[b, b])``
    (np.corrcoef(X, rowvar=False) と同じ)。
    Pearson correlation coefficients between the columns of X,
    ``R[a, b] = C[a, b] / √(C[a, a] C[b, b])`` (as np.corrcoef(X, rowvar=False)).

    Parameters / 引数
    ----------
    X : array_like, shape (N, p), N >= 2, p >= 1
        データ行列 (行 = 観測、列 = 変数)。 Data matrix (rows = observations, columns = variables).

    Returns / 戻り値
    -------
    numpy.ndarray, float64, shape (p, p)
        対称で対角成分は 1、すべての成分は [-1, 1]。
        Symmetric with unit diagonal; every entry in [-1, 1].

    Raises / 例外
    ------
    ValueError
        X が 2 次元でない、N < 2、p = 0 のとき。分散が 0 の列があるとき (メッセージにその列の番号を含む)。
        If X is not 2-dimensional, N < 2 or p = 0; if a column has zero variance (the message
        names that column's index).
    """
    ### BEGIN SOLUTION
    C = covariance_matrix(X)
    X = np.asarray(X, dtype=np.float64)
    var = np.diag(C)
    # A constant column may still get a variance of ~1e-33 from rounding in its mean: test the data.
    constant = np.flatnonzero((np.ptp(X, axis=0) == 0.0) | (var == 0.0))
    if constant.size:
        col = int(constant[0])
        raise ValueError(
            f"列 {col} は分散が 0 (定数) なので相関係数が定義できません / "
            f"column {col} has zero variance (it is constant), so its correlation is undefined"
        )
    std = np.sqrt(var)
    R = C / np.outer(std, std)
    return np.clip(R, -1.0, 1.0)
    ### END SOLUTION


HINTS = {
    "layer_norm": [
        ("最後の軸 (axis=-1) に沿って平均 μ と分散 σ² を求め、(x − μ) / √(σ² + ε) に γ を掛けて β を足します。"
         "torch は使えません。",
         "Take the mean μ and the variance σ² along the last axis (axis=-1), then (x − μ) / √(σ² + ε), "
         "times γ plus β. No torch."),
        ("分散は d で割ります (np.var の既定 ddof=0)。ε は平方根の中に入れます ((σ + ε) で割るのは誤り)。"
         "keepdims=True にすると (..., 1) の形になり、そのまま (..., d) とブロードキャストできます。"
         "引数の eps を使い、1e-6 を決め打ちしないこと。",
         "The variance divides by d (np.var's default ddof=0). ε goes inside the square root (dividing by "
         "σ + ε is wrong). keepdims=True gives shape (..., 1), which broadcasts against (..., d). Use the "
         "eps argument; do not hard-code 1e-6."),
        ("手順: eps を検査 (実数でなければ TypeError、正の有限でなければ ValueError) → x を float64 に → "
         "0 次元や d = 0 なら ValueError → gamma・beta は None なら 1 と 0、形が (d,) でなければ ValueError → "
         "μ、σ²、x̂ → γ x̂ + β を返す。",
         "Steps: check eps (TypeError if not real, ValueError if not positive and finite) → x as float64 → "
         "ValueError for 0-d x or d = 0 → gamma and beta default to 1 and 0, ValueError unless shape (d,) → "
         "μ, σ², x̂ → return γ x̂ + β."),
    ],
    "layer_norm_backward": [
        ("x̂ = (x − μ) s (s = 1/√(σ² + ε)) で、μ も σ も x の関数です。dx には x̂ を直接通る項のほかに、"
         "μ を通る項と σ を通る項があります。",
         "x̂ = (x − μ) s with s = 1/√(σ² + ε), and μ and σ are functions of x too. Besides the direct "
         "path through x̂, dx has a term through μ and one through σ."),
        ("g = γ ⊙ dy と置くと、1 本のベクトルについて dx = s (g − mean(g) − x̂ mean(g ⊙ x̂)) (mean は最後の軸)。"
         "dbeta = Σ dy、dgamma = Σ dy ⊙ x̂ は先頭のすべての軸についての和で、平均ではありません。"
         "数値微分 (中心差分) で確かめられます。",
         "With g = γ ⊙ dy, for one vector dx = s (g − mean(g) − x̂ mean(g ⊙ x̂)) (mean over the last axis). "
         "dbeta = Σ dy and dgamma = Σ dy ⊙ x̂ are sums over all the leading axes, not means. Check it "
         "with central differences."),
        ("手順: 入力を検査 (dy の形が x と違う、gamma の形が (d,) でない → ValueError) → 順伝播と同じく μ、σ²、"
         "s、x̂ を計算 → 先頭のすべての軸 (0 から ndim − 2) について dy と dy ⊙ x̂ を np.sum → "
         "g と 2 つの平均 (keepdims=True) から dx → (dx, dgamma, dbeta) のタプルを返す。torch は使えません。",
         "Steps: check the inputs (dy's shape differs from x's, gamma not of shape (d,) → ValueError) → "
         "μ, σ², s and x̂ as in the forward pass → np.sum of dy and dy ⊙ x̂ over all the leading axes "
         "(0 to ndim − 2) → dx from g and the two means (keepdims=True) → return the tuple "
         "(dx, dgamma, dbeta). No torch."),
    ],
    "covariance_matrix": [
        ("各列 (変数) から列の平均を引いて中心化し、中心化した行列の転置との積を N − 1 で割ります。"
         "np.cov は使えません。",
         "Centre each column (variable) by subtracting its mean, multiply the transpose of the centred "
         "matrix by it, and divide by N − 1. np.cov is not allowed."),
        ("列の平均は np.mean の axis=0 です。中心化を忘れると平均が 0 でないデータで値がずれます。"
         "np.cov の既定と同じく N − 1 で割ります (LayerNorm の分散とは違います)。",
         "Column means are np.mean with axis=0. Without centring, data with non-zero means give wrong "
         "values. Divide by N − 1 as np.cov does by default (unlike LayerNorm's variance)."),
        ("手順: X を float64 に → 2 次元でなければ ValueError → N < 2 または p = 0 なら ValueError → "
         "中心化 → Xcᵀ Xc / (N − 1) を返す (形 (p, p))。",
         "Steps: X as float64 → ValueError unless 2-D → ValueError if N < 2 or p = 0 → centre → return "
         "Xcᵀ Xc / (N − 1) (shape (p, p))."),
    ],
    "correlation_matrix": [
        ("共分散行列 C の各成分を、2 つの列の標準偏差の積で割ります: R[a, b] = C[a, b] / √(C[a, a] C[b, b])。"
         "np.corrcoef は使えません。",
         "Divide each entry of the covariance matrix C by the product of the two columns' standard "
         "deviations: R[a, b] = C[a, b] / √(C[a, a] C[b, b]). np.corrcoef is not allowed."),
        ("標準偏差は C の対角成分の平方根で、np.outer で (p, p) の分母が作れます。中心化しないと "
         "コサイン類似度になり、平行移動で値が変わってしまいます。正の定数倍と平行移動で R は変わりません。",
         "The standard deviations are the square roots of C's diagonal; np.outer builds the (p, p) "
         "denominator. Without centring you get the cosine similarity, which changes under a shift. "
         "R does not change under positive scaling and shifting."),
        ("手順: 共分散行列 → 定数の列 (np.ptp が 0) か対角成分が 0 の列があれば、その列番号を含む ValueError "
         "→ 分母で割る → np.clip で [-1, 1] に収めて返す。",
         "Steps: covariance matrix → a ValueError naming the column if a column is constant (np.ptp is 0) "
         "or a diagonal entry is 0 → divide by the denominator → np.clip into [-1, 1] and return."),
    ],
}
