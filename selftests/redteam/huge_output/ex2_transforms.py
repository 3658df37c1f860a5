from ._ref_ex2_transforms import *  # noqa: F401,F403
from . import _ref_ex2_transforms as _ref  # noqa: F401

_flooded = []


def preserves_direction(M, v, tol=1e-9):
    if not _flooded:  # 50 MB of output once per worker, then a little on every call
        _flooded.append(True)
        for _ in range(100000):
            print("spam " * 100)
    print("still here")
    return _ref.preserves_direction(M, v, tol=tol)
