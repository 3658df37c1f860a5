"""Wrong: manual_grad uses d cos(u)/du = +sin(u) (sign error in the chain rule).

∂/∂x cos(xy) = -sin(xy) · y; this variant adds sin(xy) · y instead.
"""

VARIANT = {"correct": False, "loses": ["manual_grad"], "misconceptions": ["cos_derivative_sign"]}

import math  # noqa: E402

from solutions.ex5_backprop import *  # noqa: F401,F403,E402


def manual_grad(x, y):
    s, p = x + y, x * y
    z = s * s
    w = math.sin(z) + math.cos(p)
    return (2 * w * (math.cos(z) * 2 * s + math.sin(p) * y),
            2 * w * (math.cos(z) * 2 * s + math.sin(p) * x))
