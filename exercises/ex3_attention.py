# このファイルは演習用のひな形です。関数の中身を書いてください。
# Exercise stub: fill in the function bodies. (generated from solutions/ by `python -m autograder.stubs`)
"""演習 3: Attention と温度付き softmax (本文 3.1 Attention機構の数学的基礎 / 3.2 softmax_as_probability)

Transformer の中心にある scaled dot-product attention を NumPy だけで一から実装します。

    Attention(Q, K, V) = softmax(Q Kᵀ / (√d_k · T)) V

- Q (クエリ, query) の形は (..., n_q, d_k)、K (キー, key) は (..., n_k, d_k)、V (バリュー, value) は
  (..., n_k, d_v)。先頭の「...」はバッチ次元やヘッド次元で、NumPy の規則でブロードキャストされます。
- スコア行列 S = Q Kᵀ の要素 S[i, j] = q_i · k_j は「クエリ i がキー j にどれだけ合うか」です。
- softmax は **各クエリ行ごとに** (最後の軸 n_k に沿って) 正規化します。重み行列の各行は和が 1 の
  確率分布で、出力の各行は V の行の凸結合 (重み付き平均) です。

実装する関数
1. ``softmax(x, axis=-1, temperature=1.0)`` — 温度付き softmax
       softmax_T(x)_i = exp(x_i / T) / Σ_j exp(x_j / T)
   を指定した軸に沿って計算します。数値安定化のため、その軸の最大値 m を引いてから指数を取ります:
   exp((x_i − m) / T) は 0 < 値 ≤ 1 なので、x = [1000, 1001, 1002] でもオーバーフローしません
   (分母と分子に同じ exp(−m/T) を掛けているだけなので値は変わりません = シフト不変性)。
   T は正の有限な実数でなければなりません。T → 0 では最大値の位置 (同点ならそれらに等分) に
   確率が集中し、T → ∞ では一様分布に近づきます。
2. ``scaled_dot_product_attention(Q, K, V, mask=None, temperature=1.0)`` — 出力と重みを返します。
   スケールは 1/√d_k (d_k はキーの次元)。q と k の各成分が平均 0・分散 1 で独立なら q · k の分散は
   d_k なので、√d_k で割ると分散が 1 に戻り、softmax が飽和しません。
   mask は torch と同じ規約の真偽値配列で、True = 「注意してよい (attend)」、False = 遮断。
   遮断された位置の重みはちょうど 0 になります (スコアを −∞ にしてから softmax)。
   すべてのキーが遮断されたクエリ行は確率分布を持てないので ValueError (行番号を示す) にします。
3. ``attention_entropy(weights)`` — 各クエリ行の注意分布のエントロピー
       H(p) = −Σ_j p_j log p_j   (自然対数、単位 nats、0 · log 0 = 0)
   0 ≤ H ≤ log n_k で、one-hot なら 0、一様なら log n_k です。
4. ``plot_temperature_effect(logits, temperatures)`` — 温度ごとに 1 枚のパネル (Axes) に確率の
   棒グラフを描き、タイトルに温度、パネル内のテキストにエントロピー (例 "H = 1.23 nats") を表示した
   ``matplotlib.figure.Figure`` を返します。

softmax・attention・エントロピーはライブラリ (torch.softmax, scipy.special.softmax,
torch.nn.functional.scaled_dot_product_attention, scipy.stats.entropy, scipy.special.entr や xlogy、
logsumexp にあたる np.logaddexp など) を使わず自分で書いてください。

本文との違い
- 本文 (478-501 行) は ``self.scale = np.sqrt(d_model)`` (d_model = 64) で割りながら
  「sqrt(d_k) で除算」と表示しています。正しいスケールはキーの次元 d_k による 1/√d_k です (docs/ERRATA.md)。
- 本文 3.2 (850-854 行) の温度付き softmax は軸を指定せず配列全体で正規化します。スコア行列では
  各行が和 1 にならなければなりません。ここでは ``axis`` 引数 (既定は最後の軸) を持たせます。
  また本文は T ≤ 0 を許してしまいますが、温度は正でなければなりません (docs/ERRATA.md)。
- 本文のエントロピーは ``np.log(probs + 1e-10)`` と 1e-10 を足しています。ここでは
  0 · log 0 = 0 という定義どおりに計算し、補正項は使いません。
- 本文には乱数シードがなく、グラフのラベルは日本語フォントがないと豆腐 (□) になります。
  図のラベルは英語にしています。

----------------------------------------------------------------------------------------------

Exercise 3: attention and the temperature softmax (chapter 3.1 "Attention機構の数学的基礎" and
3.2 softmax_as_probability)

Implement the scaled dot-product attention at the heart of the Transformer from scratch with NumPy:

    Attention(Q, K, V) = softmax(Q Kᵀ / (√d_k · T)) V

- Q (query) has shape (..., n_q, d_k), K (key) (..., n_k, d_k), V (value) (..., n_k, d_v). The
  leading "..." are batch or head dimensions and broadcast by NumPy's rules.
- The score S[i, j] = q_i · k_j of S = Q Kᵀ says how well query i matches key j.
- The softmax normalises **each query row** (along the last axis, n_k): every row of the weight
  matrix is a probability distribution and every output row is a convex combination (weighted
  average) of the rows of V.

Functions to implement
1. ``softmax(x, axis=-1, temperature=1.0)`` — the temperature softmax
       softmax_T(x)_i = exp(x_i / T) / Σ_j exp(x_j / T)
   along the given axis. For numerical stability subtract the maximum m along that axis before
   exponentiating: exp((x_i − m) / T) lies in (0, 1], so x = [1000, 1001, 1002] does not overflow
   (numerator and denominator are both multiplied by exp(−m/T), so the value is unchanged: shift
   invariance). T must be a positive finite real number. As T → 0 the mass concentrates on the
   maximum (split equally among ties); as T → ∞ the distribution tends to uniform.
2. ``scaled_dot_product_attention(Q, K, V, mask=None, temperature=1.0)`` — returns the output and
   the weights. The scale is 1/√d_k with d_k the key dimension: if the components of q and k are
   independent with mean 0 and variance 1, q · k has variance d_k, so dividing by √d_k brings it
   back to 1 and keeps the softmax from saturating. ``mask`` is boolean with torch's convention:
   True = may attend, False = blocked. Blocked positions get weight exactly 0 (their score becomes
   −∞ before the softmax). A query row whose keys are all blocked has no distribution: raise a
   ValueError naming the row.
3. ``attention_entropy(weights)`` — the entropy of each query row's attention distribution
       H(p) = −Σ_j p_j log p_j   (natural log, in nats, with 0 · log 0 = 0)
   0 ≤ H ≤ log n_k: 0 for a one-hot row, log n_k for a uniform row.
4. ``plot_temperature_effect(logits, temperatures)`` — return a ``matplotlib.figure.Figure`` with
   one panel (Axes) per temperature: a bar chart of the probabilities, the temperature in the
   title, and the entropy as text in the panel (e.g. "H = 1.23 nats").

Write the softmax, the attention and the entropy yourself: no library softmax, attention or entropy
(torch.softmax, scipy.special.softmax, torch.nn.functional.scaled_dot_product_attention,
scipy.stats.entropy, scipy.special.entr or xlogy, a log-sum-exp such as np.logaddexp, ...).

Differs from the chapter
- The chapter (lines 478-501) divides by ``self.scale = np.sqrt(d_model)`` (d_model = 64) while
  printing "divide by sqrt(d_k)". The correct scale is 1/√d_k with d_k the key dimension
  (docs/ERRATA.md).
- The chapter's temperature softmax in 3.2 (lines 850-854) has no axis and normalises the whole
  array; for a score matrix each row must sum to 1. Here ``axis`` (default: last axis) is an
  argument. The chapter also accepts T ≤ 0; a temperature must be positive (docs/ERRATA.md).
- The chapter's entropy adds 1e-10 inside the log (``np.log(probs + 1e-10)``). Here the
  definition 0 · log 0 = 0 is used, with no fudge term.
- The chapter sets no random seed, and its Japanese plot labels render as empty boxes without a
  Japanese font; the figure here uses English labels.
"""

import math
import numbers

import numpy as np
from matplotlib.figure import Figure

__all__ = [
    "softmax",
    "scaled_dot_product_attention",
    "attention_entropy",
    "plot_temperature_effect",
]


def softmax(x, axis=-1, temperature=1.0):
    """温度付き softmax (本文 3.1 / 3.2) / Softmax with temperature (chapter 3.1 and 3.2).

    ``softmax_T(x)_i = exp(x_i / T) / Σ_j exp(x_j / T)`` を ``axis`` に沿って計算する。
    数値安定化のため、その軸の最大値を引いてから指数を取る (値は変わらない)。

    Computes ``exp(x_i / T) / Σ_j exp(x_j / T)`` along ``axis``, subtracting the maximum along
    that axis first for numerical stability (this does not change the result).

    Parameters / 引数
    ----------
    x : array_like, shape (...), ndim >= 1
        ロジット (スコア)。−inf の要素は確率 0 になる。
        Logits (scores). Entries equal to −inf get probability 0.
    axis : int, default -1
        正規化する軸。その軸に沿った和が 1 になる。
        The axis to normalise over; sums along it are 1.
    temperature : float, default 1.0
        温度 T > 0 (有限)。T < 1 で鋭く、T > 1 で平らになる。
        The temperature T > 0 (finite). T < 1 sharpens, T > 1 flattens.

    Returns / 戻り値
    -------
    numpy.ndarray, float64, same shape as ``x``
        各要素は [0, 1]、``axis`` に沿った和は 1。
        Entries in [0, 1]; sums along ``axis`` are 1.

    Raises / 例外
    ------
    ValueError
        ``temperature`` が 0 以下、または有限でない (inf, nan) とき。x が 0 次元のとき。
        If ``temperature`` is <= 0 or not finite (inf, nan), or x is 0-dimensional.
    TypeError
        ``temperature`` が実数でないとき。 If ``temperature`` is not a real number.
    """
    # YOUR CODE HERE / ここにコードを書いてください
    raise NotImplementedError()


def scaled_dot_product_attention(Q, K, V, mask=None, temperature=1.0):
    """Scaled dot-product attention (本文 3.1 Attention機構の数学的基礎 / chapter 3.1).

    ``weights = softmax(Q Kᵀ / (√d_k · T))`` (最後の軸 = キーの軸に沿って)、
    ``output = weights @ V``。

    ``weights = softmax(Q Kᵀ / (√d_k · T))`` over the last (key) axis, ``output = weights @ V``.

    Parameters / 引数
    ----------
    Q : array_like, shape (..., n_q, d_k)
        クエリ / queries.
    K : array_like, shape (..., n_k, d_k)
        キー / keys.
    V : array_like, shape (..., n_k, d_v)
        バリュー / values.
    mask : array_like of bool, broadcastable to (..., n_q, n_k), optional
        True = 注意してよい、False = 遮断 (torch の規約)。遮断位置の重みは 0。
        True = may attend, False = blocked (torch's convention). Blocked weights are 0.
    temperature : float, default 1.0
        温度 T > 0 (有限)。スコアを √d_k · T で割る。
        Temperature T > 0 (finite); the scores are divided by √d_k · T.

    先頭のバッチ次元 (...) は Q, K, V, mask の間でブロードキャストされる。
    Leading batch dimensions (...) broadcast between Q, K, V and mask.

    Returns / 戻り値
    -------
    output : numpy.ndarray, float64, shape (..., n_q, d_v)
    weights : numpy.ndarray, float64, shape (..., n_q, n_k)
        各行は和 1 の確率分布。 Each row is a probability distribution (sums to 1).

    Raises / 例外
    ------
    ValueError
        Q と K の d_k が違うとき (メッセージに "d_k" を含む)、K と V の n_k が違うとき
        (メッセージに "n_k" を含む)、Q/K/V が 2 次元未満のとき、d_k または n_k が 0 のとき、
        mask が真偽値配列でないとき、mask がブロードキャストできないとき、あるクエリ行のキーが
        すべて遮断されているとき (メッセージにその行番号を含む)、temperature が正の有限な数で
        ないとき。
        If Q and K disagree on d_k (the message names "d_k"), K and V disagree on n_k (the
        message names "n_k"), Q/K/V have fewer than 2 dimensions, d_k or n_k is 0, the mask is
        not boolean or does not broadcast, some query row has every key blocked (the message
        names that row's index), or the temperature is not positive and finite.
    """
    # YOUR CODE HERE / ここにコードを書いてください
    raise NotImplementedError()


def attention_entropy(weights):
    """注意分布のエントロピー (本文 3.2) / Entropy of attention distributions (chapter 3.2).

    ``H(p) = −Σ_j p_j log p_j`` を最後の軸に沿って計算する。自然対数 (単位 nats)、
    0 · log 0 = 0 (補正項 1e-10 は使わない)。

    Computes ``H(p) = −Σ_j p_j log p_j`` along the last axis, natural log (nats), with
    0 · log 0 = 0 (no 1e-10 fudge).

    Parameters / 引数
    ----------
    weights : array_like, shape (..., n_q, n_k)
        各行が確率分布 (非負で和 1) の注意の重み。
        Attention weights whose rows are probability distributions (non-negative, sum 1).

    Returns / 戻り値
    -------
    numpy.ndarray, float64, shape (..., n_q)
        各行のエントロピー (nats)、0 ≤ H ≤ log n_k。1 次元の入力 (n_k,) では NumPy の
        float64 スカラー。
        The entropy of each row in nats, 0 ≤ H ≤ log n_k. For a 1-D input (n_k,) a NumPy
        float64 scalar.

    Raises / 例外
    ------
    ValueError
        weights が 0 次元のとき、負の値・有限でない値を含むとき。
        If weights is 0-dimensional or has negative or non-finite entries.
    """
    # YOUR CODE HERE / ここにコードを書いてください
    raise NotImplementedError()


def plot_temperature_effect(logits, temperatures):
    """温度が softmax に与える効果の図 (本文 3.2 softmax_as_probability) /
    Figure of the effect of temperature on the softmax (chapter 3.2).

    温度ごとに 1 つのパネル (Axes) を左から順に作り、``softmax(logits, temperature=T)`` の棒
    グラフ (ロジットの順に 1 本ずつ)、温度を含むタイトル (例 "T = 0.5")、その棒の確率 p の
    エントロピー ``attention_entropy(p)`` のテキスト (例 "H = 1.23 nats"、小数 2 桁以上) を描く。

    One panel (Axes) per temperature, left to right: a bar chart of
    ``softmax(logits, temperature=T)`` (one bar per logit, in order), a title containing the
    temperature (e.g. "T = 0.5") and the entropy ``attention_entropy(p)`` of the bars' probabilities
    p as text (e.g. "H = 1.23 nats", at least two decimals).

    Parameters / 引数
    ----------
    logits : array_like, shape (n,)
        ロジット。本文の例は [2.0, 1.0, 0.1, -1.0, -2.0]。
        The logits; the chapter uses [2.0, 1.0, 0.1, -1.0, -2.0].
    temperatures : sequence of float
        温度 (それぞれ正で有限)。本文の例は [0.1, 0.5, 1.0, 2.0, 5.0]。
        The temperatures (each positive and finite); the chapter uses [0.1, 0.5, 1.0, 2.0, 5.0].

    Returns / 戻り値
    -------
    matplotlib.figure.Figure
        ``len(temperatures)`` 個の Axes を持つ図 (plt.show() はしない)。
        A figure with ``len(temperatures)`` Axes (not shown).

    Raises / 例外
    ------
    ValueError
        logits が空でない 1 次元配列でないとき、temperatures が空のとき、温度が正の有限な数で
        ないとき。
        If logits is not a non-empty 1-D array, temperatures is empty, or a temperature is not
        positive and finite.
    """
    # YOUR CODE HERE / ここにコードを書いてください
    raise NotImplementedError()


# ---------------------------------------------------------------------------------------------
# ヒント (段階式): `workbook hint ex3_attention [課題]` で 1 段ずつ表示されます。まず自分で考えてから。
# Graded hints: `workbook hint ex3_attention [TASK]` shows them one level at a time. Try first.
# 各要素は (日本語, English)。答えそのものは書いていません。 / Each entry is (Japanese, English).
HINTS = {
    "softmax": [
        ("softmax_T(x)_i = exp(x_i / T) / Σ_j exp(x_j / T) を axis に沿って計算します。ライブラリの softmax "
         "は使えません (使うとこの課題のテストはすべて失敗します)。",
         "Compute softmax_T(x)_i = exp(x_i / T) / Σ_j exp(x_j / T) along axis. No library softmax (using one "
         "fails every test of this task)."),
        ("exp(1000) はオーバーフローします。その軸の最大値 m を引いて exp((x − m) / T) にしても値は変わりません。"
         "np.max と np.sum に axis=axis, keepdims=True を渡すと、どの軸でもブロードキャストが合います。",
         "exp(1000) overflows. Subtracting the maximum m along the axis, exp((x − m) / T), does not change "
         "the result. Pass axis=axis, keepdims=True to np.max and np.sum so any axis broadcasts."),
        ("T は正の有限な実数だけ: 0、負、inf、nan は ValueError。x は float64 に変換し、float32 の入力でも "
         "float64 を返します。引く順番は (x − m) / T (x / T を先に作ると T が小さいとき巨大な値になります)。",
         "T must be positive and finite: 0, negatives, inf and nan raise ValueError. Convert x to float64 "
         "(float32 input still returns float64). Compute (x − m) / T, not x / T first (huge when T is tiny)."),
    ],
    "scaled_dot_product_attention": [
        ("scores = Q Kᵀ / √d_k、weights = softmax(scores / T) (最後の軸)、output = weights V。d_k は Q と K の"
         "最後の次元です (d_model ではありません)。",
         "scores = Q Kᵀ / √d_k, weights = softmax(scores / T) over the last axis, output = weights V. d_k is "
         "the last dimension of Q and K (not d_model)."),
        ("バッチ次元があっても動くように K.T ではなく np.swapaxes で K の最後の 2 軸を入れ替え、@ でブロードキャストさせます。"
         "mask は真偽値 (True = 注意してよい) で、False の位置のスコアを −inf にすると重みはちょうど 0 になります "
         "(np.where)。自分の softmax を temperature 付きで呼べます。",
         "For batch dimensions swap the last two axes of K with np.swapaxes instead of K.T, and let @ broadcast. mask is "
         "boolean (True = may attend): setting blocked scores to −inf (np.where) gives weights of exactly 0. "
         "Call your own softmax with the temperature."),
        ("検査: mask が bool でない (0/1 や −inf の加算マスク) → ValueError。ある行のキーがすべて遮断 → "
         "その行番号を含む ValueError (np.any(mask, axis=-1) で調べる)。d_k や n_k の不一致 → \"d_k\" / "
         "\"n_k\" を含む ValueError。戻り値は (output, weights) のタプル。",
         "Checks: a mask that is not bool (0/1, an additive −inf mask) → ValueError. A row with every key "
         "blocked → ValueError naming that row (find it with np.any(mask, axis=-1)). Mismatched d_k or n_k → "
         "ValueError mentioning \"d_k\" / \"n_k\". Return the tuple (output, weights)."),
    ],
    "attention_entropy": [
        ("各行 (最後の軸) のエントロピー H(p) = −Σ_j p_j log p_j (自然対数、単位 nats) です。"
         "scipy.stats.entropy は使えません。",
         "The entropy of each row (last axis): H(p) = −Σ_j p_j log p_j (natural log, in nats). "
         "scipy.stats.entropy is not allowed."),
        ("0 · log 0 = 0 と定義します。log(p + 1e-10) のような「ごまかし」は誤差になって不合格です。"
         "p > 0 の所だけ対数を取ります。",
         "0 · log 0 is defined as 0. A fudge such as log(p + 1e-10) is off and fails. Take the log only where "
         "p > 0."),
        ("流れ: float64 の配列にする → p > 0 の位置の真偽値マスクを作る → 対数はマスクの位置の p にだけ取り、"
         "ほかの位置には対数が 0 になる無害な値を入れて警告を避ける → p との積のうちマスク外の項を 0 にする → "
         "最後の軸で和を取り、符号を反転。one-hot の行はちょうど 0 (−0.0 ではなく)、一様な行は log n です。",
         "Outline: a float64 array → a boolean mask of where p > 0 → take the log of p only under the mask, "
         "putting a harmless value whose log is 0 elsewhere so that no warning appears → set the terms outside "
         "the mask to 0 → sum over the last axis and flip the sign. A one-hot row gives exactly 0 (not −0.0), "
         "a uniform row log n."),
    ],
    "plot_temperature_effect": [
        ("温度ごとに 1 つのパネル (Axes) を左から順に並べ、softmax(logits, temperature=T) の棒グラフを描きます。",
         "One panel (Axes) per temperature, left to right, each a bar chart of "
         "softmax(logits, temperature=T)."),
        ("fig = Figure(...) の fig.subplots(1, n) で n 個のパネルが作れます (n = 1 でも配列になるよう squeeze=False)。"
         "タイトルに温度 (例 \"T = 0.5\")、パネル内のテキストにエントロピー (例 \"H = 1.23 nats\") を書きます。",
         "fig.subplots(1, n) of fig = Figure(...) gives n panels (squeeze=False keeps an array when n = 1). Put the "
         "temperature in the title (e.g. \"T = 0.5\") and the entropy as text in the panel "
         "(e.g. \"H = 1.23 nats\")."),
        ("流れ: 温度ごとに softmax → そのパネルに ax.bar で棒グラフ (棒ごとに Rectangle、採点は棒の高さを読みます) "
         "→ タイトルに温度 → 自分の attention_entropy で求めたエントロピーを小数 2 桁で ax.text に "
         "(パネル内の位置は ax.transAxes の座標が便利)。plt.show() は呼びません。",
         "Outline: for each temperature softmax → a bar chart in its panel with ax.bar (one Rectangle per bar; "
         "the grader reads the bar heights) → the temperature in the title → the entropy from your "
         "attention_entropy, to two decimals, with ax.text (ax.transAxes coordinates place it inside the "
         "panel). Do not call plt.show()."),
    ],
}
