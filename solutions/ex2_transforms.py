"""演習 2: 行列は変換である / 固有値と固有ベクトル (本文 3.1 行列, 固有値と固有ベクトル)
==========================================================================================

2×2 行列 M は平面の **線形変換** です。M の第 1 列は基底ベクトル e1 = (1, 0) の行き先、
第 2 列は e2 = (0, 1) の行き先です。本文と同じく、点の集まりは **列** として並べた (2, n)
配列 P で表し、変換後の点は M @ P です。行列の積は変換の合成で、「回転してから拡大」は
S @ R (右の行列が先に作用) です: (S R) P = S (R P)。

**固有ベクトル (eigenvector)** v ≠ 0 と **固有値 (eigenvalue)** λ は M v = λ v を満たす
組 (固有対, eigenpair) です。2×2 では λ は特性方程式

    λ² − tr(M) λ + det(M) = 0,   tr(M) = a + d,   det(M) = ad − bc   (M = [[a, b], [c, d]])

の根で、判別式は Δ = tr(M)² − 4 det(M) = (a − d)² + 4bc です。

* Δ > 0: 異なる 2 つの実固有値があり、それぞれの固有空間は直線 (1 次元) です。
* Δ < 0: 固有値は複素共役の組で、**実の固有ベクトルはありません**。45° 回転
  (固有値 cos θ ± i sin θ) がその例で、どの直線も別の直線に回されます。
* Δ = 0: 重根 λ = tr(M)/2。M = λI (恒等変換・一様な拡大) なら平面のすべての非ゼロ
  ベクトルが固有ベクトルです。そうでなければ固有空間は 1 本の直線だけで、M は
  **欠陥行列 (defective)** です。せん断 [[1, 0.5], [0, 1]] は固有値 1 が重根なのに、
  固有ベクトルは x 軸方向しかありません。

固有値 λ の固有ベクトルは A = M − λI の零空間 (A v = 0) の元です。A ≠ 0 なら A の階数は 1
なので、ゼロでない行 (p, q) に直交するベクトル (−q, p) が零空間を張ります。

固有ベクトルが保つのは **直線** であって **向き** ではありません。λ < 0 なら M v は v と
逆向き (反射 [[1, 0], [0, −1]] の e2 は −e2 に移る)、λ = 0 なら M v = 0 でその直線は原点に
つぶれます。どちらも M v は v の張る直線の上にあります。

実装するもの
------------
1. ``apply_transform(M, points)`` — 列として並べた点 (2, n) に M を作用させ、(2, n) の
   float64 配列を返します。
2. ``real_eigenpairs(M, tol=1e-9)`` — 実固有値と単位固有ベクトルの組だけを返します
   (固有値 (k,), 固有ベクトルを列に並べた (2, k))。回転では k = 0、せん断では k = 1、
   恒等変換・一様な拡大では k = 2 (標準基底 e1, e2)、反射では固有値 1 と −1。
   順序は固有値の降順、各ベクトルの符号は「絶対値が tol を超える最初の成分が正」で、
   結果は一意に決まります。
3. ``preserves_direction(M, v, tol=1e-9)`` — M v が v の張る直線上にあるか (bool)。
   負の固有値・ゼロ固有値の固有ベクトルでも True です。
4. ``plot_transform(M, ax=None)`` — 単位正方形の変換前と変換後、実固有ベクトルの直線、
   タイトルに行列を描いた Figure を返します。

採点されるのはこの 4 つの公開関数だけです。``_as_real_array``, ``_check_matrix``,
``_canonical_sign``, ``_null_direction`` は実装の手がかりとして用意した補助関数で、使っても
使わなくてもかまいません。定数 ``UNIT_SQUARE`` は本文の単位正方形です。

数値的な注意: 浮動小数点では「Δ = 0」や「M = λI」がちょうど成り立つとは限りません
(例えば回転させたせん断行列の Δ は 1e-16 程度になります)。``tol`` は M の大きさ
s = ‖M‖_F (フロベニウスノルム) に対する相対許容誤差で、|Δ| ≤ tol·s² なら重根、
さらに ‖M − λI‖_F ≤ √tol·s なら M = λI とみなします。欠陥行列の固有値は摂動 ε に対して
√ε だけ動くので、重根の判定は √tol·s の目盛りで行うのが自然です。
結果は M の大きさにも v の長さにもよりません: c > 0 なら ``real_eigenpairs(c·M)`` の固有値は
c·λ、固有ベクトルは M と同じです (成分が 1e200 や 1e-200 でも、c·M が有限である限り。途中の s² などが
オーバーフロー・アンダーフローしないように計算します)。``preserves_direction(M, v)`` は v を c·v
(c ≠ 0) に、M を c·M (c > 0) に変えても同じ答えです。

本文との違い
------------
* 本文 (412 行) は「行列 A は固有ベクトルの方向を変えない (大きさだけ変える)」と書いて
  いますが、負の固有値では向きが反転します (docs/ERRATA.md 412 行)。保たれるのは直線です。
  ``preserves_direction`` は負やゼロの固有値も「直線を保つ」と数えます。
* 本文の変換の例には 45° 回転とせん断がありますが、回転には実の固有ベクトルがなく、
  せん断は欠陥行列で固有方向が 1 本しかありません (docs/ERRATA.md 412 行)。
  ``np.linalg.eig`` は回転に複素ベクトルを返し、せん断には (ほぼ) 平行な 2 本の列を
  返すので、そのまま「固有ベクトル 2 本」として使うのは誤りです。
* 本文 (418 行) が共分散として使う [[2, 1.5], [1.5, 1]] は半正定値ではありません
  (固有値 (3 ± √10)/2 ≈ 3.081, −0.081 で、det = 2 − 2.25 < 0)。分散が負になる方向が
  あるので共分散行列にはなり得ません (docs/ERRATA.md 418 行)。``real_eigenpairs`` で負の
  固有値を確かめられます。
* 本文 (426-472 行) の ``np.linalg.eig`` は固有値の順序を保証しません。ここでは降順と
  符号の規約を決めて、結果を一意にします (docs/ERRATA.md 426-472 行)。
* 本文の図は日本語のラベルを使うので、日本語フォントがないと文字化けします (docs/ERRATA.md
  Presentation)。``plot_transform`` のラベルは英語と数式だけです。

------------------------------------------------------------------------------------------

Exercise 2: matrices as transformations, eigenvalues and eigenvectors (chapter 3.1 行列, 固有値と固有ベクトル)
=========================================================================================================

A 2×2 matrix M is a **linear transformation** of the plane. Its first column is where the basis
vector e1 = (1, 0) goes, its second column where e2 = (0, 1) goes. As in the chapter, a set of
points is a (2, n) array P with one point per **column**, and the transformed points are M @ P.
A matrix product is a composition: "rotate, then scale" is S @ R (the right factor acts first):
(S R) P = S (R P).

An **eigenvector** v ≠ 0 and **eigenvalue** λ satisfy M v = λ v (an **eigenpair**). For a 2×2
matrix, λ is a root of the characteristic equation

    λ² − tr(M) λ + det(M) = 0,   tr(M) = a + d,   det(M) = ad − bc   (M = [[a, b], [c, d]])

whose discriminant is Δ = tr(M)² − 4 det(M) = (a − d)² + 4bc.

* Δ > 0: two distinct real eigenvalues, each with a one-dimensional eigenspace (a line).
* Δ < 0: a complex-conjugate pair and **no real eigenvector**. A 45° rotation (eigenvalues
  cos θ ± i sin θ) turns every line into another line.
* Δ = 0: a repeated eigenvalue λ = tr(M)/2. If M = λI (identity, uniform scaling) every nonzero
  vector is an eigenvector. Otherwise the eigenspace is a single line and M is **defective**:
  the shear [[1, 0.5], [0, 1]] has the eigenvalue 1 twice but only the x-axis as eigen-direction.

An eigenvector for λ spans the null space of A = M − λI (A v = 0). If A ≠ 0 it has rank 1, and
the vector (−q, p) perpendicular to a nonzero row (p, q) spans the null space.

An eigenvector keeps its **line**, not necessarily its **direction**: for λ < 0, M v points the
other way (the reflection [[1, 0], [0, −1]] sends e2 to −e2); for λ = 0, M v = 0 and the line
collapses to the origin. In both cases M v lies on the line spanned by v.

What to implement
-----------------
1. ``apply_transform(M, points)`` — apply M to points stored as columns (2, n); return a (2, n)
   float64 array.
2. ``real_eigenpairs(M, tol=1e-9)`` — only the real eigenvalues with unit eigenvectors
   (values (k,), vectors as columns (2, k)): k = 0 for a rotation, k = 1 for a shear, k = 2 for
   the identity and uniform scaling (the standard basis e1, e2), eigenvalues 1 and −1 for the
   reflection. Ordered by eigenvalue, descending; each vector's sign makes its first component
   whose absolute value exceeds tol positive, so the result is unique.
3. ``preserves_direction(M, v, tol=1e-9)`` — whether M v lies on the line spanned by v (bool);
   True also for eigenvectors of negative and zero eigenvalues.
4. ``plot_transform(M, ax=None)`` — a Figure with the unit square before and after M, the lines
   of the real eigenvectors, and the matrix in the title.

Only these four public functions are graded. The private helpers ``_as_real_array``,
``_check_matrix``, ``_canonical_sign`` and ``_null_direction`` are suggestions for structuring the
code; use them or not. The constant ``UNIT_SQUARE`` is the chapter's unit square.

Numerical note: in floating point "Δ = 0" or "M = λI" rarely hold exactly (a rotated shear has Δ
around 1e-16). ``tol`` is relative to the size of M, s = ‖M‖_F (Frobenius norm): |Δ| ≤ tol·s²
counts as a repeated eigenvalue, and then ‖M − λI‖_F ≤ √tol·s counts as M = λI. The eigenvalues
of a defective matrix move by √ε under a perturbation ε, so repeated eigenvalues are resolved on
the √tol·s scale.
Results do not depend on the scale of M or on the length of v: for c > 0,
``real_eigenpairs(c·M)`` has the eigenvalues c·λ and the eigenvectors of M (also for entries such as
1e200 or 1e-200, as long as c·M is finite: compute so that s² and the like neither overflow nor
underflow), and ``preserves_direction(M, v)`` gives the same answer for c·v (c ≠ 0) and for c·M (c > 0).

Differs from the chapter
------------------------
* The chapter (line 412) says "A does not change the direction of an eigenvector, only its
  length". For a negative eigenvalue the direction flips (docs/ERRATA.md, line 412); what is kept is
  the line. ``preserves_direction`` counts negative and zero eigenvalues as keeping the line.
* The chapter's examples include a 45° rotation and a shear, but a rotation has no real
  eigenvector and a shear is defective, with a single eigen-direction (docs/ERRATA.md, line 412).
  ``np.linalg.eig`` returns complex vectors for the rotation and two (nearly) parallel columns
  for the shear; using them as "two eigenvectors" is wrong.
* The "covariance" [[2, 1.5], [1.5, 1]] of the chapter (line 418) is not positive semidefinite:
  its eigenvalues are (3 ± √10)/2 ≈ 3.081 and −0.081 (det = 2 − 2.25 < 0), so some direction
  would have negative variance; it cannot be a covariance matrix (docs/ERRATA.md, line 418).
  ``real_eigenpairs`` shows the negative eigenvalue.
* ``np.linalg.eig`` in the chapter (lines 426-472) gives no ordering. Here the order (descending)
  and a sign convention are fixed, so the result is unique (docs/ERRATA.md, lines 426-472).
* The chapter's plots use Japanese labels, which render as boxes without a Japanese font
  (docs/ERRATA.md, Presentation). ``plot_transform`` uses English labels and mathematics only.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["UNIT_SQUARE", "apply_transform", "real_eigenpairs", "preserves_direction", "plot_transform"]

#: The chapter's unit square as a closed polygon, corners as columns (2, 5):
#: (0, 0) → (1, 0) → (1, 1) → (0, 1) → (0, 0).
#: 本文の単位正方形 (閉じた多角形、角を列に並べた (2, 5) 配列)。
UNIT_SQUARE = np.array([[0.0, 1.0, 1.0, 0.0, 0.0],
                        [0.0, 0.0, 1.0, 1.0, 0.0]])
UNIT_SQUARE.setflags(write=False)


def _as_real_array(x, name: str) -> np.ndarray:
    """Convert ``x`` to a float64 array, with a bilingual ValueError for non-numeric input.
    ``x`` を float64 配列に変換します (数値でなければ ValueError)。

    Raises:
        ValueError: ``x`` is complex, or cannot be converted to float64.
            複素数、または float64 に変換できない場合。
    """
    ### BEGIN SOLUTION
    if np.iscomplexobj(x):
        raise ValueError(f"{name} は実数である必要があります (複素数です) / {name} must be real, got complex values")
    try:
        return np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{name} を float64 の配列に変換できません / {name} cannot be converted to a float64 array: {exc}"
        ) from exc
    ### END SOLUTION


def _check_matrix(M) -> np.ndarray:
    """Return ``M`` as a finite (2, 2) float64 array / M を有限な (2, 2) の float64 配列として返します。

    Raises:
        ValueError: ``M`` is not of shape (2, 2), or contains nan/inf.
            形状が (2, 2) でない、または nan/inf を含む場合。
    """
    ### BEGIN SOLUTION
    A = _as_real_array(M, "M")
    if A.shape != (2, 2):
        raise ValueError(f"M は形状 (2, 2) の行列である必要があります (形状 {A.shape}) / "
                         f"M must be a 2x2 matrix, got shape {A.shape}")
    if not np.all(np.isfinite(A)):
        raise ValueError("M に nan または inf が含まれています / M contains nan or inf")
    return A
    ### END SOLUTION


def apply_transform(M, points) -> np.ndarray:
    """Apply the linear map M to points stored as columns / 列として並べた点に M を作用させる (3.1 行列).

    Column j of the result is ``M @ points[:, j]``, i.e. the result is ``M @ points``. Points are
    **columns**, as in the chapter's ``square`` (shape (2, 5)); an (n, 2) array of row points is
    rejected unless n = 2 (then it is read as two column points). Composition: applying R then S
    equals applying ``S @ R``.
    結果の第 j 列は ``M @ points[:, j]`` です。点は本文の ``square`` と同じく **列** です。
    R のあと S を作用させるのは ``S @ R`` を作用させるのと同じです。

    Args:
        M: array_like of shape (2, 2), real, finite (converted to float64). 形状 (2, 2) の実行列。
        points: array_like of shape (2, n), n >= 0, real (converted to float64); one point per
            column. 形状 (2, n) の実数配列 (各列が 1 点)。

    Returns:
        numpy.ndarray: shape (2, n), dtype float64, the transformed points as columns.
        形状 (2, n)、dtype float64 の変換後の点 (各列が 1 点)。

    Raises:
        ValueError: ``M`` is not (2, 2) or contains nan/inf, or ``points`` is not a 2-D array with
            2 rows (e.g. shape (2,) or (n, 2) with n != 2), or an input is not real numeric.
            ``M`` が (2, 2) でない・nan/inf を含む、``points`` が 2 行の 2 次元配列でない
            (形状 (2,) や (n, 2) など)、または実数でない場合。

    Example:
        >>> apply_transform([[1, 0.5], [0, 1]], [[0, 1, 1, 0], [0, 0, 1, 1]])   # shear
        array([[0. , 1. , 1.5, 0.5],
               [0. , 0. , 1. , 1. ]])
    """
    ### BEGIN SOLUTION
    A = _check_matrix(M)
    P = _as_real_array(points, "points")
    if P.ndim != 2 or P.shape[0] != 2:
        raise ValueError(
            f"points は点を列に並べた形状 (2, n) の配列である必要があります (形状 {P.shape}) / "
            f"points must have shape (2, n) with one point per column, got shape {P.shape}"
        )
    return A @ P
    ### END SOLUTION


def _canonical_sign(v: np.ndarray, tol: float) -> np.ndarray:
    """Flip ``v`` so that its first component with absolute value > tol is positive (no -0.0).
    絶対値が tol を超える最初の成分が正になるように ``v`` の符号をそろえます (-0.0 は 0.0 に)。
    """
    ### BEGIN SOLUTION
    for component in v:
        if abs(component) > tol:
            v = v if component > 0 else -v
            break
    return v + 0.0                               # + 0.0 turns -0.0 into 0.0
    ### END SOLUTION


def _null_direction(A: np.ndarray) -> np.ndarray:
    """Unit vector spanning the null space of a rank-1 2×2 matrix A / 階数 1 の A の零空間を張る単位ベクトル.

    Uses the row (p, q) of A with the larger norm and returns (−q, p) / ‖(p, q)‖, which is
    perpendicular to both rows (they are parallel when A has rank 1).
    ノルムの大きい方の行 (p, q) に直交する (−q, p) を正規化して返します。
    """
    ### BEGIN SOLUTION
    row = A[0] if np.hypot(*A[0]) >= np.hypot(*A[1]) else A[1]
    v = np.array([-row[1], row[0]])
    return v / np.hypot(*v)
    ### END SOLUTION


def real_eigenpairs(M, tol: float = 1e-9) -> tuple[np.ndarray, np.ndarray]:
    """Real eigenvalues and unit eigenvectors of a 2×2 matrix / 2×2 行列の実固有値と単位固有ベクトル (3.1 固有値と固有ベクトル).

    Solves λ² − tr(M) λ + det(M) = 0 with discriminant Δ = (a − d)² + 4bc, using the Frobenius
    norm s = ‖M‖_F as the scale of M (M is first divided by its largest absolute entry, so
    neither Δ nor s overflows or underflows; the eigenvalues are multiplied back):

    * Δ < −tol·s²: complex eigenvalues, no real eigenvector → k = 0 (rotations).
    * |Δ| ≤ tol·s²: a repeated eigenvalue λ = tr(M)/2. If ‖M − λI‖_F ≤ √tol·s, M is λI and
      every vector is an eigenvector: k = 2, values [λ, λ], vectors the standard basis e1, e2
      (the identity matrix). Otherwise M is defective (a shear): k = 1, one direction.
    * Δ > tol·s²: two distinct real eigenvalues, k = 2.

    Each eigenvector is a unit vector spanning the null space of M − λI. Order: eigenvalues
    descending (for M = λI, e1 before e2). Sign: the first component whose absolute value
    exceeds ``tol`` is positive. Zero eigenvalues (singular M) are included.
    M を最大絶対値で割ってから (オーバーフロー・アンダーフロー対策) 判別式 Δ で場合分けし、
    実固有値だけを返します。順序は固有値の降順 (M = λI なら e1, e2)、
    各単位ベクトルは「絶対値が tol を超える最初の成分が正」になる符号にそろえます。
    ゼロ固有値 (特異行列) も含みます。

    Args:
        M: array_like of shape (2, 2), real, finite (converted to float64). 形状 (2, 2) の実行列。
        tol: relative tolerance, a finite float >= 0 (see above). 相対許容誤差 (0 以上の有限値)。

    Returns:
        tuple[numpy.ndarray, numpy.ndarray]: ``(values, vectors)``; ``values`` of shape (k,),
        ``vectors`` of shape (2, k) with unit columns, ``M @ vectors[:, i] ≈ values[i] *
        vectors[:, i]``; both float64, k in {0, 1, 2}.
        ``values`` は形状 (k,)、``vectors`` は単位ベクトルを列に並べた形状 (2, k) (どちらも float64)。

    Raises:
        ValueError: ``M`` is not (2, 2), contains nan/inf or is not real; ``tol`` is negative or
            not finite. ``M`` が (2, 2) でない・nan/inf を含む・実数でない、または ``tol`` が負か
            有限でない場合。

    Examples:
        >>> real_eigenpairs([[1, 0.5], [0, 1]])        # shear: defective, one direction
        (array([1.]), array([[1.],
               [0.]]))
        >>> real_eigenpairs([[0, -1], [1, 0]])[0]      # 90° rotation: none
        array([], dtype=float64)
    """
    ### BEGIN SOLUTION
    A = _check_matrix(M)
    tol = float(tol)
    if not (np.isfinite(tol) and tol >= 0.0):
        raise ValueError(f"tol は 0 以上の有限な数である必要があります ({tol}) / tol must be finite and >= 0, got {tol}")
    m = np.max(np.abs(A))
    if m == 0.0:                                 # the zero matrix is 0·I
        return np.zeros(2), np.eye(2)
    A = A / m                                    # rescale: no overflow/underflow; eigenvalues scale by m
    (a, b), (c, d) = A
    s = np.sqrt(np.sum(A * A))
    trace = a + d
    det = a * d - b * c
    disc = (a - d) ** 2 + 4.0 * b * c            # = trace**2 - 4 det, without cancellation at M ~ λI
    identity = np.eye(2)

    if disc < -tol * s * s:                      # complex pair: no real eigenvector
        return np.zeros(0), np.zeros((2, 0))

    if abs(disc) <= tol * s * s:                 # repeated eigenvalue
        lam = trace / 2.0
        shifted = A - lam * identity
        if np.sqrt(np.sum(shifted * shifted)) <= np.sqrt(tol) * s:   # M = λI: the whole plane
            return np.array([lam, lam]) * m, identity.copy()
        v = _canonical_sign(_null_direction(shifted), tol)           # defective: one line
        return np.array([lam]) * m, v.reshape(2, 1)

    root = np.sqrt(disc)                         # two distinct real eigenvalues
    if trace >= 0.0:                             # avoid cancellation in trace - root
        lam1 = (trace + root) / 2.0
        lam2 = det / lam1
    else:
        lam2 = (trace - root) / 2.0
        lam1 = det / lam2
    vectors = np.column_stack([_canonical_sign(_null_direction(A - lam * identity), tol) for lam in (lam1, lam2)])
    return np.array([lam1, lam2]) * m, vectors
    ### END SOLUTION


def preserves_direction(M, v, tol: float = 1e-9) -> bool:
    """Whether M maps v onto the line spanned by v / M v が v の張る直線上にあるか (3.1 固有値と固有ベクトル).

    True when M v = λ v for some real λ, **including λ < 0** (the direction flips but the line is
    kept) **and λ = 0** (M v = 0). Numerically, with u = v / ‖v‖ and the 2-D cross product
    u × (M u) = u₀ (M u)₁ − u₁ (M u)₀ (= ‖M u‖ sin θ), the answer is
    ``|u × (M u)| <= tol * ‖M‖_F``. So every v is preserved by M = 0 and by M = λI, no v by a
    rotation through an angle that is not a multiple of π, and only eigenvectors otherwise.
    The answer depends only on the line spanned by v, not on the length of v
    (v = [1e-12, 0] and v = [1e7, 0] span the same line) nor on the scale of M (c·M, c > 0, also with
    entries near 1e200 or 1e-200).
    M v = λ v となる実数 λ があれば True です。**λ < 0 (向きは反転するが直線は保たれる) と
    λ = 0 (M v = 0) も True** です。数値的には u = v / ‖v‖ として
    |u × (M u)| <= tol·‖M‖_F で判定します。
    答えは v の張る直線だけで決まり、v の長さ (v = [1e-12, 0] と [1e7, 0] は同じ直線) にも M の大きさ
    (c·M, c > 0。成分が 1e200 や 1e-200 でも) にもよりません。

    Args:
        M: array_like of shape (2, 2), real, finite. 形状 (2, 2) の実行列。
        v: array_like of shape (2,), real, finite, not the zero vector. 形状 (2,) の非ゼロベクトル。
        tol: relative tolerance, a finite float >= 0. 相対許容誤差 (0 以上の有限値)。

    Returns:
        bool: a Python bool. Python の bool。

    Raises:
        ValueError: ``M`` is not (2, 2) or contains nan/inf; ``v`` is not of shape (2,), contains
            nan/inf or is the zero vector (it spans no line); ``tol`` is negative or not finite.
            ``M`` が (2, 2) でない・nan/inf を含む、``v`` が形状 (2,) でない・nan/inf を含む・
            ゼロベクトル (直線を張らない)、または ``tol`` が負か有限でない場合。

    Examples:
        >>> preserves_direction([[1, 0], [0, -1]], [0, 1])    # λ = -1: flipped, same line
        True
        >>> preserves_direction([[0, -1], [1, 0]], [1, 0])    # rotation
        False
    """
    ### BEGIN SOLUTION
    A = _check_matrix(M)
    x = _as_real_array(v, "v")
    if x.shape != (2,):
        raise ValueError(f"v は形状 (2,) のベクトルである必要があります (形状 {x.shape}) / "
                         f"v must be a vector of shape (2,), got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("v に nan または inf が含まれています / v contains nan or inf")
    norm = np.hypot(x[0], x[1])
    if norm == 0.0:
        raise ValueError("v はゼロベクトルです (直線を張りません) / v is the zero vector (it spans no line)")
    tol = float(tol)
    if not (np.isfinite(tol) and tol >= 0.0):
        raise ValueError(f"tol は 0 以上の有限な数である必要があります ({tol}) / tol must be finite and >= 0, got {tol}")
    m = np.max(np.abs(A))
    if m == 0.0:                                 # M = 0 maps every v to 0 = 0·v
        return True
    A = A / m                                    # rescale: the test is invariant under M -> cM, c > 0
    u = x / norm
    w = A @ u
    cross = u[0] * w[1] - u[1] * w[0]
    return bool(abs(cross) <= tol * np.sqrt(np.sum(A * A)))
    ### END SOLUTION


def plot_transform(M, ax: Axes | None = None) -> Figure:
    """Draw the unit square before and after M, and M's real eigen-directions / 変換前後の単位正方形と実固有方向を描く (3.1 行列).

    Draws into ``ax`` (a new ``matplotlib.figure.Figure`` with one Axes if ``ax`` is None):

    * the unit square ``UNIT_SQUARE`` (corners (0,0), (1,0), (1,1), (0,1), closed) as one Line2D
      labelled ``"original square"``;
    * the transformed square ``apply_transform(M, UNIT_SQUARE)`` (= ``M @ UNIT_SQUARE``) as one
      closed Line2D labelled ``"transformed square"``;
    * for each real eigenpair of ``real_eigenpairs(M)``, one Line2D through the origin along the
      eigenvector (from −L v to L v), labelled ``"eigen-direction λ = ..."``: k lines in all
      (none for a rotation, one for a shear, two for the identity). Only these labels start
      with ``"eigen"``;
    * the title ``"M = [[a, b], [c, d]]"`` with the entries formatted by ``:.4g``;
    * view limits that show both squares whole: every corner lies within ``ax.get_xlim()`` and
      ``ax.get_ylim()``.

    A note such as ``"no real eigenvector"`` when k = 0 is optional; a figure that draws an
    eigen-direction line has no text containing ``"no real eigenvector"``.
    Labels are English (no Japanese font is needed). No ``plt.show()``.
    単位正方形 (変換前・変換後、閉じた折れ線)、実固有ベクトルごとに原点を通る直線 1 本
    (ラベルは "eigen" で始まる)、タイトルに行列を描きます。``ax`` を渡せばそこに描きます。
    表示範囲 (``ax.get_xlim()``, ``ax.get_ylim()``) には両方の正方形の角がすべて入ります。
    k = 0 のときの注記 (例 ``"no real eigenvector"``) は任意ですが、固有方向の線を描いた図には
    ``"no real eigenvector"`` を含む文字列を置きません。

    Args:
        M: array_like of shape (2, 2), real, finite. 形状 (2, 2) の実行列。
        ax: a ``matplotlib.axes.Axes`` to draw into, or None for a new Figure.
            描画先の Axes (None なら新しい Figure を作る)。

    Returns:
        matplotlib.figure.Figure: the new Figure, or ``ax.figure`` when ``ax`` is given.
        新しい Figure (``ax`` を渡したときは ``ax.figure``)。

    Raises:
        ValueError: ``M`` is not (2, 2) or contains nan/inf (before anything is drawn).
            ``M`` が (2, 2) でない、または nan/inf を含む場合 (何も描く前に送出)。
    """
    ### BEGIN SOLUTION
    A = _check_matrix(M)
    if ax is None:
        fig = Figure(figsize=(5.0, 5.0))
        ax = fig.add_subplot()
    else:
        fig = ax.figure

    moved = apply_transform(A, UNIT_SQUARE)
    values, vectors = real_eigenpairs(A)
    extent = 1.15 * max(1.5, float(np.max(np.abs(moved))))
    length = 2.0 * extent                       # eigen-lines reach beyond the visible area

    ax.axhline(0.0, color="k", linewidth=0.5)
    ax.axvline(0.0, color="k", linewidth=0.5)
    ax.plot(UNIT_SQUARE[0], UNIT_SQUARE[1], "-", color="tab:blue", linewidth=2, alpha=0.5,
            label="original square")
    ax.plot(moved[0], moved[1], "-", color="tab:red", linewidth=2, label="transformed square")
    for i, (lam, v) in enumerate(zip(values, vectors.T)):
        ax.plot([-length * v[0], length * v[0]], [-length * v[1], length * v[1]], "--",
                color=f"C{2 + i}", linewidth=1.5, label=f"eigen-direction λ = {lam:.3g}")
    if values.size == 0:
        ax.text(0.02, 0.02, "no real eigenvector (complex eigenvalues)", transform=ax.transAxes,
                fontsize=9)

    (a, b), (c, d) = A
    ax.set_title(f"M = [[{a:.4g}, {b:.4g}], [{c:.4g}, {d:.4g}]]")
    ax.set_xlim(-extent, extent)
    ax.set_ylim(-extent, extent)
    ax.set_aspect("equal")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    return fig
    ### END SOLUTION


# ---------------------------------------------------------------------------------------------
# ヒント (段階式): `workbook hint ex2_transforms [課題]` で 1 段ずつ表示されます。まず自分で考えてから。
# Graded hints: `workbook hint ex2_transforms [TASK]` shows them one level at a time. Try first.
# 各要素は (日本語, English)。答えそのものは書いていません。 / Each entry is (Japanese, English).
HINTS = {
    "apply_transform": [
        ("点は列として並んでいます (形状 (2, n))。変換後の点は行列積 1 回で求まります。",
         "Points are columns (shape (2, n)). One matrix product gives the transformed points."),
        ("まず補助関数 _as_real_array と _check_matrix を書くと、ほかの関数でも使えます。複素数は "
         "np.iscomplexobj で見分けます。",
         "Write the helpers _as_real_array and _check_matrix first; the other functions can use them. "
         "np.iscomplexobj spots complex input."),
        ("M が (2, 2) でない・nan/inf を含む、points が 2 行の 2 次元配列でない (形状 (2,) や (n, 2)) "
         "ときは ValueError。戻り値は float64 の (2, n) 配列です。",
         "Raise ValueError when M is not (2, 2) or has nan/inf, or when points is not 2-D with 2 rows "
         "(shape (2,) or (n, 2)). Return a float64 (2, n) array."),
    ],
    "real_eigenpairs": [
        ("固有値は λ² − tr(M) λ + det(M) = 0 の根です。判別式 Δ = (a − d)² + 4bc の符号で、実固有値が "
         "0 個 (回転)、重根、2 個に分かれます。np.linalg.eig の結果をそのまま使うのは誤りです。",
         "The eigenvalues are the roots of λ² − tr(M) λ + det(M) = 0. The sign of Δ = (a − d)² + 4bc "
         "separates no real eigenvalue (rotation), a repeated one and two. Using np.linalg.eig as is, is "
         "wrong."),
        ("重根のときは M = λI (平面全体が固有空間: e1, e2 を返す) か、欠陥行列 (せん断: 1 本だけ) かを "
         "‖M − λI‖_F で見分けます。固有ベクトルは M − λI の零空間: ゼロでない行 (p, q) に直交する "
         "(−q, p) を正規化します (_null_direction)。",
         "For a repeated root, tell M = λI (the whole plane: return e1, e2) from a defective matrix (a "
         "shear: one direction) by ‖M − λI‖_F. An eigenvector spans the null space of M − λI: normalise "
         "(−q, p), perpendicular to a nonzero row (p, q) (_null_direction)."),
        ("浮動小数点では Δ = 0 がちょうど成り立たないので、s = ‖M‖_F に対する相対誤差 tol で判定します "
         "(|Δ| ≤ tol·s²、‖M − λI‖_F ≤ √tol·s)。M を最大絶対値で割ってから計算し、固有値には掛け戻します。"
         "順序は固有値の降順、符号は _canonical_sign で「絶対値が tol を超える最初の成分が正」。",
         "In floating point Δ is rarely exactly 0: compare with tol relative to s = ‖M‖_F (|Δ| ≤ tol·s², "
         "‖M − λI‖_F ≤ √tol·s). Divide M by its largest absolute entry first and multiply the eigenvalues "
         "back. Order: eigenvalues descending; sign: _canonical_sign makes the first component above tol "
         "positive."),
    ],
    "preserves_direction": [
        ("問われているのは「M v が v の張る直線の上にあるか」です。向きが反転しても (λ < 0)、0 になっても "
         "(λ = 0) True です。",
         "The question is whether M v lies on the line spanned by v. A flipped direction (λ < 0) and "
         "M v = 0 (λ = 0) both count as True."),
        ("2 次元の外積 u × w = u₀ w₁ − u₁ w₀ は、u と w が平行なときちょうど 0 です。内積や角度 (arccos) "
         "を使うと λ < 0 を見落とします。",
         "The 2-D cross product u × w = u₀ w₁ − u₁ w₀ is 0 exactly when u and w are parallel. A dot product "
         "or an angle (arccos) misses λ < 0."),
        ("u = v / ‖v‖ として |u × (M u)| ≤ tol·‖M‖_F で判定します (M を最大絶対値で割っておくと安全)。"
         "v がゼロベクトル・形状 (2,) でない・nan/inf なら ValueError。戻り値は Python の bool です。",
         "With u = v / ‖v‖ test |u × (M u)| ≤ tol·‖M‖_F (dividing M by its largest absolute entry keeps it "
         "safe). A zero v, a shape other than (2,) or nan/inf raise ValueError. Return a Python bool."),
    ],
    "plot_transform": [
        ("docstring の通りに描きます: 変換前と変換後の単位正方形 (閉じた折れ線 1 本ずつ)、実固有ベクトルごとに"
         "原点を通る直線 1 本、タイトルに行列。",
         "Draw what the docstring lists: the unit square before and after (one closed line each), one line "
         "through the origin per real eigenvector, and the matrix in the title."),
        ("ax が None なら Figure(...) と fig.add_subplot() で作り、与えられたらその ax に描いて ax.figure を"
         "返します。ラベルの文字列は採点に使われます (\"original square\", \"transformed square\", "
         "\"eigen-direction λ = ...\")。",
         "If ax is None create Figure(...) and fig.add_subplot(); otherwise draw into ax and return "
         "ax.figure. The label strings are graded (\"original square\", \"transformed square\", "
         "\"eigen-direction λ = ...\")."),
        ("流れ: M を検査 → 正方形を apply_transform で写す → real_eigenpairs の固有ベクトルごとに原点を通る線分 "
         "(端点 −L v と L v、x 座標 2 つと y 座標 2 つを渡す 1 回の plot) → 凡例とタイトル (M の 4 成分を有効数字 "
         "4 桁、書式 .4g)。不正な M では何も描く前に ValueError。",
         "Outline: check M → map the square with apply_transform → for each eigenvector of real_eigenpairs a "
         "segment through the origin (end points −L v and L v: one plot call given the two x values and the two "
         "y values) → legend and title (M's four entries to 4 significant digits, format .4g). A bad M raises "
         "ValueError before drawing."),
    ],
}
