"""Native code is loaded only from the installed libraries, never from a submission.

An extension module or a shared library runs machine code that no check of the grader sees: a
compiled ``_helper.*.so`` next to the exercises (found reading the loader: it was imported like a
helper module), or a library the submission writes into a temporary folder and loads through
``ctypes`` (``numpy.ctypeslib.ctypes``, no forbidden name) or the import system. CPython raises the
audit event ``import`` with the file's path right before it loads an extension module, and
``ctypes.dlopen`` before ``dlopen``; the hook :func:`install` adds (with the run-time check, before any
submission code runs, in the student's process and in every isolated worker) refuses both when the
file is a submission's (:func:`register`) or lies outside the interpreter's installation: its
prefixes, its site-packages folders and the folders of the extension modules loaded before. An
exception raised by an audit hook stops the load, and nothing removes a hook. The same hook refuses
ctypes' C functions and raw memory (:data:`CTYPES_EVENTS`) while the submission's code runs, and
cffi's native module at any time (:data:`REFUSED_MODULES`): both reach Python's C API, where a call
switches any check off with no event (red-team findings). In a worker confined
by root the submission's copy and every writable place are also mounted ``noexec``
(:mod:`autograder.submission.sandboxfs`): there the kernel refuses too.
"""

from __future__ import annotations

import importlib.machinery
import os
import site
import sys
import threading
import weakref
from collections.abc import Callable
from typing import Any

from .genuine import trusted

__all__ = ["CTYPES_MESSAGE", "MESSAGE", "install", "register", "refused"]

#: What a student reads when the submission loads native code (the text of an ImportError or OSError).
MESSAGE = ("採点中はネイティブコード（コンパイル済みの拡張モジュールや共有ライブラリ）を読み込めません: {path}。"
           "提出物は Python のソースだけで書いてください。 / Native code (a compiled extension module or "
           "shared library) cannot be loaded while grading: {path}. Write the submission in Python source only.")

#: What a student reads when the submission's code uses ctypes (a PermissionError).
CTYPES_MESSAGE = ("採点中は提出物のコードから ctypes (それを使うライブラリを含む) でメモリや C の関数を扱えません: {what}。"
                  " / ctypes (also through a library built on it) cannot reach memory or C functions from the "
                  "submission's code while grading: {what}.")

#: ctypes' audit events that reach a C function or raw memory: a foreign call into Python's C API
#: (``pythonapi.PyObject_CallObject(sys.setprofile, (None,))``) switches any check off with no event of
#: the run-time check's hooks (found by a red-team helper, through ``numpy.ctypeslib.ctypes``).
CTYPES_EVENTS = frozenset({"ctypes.dlsym", "ctypes.dlsym/handle", "ctypes.call_function", "ctypes.cdata",
                           "ctypes.cdata/buffer", "ctypes.string_at", "ctypes.wstring_at", "ctypes.PyObj_FromPtr",
                           "ctypes.addressof"})
#: Audit events of setting a thread's profile or trace function. CPython raises them also when C code
#: sets one (``cProfile.Profile().enable()`` through ``PyEval_SetProfile``): the profiler replaced the
#: run-time check's hook with no call that hook sees, and the check was off (a red-team finding: any
#: forbidden call, also torch's modes taken off and put back unseen, 180/180 in both modes). The hook
#: reports them (:func:`install`'s ``swapped``) and never refuses: CPython raises them too when it
#: removes a hook that raised, and an exception there would lose the one pending.
HOOK_EVENTS = frozenset({"sys.setprofile", "sys.settrace"})

#: Native modules that load and call native code with no audit event (cffi's ``dlopen`` of a library
#: written into a memfd: a red-team finding); the grader needs none of them.
REFUSED_MODULES = frozenset({"_cffi_backend"})

_ROOTS: list[tuple[str, ...]] = []  # set once by install()
_ACTIVE: list[Callable[[], bool]] = []  # whether the run-time check's hooks are on in this thread
_SWAPPED: list[Callable[[str, Any], None]] = []  # told of HOOK_EVENTS set by code not the grader's
_IMPORTED: list[Callable[[str], None]] = []  # told of every module imported
_THREADING = threading.__file__  # a new thread puts on the profile function threading.setprofile gave
_GRADER = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep  # the autograder package
_OWNERS: weakref.WeakValueDictionary[str, Any] = weakref.WeakValueDictionary()


def register(key: str, owner: Any) -> None:
    """Make the files ``owner.owns(path)`` accepts a submission's (as long as ``owner`` lives)."""
    _OWNERS[key] = owner


def installed_roots() -> tuple[str, ...]:
    """Where native code may come from: the interpreter's prefixes, its site-packages folders, the
    ``site-packages`` / ``dist-packages`` folders on the import path (a library installed elsewhere and
    put on the path by ``PYTHONPATH`` or a ``.pth`` file, as environment modules on a cluster do: every
    test file failed at collection with "native code cannot be loaded", blaming the student; newcomer
    helper) and the folder of every extension module loaded so far (real paths, each ending in ``/``)."""
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    try:
        roots.update(site.getsitepackages())
        roots.add(site.getusersitepackages())
    except AttributeError:  # an embedded interpreter without them
        pass
    for entry in list(sys.path):
        if type(entry) is str and entry and {"site-packages", "dist-packages"} & set(os.path.realpath(entry).split(os.sep)):
            roots.add(entry)
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    for module in list(sys.modules.values()):
        filename = getattr(module, "__file__", None)
        if type(filename) is str and filename.endswith(suffixes):
            roots.add(os.path.dirname(filename))
    return tuple(sorted({os.path.realpath(r).rstrip("/") + "/" for r in roots if r}))


def refused(path: str | bytes) -> bool:
    """Whether loading native code from ``path`` is refused (see the module's text)."""
    text = os.fsdecode(path)
    real = os.path.realpath(text)
    if any(owner.owns(real) or owner.owns(text) for owner in list(_OWNERS.values())):
        return True
    return not (_ROOTS and real.startswith(_ROOTS[0]))


def _submission_running(frame: Any) -> bool:
    """Whether the code at ``frame`` (and below) may be the submission's: one of its frames is on the
    stack, the run-time check's hooks are on in this thread, or the thread is not the main thread and
    none of its frames is the grader's (a thread whose target is a C callable has no frame of the
    submission; the grader's own threads, its time limits, run its code)."""
    if any(active() for active in _ACTIVE):
        return True
    owners, grader = list(_OWNERS.values()), False
    while frame is not None:
        name = frame.f_code.co_filename
        if type(name) is not str or any(owner.owns(name) for owner in owners):
            return True
        grader = grader or name.startswith(_GRADER)
        frame = frame.f_back
    return not grader and threading.current_thread() is not threading.main_thread()


def _hook(event: str, args: tuple) -> None:
    if event in HOOK_EVENTS:
        try:
            caller = sys._getframe(1)
            name = caller.f_code.co_filename
            if not (type(name) is str and (name.startswith(_GRADER) or name == _THREADING) and trusted(caller)) \
                    and _submission_running(caller):
                for swapped in _SWAPPED:
                    swapped(event, caller)
        except Exception:  # noqa: BLE001 - never an exception here (see HOOK_EVENTS)
            pass
        return
    if event in CTYPES_EVENTS:
        if _submission_running(sys._getframe(1)):
            raise PermissionError(CTYPES_MESSAGE.format(what=event))
        return
    if event == "import" and args and type(args[0]) is str:
        for imported in _IMPORTED:
            imported(args[0])
    if event == "import" and args and type(args[0]) is str and args[0] in REFUSED_MODULES:
        raise ImportError(MESSAGE.format(path=args[0]))
    if event == "import" and len(args) > 1 and isinstance(args[1], (str, bytes)):
        path, error = args[1], ImportError
    elif event == "ctypes.dlopen" and args and isinstance(args[0], (str, bytes)) and "/" in os.fsdecode(args[0]):
        path, error = args[0], OSError  # a bare name ("libm.so.6") is looked up in the system's folders
    else:
        return
    if refused(path):
        raise error(MESSAGE.format(path=os.fsdecode(path)))


def install(active: Callable[[], bool] | None = None, swapped: Callable[[str, Any], None] | None = None,
            imported: Callable[[str], None] | None = None) -> None:
    """Add the audit hook (once per process), with the roots as they are now. Call it before any
    submission code runs and before a hook that refuses later hooks.

    Args:
        active: whether the run-time check's hooks are on in the calling thread (the grader calls into
            the submission, or reads what it returned): ctypes is refused then too.
        swapped: called with the event and the caller's frame when code that may be the submission's
            (not the grader's, not a new thread's start) sets a profile or trace function (:data:`HOOK_EVENTS`).
        imported: called with the name of every module about to be imported (never raising).
    """
    if not _ROOTS:
        _ROOTS.append(installed_roots())
        if active is not None:
            _ACTIVE.append(active)
        if swapped is not None:
            _SWAPPED.append(swapped)
        if imported is not None:
            _IMPORTED.append(imported)
        sys.addaudithook(_hook)
