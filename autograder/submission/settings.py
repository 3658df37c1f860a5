"""Process settings an exercise module makes when it is imported, in force whenever its functions run.

A student's module may set process-wide settings at its top: ``torch.set_default_dtype(torch.float64)``,
``np.seterr(...)``, ``np.set_printoptions(...)``, ``sys.setrecursionlimit(...)``. The grader undoes
process-wide changes after every test (:class:`autograder.submission.guard.GlobalState`), and the
module is imported inside the first test that uses it: its settings held for that test only, so
``workbook check --task autograd_gradients`` passed while the full run failed the same task
(tensors made without a dtype came back float32: found by an honest-code helper).

The import's changes are taken back right after it (:func:`taken_back`) and put in place again
before the first call of one of the exercise's functions in each test (:func:`enter`): in local
mode by :class:`autograder.submission.loader.RecordedCall`, in isolated mode by the worker before it
calls a function of the exercise. Each test's end undoes them with the rest (:func:`end_test`). A
recursion limit is only ever raised here: the run-time check needs its room above the test's stack.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

__all__ = ["current", "end_test", "enter", "put_back", "taken_back"]

_APPLIED: set[str] = set()  # exercises whose import settings are in place in the current test


def current() -> dict[str, Any]:
    """The settings this module handles, as they are now."""
    torch = sys.modules.get("torch")
    return {"recursion": sys.getrecursionlimit(), "np_err": np.geterr(), "np_print": np.get_printoptions(),
            "torch_dtype": torch.get_default_dtype() if torch is not None else None}


def put_back(saved: dict[str, Any]) -> None:
    """Put every setting of ``saved`` (:func:`current`) back as it was, the recursion limit lowered too
    (the end of a test: :class:`autograder.submission.guard.GlobalState`). A setting that cannot be
    put back raises after the others are (ValueError, TypeError of NumPy or torch)."""
    _apply(saved, lower_recursion=True, strict=True)


def taken_back(before: dict[str, Any]) -> dict[str, Any]:
    """The settings an import changed since ``before`` (:func:`current` taken before it); puts
    ``before`` back. torch's default dtype counts only when torch was loaded before the import too
    or is loaded now (a module that imports torch and sets it)."""
    after = current()
    torch = sys.modules.get("torch")
    if before.get("torch_dtype") is None and torch is not None:  # torch imported by the module
        before = {**before, "torch_dtype": torch.float32}  # torch's own default
    changed = {key: value for key, value in after.items() if value is not None and value != before.get(key)}
    _apply({key: before[key] for key in changed}, lower_recursion=True)
    return changed


def enter(exercise: str, changed: dict[str, Any] | None) -> None:
    """Before a call of ``exercise``'s code: its import settings in place, once per test."""
    if changed and exercise not in _APPLIED and _apply(changed, lower_recursion=False):
        _APPLIED.add(exercise)


def end_test() -> None:
    """A test ended (its process-wide changes are undone by the caller): settings apply afresh."""
    _APPLIED.clear()


def _apply(settings: dict[str, Any], lower_recursion: bool, strict: bool = False) -> bool:
    """Put ``settings`` in place, each one on its own; False when one could not be (``strict``:
    raise the first such error once the others are in place)."""
    torch = sys.modules.get("torch")
    steps = []
    if "recursion" in settings and (lower_recursion or settings["recursion"] > sys.getrecursionlimit()):
        steps.append((sys.setrecursionlimit, (settings["recursion"],), {}))
    if "np_err" in settings:
        steps.append((np.seterr, (), settings["np_err"]))
    if "np_print" in settings:
        steps.append((np.set_printoptions, (), settings["np_print"]))
    if settings.get("torch_dtype") is not None and torch is not None and torch.get_default_dtype() != settings["torch_dtype"]:
        steps.append((torch.set_default_dtype, (settings["torch_dtype"],), {}))
    failed: Exception | None = None
    for step, args, kwargs in steps:
        try:
            step(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - the others are still put in place
            failed = failed or exc
    if failed is not None and strict:
        raise failed
    return failed is None
