"""Graded tests for ex2_transforms (chapter 3.1 行列 / 固有値と固有ベクトル).

Oracles: corners and eigenpairs derived by hand (derivations in the comments), numpy.linalg.eig /
numpy.linalg.eigh / scipy.linalg.eig checked through the definition M v = λ v, and exact rational
arithmetic (fractions.Fraction) for the discriminant of half-integer matrices.
"""

from __future__ import annotations

from fractions import Fraction

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import scipy.linalg  # noqa: E402
from hypothesis import Phase, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import AxLine  # noqa: E402
from matplotlib.patches import Polygon  # noqa: E402

from autograder.compare import (Misconception, check_accepts, check_array, check_count, check_equal,  # noqa: E402
                                check_raises, check_type, convention, diagnose, fail)
from autograder.ownvalues import own_array, own_result  # noqa: E402

pytestmark = pytest.mark.exercise("ex2_transforms")
#: The exercise's title in the score table and reports (Japanese, English).
TITLE = ("2×2 行列の変換と固有ベクトル", "2x2 transforms and eigenvectors")
#: The figure of the HTML report (autograder.results.figures): a symmetric matrix with two real
#: eigen-directions (1, 1) and (1, -1), eigenvalues 3 and 1, that maps the square to a rhombus.
FIGURE = {"task": "plot_transform", "call": "plot_transform([[2, 1], [1, 2]])", "args": ([[2.0, 1.0], [1.0, 2.0]],)}

# Misconceptions (docs/authoring.md): known mistakes named in a failure when the student's value is
# exactly what the mistake gives, each computed by applying the mistake to the test's own oracle
# (M.T for M, the oracle's eigenvectors transposed, numpy.linalg.eig's output as it comes, ...).
TRANSPOSED_MATRIX = Misconception(
    "transposed_matrix", task="apply_transform",
    ja="あなたの結果は M の転置を作用させた M.T @ points と一致します: 点は列なので M @ points です "
       "(行ベクトルの書き方 x @ M と混同しないでください)",
    en="your result equals M.T @ points, the transposed matrix applied: points are columns, so the result is "
       "M @ points (not the row-vector habit x @ M)")
EIGENVECTORS_AS_ROWS = Misconception(
    "eigenvectors_as_rows", task="real_eigenpairs",
    ja="あなたの vectors は正しい固有ベクトルを行に並べたもの (転置) と一致します: i 番目の固有ベクトルは列 vectors[:, i] です",
    en="your vectors equal the right eigenvectors laid out as rows (the transpose): eigenvector i is the "
       "column vectors[:, i]")
EIG_ORDER_AS_SORTED = Misconception(
    "eig_order_as_sorted", task="real_eigenpairs", lines=(426, 472), errata=True,
    ja="あなたの固有対は np.linalg.eig が返した順序と符号のままです: eig は並べ替えも符号の調整もしないので、"
       "固有値の降順に並べ、各ベクトルの符号を規約に合わせてください",
    en="your eigenpairs are in the order and with the signs np.linalg.eig returns: eig neither sorts nor fixes "
       "signs, so sort by eigenvalue, descending, and apply the sign convention")
COMPLEX_REAL_PARTS = Misconception(
    "complex_real_parts", task="real_eigenpairs", lines=(412, 412), errata=True,
    ja="あなたの固有値は複素固有値 cos θ ± i sin θ の実部と一致します: 回転には実固有値も実固有ベクトルもないので、"
       "空の (0,) と (2, 0) の配列を返してください",
    en="your eigenvalues equal the real parts of the complex eigenvalues cos θ ± i sin θ: a rotation has no real "
       "eigenvalue or eigenvector, so return the empty (0,) and (2, 0) arrays")
DEFECTIVE_COUNTED_TWICE = Misconception(
    "defective_counted_twice", task="real_eigenpairs", lines=(412, 412), errata=True,
    ja="あなたの固有値は重根 λ を 2 回並べたものと一致します: この行列は λI ではない欠陥行列で、固有方向は 1 本だけ (k = 1) です",
    en="your eigenvalues equal the repeated root λ listed twice: this matrix is defective (not λI) and has a "
       "single eigen-direction (k = 1)")
PERPENDICULAR_TO_COLUMN = Misconception(
    "perpendicular_to_column", task="real_eigenpairs",
    ja="あなたの固有ベクトルは M.T の固有ベクトル (M - λI の列に直交するベクトル) と一致します: "
       "零空間を張るのは行 (p, q) に直交する (-q, p) です (A[0] は行、A[:, 0] は列)",
    en="your eigenvectors equal those of M.T (perpendicular to a column of M - λI): the null space is spanned by "
       "(-q, p), perpendicular to a row (p, q) (A[0] is a row, A[:, 0] a column)")
NEGATIVE_NOT_PRESERVED = Misconception(
    "negative_eigenvalue_not_preserved", task="preserves_direction", lines=(412, 412), errata=True,
    ja="あなたの答えは「M v が v の正の倍数のときだけ True」とした場合と一致します: 固有値が負やゼロでも M v は "
       "v の直線上にあるので True です",
    en="your answers equal True only where M v is a positive multiple of v: for a negative or zero eigenvalue "
       "M v still lies on the line of v, so the answer is True")
#: The catalogue of known mistakes (docs/authoring.md, "Misconceptions").
MISCONCEPTIONS = [TRANSPOSED_MATRIX, EIGENVECTORS_AS_ROWS, EIG_ORDER_AS_SORTED, COMPLEX_REAL_PARTS,
                  DEFECTIVE_COUNTED_TWICE, PERPENDICULAR_TO_COLUMN, NEGATIVE_NOT_PRESERVED]

# Hypothesis phases without "explain" (it re-runs a failing test many times), one bug reported:
# a wrong submission fails in about a second instead of several.
FAST_FAIL = dict(deadline=None, report_multiple_bugs=False,
                 phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink))

SQRT2 = np.sqrt(2.0)
SQRT5 = np.sqrt(5.0)

# The chapter's unit square, corners as columns (closed polygon), lines 279-281.
SQUARE = np.array([[0.0, 1.0, 1.0, 0.0, 0.0],
                   [0.0, 0.0, 1.0, 1.0, 0.0]])
SQUARE_INT = [[0, 1, 1, 0, 0], [0, 0, 1, 1, 0]]


def _rot(theta: float) -> np.ndarray:
    return np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])


ROT45 = _rot(np.pi / 4)
SHEAR = np.array([[1.0, 0.5], [0.0, 1.0]])
REFLECT = np.array([[1.0, 0.0], [0.0, -1.0]])
SCALE2 = np.array([[2.0, 0.0], [0.0, 2.0]])
IDENTITY = np.eye(2)
SINGULAR = np.array([[1.0, 2.0], [2.0, 4.0]])


#: What makes real_eigenpairs' answer unique (the exercise text); named in the failure messages.
EIGEN_CONVENTION = convention(
    "固有値は降順、固有ベクトルは長さ 1 の列で、絶対値が tol を超える最初の成分が正",
    "eigenvalues in descending order; unit eigenvectors as columns, whose first component above tol in "
    "absolute value is positive")


def _fmt(M) -> str:
    return np.array2string(np.asarray(M, dtype=float), separator=", ", precision=4).replace("\n", "")


def _eigenpairs(exercise, M, call):
    """Call real_eigenpairs and check the container: a tuple (values, vectors)."""
    result = exercise.real_eigenpairs(M)
    check_type(result, tuple, call=call)
    check_equal(len(result), 2, call=call, what="length of the returned tuple")
    return result


def _check_pairs(exercise, M, values, vectors, *, rtol=1e-9, atol=1e-12, mistakes=()):
    """real_eigenpairs(M) must equal the hand-derived (values, vectors) exactly up to rounding.

    ``mistakes``: (Misconception, values, vectors) that a known mistake gives for M (None for a part it
    does not decide), named when the result is that; EIGENVECTORS_AS_ROWS (the oracle's vectors
    transposed) and EIG_ORDER_AS_SORTED (numpy.linalg.eig's output as it comes, for two distinct real
    eigenvalues) are added here for every M.
    """
    call = f"real_eigenpairs({_fmt(M)})"
    got_values, got_vectors = _eigenpairs(exercise, M, call)
    values = np.asarray(values, dtype=float)
    vectors = np.asarray(vectors, dtype=float).reshape(2, -1)
    mistakes = [*mistakes, (EIGENVECTORS_AS_ROWS, None, vectors.T)]
    if values.shape == (2,) and values[0] != values[1]:
        w, V = np.linalg.eig(np.asarray(M, dtype=float))
        if not np.any(w.imag):
            mistakes.append((EIG_ORDER_AS_SORTED, w.real, V.real))
    with EIGEN_CONVENTION:
        check_array(got_values, values, call=call, rtol=rtol, atol=atol, what="values (eigenvalues, descending)",
                    misconceptions=[m.gives(v) for m, v, _ in mistakes if v is not None])
        check_array(got_vectors, vectors, call=call, rtol=rtol, atol=atol,
                    what="vectors (unit eigenvectors as columns, first clearly nonzero component positive)",
                    misconceptions=[m.gives(V) for m, _, V in mistakes if V is not None])


def _check_vectors_shape(vectors, k, call):
    check_type(vectors, np.ndarray, call=call, what="vectors")
    check_equal(tuple(vectors.shape), (2, k), call=call, what="shape of vectors (2, k)")


def _check_definition(M, values, vectors, call, *, atol_scale=1e-9):
    """Check M v = λ v, unit norm, descending order and the sign convention."""
    M = np.asarray(M, dtype=float)
    s = max(np.linalg.norm(M), 1.0)
    k = values.shape[0]
    check_array(np.linalg.norm(vectors, axis=0), np.ones(k), call=call, atol=1e-12,
                what="norms of the eigenvector columns")
    check_array(M @ vectors, vectors * values, call=call, atol=atol_scale * s,
                what="M @ vectors (must equal vectors * values: M v = λ v)")
    if k == 2 and values[0] < values[1]:
        fail(f"{call}: 固有値が降順ではありません: {values.tolist()}",
             f"{call}: eigenvalues are not in descending order: {values.tolist()}")
    for i in range(k):
        v = vectors[:, i]
        first = v[0] if abs(v[0]) > 1e-6 else v[1]
        if first < 0:
            fail(f"{call}: 固有ベクトル {v.tolist()} の符号の規約 (最初の非ゼロ成分が正) が守られていません",
                 f"{call}: eigenvector {v.tolist()} breaks the sign convention (first nonzero component positive)")


# --------------------------------------------------------------------------------------------
# apply_transform (2 points)
# --------------------------------------------------------------------------------------------

@pytest.mark.task("apply_transform", points=1)
def test_apply_transform_chapter_examples_and_shapes(exercise):
    """The chapter's unit square under six transforms; ValueError for inputs of the wrong shape or type.

    ja: 本文の単位正方形を 6 つの変換で写す。形や型の合わない入力には ValueError。

    The chapter's unit square under identity, scale, 45° rotation, shear, reflection and their composition;
    ValueError for an M that is not (2, 2), for points that are not a (2, n) array of column points, and for
    entries that are not numbers.

    ja: 本文の単位正方形を恒等・拡大・45° 回転・せん断・鏡映とその合成で写す。M が (2, 2) でないとき、
    points が列ベクトルの点の (2, n) 配列でないとき、成分が数でないときは ValueError。
    """
    c = np.sqrt(0.5)  # cos 45° = sin 45°
    # Column j is M @ (x_j, y_j) for the corners (0,0), (1,0), (1,1), (0,1), (0,0):
    # M = [[a, b], [c, d]] sends (x, y) to (a x + b y, c x + d y).
    cases = {
        "identity": ([[1, 0], [0, 1]], SQUARE),
        "scale 2": ([[2, 0], [0, 2]], 2 * SQUARE),
        # rotation: (1,0) -> (c, c), (1,1) -> (0, 2c), (0,1) -> (-c, c)
        "rotation 45°": (ROT45, [[0, c, 0, -c, 0], [0, c, 2 * c, c, 0]]),
        # shear: (x, y) -> (x + 0.5 y, y)
        "shear": ([[1, 0.5], [0, 1]], [[0, 1, 1.5, 0.5, 0], [0, 0, 1, 1, 0]]),
        # reflection: (x, y) -> (x, -y)
        "reflection": ([[1, 0], [0, -1]], [[0, 1, 1, 0, 0], [0, 0, -1, -1, 0]]),
        # chapter's composition "rotate, then scale" = scale @ rotate: twice the rotated square
        "scale @ rotation": (SCALE2 @ ROT45, [[0, 2 * c, 0, -2 * c, 0], [0, 2 * c, 4 * c, 2 * c, 0]]),
    }
    for name, (M, expected) in cases.items():
        out = exercise.apply_transform(M, SQUARE_INT)   # integer input: the result is float64
        check_array(out, np.asarray(expected, dtype=float), call=f"apply_transform({name} {_fmt(M)}, square)",
                    rtol=1e-12, atol=1e-15,
                    misconceptions=[TRANSPOSED_MATRIX.gives(np.asarray(M, dtype=float).T @ SQUARE)])
    # ValueError when M is not (2, 2) or points is not a (2, n) array of column points.
    square = np.asarray(SQUARE)
    for M in (np.eye(3), np.ones((2, 3)), np.ones((3, 2)), np.ones(4), np.ones((1, 2, 2))):
        check_raises(ValueError, exercise.apply_transform, M, square,
                     call=f"apply_transform(M with shape {M.shape}, square)")
    # Points as rows (5, 2), 1-D points and 3-D arrays are not (2, n).
    for P in (square.T, np.ones(2), np.ones((3, 4)), np.ones((2, 2, 2))):
        check_raises(ValueError, exercise.apply_transform, SHEAR, P,
                     call=f"apply_transform(shear, points with shape {P.shape})")
    # Entries that are not numbers (a dict, a word): "an input is not real numeric" is a ValueError too.
    for bad in ({}, "one"):
        check_raises(ValueError, exercise.apply_transform, SHEAR, [[bad, 0.0], [0.0, 1.0]],
                     call=f"apply_transform(shear, [[{bad!r}, 0], [0, 1]])")
        check_raises(ValueError, exercise.apply_transform, [[bad, 0.0], [0.0, 1.0]], square,
                     call=f"apply_transform([[{bad!r}, 0], [0, 1]], square)")


# Quarter-integer entries in [-10, 10]: exact in float64 and quick to shrink to a small counterexample.
_entry = st.integers(min_value=-40, max_value=40).map(lambda n: n / 4)


@pytest.mark.hidden  # not run in released notebooks / 公開版ノートブックでは実行しない
@pytest.mark.task("apply_transform", points=1)
@settings(max_examples=30, **FAST_FAIL)
@given(M=st.lists(_entry, min_size=4, max_size=4), R=st.lists(_entry, min_size=4, max_size=4),
       n=st.integers(min_value=0, max_value=6), seed=st.integers(min_value=0, max_value=2**16))
def test_apply_transform_formula_and_composition(exercise, M, R, n, seed):
    """Columns map by (x, y) -> (a x + b y, c x + d y); applying R then M equals applying M @ R.

    ja: 列は (x, y) -> (a x + b y, c x + d y) に写り、R のあと M を施すと M @ R を施したのと同じ。
    """
    M = np.array(M).reshape(2, 2)
    R = np.array(R).reshape(2, 2)
    P = np.random.default_rng(seed).uniform(-5, 5, size=(2, n))
    # Oracle: the definition of the linear map, written component by component.
    expected = np.vstack([M[0, 0] * P[0] + M[0, 1] * P[1], M[1, 0] * P[0] + M[1, 1] * P[1]])
    transposed = np.vstack([M[0, 0] * P[0] + M[1, 0] * P[1], M[0, 1] * P[0] + M[1, 1] * P[1]])  # M.T, same oracle
    call = f"apply_transform({_fmt(M)}, P with shape (2, {n}))"
    out = exercise.apply_transform(M, P)
    check_array(out, expected, call=call, rtol=1e-12, atol=1e-12, misconceptions=[TRANSPOSED_MATRIX.gives(transposed)])
    # Composition (chapter: "行列の積は変換の合成"): M (R P) = (M R) P.
    RP = np.vstack([R[0, 0] * P[0] + R[0, 1] * P[1], R[1, 0] * P[0] + R[1, 1] * P[1]])
    composed = np.vstack([M[0, 0] * RP[0] + M[0, 1] * RP[1], M[1, 0] * RP[0] + M[1, 1] * RP[1]])
    MR = M @ R
    composed_transposed = np.vstack([MR[0, 0] * P[0] + MR[1, 0] * P[1], MR[0, 1] * P[0] + MR[1, 1] * P[1]])
    check_array(exercise.apply_transform(MR, P), composed, call=f"apply_transform(M @ R, P), M={_fmt(M)}, R={_fmt(R)}",
                rtol=1e-9, atol=1e-9, misconceptions=[TRANSPOSED_MATRIX.gives(composed_transposed)])


# --------------------------------------------------------------------------------------------
# real_eigenpairs (9 points)
# --------------------------------------------------------------------------------------------

@pytest.mark.task("real_eigenpairs", points=1)
def test_real_eigenpairs_rotation_has_no_real_eigenvector(exercise):
    """Rotations by 45°, 90°, 30° and -60° have complex eigenvalues: empty (0,) and (2, 0) arrays.

    ja: 45°・90°・30°・-60° の回転は固有値が複素数: 空の (0,) と (2, 0) の配列。
    """
    # Eigenvalues of a rotation by θ are cos θ ± i sin θ, real only when sin θ = 0.
    # COMPLEX_REAL_PARTS: the real parts of cos θ ± i sin θ are cos θ twice.
    for theta in (np.pi / 4, np.pi / 2, np.pi / 6, -np.pi / 3):
        _check_pairs(exercise, _rot(theta), np.zeros(0), np.zeros((2, 0)),
                     mistakes=[(COMPLEX_REAL_PARTS, np.full(2, np.cos(theta)), None)])


@pytest.mark.task("real_eigenpairs", points=1)
def test_real_eigenpairs_shear_is_defective(exercise):
    """A shear has a repeated eigenvalue but a single eigen-direction (k = 1), also with rounding noise.

    ja: せん断は重複固有値だが固有方向は 1 つだけ (k = 1)。丸め誤差があっても同じ。
    """
    # Known mistakes: DEFECTIVE_COUNTED_TWICE gives [λ, λ]; PERPENDICULAR_TO_COLUMN gives the eigenvector of
    # M.T, null((M - λI).T), which for these transposed pairs is the other one's eigenvector.
    def twice(lam, left):
        return [(DEFECTIVE_COUNTED_TWICE, np.array([lam, lam]), None), (PERPENDICULAR_TO_COLUMN, None, np.array(left))]

    # [[1, .5], [0, 1]]: Δ = (1 - 1)² + 4·0.5·0 = 0, λ = 1; M - I = [[0, .5], [0, 0]] has null space x-axis.
    _check_pairs(exercise, SHEAR, [1.0], [[1.0], [0.0]], mistakes=twice(1.0, [[0.0], [1.0]]))
    # [[1, 0], [.5, 1]]: M - I = [[0, 0], [.5, 0]], null space = y-axis.
    _check_pairs(exercise, [[1.0, 0.0], [0.5, 1.0]], [1.0], [[0.0], [1.0]], mistakes=twice(1.0, [[1.0], [0.0]]))
    # [[2, 1], [0, 2]]: λ = 2 twice, null(M - 2I) = x-axis (null((M - 2I).T) = y-axis).
    _check_pairs(exercise, [[2.0, 1.0], [0.0, 2.0]], [2.0], [[1.0], [0.0]], mistakes=twice(2.0, [[0.0], [1.0]]))
    # The shear seen in a basis rotated by 30°: Q J Q^T with J = [[1, 1], [0, 1]]. Exactly it has
    # λ = 1 twice with eigenvector Q e1 = (cos 30°, sin 30°); in float64 its discriminant is ~1e-16.
    Q = _rot(np.pi / 6)
    M = Q @ np.array([[1.0, 1.0], [0.0, 1.0]]) @ Q.T
    _check_pairs(exercise, M, [1.0], [[np.sqrt(3) / 2], [0.5]], rtol=1e-6, atol=1e-6)


@pytest.mark.task("real_eigenpairs", points=1)
def test_real_eigenpairs_reflection_and_chapter_covariance(exercise):
    """Two distinct real eigenvalues (reflections, the chapter's 'covariance'), in descending order.

    ja: 異なる 2 つの実固有値 (鏡映、本文の「共分散」) を降順に。

    Two distinct real eigenvalues: reflections (1 and -1) and the chapter's 'covariance' [[2, 1.5], [1.5, 1]],
    whose second eigenvalue (3 - √10)/2 is negative (oracle: eigh); ordered descending.

    ja: 異なる 2 つの実固有値: 鏡映 (1 と -1) と、本文の「共分散」[[2, 1.5], [1.5, 1]] (2 つ目の固有値
    (3 - √10)/2 は負。基準: eigh)。降順。
    """
    # [[1, 0], [0, -1]]: e1 -> e1 (λ = 1), e2 -> -e2 (λ = -1).
    _check_pairs(exercise, REFLECT, [1.0, -1.0], [[1.0, 0.0], [0.0, 1.0]])
    # [[-1, 0], [0, 1]]: λ = 1 for e2 first (descending), then λ = -1 for e1.
    _check_pairs(exercise, [[-1.0, 0.0], [0.0, 1.0]], [1.0, -1.0], [[0.0, 1.0], [1.0, 0.0]])
    # Reflection across y = x, [[0, 1], [1, 0]]: (1, 1) is kept (λ = 1), (1, -1) flips (λ = -1).
    _check_pairs(exercise, [[0.0, 1.0], [1.0, 0.0]], [1.0, -1.0],
                 [[1 / SQRT2, 1 / SQRT2], [1 / SQRT2, -1 / SQRT2]])
    C = np.array([[2.0, 1.5], [1.5, 1.0]])
    # λ² - 3λ + (2 - 2.25) = 0  ->  λ = (3 ± √10)/2 ≈ 3.0811, -0.0811: not positive semidefinite.
    w, V = np.linalg.eigh(C)                 # ascending; reverse for descending
    w, V = w[::-1], V[:, ::-1]
    V = V * np.where(V[0] > 0, 1.0, -1.0)    # sign convention: first component positive
    check_array(w, [(3 + np.sqrt(10)) / 2, (3 - np.sqrt(10)) / 2], call="numpy.linalg.eigh (oracle self-check)",
                rtol=1e-12)
    _check_pairs(exercise, C, w, V, rtol=1e-9, atol=1e-12)


@pytest.mark.task("real_eigenpairs", points=1)
def test_real_eigenpairs_identity_and_scale(exercise):
    """Identity, uniform scales and diagonal scales: two eigenpairs, standard basis for λI, descending order.

    ja: 恒等・一様な拡大・対角の拡大: 固有対は 2 つ、λI では標準基底、降順。
    """
    # λI: every vector is an eigenvector; the documented choice is the standard basis e1, e2.
    _check_pairs(exercise, IDENTITY, [1.0, 1.0], np.eye(2))
    _check_pairs(exercise, SCALE2, [2.0, 2.0], np.eye(2))
    # Rotation by 180° in float64 is [[-1, -1.2e-16], [1.2e-16, -1]] = -I up to rounding.
    _check_pairs(exercise, _rot(np.pi), [-1.0, -1.0], np.eye(2), atol=1e-12)
    # diag(3, 0.5): e1 with 3, e2 with 0.5. diag(0.5, 3): descending order puts e2 (λ = 3) first.
    _check_pairs(exercise, [[3.0, 0.0], [0.0, 0.5]], [3.0, 0.5], np.eye(2))
    _check_pairs(exercise, [[0.5, 0.0], [0.0, 3.0]], [3.0, 0.5], [[0.0, 1.0], [1.0, 0.0]])


@pytest.mark.task("real_eigenpairs", points=1)
def test_real_eigenpairs_singular_matrices(exercise):
    """Singular matrices keep their zero eigenvalue: zero matrix, projection, rank-1 and nilpotent matrices.

    ja: 特異行列は固有値 0 を保つ: 零行列、射影、階数 1、冪零行列。
    """
    # Zero matrix = 0·I: values [0, 0], standard basis.
    _check_pairs(exercise, np.zeros((2, 2)), [0.0, 0.0], np.eye(2))
    # Projection onto the x-axis: e1 (λ = 1), e2 (λ = 0).
    _check_pairs(exercise, [[1.0, 0.0], [0.0, 0.0]], [1.0, 0.0], np.eye(2))
    # [[1, 2], [2, 4]] = (1, 2)(1, 2)^T: tr = 5, det = 0 -> λ = 5 with (1, 2)/√5, λ = 0 with (2, -1)/√5.
    _check_pairs(exercise, SINGULAR, [5.0, 0.0], [[1 / SQRT5, 2 / SQRT5], [2 / SQRT5, -1 / SQRT5]])
    # [[2, 4], [1, 2]]: tr = 4, det = 0 -> λ = 4: M - 4I = [[-2, 4], [1, -2]] -> (2, 1)/√5;
    # λ = 0: null(M) -> (2, -1)/√5.
    # PERPENDICULAR_TO_COLUMN: M.T = [[2, 1], [4, 2]] has (1, 2)/√5 for λ = 4 and (1, -2)/√5 for λ = 0.
    _check_pairs(exercise, [[2.0, 4.0], [1.0, 2.0]], [4.0, 0.0], [[2 / SQRT5, 2 / SQRT5], [1 / SQRT5, -1 / SQRT5]],
                 mistakes=[(PERPENDICULAR_TO_COLUMN, None, np.array([[1.0, 1.0], [2.0, -2.0]]) / SQRT5)])
    # Nilpotent [[0, 1], [0, 0]]: λ = 0 twice, defective, eigenvector e1 only (M.T's: e2).
    _check_pairs(exercise, [[0.0, 1.0], [0.0, 0.0]], [0.0], [[1.0], [0.0]],
                 mistakes=[(DEFECTIVE_COUNTED_TWICE, np.zeros(2), None),
                           (PERPENDICULAR_TO_COLUMN, None, np.array([[0.0], [1.0]]))])


def _moderate_matrix():
    """Four entries, each 0 or of magnitude in [1/64, 4]: LAPACK's balancing makes eig's vectors
    inaccurate (for the original matrix) when entries differ by ~1e100, so such ratios are excluded."""
    magnitude = st.floats(min_value=1 / 64, max_value=4.0)
    entry = st.one_of(st.just(0.0), magnitude, magnitude.map(lambda x: -x))
    return st.lists(entry, min_size=4, max_size=4)


_half = st.integers(min_value=-6, max_value=6).map(lambda n: Fraction(n, 2))


@st.composite
def _defective_matrix(draw):
    """λI + t x y^T with y = (-x2, x1) ⟂ x: (t x y^T)² = t² x (y·x) y^T = 0, so λ is repeated and the
    only eigen-direction is x (N v = t x (y·v) = 0 iff v ⟂ y iff v ∥ x)."""
    lam = draw(_half)
    x1, x2 = draw(st.tuples(st.integers(-2, 2), st.integers(-2, 2)).filter(lambda x: x != (0, 0)))
    t = draw(st.sampled_from([Fraction(-1), Fraction(-1, 2), Fraction(1, 2), Fraction(1)]))
    return [lam - t * x1 * x2, t * x1 * x1, -t * x2 * x2, lam + t * x1 * x2]


def _half_integer_matrix():
    """Exact half-integer entries [a, b, c, d]: general ones (many singular), defective and λI."""
    general = st.lists(_half, min_size=4, max_size=4)
    scalar = _half.map(lambda lam: [lam, Fraction(0), Fraction(0), lam])
    return st.one_of(general, _defective_matrix(), scalar)


@pytest.mark.hidden  # not run in released notebooks / 公開版ノートブックでは実行しない
@pytest.mark.task("real_eigenpairs", points=1)
@settings(max_examples=60, **FAST_FAIL)
@given(entries=_half_integer_matrix())
def test_real_eigenpairs_exact_cases_property(exercise, entries):
    """Half-integer matrices (many singular, defective or scalar): k from the exact discriminant, M v = λ v.

    ja: 半整数の行列 (特異・欠陥・スカラー倍が多い): k は厳密な判別式から、M v = λ v。
    """
    a, b, c, d = entries
    M = np.array([[float(a), float(b)], [float(c), float(d)]])
    call = f"real_eigenpairs({_fmt(M)})"
    values, vectors = _eigenpairs(exercise, M, call)
    # Exact oracle: Δ = (a - d)² + 4bc in rational arithmetic.
    disc = (a - d) ** 2 + 4 * b * c
    if disc < 0:
        expected_values = np.zeros(0)
    elif disc == 0:
        lam = float((a + d) / 2)
        scalar = b == 0 and c == 0 and a == d
        expected_values = np.array([lam, lam]) if scalar else np.array([lam])
    else:
        w = np.sort(np.linalg.eigvals(M).real)[::-1]   # both real here
        expected_values = w
    check_array(values, expected_values, call=call, rtol=1e-9, atol=1e-9, what="values (eigenvalues, descending)")
    _check_vectors_shape(vectors, expected_values.shape[0], call)
    _check_definition(M, values, vectors, call)
    if expected_values.shape[0] == 2 and disc == 0:   # scalar matrix: the documented standard basis
        check_array(vectors, np.eye(2), call=call, atol=1e-12, what="vectors of λI (standard basis)")


@pytest.mark.hidden  # not run in released notebooks / 公開版ノートブックでは実行しない
@pytest.mark.task("real_eigenpairs", points=1)
@settings(max_examples=40, **FAST_FAIL)
@given(entries=_moderate_matrix())
def test_real_eigenpairs_matches_scipy_eig(exercise, entries):
    """Random matrices with well-separated eigenvalues: same real eigenvalues and eigen-lines as scipy.linalg.eig.

    ja: 固有値がよく離れた乱数行列: 実固有値と固有直線が scipy.linalg.eig と同じ。
    """
    M = np.array(entries).reshape(2, 2)
    s = np.linalg.norm(M)
    assume(s > 1e-3)
    w, V = scipy.linalg.eig(M)
    gap2 = ((w[0] - w[1]) ** 2).real          # = discriminant Δ
    assume(abs(gap2) > 1e-6 * s * s)          # stay away from repeated eigenvalues
    call = f"real_eigenpairs({_fmt(M)})"
    values, vectors = _eigenpairs(exercise, M, call)
    if gap2 < 0:
        check_array(values, np.zeros(0), call=call, what="values (complex pair: no real eigenvalue)")
        check_array(vectors, np.zeros((2, 0)), call=call, what="vectors (complex pair: no real eigenvector)")
        return
    order = np.argsort(-w.real)
    w, V = w.real[order], V.real[:, order]
    check_array(values, w, call=call, rtol=1e-8, atol=1e-9 * s, what="values (eigenvalues, descending)")
    _check_vectors_shape(vectors, 2, call)
    _check_definition(M, values, vectors, call)
    # Each column spans the same line as scipy's eigenvector: |<v, v_oracle>| = 1 for unit vectors.
    V = V / np.linalg.norm(V, axis=0)
    check_array(np.abs(np.sum(vectors * V, axis=0)), np.ones(2), call=call, atol=1e-6,
                what="|cos| of the angle between each eigenvector and scipy.linalg.eig's")


@pytest.mark.task("real_eigenpairs", points=1)
def test_real_eigenpairs_any_scale(exercise):
    """Huge and tiny matrices get the same eigenpairs as at scale 1; tol is relative to ‖M‖_F.

    ja: 非常に大きい・小さい行列でも倍率 1 のときと同じ固有対。tol は ‖M‖_F に対する相対値。

    Huge and tiny matrices (entries near 1e200 or 1e-200) get the same answer as at scale 1: k, c·λ and the
    same unit vectors (the text: M is divided by its largest entry first, so nothing overflows or underflows);
    tol is relative to s = ‖M‖_F exactly as the text states (|Δ| ≤ tol·s² repeated, Δ < −tol·s² complex,
    ‖M − λI‖_F ≤ √tol·s scalar), tol = 0 included.

    ja: 非常に大きい・小さい行列 (成分が 1e200 や 1e-200 程度) でも倍率 1 のときと同じ答え: 個数 k、c·λ、同じ単位
    ベクトル (本文のとおり、まず M を最大成分で割るので、オーバーフローもアンダーフローも起きない)。tol は本文の
    とおり s = ‖M‖_F に対する相対値 (|Δ| ≤ tol·s² で重根、Δ < −tol·s² で複素数、‖M − λI‖_F ≤ √tol·s で λI)。
    tol = 0 も使える。"""
    # Hand-derived: (c M) v = c (M v) = (c λ) v, so c M has the eigenvalues c λ and the eigenvectors of M.
    # Without the rescaling, s² = ‖M‖_F² overflows to inf (every Δ counts as "repeated", every
    # ‖M - λI‖ as "M = λI") or underflows to 0 (Δ = 0 and ‖M‖ = 0: the eigenvalues come out 0).
    for c in (1e200, 1e-200):
        # Shear: defective at every scale, one eigen-direction e1 with λ = c.
        _check_pairs(exercise, c * SHEAR, [c], [[1.0], [0.0]], rtol=1e-9, atol=0.0)
        # Reflection across y = x: λ = ±c with (1, 1)/√2 and (1, -1)/√2.
        _check_pairs(exercise, c * np.array([[0.0, 1.0], [1.0, 0.0]]), [c, -c],
                     [[1 / SQRT2, 1 / SQRT2], [1 / SQRT2, -1 / SQRT2]], rtol=1e-9, atol=1e-12)
        # [[2, 1], [1, 2]]: λ = 3 with (1, 1)/√2, λ = 1 with (1, -1)/√2.
        _check_pairs(exercise, c * np.array([[2.0, 1.0], [1.0, 2.0]]), [3 * c, c],
                     [[1 / SQRT2, 1 / SQRT2], [1 / SQRT2, -1 / SQRT2]], rtol=1e-9, atol=1e-12)
        # 45° rotation: complex pair c (cos 45° ± i sin 45°) at every scale, k = 0.
        _check_pairs(exercise, c * ROT45, np.zeros(0), np.zeros((2, 0)))
    # c I for the smallest normal-range scale used here: still λI (standard basis), not k = 0 or 1.
    _check_pairs(exercise, 1e-300 * IDENTITY, [1e-300, 1e-300], np.eye(2), rtol=1e-9, atol=0.0)
    _check_tol_thresholds(exercise)


def _check_tol_thresholds(exercise):
    """The text's thresholds with an explicit tol; every entry, Δ, s and √tol below is exact in float64."""
    def pairs(M, tol):
        call = f"real_eigenpairs({_fmt(M)}, tol={tol})"
        result = exercise.real_eigenpairs(np.array(M), tol=tol)
        check_type(result, tuple, call=call)
        check_equal(len(result), 2, call=call, what="length of the returned tuple")
        return result[0], result[1], call

    # tol = 0 is allowed ("a finite float >= 0"). Reflection: λ = 1 with e1, λ = -1 with e2, whose first
    # component 0 does not exceed tol = 0, so its sign comes from the second component: (0, 1).
    values, vectors, call = pairs(REFLECT, 0.0)
    with EIGEN_CONVENTION:
        check_array(values, np.array([1.0, -1.0]), call=call, what="values (eigenvalues, descending)")
        check_array(vectors, np.eye(2), call=call, what="vectors (unit eigenvectors as columns)")
    # M = [[1, 1], [±e, 1]], e = 11/64, tol = 1/4: Δ = ±4e = ±0.6875, s² = 3 + e² ≈ 3.0295, tol·s² ≈ 0.757:
    # |Δ| ≤ tol·s², a repeated λ = tr/2 = 1; ‖M − I‖_F = √(1 + e²) ≈ 1.015 > √tol·s ≈ 0.870, so not λI: k = 1.
    # (The direction of a matrix this far from defective is not fixed by the text: only λ and k are checked.)
    e = 11 / 64
    for M in ([[1.0, 1.0], [e, 1.0]], [[1.0, 1.0], [-e, 1.0]]):
        values, vectors, call = pairs(M, 0.25)
        check_array(values, np.array([1.0]), call=call, what="values (|Δ| ≤ tol·s²: one repeated eigenvalue)")
        _check_vectors_shape(vectors, 1, call)
    # Exactly on the boundaries (s = ‖M‖_F and the norms are exact), which count as "repeated" and "M = λI":
    # [[1, 1], [-1, 1]], tol = 1: Δ = -4 = -tol·s² (s = 2), ‖M − I‖_F = √2 ≤ √tol·s = 2 -> λI: [1, 1], e1, e2.
    # [[1, 1], [1, 1]], tol = 1: Δ = 4 = tol·s², ‖M − I‖_F = √2 ≤ 2 -> λI: [1, 1], e1, e2.
    # [[0, 1], [0, 0]], tol = 1: Δ = 0, s = 1, ‖M − 0·I‖_F = 1 = √tol·s -> λI with λ = 0: [0, 0], e1, e2.
    for M, lam in (([[1.0, 1.0], [-1.0, 1.0]], 1.0), ([[1.0, 1.0], [1.0, 1.0]], 1.0), ([[0.0, 1.0], [0.0, 0.0]], 0.0)):
        values, vectors, call = pairs(M, 1.0)
        with EIGEN_CONVENTION:
            check_array(values, np.array([lam, lam]), call=call, what="values (on the boundary: M counts as λI)")
            check_array(vectors, np.eye(2), call=call, what="vectors (λI: the standard basis)")


@pytest.mark.task("real_eigenpairs", points=1)
def test_real_eigenpairs_rejects_bad_input(exercise):
    """ValueError for a matrix that is not 2x2, contains nan/inf, and for a negative or non-finite tol; one valid call (the shear) gives its hand-derived eigenpair.

    ja: 2x2 でない行列、nan/inf を含む行列、負または有限でない tol は ValueError。正しい入力での呼び出し 1 回 (せん断) は手計算の固有対になる。
    """
    # By hand: shear [[1, .5], [0, 1]] has λ = 1 twice; M - I = [[0, .5], [0, 0]] has the x-axis as null space.
    call = "real_eigenpairs(shear)"
    result = check_accepts(exercise.real_eigenpairs, SHEAR, call=call)
    check_type(result, tuple, call=call)
    check_equal(len(result), 2, call=call, what="length of the returned tuple")
    with EIGEN_CONVENTION:
        check_array(result[0], np.array([1.0]), call=call, rtol=1e-9, atol=1e-12,
                    what="values (eigenvalues, descending)")
        check_array(result[1], np.array([[1.0], [0.0]]), call=call, rtol=1e-9, atol=1e-12,
                    what="vectors (unit eigenvectors as columns, first clearly nonzero component positive)")
    for M in (np.eye(3), np.ones((2, 3)), np.ones(4), np.array([[1.0, np.nan], [0.0, 1.0]]),
              np.array([[np.inf, 0.0], [0.0, 1.0]])):
        check_raises(ValueError, exercise.real_eigenpairs, M, call=f"real_eigenpairs({_fmt(M)} with shape {M.shape})")
    for tol in (-1e-9, -0.5, np.inf, np.nan):
        check_raises(ValueError, exercise.real_eigenpairs, SHEAR, tol=tol, call=f"real_eigenpairs(shear, tol={tol})")


# --------------------------------------------------------------------------------------------
# preserves_direction (5 points)
# --------------------------------------------------------------------------------------------

def _check_bool(exercise, M, v, expected):
    call = f"preserves_direction({_fmt(M)}, {_fmt(v)})"
    check_equal(exercise.preserves_direction(M, v), expected, call=call)


@pytest.mark.task("preserves_direction", points=1)
def test_preserves_direction_negative_and_zero_eigenvalues(exercise):
    """Eigenvectors keep their line, also for λ < 0 (direction flips) and λ = 0 (collapse to 0).

    ja: 固有ベクトルは自分の直線にとどまる。λ < 0 (向きが反転) と λ = 0 (0 に潰れる) でも。
    """
    cases = [  # (M, v, tol, λ)
        (REFLECT, [1.0, 0.0], None, 1.0),
        (REFLECT, [0.0, -2.5], None, -1.0),         # M v = -v
        (-IDENTITY, [0.3, -0.7], None, -1.0),       # λ = -1 for every v
        (SINGULAR, [2.0, -1.0], None, 0.0),         # M v = (0, 0)
        (SINGULAR, [-3.0, -6.0], None, 5.0),        # any nonzero multiple
        (np.zeros((2, 2)), [0.6, 0.8], None, 0.0),  # M = 0 maps everything to 0
        (SHEAR, [4.0, 0.0], None, 1.0),             # the shear's only eigen-direction
        (SCALE2, [1e-3, 7.0], None, 2.0),           # uniform scale keeps every line
        # tol = 0 is allowed: |u × (M u)| <= 0 holds for an exact eigenvector (cross product exactly 0).
        (REFLECT, [0.0, 1.0], 0.0, -1.0),
    ]
    answers = [exercise.preserves_direction(M, np.array(v)) if tol is None
               else exercise.preserves_direction(M, np.array(v), tol=tol) for M, v, tol, _ in cases]
    # NEGATIVE_NOT_PRESERVED ("keeps its direction", chapter 412): True only for λ > 0; named when every
    # answer of this test is what it gives.
    keeps_direction = [lam > 0 for *_, lam in cases]
    for (M, v, tol, _), got in zip(cases, answers):
        call = f"preserves_direction({_fmt(M)}, {_fmt(v)}" + ("" if tol is None else f", tol={tol}") + ")"
        with diagnose(answers, [True] * len(cases), [NEGATIVE_NOT_PRESERVED.gives(keeps_direction)]):
            check_equal(got, True, call=call)


@pytest.mark.task("preserves_direction", points=1)
def test_preserves_direction_false_for_other_vectors(exercise):
    """Non-eigenvectors: every vector under a 45° rotation, e2 under the shear, (1, 1) under the reflection.

    ja: 固有ベクトルでないもの: 45° 回転でのすべてのベクトル、せん断での e2、鏡映での (1, 1)。
    """
    for v in ([1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [-2.0, 0.5]):
        _check_bool(exercise, ROT45, np.array(v), False)
    _check_bool(exercise, SHEAR, np.array([0.0, 1.0]), False)         # (0, 1) -> (0.5, 1)
    _check_bool(exercise, REFLECT, np.array([1.0, 1.0]), False)       # (1, 1) -> (1, -1)
    _check_bool(exercise, SINGULAR, np.array([1.0, 0.0]), False)      # (1, 0) -> (1, 2)
    _check_bool(exercise, [[3.0, 0.0], [0.0, 0.5]], np.array([1.0, 1.0]), False)


@pytest.mark.hidden  # not run in released notebooks / 公開版ノートブックでは実行しない
@pytest.mark.task("preserves_direction", points=1)
@settings(max_examples=40, **FAST_FAIL)
@given(entries=_moderate_matrix(),
       scale=st.one_of(st.floats(min_value=-5.0, max_value=-0.1), st.floats(min_value=0.1, max_value=5.0)),
       angle=st.floats(min_value=0.05, max_value=np.pi - 0.05))
def test_preserves_direction_matches_numpy_eig(exercise, entries, scale, angle):
    """True for any nonzero multiple of a real numpy.linalg.eig eigenvector, False for vectors off every eigen-line.

    ja: numpy.linalg.eig の実固有ベクトルの 0 でない定数倍なら True、どの固有直線にもないベクトルなら False。
    """
    M = np.array(entries).reshape(2, 2)
    s = np.linalg.norm(M)
    assume(s > 1e-2)
    w, V = np.linalg.eig(M)
    assume(abs(((w[0] - w[1]) ** 2).real) > 1e-4 * s * s)   # distinct real or clearly complex
    if abs(w[0].imag) > 0:
        # No real eigenvector: no vector keeps its line.
        v = np.array([np.cos(angle), np.sin(angle)]) * scale
        _check_bool(exercise, M, v, False)
        return
    V = V.real / np.linalg.norm(V.real, axis=0)
    for i in range(2):
        _check_bool(exercise, M, scale * V[:, i], True)
    # u: the first eigenvector turned by `angle`; skip when u lands near the other eigen-line.
    c, sn = np.cos(angle), np.sin(angle)
    u = np.array([[c, -sn], [sn, c]]) @ V[:, 0]
    assume(abs(u[0] * V[1, 1] - u[1] * V[0, 1]) > 0.05)
    _check_bool(exercise, M, scale * u, False)


@pytest.mark.task("preserves_direction", points=1)
def test_preserves_direction_any_scale(exercise):
    """The answer depends on the line of v only, not on the length of v or the scale of M.

    ja: 答えは v の向き (直線) だけで決まり、v の長さにも M の倍率にもよらない。

    The answer depends on the line of v, not on its length, nor on the scale of M (tiny and huge vectors and
    matrices): the text compares |u × (M u)| for the unit vector u = v / ‖v‖ with tol·‖M‖_F.

    ja: 答えは v の向き (直線) で決まり、長さにも M の倍率にもよらない (非常に小さい・大きいベクトルと行列):
    本文は単位ベクトル u = v / ‖v‖ について |u × (M u)| を tol·‖M‖_F と比べる。"""
    # Issue examples: a 45° rotation turns every line, however short v is; a true eigenvector stays one
    # however long it is (an absolute tolerance on ‖M v - λ v‖ gets both wrong).
    _check_bool(exercise, ROT45, np.array([1e-12, 0.0]), False)
    C = np.array([[2.0, 1.5], [1.5, 1.0]])
    _, V = np.linalg.eigh(C)                                            # oracle eigenvectors (unit columns)
    _check_bool(exercise, C, 1e7 * V[:, 0], True)                        # λ = (3 - √10)/2 < 0
    _check_bool(exercise, C, -1e7 * V[:, 1], True)                       # λ = (3 + √10)/2
    _check_bool(exercise, SINGULAR, np.array([1e-150, 2e-150]), True)   # λ = 5, tiny v
    _check_bool(exercise, SINGULAR, np.array([1e150, 0.0]), False)      # (1, 0) -> (1, 2), huge v
    # The scale of M: c M keeps the same lines as M for any c > 0 (‖c M‖_F must not overflow or underflow).
    for c in (1e200, 1e-200):
        _check_bool(exercise, c * ROT45, np.array([1.0, 0.0]), False)
        _check_bool(exercise, c * SINGULAR, np.array([2.0, -1.0]), True)   # λ = 0
        _check_bool(exercise, c * SINGULAR, np.array([1.0, 0.0]), False)
    # The threshold is tol·‖M‖_F: M = c·[[1, 1], [1, 1]], u = e1, M u = c (1, 1), |u × (M u)| = c and
    # ‖M‖_F = 2c, so tol = 0.75 gives c <= 1.5 c (True) and tol = 0.25 gives c <= 0.5 c (False), for any c > 0.
    for c in (1.0, 3.0):
        for tol, expected in ((0.75, True), (0.25, False)):
            M = c * np.ones((2, 2))
            check_equal(exercise.preserves_direction(M, np.array([1.0, 0.0]), tol=tol), expected,
                        call=f"preserves_direction({_fmt(M)}, [1, 0], tol={tol})")


@pytest.mark.task("preserves_direction", points=1)
def test_preserves_direction_rejects_bad_input(exercise):
    """ValueError for the zero vector, a v that is not shape (2,), a matrix that is not 2x2, and a negative or non-finite tol; valid calls with the shear give True for [1, 0] and False for [0, 1].

    ja: ゼロベクトル、形が (2,) でない v、2x2 でない行列、負または有限でない tol は ValueError。せん断での正しい呼び出しは [1, 0] で True、[0, 1] で False。
    """
    # By hand: shear @ (1, 0) = (1, 0) keeps the line; shear @ (0, 1) = (0.5, 1) does not lie on the y-axis.
    for v, expected in (([1.0, 0.0], True), ([0.0, 1.0], False)):
        call = f"preserves_direction(shear, {_fmt(v)})"
        check_equal(check_accepts(exercise.preserves_direction, SHEAR, np.array(v), call=call), expected, call=call)
    check_raises(ValueError, exercise.preserves_direction, SHEAR, np.zeros(2),
                 call="preserves_direction(shear, [0, 0])")
    for v in (np.ones(3), np.ones((2, 2)), np.float64(1.0), np.ones(1), np.ones((2, 1))):
        check_raises(ValueError, exercise.preserves_direction, SHEAR, v,
                     call=f"preserves_direction(shear, v with shape {np.shape(v)})")
    for M in (np.eye(3), np.ones((2, 3)), np.ones(4)):
        check_raises(ValueError, exercise.preserves_direction, M, np.array([1.0, 0.0]),
                     call=f"preserves_direction(M with shape {M.shape}, [1, 0])")
    for tol in (-1e-9, -0.5, np.inf, np.nan):
        check_raises(ValueError, exercise.preserves_direction, SHEAR, np.array([1.0, 0.0]), tol=tol,
                     call=f"preserves_direction(shear, [1, 0], tol={tol})")


# --------------------------------------------------------------------------------------------
# plot_transform (4 points)
# --------------------------------------------------------------------------------------------

def _closed_polygons(ax) -> list[np.ndarray]:
    """Vertex arrays (m, 2) of every closed Line2D / Polygon in ax, without the repeated last vertex."""
    found = []
    for line in ax.lines:
        if isinstance(line, AxLine):
            continue
        xy = np.asarray(line.get_xydata(), dtype=float)
        if xy.ndim == 2 and xy.shape[0] >= 2 and np.allclose(xy[0], xy[-1], atol=1e-12):
            found.append(xy[:-1])
    for patch in ax.patches:
        if isinstance(patch, Polygon) and patch.get_closed():
            xy = np.asarray(patch.get_xy(), dtype=float)
            if xy.shape[0] >= 2 and np.allclose(xy[0], xy[-1], atol=1e-12):
                xy = xy[:-1]
            found.append(xy)
    return found


def _same_polygon(xy: np.ndarray, corners: np.ndarray, atol: float) -> bool:
    """Same closed polygon: equal vertices up to a cyclic shift or a reversal of the order."""
    if xy.shape != corners.shape:
        return False
    for order in (corners, corners[::-1]):
        for shift in range(order.shape[0]):
            if np.allclose(xy, np.roll(order, shift, axis=0), rtol=0, atol=atol):
                return True
    return False


def _eigen_lines(ax) -> list[np.ndarray]:
    """Points (m, 2) of each Line2D whose label starts with 'eigen' (the documented contract)."""
    lines = []
    for line in ax.lines:
        if not str(line.get_label()).lower().startswith("eigen"):
            continue
        if isinstance(line, AxLine):
            p1 = np.asarray(line.get_xy1(), dtype=float)
            p2 = line.get_xy2()
            p2 = p1 + np.array([1.0, line.get_slope()]) if p2 is None else np.asarray(p2, dtype=float)
            lines.append(np.vstack([p1, p2]))
        else:
            lines.append(np.asarray(line.get_xydata(), dtype=float))
    return lines


def _eigen_count_failure(ax, lines, directions, k, call):
    """Fail naming the eigen lines found, those along no expected direction, and the directions missing."""
    unit = [p[np.argmax(np.linalg.norm(p, axis=1))] / max(np.linalg.norm(p, axis=1).max(), 1e-300) for p in lines]
    along = lambda v, d: abs(abs(float(np.dot(v, d))) - 1.0) < 1e-6  # noqa: E731 - same line, either sign
    expected = [] if directions is None else list(directions.T)
    check_count([a for a in ax.lines if str(a.get_label()).lower().startswith("eigen")], k, call=call,
                what="lines labelled 'eigen...' (one per real eigen-direction) / 'eigen...' というラベルの線 (実固有方向ごとに 1 本)",
                extra=[i for i, d in enumerate(unit) if directions is not None and not any(along(v, d) for v in expected)],
                missing=[(f"固有方向 {np.round(v, 4).tolist()} の線", f"a line along the eigen-direction {np.round(v, 4).tolist()}")
                         for v in expected if not any(along(v, d) for d in unit)])


def _direction_of(points: np.ndarray, call: str) -> np.ndarray:
    """Unit direction of a line through the origin; fail if the points are not on one."""
    norms = np.linalg.norm(points, axis=1)
    if points.shape[0] < 2 or norms.max() <= 0:
        fail(f"{call}: 固有方向の線が退化しています: {points.tolist()}",
             f"{call}: an eigen-direction line is degenerate: {points.tolist()}")
    d = points[np.argmax(norms)] / norms.max()
    cross = points[:, 0] * d[1] - points[:, 1] * d[0]
    if np.any(np.abs(cross) > 1e-9 * np.maximum(norms, 1.0)):
        fail(f"{call}: 固有方向の線が原点を通る直線になっていません: {points.tolist()}",
             f"{call}: an eigen-direction line is not a line through the origin: {points.tolist()}")
    return d


def _plot(exercise, M):
    call = f"plot_transform({_fmt(M)})"
    fig = exercise.plot_transform(M)
    check_type(fig, Figure, call=call)
    if len(fig.axes) != 1:
        plt.close(fig)
        fail(f"{call}: ax=None のとき Axes は 1 つのはずですが {len(fig.axes)} 個でした",
             f"{call}: with ax=None the figure should have one Axes, got {len(fig.axes)}")
    return fig, fig.axes[0], call


@pytest.mark.task("plot_transform", points=1)
def test_plot_transform_draws_original_and_transformed_square(exercise):
    """The unit square and M @ square are drawn as closed polygons, every corner in view.

    ja: 単位正方形と M @ 正方形が閉じた多角形として描かれ、すべての角が表示範囲に入る。

    The unit square and M @ square appear as closed polygons (Line2D or Polygon) with the right corners,
    and the view limits show every corner of both.

    ja: 単位正方形と M @ 正方形が、正しい角をもつ閉じた多角形 (Line2D か Polygon) として描かれ、表示範囲に
    両方の角がすべて入る。
    """
    corners = SQUARE[:, :4].T
    for M in (SHEAR, ROT45, REFLECT, SINGULAR, np.array([[0.5, -1.0], [2.0, 0.25]]),
              np.array([[0.5, 0.0], [0.0, 0.25]])):
        fig, ax, call = _plot(exercise, M)
        try:
            polygons = _closed_polygons(ax)
            if not any(_same_polygon(p, corners, 1e-12) for p in polygons):
                fail(f"{call}: 単位正方形 (0,0),(1,0),(1,1),(0,1) の閉じた多角形が見つかりません",
                     f"{call}: no closed polygon with the unit square's corners (0,0),(1,0),(1,1),(0,1)")
            # Oracle: the image of corner (x, y) is x·(first column of M) + y·(second column).
            image = np.array([x * M[:, 0] + y * M[:, 1] for x, y in corners])
            # The text draws apply_transform(M, UNIT_SQUARE): the submission's own result is accepted
            # too (a wrong apply_transform is graded by its own tests; docs/authoring.md, figures).
            # (called only when the correct polygon is not drawn)
            drawn = any(_same_polygon(p, image, 1e-9) for p in polygons)
            own = None if drawn else own_array(exercise.apply_transform, M, SQUARE.copy(), shape=(2, 5))
            accepted = [image] + ([] if own is None else [own[:, :4].T])
            shown = [c for c in accepted if any(_same_polygon(p, c, 1e-9) for p in polygons)]
            if not shown:
                fail(f"{call}: 変換後の正方形 M @ square (角 {image.tolist()}) の閉じた多角形が見つかりません",
                     f"{call}: no closed polygon with the transformed corners M @ square = {image.tolist()}")
            _check_view_shows(ax, np.vstack([corners, shown[0]]), call)
        finally:
            plt.close(fig)


def _check_view_shows(ax, points: np.ndarray, call: str) -> None:
    """Every point (m, 2) lies within the Axes' view limits (either order of the limits)."""
    (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
    slack = 1e-9 * (1.0 + np.abs(points))
    inside = ((points[:, 0] >= x0 - slack[:, 0]) & (points[:, 0] <= x1 + slack[:, 0])
              & (points[:, 1] >= y0 - slack[:, 1]) & (points[:, 1] <= y1 + slack[:, 1]))
    if not np.all(inside):
        outside = points[~inside].tolist()
        fail(f"{call}: 表示範囲 x {[x0, x1]}, y {[y0, y1]} に正方形の角 {outside} が入っていません",
             f"{call}: the view limits x {[x0, x1]}, y {[y0, y1]} leave out the square corners {outside}")


@pytest.mark.task("plot_transform", points=1)
def test_plot_transform_draws_one_line_per_real_eigen_direction(exercise):
    """One line labelled 'eigen...' through the origin per real eigen-direction (none for a rotation).

    ja: 実固有方向ごとに原点を通る 'eigen...' ラベルの線が 1 本 (回転では 0 本)。

    Lines labelled 'eigen...' through the origin: none for a rotation, one for a shear, two otherwise;
    no text 'no real eigenvector' in a figure that draws such a line.

    ja: 原点を通る 'eigen...' ラベルの線: 回転では 0 本、せん断では 1 本、それ以外は 2 本。その線を描いた図に
    'no real eigenvector' という文字列はない。
    """
    # (matrix, expected eigen-directions or None when any two independent directions are right)
    cases = [
        (ROT45, np.zeros((2, 0))),
        (SHEAR, np.array([[1.0], [0.0]])),
        (REFLECT, np.eye(2)),
        (SINGULAR, np.array([[1.0, 2.0], [2.0, -1.0]]) / SQRT5),
        (SCALE2, None),
        (IDENTITY, None),
        # diag(2/1.15, 0.5): e1 and e2. Drawing code that derives the half-length L from the view (here
        # 1.15·max|corner| = 2 exactly) must still draw lines, not points (L = 0).
        (np.diag([2 / 1.15, 0.5]), np.eye(2)),
    ]
    for M, directions in cases:
        fig, ax, call = _plot(exercise, M)
        try:
            lines = _eigen_lines(ax)
            notes = [txt.get_text() for txt in ax.texts if "no real eigenvector" in txt.get_text().lower()]
            if lines and notes:
                fail(f"{call}: 固有方向の線を描いた図に {notes[0]!r} という文字列があります",
                     f"{call}: the figure draws an eigen-direction line but also the text {notes[0]!r}")
            found = [_direction_of(p, call) for p in lines]
            # The text draws one line per eigenpair of real_eigenpairs(M): the lines of the submission's
            # own real_eigenpairs are accepted too (a wrong real_eigenpairs costs points only there).
            # (called only when the lines are not the correct ones)
            problems = [_lines_problem(found, directions)]
            own = None if problems[0] is None else _own_directions(exercise, M)
            if own is not None:
                problems.append(_lines_problem(found, own))
            if all(problems):
                k = 2 if directions is None else directions.shape[1]
                if len(lines) != k and (own is None or len(lines) != own.shape[1]):
                    _eigen_count_failure(ax, lines, directions, k, call)
                ja, en = problems[0]
                if own is not None:
                    ja += f" (この提出の real_eigenpairs の方向 {own.T.tolist()} とも一致しません)"
                    en += f" (nor the directions of this submission's own real_eigenpairs, {own.T.tolist()})"
                fail(f"{call}: {ja}", f"{call}: {en}")
        finally:
            plt.close(fig)


def _own_directions(exercise, M) -> np.ndarray | None:
    """Unit columns (2, k) of the submission's own real_eigenpairs(M)[1], or None when it fails."""
    result = own_result(exercise.real_eigenpairs, M)
    if not isinstance(result, tuple) or len(result) != 2:
        return None
    vectors = own_array(lambda: result[1], shape=(2, None))
    if vectors is None or vectors.shape[1] > 2 or np.any(np.linalg.norm(vectors, axis=0) == 0):
        return None
    return vectors / np.linalg.norm(vectors, axis=0)


def _lines_problem(found: list[np.ndarray], directions: np.ndarray | None) -> tuple[str, str] | None:
    """None when the drawn unit directions ``found`` are the lines of ``directions`` (2, k) up to sign
    (``None``: any two independent lines, as for λI); else the (ja, en) problem."""
    k = 2 if directions is None else directions.shape[1]
    if len(found) != k:
        return (f"'eigen...' とラベルされた線 (実固有方向) が {k} 本のはずですが {len(found)} 本です",
                f"expected {k} Line2D labelled 'eigen...' (real eigen-directions), found {len(found)}")
    if directions is None:
        d1, d2 = found
        if abs(d1[0] * d2[1] - d1[1] * d2[0]) < 0.5:
            return (f"λI の 2 本の固有方向が独立ではありません: {d1.tolist()}, {d2.tolist()}",
                    f"the two eigen-directions of λI are not independent: {d1.tolist()}, {d2.tolist()}")
        return None
    for v in directions.T:   # each expected line is drawn (up to sign)
        if not any(abs(abs(np.dot(v, d)) - 1.0) < 1e-9 for d in found):
            return (f"固有方向 {v.tolist()} の線がありません (描かれた方向: {[d.tolist() for d in found]})",
                    f"no line along the eigen-direction {v.tolist()} (drawn: {[d.tolist() for d in found]})")
    return None


@pytest.mark.task("plot_transform", points=1)
def test_plot_transform_title_shows_matrix(exercise):
    """The title contains the four matrix entries.

    ja: タイトルに行列の 4 成分が入っている。
    """
    M = np.array([[2.0, -1.5], [0.25, 3.0]])
    fig, ax, call = _plot(exercise, M)
    try:
        title = " ".join(ax.get_title(loc) for loc in ("left", "center", "right"))
        for entry in ("2", "-1.5", "0.25", "3"):
            if entry not in title:
                fail(f"{call}: タイトル {title!r} に行列の成分 {entry} がありません",
                     f"{call}: the title {title!r} does not show the matrix entry {entry}")
    finally:
        plt.close(fig)


@pytest.mark.task("plot_transform", points=1)
def test_plot_transform_draws_into_given_axes(exercise):
    """With ax given, draws into that Axes only and returns ax.figure without creating a figure.

    ja: ax を渡すとその Axes にだけ描き、新しい図を作らずに ax.figure を返す。
    """
    fig, axes = plt.subplots(1, 2)
    try:
        before = plt.get_fignums()
        out = exercise.plot_transform(SHEAR, ax=axes[1])
        call = "plot_transform(shear, ax=axes[1])"
        if out is not fig:
            fail(f"{call}: ax.figure を返すべきですが {type(out).__name__} が返されました",
                 f"{call}: should return ax.figure, got {type(out).__name__} (another object)")
        check_equal(plt.get_fignums(), before, call=call, what="open pyplot figures (no new figure)")
        check_equal(len(axes[0].lines) + len(axes[0].patches), 0, call=call, what="artists in the other Axes")
        image = np.array([[0.0, 0.0], [1.0, 0.0], [1.5, 1.0], [0.5, 1.0]])  # shear corners, by hand
        if not any(_same_polygon(p, image, 1e-12) for p in _closed_polygons(axes[1])):
            fail(f"{call}: 渡した Axes に変換後の正方形がありません",
                 f"{call}: the transformed square is not in the given Axes")
        # One line for the shear, or as many as the submission's own real_eigenpairs returns (figure policy).
        drawn = len(_eigen_lines(axes[1]))
        own = None if drawn == 1 else _own_directions(exercise, SHEAR)
        if drawn != 1 and (own is None or drawn != own.shape[1]):
            _eigen_count_failure(axes[1], _eigen_lines(axes[1]), np.array([[1.0], [0.0]]), 1, call)
    finally:
        plt.close(fig)
