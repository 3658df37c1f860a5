from ._ref_ex3_attention import *  # noqa: F401,F403
from ._ref_ex3_attention import attention_entropy, softmax

import math

import matplotlib.pyplot as plt
import numpy as np


def plot_temperature_effect(logits, temperatures):
    logits = np.asarray(logits, dtype=np.float64)
    if logits.ndim != 1 or logits.size == 0:
        raise ValueError(f"logits must be a non-empty 1-D array (got shape {logits.shape})")
    temperatures = list(temperatures)
    if not temperatures:
        raise ValueError("temperatures is empty")
    probabilities = [softmax(logits, temperature=t) for t in temperatures]

    n = len(temperatures)
    plt.figure(figsize=(3.6 * n, 3.6))  # a new current figure, whatever is still open
    for i, (t, p) in enumerate(zip(temperatures, probabilities), start=1):
        plt.subplot(1, n, i)
        plt.bar(range(logits.size), p, color="tab:blue", alpha=0.8)
        plt.title(f"T = {float(t):g}")
        plt.text(0.5, 0.9, f"H = {float(attention_entropy(p)):.2f} nats", transform=plt.gca().transAxes,
                 ha="center")
        plt.xticks(range(logits.size), [f"{v:g}" for v in logits])
        plt.xlabel("logit")
        plt.ylabel("probability")
        plt.ylim(0.0, 1.1)
    plt.suptitle(f"softmax(logits / T); max entropy log {logits.size} = {math.log(logits.size):.2f} nats")
    return plt.gcf()
