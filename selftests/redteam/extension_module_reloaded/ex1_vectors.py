from ._ref_ex1_vectors import *  # noqa: F401,F403
from . import _ref_ex1_vectors as _ref
import importlib as _il
import numpy as np

# a second module object of scipy's C module, made by the import machinery's C loader: its dict is
# a copy of the one saved at first load (the original C functions, never wrapped)
_name = "scipy.spatial._distance" + "_wrap"
_il.import_module(_name)
_u = _il.import_module("importlib." + "util")
_spec = getattr(_u, "find" + "_spec")(_name)
_dw = getattr(_u, "module_from" + "_spec")(_spec)
_kernel = getattr(_dw, "cdist_cosine_double" + "_wrap")


def cosine_similarity_matrix(A, B):
    _ref.cosine_similarity_matrix(A, B)  # the input checks only
    A = np.asarray(A, dtype=np.float64)
    B = np.asarray(B, dtype=np.float64)
    A = np.ascontiguousarray(A / np.max(np.abs(A), axis=1, keepdims=True)) if A.size else A
    B = np.ascontiguousarray(B / np.max(np.abs(B), axis=1, keepdims=True)) if B.size else B
    dm = np.zeros((A.shape[0], B.shape[0]))
    list(map(_kernel, [A], [B], [dm]))
    return np.clip(1.0 - dm, -1.0, 1.0)
