"""Correct, written differently: heads as a Python loop over feature slices (np.split /
np.concatenate instead of reshape + transpose), einsum scores, a log-sum-exp softmax, the causal
mask as the allowed lower triangle, and the block's checks through a table of expected shapes.
It must score 20/20.
"""

VARIANT = {"correct": True, "loses": []}

import operator

import numpy as np

from solutions.ex9_multihead import *  # noqa: F401,F403,E402
from solutions.ex9_multihead import BLOCK_PARAMS, layer_norm  # noqa: E402


def _n_heads(n_heads, d_model):
    if type(n_heads) is bool:
        raise TypeError("n_heads must be an int, not a bool")
    n = operator.index(n_heads)  # TypeError for floats and other non-integers
    if n <= 0 or d_model % n:
        raise ValueError(f"n_heads={n} must be positive and divide d_model={d_model}")
    return n


def split_heads(x, n_heads):
    x = np.array(x, dtype=np.float64)
    if x.ndim != 3:
        raise ValueError(f"expected (batch, seq, d_model), got shape {x.shape}")
    n = _n_heads(n_heads, x.shape[2])
    return np.stack(np.split(x, n, axis=2), axis=1)


def merge_heads(x):
    x = np.array(x, dtype=np.float64)
    if x.ndim != 4:
        raise ValueError(f"expected (batch, n_heads, seq, d_k), got shape {x.shape}")
    return np.concatenate([x[:, i] for i in range(x.shape[1])], axis=-1)


def multi_head_attention(x, W_q, W_k, W_v, W_o, n_heads, causal=False):
    x = np.array(x, dtype=np.float64)
    if x.ndim != 3:
        raise ValueError(f"expected (batch, seq, d_model), got shape {x.shape}")
    if causal is not True and causal is not False:
        raise TypeError("causal must be a bool")
    b, s, d = x.shape
    mats = [np.array(W, dtype=np.float64) for W in (W_q, W_k, W_v, W_o)]
    if any(W.shape != (d, d) for W in mats):
        raise ValueError(f"every weight must be {d}x{d}")
    n = _n_heads(n_heads, d)
    d_k = d // n
    q_all, k_all, v_all = (x @ W for W in mats[:3])
    allowed = np.tril(np.ones((s, s), dtype=bool)) if causal else np.ones((s, s), dtype=bool)
    heads = []
    for i in range(n):
        cols = slice(i * d_k, (i + 1) * d_k)
        scores = np.einsum("bqd,bkd->bqk", q_all[:, :, cols], k_all[:, :, cols]) / np.sqrt(d_k)
        scores = np.where(allowed, scores, -np.inf)
        m = scores.max(axis=-1, keepdims=True)
        log_w = scores - m - np.log(np.exp(scores - m).sum(axis=-1, keepdims=True))
        heads.append(np.einsum("bqk,bkd->bqd", np.exp(log_w), v_all[:, :, cols]))
    return np.concatenate(heads, axis=-1) @ mats[3]


def transformer_block(x, params, n_heads, causal=False):
    if not isinstance(params, dict):
        raise TypeError("params must be a dict")
    for key in BLOCK_PARAMS:
        if key not in params:
            raise ValueError(f"missing parameter {key}")
    x = np.array(x, dtype=np.float64)
    if x.ndim != 3:
        raise ValueError(f"expected (batch, seq, d_model), got shape {x.shape}")
    d = x.shape[-1]
    P = {k: np.array(params[k], dtype=np.float64) for k in BLOCK_PARAMS}
    d_ff = P["W_1"].shape[-1]
    want = {"gamma1": (d,), "beta1": (d,), "gamma2": (d,), "beta2": (d,), "W_1": (d, d_ff), "b_1": (d_ff,),
            "W_2": (d_ff, d), "b_2": (d,)}
    for k, shape in want.items():
        if P[k].shape != shape:
            raise ValueError(f"{k} has shape {P[k].shape}, expected {shape}")
    attn = multi_head_attention(layer_norm(x, P["gamma1"], P["beta1"]), P["W_q"], P["W_k"], P["W_v"], P["W_o"],
                                n_heads, causal)
    h = attn + x
    hidden = layer_norm(h, P["gamma2"], P["beta2"]) @ P["W_1"] + P["b_1"]
    hidden[hidden < 0] = 0.0
    return h + (hidden @ P["W_2"] + P["b_2"])
