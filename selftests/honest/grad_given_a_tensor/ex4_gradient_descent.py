from ._ref_ex4_gradient_descent import *  # noqa: F401,F403
import operator

import numpy as np
import torch


def gradient_descent(grad, x0, learning_rate, n_steps, tol=None):
    """gradient_descent of the reference, but grad is given the state as a torch tensor."""
    x = np.array(x0, dtype=np.float64)  # a copy: x0 is never touched
    if x.ndim != 1 or x.size == 0:
        raise ValueError(
            f"x0 は 1 次元の空でない配列 (形状 (d,)) である必要がありますが、形状 {x.shape} でした。 / "
            f"x0 must be a non-empty 1-D array of shape (d,), got shape {x.shape}."
        )
    if not (np.isfinite(learning_rate) and learning_rate > 0):
        raise ValueError(
            f"学習率 learning_rate は正の有限な数である必要がありますが、{learning_rate!r} でした。 / "
            f"learning_rate must be a positive finite number, got {learning_rate!r}."
        )
    n_steps = operator.index(n_steps)
    if n_steps < 0:
        raise ValueError(
            f"n_steps は 0 以上である必要がありますが、{n_steps} でした。 / "
            f"n_steps must be >= 0, got {n_steps}."
        )
    if tol is not None and not tol > 0:
        raise ValueError(
            f"tol は None か正の数である必要がありますが、{tol!r} でした。 / "
            f"tol must be None or a positive number, got {tol!r}."
        )

    trajectory = [x]
    for _ in range(n_steps):
        g = np.asarray(grad(torch.as_tensor(x)), dtype=np.float64)  # grad sees the state as a tensor
        if g.shape != x.shape:
            raise ValueError(
                f"grad の戻り値の形状は {x.shape} であるべきですが、{g.shape} でした。 / "
                f"grad must return shape {x.shape}, got {g.shape}."
            )
        if tol is not None and np.linalg.norm(g) < tol:
            break
        x = x - learning_rate * g  # a new array: earlier rows are not aliased
        trajectory.append(x)
    return np.array(trajectory, dtype=np.float64)
