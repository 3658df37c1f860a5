"""Correct, written differently: einsum covariance, eigvalsh checks, a stable sort, np.isclose ties.

covariance subtracts the mean as X.sum(0) / n and contracts with np.einsum. principal_components
tests symmetry and semidefiniteness with np.linalg.eigvalsh, sorts with a stable argsort of −λ and
signs each column with np.isclose on the magnitudes. pca_reconstruct reuses pca_project and takes
the error as the sum of the dropped eigenvalues. plot_pca adds Line2D objects by hand (with
FancyArrow heads) to a figure made by matplotlib.pyplot.
"""

VARIANT = {"correct": True, "loses": []}

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D


def _data(X):
    A = np.array(X, dtype=np.float64)
    if A.ndim != 2 or A.shape[0] < 2 or A.shape[1] < 1 or not np.isfinite(A).all():
        raise ValueError(f"X must be a finite (n, d) array with n >= 2, d >= 1 (shape {A.shape})")
    return A


def covariance(X):
    A = _data(X)
    n = A.shape[0]
    D = A - A.sum(axis=0) / n
    return np.einsum("ni,nj->ij", D, D) / (n - 1)


def principal_components(C, tol=1e-10):
    if not (isinstance(tol, (int, float)) and 0 <= tol < float("inf")):
        raise ValueError("tol must be finite and >= 0")
    A = np.array(C, dtype=np.float64)
    if A.ndim != 2 or A.shape[0] != A.shape[1] or A.shape[0] < 1 or not np.isfinite(A).all():
        raise ValueError("C must be a finite square matrix")
    s = np.abs(A).max()
    if np.abs(A - A.T).max() > tol * s:
        raise ValueError("C is not symmetric")
    S = 0.5 * (A + A.T)
    if np.linalg.eigvalsh(S).min() < -tol * s:
        raise ValueError("C is not positive semidefinite")
    w, V = np.linalg.eigh(S)
    order = np.argsort(-w, kind="stable")
    w, V = np.clip(w[order], 0.0, None), V[:, order]
    for j in range(V.shape[1]):
        mags = np.abs(V[:, j])
        i = np.argmax(np.isclose(mags, mags.max(), rtol=0.0, atol=1e-9))
        V[:, j] = np.copysign(1.0, V[i, j]) * V[:, j]
    return w, V + 0.0


def explained_variance_ratio(eigenvalues):
    lam = np.array(eigenvalues, dtype=np.float64)
    if lam.ndim != 1 or not lam.size or not np.isfinite(lam).all() or (lam < 0).any() or lam.sum() == 0:
        raise ValueError("eigenvalues must be a non-empty 1-D array of finite values >= 0 with a positive sum")
    return np.divide(lam, lam.sum())


def _k(k, d):
    if type(k) is bool or not isinstance(k, (int, np.integer)):
        raise TypeError("k must be an integer")
    if k < 1 or k > d:
        raise ValueError(f"k must be in 1..{d}")
    return int(k)


def pca_project(X, k):
    A = _data(X)
    k = _k(k, A.shape[1])
    W = principal_components(covariance(A))[1][:, :k]
    return np.einsum("nd,dk->nk", A - A.mean(axis=0), W)


def pca_reconstruct(X, k):
    A = _data(X)
    k = _k(k, A.shape[1])
    values, W = principal_components(covariance(A))
    X_hat = pca_project(A, k) @ W[:, :k].T + A.mean(axis=0)
    return X_hat, float(values[k:].sum())


def plot_pca(X):
    A = _data(X)
    if A.shape[1] != 2:
        raise ValueError("plot_pca needs (n, 2) data")
    values, W = principal_components(covariance(A))
    mu = A.mean(axis=0)
    fig, ax = plt.subplots()
    plt.close(fig)  # not kept open by pyplot
    ax.scatter(*A.T, s=6)
    for i, (lam, w) in enumerate(zip(values, W.T), start=1):
        tip = mu + np.sqrt(lam) * w
        ax.add_line(Line2D([mu[0], tip[0]], [mu[1], tip[1]], color="red", label=f"PC{i}"))
        ax.arrow(*mu, *(tip - mu), width=0.01, length_includes_head=True, color="red")
    ax.set_aspect("equal")
    ax.legend()
    return fig
