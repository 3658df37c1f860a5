"""What a graded test gives the submission: copies of its data, never the test's own objects.

A call the test makes through the ``exercise`` fixture (:class:`autograder.submission.loader.RecordedCall`,
both modes) passes the submission copies of the test's NumPy arrays and of the lists, tuples and
dicts that hold them (:func:`protect`). What the function does to its arguments then never reaches
the test's own objects: a ``layer_norm`` that set the test's ``x``, ``gamma`` and ``beta`` to zero in
place and returned zeros matched the expected value the test computed afterwards from the same,
now zero, arrays (full marks in both modes for code that normalises nothing), and a function that
changed a test's module-level matrix changed it for every later test (red-team findings).

A test that checks that a function leaves its input alone ("x0 is never modified") reads the
copy the function got, as the function left it: :func:`as_left` (from ``autograder.compare``).
The copies of a test's calls are kept until the next test starts (:func:`forget`).

A pure function of the test given to the submission (a portable one: the gradient of a property
test's quadratic) is given as a copy too, its closure and defaults holding copies of the test's
data (:func:`detached`), as the isolated worker's copy does: the submission's code can reach a
function's closure, and zeroing the Hessian there in place gave a point in local mode only (red
team round 6).
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["as_left", "code_names", "detached", "forget", "protect"]

#: The attribute that marks a portable test function (:mod:`autograder.checks.portable`).
PORTABLE_MARK = "__workbook_portable__"

_LEFT: dict[int, tuple[Any, Any]] = {}  # id of a test's object -> (that object, the copy given for it)


def protect(args: tuple, kwargs: dict, leaf: Callable[[Any], Any] | None = None) -> tuple[tuple, dict]:
    """Copies of ``args`` and ``kwargs`` for one call into the submission.

    NumPy arrays (any subclass: ``ndarray.copy`` keeps it) are copied, and lists, tuples and dicts
    (exactly those types) are rebuilt around copies of what they hold; every other object (a
    callable, Matplotlib Axes to draw into, a number, an object of the submission) is passed as it
    is, or as ``leaf`` returns it. An object given twice is one copy given twice. Each copy is
    remembered for :func:`as_left`.

    Returns:
        ``(args, kwargs)`` to pass instead (the same objects when nothing needed a copy).
    """
    memo: dict[int, Any] = {}
    return tuple(_copy(a, memo, leaf) for a in args), {k: _copy(v, memo, leaf) for k, v in kwargs.items()}


def _copy(value: Any, memo: dict[int, Any], leaf: Callable[[Any], Any] | None = None, left: bool = True) -> Any:
    kind = type(value)
    if not (isinstance(value, np.ndarray) or kind in (list, tuple, dict)):
        if leaf is None:
            return value
        if id(value) not in memo:
            memo[id(value)] = leaf(value)
        return memo[id(value)]
    if id(value) in memo:
        return memo[id(value)]
    if isinstance(value, np.ndarray):
        copy = value.copy()
    elif kind is dict:
        copy = {}
        memo[id(value)] = copy  # (a dict that holds itself)
        copy.update((k, _copy(v, memo, leaf, left)) for k, v in value.items())
    elif kind is list:
        copy = []
        memo[id(value)] = copy
        copy.extend(_copy(v, memo, leaf, left) for v in value)
    else:
        copy = tuple(_copy(v, memo, leaf, left) for v in value)
        if all(c is v for c, v in zip(copy, value)):  # nothing in it to protect
            copy = value
    memo[id(value)] = copy
    if copy is not value and left:  # (not the data of a detached function: as_left is about arguments)
        _LEFT[id(value)] = (value, copy)
    return copy


def detached(fn: types.FunctionType, depth: int = 0) -> types.FunctionType:
    """A copy of the test's pure function ``fn`` whose closure cells, defaults and the module-level
    names its code reads hold copies of the arrays, lists, tuples and dicts they held (what
    :func:`protect` copies; the test module's own namespace is not reachable from it, a portable
    function it reads is detached too). ``fn`` itself when a cell is empty."""
    memo: dict[int, Any] = {}

    def data(value: Any) -> Any:
        if depth < 8 and type(value) is types.FunctionType and getattr(value, PORTABLE_MARK, None):
            return detached(value, depth + 1)
        return _copy(value, memo, left=False)

    try:
        cells = tuple(types.CellType(data(cell.cell_contents)) for cell in fn.__closure__ or ())
    except ValueError:  # an empty cell (a name assigned after the function was made)
        return fn
    scope = {"__builtins__": fn.__globals__.get("__builtins__", __builtins__), "__name__": fn.__globals__.get("__name__")}
    scope.update((name, data(fn.__globals__[name])) for name in code_names(fn.__code__) if name in fn.__globals__)
    copy = types.FunctionType(fn.__code__, scope, fn.__name__, _copy(fn.__defaults__, memo, left=False), cells or None)
    copy.__kwdefaults__ = _copy(fn.__kwdefaults__, memo, left=False)
    copy.__qualname__, copy.__doc__ = fn.__qualname__, fn.__doc__
    copy.__dict__.update(fn.__dict__)
    return copy


def code_names(code: types.CodeType) -> set[str]:
    """Every name ``code`` (and the code nested in it: lambdas, comprehensions) may read as a global."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= code_names(const)
    return names


def as_left(value: Any) -> Any:
    """The copy of ``value`` (an argument the test gave in a call into the submission, during the
    current test) as the submission's function left it; ``value`` itself when it was not given.

    A test that checks an input is unchanged compares ``as_left(x)`` with a copy it took before
    the call: comparing ``x`` itself would always pass, since the function never had it.
    """
    entry = _LEFT.get(id(value))
    return entry[1] if entry is not None and entry[0] is value else value


def forget() -> None:
    """Drop the copies of the finished test's calls (called when a graded test ends)."""
    _LEFT.clear()
