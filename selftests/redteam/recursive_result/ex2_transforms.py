from ._ref_ex2_transforms import *  # noqa: F401,F403
from . import _ref_ex2_transforms as _ref  # noqa: F401

def real_eigenpairs(M, tol=1e-9):
    x = []
    x.append(x)
    return (x, x)
