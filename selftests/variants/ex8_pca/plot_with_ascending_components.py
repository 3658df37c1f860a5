"""Wrong principal_components (ascending order), right drawing code that uses it.

plot_pca is the reference drawing code calling this module's principal_components, so its "PC1"
is the component of smallest variance, as the text says the figure shows the values of
principal_components(covariance(X)). One mistake, one loss: only principal_components loses points.
"""

VARIANT = {"correct": False, "loses": ["principal_components"], "misconceptions": ["ascending_order"]}

import math  # noqa: F401
import types

import numpy as np  # noqa: F401
from matplotlib.figure import Figure  # noqa: F401

from solutions.ex8_pca import *  # noqa: F401,F403,E402
from solutions.ex8_pca import _as_data  # noqa: F401,E402
from solutions.ex8_pca import plot_pca as _ref_plot  # noqa: E402
from solutions.ex8_pca import principal_components as _ref_pc  # noqa: E402


def principal_components(C, tol=1e-10):
    values, vectors = _ref_pc(C, tol)
    return values[::-1].copy(), vectors[:, ::-1].copy()


plot_pca = types.FunctionType(_ref_plot.__code__, globals(), "plot_pca")
