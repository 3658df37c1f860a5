"""Wrong figure: the arrows are 2√λ long, as in the chapter's code, instead of √λ.

Everything else is the reference; only plot_pca loses points.
"""

VARIANT = {"correct": False, "loses": ["plot_pca"]}

import math
import types

import numpy as np  # noqa: F401
from matplotlib.figure import Figure  # noqa: F401

from solutions.ex8_pca import *  # noqa: F401,F403,E402
from solutions.ex8_pca import _as_data  # noqa: F401,E402
from solutions.ex8_pca import plot_pca as _ref_plot  # noqa: E402


class _TwiceSqrt:
    """math with sqrt doubled: the reference drawing code then draws 2√λ arrows."""

    def __getattr__(self, name):
        return getattr(math, name)

    @staticmethod
    def sqrt(x):
        return 2.0 * math.sqrt(x)


plot_pca = types.FunctionType(_ref_plot.__code__, {**globals(), "math": _TwiceSqrt()}, "plot_pca")
