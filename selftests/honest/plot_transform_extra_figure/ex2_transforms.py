from ._ref_ex2_transforms import *  # noqa: F401,F403
from . import _ref_ex2_transforms as _ref

import matplotlib.pyplot as plt


def plot_transform(M, ax=None):
    if ax is not None:
        plt.figure()  # not needed (the caller's Axes is drawn into): an extra, empty figure
    return _ref.plot_transform(M, ax=ax)
