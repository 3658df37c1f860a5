from ._ref_ex9_multihead import *  # noqa: F401,F403
import math
import numbers

import numpy as np
import torch


def multi_head_attention(x, W_q, W_k, W_v, W_o, n_heads, causal=False):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3:
        raise ValueError(f"x must have shape (batch, seq, d_model) (got {x.shape})")
    if not isinstance(causal, (bool, np.bool_)):
        raise TypeError(f"causal must be True or False (got {type(causal).__name__})")
    d_model = x.shape[-1]
    Ws = []
    for name, w in (("W_q", W_q), ("W_k", W_k), ("W_v", W_v), ("W_o", W_o)):
        w = np.asarray(w, dtype=np.float64)
        if w.shape != (d_model, d_model):
            raise ValueError(f"{name} must have shape (d_model, d_model) = ({d_model}, {d_model}) (got {w.shape})")
        Ws.append(torch.from_numpy(w))
    if isinstance(n_heads, bool) or not isinstance(n_heads, (int, np.integer)) or n_heads < 1 or d_model % n_heads:
        split_heads(x, n_heads)  # raises the documented error
    xt = torch.from_numpy(x)
    Wq, Wk, Wv, Wo = Ws
    d_k = d_model // n_heads
    # project once, then (batch, seq, h, d_k) -> (batch, h, seq, d_k)
    Q, K, V = (torch.einsum("bsd,de->bse", xt, W).unflatten(-1, (n_heads, d_k)).permute(0, 2, 1, 3)
               for W in (Wq, Wk, Wv))
    mode = "vmap"

    def one_head(q, k, v):
        s = q @ k.transpose(-1, -2) / math.sqrt(d_k)
        if causal:
            n = s.shape[-1]
            s = s.masked_fill(torch.ones(n, n, dtype=torch.bool).triu(1), float("-inf"))
        return torch.softmax(s, dim=-1) @ v

    if mode == "vmap":
        heads = torch.vmap(torch.vmap(one_head))(Q, K, V)
    else:
        heads = one_head(Q, K, V)
    out = heads.permute(0, 2, 1, 3).flatten(-2) @ Wo
    return out.numpy()
