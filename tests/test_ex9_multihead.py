"""Graded tests for ex9_multihead (chapter 3.4 実践: 数学をコードで確認, TransformerMathematics).

Oracles: torch in float64. Heads are split with torch.chunk + torch.stack and merged with
torch.cat of torch.unbind (the definition out[b, i, t, :] = x[b, t, i·d_k:(i+1)·d_k], written with
other operations than a reshape); multi-head attention is torch.nn.MultiheadAttention
(bias=False, batch_first=True) loaded with the same weights (torch stores (out, in), so
in_proj_weight = cat(W_qᵀ, W_kᵀ, W_vᵀ) and out_proj.weight = W_oᵀ for the exercise's x @ W) with
a boolean attn_mask (True = blocked in nn.MultiheadAttention); the block is built from
torch.nn.LayerNorm, torch.nn.MultiheadAttention and torch.nn.Linear. Misconceptions
(``MISCONCEPTIONS``) are named when a wrong value is exactly what a known mistake gives: the same
oracles applied with the mistake (W_q W_q instead of W_q, a scaled W_q, an identity W_o, a
reshape without transpose, post-LN modules, ...).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from autograder.compare import Misconception, check_accepts, check_array, check_raises, convention
from autograder.ownvalues import own_array

pytestmark = pytest.mark.exercise("ex9_multihead")
#: The exercise's title in the score table and reports (Japanese, English).
TITLE = ("Multi-Head Attention と Pre-LN Transformer ブロック", "Multi-head attention and a pre-LN block")

#: Library Transformer layers: the block's task is to compose one.
FORBIDDEN_LAYERS = (
    "torch.nn.modules.transformer", "torch.nn.Transformer", "torch.nn.TransformerEncoder",
    "torch.nn.TransformerEncoderLayer", "torch.nn.TransformerDecoder", "torch.nn.TransformerDecoderLayer",
    "torch._transformer_encoder_layer_fwd", "jax", "tensorflow", "keras",
)
#: Library attention (and the layers above): multi_head_attention's task is to write it.
FORBIDDEN_ATTENTION = FORBIDDEN_LAYERS + (
    "torch.nn.functional.scaled_dot_product_attention", "torch.nn.functional.multi_head_attention_forward",
    "torch.nn.MultiheadAttention", "torch.nn.modules.activation.MultiheadAttention",
    "torch._native_multi_head_attention", "torch._fused_sdp_choice", "torch.ops", "torch._ops",
    # torch's private attention kernels (what F.scaled_dot_product_attention dispatches to)
    "torch._C._nn.scaled_dot_product_attention", "torch._scaled_dot_product_attention_math",
    "torch._scaled_dot_product_flash_attention_for_cpu", "torch._scaled_dot_product_flash_attention",
    "torch._scaled_dot_product_efficient_attention", "torch._scaled_dot_product_cudnn_attention",
    "torch._triton_multi_head_attention", "torch._triton_scaled_dot_attention",
)
#: "From scratch" rules (docs/authoring.md, autograder.core.scratch). The block may call the
#: submission's own multi_head_attention: a library attention there costs multi_head_attention
#: only (one mistake, one loss), so the block's rule forbids the Transformer layers alone.
RULES = [
    {"task": "multi_head_attention", "forbidden": FORBIDDEN_ATTENTION},
    {"task": "transformer_block", "forbidden": FORBIDDEN_LAYERS},
]

# Misconceptions (docs/authoring.md): each test computes what the mistake gives for its own input
# by applying the mistake to its oracle.
DOUBLE_PROJECTION = Misconception(
    "double_projection", task="multi_head_attention", lines=(1513, 1514), errata=True,
    ja="出力は本文 1514 行のように射影済みの Q = XW_Q をもう一度 W_Q で射影した (X W_Q W_Q) ときの値と一致します: "
       "X の射影は 1 回だけで、ヘッド i は Attention(XW_i^Q, XW_i^K, XW_i^V) です",
    en="your output equals projecting the already projected Q = XW_Q again by W_Q (X W_Q W_Q), as line 1514 "
       "of the chapter reads: X is projected once, head i is Attention(XW_i^Q, XW_i^K, XW_i^V)")
SCALE_BY_SQRT_D_MODEL = Misconception(
    "scale_by_sqrt_d_model", task="multi_head_attention", lines=(478, 501), errata=True,
    ja="出力はスコアを √d_model で割ったときの値と一致します: 割るのは 1 つのヘッドの次元 "
       "d_k = d_model / n_heads の平方根 √d_k です",
    en="your output equals dividing the scores by √d_model: divide by √d_k, the square root of one head's "
       "dimension d_k = d_model / n_heads")
SOFTMAX_OVER_QUERIES = Misconception(
    "softmax_over_queries", task="multi_head_attention",
    ja="出力は softmax をクエリの軸 (最後から 2 番目の軸) で取ったときの値と一致します: softmax はキーの軸 "
       "(最後の軸) で取り、各クエリ行の和を 1 にします",
    en="your output equals a softmax over the query axis (the second to last): take it over the key axis "
       "(the last), so that each query row sums to 1")
NO_OUTPUT_PROJECTION = Misconception(
    "no_output_projection", task="multi_head_attention",
    ja="出力はヘッドを結合しただけで W_O を掛けていない値と一致します: 最後に Concat(head_1, …, head_h) W_O と "
       "出力の射影を掛けます",
    en="your output equals the merged heads without W_O: finish with the output projection "
       "Concat(head_1, ..., head_h) W_O")
CAUSAL_MASK_INVERTED = Misconception(
    "causal_mask_inverted", task="multi_head_attention",
    ja="出力は各クエリが自分と未来の位置 (キー ≥ クエリ) だけに注意したときの値と一致します: 因果マスクでは "
       "位置 t のクエリは過去と自分 (キー 0, …, t) だけに注意し、キー > クエリの重みを 0 にします",
    en="your output equals each query attending only to itself and the future (key >= query): with the causal "
       "mask the query at position t attends to the past and itself (keys 0, ..., t), and key > query gets "
       "weight 0")
SPLIT_WITHOUT_TRANSPOSE = Misconception(
    "split_without_transpose", task="split_heads",
    ja="結果は x をそのまま (batch, n_heads, seq, d_k) に reshape した値と一致します: 最後の軸を (n_heads, d_k) に "
       "分けてから seq と n_heads の軸を入れ替えないと、系列と特徴が混ざります",
    en="your result equals reshaping x straight to (batch, n_heads, seq, d_k): split the last axis into "
       "(n_heads, d_k) and then swap the seq and n_heads axes, otherwise sequence and features mix")
MERGE_WITHOUT_TRANSPOSE = Misconception(
    "merge_without_transpose", task="merge_heads",
    ja="結果は x をそのまま (batch, seq, n_heads·d_k) に reshape した値と一致します: 先に n_heads と seq の軸を "
       "入れ替えてから reshape します",
    en="your result equals reshaping x straight to (batch, seq, n_heads·d_k): swap the n_heads and seq axes "
       "first, then reshape")
POST_LN = Misconception(
    "post_ln", task="transformer_block", lines=(1524, 1524),
    ja="出力は本文 1524 行の Post-LN、LayerNorm(x + Sublayer(x)) と一致します: この演習は Pre-LN で、"
       "h = x + MultiHead(LN₁(x))、out = h + FFN(LN₂(h)) です",
    en="your output equals the chapter's post-LN of line 1524, LayerNorm(x + Sublayer(x)): this exercise is "
       "pre-LN, h = x + MultiHead(LN₁(x)) and out = h + FFN(LN₂(h))")
RESIDUAL_FROM_NORMED = Misconception(
    "residual_from_normed", task="transformer_block",
    ja="出力は残差として正規化した後の値 (LN₁(x) と LN₂(h)) を足したときの値と一致します: 足すのは正規化する前の "
       "x と h です",
    en="your output equals adding the normalised values (LN₁(x) and LN₂(h)) as the residual: add x and h, "
       "the values before normalisation")
#: The catalogue of this exercise's misconceptions (selftests/variants/ex9_multihead/ embody them).
MISCONCEPTIONS = [DOUBLE_PROJECTION, SCALE_BY_SQRT_D_MODEL, SOFTMAX_OVER_QUERIES, NO_OUTPUT_PROJECTION,
                  CAUSAL_MASK_INVERTED, SPLIT_WITHOUT_TRANSPOSE, MERGE_WITHOUT_TRANSPOSE, POST_LN,
                  RESIDUAL_FROM_NORMED]

#: Conventions the exercise text fixes; named in the failure messages of the tests they decide.
CAUSAL_CONVENTION = convention(
    "causal=True では位置 t のクエリはキー 0, …, t (自分自身を含む) だけに注意する",
    "with causal=True the query at position t attends only to keys 0, ..., t (itself included)")
HEAD_ORDER = convention(
    "ヘッド i は特徴の i 番目のかたまり x[..., i·d_k:(i+1)·d_k] を受け持つ",
    "head i takes the i-th block of features, x[..., i·d_k:(i+1)·d_k]")

RTOL, ATOL = 1e-10, 1e-12

# ---------------------------------------------------------------------------------------------
# oracles (torch in float64; never the code under test)
# ---------------------------------------------------------------------------------------------


def _t(a) -> torch.Tensor:
    return torch.as_tensor(np.asarray(a), dtype=torch.float64)


def _torch_split(x, n_heads: int) -> np.ndarray:
    """out[b, i, t, :] = x[b, t, i·d_k:(i+1)·d_k]: the feature blocks stacked on a new head axis."""
    return torch.stack(torch.chunk(_t(x), n_heads, dim=-1), dim=1).numpy()


def _torch_merge(x) -> np.ndarray:
    """out[b, t, i·d_k:(i+1)·d_k] = x[b, i, t, :]: the heads concatenated along the features."""
    return torch.cat(torch.unbind(_t(x), dim=1), dim=-1).numpy()


def _future_mask(seq: int, inverted: bool = False) -> torch.Tensor:
    """nn.MultiheadAttention's boolean attn_mask (True = blocked): keys after the query, or
    (misconception CAUSAL_MASK_INVERTED) keys before it."""
    ones = torch.ones(seq, seq, dtype=torch.bool)
    return torch.tril(ones, diagonal=-1) if inverted else torch.triu(ones, diagonal=1)


def _mha_module(W_q, W_k, W_v, W_o, n_heads: int) -> torch.nn.MultiheadAttention:
    """nn.MultiheadAttention holding the exercise's weights (x @ W means weight = Wᵀ in torch)."""
    d = np.shape(W_q)[0]
    m = torch.nn.MultiheadAttention(d, n_heads, bias=False, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        m.in_proj_weight.copy_(torch.cat([_t(W_q).T, _t(W_k).T, _t(W_v).T]))
        m.out_proj.weight.copy_(_t(W_o).T)
    return m


def _torch_mha(x, W_q, W_k, W_v, W_o, n_heads: int, causal: bool = False, inverted: bool = False) -> np.ndarray:
    xt = _t(x)
    mask = _future_mask(xt.shape[1], inverted) if causal else None
    with torch.no_grad():
        out, _ = _mha_module(W_q, W_k, W_v, W_o, n_heads)(xt, xt, xt, attn_mask=mask, need_weights=False)
    return out.numpy()


def _mha_softmax_over_queries(x, W_q, W_k, W_v, W_o, n_heads: int) -> np.ndarray:
    """Misconception SOFTMAX_OVER_QUERIES: torch heads, the softmax over dim=-2 instead of -1."""
    xt = _t(x)
    q, k, v = (torch.stack(torch.chunk(xt @ _t(W), n_heads, dim=-1), dim=1) for W in (W_q, W_k, W_v))
    weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), dim=-2)
    return (torch.cat(torch.unbind(weights @ v, dim=1), dim=-1) @ _t(W_o)).numpy()


def _mha_misconceptions(x, W_q, W_k, W_v, W_o, n_heads: int, causal: bool = False) -> list:
    """What each multi-head misconception gives for this input (the oracle with the mistake)."""
    d = np.shape(W_q)[0]
    d_k = d // n_heads
    mistakes = [
        # the chapter's "Attention(QW_i^Q, ...)" after "Q = XW_Q": X W_Q W_Q, and likewise K and V
        DOUBLE_PROJECTION.gives(_torch_mha(x, W_q @ W_q, W_k @ W_k, W_v @ W_v, W_o, n_heads, causal)),
        # scores / sqrt(d_model) = (X (c W_q)) Kᵀ / sqrt(d_k) with c = sqrt(d_k / d_model)
        SCALE_BY_SQRT_D_MODEL.gives(_torch_mha(x, W_q * math.sqrt(d_k / d), W_k, W_v, W_o, n_heads, causal)),
        NO_OUTPUT_PROJECTION.gives(_torch_mha(x, W_q, W_k, W_v, np.eye(d), n_heads, causal)),
    ]
    if causal:
        mistakes.append(CAUSAL_MASK_INVERTED.gives(_torch_mha(x, W_q, W_k, W_v, W_o, n_heads, True, inverted=True)))
    else:
        mistakes.append(SOFTMAX_OVER_QUERIES.gives(_mha_softmax_over_queries(x, W_q, W_k, W_v, W_o, n_heads)))
    return mistakes


def _own_heads_mha(exercise, x, W_q, W_k, W_v, W_o, n_heads: int, causal: bool) -> np.ndarray | None:
    """Multi-head attention through the submission's own split_heads and merge_heads (torch for the
    rest), or None when they fail: what a mistake in those functions alone gives."""
    b, s, d = np.shape(x)
    heads = [own_array(exercise.split_heads, np.asarray(x) @ W, n_heads, shape=(b, n_heads, s, d // n_heads))
             for W in (W_q, W_k, W_v)]
    if any(h is None for h in heads):
        return None
    mask = ~_future_mask(s) if causal else None  # scaled_dot_product_attention: True = attend
    ctx = F.scaled_dot_product_attention(*(_t(h) for h in heads), attn_mask=mask).numpy()
    merged = own_array(exercise.merge_heads, ctx, shape=(b, s, d))
    return None if merged is None else merged @ W_o


def _close(a, b) -> bool:
    return (isinstance(a, np.ndarray) and b is not None and a.shape == b.shape
            and bool(np.allclose(a, b, rtol=RTOL, atol=ATOL)))


def _weights(rng, d: int) -> list[np.ndarray]:
    """W_q, W_k, W_v, W_o of shape (d, d), scaled so that the softmax is neither flat nor one-hot."""
    return [rng.standard_normal((d, d)) / math.sqrt(d) * 1.5 for _ in range(4)]


def _check_mha(exercise, x, Ws, n_heads: int, *, call: str, causal: bool | None = None,
               accepts: bool = False) -> None:
    """Check multi_head_attention against torch; ``accepts``: the valid call of an input-check test
    (made through check_accepts)."""
    kwargs = {} if causal is None else {"causal": causal}
    f = exercise.multi_head_attention
    got = check_accepts(f, x, *Ws, n_heads, call=call, **kwargs) if accepts else f(x, *Ws, n_heads, **kwargs)
    expected = _torch_mha(x, *Ws, n_heads, causal=bool(causal))
    # The text allows the submission's own split_heads / merge_heads: a mistake there costs those
    # tasks, not this one, so the value they give is accepted too (docs/authoring.md, one mistake,
    # one loss). Called only when the value is not the correct one.
    right = _close(got, expected)
    if not right and _close(got, _own_heads_mha(exercise, x, *Ws, n_heads, bool(causal))):
        return
    # The mistakes' values are computed only for a wrong value (the property test stays fast).
    check_array(got, expected, call=call, rtol=RTOL, atol=ATOL,
                misconceptions=[] if right else _mha_misconceptions(x, *Ws, n_heads, causal=bool(causal)))


# =============================================================================================
# split_heads (3 points)
# =============================================================================================

@pytest.mark.task("split_heads", points=2)
def test_split_heads_matches_torch_chunks(exercise):
    """x of shape (2, 5, 12) into 3 heads (and 1 head): head i holds the feature block i·4:(i+1)·4 of every position, as torch.chunk + torch.stack.

    ja: 形 (2, 5, 12) の x を 3 ヘッド (と 1 ヘッド) に分割: ヘッド i は各位置の特徴のかたまり i·4:(i+1)·4 を持つ (torch.chunk + torch.stack と一致)。
    """
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 5, 12))
    with HEAD_ORDER:
        check_array(exercise.split_heads(x, 3), _torch_split(x, 3), call="split_heads(x, 3)  # x: 2x5x12",
                    rtol=0.0, atol=0.0,
                    misconceptions=[SPLIT_WITHOUT_TRANSPOSE.gives(_t(x).reshape(2, 3, 5, 4).numpy())])
        check_array(exercise.split_heads(x, 1), x[:, None], call="split_heads(x, 1)  # x: 2x5x12",
                    rtol=0.0, atol=0.0)
    # Hand-derived: with x[0, t, j] = 100 t + j, head 1 (d_k = 2) at position 2 holds columns 2 and 3.
    x = (100.0 * np.arange(3)[:, None] + np.arange(4)[None, :])[None]
    check_array(exercise.split_heads(x, 2)[0, 1, 2], np.array([202.0, 203.0]),
                call="split_heads(x, 2)[0, 1, 2]  # x[0, t, j] = 100 t + j, 1x3x4", rtol=0.0)


@pytest.mark.task("split_heads", points=1)
def test_split_heads_bad_input_raises(exercise):
    """d_model not divisible by n_heads, n_heads < 1 and a 2-D x raise ValueError; a float or bool n_heads raises TypeError. One valid call (3 heads) matches torch.chunk + torch.stack.

    ja: d_model が n_heads で割り切れない、n_heads < 1、2 次元の x は ValueError。float や bool の n_heads は TypeError。正しい入力での呼び出し 1 回 (3 ヘッド) は torch.chunk + torch.stack に一致する。
    """
    valid = np.arange(120.0).reshape(2, 5, 12)
    call = "split_heads(x, 3)  # x = np.arange(120.0).reshape(2, 5, 12)"
    with HEAD_ORDER:
        check_array(check_accepts(exercise.split_heads, valid, 3, call=call), _torch_split(valid, 3), call=call,
                    rtol=0.0, atol=0.0)
    x = np.ones((2, 5, 12))
    for n_heads in (5, 0, -3):
        check_raises(ValueError, exercise.split_heads, x, n_heads, call=f"split_heads(x, {n_heads})  # x: 2x5x12")
    check_raises(ValueError, exercise.split_heads, np.ones((5, 12)), 3, call="split_heads(x, 3)  # x: 5x12 (2-D)")
    for n_heads in (3.0, True):
        check_raises(TypeError, exercise.split_heads, x, n_heads, call=f"split_heads(x, {n_heads})  # x: 2x5x12")


# =============================================================================================
# merge_heads (3 points)
# =============================================================================================

@pytest.mark.task("merge_heads", points=2)
def test_merge_heads_matches_torch_cat(exercise):
    """x of shape (2, 3, 5, 4) merged to (2, 5, 12) as torch.cat of the heads along the features; a 3-D x raises ValueError.

    ja: 形 (2, 3, 5, 4) の x を (2, 5, 12) に結合 (ヘッドを特徴の軸に torch.cat したものと一致)。3 次元の x は ValueError。
    """
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 5, 4))
    with HEAD_ORDER:
        check_array(exercise.merge_heads(x), _torch_merge(x), call="merge_heads(x)  # x: 2x3x5x4",
                    rtol=0.0, atol=0.0,
                    misconceptions=[MERGE_WITHOUT_TRANSPOSE.gives(_t(x).reshape(2, 5, 12).numpy())])
    check_raises(ValueError, exercise.merge_heads, np.ones((2, 5, 12)), call="merge_heads(x)  # x: 2x5x12 (3-D)")


@pytest.mark.hidden  # not run in released notebooks / 公開版ノートブックでは実行しない
@pytest.mark.task("merge_heads", points=1)
@given(batch=st.integers(1, 3), seq=st.integers(1, 5), n_heads=st.integers(1, 4), d_k=st.integers(1, 4),
       seed=st.integers(0, 2**16))
def test_merge_heads_inverts_split_property(exercise, batch, seq, n_heads, d_k, seed):
    """Property: merge_heads of the heads of x (split by torch.chunk) gives x back exactly, for any shape.

    ja: 性質: どんな形でも、x を (torch.chunk で) ヘッドに分けたものに merge_heads を掛けると x にちょうど戻る。
    """
    x = np.random.default_rng(seed).standard_normal((batch, seq, n_heads * d_k))
    with HEAD_ORDER:
        check_array(exercise.merge_heads(_torch_split(x, n_heads)), x, rtol=0.0, atol=0.0,
                    call=f"merge_heads(heads)  # heads: {batch}x{n_heads}x{seq}x{d_k}, the heads of x")


# =============================================================================================
# multi_head_attention (8 points)
# =============================================================================================

@pytest.mark.task("multi_head_attention", points=3)
def test_mha_matches_torch_multihead_attention(exercise):
    """Chapter sizes (batch 2, seq 4, d_model 8, 2 heads) and seq 5: matches torch.nn.MultiheadAttention(bias=False) with the same weights.

    ja: 本文の大きさ (batch 2、seq 4、d_model 8、2 ヘッド) と seq 5: 同じ重みの torch.nn.MultiheadAttention(bias=False) に一致。
    """
    rng = np.random.default_rng(2)
    for seq in (4, 5):
        x = rng.standard_normal((2, seq, 8))
        Ws = _weights(rng, 8)
        _check_mha(exercise, x, Ws, 2, call=f"multi_head_attention(x, W_q, W_k, W_v, W_o, 2)  # x: 2x{seq}x8")


@pytest.mark.task("multi_head_attention", points=2)
def test_mha_causal_matches_torch(exercise):
    """causal=True (batch 2, seq 5, d_model 12, 3 heads): matches torch.nn.MultiheadAttention with a causal attn_mask (future keys blocked).

    ja: causal=True (batch 2、seq 5、d_model 12、3 ヘッド): 因果マスク (未来のキーを遮断) の attn_mask を付けた torch.nn.MultiheadAttention に一致。
    """
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 5, 12))
    Ws = _weights(rng, 12)
    with CAUSAL_CONVENTION:
        _check_mha(exercise, x, Ws, 3, causal=True, call="multi_head_attention(x, W_q, W_k, W_v, W_o, 3, causal=True)")


@pytest.mark.task("multi_head_attention", points=1)
def test_mha_one_head_and_d_k_one(exercise):
    """One head (d_k = d_model = 6) and six heads (d_k = 1) on a single sequence of length 3: matches torch.

    ja: 1 ヘッド (d_k = d_model = 6) と 6 ヘッド (d_k = 1)、長さ 3 の系列 1 本: torch に一致。
    """
    rng = np.random.default_rng(4)
    x = rng.standard_normal((1, 3, 6))
    Ws = _weights(rng, 6)
    for n_heads in (1, 6):
        _check_mha(exercise, x, Ws, n_heads, call=f"multi_head_attention(x, W_q, W_k, W_v, W_o, {n_heads})  # x: 1x3x6")


@pytest.mark.task("multi_head_attention", points=1)
def test_mha_bad_input_raises(exercise):
    """A 2-D x, a weight that is not (d_model, d_model), or n_heads not dividing d_model raise ValueError; causal='yes' raises TypeError. One valid call (2 heads) matches torch.

    ja: 2 次元の x、(d_model, d_model) でない重み、d_model を割り切らない n_heads は ValueError。causal='yes' は TypeError。正しい入力での呼び出し 1 回 (2 ヘッド) は torch に一致する。
    """
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 4, 8))
    Ws = _weights(rng, 8)
    _check_mha(exercise, x, Ws, 2, call="multi_head_attention(x, W_q, W_k, W_v, W_o, 2)  # x: 2x4x8", accepts=True)
    check_raises(ValueError, exercise.multi_head_attention, x[0], *Ws, 2,
                 call="multi_head_attention(x, W_q, W_k, W_v, W_o, 2)  # x: 4x8 (2-D)")
    for i, name in enumerate(("W_q", "W_k", "W_v", "W_o")):
        bad = list(Ws)
        bad[i] = rng.standard_normal((8, 4))
        check_raises(ValueError, exercise.multi_head_attention, x, *bad, 2,
                     call=f"multi_head_attention(x, W_q, W_k, W_v, W_o, 2)  # {name}: 8x4")
    check_raises(ValueError, exercise.multi_head_attention, x, *Ws, 3,
                 call="multi_head_attention(x, W_q, W_k, W_v, W_o, 3)  # d_model = 8")
    check_raises(TypeError, exercise.multi_head_attention, x, *Ws, 2, causal="yes",
                 call='multi_head_attention(x, W_q, W_k, W_v, W_o, 2, causal="yes")')


@pytest.mark.hidden  # not run in released notebooks / 公開版ノートブックでは実行しない
@pytest.mark.task("multi_head_attention", points=1)
@given(batch=st.integers(1, 2), seq=st.integers(1, 5), n_heads=st.integers(1, 3), d_k=st.integers(1, 3),
       causal=st.booleans(), seed=st.integers(0, 2**16))
def test_mha_matches_torch_property(exercise, batch, seq, n_heads, d_k, causal, seed):
    """Property: for any sizes (batch, seq, heads, d_k) and causal flag, the output matches torch.nn.MultiheadAttention.

    ja: 性質: どんな大きさ (batch、seq、ヘッド数、d_k) と causal でも、出力が torch.nn.MultiheadAttention に一致。
    """
    rng = np.random.default_rng(seed)
    d = n_heads * d_k
    x = rng.standard_normal((batch, seq, d))
    with CAUSAL_CONVENTION:
        _check_mha(exercise, x, _weights(rng, d), n_heads, causal=causal,
                   call=f"multi_head_attention(x, W_q, W_k, W_v, W_o, {n_heads}, causal={causal})  "
                        f"# x: {batch}x{seq}x{d}")


# =============================================================================================
# transformer_block (6 points)
# =============================================================================================

def _params(rng, d: int, d_ff: int) -> dict[str, np.ndarray]:
    Ws = _weights(rng, d)
    return {
        "gamma1": 1.0 + 0.3 * rng.standard_normal(d), "beta1": 0.2 * rng.standard_normal(d),
        "W_q": Ws[0], "W_k": Ws[1], "W_v": Ws[2], "W_o": Ws[3],
        "gamma2": 1.0 + 0.3 * rng.standard_normal(d), "beta2": 0.2 * rng.standard_normal(d),
        "W_1": rng.standard_normal((d, d_ff)) / math.sqrt(d), "b_1": 0.3 * rng.standard_normal(d_ff),
        "W_2": rng.standard_normal((d_ff, d)) / math.sqrt(d_ff), "b_2": 0.3 * rng.standard_normal(d),
    }


def _layer_norm_module(gamma, beta) -> torch.nn.LayerNorm:
    ln = torch.nn.LayerNorm(len(gamma), eps=1e-5, dtype=torch.float64)
    with torch.no_grad():
        ln.weight.copy_(_t(gamma))
        ln.bias.copy_(_t(beta))
    return ln


def _ffn_module(P) -> torch.nn.Sequential:
    d, d_ff = np.shape(P["W_1"])
    first = torch.nn.Linear(d, d_ff, dtype=torch.float64)
    second = torch.nn.Linear(d_ff, d, dtype=torch.float64)
    with torch.no_grad():
        first.weight.copy_(_t(P["W_1"]).T)
        first.bias.copy_(_t(P["b_1"]))
        second.weight.copy_(_t(P["W_2"]).T)
        second.bias.copy_(_t(P["b_2"]))
    return torch.nn.Sequential(first, torch.nn.ReLU(), second)


def _torch_block(x, P, n_heads: int, causal: bool = False, layout: str = "pre_ln", mha=None) -> np.ndarray:
    """The block from torch.nn modules. ``layout``: "pre_ln" (the exercise), "post_ln" (misconception
    POST_LN) or "residual_from_normed" (misconception RESIDUAL_FROM_NORMED). ``mha``: another
    attention (a function of a NumPy array), e.g. the submission's own."""
    ln1, ln2 = _layer_norm_module(P["gamma1"], P["beta1"]), _layer_norm_module(P["gamma2"], P["beta2"])
    ffn = _ffn_module(P)
    attention = _mha_module(P["W_q"], P["W_k"], P["W_v"], P["W_o"], n_heads)
    xt = _t(x)
    mask = _future_mask(xt.shape[1]) if causal else None

    def sublayer(u):
        if mha is not None:
            return _t(mha(u.numpy()))
        return attention(u, u, u, attn_mask=mask, need_weights=False)[0]

    with torch.no_grad():
        if layout == "post_ln":
            h = ln1(xt + sublayer(xt))
            return ln2(h + ffn(h)).numpy()
        if layout == "residual_from_normed":
            u = ln1(xt)
            h = u + sublayer(u)
            v = ln2(h)
            return (v + ffn(v)).numpy()
        h = xt + sublayer(ln1(xt))
        return (h + ffn(ln2(h))).numpy()


def _check_block(exercise, x, P, n_heads: int, *, call: str, causal: bool | None = None,
                 expected: np.ndarray | None = None, accepts: bool = False) -> None:
    """Check transformer_block against ``expected`` (default: the torch block); ``accepts``: the valid
    call of an input-check test (made through check_accepts)."""
    kwargs = {} if causal is None else {"causal": causal}
    f = exercise.transformer_block
    got = check_accepts(f, x, P, n_heads, call=call, **kwargs) if accepts else f(x, P, n_heads, **kwargs)
    causal = bool(causal)
    if expected is None:
        expected = _torch_block(x, P, n_heads, causal)
    right = _close(got, expected)
    if not right:
        # The text allows the submission's own multi_head_attention: its mistakes cost that task
        # only, so the block built around it is accepted too (called only when the value is wrong).
        def own_mha(u):
            out = own_array(exercise.multi_head_attention, u, P["W_q"], P["W_k"], P["W_v"], P["W_o"], n_heads,
                            causal=causal, shape=np.shape(x))
            if out is None:
                raise ValueError("own multi_head_attention failed")
            return out
        try:
            own = _torch_block(x, P, n_heads, causal, mha=own_mha)
        except ValueError:
            own = None
        if _close(got, own):
            return
    check_array(got, expected, call=call, rtol=RTOL, atol=ATOL,
                misconceptions=[] if right else [
                    POST_LN.gives(_torch_block(x, P, n_heads, causal, layout="post_ln")),
                    RESIDUAL_FROM_NORMED.gives(_torch_block(x, P, n_heads, causal, layout="residual_from_normed"))])


@pytest.mark.task("transformer_block", points=3)
def test_block_matches_torch_modules(exercise):
    """Pre-LN block (batch 2, seq 4, d_model 8, 2 heads, d_ff 32): matches torch.nn.LayerNorm, MultiheadAttention and Linear with the same weights.

    ja: Pre-LN ブロック (batch 2、seq 4、d_model 8、2 ヘッド、d_ff 32): 同じ重みの torch.nn.LayerNorm・MultiheadAttention・Linear に一致。
    """
    rng = np.random.default_rng(6)
    x = 2.0 * rng.standard_normal((2, 4, 8)) + 0.5
    P = _params(rng, 8, 32)
    _check_block(exercise, x, P, 2, call="transformer_block(x, params, 2)  # x: 2x4x8, d_ff = 32")


@pytest.mark.task("transformer_block", points=1)
def test_block_causal_matches_torch_modules(exercise):
    """causal=True (batch 1, seq 6, d_model 6, 3 heads, d_ff 10, extra key in params ignored): matches the torch modules with a causal attn_mask.

    ja: causal=True (batch 1、seq 6、d_model 6、3 ヘッド、d_ff 10、params の余分なキーは無視): 因果マスク付きの torch のモジュールに一致。
    """
    rng = np.random.default_rng(7)
    x = rng.standard_normal((1, 6, 6))
    P = _params(rng, 6, 10)
    P["note"] = "ignored"
    with CAUSAL_CONVENTION:
        _check_block(exercise, x, P, 3, causal=True, call="transformer_block(x, params, 3, causal=True)  # x: 1x6x6")


@pytest.mark.task("transformer_block", points=1)
def test_block_bad_params_raise(exercise):
    """A params dict without "W_2" raises ValueError naming W_2; a W_2 of the wrong shape raises ValueError; params that is not a dict raises TypeError. The whole params dict matches the torch modules.

    ja: "W_2" のない params は W_2 を示す ValueError、形の違う W_2 は ValueError、dict でない params は TypeError。params が揃っていれば torch のモジュールに一致する。
    """
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 4, 8))
    P = _params(rng, 8, 16)
    _check_block(exercise, x, P, 2, call="transformer_block(x, params, 2)  # x: 2x4x8, d_ff = 16", accepts=True)
    missing = {k: v for k, v in P.items() if k != "W_2"}
    check_raises(ValueError, exercise.transformer_block, x, missing, 2,
                 call="transformer_block(x, params, 2)  # params without W_2", match=r"W_2")
    check_raises(ValueError, exercise.transformer_block, x, dict(P, W_2=rng.standard_normal((8, 8))), 2,
                 call="transformer_block(x, params, 2)  # W_2: 8x8, d_ff = 16")
    check_raises(TypeError, exercise.transformer_block, x, list(P.values()), 2,
                 call="transformer_block(x, list(params.values()), 2)")


@pytest.mark.hidden  # not run in released notebooks / 公開版ノートブックでは実行しない
@pytest.mark.task("transformer_block", points=1)
def test_block_residuals_with_zero_sublayers(exercise):
    """With W_o = 0 and W_2 = 0 both sublayers reduce to constants: the block returns x + b_2 exactly (the residual path).

    ja: W_o = 0、W_2 = 0 なら 2 つのサブレイヤーは定数になり、ブロックはちょうど x + b_2 を返す (残差の経路)。
    """
    # Hand-derived: MultiHead(LN₁(x)) = Concat(heads) @ 0 = 0, so h = x + 0 = x; FFN(LN₂(h)) =
    # ReLU(...) @ 0 + b_2 = b_2, so out = h + b_2 = x + b_2 (whatever the attention and LN give).
    rng = np.random.default_rng(9)
    x = 3.0 * rng.standard_normal((2, 3, 4)) - 1.0
    P = _params(rng, 4, 8)
    P["W_o"] = np.zeros((4, 4))
    P["W_2"] = np.zeros((8, 4))
    _check_block(exercise, x, P, 2, expected=x + P["b_2"], call="transformer_block(x, params, 2)  # W_o = 0, W_2 = 0")
