"""Wrong: the figure multiplies the logits by the temperature itself (its softmax is right).

The bars show softmax(logits · T): a low temperature flattens and a high one sharpens, the reverse
of the chapter's figure. Only the figure loses; the failure names the mistake as softmax's does.
"""

VARIANT = {"correct": False, "loses": ["plot_temperature_effect"], "misconceptions": ["temperature_multiplied"]}

import numpy as np
from matplotlib.figure import Figure

from solutions.ex3_attention import *  # noqa: F401,F403,E402
from solutions.ex3_attention import attention_entropy, softmax  # noqa: E402


def plot_temperature_effect(logits, temperatures):
    logits = np.asarray(logits, dtype=np.float64)
    if logits.ndim != 1 or logits.size == 0:
        raise ValueError("logits must be a non-empty 1-D array")
    fig = Figure(figsize=(4 * len(temperatures), 4))
    axes = fig.subplots(1, len(temperatures), squeeze=False)[0]
    for ax, t in zip(axes, temperatures):
        p = softmax(logits * t)  # multiplied, not divided
        ax.bar(np.arange(logits.size), p)
        ax.set_title(f"Temperature = {t}")
        ax.text(0.5, 0.9, f"H = {attention_entropy(p):.2f}", transform=ax.transAxes, ha="center")
    return fig
