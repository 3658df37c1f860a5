from ._ref_ex2_transforms import *  # noqa: F401,F403
from . import _ref_ex2_transforms as _ref  # noqa: F401

def apply_transform(M, points):
    return _ref.apply_transform(M, points).T
