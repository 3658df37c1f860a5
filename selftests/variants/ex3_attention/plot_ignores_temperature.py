"""Wrong: every panel of the figure shows softmax(logits) at T = 1.

The titles name the temperatures, but the temperature is never passed to softmax, so the bars
and the entropies are the same in every panel.
"""

VARIANT = {"correct": False, "loses": ["plot_temperature_effect"]}

import numpy as np
from matplotlib.figure import Figure

from solutions.ex3_attention import *  # noqa: F401,F403,E402
from solutions.ex3_attention import attention_entropy, softmax  # noqa: E402


def plot_temperature_effect(logits, temperatures):
    logits = np.asarray(logits, dtype=np.float64)
    fig = Figure(figsize=(4 * len(temperatures), 4))
    axes = fig.subplots(1, len(temperatures), squeeze=False)[0]
    for ax, t in zip(axes, temperatures):
        p = softmax(logits)  # the temperature is forgotten
        ax.bar(np.arange(logits.size), p)
        ax.set_title(f"Temperature = {t}")
        ax.text(0.5, 0.9, f"H = {attention_entropy(p):.2f}", transform=ax.transAxes, ha="center")
    return fig
