"""Wrong: the chapter's residual connection of line 1524, post-LN: h = LN1(x + MHA(x)),
out = LN2(h + FFN(h)), instead of pre-LN h = x + MHA(LN1(x)), out = h + FFN(LN2(h)).
"""

VARIANT = {"correct": False, "loses": ["transformer_block"], "misconceptions": ["post_ln"]}

import numpy as np

from solutions.ex9_multihead import *  # noqa: F401,F403,E402
from solutions.ex9_multihead import transformer_block as _reference  # noqa: E402


def transformer_block(x, params, n_heads, causal=False):
    _reference(x, params, n_heads, causal)  # the reference's input checks
    p = params
    x = np.asarray(x, dtype=np.float64)
    attn = multi_head_attention(x, p["W_q"], p["W_k"], p["W_v"], p["W_o"], n_heads, causal=causal)
    h = layer_norm(x + attn, p["gamma1"], p["beta1"])  # LayerNorm(x + Sublayer(x))
    ffn = np.maximum(h @ p["W_1"] + p["b_1"], 0.0) @ p["W_2"] + p["b_2"]
    return layer_norm(h + ffn, p["gamma2"], p["beta2"])
