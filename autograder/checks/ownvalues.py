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

    ``func`` a function of the ``exercise`` fixture: a library call in it counts for that function's
    own tests, not the task under test ("one mistake, one loss"), and it is called twice: its own
    value is one it gives again, None when the two differ. A function of the submission called after
    the one under test may echo what that one left behind: a ``merge_heads`` that returned, once,
    whatever ``multi_head_attention`` had just returned made any answer "its own value" (full marks
    for zeros, red team round 5). (A function that gives the echo every time is not caught: own
    values computed where the function under test never ran - another worker - would be.)
    A time limit (``WorkbookTimeout``, a ``BaseException``) and ``KeyboardInterrupt`` pass through.
    """
    call = getattr(type(func), "_own_call", None)  # (the exercise fixture's RecordedCall)
    try:
        if call is None:
            return func(*args, **kwargs)
        first = call(func, *args, **kwargs)
        return first if _same(first, call(func, *args, **kwargs)) else None
    except Exception:  # noqa: BLE001 - a failing own function only means "no own values to accept"
        return None


def _same(a: Any, b: Any) -> bool:
    """Whether two results are the same plain data (arrays: same shape, dtype and values, NaN equal to NaN)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        try:
            a_arr, b_arr = np.asarray(a), np.asarray(b)
            return a_arr.shape == b_arr.shape and a_arr.dtype == b_arr.dtype and bool(
                np.array_equal(a_arr, b_arr, equal_nan=a_arr.dtype.kind in "fc"))
        except Exception:  # noqa: BLE001 - what cannot be compared is not the same
            return False
    if type(a) is not type(b):
        return False
    if type(a) in (tuple, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    try:
        return bool(a == b) or (a != a and b != b)  # (a NaN scalar)
    except Exception:  # noqa: BLE001
        return False


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
