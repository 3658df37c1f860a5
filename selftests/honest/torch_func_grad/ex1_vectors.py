from ._ref_ex1_vectors import *  # noqa: F401,F403
from ._ref_ex1_vectors import cosine_similarity_matrix as _reference
import numpy as np
import torch


def cosine_similarity_matrix(A, B):
    # a gradient and a vmap of torch's, for a side check (torch.func's first use loads modules
    # that register kernels for torch's operations)
    g = torch.func.grad(lambda v: (v ** 2).sum())(torch.ones(3, dtype=torch.float64))
    n = torch.func.vmap(lambda v: v.norm())(torch.ones(2, 3, dtype=torch.float64))
    assert np.allclose(g.numpy(), 2.0) and np.allclose(n.numpy(), np.sqrt(3.0))
    return _reference(A, B)
