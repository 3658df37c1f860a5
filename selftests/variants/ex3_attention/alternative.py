"""Correct, written differently: log-sum-exp softmax, einsum attention that masks after exp,
entropy with an explicit zero fix-up, and a pyplot figure with differently formatted text; the
input checks the text asks for are written as guard functions.
"""

VARIANT = {"correct": True, "loses": []}

import math
from fractions import Fraction

import matplotlib.pyplot as plt
import numpy as np


def _temperature(temperature):
    if type(temperature) is bool or not isinstance(temperature, (int, float, Fraction, np.integer, np.floating)):
        raise TypeError(f"temperature must be a real number, not {type(temperature).__name__}")
    t = float(temperature)
    if not (t > 0.0 and t < math.inf):  # also False for nan
        raise ValueError(f"temperature must be > 0 and finite, got {temperature!r}")
    return t


def softmax(x, axis=-1, temperature=1.0):
    t = _temperature(temperature)
    x = np.asarray(x, dtype=np.float64)
    if x.shape == ():
        raise ValueError("softmax needs an axis: x is a scalar")
    z = x / t
    m = np.max(z, axis=axis, keepdims=True)
    log_norm = m + np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True))
    return np.exp(z - log_norm)


def scaled_dot_product_attention(Q, K, V, mask=None, temperature=1.0):
    Q, K, V = (np.asarray(a, dtype=np.float64) for a in (Q, K, V))
    if min(Q.ndim, K.ndim, V.ndim) < 2:
        raise ValueError(f"Q, K, V must be at least 2-D, got {Q.shape}, {K.shape}, {V.shape}")
    if Q.shape[-1] != K.shape[-1]:
        raise ValueError(f"d_k mismatch: Q has {Q.shape[-1]}, K has {K.shape[-1]}")
    if K.shape[-2] != V.shape[-2]:
        raise ValueError(f"n_k mismatch: K has {K.shape[-2]} keys, V has {V.shape[-2]}")
    if 0 in (Q.shape[-1], K.shape[-2]):
        raise ValueError(f"empty key dimension or no keys: d_k={Q.shape[-1]}, n_k={K.shape[-2]}")
    t = _temperature(temperature)
    z = np.einsum("...qd,...kd->...qk", Q, K) / (math.sqrt(Q.shape[-1]) * t)
    if mask is None:
        allowed = np.ones(z.shape, dtype=bool)
    else:
        allowed = np.asarray(mask)
        if allowed.dtype.kind != "b":
            raise ValueError(f"mask must have dtype bool, not {allowed.dtype}")
        z, allowed = np.broadcast_arrays(z, allowed)
    counts = allowed.sum(axis=-1)
    if (counts == 0).any():
        first = np.unravel_index(np.flatnonzero(counts == 0)[0], counts.shape)
        raise ValueError(f"every key is masked for query row {int(first[-1])}")
    m = np.max(np.where(allowed, z, -np.inf), axis=-1, keepdims=True)
    e = np.where(allowed, np.exp(np.where(allowed, z - m, 0.0)), 0.0)
    weights = e / e.sum(axis=-1, keepdims=True)
    return np.einsum("...qk,...kv->...qv", weights, V), weights


def attention_entropy(weights):
    p = np.asarray(weights, dtype=np.float64)
    if p.ndim == 0 or not np.isfinite(p).all() or (p < 0).any():
        raise ValueError("weights must be at least 1-D, finite and non-negative")
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = p * np.log(p)
    terms[p == 0] = 0.0
    return -terms.sum(axis=-1) + 0.0


def plot_temperature_effect(logits, temperatures):
    logits = np.asarray(logits, dtype=np.float64)
    if logits.ndim != 1 or len(logits) == 0 or len(temperatures) == 0:
        raise ValueError("need a non-empty 1-D array of logits and at least one temperature")
    fig, axes = plt.subplots(1, len(temperatures), figsize=(3 * len(temperatures), 3), squeeze=False)
    for ax, t in zip(axes.ravel(), temperatures):
        p = softmax(logits, temperature=t)
        ax.bar([str(i) for i in range(len(p))], p)
        ax.set_title(f"temperature T={t}")
        ax.text(0.05, 0.95, "max = log n", transform=ax.transAxes)
        ax.text(0.5, 0.8, f"entropy H={attention_entropy(p):.4f} nats", transform=ax.transAxes)
    return fig
