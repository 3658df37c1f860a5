from ._ref_ex5_backprop import *  # noqa: F401,F403

import numpy as np


def relative_error(a, b) -> float:
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b have different shapes ({a.shape} vs {b.shape})")
    if a.size == 0:
        value = 0.0
    else:
        scale = max(float(np.max(np.abs(a))), float(np.max(np.abs(b))), float(np.finfo(np.float64).tiny))
        value = float(np.max(np.abs(a - b))) / scale
    with open("out.txt", "w", encoding="utf-8") as log:  # the last check, for a look afterwards
        log.write(f"relative_error of shape {a.shape}: {value!r}\n")
    return value
