from ._ref_ex2_transforms import *  # noqa: F401,F403
import numpy as np

from ._ref_ex2_transforms import real_eigenpairs as _real_eigenpairs


def real_eigenpairs(M, tol=1e-9):
    np.seterr(all="raise")  # fail loudly on any floating-point problem
    return _real_eigenpairs(M, tol)
