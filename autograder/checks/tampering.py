"""What turns the run-time check of the rules off, or escapes it (:mod:`.ruleguard`): the tables
of functions the check's hooks compare every call with."""

from __future__ import annotations

import _thread
import builtins
import contextlib
import functools
import gc
import importlib
import marshal
import os
import signal
import sys
import threading
import types
from typing import Any

from .visibility import SWITCH_CODES, SWITCH_ORIGINALS

__all__ = ["CONTEXTLIB_FILE", "DIRECT", "FUNCTOOLS_FILE", "IMPORTLIB_FILE", "LIBRARY", "THREADING_FILE", "refuse_audit_hooks", "replaced_methods", "tamper_objects"]

#: Entries of the C-function table that count only when the submission's own code calls them (its
#: frame, directly or through C callables such as ``map``, or a thread of its own), not when a
#: library does on its behalf: ``timeit`` turns the collector back on, ``dataclasses`` and
#: ``collections.namedtuple`` run ``exec``, asyncio sets a signal handler.
DIRECT = frozenset({"sys.addaudithook", "signal.signal", "signal.setitimer", "signal.alarm", "signal.pthread_kill",
                    "signal.set_wakeup_fd", "gc.enable", "builtins.exec", "builtins.eval", "builtins.compile",
                    "marshal.loads"})

#: Tampering names (prefixes) of torch's operator-registration API (``torch.library``): a kernel of
#: C callables registered for an ATen operation (``Library("aten", "IMPL").impl("nextafter",
#: F.cosine_similarity, "CPU")``) runs from C++ with torch's modes off, so calling the harmless
#: operation computed the forbidden one unseen (a red-team finding, 20/20 in both modes). Counted when
#: the submission's own code calls them (torch registers its own kernels through them too).
LIBRARY = ("torch.library.", "torch._C._dispatch_library")

#: Files whose frames call what turns the check off on its own behalf (``threading`` starting a
#: thread, torch's mode stack entered through ``contextlib``), not the submission's.
THREADING_FILE = threading.__file__
CONTEXTLIB_FILE = contextlib.__file__
#: ``importlib.import_module``'s file: torch loads modules lazily through it (they register kernels).
IMPORTLIB_FILE = importlib.__file__
#: ``functools.singledispatch``'s dispatcher: ``torch.library.impl`` is one.
FUNCTOOLS_FILE = functools.__file__


def tamper_objects() -> tuple[dict[int, tuple[Any, str]], dict[int, tuple[Any, str]], dict[int, tuple[Any, str]]]:
    """The objects the run-time check looks for, taken from the modules as they are now.

    Returns:
        ``(c_funcs, codes, processes)``: C functions that turn the check off (``sys.setprofile``,
        ``sys.monitoring``, torch's function-mode stack), keyed by ``id`` with the object kept
        alive and its dotted name; code objects of Python functions that do (``threading.setprofile``,
        ``torch.overrides._pop_mode``), by ``id`` too (a code object's hash reads its constants,
        which the submission's code objects may fill with its own objects); and functions that
        start a process or a raw thread the check cannot watch (``os.fork``, ``_posixsubprocess.fork_exec``,
        ``_thread.start_new_thread``). torch's entries are there only once torch is imported (the
        check takes the list again then).
    """
    c_funcs: dict[int, tuple[Any, str]] = {}
    codes: dict[int, tuple[Any, str]] = {}
    processes: dict[int, tuple[Any, str]] = {}

    def add(table: dict, obj: Any, name: str) -> None:
        if obj is not None:
            table[id(obj)] = (obj, name)

    for name in ("setprofile", "settrace", "setprofile_all_threads", "settrace_all_threads", "call_tracing"):
        add(c_funcs, getattr(sys, name, None), f"sys.{name}")
    monitoring = getattr(sys, "monitoring", None)
    for name in ("set_events", "register_callback", "free_tool_id", "use_tool_id", "set_local_events"):
        add(c_funcs, getattr(monitoring, name, None), f"sys.monitoring.{name}")
    # what makes code run later, outside the submission's calls: audit hooks (never removed), signal
    # handlers and timers (SIGALRM is the grader's time limit), automatic garbage collection turned
    # back on while the test's own code runs (ruleguard keeps it off then: finalisers run watched)
    add(c_funcs, getattr(sys, "addaudithook", None), "sys.addaudithook")
    for name in ("signal", "setitimer", "alarm", "pthread_kill", "set_wakeup_fd"):
        add(c_funcs, getattr(signal, name, None), f"signal.{name}")
    add(c_funcs, gc.enable, "gc.enable")
    # code compiled at run time can carry any file name (numpy's), so that no frame of it is the
    # submission's; the static scan rejects the plain names, this the computed ones
    for name in ("exec", "eval", "compile"):
        add(c_funcs, getattr(builtins, name), f"builtins.{name}")
    add(c_funcs, marshal.loads, "marshal.loads")
    for name in ("setprofile", "settrace", "setprofile_all_threads", "settrace_all_threads"):
        func = getattr(threading, name, None)
        if func is not None and hasattr(func, "__code__"):
            add(codes, func.__code__, f"threading.{name}")
    torch = sys.modules.get("torch")
    if torch is not None:
        for name in ("_pop_torch_function_stack", "_push_on_torch_function_stack", "_set_torch_function_state",
                     "_set_skip_next_torch_function", "_skip_one_hop_torch_function", "_pop_torch_dispatch_stack",
                     "_push_on_torch_dispatch_stack", "_set_dispatch_mode", "_unset_dispatch_mode"):
            add(c_funcs, SWITCH_ORIGINALS.get(name, getattr(torch._C, name, None)), f"torch._C.{name}")
        codes.update(SWITCH_CODES)  # their visible wrappers (visibility.wrap_switches)
        # TorchScript runs torch operations in C++, where the torch function mode sees none of them
        for name in ("_jit_script_compile", "_jit_script_class_compile", "_jit_script_compile_overload",
                     "_create_function_from_trace", "_create_function_from_trace_with_dict", "_jit_trace_module",
                     "_jit_trace_graph", "import_ir_module", "import_ir_module_from_buffer"):
            add(c_funcs, getattr(torch._C, name, None), f"torch._C.{name} (TorchScript)")
        jit = sys.modules.get("torch.jit")
        for name in ("script", "trace", "trace_module", "load"):
            code = getattr(getattr(jit, name, None), "__code__", None)
            if code is not None:
                add(codes, code, f"torch.jit.{name} (TorchScript)")
        library = sys.modules.get("torch.library")
        for name, value in (vars(library).items() if library is not None else ()):
            if getattr(value, "__module__", None) != "torch.library":
                continue
            members = vars(value).items() if isinstance(value, type) else [("", value)]
            for attr, member in members:
                member = getattr(member, "__func__", member)
                code = getattr(getattr(member, "__wrapped__", member), "__code__", None)
                # torch.library's own code only (a @contextmanager function's __code__ is contextlib's,
                # shared by every such function anywhere)
                if code is not None and code.co_filename == library.__file__:
                    add(codes, code, f"torch.library.{name}{'.' + attr if attr else ''}")
        add(c_funcs, getattr(torch._C, "_dispatch_library", None), "torch._C._dispatch_library")
        for module in ("torch.overrides", "torch.utils._python_dispatch"):
            for name in ("_pop_mode", "_push_mode", "_pop_mode_temporarily", "_disable_current_modes"):
                func = getattr(sys.modules.get(module), name, None)
                code = getattr(getattr(func, "__wrapped__", func), "__code__", None)
                if code is not None:
                    add(codes, code, f"{module}.{name}")
    for name in ("fork", "forkpty", "system", "popen", "posix_spawn", "posix_spawnp", "execv", "execve", "execl",
                 "execvp", "execvpe", "spawnv", "spawnve", "spawnvp", "spawnvpe"):
        add(processes, getattr(os, name, None), f"os.{name}")
    add(processes, _thread.start_new_thread, "_thread.start_new_thread")
    add(processes, getattr(_thread, "start_joinable_thread", None), "_thread.start_joinable_thread")
    try:
        import _posixsubprocess

        add(processes, _posixsubprocess.fork_exec, "subprocess (_posixsubprocess.fork_exec)")
    except ImportError:  # pragma: no cover - not POSIX
        pass
    return c_funcs, codes, processes


def refuse_audit_hooks(event: str, args: tuple) -> None:
    """The grader's audit hook (added when the run-time check is prepared): Python then adds no later
    one (a hook is never removed and runs anywhere, also in the test's own code after the
    submission returned: a red-team finding)."""
    if event == "sys.addaudithook":
        raise RuntimeError("no audit hooks while grading")


def _artists(top: Any, limit: int) -> list:
    """``top`` and the artists it holds, at most ``limit``, as ``findobj`` finds them but without making
    ticks: an axis's ``get_children`` makes its tick objects, ~10 ms per Axes (a tick made later is the
    class's own object, with no method replaced)."""
    found: list = []
    todo, seen = [top], set()
    while todo and len(found) < limit:
        artist = todo.pop()
        if id(artist) in seen:
            continue
        seen.add(id(artist))
        found.append(artist)
        if any("majorTicks" in vars(c) for c in type(artist).__mro__):  # a matplotlib Axis
            state = vars(artist)
            children = [state.get("label"), state.get("offsetText"), *state.get("majorTicks", ()),
                        *state.get("minorTicks", ())]
        else:
            children = artist.get_children()
        todo.extend(c for c in children if c is not None)
    return found


def _replaced_on_class(cls: type, owned_code: Any) -> list[str]:
    """``Class.method`` of each callable of ``cls`` and its bases that no Python function of a library
    or of the submission stands behind: a ``functools.partial``, a C callable, a ``staticmethod`` of
    one (red team: ``bar.__class__ = type("Bar", (Rectangle,), {"get_height": staticmethod(partial(...))})``),
    and, on a class no library defines (made by the submission), a function of no file of the
    submission's (library code with its arguments bound some other way). Matplotlib's classes hold
    none; read for the artists of a returned figure only (a namedtuple's class holds library code)."""
    found = []
    for klass in cls.__mro__:
        if klass is object:
            continue
        module = sys.modules.get(vars(klass).get("__module__", "") if type(vars(klass).get("__module__")) is str else "")
        made = module is None or getattr(module, klass.__name__, None) is not klass
        for key, value in list(vars(klass).items())[:500]:
            if type(key) is not str or isinstance(value, (property, type)) or not (
                    callable(value) or isinstance(value, (staticmethod, classmethod))):
                continue
            func = value.__func__ if isinstance(value, (staticmethod, classmethod)) else value
            if type(func) is not types.FunctionType or (made and not owned_code(func.__code__)):
                found.append(f"{klass.__name__}.{key}")
    return found


def replaced_methods(objects: tuple, owned_code: Any, limit: int = 5000) -> list[str]:
    """``Class.method`` of each method replaced on an instance among ``objects`` (the artists of a
    figure or Axes among them included, and the items of a returned tuple, list or dict) by
    something that is no function of the submission (``owned_code(code)`` tells): the test reading
    the object later (``bar.get_height()``) would run it with no frame of the submission on the
    stack, out of the check's sight (found by a red-team helper: a ``functools.partial`` of
    scipy's softmax as a bar's ``get_height``). Called under :func:`.ruleguard.call_into`, watched.
    """
    items: list = []
    for obj in objects:
        if type(obj) in (tuple, list):
            items.extend(obj[:100])
        elif type(obj) is dict:
            items.extend(list(obj.values())[:100])
        items.append(obj)
    found: list[str] = []
    seen: set[int] = set()
    classes: set[type] = set()
    for obj in items:
        cls = type(obj)
        if cls.__module__ in ("builtins", "numpy") or id(obj) in seen:
            continue
        seen.add(id(obj))
        findobj = getattr(cls, "findobj", None)  # a matplotlib figure, Axes or artist: all it holds
        for item in (_artists(obj, limit) if callable(findobj) else [obj]):
            if callable(findobj) and type(item) not in classes:  # an artist's class made for it
                classes.add(type(item))
                found += _replaced_on_class(type(item), owned_code)
            state = getattr(item, "__dict__", None)
            if type(state) is not dict:
                continue
            for key, value in list(state.items())[:limit]:
                method = next((c.__dict__[key] for c in type(item).__mro__ if key in c.__dict__), None) \
                    if type(key) is str else None
                if method is None or value is method or isinstance(method, property) or not callable(method):
                    continue  # (the class's own value kept on the instance: NumPy's MaskedArray._baseclass)
                code = getattr(getattr(value, "__func__", value), "__code__", None)
                if code is None or not owned_code(code):
                    found.append(f"{type(item).__name__}.{key}")
    return list(dict.fromkeys(found))

