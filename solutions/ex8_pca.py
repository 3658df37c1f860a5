"""演習 8: 共分散行列と主成分分析 (本文 3.1 固有値と固有ベクトル)
==================================================================

本文の ``eigenvalues_and_eigenvectors`` は、2 次元のデータから共分散行列を作り、その固有ベクトルを
「データの主要な方向 (主成分)」として矢印で描きます。この演習では、この計算を NumPy だけで
一から、正しく組み立てます。

データ X は形 (n, d) の配列で、**各行が 1 つのサンプル** (観測)、各列が 1 つの変数です。
各サンプルから平均ベクトル μ = (1/n) Σ_i x_i を引いた X_c = X − μ を、中心化したデータと呼びます。

* **共分散行列** C = X_cᵀ X_c / (n − 1) は形 (d, d) の対称行列です (不偏推定量。``np.cov`` の
  既定と同じく n − 1 で割ります)。どの単位ベクトル u についても uᵀ C u は u 方向の分散なので
  0 以上です。つまり共分散行列は **半正定値** (固有値がすべて 0 以上) でなければなりません。
* **主成分** は C の固有ベクトルです。C は対称なので、実の固有値と、互いに直交する単位固有
  ベクトルがあります (対称行列用の ``np.linalg.eigh`` で求めます)。固有値 λ_i はその方向の分散です。
  固有値を大きい順に並べたときの最初の固有ベクトル w_1 が、分散が最大になる方向 (第 1 主成分) です。
* **寄与率 (explained variance ratio)** は λ_i / Σ_j λ_j で、第 i 主成分が全分散のうち
  どれだけを説明するかを表します。
* 最初の k 個の主成分を列に並べた W_k (d, k) への **射影** (主成分得点) は Z = X_c W_k (n, k)、
  そこからの **再構成** は X̂ = Z W_kᵀ + μ (平均を足し戻します)。再構成誤差
  E = Σ_i ‖x_i − x̂_i‖² / (n − 1) は、捨てた主成分の固有値の和 λ_{k+1} + … + λ_d に等しくなります。

実装する関数
------------
1. ``covariance(X)`` — 行がサンプルのデータ X (n, d)、n ≥ 2 から、n − 1 で割った共分散行列
   (d, d) を返します。平均を引いてから積を取ります。``np.cov``・``np.corrcoef`` などライブラリの
   共分散 (torch.cov、pandas、scipy.stats) は使えません (使うとこの課題のテストはすべて失敗します)。
2. ``principal_components(C, tol=1e-10)`` — 共分散行列 C の固有値と主成分を返します。
   固有値は **降順** (d,)、主成分は単位ベクトルを **列** に並べた (d, d) で、
   ``C @ components[:, i] ≈ values[i] * components[:, i]`` です。固有ベクトルは符号 (向き) が
   定まらないので、**各列で絶対値が最大の成分を正にする** という規約で一意にします (絶対値が最大値との
   差 1e-9 以内の成分が複数あるときは、そのうち最初の成分を正にします)。
   丸め誤差による小さな負の固有値 (−tol·s 以上、s は C の成分の絶対値の最大値) は 0 にします。
3. 共分散行列の検査 (``principal_components`` の一部) — C が共分散行列になり得ないときは
   ValueError にします: 正方行列 (d ≥ 1) でない、nan や inf を含む、対称でない
   (max|C − Cᵀ| > tol·s)、半正定値でない (最小の固有値 < −tol·s)。本文の [[2, 1.5], [1.5, 1]] は
   det = 2 − 2.25 < 0 なので負の固有値を持ち、ValueError になります。丸め誤差程度の非対称や、
   固有値 0 を持つ (特異な) 共分散行列は受け付けます。
4. ``explained_variance_ratio(eigenvalues)`` — 寄与率 λ_i / Σ_j λ_j を同じ順序で返します。
5. ``pca_project(X, k)`` — X を第 1 から第 k 主成分へ射影した主成分得点 Z = X_c W_k (n, k)。
6. ``pca_reconstruct(X, k)`` — 再構成 X̂ (n, d) と再構成誤差 E の組 ``(X_hat, error)``。
7. ``plot_pca(X)`` — 2 次元のデータ (n, 2) の散布図に、平均から各主成分の方向へ長さ √λ_i
   (その方向の標準偏差) の矢印を描いた ``matplotlib.figure.Figure`` を返します。矢印は平均 μ から
   μ + √λ_i w_i までの 2 点の線 (``ax.plot``、ラベルは "PC1"・"PC2" で始める) として描きます。
   矢じりなどの飾りは自由に足してかまいません。

補助関数 ``_as_data``・``_check_k``・``_canonical_signs`` は骨組み (docstring だけ) です。中身を書いて
使っても、使わなくてもかまいません (採点テストが呼ぶのは公開関数だけです)。

ライブラリの PCA (sklearn.decomposition.PCA、torch.pca_lowrank など) は使わずに自分で書いてください。

本文との違い
------------
* 本文 (418 行) は共分散として [[2, 1.5], [1.5, 1]] を使いますが、det = 2 − 2.25 = −0.25 < 0 で
  固有値は (3 ± √10)/2 ≈ 3.081, −0.081 です。分散が負になる方向があるので共分散行列には
  なり得ません (docs/ERRATA.md の「418」の項)。``np.random.multivariate_normal`` は警告を出すだけで
  サンプルを返してしまいます。ここでは ``principal_components`` がこのような行列を ValueError で拒みます。
* 本文 (426-472 行) は ``np.linalg.eig`` の結果をそのまま使い、``eigenvalues[0]`` を第 1 主成分の
  寄与率として表示しますが、``eig`` は固有値の順序を保証しません (docs/ERRATA.md の「426-472」の項)。
  主成分には対称行列用の ``np.linalg.eigh`` (昇順で返す) を使い、降順に並べ替えます。
  固有ベクトルの符号も規約で決めます。
* 本文の矢印の長さは 2√λ です。ここでは 1 標準偏差の √λ にしています。
* 本文の図のラベルは日本語なので、日本語フォントがないと豆腐 (□) になります (docs/ERRATA.md
  Presentation)。``plot_pca`` のラベルは英語です。

------------------------------------------------------------------------------------------

Exercise 8: the covariance matrix and principal component analysis (chapter 3.1 固有値と固有ベクトル)
=================================================================================================

The chapter's ``eigenvalues_and_eigenvectors`` builds a covariance matrix from 2-D data and draws
its eigenvectors as arrows, "the main directions of the data" (the principal components). This
exercise builds that computation correctly, from scratch with NumPy.

The data X is an (n, d) array with **one sample (observation) per row** and one variable per
column. Subtracting the mean vector μ = (1/n) Σ_i x_i gives the centred data X_c = X − μ.

* The **covariance matrix** C = X_cᵀ X_c / (n − 1) is a symmetric (d, d) matrix (the unbiased
  estimate, dividing by n − 1 as ``np.cov`` does by default). For every unit vector u, uᵀ C u is the
  variance along u, so it is at least 0: a covariance matrix must be **positive semidefinite** (all
  eigenvalues ≥ 0).
* The **principal components** are the eigenvectors of C. Since C is symmetric, it has real
  eigenvalues and mutually orthogonal unit eigenvectors (``np.linalg.eigh``, the solver for
  symmetric matrices). The eigenvalue λ_i is the variance along its direction; with the eigenvalues
  in decreasing order, the first eigenvector w_1 is the direction of largest variance (the first
  principal component).
* The **explained variance ratio** λ_i / Σ_j λ_j is the share of the total variance that the i-th
  component explains.
* The **projection** onto the first k components, the columns of W_k (d, k), gives the scores
  Z = X_c W_k (n, k); the **reconstruction** from them is X̂ = Z W_kᵀ + μ (the mean added back).
  The reconstruction error E = Σ_i ‖x_i − x̂_i‖² / (n − 1) equals the sum of the dropped
  eigenvalues λ_{k+1} + … + λ_d.

Functions to implement
----------------------
1. ``covariance(X)`` — the covariance matrix (d, d), divided by n − 1, of data X (n, d) with one
   sample per row, n ≥ 2. Subtract the mean before taking the product. No library covariance
   (``np.cov``, ``np.corrcoef``, torch.cov, pandas, scipy.stats): using one fails every test of this
   task.
2. ``principal_components(C, tol=1e-10)`` — the eigenvalues and principal components of a
   covariance matrix C: eigenvalues in **decreasing** order (d,), components as unit **columns**
   (d, d), with ``C @ components[:, i] ≈ values[i] * components[:, i]``. An eigenvector's sign is not
   determined, so a convention makes it unique: **in each column the entry with the largest
   absolute value is positive** (when several entries are within 1e-9 of the largest absolute
   value, the first of them is made positive). Small negative eigenvalues from rounding (≥ −tol·s,
   with s the largest absolute entry of C) are set to 0.
3. Checking the covariance matrix (part of ``principal_components``) — a C that cannot be a
   covariance matrix raises ValueError: not square (d ≥ 1), nan or inf entries, not symmetric
   (max|C − Cᵀ| > tol·s), or not positive semidefinite (smallest eigenvalue < −tol·s). The chapter's
   [[2, 1.5], [1.5, 1]] has det = 2 − 2.25 < 0, hence a negative eigenvalue: ValueError. Asymmetry
   at the level of rounding and singular covariance matrices (an eigenvalue 0) are accepted.
4. ``explained_variance_ratio(eigenvalues)`` — the ratios λ_i / Σ_j λ_j, in the same order.
5. ``pca_project(X, k)`` — the scores Z = X_c W_k (n, k) of X on the first k components.
6. ``pca_reconstruct(X, k)`` — the pair ``(X_hat, error)``: the reconstruction X̂ (n, d) and the
   reconstruction error E.
7. ``plot_pca(X)`` — a ``matplotlib.figure.Figure`` with a scatter plot of 2-D data (n, 2) and, from
   the mean, an arrow along each principal component of length √λ_i (the standard deviation along
   it). Draw each arrow as a two-point line from the mean μ to μ + √λ_i w_i (``ax.plot``, with a
   label starting with "PC1", "PC2"); arrowheads and other decoration are up to you.

The helpers ``_as_data``, ``_check_k`` and ``_canonical_signs`` are skeletons (docstrings only):
fill them in and use them, or not (the graded tests call only the public functions).

Write it yourself: no library PCA (sklearn.decomposition.PCA, torch.pca_lowrank, ...).

Differs from the chapter
------------------------
* The chapter (line 418) uses [[2, 1.5], [1.5, 1]] as a covariance, but det = 2 − 2.25 = −0.25 < 0
  and its eigenvalues are (3 ± √10)/2 ≈ 3.081 and −0.081: some direction would have a negative
  variance, so it cannot be a covariance matrix (docs/ERRATA.md, item 418).
  ``np.random.multivariate_normal`` only warns and still returns samples. Here
  ``principal_components`` rejects such a matrix with a ValueError.
* The chapter (lines 426-472) uses ``np.linalg.eig`` as it comes and prints ``eigenvalues[0]`` as the
  ratio of the first component, but ``eig`` does not order the eigenvalues (docs/ERRATA.md, item
  426-472). Principal components use ``np.linalg.eigh``, the symmetric solver (it returns ascending
  order), sorted into decreasing order, with a sign convention for the eigenvectors.
* The chapter's arrows are 2√λ long; here they are √λ long (one standard deviation).
* The chapter's plot labels are Japanese and render as boxes without a Japanese font
  (docs/ERRATA.md, Presentation). ``plot_pca`` uses English labels.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
from matplotlib.figure import Figure

__all__ = ["covariance", "principal_components", "explained_variance_ratio", "pca_project",
           "pca_reconstruct", "plot_pca"]


def _as_data(X) -> np.ndarray:
    """X を行がサンプルの (n, d) float64 配列 (n ≥ 2, d ≥ 1, 有限) として返す /
    Return X as a finite (n, d) float64 array with one sample per row, n ≥ 2 and d ≥ 1.

    Raises:
        ValueError: X が数値の 2 次元配列でない、n < 2、d = 0、nan や inf を含むとき。
            X is not a numeric 2-D array, n < 2, d = 0, or X contains nan or inf.
    """
    ### BEGIN SOLUTION
    if np.iscomplexobj(X):
        raise ValueError("X は実数でなければなりません (複素数です) / X must be real, got complex values")
    try:
        A = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"X を float64 の配列に変換できません / X cannot be converted to float64: {exc}") from exc
    if A.ndim != 2:
        raise ValueError(f"X は行がサンプルの 2 次元配列 (n, d) でなければなりません (形: {A.shape}) / "
                         f"X must be a 2-D array (n, d) with one sample per row (got shape {A.shape})")
    n, d = A.shape
    if n < 2 or d < 1:
        raise ValueError(f"X にはサンプルが 2 つ以上、変数が 1 つ以上必要です (形: {A.shape}) / "
                         f"X needs at least 2 samples and 1 variable (got shape {A.shape})")
    if not np.all(np.isfinite(A)):
        raise ValueError("X に nan または inf が含まれています / X contains nan or inf")
    return A
    ### END SOLUTION


def _check_k(k, d: int) -> int:
    """k を 1 ≤ k ≤ d の int として返す / Return k as an int with 1 ≤ k ≤ d.

    Raises:
        TypeError: k が整数でない (bool も不可) とき。 k is not an integer (bool is not one either).
        ValueError: k が 1 未満または d より大きいとき。 k < 1 or k > d.
    """
    ### BEGIN SOLUTION
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, numbers.Integral):
        raise TypeError(f"k は整数でなければなりません (型: {type(k).__name__}) / "
                        f"k must be an integer (got {type(k).__name__})")
    if not 1 <= k <= d:
        raise ValueError(f"k は 1 以上 d = {d} 以下でなければなりません (k = {k}) / "
                         f"k must be between 1 and d = {d} (got k = {k})")
    return int(k)
    ### END SOLUTION


def covariance(X) -> np.ndarray:
    """共分散行列 (本文 3.1 固有値と固有ベクトル) / Covariance matrix (chapter 3.1).

    平均を引いた X_c = X − μ から C = X_cᵀ X_c / (n − 1) を計算する (``np.cov(X, rowvar=False)`` と
    同じ値。ただし ``np.cov`` と ``np.corrcoef`` は使わない)。
    Computes C = X_cᵀ X_c / (n − 1) from the centred data X_c = X − μ (the value of
    ``np.cov(X, rowvar=False)``, without using ``np.cov`` or ``np.corrcoef``).

    Args:
        X: array_like, shape (n, d), n ≥ 2, d ≥ 1, real and finite; one sample per row, one variable
            per column. 各行が 1 サンプル、各列が 1 変数の実数配列 (n ≥ 2, d ≥ 1)。

    Returns:
        numpy.ndarray: shape (d, d), float64, symmetric; entry (i, j) is the covariance of variables
        i and j, the diagonal their variances (units: the squared units of X). d = 1 still gives a
        (1, 1) array.
        形 (d, d)、float64 の対称行列。(i, j) 成分は変数 i と j の共分散、対角は分散 (単位は X の単位の
        2 乗)。d = 1 でも (1, 1) の配列。

    Raises:
        ValueError: X is not a numeric 2-D array, n < 2, d = 0, or X contains nan or inf.
            X が数値の 2 次元配列でない、n < 2、d = 0、nan や inf を含むとき。
    """
    ### BEGIN SOLUTION
    A = _as_data(X)
    centred = A - A.mean(axis=0)
    return centred.T @ centred / (A.shape[0] - 1)
    ### END SOLUTION


def _canonical_signs(vectors: np.ndarray) -> np.ndarray:
    """各列の絶対値最大の成分 (差 1e-9 以内なら最初のもの) が正になるよう符号をそろえる /
    Flip each column so that its largest-magnitude entry (the first one within 1e-9 of it) is positive.
    """
    ### BEGIN SOLUTION
    out = vectors.copy()
    for i in range(out.shape[1]):
        col = out[:, i]
        size = np.abs(col)
        first = int(np.flatnonzero(size >= size.max() - 1e-9)[0])
        if col[first] < 0:
            out[:, i] = -col
    return out + 0.0  # no -0.0
    ### END SOLUTION


def principal_components(C, tol: float = 1e-10) -> tuple[np.ndarray, np.ndarray]:
    """共分散行列の固有値と主成分 (本文 3.1 固有値と固有ベクトル) /
    Eigenvalues and principal components of a covariance matrix (chapter 3.1).

    対称行列用の固有値分解 (``np.linalg.eigh``) の結果を固有値の降順に並べ、各列 (主成分) の符号を
    「絶対値が最大の成分が正」(最大値との差 1e-9 以内の成分が複数あればその最初の成分が正) にそろえる。
    丸め誤差による −tol·s 以上の負の固有値は 0 にする (s は C の成分の絶対値の最大値)。
    Sorts the symmetric eigendecomposition (``np.linalg.eigh``) by decreasing eigenvalue and signs
    each column (component) so that its largest-magnitude entry is positive (the first of the entries
    within 1e-9 of the largest magnitude). Negative eigenvalues ≥ −tol·s from rounding become 0 (s is
    the largest absolute entry of C).

    Args:
        C: array_like, shape (d, d), d ≥ 1: a covariance matrix (real, finite, symmetric, positive
            semidefinite). 共分散行列 (実数・有限・対称・半正定値)。
        tol: relative tolerance, a finite float ≥ 0, default 1e-10. 相対許容誤差 (0 以上の有限値)。

    Returns:
        tuple[numpy.ndarray, numpy.ndarray]: ``(values, components)``; ``values`` of shape (d,),
        float64, decreasing and ≥ 0 (the variances along the components); ``components`` of shape
        (d, d), float64, orthonormal columns, ``C @ components[:, i] ≈ values[i] * components[:, i]``.
        ``values`` は形 (d,) の降順で 0 以上 (各主成分方向の分散)、``components`` は形 (d, d) で
        正規直交な列 (列 i が第 i+1 主成分)。

    Raises:
        ValueError: C is not a square 2-D matrix with d ≥ 1, contains nan or inf, is not symmetric
            (max|C − Cᵀ| > tol·s), or is not positive semidefinite (smallest eigenvalue < −tol·s,
            e.g. the chapter's [[2, 1.5], [1.5, 1]]); or tol is negative or not finite. The message
            says which.
            C が d ≥ 1 の正方行列でない、nan や inf を含む、対称でない、半正定値でない (本文の
            [[2, 1.5], [1.5, 1]] など)、または tol が負か有限でないとき。メッセージで理由を示す。
    """
    ### BEGIN SOLUTION
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not math.isfinite(tol) or tol < 0:
        raise ValueError(f"tol は 0 以上の有限な数でなければなりません (tol = {tol!r}) / "
                         f"tol must be a finite number >= 0 (got {tol!r})")
    if np.iscomplexobj(C):
        raise ValueError("C は実数でなければなりません (複素数です) / C must be real, got complex values")
    try:
        A = np.asarray(C, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"C を float64 の配列に変換できません / C cannot be converted to float64: {exc}") from exc
    if A.ndim != 2 or A.shape[0] != A.shape[1] or A.shape[0] == 0:
        raise ValueError(f"C は正方行列 (d, d), d >= 1 でなければなりません (形: {A.shape}) / "
                         f"C must be a square matrix (d, d) with d >= 1 (got shape {A.shape})")
    if not np.all(np.isfinite(A)):
        raise ValueError("C に nan または inf が含まれています / C contains nan or inf")
    s = float(np.max(np.abs(A)))
    asymmetry = float(np.max(np.abs(A - A.T)))
    if asymmetry > tol * s:
        raise ValueError(f"C が対称ではありません (max|C - C.T| = {asymmetry:.3g}) ので共分散行列ではありません / "
                         f"C is not symmetric (max|C - C.T| = {asymmetry:.3g}), so it is not a covariance matrix")
    values, vectors = np.linalg.eigh((A + A.T) / 2)
    if values[0] < -tol * s:
        raise ValueError(f"C は半正定値ではありません (最小の固有値 {values[0]:.6g} < 0): 分散が負になる方向があるので"
                         f"共分散行列ではありません / C is not positive semidefinite (smallest eigenvalue "
                         f"{values[0]:.6g} < 0): some direction would have a negative variance, so it is not "
                         f"a covariance matrix")
    order = np.argsort(values)[::-1]
    values = np.maximum(values[order], 0.0)
    return values, _canonical_signs(vectors[:, order])
    ### END SOLUTION


def explained_variance_ratio(eigenvalues) -> np.ndarray:
    """寄与率 λ_i / Σ_j λ_j (本文 3.1 固有値と固有ベクトル) / Explained variance ratios (chapter 3.1).

    Args:
        eigenvalues: array_like, shape (d,), d ≥ 1, real, finite, each ≥ 0, with a positive sum
            (e.g. the values of ``principal_components``). 0 以上で和が正の固有値 (形 (d,))。

    Returns:
        numpy.ndarray: shape (d,), float64, λ_i / Σ_j λ_j in the order given; entries in [0, 1],
        summing to 1. 与えられた順の λ_i / Σ_j λ_j (各値は [0, 1]、和は 1)。

    Raises:
        ValueError: eigenvalues is not a non-empty 1-D numeric array, has a negative, nan or inf
            entry, or sums to 0.
            空でない 1 次元の数値配列でない、負・nan・inf の値がある、または和が 0 のとき。
    """
    ### BEGIN SOLUTION
    lam = np.asarray(eigenvalues, dtype=np.float64)
    if lam.ndim != 1 or lam.size == 0:
        raise ValueError(f"eigenvalues は空でない 1 次元配列でなければなりません (形: {lam.shape}) / "
                         f"eigenvalues must be a non-empty 1-D array (got shape {lam.shape})")
    if not np.all(np.isfinite(lam)) or np.any(lam < 0):
        raise ValueError("eigenvalues は 0 以上の有限な値でなければなりません / eigenvalues must be finite and >= 0")
    total = lam.sum()
    if total <= 0:
        raise ValueError("eigenvalues の和が 0 なので寄与率は定義されません / "
                         "the eigenvalues sum to 0, so the ratios are undefined")
    return lam / total
    ### END SOLUTION


def pca_project(X, k) -> np.ndarray:
    """第 1〜第 k 主成分への射影 (主成分得点) / Scores on the first k principal components (chapter 3.1).

    Z = (X − μ) W_k。W_k は ``principal_components(covariance(X))`` の最初の k 列 (符号の規約つき)。
    Z = (X − μ) W_k with W_k the first k columns of ``principal_components(covariance(X))`` (with its
    sign convention).

    Args:
        X: array_like, shape (n, d), n ≥ 2, real and finite; one sample per row. 行がサンプルのデータ。
        k: int, 1 ≤ k ≤ d; the number of components kept. 残す主成分の数。

    Returns:
        numpy.ndarray: shape (n, k), float64; column j holds the coordinates of the centred samples
        along the (j+1)-th component. 形 (n, k)。列 j は中心化したサンプルの第 j+1 主成分方向の座標。

    Raises:
        ValueError: X is not a finite numeric (n, d) array with n ≥ 2 and d ≥ 1, or k < 1 or k > d.
            X が n ≥ 2, d ≥ 1 の有限な数値の (n, d) 配列でない、または k < 1 か k > d のとき。
        TypeError: k is not an integer (bool is rejected too). k が整数でない (bool も不可) とき。
    """
    ### BEGIN SOLUTION
    A = _as_data(X)
    k = _check_k(k, A.shape[1])
    _, W = principal_components(covariance(A))
    return (A - A.mean(axis=0)) @ W[:, :k]
    ### END SOLUTION


def pca_reconstruct(X, k) -> tuple[np.ndarray, float]:
    """k 個の主成分からの再構成と再構成誤差 / Reconstruction from k components and its error (chapter 3.1).

    X̂ = Z W_kᵀ + μ (Z = (X − μ) W_k、平均を足し戻す)、E = Σ_i ‖x_i − x̂_i‖² / (n − 1)。
    E は捨てた主成分の固有値の和 λ_{k+1} + … + λ_d に等しい (k = d なら 0)。
    X̂ = Z W_kᵀ + μ (Z = (X − μ) W_k; the mean is added back) and E = Σ_i ‖x_i − x̂_i‖² / (n − 1),
    which equals the sum of the dropped eigenvalues λ_{k+1} + … + λ_d (0 for k = d).

    Args:
        X: array_like, shape (n, d), n ≥ 2, real and finite; one sample per row. 行がサンプルのデータ。
        k: int, 1 ≤ k ≤ d; the number of components kept. 残す主成分の数。

    Returns:
        tuple[numpy.ndarray, float]: ``(X_hat, error)``; ``X_hat`` of shape (n, d), float64, in the
        units of X; ``error`` a float ≥ 0 (squared units of X), divided by n − 1 like the covariance.
        ``X_hat`` は形 (n, d) の float64 (X と同じ単位)、``error`` は 0 以上の float (X の単位の 2 乗、
        共分散と同じく n − 1 で割る)。

    Raises:
        ValueError: X is not a finite numeric (n, d) array with n ≥ 2 and d ≥ 1, or k < 1 or k > d.
            X が n ≥ 2, d ≥ 1 の有限な数値の (n, d) 配列でない、または k < 1 か k > d のとき。
        TypeError: k is not an integer (bool is rejected too). k が整数でない (bool も不可) とき。
    """
    ### BEGIN SOLUTION
    A = _as_data(X)
    k = _check_k(k, A.shape[1])
    mean = A.mean(axis=0)
    _, W = principal_components(covariance(A))
    Wk = W[:, :k]
    X_hat = (A - mean) @ Wk @ Wk.T + mean
    error = float(np.sum((A - X_hat) ** 2) / (A.shape[0] - 1))
    return X_hat, error
    ### END SOLUTION


def plot_pca(X) -> Figure:
    """データと主成分の矢印の図 (本文 3.1 固有値と固有ベクトル) / Figure of the data and its principal axes.

    1 つの Axes に、(1) ``ax.scatter`` による X の散布図 (1 つの PathCollection、点は X の行の順)、
    (2) 主成分ごとに 1 本、平均 μ から μ + √λ_i w_i までの線分 (``Line2D``、2 点、ラベルは "PC1",
    "PC2" で始まる。矢じりなどの飾りは自由) を描く。λ_i と w_i は
    ``principal_components(covariance(X))`` の値。``ax.set_aspect("equal")`` で直交性が見えるようにする。
    One Axes with (1) a scatter plot of X by ``ax.scatter`` (one PathCollection, points in the order of
    X's rows) and (2) per component one segment from the mean μ to μ + √λ_i w_i (a ``Line2D`` of two
    points whose label starts with "PC1", "PC2"; arrowheads and other decoration are free), with λ_i
    and w_i the values of ``principal_components(covariance(X))``. The aspect ratio is equal so that
    the components look orthogonal.

    Args:
        X: array_like, shape (n, 2), n ≥ 2, real and finite; one sample per row. 2 次元のデータ。

    Returns:
        matplotlib.figure.Figure: one Axes (not shown). 1 つの Axes を持つ図 (表示はしない)。

    Raises:
        ValueError: X is not a finite numeric (n, 2) array with n ≥ 2.
            X が n ≥ 2 の有限な数値の (n, 2) 配列でないとき。
    """
    ### BEGIN SOLUTION
    A = _as_data(X)
    if A.shape[1] != 2:
        raise ValueError(f"plot_pca は 2 次元のデータ (n, 2) だけを描きます (形: {A.shape}) / "
                         f"plot_pca draws 2-D data (n, 2) only (got shape {A.shape})")
    values, W = principal_components(covariance(A))
    ratios = values / values.sum() if values.sum() > 0 else np.zeros_like(values)
    mean = A.mean(axis=0)
    fig = Figure(figsize=(6, 5), layout="constrained")
    ax = fig.subplots()
    ax.scatter(A[:, 0], A[:, 1], s=10, alpha=0.5, label="data")
    for i in range(2):
        tip = mean + math.sqrt(values[i]) * W[:, i]
        ax.plot([mean[0], tip[0]], [mean[1], tip[1]], color=f"C{i + 1}", linewidth=2.5,
                label=f"PC{i + 1} (λ = {values[i]:.2f}, {100 * ratios[i]:.1f}%)")
        ax.annotate("", xy=tuple(tip), xytext=tuple(mean),
                    arrowprops={"arrowstyle": "-|>", "color": f"C{i + 1}", "linewidth": 2.5})
    ax.set_aspect("equal")
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_title("data and principal components (arrows: sqrt(eigenvalue))")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best")
    return fig
    ### END SOLUTION


# ---------------------------------------------------------------------------------------------
# ヒント (段階式): `workbook hint ex8_pca [課題]` で 1 段ずつ表示されます。まず自分で考えてから。
# Graded hints: `workbook hint ex8_pca [TASK]` shows them one level at a time. Try first.
# 各要素は (日本語, English)。答えそのものは書いていません。 / Each entry is (Japanese, English).
HINTS = {
    "covariance": [
        ("行がサンプルです。各列 (変数) の平均を引いてから、中心化したデータの転置と自分自身の積を n − 1 で割ります。",
         "Rows are samples. Subtract each column's (variable's) mean, then multiply the transposed centred "
         "data by itself and divide by n − 1."),
        ("平均は axis=0 (サンプルの軸) で取ります。平均を引き忘れると Xᵀ X / (n − 1) になり、平均が 0 でない"
         "データでは値がずれます。n で割ると np.cov の既定 (ddof=1) と合いません。np.cov は使えません。",
         "Take the mean over axis=0 (the sample axis). Forgetting it gives Xᵀ X / (n − 1), wrong for data "
         "whose mean is not 0. Dividing by n does not match np.cov's default (ddof=1). np.cov is not "
         "allowed."),
        ("流れ: float64 の 2 次元配列にする → 形 (n, d) と n ≥ 2、有限かを確かめる (だめなら ValueError) → "
         "列の平均を引く → (d, n) と (n, d) の積で (d, d) を作る → n − 1 で割る。",
         "Outline: a float64 2-D array → check the shape (n, d), n ≥ 2 and finiteness (else ValueError) → "
         "subtract the column means → the product of (d, n) and (n, d) gives (d, d) → divide by n − 1."),
    ],
    "principal_components": [
        ("C は対称なので、対称行列用の np.linalg.eigh を使います。np.linalg.eig は順序を保証しません。",
         "C is symmetric: use np.linalg.eigh, the symmetric solver. np.linalg.eig does not order its "
         "results."),
        ("eigh は固有値を昇順に返し、固有ベクトルは列です。降順に並べるときは固有値と固有ベクトルの列を同じ "
         "順序 (np.argsort を逆順に) で並べ替えます。符号は列ごとに、絶対値が最大の成分 (差 1e-9 以内なら最初の"
         "もの) が正になるよう −1 を掛けます。",
         "eigh returns ascending eigenvalues and eigenvectors as columns. To sort in decreasing order, "
         "reorder the values and the columns with the same permutation (np.argsort, reversed). Then flip "
         "each column (times −1) so that its largest-magnitude entry (the first one within 1e-9) is "
         "positive."),
        ("流れ: 入力を検査 → eigh → 降順の添字で固有値と列を並べ替え → −tol·s 以上の小さな負の固有値は 0 に "
         "(np.maximum) → 列ごとに np.abs の最大値に 1e-9 以内の最初の成分を探し、負ならその列を反転 → "
         "(values, components) を返す。行と列を取り違えないこと: 主成分 i は components[:, i]。",
         "Outline: check the input → eigh → reorder values and columns by the decreasing permutation → set "
         "small negative eigenvalues (≥ −tol·s) to 0 (np.maximum) → per column find the first entry within "
         "1e-9 of the largest np.abs and flip the column if it is negative → return (values, components). "
         "Do not mix up rows and columns: component i is components[:, i]."),
    ],
    "validates_covariance": [
        ("共分散行列は対称で半正定値 (固有値がすべて 0 以上) です。そうでない行列は ValueError で拒みます。",
         "A covariance matrix is symmetric and positive semidefinite (all eigenvalues ≥ 0). Reject any "
         "other matrix with ValueError."),
        ("本文の [[2, 1.5], [1.5, 1]] は対角 (分散) が正でも det < 0 で負の固有値があります。対角だけを見る検査"
         "では見逃します。比較は s = max|C_ij| を目盛りにした相対誤差で: 丸め誤差程度の非対称や特異な行列は"
         "受け付けます。",
         "The chapter's [[2, 1.5], [1.5, 1]] has positive diagonal entries (variances) but det < 0 and a "
         "negative eigenvalue: a check of the diagonal alone misses it. Compare relative to s = max|C_ij|: "
         "asymmetry at the level of rounding and singular matrices are accepted."),
        ("流れ: 形 (d, d)、d ≥ 1 → 有限か → max|C − Cᵀ| ≤ tol·s か → 対称化した (C + Cᵀ)/2 の eigh の最小の"
         "固有値 ≥ −tol·s か。どれかが成り立たなければ理由を書いた ValueError。",
         "Outline: shape (d, d) with d ≥ 1 → finite → max|C − Cᵀ| ≤ tol·s → the smallest eigenvalue of eigh "
         "of the symmetrised (C + Cᵀ)/2 is ≥ −tol·s. If any fails, raise a ValueError saying which."),
    ],
    "explained_variance_ratio": [
        ("寄与率は各固有値を固有値の合計で割ったものです。和は 1 になります。",
         "The ratio is each eigenvalue divided by the sum of all eigenvalues; the ratios sum to 1."),
        ("最大の固有値で割るのではありません (それでは第 1 成分が常に 1 になります)。順序は入力のまま。"
         "負・nan・inf の値、和が 0、空や 1 次元でない入力は ValueError。",
         "Do not divide by the largest eigenvalue (the first ratio would always be 1). Keep the input "
         "order. Negative, nan or inf values, a zero sum, and an empty or non-1-D input raise ValueError."),
    ],
    "pca_project": [
        ("主成分得点は中心化したデータと最初の k 個の主成分 (列) との積です: Z = (X − μ) W_k。",
         "The scores are the centred data times the first k components (columns): Z = (X − μ) W_k."),
        ("自分の covariance と principal_components を使えます。平均を引き忘れると得点が μ W_k だけずれます。"
         "W_k は components の最初の k 列で、最初の k 行ではありません。",
         "Use your covariance and principal_components. Forgetting the mean shifts the scores by μ W_k. "
         "W_k is the first k columns of components, not the first k rows."),
        ("流れ: X と k を検査 (k は 1 ≤ k ≤ d の整数、bool は TypeError) → 共分散 → 主成分 → 中心化した X と "
         "components[:, :k] の積 (形 (n, k))。",
         "Outline: check X and k (an integer 1 ≤ k ≤ d; bool raises TypeError) → covariance → components → "
         "the centred X times components[:, :k] (shape (n, k))."),
    ],
    "pca_reconstruct": [
        ("得点 Z を主成分の空間から元の空間に戻します: X̂ = Z W_kᵀ + μ。平均を足し戻すのを忘れずに。",
         "Map the scores Z back to the original space: X̂ = Z W_kᵀ + μ. Do not forget to add the mean "
         "back."),
        ("誤差は残差 X − X̂ の全成分の 2 乗和を n − 1 で割った値で、捨てた固有値の和 λ_{k+1} + … + λ_d に"
         "一致します (自分で確かめてみましょう)。k = d なら X̂ = X で誤差は 0 (丸め誤差を除く)。",
         "The error is the sum of the squares of all entries of the residual X − X̂, divided by n − 1; it "
         "equals the sum of the dropped eigenvalues λ_{k+1} + … + λ_d (check it yourself). For k = d, "
         "X̂ = X and the error is 0 (up to rounding)."),
        ("流れ: X と k を検査 → 平均 μ と主成分 W_k → 中心化 → W_k を掛けて W_kᵀ を掛ける → μ を足す → "
         "残差の 2 乗和 / (n − 1) を float にして (X_hat, error) のタプルで返す。",
         "Outline: check X and k → the mean μ and W_k → centre → multiply by W_k, then by W_kᵀ → add μ → "
         "the sum of squared residuals / (n − 1) as a float; return the tuple (X_hat, error)."),
    ],
    "plot_pca": [
        ("散布図の上に、平均から各主成分の方向へ長さ √λ_i の矢印を描きます (1 標準偏差)。",
         "On top of the scatter plot, draw from the mean an arrow along each component, √λ_i long (one "
         "standard deviation)."),
        ("fig = Figure() と fig.subplots() で Axes を作り、ax.scatter で点を描きます。矢印は ax.plot で "
         "平均から先端までの 2 点の線分に \"PC1\" / \"PC2\" で始まるラベルを付けます (採点はこの線を読みます)。"
         "矢じりは ax.annotate で足せます。",
         "Make the Axes with fig = Figure() and fig.subplots(), the points with ax.scatter. Draw each arrow "
         "as a two-point segment from the mean to its tip with ax.plot and a label starting with \"PC1\" / "
         "\"PC2\" (the grader reads these lines); ax.annotate can add arrowheads."),
        ("流れ: X を検査 (形 (n, 2)) → 自分の covariance と principal_components → 平均 μ → i = 0, 1 で先端 "
         "μ + √λ_i w_i (w_i は列 i) → 線分とラベル → 縦横比を equal に。plt.show() は呼びません。",
         "Outline: check X (shape (n, 2)) → your covariance and principal_components → the mean μ → for "
         "i = 0, 1 the tip μ + √λ_i w_i (w_i is column i) → the segment with its label → equal aspect. "
         "Do not call plt.show()."),
    ],
}
