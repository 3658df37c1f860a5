"""Wrong: the figure draws the prediction first and the true distribution second.

The text fixes the order (true, then predicted), so the bar series are read the wrong way round.
"""

VARIANT = {"correct": False, "loses": ["plot_predictions"]}

import numpy as np
from matplotlib.figure import Figure

from solutions.ex6_probability import *  # noqa: F401,F403,E402
from solutions.ex6_probability import cross_entropy  # noqa: E402


def plot_predictions(p, predictions):
    p = np.asarray(p, dtype=np.float64)
    fig = Figure(figsize=(4 * len(predictions), 4))
    axes = fig.subplots(1, len(predictions), squeeze=False)[0]
    x = np.arange(p.size)
    for ax, q in zip(axes, predictions):
        ax.bar(x - 0.2, np.asarray(q, dtype=np.float64), 0.4, label="predicted")
        ax.bar(x + 0.2, p, 0.4, label="true")
        ax.set_title(f"H(p, q) = {cross_entropy(p, q):.3f}")
    return fig
