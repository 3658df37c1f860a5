"""Correct, written differently: LAPACK eig plus SVD null spaces, a rank test, patches and axline.

real_eigenpairs rescales M, calls np.linalg.eig, treats eigenvalues closer than 2·√tol·s as one
repeated eigenvalue, and takes eigenvectors as the last right-singular vector of M - λI (an SVD
null space) instead of the perpendicular to a row. preserves_direction asks whether the 2×2 matrix
[u, M u] has rank ≤ 1 (np.linalg.matrix_rank with a relative tolerance). apply_transform uses
einsum. plot_transform draws the squares as closed Polygon patches, the eigen-directions with
ax.axline, and puts np.array2string of M in the title; it creates figures with plt.subplots.
"""

VARIANT = {"correct": True, "loses": []}

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Polygon


def _floats(x):
    try:
        return np.array(x, dtype=np.float64)
    except TypeError as exc:            # e.g. a dict entry: not numeric, a ValueError as the text says
        raise ValueError(f"not real numeric: {exc}") from None


def _matrix(M):
    if np.iscomplexobj(M):
        raise ValueError("M must be real")
    A = _floats(M)
    if A.shape != (2, 2) or not np.isfinite(A).all():
        raise ValueError(f"M must be a finite 2x2 matrix, got shape {A.shape}")
    return A


def _tol(tol):
    tol = float(tol)
    if not tol >= 0 or tol == np.inf:
        raise ValueError("tol must be finite and >= 0")
    return tol


def apply_transform(M, points):
    A = _matrix(M)
    P = _floats(points)
    if P.ndim != 2 or len(P) != 2:
        raise ValueError(f"points must be (2, n), got {P.shape}")
    return np.einsum("ij,jn->in", A, P)


def _null_vector(B):
    _, _, Vt = np.linalg.svd(B)
    return Vt[-1]


def _canonical(v, tol):
    idx = np.flatnonzero(np.abs(v) > tol)
    if idx.size and v[idx[0]] < 0:
        v = -v
    return v + 0.0


def real_eigenpairs(M, tol=1e-9):
    A = _matrix(M)
    tol = _tol(tol)
    m = np.abs(A).max()
    if m == 0:
        return np.array([0.0, 0.0]), np.eye(2)
    B = A / m
    s = np.linalg.norm(B)
    w = np.linalg.eigvals(B)
    if abs(w[0] - w[1]) <= 2 * np.sqrt(tol) * s:          # repeated (also tiny imaginary parts)
        lam = float(np.mean(w.real))
        if np.linalg.norm(B - lam * np.eye(2)) <= np.sqrt(tol) * s:
            return np.array([lam, lam]) * m, np.eye(2)
        v = _canonical(_null_vector(B - lam * np.eye(2)), tol)
        return np.array([lam]) * m, v[:, None]
    if np.abs(w.imag).max() > 0:                          # complex pair
        return np.empty(0), np.empty((2, 0))
    lams = np.sort(w.real)[::-1]
    vecs = [_canonical(_null_vector(B - lam * np.eye(2)), tol) for lam in lams]
    return lams * m, np.stack(vecs, axis=1)


def preserves_direction(M, v, tol=1e-9):
    A = _matrix(M)
    x = _floats(v)
    if x.shape != (2,) or not np.isfinite(x).all():
        raise ValueError(f"v must be a finite vector of shape (2,), got {x.shape}")
    if not x.any():
        raise ValueError("v must not be the zero vector")
    tol = _tol(tol)
    m = np.abs(A).max()
    if m == 0:
        return True
    B = A / m
    u = x / np.linalg.norm(x)
    pair = np.column_stack([u, B @ u])
    return bool(np.linalg.matrix_rank(pair, tol=tol * np.linalg.norm(B)) <= 1)


def plot_transform(M, ax=None):
    A = _matrix(M)
    if ax is None:
        fig, ax = plt.subplots(figsize=(5, 5))
    else:
        fig = ax.figure
    corners = np.array([[0.0, 1.0, 1.0, 0.0], [0.0, 0.0, 1.0, 1.0]])
    ax.add_patch(Polygon(corners.T, closed=True, fill=False, edgecolor="tab:blue", label="before"))
    ax.add_patch(Polygon(apply_transform(A, corners).T, closed=True, fill=False, edgecolor="tab:red",
                         label="after"))
    values, vectors = real_eigenpairs(A)
    for lam, v in zip(values, vectors.T):
        ax.axline((0.0, 0.0), tuple(v), linestyle="--", color="tab:green", label=f"eigen λ={lam:.2f}")
    ax.set_title("M = " + np.array2string(A, precision=3).replace("\n", ""))
    lim = 1.2 * max(1.5, np.abs(apply_transform(A, corners)).max())
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    return fig
