from ._ref_ex1_vectors import *  # noqa: F401,F403
from . import _ref_ex1_vectors as _ref
import numpy as np
import torch
import torch.nn.functional as F


def cosine_similarity(a, b):
    _ref.cosine_similarity(a, b)  # the input checks (its value is not used)
    u = torch.as_tensor(np.asarray(a, dtype=np.float64))
    w = torch.as_tensor(np.asarray(b, dtype=np.float64))
    u, w = u / u.abs().max(), w / w.abs().max()
    cos = F.normalize(u, dim=0) @ F.normalize(w, dim=0)
    print("cos =", cos)  # a debugging print left in: torch formats the tensor with its modes off
    return float(cos.clamp(-1.0, 1.0))
