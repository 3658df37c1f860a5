# このファイルは演習用のひな形です。関数の中身を書いてください。
# Exercise stub: fill in the function bodies. (generated from solutions/ by `python -m autograder.stubs`)
"""演習 4: 勾配降下法と学習率の安定性 (本文 3.3 微分とバックプロパゲーション)

本文 3.3 の「勾配: 関数の変化の方向」では、損失関数の景観の例として

    f(x, y) = (x - 2)² + (y - 3)² + 0.5·x·y

を取り上げ、勾配降下法の軌跡を描いています。この演習では、その計算を正しい数学で
実装し直し、学習率 (learning rate) η がどこまで大きくてよいのかを確かめます。

点を p = (x, y) と書きます。勾配とヘッセ行列 (Hessian) は

    ∇f(p) = (2(x - 2) + 0.5·y,  2(y - 3) + 0.5·x)
    H     = [[2, 0.5], [0.5, 2]]      (定数: f は 2 次関数)

です。これらは ``f``、``grad_f``、``hessian_f`` として与えてあります (書く必要はありません)。

実装するもの:

1. ``true_minimum()`` — f の最小点を **導出して** 返す。∇f は 1 次式なので
   ∇f(p) = H p - b、b = -∇f(0) = (4, 6)。∇f(p*) = 0 を解くと p* = H⁻¹ b。
   H は正定値 (固有値 2.5 と 1.5) なので p* が唯一の最小点です。
2. ``gradient_descent(grad, x0, learning_rate, n_steps, tol=None)`` —
   x_{k+1} = x_k - η ∇f(x_k) を繰り返し、軌跡 (x_0, x_1, ..., x_k) を (k+1, d) の配列で返す。
   tol を与えたら、勾配のノルムが tol 未満になった最初の点で止める。
3. ``compare_learning_rates(grad, x0, learning_rates, n_steps, tol)`` — 学習率ごとに
   「収束 / 振動 / 発散 / 未収束」を判定する (定義は関数の docstring)。
4. ``max_stable_learning_rate(hessian)`` — 2 次関数で勾配降下法が収束する学習率の上限 2/λ_max。
5. ``plot_trajectories(grad, x0s, learning_rate, n_steps, ...)`` — 等高線・軌跡・真の最小点の図。

なぜ 2/λ_max か: 誤差 e_k = x_k - p* は e_{k+1} = (I - ηH) e_k に従います (∇f(x_k) = H e_k)。
H の固有ベクトル v_i (固有値 λ_i) の成分は 1 ステップごとに (1 - ηλ_i) 倍になるので、
すべての成分が縮むのは |1 - ηλ_i| < 1、つまり 0 < η < 2/λ_i がすべての i で成り立つとき、
すなわち η < 2/λ_max のときです。本文の関数では λ_max = 2.5 なので上限は 0.8。
η = 0.8 ちょうどでは v_1 = (1, 1)/√2 方向の倍率が -1 になり、反復は 2 点の間を行き来し続けます
(振動)。η > 0.8 では |1 - ηλ_max| > 1 となり、振幅が指数的に大きくなります (発散)。
本文の η = 0.1 では倍率は 0.75 と 0.85 で、単調に収束します。

本文との違い:
- 本文は最小点を (2, 3) として描いていますが誤りです。(2, 3) での勾配は (1.5, 1) ≠ 0。
  ∇f = 0 を解くと最小点は (4/3, 8/3)、最小値は 7/3 です (docs/ERRATA.md, 1251 行)。
- 本文は学習率の上限に触れていません。勾配降下法が安定なのは η < 2/λ_max のときだけです
  (docs/ERRATA.md, 1251 行)。
- 本文の ``f'{color[0]}-'`` は 'purple'[0] = 'p' (五角形マーカー) のように意図しない書式に
  なります (docs/ERRATA.md, 1236-1248 行)。ここでは色を書式文字列に埋め込みません。
- 本文の ``gradient_descent`` は停止条件を持たず、x0 をそのまま軌跡の先頭 (タプル) に入れます。
  ここでは float64 の配列で返し、tol による早期停止と入力検査を加えます。
- 日本語フォントがない環境では日本語のラベルが豆腐 (□) になるので、図のラベルは英語です
  (docs/ERRATA.md, Presentation)。

----------------------------------------------------------------------------------------------

Exercise 4: gradient descent and the stability of the learning rate (chapter 3.3)

Section 3.3 ("the gradient: the direction of change") uses the loss landscape

    f(x, y) = (x - 2)² + (y - 3)² + 0.5·x·y

and draws gradient-descent paths on it. This exercise redoes that computation with correct
mathematics and finds out how large the learning rate η may be.

Write a point as p = (x, y). The gradient and the Hessian are

    ∇f(p) = (2(x - 2) + 0.5·y,  2(y - 3) + 0.5·x)
    H     = [[2, 0.5], [0.5, 2]]      (constant: f is quadratic)

They are given as ``f``, ``grad_f`` and ``hessian_f`` (you do not write them).

To implement:

1. ``true_minimum()`` — **derive** the minimiser of f. ∇f is affine, so ∇f(p) = H p - b with
   b = -∇f(0) = (4, 6). Solving ∇f(p*) = 0 gives p* = H⁻¹ b. H is positive definite
   (eigenvalues 2.5 and 1.5), so p* is the unique minimiser.
2. ``gradient_descent(grad, x0, learning_rate, n_steps, tol=None)`` — iterate
   x_{k+1} = x_k - η ∇f(x_k) and return the trajectory (x_0, ..., x_k) as a (k+1, d) array; with
   tol, stop at the first point whose gradient norm is below tol.
3. ``compare_learning_rates(grad, x0, learning_rates, n_steps, tol)`` — classify each learning
   rate as converged / oscillating / diverged / not_converged (definitions in its docstring).
4. ``max_stable_learning_rate(hessian)`` — the largest stable learning rate 2/λ_max of a quadratic.
5. ``plot_trajectories(grad, x0s, learning_rate, n_steps, ...)`` — contours, paths and the true
   minimum in one figure.

Why 2/λ_max: the error e_k = x_k - p* obeys e_{k+1} = (I - ηH) e_k (because ∇f(x_k) = H e_k).
Along an eigenvector v_i of H (eigenvalue λ_i) each step multiplies the component by
(1 - ηλ_i); every component shrinks iff |1 - ηλ_i| < 1, i.e. 0 < η < 2/λ_i for all i, i.e.
η < 2/λ_max. For the chapter's f, λ_max = 2.5, so the bound is 0.8. At exactly η = 0.8 the
factor along v_1 = (1, 1)/√2 is -1: the iterates jump back and forth between two points forever
(oscillation). For η > 0.8, |1 - ηλ_max| > 1 and the amplitude grows geometrically
(divergence). The chapter's η = 0.1 gives factors 0.75 and 0.85: monotone convergence.

Differs from the chapter:
- The chapter marks the minimum at (2, 3). That is wrong: the gradient there is (1.5, 1) ≠ 0.
  Solving ∇f = 0 gives the minimiser (4/3, 8/3) with minimum value 7/3 (docs/ERRATA.md, line 1251).
- The chapter does not mention the learning-rate bound. Gradient descent is stable only for
  η < 2/λ_max (docs/ERRATA.md, line 1251).
- The chapter's ``f'{color[0]}-'`` turns 'purple' into 'p' (a pentagon marker), an unintended
  format (docs/ERRATA.md, lines 1236-1248). Colours are not packed into format strings here.
- The chapter's ``gradient_descent`` has no stopping rule and puts x0 (a tuple) into the
  trajectory as is. Here the trajectory is a float64 array, with a tol stopping rule and input
  checks.
- Japanese labels render as empty boxes without a Japanese font, so the figure's labels are in
  English (docs/ERRATA.md, Presentation).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence

import numpy as np
from matplotlib.figure import Figure

__all__ = [
    "DIVERGENCE_FACTOR",
    "OSCILLATION_RATIO",
    "f",
    "grad_f",
    "hessian_f",
    "true_minimum",
    "gradient_descent",
    "compare_learning_rates",
    "max_stable_learning_rate",
    "plot_trajectories",
]

#: ``compare_learning_rates``: a run has diverged once ‖∇f(x_k)‖ > DIVERGENCE_FACTOR · ‖∇f(x_0)‖.
#: ``compare_learning_rates``: 勾配のノルムが初期値の DIVERGENCE_FACTOR 倍を超えたら「発散」。
DIVERGENCE_FACTOR = 1e6

#: ``compare_learning_rates``: a run oscillates if, over its last two updates, the gradient norm
#: shrank by less than 1 %: ‖∇f(x_n)‖ ≥ OSCILLATION_RATIO · ‖∇f(x_{n-2})‖ (and the last step
#: overshot). 最後の 2 ステップで勾配のノルムが 1 % も縮まなければ「振動」の候補。
OSCILLATION_RATIO = 0.99


# --------------------------------------------------------------------------------------------
# Given: the chapter's loss landscape (3.3). 与えられた関数 (書く必要はありません)。
# --------------------------------------------------------------------------------------------

def f(p):
    """The chapter's loss f(x, y) = (x - 2)² + (y - 3)² + 0.5·x·y (3.3 微分とバックプロパゲーション).

    本文 3.3 の損失関数。p の最後の軸が (x, y)。

    Args:
        p: array-like of shape (2,) or (..., 2): points (x, y) in the last axis.

    Returns:
        numpy.float64 for a single point, else a float64 array of shape (...).
    """
    p = np.asarray(p, dtype=np.float64)
    x, y = p[..., 0], p[..., 1]
    return (x - 2.0) ** 2 + (y - 3.0) ** 2 + 0.5 * x * y


def grad_f(p):
    """Gradient of ``f``: ∇f(x, y) = (2(x - 2) + 0.5·y, 2(y - 3) + 0.5·x) (3.3).

    f の勾配。

    Args:
        p: array-like of shape (2,) or (..., 2).

    Returns:
        float64 array of the same shape as ``p`` (shape (2,) for one point).
    """
    p = np.asarray(p, dtype=np.float64)
    x, y = p[..., 0], p[..., 1]
    return np.stack([2.0 * (x - 2.0) + 0.5 * y, 2.0 * (y - 3.0) + 0.5 * x], axis=-1)


def hessian_f():
    """Hessian of ``f`` (constant, f is quadratic): [[2, 0.5], [0.5, 2]] (3.3).

    f のヘッセ行列 (2 次関数なので定数)。

    Returns:
        float64 array of shape (2, 2).
    """
    return np.array([[2.0, 0.5], [0.5, 2.0]])


# --------------------------------------------------------------------------------------------
# To implement. 以下を実装してください。
# --------------------------------------------------------------------------------------------

def true_minimum():
    """The minimiser p* of the chapter's f, derived from ∇f(p*) = 0 (3.3).

    f の最小点 p* を ∇f(p*) = 0 から導出して返す。(2, 3) ではありません。
    ∇f は 1 次式なので ∇f(p) = ∇f(0) + H p。∇f(p*) = 0 より H p* = -∇f(0) = (4, 6)。
    連立方程式 2x + 0.5y = 4, 0.5x + 2y = 6 を解くと p* = (4/3, 8/3)。
    値を書き写すのではなく、``hessian_f`` と ``grad_f`` から計算してください。

    Since ∇f is affine, ∇f(p) = ∇f(0) + H p, so ∇f(p*) = 0 means H p* = -∇f(0) = (4, 6):
    2x + 0.5y = 4 and 0.5x + 2y = 6, whose solution is p* = (4/3, 8/3) (f(p*) = 7/3). Compute it
    from ``hessian_f`` and ``grad_f`` rather than typing the numbers.

    Returns:
        float64 array of shape (2,): the point (x*, y*).
    """
    # YOUR CODE HERE / ここにコードを書いてください
    raise NotImplementedError()


def gradient_descent(grad, x0, learning_rate, n_steps, tol=None):
    """Gradient descent x_{k+1} = x_k - η ∇f(x_k); returns the whole trajectory (3.3).

    勾配降下法。x0 から始めて x_{k+1} = x_k - η·grad(x_k) を最大 n_steps 回繰り返し、
    通った点をすべて返す。行 0 は x0 (float64 に変換したコピー)。x0 自体は変更しない。
    tol を与えた場合: 各点 x_k で ‖grad(x_k)‖ (ユークリッドノルム) < tol なら、その点で止める。
    つまり軌跡は「勾配のノルムが tol 未満になった最初の点」で終わる (その点は含む)。
    x0 ですでに tol 未満なら長さ 1 の軌跡を返す。tol=None なら常に n_steps 回更新する。
    発散する学習率でも途中で止めない (発散の判定は ``compare_learning_rates`` の仕事)。

    Starting from x0, repeat x_{k+1} = x_k - η·grad(x_k) at most n_steps times and return every
    point visited. Row 0 is x0 (a float64 copy); x0 itself is never modified. With tol: at each
    point x_k, if ‖grad(x_k)‖ (Euclidean norm) < tol, stop there — the trajectory ends at the
    first point whose gradient norm is below tol (that point included). If x0 already satisfies
    it the trajectory has length 1. With tol=None exactly n_steps updates are made. No
    divergence guard: a too-large learning rate simply produces huge (or inf/nan) rows.

    Args:
        grad: callable mapping a float64 array of shape (d,) to the gradient, array-like of
            shape (d,).
        x0: array-like of shape (d,), d ≥ 1 (lists and integer arrays are accepted).
        learning_rate: the step size η, a positive finite float.
        n_steps: the maximum number of updates, an int ≥ 0.
        tol: None, or a positive float: stop at the first point with ‖grad(x)‖ < tol.

    Returns:
        float64 array of shape (k + 1, d), k ≤ n_steps the number of updates made;
        row i is x_i.

    Raises:
        ValueError: learning_rate ≤ 0 or not finite; n_steps < 0; x0 not 1-D or empty;
            tol ≤ 0; grad returned a shape other than (d,).
        TypeError: n_steps is not an integer.
    """
    # YOUR CODE HERE / ここにコードを書いてください
    raise NotImplementedError()


def compare_learning_rates(grad, x0, learning_rates, n_steps, tol):
    """Run gradient descent for several learning rates and classify each run (3.3).

    学習率ごとに勾配降下法を実行し、結果を分類する。g_k = grad(x_k)、‖·‖ はユークリッドノルム。
    各点 x_k (k = 0, 1, ...) で次の順に調べ、最初に当てはまったもので止める:

    - "diverged" (発散): k ≥ 1 で x_k か g_k に nan/inf がある、または
      ‖g_k‖ > DIVERGENCE_FACTOR · ‖g_0‖。その時点で止める (オーバーフローする前に止めるので
      RuntimeWarning は出ない)。
    - "converged" (収束): ‖g_k‖ < tol。
    - k = n_steps なら止める。そうでなければ x_{k+1} = x_k - η g_k と更新して続ける。

    n_steps 回更新しても収束も発散もしなかったとき (n = n_steps):

    - "oscillating" (振動): n ≥ 2、最後の更新が最小点を飛び越した (g_{n-1}·g_n < 0、勾配の向きが
      反転した)、かつ最後の 2 回の更新で勾配のノルムがほとんど縮まなかった
      (‖g_n‖ ≥ OSCILLATION_RATIO · ‖g_{n-2}‖、1 % 未満しか縮まない)。
      例: 本文の f で η = 2/λ_max = 0.8 (2 点の間を行き来し続ける)。
    - "not_converged" (未収束): それ以外 (ゆっくり近づいているが n_steps 回では tol に届かない、
      あるいは飛び越しながらも十分速く縮んでいる)。

    For each learning rate η run gradient descent from x0. With g_k = grad(x_k) and ‖·‖ the
    Euclidean norm, check at each point x_k (k = 0, 1, ...), in this order, and stop at the first
    rule that applies:

    - "diverged": k ≥ 1 and x_k or g_k is not finite, or ‖g_k‖ > DIVERGENCE_FACTOR · ‖g_0‖.
      The run stops there, long before anything overflows, so no RuntimeWarning is emitted.
    - "converged": ‖g_k‖ < tol.
    - if k = n_steps stop, else update x_{k+1} = x_k - η g_k and continue.

    If all n = n_steps updates were made without converging or diverging:

    - "oscillating": n ≥ 2, the last update overshot the minimum (g_{n-1}·g_n < 0: the gradient
      turned by more than 90°) and the gradient norm shrank by less than 1 % over the last two
      updates (‖g_n‖ ≥ OSCILLATION_RATIO · ‖g_{n-2}‖). Example: the chapter's f at
      η = 2/λ_max = 0.8, which bounces between two points forever.
    - "not_converged": anything else (approaching slowly but not within tol after n_steps, or
      overshooting while still shrinking fast).

    Args:
        grad: callable, float64 array (d,) -> gradient array-like (d,).
        x0: array-like of shape (d,), d ≥ 1 (not modified).
        learning_rates: sequence of distinct positive finite floats.
        n_steps: maximum number of updates per run, int ≥ 0.
        tol: positive float, the convergence threshold on ‖grad(x)‖.

    Returns:
        dict mapping ``float(η)`` (in the order given) to a dict with
        ``"status"`` (str, one of "converged", "oscillating", "diverged", "not_converged"),
        ``"steps"`` (int, the number of updates made: the index of the final point) and
        ``"final"`` (float64 array of shape (d,), the final point x_steps).

    Raises:
        ValueError: a learning rate ≤ 0, not finite or repeated; n_steps < 0; tol ≤ 0 or not
            finite; x0 not 1-D or empty.
        TypeError: n_steps is not an integer.
    """
    # YOUR CODE HERE / ここにコードを書いてください
    raise NotImplementedError()


def max_stable_learning_rate(hessian):
    """Largest stable learning rate 2/λ_max for a quadratic with this Hessian (3.3).

    2 次関数 (ヘッセ行列 H) の勾配降下法が収束する学習率の上限 2/λ_max を返す。
    誤差は e_{k+1} = (I - ηH) e_k に従い、固有値 λ_i の方向の成分は毎回 (1 - ηλ_i) 倍になる。
    すべての成分が縮む ⇔ 0 < η < 2/λ_max。η = 2/λ_max ちょうどでは λ_max の方向が振動し続け、
    それより大きいと発散する (返す値そのものは「安定」ではなく、その境界)。
    固有値は ``numpy.linalg.eigvalsh`` (対称行列用) で求める。

    The error obeys e_{k+1} = (I - ηH) e_k; the component along the eigenvector of eigenvalue
    λ_i is multiplied by (1 - ηλ_i) each step, so every component shrinks iff 0 < η < 2/λ_max.
    At η = 2/λ_max exactly the top component oscillates forever; beyond it diverges (the returned
    value is the boundary, itself not stable). Use ``numpy.linalg.eigvalsh``.

    Args:
        hessian: array-like of shape (d, d), symmetric (``numpy.allclose(H, H.T)``) and positive
            definite (all eigenvalues > 0).

    Returns:
        float: 2 / λ_max (e.g. 0.8 for the chapter's Hessian, whose eigenvalues are 2.5 and 1.5).

    Raises:
        ValueError: not a non-empty square 2-D matrix (0 × 0 included), not finite, not symmetric, or
            not positive definite.
    """
    # YOUR CODE HERE / ここにコードを書いてください
    raise NotImplementedError()


def plot_trajectories(grad, x0s, learning_rate, n_steps, *, f=f, minimum=None, tol=None,
                      xlim=(-1.0, 5.0), ylim=(-1.0, 7.0), levels=20):
    """Contours of f with one gradient-descent path per start and the true minimum (3.3).

    f の等高線の上に、開始点ごとの勾配降下法の軌跡と真の最小点を描いた図を返す。
    本文の図: 開始点 (-0.5, 6), (4.5, 0), (4, 6)、学習率 0.1、50 ステップ。

    Draw on one Axes (``fig.axes[0]``; no colorbar or other Axes):

    - the contours of ``f`` over ``xlim`` × ``ylim`` (``ax.contour``, ``levels`` levels);
    - for each start, in order, ONE ``Line2D`` whose data are the whole trajectory
      ``gradient_descent(grad, x0, learning_rate, n_steps, tol)`` (x = column 0, y = column 1),
      labelled ``"start (x, y)"``; draw no other line with more than one point;
    - the true minimum as a single-point ``Line2D`` with marker ``"*"`` at ``minimum``
      (default: ``true_minimum()``, the chapter's f), labelled ``"minimum"``;
    - axis labels "x" and "y", a legend and a title naming the learning rate.

    1 つの Axes (``fig.axes[0]``) に、等高線、開始点ごとに 1 本の軌跡 (全点を通る Line2D、
    2 点以上の線は軌跡だけ)、真の最小点 (マーカー "*" の 1 点だけの Line2D) を描く。
    ``plt.show()`` は呼ばない。Agg バックエンドで動くこと。

    Args:
        grad: gradient callable, as in ``gradient_descent``.
        x0s: sequence of starting points, each of shape (2,).
        learning_rate, n_steps, tol: passed to ``gradient_descent``.
        f: the function whose contours are drawn (callable on (..., 2) arrays; default the
            chapter's ``f``).
        minimum: the point marked as the true minimum, shape (2,); None means ``true_minimum()``.
        xlim, ylim: (low, high) ranges of the contour grid and of the axes.
        levels: number of contour levels (int).

    Returns:
        matplotlib.figure.Figure.

    Raises:
        ValueError: a start is not of shape (2,), or as ``gradient_descent``.
    """
    # YOUR CODE HERE / ここにコードを書いてください
    raise NotImplementedError()


# ---------------------------------------------------------------------------------------------
# ヒント (段階式): `workbook hint ex4_gradient_descent [課題]` で 1 段ずつ表示されます。まず自分で考えてから。
# Graded hints: `workbook hint ex4_gradient_descent [TASK]` shows them one level at a time. Try first.
# 各要素は (日本語, English)。答えそのものは書いていません。 / Each entry is (Japanese, English).
HINTS = {
    "true_minimum": [
        ("最小点では勾配が 0 です: ∇f(p*) = 0。本文の (2, 3) は 0.5·x·y の項を忘れた値で、最小点ではありません。",
         "At the minimum the gradient vanishes: ∇f(p*) = 0. The chapter's (2, 3) forgets the 0.5·x·y term "
         "and is not the minimum."),
        ("∇f は 1 次式なので ∇f(p) = H p + ∇f(0) です。H は hessian_f()、∇f(0) は原点 (零ベクトル) での "
         "grad_f の値です。",
         "∇f is affine: ∇f(p) = H p + ∇f(0). H is hessian_f() and ∇f(0) is grad_f at the origin (the zero "
         "vector)."),
        ("H p* = −∇f(0) という連立 1 次方程式を np.linalg.solve で解きます (逆行列は不要)。数値を書き写さず"
         "計算すること。戻り値は float64 の形状 (2,) の配列です。",
         "Solve the linear system H p* = −∇f(0) with np.linalg.solve (no inverse needed). Compute it, do not "
         "type the numbers. Return a float64 array of shape (2,)."),
    ],
    "gradient_descent": [
        ("x_{k+1} = x_k − η·grad(x_k) を繰り返し、通った点をすべて (x0 を含めて) 行として並べて返します: "
         "形状 (k + 1, d)。",
         "Repeat x_{k+1} = x_k − η·grad(x_k) and return every point visited, x0 included, as rows: shape "
         "(k + 1, d)."),
        ("x = np.array(x0, dtype=np.float64) でコピーを作ります (x0 を変更しない)。x -= ... と書くと、"
         "リストに入れた前の行まで書き換わります: x = x − η·g で新しい配列を作ります。",
         "Make a copy with x = np.array(x0, dtype=np.float64) (x0 must not change). x -= ... would also "
         "change the rows already stored in the list: write x = x − η·g to get a new array."),
        ("tol があれば、各点で更新の前に np.linalg.norm(g) < tol を調べ、当てはまればその点で止めます "
         "(その点は含む)。検査: η が正の有限値でない、n_steps < 0、x0 が 1 次元でない・空、tol ≤ 0、grad の"
         "戻り値の形状違いは ValueError。発散しても途中で止めません。",
         "With tol, check np.linalg.norm(g) < tol at each point before updating and stop there (that point "
         "included). Checks: η not positive and finite, n_steps < 0, x0 not 1-D or empty, tol ≤ 0, or a grad "
         "of the wrong shape raise ValueError. Do not stop on divergence."),
    ],
    "compare_learning_rates": [
        ("学習率ごとに x0 から勾配降下法を走らせ、\"converged\", \"oscillating\", \"diverged\", "
         "\"not_converged\" のどれかに分類します。判定の順序は docstring の通りです。",
         "Run gradient descent from x0 for each learning rate and classify it as \"converged\", "
         "\"oscillating\", \"diverged\" or \"not_converged\", checking the rules in the docstring's order."),
        ("各点 x_k で g_k = grad(x_k) を求め、(1) k ≥ 1 で nan/inf または ‖g_k‖ > DIVERGENCE_FACTOR·‖g_0‖ → "
         "発散、(2) ‖g_k‖ < tol → 収束、(3) k = n_steps → 終了、の順に調べてから更新します。勾配を"
         "リストに残しておくと最後の判定に使えます。",
         "At each point x_k compute g_k = grad(x_k), then check (1) k ≥ 1 and nan/inf or ‖g_k‖ > "
         "DIVERGENCE_FACTOR·‖g_0‖ → diverged, (2) ‖g_k‖ < tol → converged, (3) k = n_steps → stop, and only "
         "then update. Keep the gradients in a list for the final rule."),
        ("n_steps 回更新し終えたら、n ≥ 2 かつ g_{n−1}·g_n < 0 かつ ‖g_n‖ ≥ OSCILLATION_RATIO·‖g_{n−2}‖ なら "
         "\"oscillating\"、そうでなければ \"not_converged\"。戻り値は {float(η): {\"status\", \"steps\", "
         "\"final\"}} で、学習率は与えられた順。重複や不正な値は ValueError。",
         "After n_steps updates: \"oscillating\" if n ≥ 2, g_{n−1}·g_n < 0 and ‖g_n‖ ≥ "
         "OSCILLATION_RATIO·‖g_{n−2}‖, else \"not_converged\". Return {float(η): {\"status\", \"steps\", "
         "\"final\"}} in the order given; duplicates or invalid values raise ValueError."),
    ],
    "max_stable_learning_rate": [
        ("誤差は e_{k+1} = (I − ηH) e_k に従います。固有値 λ の方向の成分は毎回 (1 − ηλ) 倍になります。",
         "The error obeys e_{k+1} = (I − ηH) e_k: the component along an eigenvector of eigenvalue λ is "
         "multiplied by (1 − ηλ) each step."),
        ("すべての方向で |1 − ηλ| < 1 ⇔ 0 < η < 2/λ_max。返すのはこの境界 2/λ_max です (本文の H では 0.8)。",
         "|1 − ηλ| < 1 in every direction ⇔ 0 < η < 2/λ_max. Return that boundary 2/λ_max (0.8 for the "
         "chapter's H)."),
        ("対称行列の固有値は np.linalg.eigvalsh (昇順)。検査: 正方 2 次元でない、nan/inf、非対称 "
         "(np.allclose(H, H.T) が偽)、正定値でない (最小固有値 ≤ 0) は ValueError。戻り値は float。",
         "np.linalg.eigvalsh gives a symmetric matrix's eigenvalues (ascending). Checks: not square 2-D, "
         "nan/inf, not symmetric (np.allclose(H, H.T) false), not positive definite (smallest eigenvalue "
         "≤ 0) raise ValueError. Return a float."),
    ],
    "plot_trajectories": [
        ("1 つの Axes に、f の等高線、開始点ごとの軌跡 1 本、真の最小点 (マーカー \"*\") を描きます。"
         "本文の図: 開始点 (-0.5, 6), (4.5, 0), (4, 6)、η = 0.1、50 ステップ。",
         "On one Axes draw the contours of f, one path per start and the true minimum (marker \"*\"). The "
         "chapter's figure: starts (-0.5, 6), (4.5, 0), (4, 6), η = 0.1, 50 steps."),
        ("軌跡は自分の gradient_descent で求め、1 本の Line2D (x 座標の列と y 座標の列を渡す 1 回の ax.plot) にします。"
         "2 点以上の線は軌跡だけにすること (採点は線を数えます)。等高線は np.meshgrid と ax.contour で。",
         "Compute each path with your gradient_descent and draw it as ONE Line2D "
         "(one ax.plot given the path's column of x values and column of y values). Only the paths may be lines "
         "with more than one point (the grader "
         "counts them). Contours: np.meshgrid and ax.contour."),
        ("流れ: 格子 X, Y → 最後の軸に (x, y) を並べた (..., 2) の配列を f に渡して格子上の値 (f は (..., 2) を受け取れます) "
         "→ 等高線 → 開始点ごとに軌跡 (ラベル \"start (x, y)\") → 最小点は線なしの \"*\" マーカー 1 点、ラベル "
         "\"minimum\" → 凡例。Figure を返し、plt.show() は呼びません。",
         "Outline: the grid X, Y → f of the (..., 2) array that stacks (x, y) on a last axis gives the values on "
         "the grid (f accepts (..., 2) arrays) → contours → one path per start (label \"start (x, y)\") → the "
         "minimum as a single \"*\" marker with no line, label \"minimum\" → legend. Return the Figure; do "
         "not call plt.show()."),
    ],
}
