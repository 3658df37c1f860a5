"""Scopes and switches of the run-time check of the rules (:mod:`.ruleguard`): a step of a generator
expression of the submission, the submission's import, a thread ``threading`` starts, and the
installing of the check's own hooks."""

from __future__ import annotations

import _thread
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .hits import LOST

__all__ = ["Armed", "ImportWatch", "START_CODE", "set_profile", "set_trace", "start_watched", "watch_threads"]

# taken before any submission code runs, as in .ruleguard
_getframe = sys._getframe
_get_ident = _thread.get_ident
_sys_setprofile, _sys_settrace = sys.setprofile, sys.settrace
_start_new_thread = _thread.start_new_thread
_THREAD_HOOK: list[Any] = []  # the check's profile hook, put on in every thread threading starts


def _install(setter: Callable[[Any], None], hook: Any) -> None:
    """``setter(hook)`` (``sys.setprofile``, ``sys.settrace``), again when refused because another thread
    was installing one: CPython 3.11 refuses a call made while any thread's call runs its audit hooks
    (one flag per process, cleared by the refusal), e.g. a thread that starts and puts on threading's
    profile hook (pytest-timeout's timer at each test): the test failed with "Cannot install a profile
    function while another profile function is being installed" (rare; found in clean-clone CI runs)."""
    for _ in range(100):
        try:
            return setter(hook)
        except RuntimeError:
            continue
    setter(hook)


def set_profile(hook: Any) -> None:
    """``sys.setprofile(hook)`` for the check (see :func:`_install`)."""
    _install(_sys_setprofile, hook)


def set_trace(hook: Any) -> None:
    """``sys.settrace(hook)`` for the check (see :func:`_install`)."""
    _install(_sys_settrace, hook)


def watch_threads(hook: Any) -> bool:
    """Make every thread ``threading`` starts put ``hook`` on first (``threading._start_new_thread``);
    False where this interpreter's ``threading`` starts threads otherwise."""
    import threading

    if getattr(threading, "_start_new_thread", None) is not _start_new_thread:
        return False
    _THREAD_HOOK[:] = [hook]
    threading._start_new_thread = start_watched  # type: ignore[attr-defined]
    return True


def start_watched(function: Callable, args: tuple, kwargs: dict | None = None) -> int:
    """``threading``'s start of a thread once the check is prepared: the new thread puts on the check's
    profile hook before any of its Python code runs. (threading's own ``_profile_hook`` is put on
    inside ``Thread._bootstrap_inner``, which a subclass of the submission's overrode: its threads ran
    forbidden calls unwatched, 10/10 in both modes, a red-team finding.)"""
    return _start_new_thread(_run_watched, (function, args, {} if kwargs is None else kwargs))


def _run_watched(function: Callable, args: tuple, kwargs: dict) -> None:
    set_profile(_THREAD_HOOK[0])
    function(*args, **kwargs)


#: The code whose call of ``_thread.start_new_thread`` is threading's, watched (see :func:`watch_threads`).
START_CODE = start_watched.__code__


class Armed:
    """The iterator of a generator expression of the submission: arms the check before each step."""

    __slots__ = ("guard", "it")

    def __init__(self, guard: Any, it: Any) -> None:
        self.guard, self.it = guard, it

    def __iter__(self) -> "Armed":
        return self

    def __next__(self) -> Any:
        guard = self.guard
        if guard.fast and not guard.armed and _get_ident() == guard.thread:
            guard._arm(_getframe(1))
        return next(self.it)


class ImportWatch:
    """The scope of a submission's import: watched for processes, raw threads and tampering with
    ``catalogue`` (one that forbids nothing); what it finds counts against every later test."""

    def __init__(self, guard: Any, catalogue: Any, owns: Callable[[str], bool], root: Path | None) -> None:
        self.guard, self.catalogue, self.owns, self.root = guard, catalogue, owns, root
        self.active = False

    def __enter__(self) -> None:
        # only where the check is set up (a grading run), and never inside a watched test
        if self.guard.prepared and self.guard.catalogue is None:
            saved = self.guard.import_hits
            self.guard.import_hits = []
            self.guard.start(self.catalogue, self.owns, self.root)
            self.guard.import_hits = saved
            self.active = True

    def __exit__(self, *exc: Any) -> None:
        if self.active:
            hits = [h for h in self.guard.stop() if h.kind in ("process", "tamper", LOST)]
            self.guard.import_hits = list(dict.fromkeys(self.guard.import_hits + hits))[:20]
