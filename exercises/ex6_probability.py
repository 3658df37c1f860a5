# このファイルは演習用のひな形です。関数の中身を書いてください。
# Exercise stub: fill in the function bodies. (generated from solutions/ by `python -m autograder.stubs`)
"""演習 6: 確率分布と交差エントロピー (本文 3.2 確率・統計の実践的理解: discrete_distributions /
softmax_as_probability / cross_entropy_loss)

言語モデルの出力は語彙全体にわたる確率分布で、その学習に使う損失は交差エントロピーです。本文 3.2 の
確率分布の計算を、定義に忠実に、しかも数値的に安全な形で NumPy を使って実装します。

実装する関数
1. ``expectation_variance(values, probabilities)`` — 離散分布 (確率質量関数) の期待値と分散
       E[X] = Σ_i p_i x_i,    Var[X] = Σ_i p_i (x_i − E[X])²
   を ``(期待値, 分散)`` のタプルで返します (どちらも float)。分散は期待値からのずれの 2 乗の
   期待値です。E[X²] だけでは分散になりません (E[X]² を引く必要があります)。ただし
   E[X²] − E[X]² の形では、値全体が 10⁸ ほど平行移動していると (例: 10⁸ + 0, 1, 2) 桁落ちで
   正しい答えが得られません。Σ p_i (x_i − E[X])² の形で計算してください。
   これは確率分布そのものの分散 (母分散) で、標本から推定するときの n − 1 による補正
   (np.cov の既定) はしません。入力が確率質量関数になっているかを確かめます:
   values と probabilities は同じ長さの空でない 1 次元配列、確率は非負で有限、和が 1
   (許容誤差 ``SUM_TOLERANCE`` = 1e-9 以内)。違反は ValueError、数値でない入力 (文字列など) は
   TypeError にします。
2. ``cross_entropy(p, q)`` — 交差エントロピー H(p, q) = −Σ_i p_i log q_i (自然対数、単位 nats)。
   p は真の分布、q は予測分布で、引数の順番に意味があります (H(p, q) ≠ H(q, p))。
   0 · log 0 = 0 と定義し (p_i = 0 の項は q_i にかかわらず 0)、p_i > 0 なのに q_i = 0 なら
   H(p, q) = +∞ です。log の中に 1e-10 のような小さな数は足しません。
3. ``kl_divergence(p, q)`` — KL ダイバージェンス D_KL(p ‖ q) = Σ_i p_i log(p_i / q_i) (nats)。
   D_KL(p ‖ q) = H(p, q) − H(p) ≥ 0 で、p = q のときちょうど 0、p_i > 0 なのに q_i = 0 なら +∞。
   丸め誤差で負になったごく小さな値は 0.0 にして返します。非対称で、一般に D_KL(p ‖ q) ≠ D_KL(q ‖ p) です。2 と 3 の p, q は同じ長さの 1 次元の確率
   分布でなければならず (1 と同じ検査)、違反は ValueError です。
4. ``cross_entropy_from_logits(logits, targets)`` — 分類モデルの損失。ロジット z (形 (N, C)、
   N 個のサンプル、C 個のクラス) の各行を softmax で確率にして交差エントロピーをとり、
   **バッチで平均** します。targets は 2 通り:
   - 整数の配列 (形 (N,)): 正解クラスの番号 (0 ≤ t_n < C)。損失は −(1/N) Σ_n log softmax(z_n)[t_n]。
   - 浮動小数点数の配列 (形 (N, C)): 各行が確率分布のソフトラベル。損失は
     −(1/N) Σ_n Σ_c t_nc log softmax(z_n)_c。
   log softmax(z)_c = z_c − log Σ_j exp(z_j) の log Σ exp は最大値 m を引いて
   m + log Σ_j exp(z_j − m) (log-sum-exp) と計算します。log(softmax(z)) をそのまま計算すると
   ロジットが 1000 程度あると exp がオーバーフローして nan になり、確率が 0 に丸められると log 0 = −∞ になります。
   ライブラリの softmax・log_softmax・logsumexp・nll_loss・cross_entropy (torch, scipy。テンソルの
   ``.softmax()`` などのメソッドや、logsumexp にあたる np.logaddexp も含む) は使わずに自分で書いてください。使うとこの課題のテストはすべて 0 点です。
   logits が 2 次元でない・空・有限でない値を含む、targets の形が合わない、クラス番号が範囲外、
   ソフトラベルの行が確率分布でないときは ValueError、targets が整数でも浮動小数点数でも
   ない (真偽値など) ときは TypeError です。
5. ``plot_predictions(p, predictions)`` — 本文の図: 予測分布ごとに 1 枚のパネル (Axes) に、真の分布 p と
   予測分布 q の棒グラフを並べ、タイトルに損失 H(p, q) (自分の ``cross_entropy``) を表示した
   ``matplotlib.figure.Figure`` を返します。

入力検査を分けて書けるように、補助関数 ``_real_array``・``_two_vectors``・``_check_distribution``・
``_two_distributions`` の骨組み (docstring だけ) を用意しました。中身を書いて使っても、使わずに各関数の中で
検査を書いてもかまいません (採点テストが呼ぶのは公開関数だけです)。

期待値・分散は scipy.stats を、交差エントロピー・KL ダイバージェンスは scipy.stats.entropy,
scipy.special.rel_entr / xlogy などを使わずに、定義の式から書いてください。

本文との違い
- 本文の交差エントロピー (912 行) とエントロピー (880 行) は ``np.log(pred + 1e-10)`` と 1e-10 を
  足しています。これでは値がずれ、q_i = 0 で本来 +∞ になる損失が有限の値 (約 23) になります。
  ここでは定義どおり 0 · log 0 = 0 とし、補正項は使いません (docs/ERRATA.md)。
- 本文の ``cross_entropy_loss`` は確率を受け取りますが、実際のモデルはロジットを出力し、損失は
  log-sum-exp で安定に計算します (torch.nn.functional.cross_entropy と同じ、バッチで平均)。
- 本文は二項分布の期待値・分散を公式 np, np(1 − p) で書き (698-699 行)、単語長の平均を
  np.mean で求めます (733 行)。ここでは任意の確率質量関数から定義どおりに求めます。
- 本文の ``discrete_distributions`` は scipy.stats をメソッドの中でだけ import するので、次の
  メソッドが動きません (689 行と 756 行、docs/ERRATA.md)。グラフの日本語ラベルは日本語フォントが
  ないと豆腐 (□) になり、``set_xticklabels`` は警告を出します (675 行、docs/ERRATA.md)。図のラベルは
  英語にし、目盛りは位置を固定してから付けます。

----------------------------------------------------------------------------------------------

Exercise 6: probability distributions and cross-entropy (chapter 3.2 "確率・統計の実践的理解":
discrete_distributions, softmax_as_probability, cross_entropy_loss)

A language model outputs a probability distribution over its vocabulary and is trained with the
cross-entropy loss. Write the probability computations of the chapter's section 3.2 with NumPy,
exactly as defined and numerically safe.

Functions to implement
1. ``expectation_variance(values, probabilities)`` — the expected value and the variance of a
   discrete distribution (a probability mass function)
       E[X] = Σ_i p_i x_i,    Var[X] = Σ_i p_i (x_i − E[X])²
   returned as the tuple ``(mean, variance)`` of two floats. The variance is the expected squared
   deviation from the mean: E[X²] alone is not the variance (E[X]² must be subtracted). But the
   form E[X²] − E[X]² cancels catastrophically when all values are shifted by about 10⁸ (e.g.
   10⁸ + 0, 1, 2): compute Σ p_i (x_i − E[X])². This is the variance of the distribution itself (the population
   variance): no n − 1 correction as for a sample estimate (np.cov's default). Check that the input
   is a probability mass function: values and probabilities are non-empty 1-D arrays of the same
   length, the probabilities are non-negative and finite and sum to 1 (within ``SUM_TOLERANCE`` =
   1e-9). Violations raise ValueError; input that is not numeric (strings, ...) raises TypeError.
2. ``cross_entropy(p, q)`` — the cross-entropy H(p, q) = −Σ_i p_i log q_i (natural log, in nats).
   p is the true distribution and q the predicted one; the order matters (H(p, q) ≠ H(q, p)).
   0 · log 0 = 0 (a term with p_i = 0 is 0 whatever q_i is), and H(p, q) = +∞ when q_i = 0 where
   p_i > 0. Add no small number such as 1e-10 inside the log.
3. ``kl_divergence(p, q)`` — the KL divergence D_KL(p ‖ q) = Σ_i p_i log(p_i / q_i) (nats).
   D_KL(p ‖ q) = H(p, q) − H(p) ≥ 0, exactly 0 when p = q, and +∞ when q_i = 0 where p_i > 0 (return
   0.0 for a tiny negative value left by rounding). It is not symmetric: in general D_KL(p ‖ q) ≠ D_KL(q ‖ p). In 2 and 3, p and q must be 1-D
   probability distributions of the same length (the checks of 1); violations raise ValueError.
4. ``cross_entropy_from_logits(logits, targets)`` — a classifier's loss. Turn each row of the
   logits z (shape (N, C): N samples, C classes) into probabilities with the softmax, take the
   cross-entropy and **average over the batch**. Two kinds of targets:
   - an integer array of shape (N,): the class index of each sample (0 ≤ t_n < C). The loss is
     −(1/N) Σ_n log softmax(z_n)[t_n].
   - a floating-point array of shape (N, C): soft labels, each row a distribution. The loss is
     −(1/N) Σ_n Σ_c t_nc log softmax(z_n)_c.
   In log softmax(z)_c = z_c − log Σ_j exp(z_j), compute log Σ exp by subtracting the maximum m:
   m + log Σ_j exp(z_j − m) (log-sum-exp). Computing log(softmax(z)) directly overflows to nan for
   logits around 1000, and a probability rounded to 0 gives log 0 = −∞. Write it yourself: no
   library softmax, log_softmax, logsumexp, nll_loss or cross_entropy (torch, scipy; methods such
   as ``tensor.softmax()`` and NumPy's log-sum-exp ``np.logaddexp`` included); using one scores 0 on every test of this task. Logits that are not 2-D, empty
   or not finite, targets of the wrong shape, class indices out of range and soft-label rows that
   are not distributions raise ValueError; targets that are neither integers nor floating-point
   numbers (booleans, ...) raise TypeError.
5. ``plot_predictions(p, predictions)`` — the chapter's figure: one panel (Axes) per predicted
   distribution q, with bars of the true distribution p and of q side by side and the loss
   H(p, q) (your own ``cross_entropy``) in the title; returns a ``matplotlib.figure.Figure``.

The helpers ``_real_array``, ``_two_vectors``, ``_check_distribution`` and ``_two_distributions`` are
skeletons (docstrings only) for the input checks: fill them in and use them, or write the checks
inside each function instead (the graded tests call only the public functions).

Write the mean and variance without scipy.stats, and the cross-entropy and KL divergence without
scipy.stats.entropy, scipy.special.rel_entr / xlogy and the like: from the defining formulas.

Differs from the chapter
- The chapter's cross-entropy (line 912) and entropy (line 880) add 1e-10 inside the log
  (``np.log(pred + 1e-10)``). That shifts the values and turns a loss that is +∞ when q_i = 0
  into a finite number (about 23). Here 0 · log 0 = 0 as defined, with no fudge term
  (docs/ERRATA.md).
- The chapter's ``cross_entropy_loss`` takes probabilities; real models output logits, and the
  loss is computed stably with log-sum-exp (as torch.nn.functional.cross_entropy does, averaged
  over the batch).
- The chapter writes the binomial mean and variance by formula, np and np(1 − p) (lines 698-699),
  and the mean word length with np.mean (line 733). Here both come from any probability mass
  function, by the definition.
- The chapter's ``discrete_distributions`` imports scipy.stats inside that method only, so the
  next method fails (lines 689 and 756, docs/ERRATA.md). Its Japanese plot labels render as empty
  boxes without a Japanese font, and ``set_xticklabels`` warns (line 675, docs/ERRATA.md). The
  figure here uses English labels and fixes the tick positions before labelling them.
"""

import math

import numpy as np
from matplotlib.figure import Figure

__all__ = [
    "SUM_TOLERANCE",
    "expectation_variance",
    "cross_entropy",
    "kl_divergence",
    "cross_entropy_from_logits",
    "plot_predictions",
]

#: 確率の和と 1 との差の許容誤差 / How far a sum of probabilities may be from 1.
SUM_TOLERANCE = 1e-9


def expectation_variance(values, probabilities):
    """離散分布の期待値と分散 (本文 3.2 discrete_distributions) /
    Mean and variance of a discrete distribution (chapter 3.2).

    ``E[X] = Σ p_i x_i``、``Var[X] = Σ p_i (x_i − E[X])²`` (母分散。n − 1 の補正はしない)。
    ``E[X] = Σ p_i x_i`` and ``Var[X] = Σ p_i (x_i − E[X])²`` (the population variance; no n − 1
    correction).

    Parameters / 引数
    ----------
    values : array_like of real numbers, shape (n,)
        確率変数がとる値 x_i (同じ値が重複してもよい)。
        The values x_i of the random variable (repeats allowed).
    probabilities : array_like of real numbers, shape (n,)
        各値の確率 p_i。非負・有限で、和が 1 (|Σ p_i − 1| ≤ ``SUM_TOLERANCE``)。
        The probability p_i of each value: non-negative, finite, summing to 1
        (|Σ p_i − 1| ≤ ``SUM_TOLERANCE``).

    Returns / 戻り値
    -------
    tuple (float, float)
        ``(mean, variance)``。分散は 0 以上。
        ``(mean, variance)``; the variance is never negative.

    Raises / 例外
    ------
    TypeError
        values または probabilities が実数の配列でないとき (文字列、複素数など)。
        If values or probabilities are not arrays of real numbers (strings, complex, ...).
    ValueError
        1 次元でない・空・長さが違う、値や確率に有限でない値 (nan, inf) がある、確率が負、
        確率の和が 1 でないとき。
        If they are not 1-D, are empty or differ in length, contain non-finite numbers (nan, inf),
        or the probabilities are negative or do not sum to 1.
    """
    # YOUR CODE HERE / ここにコードを書いてください
    raise NotImplementedError()


def cross_entropy(p, q):
    """交差エントロピー H(p, q) (本文 3.2 cross_entropy_loss) / Cross-entropy H(p, q) (chapter 3.2).

    ``H(p, q) = −Σ_i p_i log q_i`` (自然対数、nats)。p_i = 0 の項は 0 (0 · log 0 = 0)、
    p_i > 0 かつ q_i = 0 なら +inf。補正項 1e-10 は使わない。

    ``H(p, q) = −Σ_i p_i log q_i`` (natural log, nats). Terms with p_i = 0 are 0 (0 · log 0 = 0);
    +inf if q_i = 0 where p_i > 0. No 1e-10 fudge.

    Parameters / 引数
    ----------
    p : array_like, shape (n,)
        真の分布 (非負・有限・和 1)。 The true distribution (non-negative, finite, sums to 1).
    q : array_like, shape (n,)
        予測分布 (同上)。 The predicted distribution (likewise).

    Returns / 戻り値
    -------
    float
        H(p, q) ≥ 0 (nats)。+inf もありうる。 H(p, q) ≥ 0 in nats; may be +inf.

    Raises / 例外
    ------
    TypeError
        p または q が実数の配列でないとき。 If p or q is not an array of real numbers.
    ValueError
        p か q が 1 次元でない・空・長さが違う・確率分布でない (負、有限でない、和が 1 から
        ``SUM_TOLERANCE`` より離れている) とき。
        If p or q is not 1-D, is empty, they differ in length, or either is not a distribution
        (negative, not finite, or its sum differs from 1 by more than ``SUM_TOLERANCE``).
    """
    # YOUR CODE HERE / ここにコードを書いてください
    raise NotImplementedError()


def kl_divergence(p, q):
    """KL ダイバージェンス D_KL(p ‖ q) (本文 3.2) / KL divergence D_KL(p ‖ q) (chapter 3.2).

    ``D_KL(p ‖ q) = Σ_i p_i log(p_i / q_i)`` (自然対数、nats)。p_i = 0 の項は 0、
    p_i > 0 かつ q_i = 0 なら +inf。D_KL(p ‖ q) ≥ 0 で、p = q ならちょうど 0。

    ``D_KL(p ‖ q) = Σ_i p_i log(p_i / q_i)`` (natural log, nats). Terms with p_i = 0 are 0;
    +inf if q_i = 0 where p_i > 0. D_KL(p ‖ q) ≥ 0, exactly 0 when p = q.

    Parameters / 引数
    ----------
    p : array_like, shape (n,)
        真の分布 (非負・有限・和 1)。 The true distribution (non-negative, finite, sums to 1).
    q : array_like, shape (n,)
        近似する分布 (同上)。 The approximating distribution (likewise).

    Returns / 戻り値
    -------
    float
        D_KL(p ‖ q) ≥ 0 (nats)。+inf もありうる。 D_KL(p ‖ q) ≥ 0 in nats; may be +inf.

    Raises / 例外
    ------
    TypeError
        p または q が実数の配列でないとき。 If p or q is not an array of real numbers.
    ValueError
        ``cross_entropy`` と同じ条件。 Under the same conditions as ``cross_entropy``.
    """
    # YOUR CODE HERE / ここにコードを書いてください
    raise NotImplementedError()


def cross_entropy_from_logits(logits, targets):
    """ロジットからの交差エントロピー損失 (バッチ平均、log-sum-exp) (本文 3.2 cross_entropy_loss) /
    Cross-entropy loss from logits, averaged over the batch, with log-sum-exp (chapter 3.2).

    ``log softmax(z)_c = z_c − (m + log Σ_j exp(z_j − m))``、m は行の最大値。
    targets が整数ならクラス番号、浮動小数点数なら各行が確率分布のソフトラベル。

    ``log softmax(z)_c = z_c − (m + log Σ_j exp(z_j − m))`` with m the row's maximum. Integer
    targets are class indices; floating-point targets are soft labels, one distribution per row.

    Parameters / 引数
    ----------
    logits : array_like of real numbers, shape (N, C)
        N ≥ 1 個のサンプルの C ≥ 1 クラスのロジット (有限)。
        Finite logits of N ≥ 1 samples over C ≥ 1 classes.
    targets : array_like, shape (N,) of int, or shape (N, C) of float
        整数ならクラス番号 (0 ≤ t_n < C)。浮動小数点数なら各行が確率分布 (非負・有限、
        和が 1 から ``SUM_TOLERANCE`` 以内)。
        Integers: class indices (0 ≤ t_n < C). Floating point: each row a distribution
        (non-negative, finite, summing to 1 within ``SUM_TOLERANCE``).

    Returns / 戻り値
    -------
    float
        サンプルごとの損失の平均 (nats、0 以上)。
        The mean of the per-sample losses (nats, non-negative).

    Raises / 例外
    ------
    TypeError
        logits が実数の配列でないとき、targets の dtype が整数でも浮動小数点数でもない
        (真偽値、文字列など) とき。
        If logits is not an array of real numbers, or targets are neither integers nor
        floating-point numbers (booleans, strings, ...).
    ValueError
        logits が 2 次元でない・N = 0 か C = 0・有限でない値を含むとき、クラス番号の形が (N,)
        でないか範囲外のとき、ソフトラベルの形が (N, C) でないか行が確率分布でないとき。
        If logits is not 2-D, N = 0 or C = 0, or it has non-finite entries; if class indices do
        not have shape (N,) or are out of range; if soft labels do not have shape (N, C) or a row
        is not a distribution.
    """
    # YOUR CODE HERE / ここにコードを書いてください
    raise NotImplementedError()


def plot_predictions(p, predictions):
    """真の分布と予測分布の図 (本文 3.2 cross_entropy_loss) /
    Figure of the true and the predicted distributions (chapter 3.2).

    予測分布 q ごとに 1 つのパネル (Axes) を左から順に作り、クラスごとに 2 本の棒を並べる:
    先に ``ax.bar`` で真の分布 p (ラベル "true")、次に予測分布 q (ラベル "predicted")。タイトルには
    損失 ``cross_entropy(p, q)`` を小数 3 桁で表示する (例 "H(p, q) = 0.511")。

    One panel (Axes) per predicted distribution q, left to right, with two bars per class: first
    the true distribution p with ``ax.bar`` (label "true"), then the prediction q (label
    "predicted"). The title shows the loss ``cross_entropy(p, q)`` to three decimals (e.g.
    "H(p, q) = 0.511").

    Parameters / 引数
    ----------
    p : array_like, shape (n,)
        真の分布。本文の例は [0, 0, 1, 0, 0] (正解はクラス 2)。
        The true distribution; the chapter uses [0, 0, 1, 0, 0] (class 2 is right).
    predictions : sequence of array_like, each of shape (n,)
        予測分布。本文の例は [0.1, 0.1, 0.6, 0.1, 0.1], [0.2] * 5, [0.6, 0.1, 0.1, 0.1, 0.1]。
        The predicted distributions; the chapter uses [0.1, 0.1, 0.6, 0.1, 0.1], [0.2] * 5 and
        [0.6, 0.1, 0.1, 0.1, 0.1].

    Returns / 戻り値
    -------
    matplotlib.figure.Figure
        ``len(predictions)`` 個の Axes を持つ図 (plt.show() はしない)。
        A figure with ``len(predictions)`` Axes (not shown).

    Raises / 例外
    ------
    ValueError
        predictions が空のとき、``cross_entropy(p, q)`` が ValueError を出すとき。
        If predictions is empty, or where ``cross_entropy(p, q)`` raises ValueError.
    """
    # YOUR CODE HERE / ここにコードを書いてください
    raise NotImplementedError()


def _real_array(a, name):
    """``a`` を float64 の配列にする。実数でなければ (文字列、複素数など) TypeError。

    ``a`` as a float64 array; TypeError if it is not real numbers (strings, complex, objects).
    ``name`` はメッセージに使う引数名 / the argument's name for the message.
    """
    # YOUR CODE HERE / ここにコードを書いてください
    raise NotImplementedError()


def _two_vectors(a, b, name_a, name_b):
    """``a`` と ``b`` を同じ長さの 1 次元の float64 配列にする (``_real_array`` の TypeError、形の ValueError)。

    ``a`` and ``b`` as 1-D float64 arrays of the same length: TypeError from ``_real_array``, and
    ValueError if either is not 1-D or their lengths differ. ``name_a``, ``name_b`` はメッセージに
    使う引数名 / the arguments' names for the messages.
    """
    # YOUR CODE HERE / ここにコードを書いてください
    raise NotImplementedError()


def _check_distribution(p, name):
    """1 次元の float 配列 ``p`` が空でなく、有限・非負で、和が 1 (``SUM_TOLERANCE`` 以内) でなければ ValueError。

    ValueError unless the 1-D float array ``p`` is non-empty, finite and non-negative and sums to
    1 within ``SUM_TOLERANCE``. ``name`` はメッセージに使う名前 / the name for the message.
    """
    # YOUR CODE HERE / ここにコードを書いてください
    raise NotImplementedError()


def _two_distributions(p, q):
    """``p`` と ``q`` を同じ長さの 1 次元の確率分布として検査し、float64 の配列 (p, q) で返す。

    ``p`` and ``q`` checked as 1-D distributions of the same length, returned as float64 arrays.
    TypeError / ValueError は ``cross_entropy`` と同じ / as in ``cross_entropy``.
    """
    # YOUR CODE HERE / ここにコードを書いてください
    raise NotImplementedError()


# ---------------------------------------------------------------------------------------------
# ヒント (段階式): `workbook hint ex6_probability [課題]` で 1 段ずつ表示されます。まず自分で考えてから。
# Graded hints: `workbook hint ex6_probability [TASK]` shows them one level at a time. Try first.
# 各要素は (日本語, English)。答えそのものは書いていません。 / Each entry is (Japanese, English).
HINTS = {
    "expectation_variance": [
        ("期待値は確率で重み付けした値の和 E[X] = Σ p_i x_i、分散は期待値からのずれの 2 乗の重み付き和 "
         "Σ p_i (x_i − E[X])² です。scipy.stats は使えません。",
         "The mean is the probability-weighted sum E[X] = Σ p_i x_i; the variance is the weighted sum of "
         "squared deviations from it, Σ p_i (x_i − E[X])². scipy.stats is not allowed."),
        ("E[X²] だけでは分散になりません。E[X²] − E[X]² は数学的には正しいのですが、値が 1e8 程度ずれていると "
         "桁落ちで 0 になります。先に期待値を求め、ずれを 2 乗してから重み付きで足します。np.cov は標本の "
         "n − 1 補正をするので使いません。",
         "E[X²] alone is not the variance. E[X²] − E[X]² is right on paper but cancels to 0 when the values are "
         "offset by about 1e8. Compute the mean first, then the weighted sum of squared deviations. np.cov "
         "applies a sample n − 1 correction: do not use it."),
        ("流れ: np.asarray で配列にし、dtype が数値でなければ TypeError → 1 次元か、空でないか、長さが同じか、"
         "有限か、確率が非負か、|Σ p − 1| ≤ SUM_TOLERANCE かを順に調べて ValueError → 期待値 → ずれの 2 乗の"
         "重み付き和 → 2 つを float にしてタプルで返す。",
         "Outline: np.asarray, and TypeError if the dtype is not numeric → check in turn 1-D, non-empty, same "
         "length, finite, non-negative probabilities and |Σ p − 1| ≤ SUM_TOLERANCE, raising ValueError → the "
         "mean → the weighted sum of squared deviations → return both as floats in a tuple."),
    ],
    "cross_entropy": [
        ("H(p, q) = −Σ_i p_i log q_i (自然対数)。p が真の分布、q が予測で、順番を入れ替えると値が変わります。",
         "H(p, q) = −Σ_i p_i log q_i (natural log). p is the true distribution and q the prediction; swapping "
         "them changes the value."),
        ("0 · log 0 = 0 なので p_i = 0 の項は足しません (p * log q をそのまま計算すると 0 · (−inf) = nan)。"
         "p_i > 0 なのに q_i = 0 なら答えは +inf です。log(q + 1e-10) のような補正は値がずれて不合格になります。",
         "0 · log 0 = 0, so skip the terms with p_i = 0 (computing p * log q as is gives 0 · (−inf) = nan). If "
         "q_i = 0 where p_i > 0 the answer is +inf. A fudge such as log(q + 1e-10) shifts the value and fails."),
        ("流れ: p と q を検査 (1 次元、同じ長さ、非負、有限、和が 1) → p > 0 の位置の真偽値マスク → その位置に "
         "q = 0 があれば math.inf を返す → マスクの位置だけで p · log q を足し、符号を反転して float で返す。",
         "Outline: check p and q (1-D, same length, non-negative, finite, summing to 1) → a boolean mask of "
         "where p > 0 → return math.inf if q is 0 anywhere under the mask → sum p · log q under the mask only, "
         "flip the sign and return a float."),
    ],
    "kl_divergence": [
        ("D_KL(p ‖ q) = Σ_i p_i log(p_i / q_i) = H(p, q) − H(p)。p と q の順番に意味があります "
         "(D_KL(p ‖ q) ≠ D_KL(q ‖ p))。",
         "D_KL(p ‖ q) = Σ_i p_i log(p_i / q_i) = H(p, q) − H(p). The order of p and q matters "
         "(D_KL(p ‖ q) ≠ D_KL(q ‖ p))."),
        ("交差エントロピーと同じく p_i = 0 の項は 0、p_i > 0 で q_i = 0 なら +inf です。p = q ならちょうど 0 "
         "になるように、log p_i − log q_i の形で計算し、丸めで負になった小さな値は 0 にします。",
         "As for the cross-entropy, terms with p_i = 0 are 0, and q_i = 0 where p_i > 0 gives +inf. To get "
         "exactly 0 when p = q, use log p_i − log q_i, and turn a tiny negative value from rounding into 0."),
        ("流れ: 検査は cross_entropy と同じ → p > 0 のマスク → そこに q = 0 があれば +inf → マスクの位置だけで "
         "p · (log p − log q) を足す → 負なら 0.0 にして float で返す。",
         "Outline: the same checks as cross_entropy → the mask p > 0 → +inf if q is 0 under it → sum "
         "p · (log p − log q) under the mask → 0.0 if negative, return a float."),
    ],
    "cross_entropy_from_logits": [
        ("log softmax(z)_c = z_c − log Σ_j exp(z_j) を行ごとに求め、正解クラスの (またはソフトラベルで重み付けした) "
         "値の符号を反転し、バッチで平均します。torch や scipy の log_softmax・logsumexp・cross_entropy は使えません。",
         "Compute log softmax(z)_c = z_c − log Σ_j exp(z_j) per row, take minus its value at the right class (or "
         "weighted by the soft labels), and average over the batch. No log_softmax, logsumexp or cross_entropy "
         "from torch or scipy."),
        ("exp(1000) はあふれます。行の最大値 m を使って log Σ exp(z_j) = m + log Σ exp(z_j − m) とすれば "
         "exp の引数は 0 以下です。softmax を先に計算して log をとると、0 に丸められた確率で −inf になります。"
         "和ではなく平均 (N で割る) です。",
         "exp(1000) overflows. With the row maximum m, log Σ exp(z_j) = m + log Σ exp(z_j − m) keeps every "
         "exponent at most 0. Taking the log of a softmax computed first gives −inf for probabilities rounded "
         "to 0. The loss is the mean (divide by N), not the sum."),
        ("流れ: logits を検査 (2 次元、N, C ≥ 1、有限) → targets の dtype で分岐: 整数なら形 (N,) と範囲 "
         "0 ≤ t < C を検査して、行番号とクラス番号の 2 つの配列で log softmax から取り出す (np.arange(N) が便利)。"
         "浮動小数点数なら形 (N, C) と各行が分布かを検査して t · log softmax を行ごとに足す。"
         "それ以外は TypeError → 符号を反転して平均。",
         "Outline: check logits (2-D, N, C ≥ 1, finite) → branch on the dtype of targets: integers — check shape "
         "(N,) and 0 ≤ t < C, and pick from the log-softmax with two index arrays, rows and classes "
         "(np.arange(N) helps); floating point — check shape (N, C) and that every row is a distribution, and "
         "sum t · log softmax per row; anything else — TypeError → flip the sign and take the mean."),
    ],
    "plot_predictions": [
        ("予測分布ごとに 1 つのパネル (Axes) を左から順に並べ、真の分布と予測分布の棒グラフを横に並べて描きます。",
         "One panel (Axes) per predicted distribution, left to right, with the bars of the true and the "
         "predicted distribution side by side."),
        ("fig = Figure(...) の fig.subplots(1, k) で k 個のパネルが作れます (k = 1 でも配列になるよう squeeze=False)。"
         "ax.bar を 2 回、先に真の分布、次に予測分布で呼び、x 座標を棒の幅の半分ずつ左右にずらします。",
         "fig.subplots(1, k) of fig = Figure(...) gives k panels (squeeze=False keeps an array when k = 1). "
         "Call ax.bar twice, first for the true distribution, then for the prediction, shifting the x positions "
         "by half a bar width left and right."),
        ("流れ: 予測ごとに自分の cross_entropy(p, q) で損失を求める → そのパネルに 2 組の棒 (採点は "
         "ax.containers の棒の高さを読みます) → タイトルに損失を小数 3 桁で (例 \"H(p, q) = 0.511\") → 目盛りは "
         "ax.set_xticks で位置を決めてから。plt.show() は呼びません。",
         "Outline: for each prediction, the loss from your cross_entropy(p, q) → two bar series in its panel "
         "(the grader reads the bar heights from ax.containers) → the loss in the title to three decimals (e.g. "
         "\"H(p, q) = 0.511\") → fix the ticks with ax.set_xticks before labelling. Do not call plt.show()."),
    ],
}
