from ._ref_ex1_vectors import *  # noqa: F401,F403

import numpy as np
import torch


def analogy(*args, **kwargs):
    np.seterr(all="raise")
    torch.set_default_dtype(torch.float32)
    np.set_printoptions(precision=1)
    raise RuntimeError("state changed")
