# このファイルは演習用のひな形です。関数の中身を書いてください。
# Exercise stub: fill in the function bodies. (generated from solutions/ by `python -m autograder.stubs`)
"""演習 9: Multi-Head Attention と Pre-LN Transformer ブロック (本文 3.4 実践: 数学をコードで確認)

本文 3.4 の ``TransformerMathematics`` (``complete_transformer_block`` と
``step_by_step_computation``) がたどる計算を、NumPy (float64) で一から実装します。
入力 x は形 (batch, seq, d_model) の 3 次元配列 (merge_heads だけは 4 次元) で、x[b, t] が 1 つのトークンの
ベクトルです。
重みは本文と同じく右から掛ける形 (``x @ W``) で、W_q, W_k, W_v, W_o はどれも (d_model, d_model) です。

Multi-Head Attention の式 (ヘッド数 h、各ヘッドの次元 d_k = d_model / h)::

    Q = X W^Q,  K = X W^K,  V = X W^V                (X をちょうど 1 回だけ射影する)
    Q, K, V を h 個のヘッドに分ける: Q_i = Q[:, :, i·d_k:(i+1)·d_k]  (i = 0, …, h−1)
    head_i = softmax(Q_i K_iᵀ / √d_k) V_i             (softmax はキーの軸、各クエリ行で和 1)
    MultiHead(X) = Concat(head_0, …, head_{h−1}) W^O

実装する関数
1. ``split_heads(x, n_heads)`` — 形 (batch, seq, d_model) を (batch, n_heads, seq, d_k) に
   並べ替えます。ヘッド i には特徴の i 番目のかたまり (列 i·d_k から (i+1)·d_k − 1) が入り、
   out[b, i, t, :] = x[b, t, i·d_k:(i+1)·d_k] です。最後の軸を (n_heads, d_k) に分けてから
   seq の軸と n_heads の軸を入れ替えます。いきなり (batch, n_heads, seq, d_k) に reshape すると
   系列の軸と特徴の軸が混ざってしまいます。d_model が n_heads で割り切れなければ ValueError です。
2. ``merge_heads(x)`` — split_heads の逆変換: (batch, n_heads, seq, d_k) を
   (batch, seq, n_heads·d_k) に戻します (本文の「Concat(head_1, …, head_h)」)。
   どんな x でも ``merge_heads(split_heads(x, h))`` は x に等しくなります。
3. ``multi_head_attention(x, W_q, W_k, W_v, W_o, n_heads, causal=False)`` — 上の式どおりの
   Multi-Head Attention (self-attention: クエリ・キー・バリューはすべて同じ x から作る)。
   ``causal=True`` のときは因果マスクを掛け、位置 t のクエリは位置 0, …, t のキー
   (自分自身を含む) だけに注意します。未来の位置 (キー > クエリ) の重みはちょうど 0 です。
   split_heads と merge_heads は自分で書いたものを使ってかまいません (そこに誤りがあっても、
   減点されるのはその関数の課題だけです)。
4. ``transformer_block(x, params, n_heads, causal=False)`` — Pre-LN の Transformer ブロック::

       h   = x + MultiHead(LN₁(x))          (LN₁ = LayerNorm(γ₁, β₁))
       out = h + FFN(LN₂(h))                 (LN₂ = LayerNorm(γ₂, β₂))
       FFN(u) = ReLU(u W₁ + b₁) W₂ + b₂      (ReLU(z) = max(0, z)、本文の FFN と同じ)

   LayerNorm は与えられた関数 ``layer_norm`` (最後の軸で平均 0・分散 1 に正規化してから γ 倍して
   β を足す、eps = 1e-5、分散は d_model − 1 ではなく d_model で割る) を使います。正規化するのは
   各サブレイヤーの **入力** で、残差として足すのは正規化する **前** の値 (x と h) です。
   ``multi_head_attention`` は自分で書いたものを使ってかまいません (そこに誤りがあっても、
   減点されるのは multi_head_attention の課題だけです)。

multi_head_attention ではライブラリの Attention (torch.nn.functional.scaled_dot_product_attention、
torch.nn.MultiheadAttention など) を、transformer_block ではライブラリの Transformer 層
(torch.nn.TransformerEncoderLayer など) を使わずに、自分で書いてください。NumPy で書くことを想定しています
(戻り値は float64 の numpy.ndarray)。

本文との違い
- 本文 1513-1514 行は「Q = XW_Q」と射影したあとで「head_i = Attention(QW_i^Q, KW_i^K, VW_i^V)」と
  もう一度射影しています。これでは X を 2 回射影することになります。ヘッドは
  Attention(XW_i^Q, XW_i^K, XW_i^V) で、X の射影は 1 回だけです (docs/ERRATA.md)。
  本文のコード (1562-1575 行) も 1 回だけ射影してからヘッドに分けています。
- スコアを割るのは各ヘッドのキーの次元 d_k = d_model / h の平方根 √d_k です。本文 478-501 行の
  Attention は √d_model で割っています (docs/ERRATA.md)。3.4 のコード (1581 行) は √d_k で正しく割っています。
- 本文 1581 行・1589 行は ``math`` と ``torch.nn.functional as F`` を import せずに使っているので、
  そのままでは動きません (docs/ERRATA.md)。ここでは NumPy だけを使います。
- 本文 1524 行の残差接続は「output = LayerNorm(x + Sublayer(x))」(Post-LN、最初の Transformer の形) です。
  この演習では、いまの多くのモデル (GPT-2 以降) が使う Pre-LN「x + Sublayer(LayerNorm(x))」を実装します。
  本文の LayerNorm (956 行) は eps = 1e-6 で γ・β がありませんが、ここでは torch と同じ
  eps = 1e-5 と γ・β を使います (docs/ERRATA.md)。
- 本文には因果マスクがありません。デコーダー (GPT など) で使う因果マスクを ``causal`` 引数で加えます。
- 本文は乱数シードを設定していません (1554 行、docs/ERRATA.md)。採点テストは固定したシードを使います。

----------------------------------------------------------------------------------------------

Exercise 9: multi-head attention and a pre-LN Transformer block (chapter 3.4
"実践: 数学をコードで確認", checking the mathematics in code)

Implement from scratch, with NumPy (float64), the computation that the chapter's
``TransformerMathematics`` (``complete_transformer_block`` and ``step_by_step_computation``) walks
through. The input x is a 3-D array of shape (batch, seq, d_model) (merge_heads alone takes a 4-D
one), x[b, t] being one token's vector. As in the chapter, weights multiply from the right
(``x @ W``), and W_q, W_k, W_v and W_o are all (d_model, d_model).

Multi-head attention (h heads, each of dimension d_k = d_model / h)::

    Q = X W^Q,  K = X W^K,  V = X W^V                (X is projected exactly once)
    split Q, K, V into h heads: Q_i = Q[:, :, i·d_k:(i+1)·d_k]   (i = 0, ..., h-1)
    head_i = softmax(Q_i K_iᵀ / √d_k) V_i             (softmax over the keys: each query row sums to 1)
    MultiHead(X) = Concat(head_0, ..., head_{h-1}) W^O

Functions to implement
1. ``split_heads(x, n_heads)`` — rearrange (batch, seq, d_model) into (batch, n_heads, seq, d_k).
   Head i gets the i-th block of features (columns i·d_k to (i+1)·d_k - 1):
   out[b, i, t, :] = x[b, t, i·d_k:(i+1)·d_k]. Split the last axis into (n_heads, d_k), then swap
   the seq and n_heads axes; reshaping straight to (batch, n_heads, seq, d_k) mixes the sequence
   and feature axes. A d_model that n_heads does not divide raises ValueError.
2. ``merge_heads(x)`` — the inverse of split_heads: (batch, n_heads, seq, d_k) back to
   (batch, seq, n_heads·d_k) (the chapter's "Concat(head_1, ..., head_h)"). For every x,
   ``merge_heads(split_heads(x, h))`` equals x.
3. ``multi_head_attention(x, W_q, W_k, W_v, W_o, n_heads, causal=False)`` — multi-head attention
   as above (self-attention: queries, keys and values all come from the same x). With
   ``causal=True`` a causal mask applies: the query at position t attends only to the keys at
   positions 0, ..., t (itself included); future positions (key > query) get weight exactly 0.
   You may use your own split_heads and merge_heads (a mistake in them costs points in their own
   tasks only).
4. ``transformer_block(x, params, n_heads, causal=False)`` — a pre-LN Transformer block::

       h   = x + MultiHead(LN₁(x))          (LN₁ = LayerNorm(γ₁, β₁))
       out = h + FFN(LN₂(h))                 (LN₂ = LayerNorm(γ₂, β₂))
       FFN(u) = ReLU(u W₁ + b₁) W₂ + b₂      (ReLU(z) = max(0, z), the chapter's FFN)

   Use the given ``layer_norm`` (normalise the last axis to mean 0 and variance 1, then multiply
   by γ and add β; eps = 1e-5; the variance divides by d_model, not d_model − 1). Each
   sublayer's **input** is normalised, and the residual adds the value **before** normalisation (x and h). You may use
   your own ``multi_head_attention`` (a mistake in it costs points in multi_head_attention only).

Write them yourself: no library attention in multi_head_attention
(torch.nn.functional.scaled_dot_product_attention, torch.nn.MultiheadAttention, ...) and no library
Transformer layer in transformer_block (torch.nn.TransformerEncoderLayer, ...). NumPy is the
intended tool (return float64 numpy.ndarray values).

Differs from the chapter
- Lines 1513-1514 project with "Q = XW_Q" and then again in "head_i = Attention(QW_i^Q, KW_i^K,
  VW_i^V)", which projects X twice. A head is Attention(XW_i^Q, XW_i^K, XW_i^V): X is projected
  once (docs/ERRATA.md). The chapter's own code (lines 1562-1575) also projects once and then
  splits into heads.
- The scores are divided by √d_k, the square root of each head's key dimension
  d_k = d_model / h. The attention of lines 478-501 divides by √d_model (docs/ERRATA.md); the
  code of 3.4 (line 1581) divides by √d_k correctly.
- Lines 1581 and 1589 use ``math`` and ``torch.nn.functional as F`` without importing them, so the
  code does not run as printed (docs/ERRATA.md). Only NumPy is used here.
- The residual connection of line 1524 is "output = LayerNorm(x + Sublayer(x))" (post-LN, the
  original Transformer). This exercise implements pre-LN, "x + Sublayer(LayerNorm(x))", which
  most current models use (GPT-2 onwards). The chapter's LayerNorm (line 956) has eps = 1e-6 and
  no γ, β; here eps = 1e-5 as in torch, with γ and β (docs/ERRATA.md).
- The chapter has no causal mask; the ``causal`` argument adds the mask decoders (GPT, ...) use.
- The chapter sets no random seed (line 1554, docs/ERRATA.md); the graded tests use fixed seeds.
"""

import numbers

import numpy as np

__all__ = [
    "layer_norm",
    "split_heads",
    "merge_heads",
    "multi_head_attention",
    "transformer_block",
    "BLOCK_PARAMS",
]

#: The keys of ``params`` in :func:`transformer_block` and their shapes (d = d_model).
#: ``transformer_block`` の ``params`` のキーと形 (d = d_model)。
BLOCK_PARAMS = {
    "gamma1": "(d,)", "beta1": "(d,)",
    "W_q": "(d, d)", "W_k": "(d, d)", "W_v": "(d, d)", "W_o": "(d, d)",
    "gamma2": "(d,)", "beta2": "(d,)",
    "W_1": "(d, d_ff)", "b_1": "(d_ff,)", "W_2": "(d_ff, d)", "b_2": "(d,)",
}


def layer_norm(x, gamma, beta, eps=1e-5):
    """LayerNorm (与えられた関数、本文 3.2 の正規化) / LayerNorm (given, the chapter's normalisation in 3.2).

    最後の軸に沿って平均 0・分散 1 に正規化し (分散は d_model で割る)、γ 倍して β を足す。
    torch.nn.LayerNorm(d_model, eps=1e-5) と同じ。

    Normalises along the last axis to mean 0 and variance 1 (the variance divides by d_model), then
    multiplies by γ and adds β; the same as torch.nn.LayerNorm(d_model, eps=1e-5).

    Parameters / 引数
    ----------
    x : array_like, shape (..., d_model)
    gamma, beta : array_like, shape (d_model,)
        ゲインとバイアス / gain and bias.
    eps : float, default 1e-5
        分散に足す小さな数 / added to the variance.

    Returns / 戻り値
    -------
    numpy.ndarray, float64, same shape as ``x``
    """
    x = np.asarray(x, dtype=np.float64)
    mean = np.mean(x, axis=-1, keepdims=True)
    var = np.mean((x - mean) ** 2, axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * np.asarray(gamma, dtype=np.float64) + np.asarray(beta, dtype=np.float64)


def split_heads(x, n_heads):
    """ヘッドへの分割 (本文 3.4 Step 2) / Split into heads (chapter 3.4, step 2).

    (batch, seq, d_model) を (batch, n_heads, seq, d_k) (d_k = d_model / n_heads) に並べ替える。
    ``out[b, i, t, :] = x[b, t, i·d_k:(i+1)·d_k]``。

    Rearranges (batch, seq, d_model) into (batch, n_heads, seq, d_k) with d_k = d_model / n_heads:
    ``out[b, i, t, :] = x[b, t, i·d_k:(i+1)·d_k]``.

    Parameters / 引数
    ----------
    x : array_like, shape (batch, seq, d_model)
    n_heads : int
        ヘッド数 (1 以上で d_model を割り切る) / number of heads (>= 1, divides d_model).

    Returns / 戻り値
    -------
    numpy.ndarray, float64, shape (batch, n_heads, seq, d_model // n_heads)

    Raises / 例外
    ------
    TypeError
        n_heads が整数でない (bool を含む) とき / if n_heads is not an int (bool included).
    ValueError
        x が 3 次元でないとき、n_heads < 1 のとき、d_model が n_heads で割り切れないとき。
        If x is not 3-D, n_heads < 1, or n_heads does not divide d_model.
    """
    # YOUR CODE HERE / ここにコードを書いてください
    raise NotImplementedError()


def merge_heads(x):
    """ヘッドの結合 (本文 3.4 Step 6) / Merge the heads (chapter 3.4, step 6).

    split_heads の逆変換: (batch, n_heads, seq, d_k) を (batch, seq, n_heads·d_k) に戻す。
    ``out[b, t, i·d_k:(i+1)·d_k] = x[b, i, t, :]``。

    The inverse of split_heads: (batch, n_heads, seq, d_k) back to (batch, seq, n_heads·d_k),
    ``out[b, t, i·d_k:(i+1)·d_k] = x[b, i, t, :]``.

    Parameters / 引数
    ----------
    x : array_like, shape (batch, n_heads, seq, d_k)

    Returns / 戻り値
    -------
    numpy.ndarray, float64, shape (batch, seq, n_heads * d_k)

    Raises / 例外
    ------
    ValueError
        x が 4 次元でないとき / if x is not 4-D.
    """
    # YOUR CODE HERE / ここにコードを書いてください
    raise NotImplementedError()


def multi_head_attention(x, W_q, W_k, W_v, W_o, n_heads, causal=False):
    """Multi-Head (self-)Attention (本文 3.4 Step 1-7) / multi-head self-attention (chapter 3.4, steps 1-7).

    ``Q = x W_q`` などと 1 回だけ射影し、ヘッドに分け、各ヘッドで
    ``softmax(Q_i K_iᵀ / √d_k) V_i`` (d_k = d_model / n_heads)、結合して ``W_o`` を掛ける。

    Projects once (``Q = x W_q``, ...), splits into heads, computes ``softmax(Q_i K_iᵀ / √d_k) V_i``
    per head (d_k = d_model / n_heads), merges the heads and multiplies by ``W_o``.

    Parameters / 引数
    ----------
    x : array_like, shape (batch, seq, d_model)
    W_q, W_k, W_v, W_o : array_like, shape (d_model, d_model)
        右から掛ける重み (``x @ W_q``) / weights multiplied from the right (``x @ W_q``).
    n_heads : int
        ヘッド数 (1 以上で d_model を割り切る) / number of heads (>= 1, divides d_model).
    causal : bool, default False
        True なら位置 t のクエリはキー 0..t だけに注意する (未来の重みはちょうど 0)。
        If True, the query at position t attends only to keys 0..t (future weights are exactly 0).

    Returns / 戻り値
    -------
    numpy.ndarray, float64, shape (batch, seq, d_model)

    Raises / 例外
    ------
    TypeError
        n_heads が整数でない、または causal が bool でないとき。
        If n_heads is not an int or causal is not a bool.
    ValueError
        x が 3 次元でない、重みの形が (d_model, d_model) でない、n_heads < 1、
        d_model が n_heads で割り切れないとき。
        If x is not 3-D, a weight is not (d_model, d_model), n_heads < 1, or n_heads does not
        divide d_model.
    """
    # YOUR CODE HERE / ここにコードを書いてください
    raise NotImplementedError()


def transformer_block(x, params, n_heads, causal=False):
    """Pre-LN Transformer ブロック (本文 3.4 complete_transformer_block) /
    Pre-LN Transformer block (chapter 3.4, complete_transformer_block).

    ``h = x + MultiHead(LN₁(x))``、``out = h + FFN(LN₂(h))``、
    ``FFN(u) = ReLU(u W₁ + b₁) W₂ + b₂``。LN は与えられた ``layer_norm`` (eps = 1e-5)。

    ``h = x + MultiHead(LN₁(x))``, ``out = h + FFN(LN₂(h))``,
    ``FFN(u) = ReLU(u W₁ + b₁) W₂ + b₂``, LN being the given ``layer_norm`` (eps = 1e-5).

    Parameters / 引数
    ----------
    x : array_like, shape (batch, seq, d_model)
    params : dict
        ``BLOCK_PARAMS`` のキーをすべて持つ辞書 (d = d_model):
        "gamma1", "beta1", "gamma2", "beta2" は (d,)、"W_q", "W_k", "W_v", "W_o" は (d, d)、
        "W_1" は (d, d_ff)、"b_1" は (d_ff,)、"W_2" は (d_ff, d)、"b_2" は (d,)。余分なキーは無視する。
        A dict with every key of ``BLOCK_PARAMS`` (d = d_model): "gamma1", "beta1", "gamma2",
        "beta2" (d,); "W_q", "W_k", "W_v", "W_o" (d, d); "W_1" (d, d_ff); "b_1" (d_ff,);
        "W_2" (d_ff, d); "b_2" (d,). Extra keys are ignored.
    n_heads : int
        ヘッド数 (1 以上で d_model を割り切る) / number of heads (>= 1, divides d_model).
    causal : bool, default False
        multi_head_attention の因果マスク / the causal mask of multi_head_attention.

    Returns / 戻り値
    -------
    numpy.ndarray, float64, shape (batch, seq, d_model)

    Raises / 例外
    ------
    ValueError
        params にキーが足りないとき (メッセージにそのキーを含む)、パラメータの形が違うとき、
        x が 3 次元でないとき、n_heads が d_model を割り切らないとき。
        If a key is missing from params (the message names it), a parameter has the wrong shape,
        x is not 3-D, or n_heads does not divide d_model.
    TypeError
        n_heads が整数でない、causal が bool でない、params が dict でないとき。
        If n_heads is not an int, causal is not a bool, or params is not a dict.
    """
    # YOUR CODE HERE / ここにコードを書いてください
    raise NotImplementedError()


HINTS = {
    "split_heads": [
        ("ヘッド i は特徴 (最後の軸) の i 番目のかたまり、列 i·d_k から (i+1)·d_k − 1 を受け持ちます。"
         "系列の順番は変えません。",
         "Head i takes the i-th block of features (the last axis), columns i·d_k to (i+1)·d_k − 1. "
         "The order of the sequence does not change."),
        ("まず最後の軸を (n_heads, d_k) の 2 つに分けて (batch, seq, n_heads, d_k) にし、それから軸 1 と 2 を"
         "入れ替えます。いきなり (batch, n_heads, seq, d_k) に reshape すると、メモリ上の並びのまま切り分ける"
         "ので系列と特徴が混ざります。n_heads の型と、d_model が割り切れるかを先に確かめます。",
         "First split the last axis into two, (n_heads, d_k), giving (batch, seq, n_heads, d_k); then swap "
         "axes 1 and 2. Reshaping straight to (batch, n_heads, seq, d_k) cuts the data in memory order and "
         "mixes sequence and features. Check n_heads's type and that it divides d_model first."),
        ("流れ: float64 の配列にする → 3 次元か確かめる → n_heads が bool でない整数 (numbers.Integral) か、"
         "1 以上で d_model を割り切るか確かめる → reshape で (batch, seq, n_heads, d_k) → transpose で"
         "軸の順を (0, 2, 1, 3) に。",
         "Outline: make a float64 array → check it is 3-D → check n_heads is an int (numbers.Integral, not "
         "bool), >= 1, and divides d_model → reshape to (batch, seq, n_heads, d_k) → transpose the axes to "
         "the order (0, 2, 1, 3)."),
    ],
    "merge_heads": [
        ("split_heads を逆にたどります: ヘッドの軸を系列の軸の後ろに戻し、ヘッドを特徴の軸に横に並べます。",
         "Undo split_heads step by step: move the head axis back behind the sequence axis, then lay the "
         "heads side by side along the feature axis."),
        ("軸の入れ替えを先に、reshape を後にします。順序を逆にすると split のときと同じように系列と特徴が"
         "混ざります。split_heads で分けたものを merge_heads で結合して、元の x に戻るか試してみましょう。",
         "Swap the axes first, reshape afterwards; the other order mixes sequence and features, as in "
         "split. Check that splitting x with split_heads and merging the result gives x back."),
        ("流れ: float64 の配列にする → 4 次元か確かめる → 形から batch, n_heads, seq, d_k を取り出す → "
         "transpose で (0, 2, 1, 3) → reshape で (batch, seq, n_heads·d_k)。",
         "Outline: make a float64 array → check it is 4-D → read batch, n_heads, seq, d_k from its shape → "
         "transpose to (0, 2, 1, 3) → reshape to (batch, seq, n_heads·d_k)."),
    ],
    "multi_head_attention": [
        ("x を W_q, W_k, W_v で 1 回ずつ射影し、ヘッドごとに scaled dot-product attention を計算して、"
         "結合したものに W_o を掛けます。",
         "Project x once each with W_q, W_k, W_v, compute scaled dot-product attention per head, merge, "
         "and multiply by W_o."),
        ("スケールは 1/√d_k で、d_k は 1 つのヘッドの次元 (d_model / n_heads) です。softmax はキーの軸 "
         "(最後の軸) に沿って取ります。因果マスクは「キーの位置 > クエリの位置」のスコアを −∞ にするので、"
         "対角成分 (自分自身) は残ります。本文 1514 行のように射影した Q をもう一度射影してはいけません。",
         "The scale is 1/√d_k with d_k one head's dimension (d_model / n_heads). The softmax runs along "
         "the key axis (the last one). The causal mask sets the scores with key position > query "
         "position to −∞, so the diagonal (the token itself) stays. Do not project the projected Q again "
         "as line 1514 of the chapter does."),
        ("流れ: 入力と重みの形を確かめる → x @ W_q などを split_heads でヘッドに分ける → "
         "Q と K の転置 (最後の 2 軸) の積を √d_k で割る → causal なら np.triu(..., k=1) の位置を −∞ に → "
         "行の最大値を引いてから exp、最後の軸の和で割る → V との積 → merge_heads → W_o を掛ける。",
         "Outline: check the shapes of the input and weights → split x @ W_q (and K, V) into heads with "
         "split_heads → multiply Q by K transposed on its last two axes and divide by √d_k → if causal, set "
         "the positions of np.triu(..., k=1) to −∞ → subtract the row maximum, exp, divide by the sum over "
         "the last axis → multiply by V → merge_heads → multiply by W_o."),
    ],
    "transformer_block": [
        ("Pre-LN では、サブレイヤーに入れる前に LayerNorm を掛け、サブレイヤーの出力を正規化する前の値に足します。",
         "In pre-LN, LayerNorm is applied before each sublayer, and the sublayer's output is added to the "
         "value before normalisation."),
        ("残差に足すのは x と h そのもので、LN(x) や LN(h) ではありません。本文 1524 行の "
         "「足してから正規化する」形は Post-LN で、ここで求める形ではありません。FFN の活性化は ReLU です。",
         "The residual adds x and h themselves, not LN(x) or LN(h). The chapter's form of line 1524, which "
         "adds first and normalises the sum, is post-LN, not the form asked for here. The FFN's activation is ReLU."),
        ("流れ: params が dict で必要なキーがそろっているか確かめる → layer_norm(x, γ₁, β₁) を "
         "multi_head_attention に入れて x に足し h とする → layer_norm(h, γ₂, β₂) に W_1 を掛けて b_1 を足し、"
         "np.maximum で ReLU → W_2 を掛けて b_2 を足し、h に足す。",
         "Outline: check params is a dict with every needed key → feed layer_norm(x, γ₁, β₁) to "
         "multi_head_attention and add x to get h → multiply layer_norm(h, γ₂, β₂) by W_1, add b_1, ReLU "
         "with np.maximum → multiply by W_2, add b_2, add to h."),
    ],
}
