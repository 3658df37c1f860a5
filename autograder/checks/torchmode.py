"""The torch side of the run-time check of the rules (:mod:`.ruleguard`): a torch function mode that
sees every torch function while the submission's code runs, with a torch dispatch mode under it that
sees every ATen operation, also one run in C++ where no function mode looks (TorchScript:
``torch._C.CompilationUnit`` compiles code from a string with no call the hooks see; found reading),
and putting both on or taking them off a thread's stacks."""

from __future__ import annotations

import _thread
import os
import sys
from typing import Any

from ..core.scratch import TORCH_OPS
from .forbidden import exact_str
from .genuine import trusted
from .tampering import CONTEXTLIB_FILE, FUNCTOOLS_FILE, IMPORTLIB_FILE
from .visibility import SWITCH_ORIGINALS

__all__ = ["TORCHSCRIPT_CALL", "make_mode", "mode_call", "modes_in_place", "pop_mode", "push_mode", "redispatched",
           "torch_internal", "torch_machinery", "torch_only"]

# taken before any submission code runs, as in .ruleguard
_getframe = sys._getframe
_get_ident = _thread.get_ident


#: The tampering name of a torch operation that the submission's code started from C++ (no torch function).
TORCHSCRIPT_CALL = "TorchScript (torch._C)"

#: Tensor methods that give torch's autograd engine code to run during ``backward``, while torch has
#: this mode off (it handles the ``backward`` call): an autograd hook made of C callables over
#: ``torch.cov`` computed the answer into ``leaf.grad`` unseen (a red-team finding).
AUTOGRAD_HOOKS = frozenset({"register_hook", "register_post_accumulate_grad_hook"})
#: The tampering name of such a hook (counted like TorchScript: code run out of the check's sight).
AUTOGRAD_HOOK = "torch autograd hook"

#: What the torch functions the function mode never sees (``torch.tensor``, ``torch.from_numpy``: torch's
#: "ignored functions") dispatch: the new tensor's bookkeeping, no computation.
_CREATION = frozenset({"aten::lift_fresh", "aten::lift", "aten::lift_fresh_copy"})

_DISPATCH_CODES: list[Any] = []  # the dispatch modes' __torch_dispatch__ code (one per process)
_FUNCTION_CODES: list[Any] = []  # the function modes' __torch_function__ code


def redispatched(frame: Any) -> bool:
    """Whether ``frame`` is the dispatch mode's own call of the operation it was given, or torch's
    Python wrapper of that operation (``OpOverload.__call__`` in ``torch/_ops.py``, through the
    function mode) called by it: not the submission's use of ``torch._ops`` (what the operation runs
    below it is watched as usual)."""
    frame = _past(frame, _FUNCTION_CODES)
    return frame is not None and any(frame.f_code is code for code in _DISPATCH_CODES)


def mode_call(frame: Any) -> bool:
    """Whether ``frame`` is one of the check's torch modes handing on the call it has just judged (a C
    function torch gave it: ``torch.ops.profiler...`` inside ``torch.optim``'s ``step``, judged as
    torch's own use, counted again as a C call of the submission's: found by an honest-code helper)."""
    return frame is not None and any(frame.f_code is code for code in (*_FUNCTION_CODES, *_DISPATCH_CODES))


def _outside(frame: Any) -> Any:
    """The first frame from ``frame`` down that is neither this module's modes nor ``torch/_ops.py``."""
    return _past(frame, (*_DISPATCH_CODES, *_FUNCTION_CODES))


def _past(frame: Any, codes: Any) -> Any:
    """The first frame from ``frame`` down that runs neither ``torch/_ops.py`` nor one of ``codes``."""
    ops = getattr(sys.modules.get("torch._ops"), "__file__", None)
    while frame is not None and ((type(frame.f_code.co_filename) is str and frame.f_code.co_filename == ops
                                  and trusted(frame)) or any(frame.f_code is code for code in codes)):
        frame = frame.f_back
    return frame


def _reentered(caller: Any, func: Any, args: tuple) -> bool:
    """Whether this call of the mode is torch coming straight back with the call the mode just
    handed on (from ``caller``, the mode's own frame): a C function that does not take torch's
    skip-one-hop flag (``torch._C._set_grad_enabled`` inside ``no_grad``, ``print`` of a tensor)
    asks the mode again; handing it on again recursed without end (found by an honest-code helper).
    That call runs with the mode off, as torch runs it; a different call is handed on watched. Torch
    may come back through the function's own Python code (``Tensor.unflatten`` calls its C twin)."""
    own = getattr(func, "__code__", None)
    while own is not None and caller is not None and caller.f_code is own:
        caller = caller.f_back
    if caller is None or not any(caller.f_code is code for code in _FUNCTION_CODES):
        return False
    previous = caller.f_locals
    before = previous.get("args", ())
    return getattr(previous.get("func"), "__name__", None) == getattr(func, "__name__", ()) \
        and type(before) is tuple and len(before) == len(args) and all(map(_same, before, args))


#: Values torch's C argument parser may hand the mode again as new objects (sizes as a new tuple).
_PLAIN = (int, float, bool, str, type(None), tuple, list)


def _same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if type(a) is not type(b) or not isinstance(a, _PLAIN):
        return False
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(map(_same, a, b))
    return a == b


def torch_machinery(caller: Any, check_files: Any) -> bool:
    """Whether a call of what turns the check off, made at ``caller``, is torch's dispatch to a mode
    (torch's ``handle_torch_function`` takes the mode off its stack while the mode runs, and puts it
    back; the mode puts itself back while what it handles runs: a function of the submission, what
    torch calls back), torch's own work (formatting a tensor for ``print`` takes the modes off while
    it makes the text: that zeroed honest tasks, found by an honest-code helper; what torch's Python
    code calls is still seen by the profile hook) or the check's own (its files, ``check_files``)."""
    modes = [getattr(sys.modules.get(name), "__file__", None)
             for name in ("torch.overrides", "torch.utils._python_dispatch")]
    own = (*check_files, __file__)
    # (each frame trusted for its file runs code that file holds, in its namespace: see .genuine)
    while caller is not None and exact_str(caller.f_code.co_filename) in (CONTEXTLIB_FILE, *modes, *own) \
            and trusted(caller):
        if exact_str(caller.f_code.co_name) == "handle_torch_function" or exact_str(caller.f_code.co_filename) in own:
            return True
        caller = caller.f_back
    return torch_internal(caller)


def torch_internal(caller: Any) -> bool:
    """Whether ``caller`` (the frame that made a call) is torch's own Python code: a call torch makes
    for its own work (a lazily made ``OpOverload`` in ``torch/_ops.py``, ``vmap``'s operators), not
    the submission's (whose calls, also through C callables, have its own frame as the caller)."""
    torch = sys.modules.get("torch")
    if caller is None or torch is None:
        return False
    name, namespace = caller.f_code.co_filename, caller.f_globals
    module = sys.modules.get(namespace.get("__name__")) if type(namespace.get("__name__")) is str else None
    # a torch module's own code: its file, run in that module's namespace (code compiled under a torch
    # file name and run in a namespace of the submission's is not)
    return type(name) is str and name.startswith(_torch_dir(torch)) and module is not None \
        and getattr(module, "__dict__", None) is namespace and getattr(module, "__file__", None) == name \
        and trusted(caller)  # code that file holds, in its own namespace (see .genuine)


def torch_only(frame: Any, owned: Any) -> bool:
    """Whether every frame from ``frame`` out to the first whose code is ``owned`` (the submission's)
    is torch's own or the import system's (``contextlib`` too, for torch's context managers, but not
    as the frame the submission called): torch registering its own kernels while a module loads. A
    library in between (``copy._reconstruct(None, None, lib.impl, args)``) could call anything (red team).
    ``False`` when there is none (the submission called it itself, also by a computed name) or no
    frame of torch's is among them (``importlib._bootstrap._call_with_frames_removed(Library, ...)``).
    The import system includes ``importlib.import_module`` and pytest's assertion-rewriting loader;
    ``functools.singledispatch``'s dispatcher passes on too (``torch.library.impl`` is one)."""
    outermost, torch_seen = None, False
    rewriter = getattr(sys.modules.get("_pytest.assertion.rewrite"), "__file__", None)
    while frame is not None and not owned(frame.f_code):
        name, code_name = str(frame.f_code.co_filename), str(frame.f_code.co_name)
        if torch_internal(frame):
            torch_seen = True
        elif not ((name.startswith("<frozen importlib") or name in (CONTEXTLIB_FILE, IMPORTLIB_FILE)
                   or name == FUNCTOOLS_FILE and code_name == "wrapper" or name == rewriter and code_name == "exec_module")
                  and trusted(frame)):
            return False
        outermost, frame = name, frame.f_back
    return torch_seen and outermost is not None and outermost != CONTEXTLIB_FILE


def _torch_dir(torch: Any) -> str:
    if not _TORCH_DIR:
        # as code objects name their files (the module's __file__, not resolved: a symlinked environment)
        _TORCH_DIR.append(os.path.dirname(torch.__file__) + os.sep)
    return _TORCH_DIR[0]


_TORCH_DIR: list[str] = []


def push_mode(torch: Any, mode: Any) -> None:
    """Put ``mode`` (:func:`make_mode`) on this thread's torch function stack, its dispatch mode on the
    dispatch stack."""
    _switch(torch, "_push_on_torch_function_stack")(mode)
    _switch(torch, "_push_on_torch_dispatch_stack")(mode.dispatch)


def _switch(torch: Any, name: str) -> Any:
    """torch's C function ``name`` itself, not the visible wrapper the check put in its place
    (:func:`.visibility.wrap_switches`): the check's own calls."""
    return SWITCH_ORIGINALS.get(name) or getattr(torch._C, name)


def modes_in_place(torch: Any, mode: Any) -> bool:
    """Whether ``mode`` and its dispatch mode are on this thread's stacks."""
    try:
        return mode in _stack(torch._C._get_function_stack_at, torch._C._len_torch_function_stack()) \
            and mode.dispatch in _stack(torch._C._get_dispatch_stack_at, torch._C._len_torch_dispatch_stack())
    except Exception:  # noqa: BLE001
        return False


def _stack(get: Any, size: int) -> list:
    return [get(i) for i in range(size)]


def pop_mode(torch: Any, mode: Any) -> bool:
    """Take ``mode`` and its dispatch mode (and what was pushed above them) off this thread's torch
    stacks; whether both were there."""
    found = True
    for stack, size, pop, item in (
            (torch._C._get_function_stack_at, torch._C._len_torch_function_stack,
             _switch(torch, "_pop_torch_function_stack"), mode),
            (torch._C._get_dispatch_stack_at, torch._C._len_torch_dispatch_stack,
             lambda: _switch(torch, "_pop_torch_dispatch_stack")(None), mode.dispatch)):
        try:
            if item in _stack(stack, size()):
                while size():
                    if pop() is item:
                        break
            else:
                found = False
        except Exception:  # noqa: BLE001
            found = False
    return found


def make_mode(guard: Any) -> Any:
    """The torch function mode of ``guard`` (:class:`.ruleguard._Guard`): every torch operation of the
    submission, also one called from C code (``map(torch.softmax, ...)``), is checked against its
    catalogue; None without torch."""
    torch = sys.modules.get("torch")
    if torch is None:
        return None
    from torch.overrides import TorchFunctionMode

    # torch takes a function mode off its stack while the mode handles a call: what the call runs
    # back (autograd hooks on tensors and graph nodes, saved-tensor hooks, a custom autograd.Function's
    # backward, Tensor.apply_'s callable) would run unseen; a pre-hook of C callables put on grad_fn
    # through map computed a composite (cosine similarity) into leaf.grad unseen (found reading, after
    # the red team's hook on a tensor), apply_ the same. The mode stays on inside every call it watches;
    # torch's own re-entry for that call is skipped (one hop). Without that (torch before 2.5), as before.
    skip = SWITCH_ORIGINALS.get("_skip_one_hop_torch_function") or getattr(torch._C, "_skip_one_hop_torch_function", None)
    push, pop = _switch(torch, "_push_on_torch_function_stack"), _switch(torch, "_pop_torch_function_stack")

    def watching() -> bool:  # the test thread with no frame of the submission on its stack: the test's own call
        return guard.catalogue is not None and bool(guard.depth or guard.armed or _get_ident() != guard.thread)

    class _RuleMode(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            catalogue = guard.catalogue
            if watching():
                name = catalogue.torch_name(func)
                # torch.ops counts as the submission's way to an operation, not torch's own use of it
                # (the optimisers' profiler ranges: honest torch.optim code lost its task), nor the
                # dispatch mode running the operation it checked
                if name is not None and not (name.startswith(TORCH_OPS) and (redispatched(_getframe(1))
                                                                              or torch_internal(_outside(_getframe(1))))):
                    guard._record("forbidden", name, _getframe(1))
                hook = getattr(func, "__name__", None)
                if type(hook) is str and hook in AUTOGRAD_HOOKS:
                    guard._record("tamper", f"{AUTOGRAD_HOOK} ({hook})", _getframe(1))
                code = getattr(func, "__code__", None)
                if code is not None and guard._owned_code(code):  # the submission's own function,
                    push(self)  # passed to torch's dispatch: it runs watched by this mode too
                    try:  # (the mode put back as `with self:` does, with torch's own C functions)
                        return func(*args, **(kwargs or {}))
                    finally:
                        pop()
                if skip is not None and not _reentered(_getframe(1), func, args):
                    push(self)
                    try:
                        return skip(func, types, args, kwargs or {})
                    finally:
                        pop()
            return func(*args, **(kwargs or {}))

    from torch.utils._python_dispatch import TorchDispatchMode

    class _RuleDispatch(TorchDispatchMode):
        @classmethod
        def _should_skip_dynamo(cls) -> bool:  # no torch._dynamo wrapper (its first call imports dynamo)
            return False

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            catalogue = guard.catalogue
            if watching() and catalogue is not None:
                caller = _getframe(1)
                try:
                    name = catalogue.aten_name(func)
                    outside = _outside(caller)
                    # also one run by torch's own Python code for the submission: an operation of a
                    # forbidden function's name is that function's work, whoever in torch asked for it
                    # (Categorical(logits=z).logits runs aten::logsumexp, F.kl_div aten::xlogy: both were
                    # let through as "torch's own use of torch.ops", 20/20 in every mode; red team)
                    if name is not None:
                        guard._record("forbidden", name, outside)
                    if caller is not None and _get_ident() == guard.thread and guard._owned_code(caller.f_code) \
                            and str(getattr(func, "_schema", None) and func._schema.name) not in _CREATION:
                        # an operation the submission's code started in C++ with no torch function the
                        # function mode saw (a TorchScript function, a compilation unit's method)
                        guard._record("tamper", TORCHSCRIPT_CALL, caller)
                except Exception as error:  # noqa: BLE001 - as in the profile hook: the operation still runs
                    guard._unreadable(caller, error)
            return func(*args, **(kwargs or {}))

    mode = _RuleMode()
    mode.dispatch = _RuleDispatch()
    _DISPATCH_CODES.append(_RuleDispatch.__torch_dispatch__.__code__)
    _FUNCTION_CODES.append(_RuleMode.__torch_function__.__code__)
    return mode
