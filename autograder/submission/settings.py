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

A function of the test that the submission's code calls (the gradient given to ``gradient_descent``)
is the test's code too: it runs under the settings of the test that made the call, those of its
thread (NumPy's; torch's default dtype is the whole process's and stays: :func:`on_test_side`). In isolated mode such a function runs in the grader, or, when it is portable,
in the worker under the same wrapper; in local mode the loader wraps it (:func:`test_functions`).
An import-time ``np.seterr(all="raise")`` made the test's own gradient raise on an underflow in local
mode only.
"""

from __future__ import annotations

import functools
import sys
import types
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy._core.printoptions import format_options as _PRINT_OPTIONS
from numpy._core.umath import _extobj_contextvar as _ERR_STATE

from ..checks.genuine import grader_calls, module_namespace as _MODULE_DICT
from ..checks.portable import is_portable
from ..core.given import detached

__all__ = ["current", "enter", "leave", "on_test_side", "put_back", "taken_back", "test_functions"]

#: The test's settings at each call into the submission in progress (innermost last).
_TEST_SIDE: list[dict[str, Any]] = []
#: What the test passes that runs under its settings when the submission calls it.
_FUNCTIONS = (types.FunctionType, types.BuiltinFunctionType, types.MethodType, functools.partial, np.ufunc)


#: What reads and sets the settings, bound when the grader imports this module (before any code of
#: a submission runs): this module runs right before and after each call of the submission's code,
#: unwatched, so nothing it calls may be looked up then, nor be Python code that looks anything up
#: (``np.geterr`` rebound by a submission ran there unseen; so did the module global
#: ``_get_extobj_dict`` that ``np.geterr`` itself reads, rebound to a chain of C callables: red team
#: round 7). NumPy keeps its error state and its print options in context variables (per thread): they
#: are read and set through those variables' own C methods.
_GETRECURSION, _SETRECURSION = sys.getrecursionlimit, sys.setrecursionlimit
_GETERR, _SETERR = _ERR_STATE.get, _ERR_STATE.set  # NumPy's error state (seterr, seterrcall, setbufsize)
_GETPRINT, _SETPRINT = _PRINT_OPTIONS.get, _PRINT_OPTIONS.set  # NumPy's print options
_PLAIN = (str, int, float, bool, type(None))
#: Settings of the running thread only, put in place around a test's function (:func:`on_test_side`);
#: torch's default dtype is the process's: switching it while another thread of the submission makes
#: tensors gave that thread float32 tensors now and then (red team round 7).
_THREAD_SIDE = ("recursion", "np_err", "np_print")


def _torch_dtype_functions() -> tuple[Any, Any] | None:
    """torch's own ``get_default_dtype`` and ``_C._set_default_dtype`` when the ``torch`` of
    ``sys.modules`` holds them (built-in functions of the extension module ``torch._C``), else None:
    a module put there by a submission is not asked (its functions would run unwatched here)."""
    torch = sys.modules.get("torch")
    if type(torch) is not types.ModuleType:
        return None
    c = _MODULE_DICT(torch).get("_C")
    found = (_MODULE_DICT(torch).get("get_default_dtype"),
             _MODULE_DICT(c).get("_set_default_dtype") if type(c) is types.ModuleType else None)
    for fn, name in zip(found, ("get_default_dtype", "_set_default_dtype")):
        owner = fn.__self__ if type(fn) is types.BuiltinFunctionType else None
        if type(owner) is not types.ModuleType or _MODULE_DICT(owner).get("__name__") != "torch._C" or fn.__name__ != name:
            return None
    return found


def current() -> dict[str, Any]:
    """The settings this module handles, as they are now: the recursion limit, NumPy's error state (an
    opaque object), a copy of NumPy's print options (a ``dict``), torch's default dtype (None without
    torch)."""
    torch = _torch_dtype_functions()
    printing = _GETPRINT()
    return {"recursion": _GETRECURSION(), "np_err": _GETERR(),
            "np_print": dict.copy(printing) if type(printing) is dict else printing,
            "torch_dtype": torch[0]() if torch is not None else None}


def _same(a: Any, b: Any) -> bool:
    """Whether two values of :func:`current` are the same setting, without running code of the
    submission: plain values by value, dictionaries of plain keys item by item, the rest by identity."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if type(a) in _PLAIN:
        return a == b
    if type(a) is dict:
        keys = list(dict.keys(a))
        return (len(keys) == len(b) and all(type(k) is str for k in keys)
                and all(dict.__contains__(b, k) and _same(dict.__getitem__(a, k), dict.__getitem__(b, k)) for k in keys))
    return False


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
    if before.get("torch_dtype") is None and after["torch_dtype"] is not None:  # torch imported by the module
        before = {**before, "torch_dtype": _MODULE_DICT(sys.modules["torch"]).get("float32")}  # torch's own default
    changed = {key: value for key, value in after.items() if value is not None and not _same(value, before.get(key))}
    _apply({key: before[key] for key in changed}, lower_recursion=True)
    return changed


def enter(changed: dict[str, Any] | None) -> tuple[dict[str, Any], bool]:
    """Before a call of an exercise's code: the settings its import made (``changed``) in place;
    returns what :func:`leave` needs when the call returns (the test's settings, kept for
    :func:`on_test_side` meanwhile)."""
    outer = current()
    _TEST_SIDE.append(outer)
    if changed:
        _apply(changed, lower_recursion=False)
    return outer, bool(changed)


def leave(entered: tuple[dict[str, Any], bool] | None) -> None:
    """After the call: the settings as :func:`enter` found them, whatever the import's settings or the
    call itself changed (an ``np.seterr(all="raise")`` inside a function stayed in force for the
    test's own checks in local mode only, in the worker in isolated mode: parity hunt, round 6).
    None: nothing was entered."""
    if entered is None:
        return
    outer, changed = entered
    for i in range(len(_TEST_SIDE) - 1, -1, -1):
        if _TEST_SIDE[i] is outer:
            del _TEST_SIDE[i:]
            break
    _apply(outer, lower_recursion=True)  # (setting them costs what comparing them would)


def on_test_side(fn: Callable) -> Callable:
    """``fn`` (a test's function the submission's code will call) wrapped so that it runs under the
    thread's settings of the test whose call is in progress (NumPy's error state and print options, a
    recursion limit at least the test's), whatever the submission set meanwhile. torch's default dtype
    is not switched (it is the whole process's, see :data:`_THREAD_SIDE`): a test's function that makes
    tensors names their dtype (docs/authoring.md)."""
    @functools.wraps(fn)
    def test_side(*args: Any, **kwargs: Any) -> Any:
        if not _TEST_SIDE:
            return fn(*args, **kwargs)
        test = _TEST_SIDE[-1]
        inner = {"recursion": _GETRECURSION(), "np_err": _GETERR(), "np_print": _GETPRINT()}
        _apply({key: test[key] for key in _THREAD_SIDE}, lower_recursion=False)
        try:
            return fn(*args, **kwargs)
        finally:
            _apply(inner, lower_recursion=False)

    return test_side


def test_functions(owns: Callable[[str], bool]) -> Callable[[Any], Any]:
    """For :func:`autograder.core.given.protect` in local mode: a function, method, partial, builtin or
    ufunc among a call's arguments comes back wrapped by :func:`on_test_side`, unless its code is the
    submission's own (``owns(filename)``: it runs where the submission's code runs, as in isolated mode);
    a portable function as a copy holding copies of the test's data (:func:`autograder.core.given.detached`),
    as the worker gets it."""
    def leaf(value: Any) -> Any:
        if not isinstance(value, _FUNCTIONS):
            return value
        code = getattr(getattr(value, "__func__", value), "__code__", None)
        if code is not None and owns(code.co_filename):
            return value
        return on_test_side(detached(value) if is_portable(value) else value)

    return leaf


def _apply(settings: dict[str, Any], lower_recursion: bool, strict: bool = False) -> bool:
    """Put ``settings`` in place, each one on its own; False when one could not be (``strict``:
    raise the first such error once the others are in place)."""
    torch = _torch_dtype_functions()
    steps = []
    if "recursion" in settings and (lower_recursion or settings["recursion"] > _GETRECURSION()):
        steps.append((_SETRECURSION, (settings["recursion"],), {}))
    if "np_err" in settings:
        steps.append((_SETERR, (settings["np_err"],), {}))
    if "np_print" in settings:  # a copy: what the submission does to the options in force is not to the saved ones
        printing = settings["np_print"]
        steps.append((_SETPRINT, (dict.copy(printing) if type(printing) is dict else printing,), {}))
    if settings.get("torch_dtype") is not None and torch is not None and torch[0]() != settings["torch_dtype"]:
        steps.append((torch[1], (settings["torch_dtype"],), {}))  # (what torch.set_default_dtype calls)
    failed: Exception | None = None
    for step, args, kwargs in steps:
        try:
            step(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - the others are still put in place
            failed = failed or exc
    if failed is not None and strict:
        raise failed
    return failed is None


# torch's default dtype is read and set inside a watched call (on_test_side)
grader_calls(("torch.get_default_dtype", "torch._C._set_default_dtype"), current, _apply)
