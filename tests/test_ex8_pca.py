"""Graded tests for ex8_pca (chapter 3.1 固有値と固有ベクトル: covariance and principal components).

Oracles: numpy.cov (rowvar=False) for the covariance; the singular value decomposition of the centred
data (numpy.linalg.svd: X_c = U S Vᵀ, so the covariance has the eigenvalues S² / (n − 1) in
decreasing order and the components V) for the components, the ratios, the scores U S and the
reconstruction U_k S_k V_kᵀ + μ; numpy.linalg.eigvalsh for the property tests; and small matrices
whose eigenpairs are derived by hand (derivations in comments). Misconceptions (``MISCONCEPTIONS``)
are named when a wrong value is exactly what a known mistake gives: the same oracles with the mistake
applied (no centring, a divisor n, numpy.linalg.eig's output as it comes, ascending order, eigh's raw
signs, the components transposed, the ratio to the largest eigenvalue, the mean left out).
"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra.numpy import arrays  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from autograder.compare import (Misconception, check_accepts, check_array, check_count, check_equal,  # noqa: E402
                                check_float, check_raises, check_type, convention, fail)
from autograder.ownvalues import own_array, own_result  # noqa: E402

pytestmark = pytest.mark.exercise("ex8_pca")
#: The exercise's title in the score table and reports (Japanese, English).
TITLE = ("共分散行列と主成分分析", "Covariance and principal components")

#: Library PCA (the point of the exercise is to build it from the eigendecomposition).
FORBIDDEN_PCA = ("sklearn", "statsmodels", "torch.pca_lowrank")
#: Library covariances and correlations.
FORBIDDEN_COV = ("numpy.cov", "numpy.corrcoef", "numpy.ma.cov", "numpy.ma.corrcoef", "torch.cov",
                 "torch.corrcoef", "pandas", "scipy.stats", "statistics.covariance", "statistics.correlation") \
    + FORBIDDEN_PCA
#: "From scratch" rules (docs/authoring.md, autograder.core.scratch): the library calls each task's
#: code may not use, checked in the submission's code and while the task's tests run.
RULES = [
    {"task": "covariance", "forbidden": FORBIDDEN_COV},
    {"task": "principal_components", "forbidden": FORBIDDEN_PCA},
    {"task": "validates_covariance", "function": "principal_components", "forbidden": FORBIDDEN_PCA},
    {"task": "pca_project", "forbidden": FORBIDDEN_PCA},
    {"task": "pca_reconstruct", "forbidden": FORBIDDEN_PCA},
]

# Misconceptions (docs/authoring.md): known mistakes the failure message names when the student's
# value is exactly what the mistake gives; each test computes that value by applying the mistake to
# its own oracle.
COVARIANCE_NOT_CENTRED = Misconception(
    "covariance_not_centred", task="covariance",
    ja="結果は平均を引かずに計算した Xᵀ X / (n − 1) と一致します: 先に各列の平均を引き、中心化したデータ "
       "X_c で X_cᵀ X_c / (n − 1) を計算します",
    en="your result equals Xᵀ X / (n − 1), computed without subtracting the mean: subtract each column's "
       "mean first and compute X_cᵀ X_c / (n − 1) from the centred data X_c")
COVARIANCE_DIVIDES_BY_N = Misconception(
    "covariance_divides_by_n", task="covariance",
    ja="結果は n で割った共分散 (ddof=0) と一致します: この演習では np.cov の既定と同じく n − 1 で割ります",
    en="your result equals the covariance divided by n (ddof=0): here it is divided by n − 1, as np.cov "
       "does by default")
EIG_UNSORTED = Misconception(
    "eig_unsorted", task="principal_components", lines=(426, 472), errata=True,
    ja="結果は本文のコードのように np.linalg.eig が返した順序と符号のままです: eig は固有値を並べ替えないので、"
       "対称行列用の np.linalg.eigh を使って降順に並べ、符号の規約をそろえます",
    en="your result is in the order and with the signs np.linalg.eig returns, as in the chapter's code: "
       "eig does not sort the eigenvalues, so use np.linalg.eigh (symmetric), sort in decreasing order "
       "and apply the sign convention")
ASCENDING_ORDER = Misconception(
    "ascending_order", task="principal_components",
    ja="結果は固有値の昇順 (np.linalg.eigh が返す順) に並んでいます: 第 1 主成分は分散が最大の方向なので、"
       "固有値の降順に並べ替えます (固有ベクトルの列も同じ順序で)",
    en="your result is in ascending order of eigenvalue (the order np.linalg.eigh returns): the first "
       "component is the direction of largest variance, so sort in decreasing order (the eigenvector "
       "columns with the same permutation)")
SIGN_NOT_NORMALISED = Misconception(
    "sign_not_normalised", task="principal_components",
    ja="主成分は np.linalg.eigh が返した符号のままです: 固有ベクトルの符号は決まっていないので、各列で"
       "絶対値が最大の成分が正になるように向きをそろえます",
    en="your components keep the signs np.linalg.eigh returns: an eigenvector's sign is arbitrary, so flip "
       "each column to make its largest-magnitude entry positive")
COMPONENTS_AS_ROWS = Misconception(
    "components_as_rows", task="principal_components",
    ja="主成分は正しい主成分を行に並べたもの (転置) と一致します: i 番目の主成分は列 components[:, i] です",
    en="your components equal the right ones laid out as rows (the transpose): component i is the column "
       "components[:, i]")
RATIO_BY_LARGEST = Misconception(
    "ratio_by_largest", task="explained_variance_ratio",
    ja="結果は各固有値を最大の固有値で割った値と一致します: 寄与率は固有値の合計で割り、和が 1 になります",
    en="your result equals each eigenvalue divided by the largest one: the ratio divides by the sum of "
       "the eigenvalues, so the ratios sum to 1")
PROJECT_NOT_CENTRED = Misconception(
    "project_not_centred", task="pca_project",
    ja="主成分得点は平均を引かずに X W_k と計算した値と一致します: 射影するのは中心化したデータ (X − μ) W_k です",
    en="your scores equal X W_k, computed without subtracting the mean: project the centred data, "
       "(X − μ) W_k")
MEAN_NOT_ADDED_BACK = Misconception(
    "mean_not_added_back", task="pca_reconstruct",
    ja="再構成は平均を足し戻す前の Z W_kᵀ と一致します: X̂ = Z W_kᵀ + μ です",
    en="your reconstruction equals Z W_kᵀ without the mean: add the mean back, X̂ = Z W_kᵀ + μ")
#: The catalogue of this exercise's misconceptions (selftests/variants/ex8_pca/ embody them).
MISCONCEPTIONS = [COVARIANCE_NOT_CENTRED, COVARIANCE_DIVIDES_BY_N, EIG_UNSORTED, ASCENDING_ORDER,
                  SIGN_NOT_NORMALISED, COMPONENTS_AS_ROWS, RATIO_BY_LARGEST, PROJECT_NOT_CENTRED,
                  MEAN_NOT_ADDED_BACK]

#: What makes principal_components' answer unique (the exercise text); named in failure messages.
PC_CONVENTION = convention(
    "固有値は降順、主成分は長さ 1 の列で、各列の絶対値が最大の成分 (差 1e-9 以内なら最初のもの) が正",
    "eigenvalues in decreasing order; unit components as columns, each with its largest-magnitude entry "
    "(the first one within 1e-9 of it) positive")

# Hypothesis phases without "explain" (it re-runs a failing test many times), one bug reported.
FAST_FAIL = dict(deadline=None, report_multiple_bugs=False,
                 phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink))

#: The chapter's "covariance" (line 418): det = 2 − 2.25 < 0, eigenvalues (3 ± √10)/2.
CHAPTER_COV = [[2.0, 1.5], [1.5, 1.0]]


def _data(seed: int, n: int, scales, mean) -> np.ndarray:
    """(n, d) samples: independent normals times ``scales`` (well-separated variances), rotated by a
    random orthogonal matrix and shifted by a nonzero ``mean`` (so that centring matters)."""
    rng = np.random.default_rng(seed)
    d = len(scales)
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    return rng.standard_normal((n, d)) * np.asarray(scales) @ Q.T + np.asarray(mean)


#: Four variables, 40 samples (seed 1: numpy.linalg.eig returns its eigenvalues out of order here).
DATA4 = _data(1, 40, [3.0, 2.0, 1.0, 0.5], [2.0, 3.0, -1.0, 5.0])
#: Three variables, 25 samples.
DATA3 = _data(7, 25, [2.0, 1.0, 0.3], [10.0, -4.0, 1.5])
#: 2-D data like the chapter's (mean (2, 3), a positive definite covariance [[2, 1.2], [1.2, 1]]).
PLOT_DATA = np.random.default_rng(42).multivariate_normal([2.0, 3.0], [[2.0, 1.2], [1.2, 1.0]], 200)
#: The figure of the HTML report (autograder.results.figures): 200 samples around (2, 3), with the
#: arrows of the two principal components from the mean.
FIGURE = {"task": "plot_pca", "call": "plot_pca(X)  # X: 200 samples of N((2, 3), [[2, 1.2], [1.2, 1]])",
          "args": (PLOT_DATA,)}


# ---------------------------------------------------------------------------------------------
# oracles (numpy.cov, numpy.linalg.svd; never the code under test)
# ---------------------------------------------------------------------------------------------

def _signed(V: np.ndarray) -> np.ndarray:
    """The sign convention applied to the columns of V: the first entry whose magnitude is within 1e-9
    of the column's largest magnitude is made positive."""
    V = np.array(V, dtype=np.float64)
    for j in range(V.shape[1]):
        mags = np.abs(V[:, j])
        lead = next(i for i in range(V.shape[0]) if mags[i] >= mags.max() - 1e-9)
        V[:, j] *= 1.0 if V[lead, j] > 0 else -1.0
    return V + 0.0


def _svd(X: np.ndarray):
    """(mean, U, S, V): X − mean = U diag(S) Vᵀ, singular values decreasing, V with the sign convention
    (U's columns flipped with V's, so U S Vᵀ is unchanged)."""
    mean = X.mean(axis=0)
    U, S, Vt = np.linalg.svd(X - mean, full_matrices=False)
    V = _signed(Vt.T)
    flips = np.sign(np.sum(V * Vt.T, axis=0))  # +1 where V kept the SVD's sign, −1 where flipped
    return mean, U * flips, S, V


def _oracle_pc(X: np.ndarray):
    """Eigenvalues S² / (n − 1) (decreasing) and components V of the covariance of X, from the SVD."""
    _, _, S, V = _svd(X)
    return S ** 2 / (X.shape[0] - 1), V


def _np_cov(X: np.ndarray) -> np.ndarray:
    C = np.atleast_2d(np.cov(X, rowvar=False))
    return (C + C.T) / 2  # exactly symmetric


def _distinct(pairs):
    """Keep only the misconceptions whose values differ from every other one's (two mistakes that give
    the same value for this input cannot be told apart: neither is named)."""
    def same(a, b):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and np.allclose(a, b, rtol=1e-9, atol=1e-12)
    return [(m, v) for m, v in pairs if not any(o is not m and same(v, w) for o, w in pairs)]


def _fmt(M) -> str:
    return np.array2string(np.asarray(M, dtype=float), separator=", ", precision=4).replace("\n", "")


# =============================================================================================
# covariance (3 points)
# =============================================================================================

@pytest.mark.task("covariance", points=2)
def test_covariance_matches_np_cov(exercise):
    """Data with one sample per row (40 x 4, 25 x 3, 5 x 1, 2 x 2): the covariance matches numpy.cov(X, rowvar=False), divided by n − 1.

    ja: 行がサンプルのデータ (40 x 4、25 x 3、5 x 1、2 x 2): 共分散が n − 1 で割った numpy.cov(X, rowvar=False) に一致。
    """
    small = np.array([[1.0, 2.0], [3.0, 7.0]])  # by hand: mean (2, 4.5); Xc = ±(1, 2.5); C = 2 Xcᵀ Xc / 1
    cases = [(DATA4, "X: 40x4"), (DATA3, "X: 25x3"), (np.array([[1.0], [2.0], [4.0], [8.0], [10.0]]), "X: 5x1"),
             (small, "X = [[1, 2], [3, 7]]")]
    for X, name in cases:
        n = X.shape[0]
        expected = _np_cov(X)
        call = f"covariance(X)  # {name}"
        check_array(exercise.covariance(X.copy()), expected, call=call, rtol=1e-10, atol=1e-12,
                    misconceptions=[COVARIANCE_NOT_CENTRED.gives(X.T @ X / (n - 1)),
                                    COVARIANCE_DIVIDES_BY_N.gives(expected * (n - 1) / n)])
    check_array(exercise.covariance(small), np.array([[2.0, 5.0], [5.0, 12.5]]), call="covariance([[1, 2], [3, 7]])",
                rtol=1e-12)


@pytest.mark.task("covariance", points=1)
def test_covariance_rejects_bad_input(exercise):
    """ValueError for 1-D data, a single sample, no variables, 3-D data, and nan or inf entries; two samples [[1, 2], [3, 7]] give the hand-derived covariance.

    ja: 1 次元のデータ、サンプル 1 つ、変数 0 個、3 次元のデータ、nan や inf を含むデータは ValueError。サンプル 2 つの [[1, 2], [3, 7]] は手計算の共分散になる。
    """
    # By hand: mean (2, 4.5); Xc = ±(1, 2.5); C = 2 Xcᵀ Xc / 1 = [[2, 5], [5, 12.5]].
    call = "covariance([[1, 2], [3, 7]])"
    check_array(check_accepts(exercise.covariance, np.array([[1.0, 2.0], [3.0, 7.0]]), call=call),
                np.array([[2.0, 5.0], [5.0, 12.5]]), call=call, rtol=1e-12)
    bad = {"[1, 2, 3] (1-D)": np.array([1.0, 2.0, 3.0]), "[[1, 2]] (one sample)": np.array([[1.0, 2.0]]),
           "shape (3, 0)": np.zeros((3, 0)), "shape (2, 2, 2)": np.ones((2, 2, 2)),
           "[[1, nan], [2, 3]]": np.array([[1.0, np.nan], [2.0, 3.0]]),
           "[[1, 2], [inf, 3]]": np.array([[1.0, 2.0], [np.inf, 3.0]])}
    for name, X in bad.items():
        check_raises(ValueError, exercise.covariance, X, call=f"covariance({name})")


# =============================================================================================
# principal_components (4 points)
# =============================================================================================

def _check_pc(exercise, C, values, vectors, call):
    """Check principal_components(C) against (values, vectors), naming the order, sign and layout mistakes."""
    result = exercise.principal_components(C)
    check_type(result, tuple, call=call)
    check_equal(len(result), 2, call=call, what="length of the returned tuple (values, components)")
    got_values, got_vectors = result
    A = np.asarray(C, dtype=np.float64)
    eig_values, eig_vectors = np.linalg.eig(A)          # the chapter's call, as it comes
    eigh_values, eigh_vectors = np.linalg.eigh(A)       # ascending, signs as LAPACK returns them
    value_mistakes = _distinct([(EIG_UNSORTED, eig_values.real), (ASCENDING_ORDER, values[::-1].copy())])
    vector_mistakes = _distinct([
        (EIG_UNSORTED, eig_vectors.real), (ASCENDING_ORDER, vectors[:, ::-1].copy()),
        (SIGN_NOT_NORMALISED, eigh_vectors[:, ::-1].copy()), (COMPONENTS_AS_ROWS, vectors.T.copy())])
    with PC_CONVENTION:
        check_array(got_values, values, call=call, rtol=1e-9, atol=1e-12, what="eigenvalues",
                    misconceptions=[m.gives(v) for m, v in value_mistakes])
        check_array(got_vectors, vectors, call=call, rtol=1e-7, atol=1e-9, what="components (columns)",
                    misconceptions=[m.gives(v) for m, v in vector_mistakes])


@pytest.mark.task("principal_components", points=2)
def test_principal_components_match_svd(exercise):
    """Covariances of 40 x 4 and 25 x 3 data: eigenvalues S² / (n − 1) and components V from the SVD of the centred data, decreasing, signed by the convention.

    ja: 40 x 4 と 25 x 3 のデータの共分散: 固有値と主成分が中心化したデータの SVD の S² / (n − 1) と V (降順、符号の規約つき) に一致。
    """
    for X, name in ((DATA4, "40x4"), (DATA3, "25x3")):
        values, vectors = _oracle_pc(X)
        _check_pc(exercise, _np_cov(X), values, vectors,
                  call=f"principal_components(C)  # C: covariance of {name} data")


@pytest.mark.task("principal_components", points=1)
def test_principal_components_hand_cases(exercise):
    """[[2, 1], [1, 2]], [[5, -2], [-2, 2]] and diag(1, 4, 2): eigenpairs derived by hand, in decreasing order, with the sign convention (a tie takes the first entry).

    ja: [[2, 1], [1, 2]]、[[5, -2], [-2, 2]]、diag(1, 4, 2): 手で求めた固有対 (降順、符号の規約つき、絶対値が同じなら最初の成分が正)。
    """
    r2, r5 = math.sqrt(2.0), math.sqrt(5.0)
    cases = [
        # tr 4, det 3 -> λ = 3, 1. (C − 3I) = [[-1, 1], [1, -1]] -> (1, 1)/√2; (C − I) = [[1, 1], [1, 1]] ->
        # (1, −1)/√2: both entries tie in magnitude, so the first is positive.
        ([[2.0, 1.0], [1.0, 2.0]], [3.0, 1.0], [[1 / r2, 1 / r2], [1 / r2, -1 / r2]]),
        # tr 7, det 6 -> λ = 6, 1. (C − 6I) = [[-1, -2], [-2, -4]] -> ±(2, −1)/√5, largest entry 2 positive;
        # (C − I) = [[4, -2], [-2, 1]] -> ±(1, 2)/√5, largest entry 2 positive.
        ([[5.0, -2.0], [-2.0, 2.0]], [6.0, 1.0], [[2 / r5, 1 / r5], [-1 / r5, 2 / r5]]),
        # Diagonal: the eigenvalues are the diagonal, the components the standard basis vectors e2, e3, e1.
        (np.diag([1.0, 4.0, 2.0]), [4.0, 2.0, 1.0], [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]),
    ]
    for C, values, vectors in cases:
        _check_pc(exercise, np.array(C), np.array(values), np.array(vectors), call=f"principal_components({_fmt(C)})")


def _psd_matrices():
    """Covariance-like matrices A Aᵀ / m with d in 1..4 (well-conditioned entries)."""
    return st.integers(1, 4).flatmap(lambda d: st.integers(d, d + 3).flatmap(lambda m: arrays(
        np.float64, (d, m), elements=st.floats(min_value=-3.0, max_value=3.0, allow_nan=False))))


@pytest.mark.hidden  # not run in released notebooks / 公開版ノートブックでは実行しない
@pytest.mark.task("principal_components", points=1)
@settings(max_examples=30, **FAST_FAIL)
@given(A=_psd_matrices())
def test_principal_components_property(exercise, A):
    """Property: for C = A Aᵀ / m, the values are numpy.linalg.eigvalsh(C) in decreasing order, C w = λ w, the columns are orthonormal and each follows the sign convention.

    ja: 性質: C = A Aᵀ / m について、固有値は numpy.linalg.eigvalsh(C) の降順、C w = λ w、列は正規直交で、各列が符号の規約を満たす。
    """
    C = A @ A.T / A.shape[1]
    C = (C + C.T) / 2
    d = C.shape[0]
    call = f"principal_components(C)  # C = A Aᵀ / m, C = {_fmt(C)}"
    scale = max(1.0, float(np.abs(C).max()))
    result = exercise.principal_components(C)
    check_type(result, tuple, call=call)
    check_equal(len(result), 2, call=call, what="length of the returned tuple (values, components)")
    values, vectors = result
    expected = np.maximum(np.linalg.eigvalsh(C)[::-1], 0.0)
    with PC_CONVENTION:
        check_array(values, expected, call=call, rtol=1e-9, atol=1e-10 * scale, what="eigenvalues",
                    misconceptions=[ASCENDING_ORDER.gives(expected[::-1].copy())])
        check_array(vectors.T @ vectors, np.eye(d), call=call, rtol=0.0, atol=1e-9, what="componentsᵀ components")
        check_array(C @ vectors, vectors * values, call=call, rtol=0.0, atol=1e-8 * scale,
                    what="C @ components (should be components * values)")
        # Sign: where the leading entry is clearly the largest (no near-tie), it must be positive.
        for j in range(d):
            mags = np.sort(np.abs(vectors[:, j]))[::-1]
            if d == 1 or mags[0] - mags[1] > 1e-6:
                lead = float(vectors[np.argmax(np.abs(vectors[:, j])), j])
                if lead <= 0:
                    fail(f"{call}: 列 {j} の絶対値が最大の成分 {lead} が正ではありません",
                         f"{call}: the largest-magnitude entry {lead} of column {j} is not positive")


# =============================================================================================
# validates_covariance (2 points): principal_components rejects what cannot be a covariance
# =============================================================================================

@pytest.mark.task("validates_covariance", points=1)
def test_principal_components_rejects_non_covariance(exercise):
    """ValueError for the chapter's [[2, 1.5], [1.5, 1]] (det < 0), an indefinite 3 x 3 with unit diagonal, a non-symmetric matrix, non-square shapes, nan and a negative tol. One valid call ([[2, 1], [1, 2]], tol=1e-3) gives the eigenvalues 3 and 1.

    ja: 本文の [[2, 1.5], [1.5, 1]] (det < 0)、対角が 1 の不定値の 3 x 3、対称でない行列、正方でない形、nan、負の tol は ValueError。正しい入力での呼び出し 1 回 ([[2, 1], [1, 2]], tol=1e-3) は固有値 3 と 1 になる。
    """
    # By hand: tr 4, det 3 -> λ = 3, 1. (Order and signs are graded in principal_components' own tests.)
    call = "principal_components([[2, 1], [1, 2]], tol=1e-3)"
    values, _ = check_accepts(exercise.principal_components, np.array([[2.0, 1.0], [1.0, 2.0]]), tol=1e-3, call=call)
    check_type(values, np.ndarray, call=call, what="eigenvalues")
    check_array(np.sort(values)[::-1], np.array([3.0, 1.0]), call=call, rtol=1e-12, atol=1e-14,
                what="eigenvalues (sorted)")
    # Chapter line 418: eigenvalues (3 ± √10)/2 ≈ 3.081, −0.081; variances 2 and 1 look fine.
    # [[1, .9, .9], [.9, 1, -.9], [.9, -.9, 1]]: u = (1, −1, −1) gives C u = (−0.8, 0.8, 0.8) and
    # uᵀ C u = −2.4 < 0, so it has a negative eigenvalue although every variance is 1.
    indefinite = [[1.0, 0.9, 0.9], [0.9, 1.0, -0.9], [0.9, -0.9, 1.0]]
    bad = {"[[2, 1.5], [1.5, 1]]": CHAPTER_COV, "[[1, .9, .9], [.9, 1, -.9], [.9, -.9, 1]]": indefinite,
           "[[2, 1], [0, 2]] (not symmetric)": [[2.0, 1.0], [0.0, 2.0]],
           "[[1, 0, 0], [0, 1, 0]] (2x3)": [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], "[1, 2] (1-D)": [1.0, 2.0],
           "shape (0, 0)": np.zeros((0, 0)), "[[1, nan], [nan, 1]]": [[1.0, np.nan], [np.nan, 1.0]],
           "[[-1]]": [[-1.0]]}
    for name, C in bad.items():
        check_raises(ValueError, exercise.principal_components, np.array(C), call=f"principal_components({name})")
    check_raises(ValueError, exercise.principal_components, np.eye(2), tol=-1e-3,
                 call="principal_components(eye(2), tol=-1e-3)")


@pytest.mark.task("validates_covariance", points=1)
def test_principal_components_accepts_singular_and_rounding(exercise):
    """Accepted: the singular [[1, 1], [1, 1]] (eigenvalues 2 and 0, none negative), the rank-1 covariance of collinear data, and asymmetry at rounding level.

    ja: 受け付ける: 特異な [[1, 1], [1, 1]] (固有値は 2 と 0 で、負の値はない)、一直線上のデータの階数 1 の共分散、丸め誤差程度の非対称。
    """
    # [[1, 1], [1, 1]]: λ = 2 along (1, 1)/√2 and λ = 0 along (1, −1)/√2; a rounding negative becomes 0.
    # (Order and signs are graded in principal_components' own tests: here only what is accepted.)
    call = "principal_components([[1, 1], [1, 1]])"
    values, _ = exercise.principal_components(np.ones((2, 2)))
    check_type(values, np.ndarray, call=call, what="eigenvalues")
    check_array(np.sort(values)[::-1], np.array([2.0, 0.0]), call=call, rtol=1e-12, atol=1e-15,
                what="eigenvalues (sorted)")
    if np.any(values < 0):
        fail(f"{call}: 固有値 {values.tolist()} に負の値があります (丸め誤差による小さな負の値は 0 にします)",
             f"{call}: the eigenvalues {values.tolist()} include a negative value (rounding negatives become 0)")
    # Collinear data: x_i = t_i (1, 2, −2), so C = var(t) · (1, 2, −2)(1, 2, −2)ᵀ with var(t) by numpy.var.
    t = np.array([0.0, 1.0, 3.0, 4.0, 7.0])
    X = np.outer(t, [1.0, 2.0, -2.0]) + np.array([1.0, -1.0, 0.5])
    C = _np_cov(X)
    call = "principal_components(C)  # C: covariance of 5 collinear samples along (1, 2, -2)"
    values, _ = exercise.principal_components(C)
    check_array(np.sort(values)[::-1], np.array([9.0 * np.var(t, ddof=1), 0.0, 0.0]), call=call, rtol=1e-9,
                atol=1e-12, what="eigenvalues (sorted)")
    # Asymmetry of one rounding step: still a covariance matrix.
    C = np.array([[2.0, 1.0 + 2.0 ** -50], [1.0, 2.0]])
    values, _ = exercise.principal_components(C)
    check_array(np.sort(values)[::-1], np.array([3.0, 1.0]), call="principal_components([[2, 1 + 2**-50], [1, 2]])",
                rtol=1e-12, atol=1e-14, what="eigenvalues (sorted)")


# =============================================================================================
# explained_variance_ratio (2 points)
# =============================================================================================

@pytest.mark.task("explained_variance_ratio", points=1)
def test_explained_variance_ratio_matches_svd(exercise):
    """The eigenvalues of 40 x 4 data: ratios S_i² / Σ S_j² from the singular values, summing to 1.

    ja: 40 x 4 のデータの固有値: 寄与率が特異値の S_i² / Σ S_j² に一致し、和は 1。
    """
    values, _ = _oracle_pc(DATA4)
    _, _, S, _ = _svd(DATA4)
    expected = S ** 2 / np.sum(S ** 2)
    call = f"explained_variance_ratio({_fmt(values)})"
    out = exercise.explained_variance_ratio(values.copy())
    check_array(out, expected, call=call, rtol=1e-10, atol=1e-14,
                misconceptions=[RATIO_BY_LARGEST.gives(S ** 2 / S[0] ** 2)])
    check_float(float(np.sum(out)), 1.0, call=call, rtol=1e-12, what="sum of the ratios")


@pytest.mark.task("explained_variance_ratio", points=1)
def test_explained_variance_ratio_hand_and_errors(exercise):
    """[3, 1] gives [0.75, 0.25] and [0, 2, 6] gives [0, 0.25, 0.75] (order kept); empty, 2-D, negative, nan and all-zero input raise ValueError.

    ja: [3, 1] は [0.75, 0.25]、[0, 2, 6] は [0, 0.25, 0.75] (順序はそのまま)。空・2 次元・負・nan・すべて 0 の入力は ValueError。
    """
    # 3 / (3 + 1) = 0.75; 2 / 8 = 0.25, 6 / 8 = 0.75.
    check_array(exercise.explained_variance_ratio(np.array([3.0, 1.0])), np.array([0.75, 0.25]),
                call="explained_variance_ratio([3, 1])", rtol=1e-12,
                misconceptions=[RATIO_BY_LARGEST.gives(np.array([1.0, 1.0 / 3.0]))])
    check_array(exercise.explained_variance_ratio([0.0, 2.0, 6.0]), np.array([0.0, 0.25, 0.75]),
                call="explained_variance_ratio([0, 2, 6])", rtol=1e-12,
                misconceptions=[RATIO_BY_LARGEST.gives(np.array([0.0, 1.0 / 3.0, 1.0]))])
    bad = {"[]": [], "[[3, 1]]": [[3.0, 1.0]], "[3, -1]": [3.0, -1.0], "[nan, 1]": [np.nan, 1.0],
           "[0, 0]": [0.0, 0.0]}
    for name, lam in bad.items():
        check_raises(ValueError, exercise.explained_variance_ratio, np.array(lam),
                     call=f"explained_variance_ratio({name})")


# =============================================================================================
# pca_project (3 points)
# =============================================================================================

@pytest.mark.task("pca_project", points=2)
def test_pca_project_matches_svd(exercise):
    """Scores of 40 x 4 data on k = 1, 2, 4 components and of 25 x 3 data on k = 2: the first k columns of U S from the SVD (signs by the convention).

    ja: 40 x 4 のデータの k = 1, 2, 4 と 25 x 3 のデータの k = 2 の主成分得点が、SVD の U S の最初の k 列 (符号は規約どおり) に一致。
    """
    for X, name, ks in ((DATA4, "40x4", (1, 2, 4)), (DATA3, "25x3", (2,))):
        _, U, S, V = _svd(X)
        for k in ks:
            call = f"pca_project(X, {k})  # X: {name}"
            check_array(exercise.pca_project(X.copy(), k), U[:, :k] * S[:k], call=call, rtol=1e-7, atol=1e-9,
                        misconceptions=[PROJECT_NOT_CENTRED.gives(X @ V[:, :k])])


@pytest.mark.task("pca_project", points=1)
def test_pca_project_checks_k(exercise):
    """k = 0 or k > d raises ValueError; k = 1.0 or True raises TypeError; the scores have mean 0 and variances λ_1..λ_k.

    ja: k = 0 や k > d は ValueError、k = 1.0 や True は TypeError。得点の平均は 0、分散は λ_1..λ_k。
    """
    for k in (0, 5, -1):
        check_raises(ValueError, exercise.pca_project, DATA4, k, call=f"pca_project(X, {k})  # X: 40x4")
    for k in (1.0, True):
        check_raises(TypeError, exercise.pca_project, DATA4, k, call=f"pca_project(X, {k!r})  # X: 40x4")
    # The sample variance of score column j is w_jᵀ C w_j = λ_j (numpy.var with ddof=1 on the output).
    values, _ = _oracle_pc(DATA3)
    Z = exercise.pca_project(DATA3, 3)
    check_type(Z, np.ndarray, call="pca_project(X, 3)  # X: 25x3")
    check_array(Z.mean(axis=0), np.zeros(3), call="pca_project(X, 3)  # X: 25x3", rtol=0.0, atol=1e-10,
                what="column means of the scores")
    check_array(Z.var(axis=0, ddof=1), values, call="pca_project(X, 3)  # X: 25x3", rtol=1e-9,
                what="column variances of the scores (ddof=1)")


# =============================================================================================
# pca_reconstruct (3 points)
# =============================================================================================

@pytest.mark.task("pca_reconstruct", points=2)
def test_pca_reconstruct_matches_svd(exercise):
    """40 x 4 data with k = 1, 2, 4: X_hat = U_k S_k V_kᵀ + mean and error = Σ_{j>k} S_j² / (n − 1) from the SVD; k = d gives X back and error 0.

    ja: 40 x 4 のデータで k = 1, 2, 4: X_hat = U_k S_k V_kᵀ + 平均、誤差 = Σ_{j>k} S_j² / (n − 1) (SVD から)。k = d なら X に戻り誤差は 0。
    """
    mean, U, S, V = _svd(DATA4)
    n = DATA4.shape[0]
    for k in (1, 2, 4):
        call = f"pca_reconstruct(X, {k})  # X: 40x4"
        result = exercise.pca_reconstruct(DATA4.copy(), k)
        check_type(result, tuple, call=call)
        check_equal(len(result), 2, call=call, what="length of the returned tuple (X_hat, error)")
        X_hat, error = result
        expected = (U[:, :k] * S[:k]) @ V[:, :k].T + mean
        check_array(X_hat, expected, call=call, rtol=1e-9, atol=1e-10, what="X_hat",
                    misconceptions=[MEAN_NOT_ADDED_BACK.gives(expected - mean)])
        # ‖X_c − U_k S_k V_kᵀ‖_F² = Σ_{j>k} S_j² (the dropped singular values), divided by n − 1.
        check_float(error, float(np.sum(S[k:] ** 2) / (n - 1)), call=call, rtol=1e-8, atol=1e-10,
                    what="reconstruction error")


@pytest.mark.hidden  # not run in released notebooks / 公開版ノートブックでは実行しない
@pytest.mark.task("pca_reconstruct", points=1)
@settings(max_examples=25, **FAST_FAIL)
@given(seed=st.integers(0, 10_000), n=st.integers(3, 30), d=st.integers(1, 4), k=st.integers(1, 4),
       shift=st.floats(-100.0, 100.0))
def test_pca_reconstruct_error_is_dropped_eigenvalues(exercise, seed, n, d, k, shift):
    """Property: the reconstruction error equals the sum of the dropped eigenvalues (numpy.linalg.eigvalsh of numpy.cov) and Σ‖x − x̂‖² / (n − 1).

    ja: 性質: 再構成誤差は捨てた固有値の和 (numpy.cov の numpy.linalg.eigvalsh) と Σ‖x − x̂‖² / (n − 1) に等しい。
    """
    k = min(k, d)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * rng.uniform(0.2, 3.0, size=d) + shift
    call = f"pca_reconstruct(X, {k})  # X: {n}x{d}, seed {seed}, shift {shift!r}"
    lam = np.sort(np.linalg.eigvalsh(_np_cov(X)))[::-1]
    total = float(np.sum(lam))
    result = exercise.pca_reconstruct(X, k)
    check_type(result, tuple, call=call)
    check_equal(len(result), 2, call=call, what="length of the returned tuple (X_hat, error)")
    X_hat, error = result
    check_float(error, float(np.sum(lam[k:])), call=call, rtol=1e-7, atol=1e-9 * max(total, 1.0),
                what="reconstruction error (sum of the dropped eigenvalues)")
    check_type(X_hat, np.ndarray, call=call, what="X_hat")
    check_float(float(np.sum((X - X_hat) ** 2) / (n - 1)), float(np.sum(lam[k:])), call=call, rtol=1e-7,
                atol=1e-9 * max(total, 1.0), what="Σ‖x − x̂‖² / (n − 1) of the returned X_hat")


# =============================================================================================
# plot_pca (3 points)
# =============================================================================================

def _plot(exercise, X, name):
    call = f"plot_pca(X)  # X: {name}"
    fig = exercise.plot_pca(X)
    check_type(fig, Figure, call=call)
    if len(fig.axes) != 1:
        plt.close(fig)
        fail(f"{call}: Axes は 1 つのはずですが {len(fig.axes)} 個でした",
             f"{call}: the figure should have one Axes, got {len(fig.axes)}")
    return fig, fig.axes[0], call


@pytest.mark.task("plot_pca", points=1)
def test_plot_pca_scatter(exercise):
    """The figure has one Axes with one scatter (PathCollection) whose points are the rows of X; data that is not (n, 2) raises ValueError.

    ja: 図には Axes が 1 つあり、散布図 (PathCollection) が 1 つで、その点は X の行。(n, 2) でないデータは ValueError。
    """
    fig, ax, call = _plot(exercise, PLOT_DATA.copy(), "200x2")
    try:
        scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
        check_count(scatters, 1, call=call, what="scatter plots (PathCollection) / 散布図 (PathCollection)")
        check_array(np.asarray(scatters[0].get_offsets(), dtype=np.float64), PLOT_DATA, call=call, rtol=1e-12,
                    what="scatter points")
    finally:
        plt.close(fig)
    check_raises(ValueError, exercise.plot_pca, DATA3, call="plot_pca(X)  # X: 25x3")


def _pc_lines(ax, call):
    """The (start, end) points of the lines labelled 'PC1' and 'PC2'; fail naming what is missing."""
    found = {}
    for line in ax.lines:
        label = str(line.get_label())
        for i in (1, 2):
            if label.startswith(f"PC{i}") and not label[3:4].isdigit():
                found.setdefault(i, []).append(np.asarray(line.get_xydata(), dtype=np.float64))
    for i in (1, 2):
        if len(found.get(i, [])) != 1:
            labels = [str(line.get_label()) for line in ax.lines]
            fail(f"{call}: ラベルが 'PC{i}' で始まる線がちょうど 1 本必要ですが {len(found.get(i, []))} 本です "
                 f"(線のラベル: {labels})",
                 f"{call}: exactly one line labelled 'PC{i}...' is needed, found {len(found.get(i, []))} "
                 f"(line labels: {labels})")
    return [found[1][0], found[2][0]]


def _own_tips(exercise, X, mean) -> list[np.ndarray]:
    """Tips (2, 2) (row i: mean + √λ_i w_i) from the submission's own covariance and principal_components
    (on its own covariance and on the correct one); empty when they fail."""
    tips = []
    own_cov = own_array(exercise.covariance, X.copy(), shape=(2, 2))
    for C in ([] if own_cov is None else [own_cov]) + [_np_cov(X)]:
        result = own_result(exercise.principal_components, C)
        if not isinstance(result, tuple) or len(result) != 2:
            continue
        values = own_array(lambda: result[0], shape=(2,))
        vectors = own_array(lambda: result[1], shape=(2, 2))
        if values is not None and vectors is not None and np.all(values >= 0):
            tips.append(mean + (np.sqrt(values) * vectors).T)
    return tips


@pytest.mark.task("plot_pca", points=2)
def test_plot_pca_component_arrows(exercise):
    """Lines 'PC1' and 'PC2' go from the mean to mean + √λ_i w_i (eigenpairs from the SVD, or from the submission's own covariance and principal_components).

    ja: 'PC1' と 'PC2' の線が平均から 平均 + √λ_i w_i まで伸びる (固有対は SVD から、またはこの提出の covariance と principal_components から)。
    """
    X = PLOT_DATA
    mean = X.mean(axis=0)
    values, vectors = _oracle_pc(X)
    correct = mean + (np.sqrt(values) * vectors).T  # row i: the tip of component i
    fig, ax, call = _plot(exercise, X.copy(), "200x2")
    try:
        lines = _pc_lines(ax, call)
        for i, xy in enumerate(lines):
            if xy.shape[0] < 2:
                fail(f"{call}: 線 PC{i + 1} の点が {xy.shape[0]} 個しかありません",
                     f"{call}: line PC{i + 1} has only {xy.shape[0]} point(s)")
            check_array(xy[0], mean, call=call, rtol=1e-9, atol=1e-12, what=f"start of line PC{i + 1} (the mean)")
        ends = np.array([xy[-1] for xy in lines])
        if not np.allclose(ends, correct, rtol=1e-7, atol=1e-9):
            # The text draws the values of principal_components(covariance(X)): the submission's own values
            # are accepted too (a wrong covariance or principal_components loses points only there;
            # docs/authoring.md, figures). Called only when the correct arrows are not drawn.
            if not any(np.allclose(ends, own, rtol=1e-7, atol=1e-9) for own in _own_tips(exercise, X, mean)):
                with PC_CONVENTION:
                    check_array(ends, correct, call=call, rtol=1e-7, atol=1e-9,
                                what="tips of the lines PC1, PC2 (rows: mean + sqrt(λ_i) w_i)")
    finally:
        plt.close(fig)
