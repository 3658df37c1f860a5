"""The submission's own values, for figure tests ("one mistake, one loss").

A figure task draws what other graded functions return (``plot_transform`` draws the eigenpairs
of ``real_eigenpairs``, ``plot_temperature_effect`` the bars of ``softmax`` and the entropy of
``attention_entropy``, ``plot_trajectories`` the paths of ``gradient_descent`` and the point of
``true_minimum``). A mistake in one of those functions is graded by that function's own tests; the
figure test accepts a figure that shows either the correct values or the values the submission's
own function returns for the same inputs (see "Figures show the submission's own values" in
docs/authoring.md).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

__all__ = ["own_result", "own_array"]


def own_result(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``func(*args, **kwargs)``, or None when the call raises an ``Exception``.

    A time limit (``WorkbookTimeout``, a ``BaseException``) and ``KeyboardInterrupt`` pass through.
    """
    try:
        return func(*args, **kwargs)
    except Exception:  # noqa: BLE001 - a failing own function only means "no own values to accept"
        return None


def own_array(func: Callable[..., Any], *args: Any, shape: tuple[int | None, ...] | None = None,
              **kwargs: Any) -> np.ndarray | None:
    """:func:`own_result` as a finite float64 array, or None when it raises, is not numeric or not
    finite, or does not have ``shape`` (``None`` entries match any length)."""
    result = own_result(func, *args, **kwargs)
    if result is None:
        return None
    try:
        array = np.asarray(result, dtype=np.float64)
    except Exception:  # noqa: BLE001 - ragged or non-numeric: nothing to accept
        return None
    if not np.all(np.isfinite(array)):
        return None
    if shape is not None and (array.ndim != len(shape)
                              or any(n is not None and n != m for n, m in zip(shape, array.shape))):
        return None
    return array
