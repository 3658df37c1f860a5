"""What a call into the isolated worker does besides returning, carried back to the test.

Local mode's function changes the objects it is given and gives warnings in the test's own process;
in isolated mode it runs in the worker, so the worker reports both and the grader replays them:

* **changed arguments** (:func:`watched_arguments` before the call, :func:`changed_arguments` after
  it, in the worker; :func:`write_back` in the grader): an array changed in place, a list or dict
  with items added, removed or replaced (a dict argument's entries popped lost a point in local
  mode only; red team round 5). The grader's objects are the copies the test's call gave
  (:mod:`autograder.core.given`), as in local mode.
* **warnings** (:func:`warned` in the worker, :func:`warn_again` in the grader): a test that
  demands no RuntimeWarning saw none from the worker (local 19/20, isolated 20/20; red team round 5).

This module is imported by both ends: the worker's side only sends data, the grader's only applies it.
"""

from __future__ import annotations

import builtins
import sys
import warnings
from operator import is_not
from typing import Any

import numpy as np

__all__ = ["changed_arguments", "warn_again", "warned", "watched_arguments", "write_back"]

_GONE = object()


def watched_arguments(args: Any, kwargs: Any) -> list:
    """(path, value, what it holds now) for every ndarray argument (its bytes) and every list and
    dict argument (its items), at most two containers deep (taken before the call, in the worker)."""
    found = []

    def walk(value: Any, path: list, depth: int) -> None:
        if type(value) is np.ndarray:
            found.append((path, value, value.tobytes()))
        elif depth < 3 and type(value) in (list, tuple):
            if type(value) is list and depth:
                found.append((path, value, list(value)))
            for i, v in enumerate(value):
                walk(v, path + [i], depth + 1)
        elif depth < 3 and type(value) is dict:
            if depth:
                found.append((path, value, list(value.items())))
            for k, v in value.items():
                if type(k) in (str, int):
                    walk(v, path + [k], depth + 1)

    walk(list(args), ["a"], 0)
    walk(kwargs, ["k"], 0)
    return found


def changed_arguments(watched: list) -> list:
    """``[path, value]`` for each of :func:`watched_arguments` that the call changed (after it)."""
    changed = []
    for path, value, before in watched:
        try:
            if type(value) is list:  # an item added, removed or replaced (not an array changed in it)
                moved = len(value) != len(before) or any(map(is_not, value, before))
            elif type(value) is dict:
                moved = len(value) != len(before) or any(value.get(k, _GONE) is not v for k, v in before)
            else:
                moved = value.tobytes() != before
            if moved:
                changed.append([path, value])
        except Exception:  # noqa: BLE001 - an argument that cannot be read is left as it is
            pass
    return changed


def write_back(changed: Any, args: tuple, kwargs: dict) -> None:
    """In the grader: put what :func:`changed_arguments` reported into the call's own arguments."""
    for item in changed or []:
        try:
            path, value = item
            node: Any = list(args) if path[0] == "a" else kwargs
            for key in path[1:]:
                node = node[key]
            if type(node) is np.ndarray and type(value) is np.ndarray and node.shape == value.shape \
                    and node.flags.writeable:
                np.copyto(node, value.astype(node.dtype, copy=False), casting="unsafe")
            elif type(node) is list and type(value) is list:  # items added, removed, replaced
                node[:] = value
            elif type(node) is dict and type(value) is dict:
                node.clear()
                node.update(value)
        except (KeyError, IndexError, TypeError, ValueError):
            continue


#: Most warnings of one call given again in the grader (the worker sends at most these; the grader
#: keeps at most these of what it is sent: red team round 10 sent 50,000 per reply).
MAX_WARNINGS = 20


def warned(caught: list) -> list:
    """In the worker: the warnings a call gave (``warnings.catch_warnings(record=True)``) as data,
    ``[category's module, its name, message, file, line]``, at most :data:`MAX_WARNINGS`."""
    out = []
    for w in caught[:MAX_WARNINGS]:
        try:
            category = w.category
            out.append([str(getattr(category, "__module__", "builtins"))[:100], str(category.__qualname__)[:100],
                        str(w.message)[:2000], str(w.filename)[:500], int(w.lineno or 0)])
        except Exception:  # noqa: BLE001 - a warning that cannot be described is left out
            continue
    return out


def warn_again(item: Any) -> None:
    """In the grader, in the test: a warning :func:`warned` reported, given again (its category when it
    is one of Python's or of a module the grader has loaded, else UserWarning); the test's filters
    apply (one that makes warnings errors raises here)."""
    try:
        module, name, message, filename, lineno = item
        owner = builtins if module == "builtins" else sys.modules.get(str(module))
        category = getattr(owner, str(name), None) if owner is not None and "." not in str(name) else None
        if not (isinstance(category, type) and issubclass(category, Warning)):
            category = UserWarning
        warnings.warn_explicit(str(message), category, str(filename), int(lineno))
    except (TypeError, ValueError):
        return
