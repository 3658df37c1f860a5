"""演習 1: ベクトルとコサイン類似度 (本文 3.1 ベクトル)
=====================================================

単語の意味をベクトルで表すとき、二つの単語が「どれだけ似ているか」はベクトルの
**向き** で測ります。長さ (ノルム) は頻度やスケールを反映するだけなので、向きだけを
比べる **コサイン類似度 (cosine similarity)** を使います。

    cos θ = (a · b) / (‖a‖ ‖b‖),   ‖a‖ = sqrt(Σ_i a_i²)

値は [-1, 1] に入り、1 は同じ向き、0 は直交、-1 は逆向きです。正のスカラー倍
(a → s·a, s > 0) では変わらず、符号を反転すると (a → -a) 値の符号が反転します。

実装するもの
------------
1. ``cosine_similarity(a, b)`` — 二つの 1 次元ベクトルのコサイン類似度 (Python の float)。
2. ``cosine_similarity_matrix(A, B)`` — A (m, d) の各行と B (n, d) の各行のすべての組の
   コサイン類似度を並べた (m, n) 行列。
3. ``analogy(word_vectors, a, b, c, topn=1, exclude_inputs=True)`` — 類推
   「a - b + c ≈ ?」(例: king - man + woman ≈ queen)。目標ベクトル
   v[a] - v[b] + v[c] とのコサイン類似度で語彙の単語を順位付けし、上位 ``topn`` 個を
   (単語, 類似度) のリストで返します。``exclude_inputs=True`` なら入力の 3 語を候補から
   除きます。

数値的に安定な計算
------------------
素直に ``np.linalg.norm(a)`` を使うと、成分が 1e200 なら 2 乗和が float64 の最大値
(約 1.8e308) を超えて ``inf`` になり、成分が 1e-200 なら 2 乗が 0 にアンダーフローして
0/0 = nan になります。コサイン類似度は正のスカラー倍で変わらないので、各ベクトルを
その最大絶対値 s = max_i |a_i| で割ってから計算します。割った後の成分は [-1, 1] に入り、
少なくとも一つは ±1 なので、ノルムは [1, √d]、内積は [-d, d] に収まり、オーバーフローも
アンダーフローも起きません。

また、丸め誤差のため平行なベクトルで 1.0000000000000002 のような 1 を超える値が出る
ことがあります (例: a = b = [-4.0, 3.4])。そのまま ``arccos`` に渡すと nan になるので、
結果は [-1, 1] にクリップします。

入力の誤り (ゼロベクトル、長さの不一致、1 次元でない配列など) には、何が悪いのかを
書いた ``ValueError`` を送出します。ゼロベクトルには向きがないので、コサイン類似度は
定義されません (0 を返すのは誤りです)。

本文との違い
------------
* **king - man + woman は「作り方からして」queen です** (docs/ERRATA.md 131-135 行)。
  本文の玩具ベクトルでは成分ごとに 1.0-0.8+0.7 = 0.9, 0.5-0.3+0.4 = 0.6,
  0.2-0.1+0.7 = 0.8, 0.8-0.9+0.8 = 0.7 で、実数の計算ではちょうど queen
  [0.9, 0.6, 0.8, 0.7] になります。float64 では各成分が約 1.1e-16 ずれますが、類似度は
  1.000 に丸まります。したがって本文の「類似度 1.000」は学習された意味の証拠ではなく、
  数値をそう選んだ結果です。本当に言えることは、入力の 3 語を除いた残りの候補
  (queen, prince, princess) をコサイン類似度で順位付けすると queen (1.000) >
  princess (0.996) > prince (0.896) になる、ということです。入力語を除かなければ woman
  (0.984) が princess の次に来ます。実際の単語埋め込み (word2vec など) では目標ベクトルに
  最も近いのは入力語 (特に king) であることが多いため、類推の評価では入力語を除くのが
  標準です。この演習の ``analogy`` はそれを ``exclude_inputs`` で行います。
* 本文は ``np.linalg.norm`` をそのまま使うので、成分が 1e200 や 1e-200 のベクトルで
  inf や nan になります。ここでは最大絶対値で割ってから計算します。
* 本文の「3. 内積 (類似度の計算)」は生の内積を類似度として並べていますが、内積は長さに
  比例します (本文の strong_king = 2·king では内積が 2 倍になる)。類推の順位付けには
  長さに依存しないコサイン類似度を使います。
* 本文の角度の図 (223-244 行) は最初の 2 成分だけで角度を計算しています。2 成分では
  king-queen 7.1°、king-woman 3.2° ですが、4 成分すべてでは 24.3° と 25.0° で、
  近さの順序まで逆になります。この演習の関数は d 個すべての成分を使います。

------------------------------------------------------------------------------------------

Exercise 1: vectors and cosine similarity (chapter section 3.1 ベクトル)
=====================================================================

When word meanings are vectors, how similar two words are is measured by the **direction** of
their vectors. The length (norm) only reflects frequency or scale, so we compare directions with
the **cosine similarity**

    cos θ = (a · b) / (‖a‖ ‖b‖),   ‖a‖ = sqrt(Σ_i a_i²)

It lies in [-1, 1]: 1 for the same direction, 0 for orthogonal vectors, -1 for opposite ones. It
is unchanged by a positive scalar (a → s·a, s > 0) and changes sign when a vector is negated.

What to implement
-----------------
1. ``cosine_similarity(a, b)`` — the cosine similarity of two 1-D vectors, as a Python float.
2. ``cosine_similarity_matrix(A, B)`` — the (m, n) matrix of cosine similarities between every
   row of A (m, d) and every row of B (n, d).
3. ``analogy(word_vectors, a, b, c, topn=1, exclude_inputs=True)`` — the analogy
   "a - b + c ≈ ?" (e.g. king - man + woman ≈ queen): rank the vocabulary by cosine similarity
   to the target v[a] - v[b] + v[c] and return the ``topn`` best as a list of (word, similarity).
   With ``exclude_inputs=True`` the three input words are not candidates.

Numerically stable computation
------------------------------
With a plain ``np.linalg.norm(a)``, entries of 1e200 make the sum of squares exceed the largest
float64 (about 1.8e308), giving ``inf``; entries of 1e-200 square to 0, giving 0/0 = nan. Cosine
similarity does not change under positive scaling, so divide each vector by its largest absolute
entry s = max_i |a_i| first. The rescaled entries lie in [-1, 1] with at least one equal to ±1, so
the norms lie in [1, √d] and the dot product in [-d, d]: nothing overflows or underflows.

Rounding can also give values just above 1 for parallel vectors (1.0000000000000002 for
a = b = [-4.0, 3.4]); passed to ``arccos`` that is nan. Clip the result to [-1, 1].

Bad input (a zero vector, mismatched lengths, arrays that are not 1-D, ...) raises ``ValueError``
with a message saying what is wrong. A zero vector has no direction, so its cosine similarity is
undefined (returning 0 would be wrong).

Differs from the chapter
------------------------
* **king - man + woman is queen by construction** (docs/ERRATA.md, lines 131-135). In the chapter's
  toy vectors, component by component 1.0-0.8+0.7 = 0.9, 0.5-0.3+0.4 = 0.6, 0.2-0.1+0.7 = 0.8,
  0.8-0.9+0.8 = 0.7: in exact arithmetic the result *is* queen [0.9, 0.6, 0.8, 0.7]. In float64
  each component is off by about 1.1e-16 and the similarity rounds to 1.000. So the chapter's
  "similarity 1.000" is not evidence of learned meaning; the numbers were chosen that way. What
  is really true: ranking the remaining candidates (queen, prince, princess), with the three
  input words excluded, by cosine similarity gives queen (1.000) > princess (0.996) > prince
  (0.896). Without the exclusion, woman (0.984) comes right after princess. In real embeddings
  (word2vec, ...) the word nearest to the target is often an input word (typically king), which
  is why analogy evaluation excludes the inputs; ``analogy`` does so with ``exclude_inputs``.
* The chapter uses ``np.linalg.norm`` directly, which gives inf or nan for vectors with entries
  like 1e200 or 1e-200. Here each vector is rescaled by its largest absolute entry first.
* The chapter's "3. 内積 (類似度の計算)" lists raw dot products as similarities, but a dot product
  grows with length (the chapter's strong_king = 2·king doubles it). The analogy ranks by cosine
  similarity, which does not depend on length.
* The chapter's angle plot (lines 223-244) computes angles from the first two components only:
  king-queen 7.1° and king-woman 3.2° in 2-D, but 24.3° and 25.0° with all four components, so
  even the order flips. The functions here use all d components.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = ["cosine_similarity", "cosine_similarity_matrix", "analogy"]


def cosine_similarity(a, b) -> float:
    """Cosine similarity of two vectors / 二つのベクトルのコサイン類似度 (3.1 ベクトル).

    cos θ = (a · b) / (‖a‖ ‖b‖), computed without overflow or underflow by first dividing each
    vector by its largest absolute entry, and clipped to [-1, 1].
    各ベクトルを最大絶対値で割ってから計算し (オーバーフロー・アンダーフロー対策)、
    結果を [-1, 1] にクリップします。

    Args:
        a: array_like of shape (d,), real numbers (converted to float64), not all zero.
           形状 (d,) の実数ベクトル (float64 に変換)。ゼロベクトルは不可。
        b: array_like of shape (d,), same length as ``a``, not all zero.
           ``a`` と同じ長さ (d,) のベクトル。ゼロベクトルは不可。

    Returns:
        float: the cosine similarity, a Python float in [-1, 1] (dimensionless).
        コサイン類似度 (Python の float, [-1, 1], 無次元)。

    Raises:
        ValueError: ``a`` or ``b`` is not 1-D, is empty, contains nan/inf, is the zero vector,
            or the lengths differ. / 1 次元でない、空、nan/inf を含む、ゼロベクトル、
            または長さが違う場合。

    Example:
        >>> cosine_similarity([3.0, 4.0], [4.0, 3.0])   # 24 / (5 * 5)
        0.96
    """
    ### BEGIN SOLUTION
    vectors = []
    for name, x in (("a", a), ("b", b)):
        v = np.asarray(x, dtype=np.float64)
        if v.ndim != 1:
            raise ValueError(
                f"{name} は 1 次元ベクトルである必要があります (形状 {v.shape}) / "
                f"{name} must be a 1-D vector, got shape {v.shape}"
            )
        if v.size == 0:
            raise ValueError(f"{name} が空のベクトルです / {name} is an empty vector")
        if not np.all(np.isfinite(v)):
            raise ValueError(f"{name} に nan または inf が含まれています / {name} contains nan or inf")
        scale = np.max(np.abs(v))
        if scale == 0.0:
            raise ValueError(
                f"{name} はゼロベクトルです (向きがないのでコサイン類似度は定義されません) / "
                f"{name} is the zero vector (cosine similarity is undefined)"
            )
        vectors.append(v / scale)  # entries in [-1, 1], at least one equal to +-1
    u, w = vectors
    if u.shape != w.shape:
        raise ValueError(
            f"a と b の長さが違います ({u.shape[0]} と {w.shape[0]}) / "
            f"a and b have different lengths ({u.shape[0]} and {w.shape[0]})"
        )
    cos = np.dot(u, w) / (np.sqrt(np.dot(u, u)) * np.sqrt(np.dot(w, w)))
    return float(np.clip(cos, -1.0, 1.0))
    ### END SOLUTION


def cosine_similarity_matrix(A, B) -> np.ndarray:
    """Pairwise cosine similarities of the rows of A and B / A と B の行どうしのコサイン類似度行列 (3.1 ベクトル).

    ``S[i, j] = cosine_similarity(A[i], B[j])``. Each row is divided by its largest absolute
    entry, then by its norm, so ``S = Â @ B̂.T`` with unit rows; entries are clipped to [-1, 1].
    各行を最大絶対値で割ってから単位ベクトルにし、``Â @ B̂.T`` を計算して [-1, 1] にクリップします。

    Args:
        A: array_like of shape (m, d), real numbers (converted to float64), no zero row.
           形状 (m, d) の実数行列。ゼロの行は不可。
        B: array_like of shape (n, d), the same d, no zero row.
           形状 (n, d) の実数行列 (d は A と同じ)。ゼロの行は不可。

    Returns:
        numpy.ndarray: shape (m, n), dtype float64, entries in [-1, 1]; m = 0 or n = 0 (no rows)
        gives an empty array of that shape.
        形状 (m, n)、dtype float64、各要素は [-1, 1]。m = 0 や n = 0 (行がない) なら
        その形状の空の配列。

    Raises:
        ValueError: ``A`` or ``B`` is not 2-D, has d = 0 columns, contains nan/inf or a zero row,
            or the numbers of columns differ. / 2 次元でない、列数 0、nan/inf やゼロの行を含む、
            または列数が違う場合。
    """
    ### BEGIN SOLUTION
    units = []
    for name, X in (("A", A), ("B", B)):
        M = np.asarray(X, dtype=np.float64)
        if M.ndim != 2:
            raise ValueError(
                f"{name} は 2 次元配列 (行数, d) である必要があります (形状 {M.shape}) / "
                f"{name} must be a 2-D array (rows, d), got shape {M.shape}"
            )
        if M.shape[1] == 0:
            raise ValueError(f"{name} の列数 d が 0 です / {name} has d = 0 columns")
        if not np.all(np.isfinite(M)):
            raise ValueError(f"{name} に nan または inf が含まれています / {name} contains nan or inf")
        scale = np.max(np.abs(M), axis=1, keepdims=True)
        zero_rows = np.flatnonzero(scale[:, 0] == 0.0)
        if zero_rows.size:
            raise ValueError(
                f"{name} の行 {zero_rows.tolist()} がゼロベクトルです (コサイン類似度は定義されません) / "
                f"{name} has zero rows {zero_rows.tolist()} (cosine similarity is undefined)"
            )
        M = M / scale
        units.append(M / np.sqrt(np.sum(M * M, axis=1, keepdims=True)))
    U, W = units
    if U.shape[1] != W.shape[1]:
        raise ValueError(
            f"A と B の列数 d が違います ({U.shape[1]} と {W.shape[1]}) / "
            f"A and B have different numbers of columns d ({U.shape[1]} and {W.shape[1]})"
        )
    return np.clip(U @ W.T, -1.0, 1.0)
    ### END SOLUTION


def analogy(word_vectors: Mapping[str, np.ndarray], a: str, b: str, c: str, *, topn: int = 1,
            exclude_inputs: bool = True) -> list[tuple[str, float]]:
    """Solve the analogy a - b + c ≈ ? by cosine similarity / 類推 a - b + c ≈ ? (3.1 ベクトル).

    The target is ``v[a] - v[b] + v[c]`` (king - man + woman). Every candidate word w (all words
    of ``word_vectors``, minus a, b and c when ``exclude_inputs``) is scored by
    ``cosine_similarity(target, v[w])``; the result is sorted by similarity, highest first, ties
    broken by the word in ascending order, and cut to the first ``topn`` entries (fewer if there
    are fewer candidates).
    目標ベクトル ``v[a] - v[b] + v[c]`` とのコサイン類似度で候補を降順に並べ (同点は単語の
    昇順)、上位 ``topn`` 個を返します。``exclude_inputs`` が真なら a, b, c は候補から除きます。

    Args:
        word_vectors: mapping word (str) -> vector, array_like of shape (d,), the same d for all
            words (e.g. ``autograder.data.load_word_vectors()``). 単語 → 形状 (d,) のベクトル。
        a, b, c: words of ``word_vectors``; the analogy is "a - b + c" ("king", "man", "woman").
            ``word_vectors`` にある単語。
        topn: number of results wanted, an int >= 1 (a bool is not accepted).
            返す個数 (1 以上の整数。bool は不可)。
        exclude_inputs: if True, a, b and c are not candidates. 真なら入力の 3 語を除く。

    Returns:
        list[tuple[str, float]]: (word, cosine similarity) pairs, similarity a Python float in
        [-1, 1], sorted by similarity descending, then by word. (単語, 類似度) のリスト。

    Raises:
        KeyError: a, b or c is not in ``word_vectors`` (the message names the word).
            a, b, c のいずれかが語彙にない場合 (メッセージにその単語を含む)。
        TypeError: ``topn`` is not an int, or is a bool (``True``/``False``).
            ``topn`` が整数でない、または bool (``True``/``False``) の場合。
        ValueError: ``topn`` < 1, the target v[a] - v[b] + v[c] is the zero vector, or a
            candidate vector is invalid (zero, wrong length, ...; the message names the word).
            ``topn`` < 1、目標ベクトルがゼロ、または候補のベクトルが不正な場合。

    Example:
        >>> from autograder.data import load_word_vectors
        >>> [w for w, _ in analogy(load_word_vectors(), "king", "man", "woman", topn=3)]
        ['queen', 'princess', 'prince']
    """
    ### BEGIN SOLUTION
    if isinstance(topn, bool) or not isinstance(topn, (int, np.integer)):
        raise TypeError(f"topn は整数である必要があります ({topn!r}) / topn must be an int, got {topn!r}")
    if topn < 1:
        raise ValueError(f"topn は 1 以上である必要があります ({topn}) / topn must be >= 1, got {topn}")
    for word in (a, b, c):
        if word not in word_vectors:
            raise KeyError(f"単語 {word!r} が word_vectors にありません / unknown word {word!r}: not in word_vectors")
    target = (np.asarray(word_vectors[a], dtype=np.float64) - np.asarray(word_vectors[b], dtype=np.float64)
              + np.asarray(word_vectors[c], dtype=np.float64))
    if target.ndim == 1 and target.size and not np.any(target):
        raise ValueError(
            f"目標ベクトル v[{a!r}] - v[{b!r}] + v[{c!r}] がゼロベクトルです / "
            f"the target v[{a!r}] - v[{b!r}] + v[{c!r}] is the zero vector"
        )
    inputs = {a, b, c}
    scored = []
    for word, vector in word_vectors.items():
        if exclude_inputs and word in inputs:
            continue
        try:
            sim = cosine_similarity(target, vector)
        except ValueError as exc:
            raise ValueError(
                f"単語 {word!r} のベクトルが不正です / invalid vector for word {word!r}: {exc}"
            ) from exc
        scored.append((word, sim))
    scored.sort(key=lambda pair: (-pair[1], pair[0]))
    return scored[:topn]
    ### END SOLUTION


# ---------------------------------------------------------------------------------------------
# ヒント (段階式): `workbook hint ex1_vectors [課題]` で 1 段ずつ表示されます。まず自分で考えてから。
# Graded hints: `workbook hint ex1_vectors [TASK]` shows them one level at a time. Try first.
# 各要素は (日本語, English)。答えそのものは書いていません。 / Each entry is (Japanese, English).
HINTS = {
    "cosine_similarity": [
        ("cos θ = (a · b) / (‖a‖ ‖b‖) です。np.dot と平方根で書けます。戻り値は Python の float にします。",
         "cos θ = (a · b) / (‖a‖ ‖b‖): np.dot and a square root are enough. Return a Python float."),
        ("成分が 1e200 や 1e-200 だと 2 乗和がオーバーフロー/アンダーフローします。各ベクトルを最大絶対値 "
         "max|a_i| で割ってから計算しても cos θ は変わりません。丸めで 1 を少し超えることがあるので [-1, 1] に"
         "クリップします。",
         "Entries like 1e200 or 1e-200 overflow/underflow the sum of squares. Dividing each vector by its "
         "largest absolute entry max|a_i| does not change cos θ. Rounding can give 1.0000000000000002: clip "
         "to [-1, 1]."),
        ("入力の検査も採点されます: 1 次元でない、空、nan/inf、ゼロベクトル (向きがない)、長さの違いにはそれぞれ "
         "ValueError。流れ: float64 の配列に変換 → 検査 → 最大絶対値で割る → 内積 / (ノルム × ノルム) → "
         "np.clip で [-1, 1] に → float(...)。",
         "Input checks are graded too: not 1-D, empty, nan/inf, the zero vector (no direction) and "
         "different lengths each raise ValueError. Outline: convert to a float64 array → checks → divide by the "
         "largest absolute entry → dot / (norm × norm) → np.clip to [-1, 1] → float(...)."),
    ],
    "cosine_similarity_matrix": [
        ("S[i, j] は A の i 行目と B の j 行目のコサイン類似度です。ループを使わず行列積 1 回で書けます。",
         "S[i, j] is the cosine similarity of row i of A and row j of B. One matrix product does it, no loop."),
        ("各行を単位ベクトルにした Â, B̂ を作れば S = Â @ B̂.T です。ノルムの前に各行を最大絶対値で割る "
         "(keepdims=True) と、大きな値・小さな値でも安全です。",
         "With unit rows Â and B̂, S = Â @ B̂.T. Divide each row by its largest absolute entry first "
         "(keepdims=True) so huge and tiny values are safe."),
        ("戻り値は形状 (m, n) の float64 配列で [-1, 1] にクリップします。2 次元でない、列数 0、nan/inf、"
         "ゼロの行、列数の違いは ValueError です。",
         "Return an (m, n) float64 array clipped to [-1, 1]. Not 2-D, d = 0 columns, nan/inf, a zero row "
         "and different numbers of columns raise ValueError."),
    ],
    "analogy": [
        ("目標ベクトルは v[a] - v[b] + v[c] (king - man + woman) です。語彙の各単語をこの目標との"
         "コサイン類似度で並べます。",
         "The target is v[a] - v[b] + v[c] (king - man + woman). Rank every word of the vocabulary by its "
         "cosine similarity to that target."),
        ("exclude_inputs=True なら a, b, c を候補から除きます。並べ方は類似度の降順、同点は単語の昇順です。"
         "sorted の key に「類似度の符号を反転した値、単語」の組を返す関数を渡すと 1 回で並びます。上位 topn 個を返します。",
         "With exclude_inputs=True, a, b and c are not candidates. Sort by similarity descending, ties by "
         "word ascending: one sorted call does it with a key that gives the pair (minus the similarity, the "
         "word). Return the first topn."),
        ("自分の cosine_similarity を再利用できます。語彙にない単語は KeyError (その単語を含むメッセージ)、"
         "topn が整数でなければ TypeError、topn < 1 や目標がゼロベクトルなら ValueError。戻り値は "
         "(str, float) のタプルのリストです。",
         "Reuse your cosine_similarity. An unknown word raises KeyError naming it, a non-int topn TypeError, "
         "topn < 1 or a zero target ValueError. Return a list of (str, float) tuples."),
    ],
}
