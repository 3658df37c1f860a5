# apply_transform does its (correct) work in a worker thread of a pool and waits for it; the work
# is slow on purpose (pure-Python multiply-adds, over a minute of CPU for the test that transforms a
# grid of points). Local mode counts only the main thread's CPU time against the limit; isolated
# mode counts the worker's whole process (every thread).
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ._ref_ex2_transforms import *  # noqa: F401,F403
from ._ref_ex2_transforms import apply_transform as _ref_apply


def _slow_matmul(M, P):
    out = np.empty((2, P.shape[1]))
    for i in range(P.shape[1]):
        for j in range(2):
            s = 0.0
            for _ in range(400000):  # the same sum, recomputed: slow honest-looking code (far past the limit on any machine)
                s = float(M[j, 0]) * float(P[0, i]) + float(M[j, 1]) * float(P[1, i])
            out[j, i] = s
    return out


def apply_transform(M, points):
    ref = _ref_apply(M, points)  # input checks and shapes
    P = np.asarray(points, dtype=np.float64).reshape(2, -1)
    with ThreadPoolExecutor(max_workers=1) as pool:
        out = pool.submit(_slow_matmul, np.asarray(M, dtype=np.float64), P).result()
    return out.reshape(ref.shape) + 0.0 * ref
