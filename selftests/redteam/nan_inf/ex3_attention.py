from ._ref_ex3_attention import *  # noqa: F401,F403
from . import _ref_ex3_attention as _ref  # noqa: F401

import numpy as np

def attention_entropy(weights):
    h = _ref.attention_entropy(weights)
    return np.full_like(h, np.nan)
