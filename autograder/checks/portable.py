"""Test functions that may run next to the student's code (``from autograder.portable import portable``).

A graded test often passes a function of its own to the student's code: the gradient of a loss to
``gradient_descent``, a loss to ``numerical_gradient``. In isolated mode the student's code runs in a
sandboxed worker, and every call to such a function is a round trip to the grader (thousands per
submission). A function marked :func:`portable` is instead sent to the worker and runs there, as it
does in the student's own process in local mode.

Mark only functions that are *pure*: the result depends on the arguments alone, and nothing outside
the function is changed (no counting of calls, no recording of arguments, no figures). What the
function reads from its module or closure is copied when it is sent: plain data (numbers, strings,
NumPy arrays, lists/tuples/dicts of those), modules (``np``, ``math``, ``torch``), functions and
classes of NumPy, SciPy, torch or the standard library, and other portable functions. A marked
function that reads anything else is still called back in the grader, so marking never changes a
result, only where it is computed. In local mode the student's code gets such a copy too
(:func:`autograder.core.given.detached`): what it does to the function's data never reaches the test. Functions passed in a hidden test (``@pytest.mark.hidden``) are
not sent unless marked ``in_hidden_tests=True``: the student's code can read what it is sent.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any, TypeVar

from ..core.given import PORTABLE_MARK

__all__ = ["portable", "is_portable"]

#: Attribute that marks a portable function.
MARK = PORTABLE_MARK

F = TypeVar("F", bound=Callable)


def portable(fn: F | None = None, *, in_hidden_tests: bool = False) -> Any:
    """Mark ``fn`` (a plain Python function or lambda) as pure, so isolated mode may run it in the worker.

    Use as ``@portable`` or ``@portable(in_hidden_tests=True)``, or call ``portable(lambda x: ...)``.

    Args:
        fn: a ``def`` function or ``lambda`` defined in a graded test module.
        in_hidden_tests: send it to the worker in hidden tests too. Only for a function whose code
            and captured values tell nothing the test's visible name and docstring do not (the
            student's code can read what it is sent).

    Returns:
        ``fn`` itself, marked (or, without ``fn``, a decorator that marks).

    Raises:
        TypeError: ``fn`` is not a plain Python function (a builtin, a method, a class, a partial).
    """
    if fn is None:
        return lambda f: portable(f, in_hidden_tests=in_hidden_tests)
    if type(fn) is not types.FunctionType:
        raise TypeError(f"portable() marks a plain Python function or lambda, not {type(fn).__name__}")
    setattr(fn, MARK, "everywhere" if in_hidden_tests else "visible")
    return fn


def is_portable(value: object, hidden: bool = False) -> bool:
    """True if ``value`` is a function marked with :func:`portable` (for a hidden test: marked
    ``in_hidden_tests=True``)."""
    if type(value) is not types.FunctionType:
        return False
    mark = getattr(value, MARK, None)
    return mark == "everywhere" or (mark == "visible" and not hidden)
