"""Correct, written differently: np.average for the moments, the KL divergence as H(p, q) - H(p),
a log-softmax from the row's log-sum-exp with np.take_along_axis, one-hot rows for class
indices, and a pyplot figure with different labels; the input checks are written as guard
functions.
"""

VARIANT = {"correct": True, "loses": []}

import math

import matplotlib.pyplot as plt
import numpy as np

SUM_TOLERANCE = 1e-9


def _numbers(a, what):
    a = np.asarray(a)
    if not (np.issubdtype(a.dtype, np.integer) or np.issubdtype(a.dtype, np.floating) or a.dtype == bool):
        raise TypeError(f"{what}: expected real numbers, got {a.dtype}")
    return a.astype(float)


def _pmf(p, what):
    if p.ndim != 1 or len(p) == 0:
        raise ValueError(f"{what}: expected a non-empty 1-D array, got shape {p.shape}")
    if np.isnan(p).any() or np.isinf(p).any():
        raise ValueError(f"{what}: non-finite entries")
    if (p < 0).any():
        raise ValueError(f"{what}: negative entries")
    if not math.isclose(p.sum(), 1.0, rel_tol=0.0, abs_tol=SUM_TOLERANCE):
        raise ValueError(f"{what}: sums to {p.sum()}, not 1")
    return p


def expectation_variance(values, probabilities):
    x, p = _numbers(values, "values"), _numbers(probabilities, "probabilities")
    if x.shape != p.shape or x.ndim != 1:
        raise ValueError(f"shapes {x.shape} and {p.shape}: expected two 1-D arrays of one length")
    if not np.isfinite(x).all():
        raise ValueError("values: non-finite entries")
    _pmf(p, "probabilities")
    mu = np.average(x, weights=p)
    return float(mu), float(np.average(np.square(x - mu), weights=p))


def _pair(p, q):
    p, q = _numbers(p, "p"), _numbers(q, "q")
    if p.shape != q.shape:
        raise ValueError(f"p and q have shapes {p.shape} and {q.shape}")
    return _pmf(p, "p"), _pmf(q, "q")


def _h(p, q):
    total = 0.0
    for pi, qi in zip(p.tolist(), q.tolist()):
        if pi == 0.0:
            continue
        if qi == 0.0:
            return math.inf
        total -= pi * math.log(qi)
    return total


def cross_entropy(p, q):
    p, q = _pair(p, q)
    return _h(p, q)


def kl_divergence(p, q):
    p, q = _pair(p, q)
    cross = _h(p, q)
    if cross == math.inf:
        return math.inf
    return max(0.0, cross - _h(p, p))


def cross_entropy_from_logits(logits, targets):
    z = _numbers(logits, "logits")
    if z.ndim != 2 or z.size == 0:
        raise ValueError(f"logits: expected shape (N, C) with N, C >= 1, got {z.shape}")
    if not np.isfinite(z).all():
        raise ValueError("logits: non-finite entries")
    n, c = z.shape
    t = np.asarray(targets)
    if t.dtype == bool or not (np.issubdtype(t.dtype, np.integer) or np.issubdtype(t.dtype, np.floating)):
        raise TypeError(f"targets: expected integer class indices or float probabilities, got {t.dtype}")
    if np.issubdtype(t.dtype, np.integer):
        if t.shape != (n,) or (t.size and (t.min() < 0 or t.max() > c - 1)):
            raise ValueError(f"class indices: expected shape ({n},) with values in 0..{c - 1}, got {t!r}")
        soft = np.zeros((n, c))
        soft[np.arange(n), t] = 1.0
    else:
        if t.shape != (n, c):
            raise ValueError(f"soft labels: expected shape ({n}, {c}), got {t.shape}")
        soft = np.array([_pmf(row.astype(float), f"targets[{i}]") for i, row in enumerate(t)])
    top = z.max(axis=1)
    lse = top + np.log(np.exp(z - top[:, None]).sum(axis=1))
    log_softmax = z - lse[:, None]
    per_sample = -(soft * log_softmax).sum(axis=1)
    return float(per_sample.sum() / n)


def plot_predictions(p, predictions):
    predictions = [np.asarray(q, dtype=float) for q in predictions]
    if len(predictions) == 0:
        raise ValueError("no predictions to plot")
    losses = [cross_entropy(p, q) for q in predictions]
    p = np.asarray(p, dtype=float)
    fig, axes = plt.subplots(1, len(predictions), figsize=(5 * len(predictions), 4), squeeze=False)
    x = np.arange(len(p))
    for ax, q, loss in zip(axes[0], predictions, losses):
        ax.bar(x - 0.2, p, 0.4, label="target")
        ax.bar(x + 0.2, q, 0.4, label="model")
        ax.set_title(f"cross-entropy {loss:.4f} nats")
        ax.set_xticks(x)
        ax.legend(loc="upper right")
    return fig
