"""Graded tests for ex1_vectors (chapter section 3.1 ベクトル): cosine similarity and analogies.

Oracles: scipy.spatial.distance.cosine / cdist (similarity = 1 - distance), torch
cosine_similarity in float64, and values derived by hand (derivations in comments). Inputs with
huge or tiny entries are checked against hand-derived values, since the oracles overflow there.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from scipy.spatial import distance

from autograder.compare import (Misconception, as_left, check_accepts, check_array, check_equal, check_float,
                                check_raises, check_type, convention, fail)
from autograder.data import load_word_vectors

pytestmark = pytest.mark.exercise("ex1_vectors")
#: The exercise's title in the score table and reports (Japanese, English).
TITLE = ("ベクトルとコサイン類似度", "Vectors and cosine similarity")

#: Libraries' cosine similarities and distances.
FORBIDDEN_COSINE = (
    "scipy.spatial.distance", "scipy.spatial._distance_pybind", "scipy.spatial._distance_wrap", "sklearn",
    "torch.nn.functional.cosine_similarity", "torch.cosine_similarity", "torch.nn.CosineSimilarity",
    "torch.nn.functional.cosine_embedding_loss", "torch.nn.CosineEmbeddingLoss", "gensim",
)
#: "From scratch" rules (docs/authoring.md, autograder.core.scratch): the library calls each task's
#: code may not use, checked in the submission's code and while the task's tests run.
RULES = [
    {"task": "cosine_similarity", "forbidden": FORBIDDEN_COSINE},
    {"task": "cosine_similarity_matrix", "forbidden": FORBIDDEN_COSINE},
    {"task": "analogy", "forbidden": FORBIDDEN_COSINE},
]

# Misconceptions (docs/authoring.md): known mistakes named in a failure when the student's value is
# exactly what the mistake gives. Each value is computed below by applying the mistake to the
# test's own oracle (scipy on the first two components, a plain dot product, ...).
FIRST_TWO_COMPONENTS = Misconception(
    "first_two_components", task="cosine_similarity", lines=(223, 244), errata=True,
    ja="あなたの値は最初の 2 成分だけで計算したコサイン類似度と一致します: すべての成分を使ってください",
    en="your value equals the cosine similarity of the first two components only: use every component")
NORMS_OVERFLOW = Misconception(
    "norms_overflow", task="cosine_similarity", lines=(134, 134),
    ja="あなたの値は dot(a, b) / (norm(a) * norm(b)) をそのまま float64 で計算した値と一致します (ノルムや内積が"
       "オーバーフロー・アンダーフローしています): 先に各ベクトルを成分の絶対値の最大値で割ってください",
    en="your value equals dot(a, b) / (norm(a) * norm(b)) computed as is in float64, where the norms or the dot "
       "product overflow or underflow: divide each vector by its largest absolute entry first")
MATRIX_TRANSPOSED = Misconception(
    "similarity_matrix_transposed", task="cosine_similarity_matrix",
    ja="あなたの結果は正しい行列の転置 (形 (n, m)) と一致します: (i, j) 成分は A の i 行目と B の j 行目の類似度です",
    en="your result equals the transpose of the right matrix, shape (n, m): entry (i, j) is the similarity of "
       "row i of A with row j of B")
MATRIX_RAW_DOT = Misconception(
    "similarity_matrix_raw_dot", task="cosine_similarity_matrix", lines=(146, 151),
    ja="あなたの結果は A @ B.T (行どうしの内積そのもの) と一致します: 内積は長さに比例するので、"
       "各行のノルムで割ってコサイン類似度にしてください",
    en="your result equals A @ B.T, the raw dot products of the rows: a dot product grows with length, so "
       "divide by both rows' norms to get cosine similarities")
DOT_PRODUCT_RANKING = Misconception(
    "dot_product_not_cosine", task="analogy",
    ja="あなたの類似度 (または順位) は v[a] - v[b] + v[c] との内積そのものと一致します: "
       "内積を 2 つのノルムで割ったコサイン類似度で比べてください",
    en="your similarities (or ranking) equal the plain dot product with v[a] - v[b] + v[c]: divide it by both "
       "norms to compare by cosine similarity")
KEEPS_INPUTS = Misconception(
    "analogy_keeps_inputs", task="analogy", lines=(131, 135), errata=True,
    ja="あなたの結果は入力の 3 語も候補に残したときの順位と一致します: exclude_inputs=True (既定) では a, b, c を候補から除いてください",
    en="your result equals the ranking with the three input words kept as candidates: with exclude_inputs=True "
       "(the default) leave a, b and c out")
TIES_BY_INSERTION = Misconception(
    "ties_in_insertion_order", task="analogy",
    ja="あなたの順位は類似度だけで並べ、同点を辞書に入った順のまま残したものと一致します: "
       "同点は単語の昇順に並べてください (キー (-類似度, 単語))",
    en="your ranking equals sorting by similarity only, which leaves ties in the dictionary's order: break ties "
       "by word, ascending (sort key (-similarity, word))")
TARGET_IN_PLACE = Misconception(
    "target_computed_in_place", task="analogy",
    ja="呼び出し後の word_vectors[a] が v[a] - v[b] + v[c] と一致します: コピーしていない word_vectors[a] に "
       "-= や += を使うと呼び出し元の配列が書き換わります。新しい配列を作ってください",
    en="after the call word_vectors[a] equals v[a] - v[b] + v[c]: -= and += on word_vectors[a] (not a copy) "
       "change the caller's array; compute the target as a new array")
#: The catalogue of known mistakes (docs/authoring.md, "Misconceptions").
MISCONCEPTIONS = [FIRST_TWO_COMPONENTS, NORMS_OVERFLOW, MATRIX_TRANSPOSED, MATRIX_RAW_DOT, DOT_PRODUCT_RANKING, KEEPS_INPUTS,
                  TIES_BY_INSERTION, TARGET_IN_PLACE]


# ---------------------------------------------------------------------------------------------
# helpers (oracles and checks; they never call the code under test's helpers)
# ---------------------------------------------------------------------------------------------

def _scipy_cos(u, v) -> float:
    """Oracle: cosine similarity = 1 - scipy's cosine distance (moderate values only)."""
    return 1.0 - distance.cosine(np.asarray(u, dtype=np.float64), np.asarray(v, dtype=np.float64))


def _check_in_bounds(value, *, call: str) -> None:
    """Fail unless ``value`` (already checked to be a float) lies in [-1, 1]."""
    x = float(np.float64(value))
    if not -1.0 <= x <= 1.0:
        fail(
            f"{call} の戻り値 {x!r} が [-1, 1] の範囲外です (丸め誤差を np.clip で切り詰めてください)。",
            f"{call} returned {x!r}, outside [-1, 1] (clip the rounding error with np.clip).",
        )


def _naive_cos(a, b) -> float:
    """NORMS_OVERFLOW applied to the input: the chapter's formula (line 134) in plain float64, clipped."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    with np.errstate(all="ignore"):
        return float(np.clip(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)), -1.0, 1.0))


def _ranked(vocab, words, score, topn: int) -> list:
    """[(word, score(vocab[word]))] for ``words``, highest score first, ties by word, cut to ``topn``."""
    scored = sorted(((w, score(vocab[w])) for w in words), key=lambda p: (-p[1], p[0]))
    return scored[:topn]


def _analogy_mistakes(vocab, a, b, c, topn: int, *, exclude_inputs: bool = True) -> list:
    """What DOT_PRODUCT_RANKING and KEEPS_INPUTS give for analogy(vocab, a, b, c, topn, exclude_inputs):
    the oracle's ranking by the plain dot product, and by cosine with the input words kept."""
    target = vocab[a] - vocab[b] + vocab[c]
    candidates = [w for w in vocab if not (exclude_inputs and w in (a, b, c))]
    mistakes = [(DOT_PRODUCT_RANKING, _ranked(vocab, candidates, lambda v: float(np.dot(target, v)), topn))]
    if exclude_inputs:
        mistakes.append((KEEPS_INPUTS, _ranked(vocab, list(vocab), lambda v: _scipy_cos(target, v), topn)))
    return mistakes


def _check_ranking(out, expected, *, call: str, rtol: float = 1e-12, atol: float = 1e-15, mistakes=()) -> None:
    """Check an analogy result: a list of (str, float) tuples with the expected words and values.

    ``mistakes``: (Misconception, ranking) pairs, the list of (word, value) a known mistake gives for
    this call; it is named when the result's length, words or a value are what that mistake gives.
    """
    check_type(out, list, call=call)
    check_equal(len(out), len(expected), call=call, what="length of the result / 結果の長さ",
                misconceptions=[m.gives(len(r)) for m, r in mistakes])
    for i, item in enumerate(out):
        check_type(item, tuple, call=call, what=f"item {i} / 要素 {i}")
        check_equal(len(item), 2, call=call, what=f"length of item {i} / 要素 {i} の長さ")
    check_equal([item[0] for item in out], [w for w, _ in expected], call=call,
                what="ranked words / 順位付けされた単語",
                misconceptions=[m.gives([w for w, _ in r]) for m, r in mistakes])
    for i, (item, (word, sim)) in enumerate(zip(out, expected)):
        check_float(item[1], sim, call=call, rtol=rtol, atol=atol,
                    what=f"similarity of {word!r} (item {i}) / {word!r} の類似度",
                    misconceptions=[m.gives(r[i][1]) for m, r in mistakes if i < len(r) and r[i][0] == word])


# Vectors v for which the unclipped formula gives cos(v, v) = 1.0000000000000002 and
# cos(v, -v) = -1.0000000000000002 in float64 (found by search; checked for the plain formula,
# the max-abs-rescaled formula, the normalise-first formula and the unit-rows matrix formula).
_ROUNDS_PAST_ONE = [
    [-4.0, 3.4],
    [-1.1, 8.6],
    [8.3, -7.5],
    [-2.2, -0.7],
    [-0.3, -0.5],
    [0.1, 6.3],
    [3.5, 3.1],
]

# Hypothesis strategy: entries either 0 or of magnitude in [1e-3, 1e3], at least one non-zero.
# (Bounded so that scaling by 10**±250 neither overflows nor underflows to a different vector.)
_entry = st.one_of(
    st.just(0.0),
    st.floats(min_value=1e-3, max_value=1e3),
    st.floats(min_value=-1e3, max_value=-1e-3),
)


def _pair(min_size: int = 1, max_size: int = 6):
    return st.integers(min_size, max_size).flatmap(
        lambda d: st.tuples(st.lists(_entry, min_size=d, max_size=d), st.lists(_entry, min_size=d, max_size=d))
    ).filter(lambda ab: any(ab[0]) and any(ab[1]))


# ---------------------------------------------------------------------------------------------
# cosine_similarity (9 points)
# ---------------------------------------------------------------------------------------------

@pytest.mark.task("cosine_similarity", points=1)
def test_cosine_chapter_examples(exercise):
    """Chapter 3.1 word vectors and the 3-4-5 example match scipy and hand-derived values.

    ja: 本文 3.1 の単語ベクトルと 3-4-5 の例が scipy と手計算の値に一致する。
    """
    wv = load_word_vectors()
    target = wv["king"] - wv["man"] + wv["woman"]
    # king - man + woman equals queen up to ~1.1e-16 per component (see ERRATA 131-135), so the
    # similarity is 1 up to rounding.
    out = exercise.cosine_similarity(target, wv["queen"])
    check_float(out, 1.0, call="cosine_similarity(king - man + woman, queen)", rtol=0.0, atol=1e-15)
    for w1, w2 in [("king", "queen"), ("king", "woman"), ("man", "woman"), ("queen", "prince"),
                   ("man", "princess")]:
        out = exercise.cosine_similarity(wv[w1], wv[w2])
        check_float(out, _scipy_cos(wv[w1], wv[w2]), call=f"cosine_similarity({w1}, {w2})",
                    rtol=1e-12, atol=1e-15,
                    misconceptions=[FIRST_TWO_COMPONENTS.gives(_scipy_cos(wv[w1][:2], wv[w2][:2]))])
    # By hand: (3, 4) . (4, 3) = 24, |(3, 4)| = |(4, 3)| = 5, so cos = 24 / 25 = 0.96.
    out = exercise.cosine_similarity(np.array([3.0, 4.0]), np.array([4.0, 3.0]))
    check_float(out, 0.96, call="cosine_similarity([3, 4], [4, 3])", rtol=1e-14, atol=0.0)
    # Lists are array_like too; integers are converted to float64.
    out = exercise.cosine_similarity([3, 4], [4, 3])
    check_float(out, 0.96, call="cosine_similarity([3, 4], [4, 3]) (Python lists of int)", rtol=1e-14)


@pytest.mark.task("cosine_similarity", points=1)
def test_cosine_matches_oracles_random(exercise):
    """Random float64 vectors of several lengths match scipy's and torch's cosine similarity.

    ja: いろいろな長さの float64 の乱数ベクトルで scipy と torch のコサイン類似度に一致する。
    """
    rng = np.random.default_rng(0)
    for d in (1, 2, 3, 5, 16, 300):
        for trial in range(3):
            a = rng.normal(size=d) * rng.uniform(0.1, 10.0)
            b = rng.normal(size=d) * rng.uniform(0.1, 10.0)
            if trial == 2:
                b = b + 3.0 * a  # a correlated pair (similarity near 1)
            call = f"cosine_similarity(a, b) with d={d}, default_rng(0) trial {trial}"
            out = exercise.cosine_similarity(a, b)
            check_float(out, _scipy_cos(a, b), call=call, rtol=1e-12, atol=1e-14,
                        misconceptions=[FIRST_TWO_COMPONENTS.gives(_scipy_cos(a[:2], b[:2]))] if d > 2 else ())
            expected_torch = torch.nn.functional.cosine_similarity(
                torch.from_numpy(a), torch.from_numpy(b), dim=0
            ).item()
            check_float(out, expected_torch, call=call + " (torch oracle)", rtol=1e-12, atol=1e-14)


@pytest.mark.task("cosine_similarity", points=1)
def test_cosine_orthogonal_opposite_parallel(exercise):
    """Exact geometry: orthogonal 0, opposite -1, parallel 1, 45 and 60 degree angles.

    ja: 厳密な幾何: 直交は 0、逆向きは -1、平行は 1、45 度と 60 度の角。
    """
    cases = [
        # (a, b, expected, derivation)
        ([1.0, 0.0, 0.0], [0.0, 2.0, 0.0], 0.0, "orthogonal axes: dot = 0"),
        ([1.0, 2.0], [-2.0, 1.0], 0.0, "rotation by 90 degrees: 1*(-2) + 2*1 = 0"),
        ([1.0, 2.0, 3.0], [-2.0, -4.0, -6.0], -1.0, "b = -2a: opposite direction"),
        ([1.0, 2.0, 3.0], [0.5, 1.0, 1.5], 1.0, "b = a/2: same direction"),
        ([2.0], [-3.0], -1.0, "d = 1: 2*(-3) / (2*3) = -1"),
        ([1.0, 0.0], [1.0, 1.0], math.sqrt(0.5), "45 degrees: 1 / (1*sqrt(2)) = sqrt(1/2)"),
        ([1.0, 0.0], [1.0, math.sqrt(3.0)], 0.5, "60 degrees: 1 / (1*2) = 1/2"),
    ]
    for a, b, expected, why in cases:
        out = exercise.cosine_similarity(np.array(a), np.array(b))
        check_float(out, expected, call=f"cosine_similarity({a}, {b})  [{why}]", rtol=1e-14, atol=1e-15)


@pytest.mark.task("cosine_similarity", points=2)
def test_cosine_huge_and_tiny_magnitudes(exercise):
    """Entries like 1e200 and 1e-200 neither overflow nor underflow (hand-derived values).

    ja: 1e200 や 1e-200 のような成分でもオーバーフロー・アンダーフローしない (手計算の値)。
    """
    cases = [
        # 3-4-5 triangle: (3, 4) . (4, 3) = 24, norms 5 and 5 -> 24/25, at any positive scale.
        (np.array([3e200, 4e200]), np.array([4e200, 3e200]), 0.96, "24/25 at scale 1e200"),
        (np.array([3e-200, 4e-200]), np.array([4e-200, 3e-200]), 0.96, "24/25 at scale 1e-200"),
        (np.array([3e200, 4e200]), np.array([4e-200, 3e-200]), 0.96, "24/25, scales 1e200 and 1e-200"),
        # (1, 2, 3) . (4, 5, 6) = 32, |.|^2 = 14 and 77 -> 32 / sqrt(1078).
        (np.array([1e200, 2e200, 3e200]), np.array([4e-200, 5e-200, 6e-200]), 32.0 / math.sqrt(1078.0),
         "32/sqrt(14*77), scales 1e200 and 1e-200"),
        # Parallel and opposite at extreme scales.
        (np.array([1e200, -2e200]), np.array([1e200, -2e200]), 1.0, "a = b at scale 1e200"),
        (np.array([1e-200, -2e-200]), np.array([-1e-200, 2e-200]), -1.0, "b = -a at scale 1e-200"),
        # Orthogonal at extreme scale: dot = 0 exactly.
        (np.array([1e200, 0.0]), np.array([0.0, 1e-200]), 0.0, "orthogonal axes, 1e200 and 1e-200"),
        # (1e200, 1e-200) vs (1, 0): cos = 1e200 / sqrt(1e400 + 1e-400) = 1 / sqrt(1 + 1e-800) = 1.
        (np.array([1e200, 1e-200]), np.array([1.0, 0.0]), 1.0, "mixed 1e200 and 1e-200 entries"),
    ]
    for a, b, expected, why in cases:
        out = exercise.cosine_similarity(a, b)
        check_float(out, expected, call=f"cosine_similarity({a.tolist()}, {b.tolist()})  [{why}]",
                    rtol=1e-14, atol=1e-15, misconceptions=[NORMS_OVERFLOW.gives(_naive_cos(a, b))])


@pytest.mark.task("cosine_similarity", points=1)
def test_cosine_clipped_to_bounds(exercise):
    """Vectors whose unclipped cosine rounds to 1.0000000000000002 still give a value in [-1, 1].

    ja: クリップしないと 1.0000000000000002 に丸まるベクトルでも値は [-1, 1] に入る。
    """
    for v in _ROUNDS_PAST_ONE:
        a = np.array(v)
        call = f"cosine_similarity({v}, {v})"
        out = exercise.cosine_similarity(a, a.copy())
        check_float(out, 1.0, call=call, rtol=0.0, atol=5e-16)
        _check_in_bounds(out, call=call)
        call = f"cosine_similarity({v}, -{v})"
        out = exercise.cosine_similarity(a, -a)
        check_float(out, -1.0, call=call, rtol=0.0, atol=5e-16)
        _check_in_bounds(out, call=call)


@pytest.mark.hidden  # not run in released notebooks / 公開版ノートブックでは実行しない
@pytest.mark.task("cosine_similarity", points=1)
@given(ab=_pair())
def test_cosine_symmetry_sign_and_bounds(exercise, ab):
    """Property: cos(a, b) = cos(b, a), cos(-a, b) = -cos(a, b), and the value is in [-1, 1].

    ja: 性質: cos(a, b) = cos(b, a)、cos(-a, b) = -cos(a, b)、値は [-1, 1]。
    """
    a, b = np.array(ab[0]), np.array(ab[1])
    expected = _scipy_cos(a, b)
    call = f"cosine_similarity({a.tolist()}, {b.tolist()})"
    ab_val = exercise.cosine_similarity(a, b)
    check_float(ab_val, expected, call=call, rtol=1e-12, atol=1e-14)
    _check_in_bounds(ab_val, call=call)
    ba_val = exercise.cosine_similarity(b, a)
    check_float(ba_val, float(ab_val), call=f"cosine_similarity(b, a) vs cosine_similarity(a, b) for {call}",
                rtol=0.0, atol=1e-15, what="symmetric value / 対称性")
    neg_val = exercise.cosine_similarity(-a, b)
    check_float(neg_val, -float(ab_val), call=f"cosine_similarity(-a, b) vs -cosine_similarity(a, b) for {call}",
                rtol=0.0, atol=1e-15, what="sign flip / 符号反転")
    _check_in_bounds(neg_val, call="cosine_similarity(-a, b)")


@pytest.mark.hidden  # not run in released notebooks / 公開版ノートブックでは実行しない
@pytest.mark.task("cosine_similarity", points=1)
@given(ab=_pair(), exponent=st.integers(-250, 250), mantissa=st.floats(1.0, 9.0))
def test_cosine_scale_invariance(exercise, ab, exponent, mantissa):
    """Property: cos(s*a, b) = cos(a, b) for positive s = m * 10**k, |k| <= 250 (no overflow).

    ja: 性質: 正の s = m * 10**k (|k| <= 250) で cos(s*a, b) = cos(a, b) (オーバーフローしない)。
    """
    a, b = np.array(ab[0]), np.array(ab[1])
    s = mantissa * 10.0**exponent
    expected = _scipy_cos(a, b)  # oracle on the unscaled, moderate vectors
    call = f"cosine_similarity({s!r} * {a.tolist()}, {b.tolist()})"
    check_float(exercise.cosine_similarity(s * a, b), expected, call=call, rtol=1e-12, atol=1e-14)
    call = f"cosine_similarity({a.tolist()}, {s!r} * {b.tolist()})"
    check_float(exercise.cosine_similarity(a, s * b), expected, call=call, rtol=1e-12, atol=1e-14)


@pytest.mark.task("cosine_similarity", points=1)
def test_cosine_bad_input_raises(exercise):
    """Zero vectors, mismatched lengths and non-1-D inputs raise ValueError; one valid call gives scipy's value.

    ja: ゼロベクトル、長さの不一致、1 次元でない入力は ValueError。正しい入力での呼び出し 1 回は scipy の値になる。
    """
    f = exercise.cosine_similarity
    ok = np.array([1.0, 2.0, 3.0])
    # By hand: (1, 2, 3) . (3, 2, 1) = 10, both norms sqrt(14), so cos = 10/14 (scipy gives the same).
    call = "cosine_similarity([1, 2, 3], [3, 2, 1])"
    check_float(check_accepts(f, ok, np.array([3.0, 2.0, 1.0]), call=call), _scipy_cos(ok, [3.0, 2.0, 1.0]),
                call=call, rtol=1e-12, atol=1e-14)
    check_raises(ValueError, f, np.zeros(3), ok, call="cosine_similarity(zeros(3), [1, 2, 3])")
    check_raises(ValueError, f, ok, np.zeros(3), call="cosine_similarity([1, 2, 3], zeros(3))")
    check_raises(ValueError, f, np.array([0.0, -0.0]), np.array([1.0, 1.0]),
                 call="cosine_similarity([0.0, -0.0], [1, 1])")
    check_raises(ValueError, f, ok, np.array([1.0, 2.0]), call="cosine_similarity([1, 2, 3], [1, 2])")
    check_raises(ValueError, f, np.array([1.0, 2.0]), ok, call="cosine_similarity([1, 2], [1, 2, 3])")
    m = np.array([[1.0, 2.0], [3.0, 4.0]])
    check_raises(ValueError, f, m, m.copy(), call="cosine_similarity(2x2 matrix, 2x2 matrix)")
    check_raises(ValueError, f, ok.reshape(1, 3), ok, call="cosine_similarity(shape (1, 3), shape (3,))")
    check_raises(ValueError, f, np.float64(2.0), np.float64(3.0), call="cosine_similarity(2.0, 3.0) (0-D)")


# ---------------------------------------------------------------------------------------------
# cosine_similarity_matrix (5 points)
# ---------------------------------------------------------------------------------------------

@pytest.mark.task("cosine_similarity_matrix", points=2)
def test_matrix_matches_scipy_and_torch(exercise):
    """(m, n) result equals 1 - scipy cdist cosine and torch cosine_similarity (float64).

    ja: (m, n) の結果が 1 - scipy cdist の cosine と torch の cosine_similarity (float64) に等しい。
    """
    rng = np.random.default_rng(0)
    wv = load_word_vectors()
    words = list(wv)
    cases = [
        (rng.normal(size=(4, 7)), rng.normal(size=(3, 7)), "default_rng(0) A (4, 7), B (3, 7)"),
        (rng.normal(size=(1, 5)) * 20.0, rng.normal(size=(6, 5)) * 0.05, "A (1, 5), B (6, 5)"),
        (rng.normal(size=(5, 1)), rng.normal(size=(2, 1)), "d = 1: A (5, 1), B (2, 1)"),
        (rng.normal(size=(3, 300)), rng.normal(size=(2, 300)), "d = 300: A (3, 300), B (2, 300)"),
        (np.stack([wv[w] for w in words]), np.stack([wv[w] for w in words[:3]]),
         "chapter word vectors (6, 4) x first three (3, 4)"),
    ]
    for A, B, what in cases:
        call = f"cosine_similarity_matrix(A, B) with {what}"
        out = exercise.cosine_similarity_matrix(A, B)
        expected = 1.0 - distance.cdist(A, B, metric="cosine")
        check_array(out, expected, call=call, rtol=1e-12, atol=1e-14,
                    misconceptions=[MATRIX_TRANSPOSED.gives(expected.T), MATRIX_RAW_DOT.gives(A @ B.T)])
        expected_torch = torch.nn.functional.cosine_similarity(
            torch.from_numpy(A)[:, None, :], torch.from_numpy(B)[None, :, :], dim=-1
        ).numpy()
        check_array(out, expected_torch, call=call + " (torch oracle)", rtol=1e-12, atol=1e-14)
    # No rows (m = 0 or n = 0): the empty (m, n) array the docstring promises.
    B = rng.normal(size=(2, 3))
    check_array(exercise.cosine_similarity_matrix(np.zeros((0, 3)), B), np.zeros((0, 2)),
                call="cosine_similarity_matrix(A (0, 3), B (2, 3))")
    check_array(exercise.cosine_similarity_matrix(B, np.zeros((0, 3))), np.zeros((2, 0)),
                call="cosine_similarity_matrix(A (2, 3), B (0, 3))")


@pytest.mark.task("cosine_similarity_matrix", points=1)
def test_matrix_huge_and_tiny_rows(exercise):
    """Rows with entries like 1e200 and 1e-200 give the hand-derived similarities.

    ja: 1e200 や 1e-200 のような成分の行で手計算の類似度になる。
    """
    A = np.array([[3e200, 4e200], [3e-200, 4e-200], [1e200, 1e-200]])
    B = np.array([[4e-200, 3e-200], [-4e200, -3e200], [0.0, 1e-200]])
    # Directions: A rows ~ (3, 4), (3, 4), (1, 0); B rows ~ (4, 3), -(4, 3), (0, 1).
    # (3,4).(4,3) / 25 = 24/25; (1,0).(4,3) / 5 = 4/5; (3,4).(0,1) / 5 = 4/5; (1,0).(0,1) = 0
    # (the 1e-200 in A's last row adds 1e-400 relative, i.e. nothing in float64).
    expected = np.array([
        [0.96, -0.96, 0.8],
        [0.96, -0.96, 0.8],
        [0.8, -0.8, 0.0],
    ])
    out = exercise.cosine_similarity_matrix(A, B)
    check_array(out, expected, call="cosine_similarity_matrix(rows at scale 1e200 and 1e-200)",
                rtol=1e-14, atol=1e-15, misconceptions=[MATRIX_TRANSPOSED.gives(expected.T)])


@pytest.mark.task("cosine_similarity_matrix", points=1)
def test_matrix_clipped_to_bounds(exercise):
    """Rows whose unclipped cosine rounds past +-1 still give entries in [-1, 1].

    ja: クリップしないと ±1 を超えて丸まる行でも成分は [-1, 1] に入る。
    """
    V = np.array(_ROUNDS_PAST_ONE)
    A = np.concatenate([V, -V])
    out = exercise.cosine_similarity_matrix(A, V)
    n = len(V)
    call = f"cosine_similarity_matrix([V; -V], V) with V = {V.tolist()}"
    check_array(out, 1.0 - distance.cdist(A, V, metric="cosine"), call=call, rtol=1e-12, atol=1e-14)
    diag = np.concatenate([np.diag(out[:n]), np.diag(out[n:])])
    check_array(diag, np.r_[np.ones(n), -np.ones(n)], call=call, rtol=0.0, atol=5e-16,
                what="entries of a row with itself and with its negative / 自分自身・符号反転との類似度")
    worst = float(np.max(np.abs(out)))
    if worst > 1.0:
        fail(
            f"{call} の要素 {worst!r} の絶対値が 1 を超えています (np.clip で [-1, 1] に切り詰めてください)。",
            f"{call} has an entry of absolute value {worst!r} > 1 (clip to [-1, 1] with np.clip).",
        )


@pytest.mark.task("cosine_similarity_matrix", points=1)
def test_matrix_bad_input_raises(exercise):
    """Zero rows, mismatched d, d = 0 and non-2-D inputs raise ValueError; one valid call matches scipy.

    ja: ゼロの行、d の不一致、d = 0、2 次元でない入力は ValueError。正しい入力での呼び出し 1 回は scipy に一致する。
    """
    f = exercise.cosine_similarity_matrix
    A = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    call = "cosine_similarity_matrix(A (2, 3), ones((2, 3)))"
    check_array(check_accepts(f, A, np.ones((2, 3)), call=call),
                1.0 - distance.cdist(A, np.ones((2, 3)), metric="cosine"), call=call, rtol=1e-12, atol=1e-14)
    check_raises(ValueError, f, np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]), A,
                 call="cosine_similarity_matrix(A with a zero row, B)")
    check_raises(ValueError, f, A, np.array([[0.0, 0.0, 0.0]]),
                 call="cosine_similarity_matrix(A, B with a zero row)")
    check_raises(ValueError, f, A, np.ones((2, 4)), call="cosine_similarity_matrix(A (2, 3), B (2, 4))")
    check_raises(ValueError, f, np.array([1.0, 2.0, 3.0]), A, call="cosine_similarity_matrix(1-D A, B)")
    check_raises(ValueError, f, A, np.ones((2, 2, 3)), call="cosine_similarity_matrix(A, 3-D B)")
    # 3-D arrays whose axis 1 has d = 3 entries too (matmul would broadcast them without an error).
    check_raises(ValueError, f, A, np.ones((2, 3, 3)), call="cosine_similarity_matrix(A (2, 3), B (2, 3, 3))")
    check_raises(ValueError, f, np.ones((2, 3, 3)), A, call="cosine_similarity_matrix(A (2, 3, 3), B (2, 3))")
    check_raises(ValueError, f, np.ones((2, 0)), np.ones((3, 0)), call="cosine_similarity_matrix(A (2, 0), B (3, 0))  # d = 0")


# ---------------------------------------------------------------------------------------------
# analogy (6 points)
# ---------------------------------------------------------------------------------------------

@pytest.mark.task("analogy", points=2)
def test_analogy_chapter_king_man_woman(exercise):
    """king - man + woman: queen first; excluding inputs, the ranking is queen, princess, prince.

    ja: king - man + woman: 1 位は queen。入力を除くと順位は queen, princess, prince。
    """
    wv = load_word_vectors()
    target = wv["king"] - wv["man"] + wv["woman"]
    expected = [(w, _scipy_cos(target, wv[w])) for w in ("queen", "princess", "prince")]
    # scipy gives queen 1.0, princess 0.99620, prince 0.89627 (king/man/woman are excluded).
    out = exercise.analogy(wv, "king", "man", "woman", topn=3)
    _check_ranking(out, expected, call='analogy(word_vectors, "king", "man", "woman", topn=3)',
                   mistakes=_analogy_mistakes(wv, "king", "man", "woman", 3))
    out = exercise.analogy(wv, "king", "man", "woman")
    _check_ranking(out, expected[:1], call='analogy(word_vectors, "king", "man", "woman")',
                   mistakes=_analogy_mistakes(wv, "king", "man", "woman", 1))
    # The other direction: queen - woman + man = king exactly in real arithmetic as well.
    target = wv["queen"] - wv["woman"] + wv["man"]
    ranked = sorted(("king", "prince", "princess"), key=lambda w: -_scipy_cos(target, wv[w]))
    expected = [(w, _scipy_cos(target, wv[w])) for w in ranked]
    out = exercise.analogy(wv, "queen", "woman", "man", topn=3)
    _check_ranking(out, expected, call='analogy(word_vectors, "queen", "woman", "man", topn=3)',
                   mistakes=_analogy_mistakes(wv, "queen", "woman", "man", 3))


@pytest.mark.task("analogy", points=1)
def test_analogy_without_excluding_inputs(exercise):
    """exclude_inputs=False ranks all six words, so woman comes right after princess.

    ja: exclude_inputs=False では 6 語すべてを並べ、woman は princess のすぐ後。
    """
    wv = load_word_vectors()
    target = wv["king"] - wv["man"] + wv["woman"]
    # scipy: queen 1.0, princess 0.9962, woman 0.9835, king 0.9113, prince 0.8963, man 0.8527.
    ranked = ["queen", "princess", "woman", "king", "prince", "man"]
    expected = [(w, _scipy_cos(target, wv[w])) for w in ranked]
    out = exercise.analogy(wv, "king", "man", "woman", topn=6, exclude_inputs=False)
    _check_ranking(out, expected,
                   call='analogy(word_vectors, "king", "man", "woman", topn=6, exclude_inputs=False)',
                   mistakes=_analogy_mistakes(wv, "king", "man", "woman", 6, exclude_inputs=False))


@pytest.mark.task("analogy", points=1)
def test_analogy_ranks_by_cosine_with_word_tiebreak(exercise):
    """Ranking uses cosine (not dot product); equal similarities are ordered by word.

    ja: 順位はコサイン類似度 (内積ではない) で決まり、同点は単語順。
    """
    # x - y + z = (1, 1, 0) - (0, 1, 1) + (0, 0, 1) = (1, 0, 0), a unit vector e1.
    # Candidates (inserted out of order on purpose) and their cosine with e1, derived by hand:
    #   beta  (3, 0, 0)    -> 1 exactly      (dot 3)
    #   alpha (2, 0, 0)    -> 1 exactly      (dot 2)   tie with beta -> alpha first
    #   long  (10, 100, 0) -> 10 / sqrt(10100) = 1 / sqrt(101) ~ 0.0995   (dot 10: the largest)
    #   gamma (0, 7, 0)    -> 0 exactly
    #   delta (0, 0, 5)    -> 0 exactly      tie with gamma -> delta first
    #   omega (-4, 0, 0)   -> -1 exactly
    vocab = {
        "x": np.array([1.0, 1.0, 0.0]),
        "y": np.array([0.0, 1.0, 1.0]),
        "z": np.array([0.0, 0.0, 1.0]),
        "omega": np.array([-4.0, 0.0, 0.0]),
        "gamma": np.array([0.0, 7.0, 0.0]),
        "beta": np.array([3.0, 0.0, 0.0]),
        "long": np.array([10.0, 100.0, 0.0]),
        "delta": np.array([0.0, 0.0, 5.0]),
        "alpha": np.array([2.0, 0.0, 0.0]),
    }
    expected = [("alpha", 1.0), ("beta", 1.0), ("long", 1.0 / math.sqrt(101.0)),
                ("delta", 0.0), ("gamma", 0.0), ("omega", -1.0)]
    # Known mistakes, applied to the hand-derived values: the same sort with the dot product x - y + z . v
    # (exact here) as the key, and the sort by similarity alone, which leaves the ties alpha/beta and
    # delta/gamma in the dictionary's order (Python's sort is stable).
    cosine = dict(expected)
    by_similarity_only = sorted(((w, cosine[w]) for w in vocab if w in cosine), key=lambda p: -p[1])
    mistakes = [_analogy_mistakes(vocab, "x", "y", "z", 6)[0], (TIES_BY_INSERTION, by_similarity_only)]
    out = exercise.analogy(vocab, "x", "y", "z", topn=6)
    with convention("コサイン類似度の降順に並べ、同点は単語の昇順 (alpha が beta より先)",
                    "sorted by cosine similarity, highest first; ties by word, ascending (alpha before beta)"):
        _check_ranking(out, expected, call='analogy(vocab, "x", "y", "z", topn=6)', rtol=1e-14, atol=1e-15,
                       mistakes=mistakes)


@pytest.mark.task("analogy", points=1)
def test_analogy_bad_input_raises(exercise):
    """Unknown words raise a KeyError naming the word; topn < 1, a zero target v[a] - v[b] + v[c] and an invalid candidate vector (message naming the word) raise ValueError; a topn that is not an int (or is a bool) raises TypeError. One valid call gives scipy's ranking.

    ja: 語彙にない単語はその単語を含む KeyError、topn < 1、v[a] - v[b] + v[c] がゼロ、不正な候補ベクトル (メッセージにその単語) は ValueError、整数でない (または bool の) topn は TypeError。正しい入力での呼び出し 1 回は scipy の順位になる。
    """
    wv = load_word_vectors()
    f = exercise.analogy
    # The valid call: queen first (scipy: cosine 1.0 with king - man + woman), as in the chapter.
    call = 'analogy(word_vectors, "king", "man", "woman", topn=1)'
    _check_ranking(check_accepts(f, wv, "king", "man", "woman", topn=1, call=call),
                   [("queen", _scipy_cos(wv["king"] - wv["man"] + wv["woman"], wv["queen"]))], call=call)
    check_raises(KeyError, f, wv, "emperor", "man", "woman",
                 call='analogy(word_vectors, "emperor", "man", "woman")', match="emperor")
    check_raises(KeyError, f, wv, "king", "boy", "woman",
                 call='analogy(word_vectors, "king", "boy", "woman")', match="boy")
    check_raises(KeyError, f, wv, "king", "man", "girl",
                 call='analogy(word_vectors, "king", "man", "girl")', match="girl")
    check_raises(ValueError, f, wv, "king", "man", "woman", topn=0,
                 call='analogy(word_vectors, "king", "man", "woman", topn=0)')
    # The target v[a] - v[b] + v[c] is the zero vector: (1, 0) - (2, 0) + (1, 0) = (0, 0); "w" is a candidate.
    vocab = {"x": np.array([1.0, 0.0]), "y": np.array([2.0, 0.0]), "z": np.array([1.0, 0.0]),
             "w": np.array([0.0, 1.0])}
    check_raises(ValueError, f, vocab, "x", "y", "z", call='analogy(vocab, "x", "y", "z")  # zero target')
    check_raises(ValueError, f, wv, "king", "man", "woman", topn=-2,
                 call='analogy(word_vectors, "king", "man", "woman", topn=-2)')
    for topn in (1.5, 2.0, "2", True):
        check_raises(TypeError, f, wv, "king", "man", "woman", topn=topn,
                     call=f'analogy(word_vectors, "king", "man", "woman", topn={topn!r})')
    # An invalid candidate vector (zero, or of another length): ValueError whose message names the word.
    # Target (1, 1, 0) - (0, 1, 1) + (0, 0, 1) = (1, 0, 0), not zero.
    base = {"x": np.array([1.0, 1.0, 0.0]), "y": np.array([0.0, 1.0, 1.0]), "z": np.array([0.0, 0.0, 1.0]),
            "w": np.array([1.0, 2.0, 3.0])}
    for bad, vector in (("nullword", np.zeros(3)), ("shortword", np.array([1.0, 2.0]))):
        check_raises(ValueError, f, {**base, bad: vector}, "x", "y", "z", topn=5, match=bad,
                     call=f'analogy(vocab with {bad!r}: {vector.tolist()}, "x", "y", "z", topn=5)')


@pytest.mark.task("analogy", points=1)
def test_analogy_topn_and_inputs_untouched(exercise):
    """topn cuts the list, a large topn returns every candidate, and word_vectors is not modified.

    ja: topn でリストを切り、大きな topn なら候補をすべて返し、word_vectors は変更しない。
    """
    wv = load_word_vectors()
    before = {w: v.copy() for w, v in wv.items()}
    target = wv["king"] - wv["man"] + wv["woman"]
    full = [(w, _scipy_cos(target, wv[w])) for w in ("queen", "princess", "prince")]
    out = exercise.analogy(wv, "king", "man", "woman", topn=2)
    _check_ranking(out, full[:2], call='analogy(word_vectors, "king", "man", "woman", topn=2)',
                   mistakes=_analogy_mistakes(wv, "king", "man", "woman", 2))
    # The input is checked right after the first call (a modified word_vectors would change the next one).
    # TARGET_IN_PLACE: "target = word_vectors[a]; target -= ...; target += ..." leaves v[a] - v[b] + v[c] in it.
    _check_untouched(as_left(wv), before, in_place={"king": before["king"] - before["man"] + before["woman"]})
    # Only three candidates remain once king, man and woman are excluded.
    out = exercise.analogy(wv, "king", "man", "woman", topn=10)
    _check_ranking(out, full, call='analogy(word_vectors, "king", "man", "woman", topn=10)',
                   mistakes=_analogy_mistakes(wv, "king", "man", "woman", 10))
    _check_untouched(as_left(wv), before)


def _check_untouched(wv, before, in_place=None) -> None:
    """word_vectors after analogy(word_vectors, ...) has the same keys and arrays as ``before``;
    ``in_place``: word -> the array TARGET_IN_PLACE leaves there."""
    in_place = in_place or {}
    check_equal(sorted(wv), sorted(before), call="analogy(word_vectors, ...)",
                what="keys of word_vectors after the call / 呼び出し後の word_vectors のキー")
    for w, v in before.items():
        check_array(wv[w], v, call="analogy(word_vectors, ...)", rtol=0.0, atol=0.0,
                    what=f"word_vectors[{w!r}] after the call / 呼び出し後の word_vectors[{w!r}]",
                    misconceptions=[TARGET_IN_PLACE.gives(in_place[w])] if w in in_place else ())
