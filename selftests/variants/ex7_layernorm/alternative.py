"""Correct, written differently: LayerNorm from E[x²] − μ² style moments computed with einsum,
the backward pass as (1/d) s (d g − Σg − x̂ Σ g x̂) with the leading axes flattened, the covariance
as a centring-matrix product, and the correlation from standardised columns.
"""

VARIANT = {"correct": True, "loses": []}

import math
import numbers

import numpy as np


def _eps(eps):
    if type(eps) is bool or not isinstance(eps, numbers.Real):
        raise TypeError(f"eps must be a real number, not {type(eps).__name__}")
    if not (0.0 < float(eps) < math.inf):
        raise ValueError(f"eps must be positive and finite, got {eps!r}")
    return float(eps)


def _vector_param(value, d, default, name):
    p = np.full(d, float(default)) if value is None else np.array(value, dtype=np.float64)
    if p.shape != (d,):
        raise ValueError(f"{name} must have shape ({d},), got {p.shape}")
    return p


def _rows(x):
    x = np.array(x, dtype=np.float64)
    if x.shape == () or x.shape[-1] == 0:
        raise ValueError(f"x must have a non-empty last axis, got shape {x.shape}")
    return x, x.reshape(-1, x.shape[-1])


def _normalised(rows, e):
    d = rows.shape[1]
    mu = np.einsum("nd->n", rows) / d
    centred = rows - mu[:, None]
    var = np.einsum("nd,nd->n", centred, centred) / d
    inv = 1.0 / np.sqrt(var + e)
    return centred * inv[:, None], inv


def layer_norm(x, gamma=None, beta=None, eps=1e-5):
    e = _eps(eps)
    x, rows = _rows(x)
    d = x.shape[-1]
    g, b = _vector_param(gamma, d, 1, "gamma"), _vector_param(beta, d, 0, "beta")
    x_hat, _ = _normalised(rows, e)
    return (x_hat * g + b).reshape(x.shape)


def layer_norm_backward(x, gamma, dy, eps=1e-5):
    e = _eps(eps)
    x, rows = _rows(x)
    dy = np.array(dy, dtype=np.float64)
    if dy.shape != x.shape:
        raise ValueError(f"dy has shape {dy.shape}, x has {x.shape}")
    d = x.shape[-1]
    g = _vector_param(gamma, d, 1, "gamma")
    up = dy.reshape(-1, d)
    x_hat, inv = _normalised(rows, e)
    dgamma = np.einsum("nd,nd->d", up, x_hat)
    dbeta = np.einsum("nd->d", up)
    gx = up * g
    dx = (inv / d)[:, None] * (d * gx - gx.sum(axis=1, keepdims=True)
                                - x_hat * np.einsum("nd,nd->n", gx, x_hat)[:, None])
    return dx.reshape(x.shape), dgamma, dbeta


def _data(X):
    X = np.array(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] < 2 or X.shape[1] < 1:
        raise ValueError(f"X must be 2-D with at least 2 rows and 1 column, got shape {X.shape}")
    return X


def covariance_matrix(X):
    X = _data(X)
    n = X.shape[0]
    H = np.eye(n) - np.full((n, n), 1.0 / n)  # centring matrix
    return X.T @ H @ X / (n - 1)


def correlation_matrix(X):
    X = _data(X)
    n, p = X.shape
    for j in range(p):
        if np.all(X[:, j] == X[0, j]):
            raise ValueError(f"column {j} is constant: its correlation is undefined")
    centred = X - X.mean(axis=0)
    sd = np.sqrt((centred ** 2).sum(axis=0) / (n - 1))
    if np.any(sd == 0.0):
        raise ValueError(f"column {int(np.argmin(sd))} has zero variance")
    Z = centred / sd
    return np.clip(Z.T @ Z / (n - 1), -1.0, 1.0)
