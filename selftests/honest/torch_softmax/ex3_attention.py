from ._ref_ex3_attention import *  # noqa: F401,F403
from . import _ref_ex3_attention as _ref

import numpy as np
import torch


def softmax(x, axis=-1, temperature=1.0):
    """The chapter's softmax with temperature, on a float64 tensor."""
    _ref.softmax(x, axis=axis, temperature=temperature)  # the input checks, raising as the reference does
    t = torch.from_numpy(np.array(x, dtype=np.float64)) / torch.tensor(float(temperature), dtype=torch.float64)
    t = t - t.amax(dim=axis, keepdim=True)
    e = torch.exp(t)
    return (e / e.sum(dim=axis, keepdim=True)).numpy()
