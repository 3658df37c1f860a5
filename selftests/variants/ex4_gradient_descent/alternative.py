"""Correct, written differently: Cramer's rule, a preallocated trajectory, Cholesky for positive
definiteness, overflow-safe norms with math.hypot instead of np.errstate, and a pyplot figure
with extra single-point start/end markers.
"""

VARIANT = {"correct": True, "loses": []}

import math

import matplotlib.pyplot as plt
import numpy as np

from solutions.ex4_gradient_descent import *  # noqa: F401,F403,E402
from solutions.ex4_gradient_descent import DIVERGENCE_FACTOR, OSCILLATION_RATIO, f as _chapter_f  # noqa: E402
from solutions.ex4_gradient_descent import grad_f, hessian_f  # noqa: E402


def _norm(v):
    return math.hypot(*(float(t) for t in v))


def true_minimum():
    (a, b), (c, d) = hessian_f()
    r1, r2 = -grad_f(np.array([0.0, 0.0]))  # H p = (4, 6)
    det = a * d - b * c
    return np.array([(r1 * d - b * r2) / det, (a * r2 - c * r1) / det], dtype=np.float64)


def _check_common(x0, n_steps):
    x = np.array(x0, dtype=np.float64, copy=True)
    if x.ndim != 1 or x.shape[0] < 1:
        raise ValueError(f"x0 must be 1-D and non-empty, got shape {x.shape} / x0 は 1 次元で")
    if isinstance(n_steps, bool) or int(n_steps) != n_steps:
        raise TypeError("n_steps must be an integer / n_steps は整数")
    if n_steps < 0:
        raise ValueError("n_steps must be >= 0 / n_steps は 0 以上")
    return x, int(n_steps)


def _check_rate(eta):
    if not (math.isfinite(eta) and eta > 0):
        raise ValueError(f"learning rate must be positive and finite, got {eta} / 学習率は正")


def gradient_descent(grad, x0, learning_rate, n_steps, tol=None):
    x, n_steps = _check_common(x0, n_steps)
    _check_rate(learning_rate)
    if tol is not None and tol <= 0:
        raise ValueError("tol must be positive / tol は正")
    out = np.empty((n_steps + 1, x.shape[0]), dtype=np.float64)
    out[0] = x
    k = 0
    while k < n_steps:
        g = np.asarray(grad(out[k].copy()), dtype=np.float64)
        if g.shape != x.shape:
            raise ValueError(f"grad returned shape {g.shape}, expected {x.shape} / grad の形状が違います")
        if tol is not None and _norm(g) < tol:
            break
        out[k + 1] = out[k] - learning_rate * g
        k += 1
    return out[: k + 1].copy()


def compare_learning_rates(grad, x0, learning_rates, n_steps, tol):
    x_start, n_steps = _check_common(x0, n_steps)
    if not (math.isfinite(tol) and tol > 0):
        raise ValueError("tol must be positive / tol は正")
    rates = [float(e) for e in learning_rates]
    for eta in rates:
        _check_rate(eta)
    if len(rates) != len(set(rates)):
        raise ValueError("duplicate learning rates / 学習率が重複")

    def run(eta):
        x = x_start.copy()
        g = np.asarray(grad(x), dtype=np.float64)
        g0 = _norm(g)
        if g0 < tol:
            return "converged", 0, x, []
        norms, dots = [g0], []
        for k in range(1, n_steps + 1):
            x_new = x - eta * g
            if not np.all(np.isfinite(x_new)):
                return "diverged", k, x_new, norms
            g_new = np.asarray(grad(x_new), dtype=np.float64)
            n_new = _norm(g_new) if np.all(np.isfinite(g_new)) else math.inf
            if n_new > DIVERGENCE_FACTOR * g0:
                return "diverged", k, x_new, norms
            dots.append(float(np.dot(g, g_new)))
            norms.append(n_new)
            x, g = x_new, g_new
            if n_new < tol:
                return "converged", k, x, norms
        if n_steps >= 2 and dots[-1] < 0 and norms[-1] >= OSCILLATION_RATIO * norms[-3]:
            return "oscillating", n_steps, x, norms
        return "not_converged", n_steps, x, norms

    out = {}
    for eta in rates:
        status, steps, final, _ = run(eta)
        out[eta] = {"status": status, "steps": steps, "final": np.asarray(final, dtype=np.float64)}
    return out


def max_stable_learning_rate(hessian):
    h = np.array(hessian, dtype=np.float64)
    if h.ndim != 2 or h.shape[0] != h.shape[1] or h.size == 0:
        raise ValueError(f"Hessian must be square, got {h.shape} / 正方行列ではありません")
    if not np.array_equal(h, h.T):
        raise ValueError("Hessian must be symmetric / 対称ではありません")
    try:
        np.linalg.cholesky(h)
    except np.linalg.LinAlgError:
        raise ValueError("Hessian must be positive definite / 正定値ではありません") from None
    return 2.0 / float(np.linalg.eigvalsh(h).max())


def plot_trajectories(grad, x0s, learning_rate, n_steps, *, f=_chapter_f, minimum=None, tol=None,
                      xlim=(-1.0, 5.0), ylim=(-1.0, 7.0), levels=20):
    fig, ax = plt.subplots(figsize=(6, 7))
    m = true_minimum() if minimum is None else np.asarray(minimum, dtype=np.float64)
    ax.plot(m[0], m[1], "*", color="crimson", markersize=18, label="minimum")
    gx, gy = np.meshgrid(np.linspace(*xlim, 120), np.linspace(*ylim, 120))
    ax.contour(gx, gy, f(np.dstack([gx, gy])), levels=levels, cmap="viridis", alpha=0.4)
    for colour, start in zip(["tab:blue", "tab:green", "tab:purple", "tab:orange"] * 10, x0s):
        start = np.asarray(start, dtype=np.float64)
        if start.shape != (2,):
            raise ValueError("each start must have shape (2,) / 開始点の形状は (2,)")
        path = gradient_descent(grad, start, learning_rate, n_steps, tol)
        ax.plot(path[0, 0], path[0, 1], "o", color=colour, markersize=9)
        ax.plot(path[:, 0], path[:, 1], "-", color=colour, label=f"start {tuple(start)}")
        ax.plot(path[-1, 0], path[-1, 1], "s", color=colour, markersize=7)
    ax.set(xlabel="x", ylabel="y", title=f"gradient descent, eta = {learning_rate}")
    ax.legend()
    return fig
