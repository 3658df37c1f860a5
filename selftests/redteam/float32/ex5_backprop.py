from ._ref_ex5_backprop import *  # noqa: F401,F403
from . import _ref_ex5_backprop as _ref  # noqa: F401

import numpy as np

def numerical_gradient(f, x, h=1e-5):
    return np.asarray(_ref.numerical_gradient(f, x, h=h), dtype=np.float32)
