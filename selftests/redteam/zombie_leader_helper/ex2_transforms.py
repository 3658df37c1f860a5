from ._ref_ex2_transforms import *  # noqa: F401,F403
from ._ref_ex2_transforms import apply_transform as _apply_transform
from . import _svc


def apply_transform(M, points):
    _svc.start()  # a helper process, started where no "from scratch" rule applies
    return _apply_transform(M, points)
