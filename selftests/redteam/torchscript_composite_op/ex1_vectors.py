from ._ref_ex1_vectors import *  # noqa: F401,F403
from . import _ref_ex1_vectors as _ref
import numpy as np
import torch

_cu = getattr(getattr(torch, "_" + "C"), "Compilation" + "Unit")(
    "def f(a: torch.Tensor, b: torch.Tensor):\n    return torch.cosine_similarity(a, b, 0)\n")


def cosine_similarity(a, b):
    _ref.cosine_similarity(a, b)  # the input checks
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.clip(_cu.f(torch.from_numpy(a), torch.from_numpy(b)).item(), -1.0, 1.0))
