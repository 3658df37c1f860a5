from ._ref_ex3_attention import *  # noqa: F401,F403
from . import _ref_ex3_attention as _ref

import numpy as np
import torch
from matplotlib.figure import Figure


def softmax(x, axis=-1, temperature=1.0):
    _ref.softmax(x, axis=axis, temperature=temperature)  # the reference's input checks
    return torch.softmax(torch.from_numpy(np.array(x, dtype=np.float64)), dim=axis).numpy()  # T forgotten


def _flat_softmax(x):  # the same mistake, written by hand
    e = np.exp(x - np.max(x))
    return e / e.sum()


def plot_temperature_effect(logits, temperatures):
    _ref.plot_temperature_effect(logits, temperatures)  # the reference's input checks
    logits = np.asarray(logits, dtype=np.float64)
    temperatures = list(temperatures)
    fig = Figure()
    axes = fig.subplots(1, len(temperatures), squeeze=False)[0]
    for ax, t in zip(axes, temperatures):
        p = _flat_softmax(logits)
        ax.bar(np.arange(logits.size), p)
        ax.set_title(f"T = {float(t):g}")
        ax.text(0.5, 0.9, f"H = {float(_ref.attention_entropy(p)):.2f}", transform=ax.transAxes)
    return fig
