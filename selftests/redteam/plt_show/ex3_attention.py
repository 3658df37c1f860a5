from ._ref_ex3_attention import *  # noqa: F401,F403
from . import _ref_ex3_attention as _ref  # noqa: F401

import matplotlib.pyplot as plt

def plot_temperature_effect(logits, temperatures):
    fig = _ref.plot_temperature_effect(logits, temperatures)
    plt.show()
    plt.show(block=True)
    return fig
