"""Correct, written differently: per-sample loops with np.outer and explicit Jacobians for the
network, the forward-mode chain rule written out for manual_grad, flat-index basis vectors for
numerical_gradient, torch.autograd.grad with torch.nn.functional.linear for autograd_gradients,
and the infinity norm for relative_error. It must score 20/20.
"""

VARIANT = {"correct": True, "loses": []}

import math  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from solutions.ex5_backprop import *  # noqa: F401,F403,E402
from solutions.ex5_backprop import TwoLayerNet as _Given  # noqa: E402


class TwoLayerNet(_Given):
    """Same constructor (given code); forward/backward rewritten sample by sample."""

    def forward(self, x):
        x = np.asarray(x, dtype=np.float64)
        if x.ndim not in (1, 2) or x.shape[-1] != self.W1.shape[1]:
            raise ValueError(f"bad input shape {x.shape} / 入力の形が不正です")
        rows = x.reshape(-1, x.shape[-1])
        pre = [self.W1.dot(r) + self.b1 for r in rows]
        post = [np.where(p > 0, p, 0.0) for p in pre]
        outs = [self.W2.dot(a) + self.b2 for a in post]
        self.cache = {"rows": rows, "pre": pre, "post": post, "outs": outs, "single": x.ndim == 1}
        return outs[0].copy() if x.ndim == 1 else np.array(outs)

    def backward(self, y_true):
        if "outs" not in self.cache:
            raise RuntimeError("forward() を先に呼んでください / call forward() first")
        t = np.asarray(y_true, dtype=np.float64)
        expected_shape = self.cache["outs"][0].shape if self.cache["single"] else (len(self.cache["outs"]),) + self.cache["outs"][0].shape
        if t.shape != expected_shape:
            raise ValueError("y_true has the wrong shape / y_true の形が不正です")
        t_rows = t.reshape(len(self.cache["outs"]), -1)
        g = {"W1": np.zeros_like(self.W1), "b1": np.zeros_like(self.b1),
             "W2": np.zeros_like(self.W2), "b2": np.zeros_like(self.b2)}
        for x, z1, a1, y, tt in zip(self.cache["rows"], self.cache["pre"], self.cache["post"],
                                    self.cache["outs"], t_rows):
            dy = y - tt
            g["W2"] += np.outer(dy, a1)
            g["b2"] += dy
            jac_relu = np.diag((z1 > 0).astype(np.float64))   # ∂a1/∂z1
            dz1 = jac_relu @ (self.W2.T @ dy)
            g["W1"] += np.outer(dz1, x)
            g["b1"] += dz1
        return g


def _scalar(value):
    if np.shape(value) != ():
        raise ValueError(f"f must return a scalar, got shape {np.shape(value)} / f はスカラーを返すこと")
    return float(value)


def numerical_gradient(f, x, h=1e-5):
    if not 0 < h < math.inf:
        raise ValueError("h must be > 0 and finite / h は正の有限値")
    x0 = np.array(x, dtype=np.float64).ravel()
    shape = np.shape(x)
    out = np.empty(x0.size)
    for i in range(x0.size):
        e = np.zeros(x0.size)
        e[i] = h
        out[i] = (_scalar(f((x0 + e).reshape(shape))) - _scalar(f((x0 - e).reshape(shape)))) / (2 * h)
    return out.reshape(shape)


def autograd_gradients(net, x, y_true):
    names = ("W1", "b1", "W2", "b2")
    ps = [torch.from_numpy(np.array(getattr(net, n), dtype=np.float64)).requires_grad_() for n in names]
    xt = torch.from_numpy(np.array(x, dtype=np.float64))
    tt = torch.from_numpy(np.array(y_true, dtype=np.float64))
    if xt.dim() not in (1, 2) or xt.shape[-1] != ps[0].shape[1]:
        raise ValueError(f"bad input shape {tuple(xt.shape)} / 入力の形が不正です")
    y = F.linear(F.relu(F.linear(xt, ps[0], ps[1])), ps[2], ps[3])
    if tt.shape != y.shape:
        raise ValueError("y_true has the wrong shape / y_true の形が不正です")
    grads = torch.autograd.grad(0.5 * torch.sum((y - tt) ** 2), ps)
    return {n: g.numpy() for n, g in zip(names, grads)}


def manual_grad(x, y):
    """Forward-mode chain rule written out: the derivative of every intermediate along x and y
    (pairs (d/dx, d/dy)), without any class of one's own (operator-overloading engines such as dual
    numbers are automatic differentiation, which the task forbids)."""
    x, y = float(x), float(y)
    s, ds = x + y, (1.0, 1.0)
    q, dq = s * s, tuple(2 * s * d for d in ds)
    p, dp = x * y, (y, x)
    w = math.sin(q) + math.cos(p)
    dw = tuple(math.cos(q) * a - math.sin(p) * b for a, b in zip(dq, dp))
    return tuple(2 * w * d for d in dw)


def relative_error(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"shape mismatch {a.shape} vs {b.shape} / 形が違います")
    if a.size == 0:
        return 0.0
    num = np.linalg.norm((a - b).ravel(), ord=np.inf)
    den = max(np.linalg.norm(a.ravel(), ord=np.inf), np.linalg.norm(b.ravel(), ord=np.inf), np.finfo(float).tiny)
    return float(num / den)
