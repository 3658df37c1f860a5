"""Process settings an exercise module makes when it is imported, in force whenever its functions run.

A student's module may set process-wide settings at its top: ``torch.set_default_dtype(torch.float64)``,
``np.seterr(...)``, ``np.set_printoptions(...)``, ``sys.setrecursionlimit(...)``. The grader undoes
process-wide changes after every test (:class:`autograder.submission.guard.GlobalState`), and the
module is imported inside the first test that uses it: its settings held for that test only, so
``workbook check --task autograd_gradients`` passed while the full run failed the same task
(tensors made without a dtype came back float32: found by an honest-code helper).

The import's changes are taken back right after it (:func:`taken_back`) and put in place for each
call of one of the exercise's functions (:func:`enter`, then :func:`leave` when it returns): in
local mode by :class:`autograder.submission.loader.RecordedCall`, in isolated mode by the worker
around a call of a function of the exercise. The test's own code (its oracles) runs under the
grader's settings in both modes: an import-time ``np.seterr(all="raise")`` made the oracles of three
tests raise in local mode only, once they stayed in place after the first call (red team round 5).
A recursion limit is only ever raised here: the run-time check needs its room above the test's stack.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

__all__ = ["current", "enter", "leave", "put_back", "taken_back"]


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


def enter(changed: dict[str, Any] | None) -> dict[str, Any] | None:
    """Before a call of an exercise's code: the settings its import made (``changed``) in place;
    returns what :func:`leave` puts back when the call returns (None: nothing to do)."""
    if not changed:
        return None
    saved = current()
    _apply(changed, lower_recursion=False)
    return saved


def leave(saved: dict[str, Any] | None) -> None:
    """After the call: the settings as :func:`enter` found them (also what the call itself changed
    in these four settings is taken back then)."""
    if saved is not None:
        _apply(saved, lower_recursion=True)


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
