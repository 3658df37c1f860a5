"""What makes the submission's work visible to the run-time rule check (:mod:`.ruleguard`) cheaply.

**Entry marks.** The check watches every call made while a frame of the submission is on the
stack. Learning *when* such a frame appears with a trace hook on every Python call
(``sys.settrace``) turns CPython's tracing on for all of the test's own work too — hypothesis, the
oracles, Matplotlib — which then runs about twice as slow. So the grader compiles the submission's
files with a mark at every place where its code starts or resumes running:

* the first statement of every function and method (after the docstring), the body of every
  lambda, and the start of the module's own code (a module imported while a test runs);
* every iterator of a generator expression (the test, or a finalizer, may drive one the
  submission returns): each step of a generator expression starts with one of them.

A generator function or a coroutine can be resumed in ways no mark in its text precedes (``close``
and ``throw`` run its ``except``/``finally`` blocks and context managers' exits, ``yield from``
resumes the iterator it delegates to), so a file with ``yield``, ``yield from``, ``await`` or
``async`` gets no marks at all: it is watched the slow way.

A mark calls a function of the grader that sits in the code object's constants, not a name the
submission could rebind; it turns the check's hooks on (:meth:`ruleguard._Guard.enter`), and they
go off again when the last frame of the submission leaves the stack. The marks change neither line
numbers, nor tracebacks, nor docstrings, nor the file the student wrote. Code compiled without marks
(a notebook's cells, a helper module the import system loaded some other way) is watched with the
trace hook as before: :func:`compile_marked` is a way to be fast, never a way around the check.

**Ufunc wrappers.** NumPy ufuncs among the forbidden functions (``scipy.special.entr``) raise no
profile event; :func:`wrap_invisible` replaces them in every module by a Python wrapper that does.
"""

from __future__ import annotations

import ast
import importlib
import importlib.machinery
import importlib.util
import sys
import types
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any

# placeholders compiled into the submission's code, replaced by the mark functions in its constants
_ENTER = "\x00workbook rule check: enter\x00"
_ITER = "\x00workbook rule check: iterate\x00"


class _Unmarkable(Exception):
    """The text has code that can run after no mark (a generator function, a coroutine)."""


def _mark(name: str, node: ast.AST, *args: ast.expr) -> ast.Call:
    call = ast.Call(func=ast.Constant(value=name), args=list(args), keywords=[])
    return ast.copy_location(call, node)


def _docstring_end(body: list[ast.stmt]) -> int:
    """Where a body's statements start after its docstring (1 with one, 0 without)."""
    return int(bool(body) and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
               and isinstance(body[0].value.value, str))


class _Marker(ast.NodeTransformer):
    """Adds the entry marks (see the module docstring) to a parsed module."""

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.AST:
        self.generic_visit(node)
        body = node.body
        doc = _docstring_end(body)
        anchor = body[doc] if doc < len(body) else body[0]
        node.body = body[:doc] + [ast.copy_location(ast.Expr(_mark(_ENTER, anchor)), anchor)] + body[doc:]
        return node

    visit_FunctionDef = _function

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AST:
        raise _Unmarkable("async def")

    def visit_Module(self, node: ast.Module) -> ast.AST:
        # module-level code too (a module imported while a test runs): after the docstring and
        # the `from __future__` imports, which must come first
        self.generic_visit(node)
        body = node.body
        i = _docstring_end(body)
        while i < len(body) and isinstance(body[i], ast.ImportFrom) and body[i].module == "__future__":
            i += 1
        if body:
            anchor = body[min(i, len(body) - 1)]
            node.body = body[:i] + [ast.copy_location(ast.Expr(_mark(_ENTER, anchor)), anchor)] + body[i:]
        return node

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        self.generic_visit(node)
        # `mark() or body`: the mark returns None, so the lambda's value is its body's
        node.body = ast.copy_location(ast.BoolOp(op=ast.Or(), values=[_mark(_ENTER, node.body), node.body]), node.body)
        return node

    def _unmarkable(self, node: ast.AST) -> ast.AST:
        raise _Unmarkable(type(node).__name__)

    visit_Yield = visit_YieldFrom = visit_Await = visit_AsyncFor = visit_AsyncWith = _unmarkable

    def visit_GeneratorExp(self, node: ast.GeneratorExp) -> ast.AST:
        self.generic_visit(node)
        for loop in node.generators:
            if loop.is_async:
                raise _Unmarkable("async comprehension")
            loop.iter = _mark(_ITER, loop.iter, loop.iter)
        return node


def _bind(code: types.CodeType, marks: dict[str, Any]) -> types.CodeType:
    consts = tuple(
        _bind(c, marks) if isinstance(c, types.CodeType) else marks.get(c, c) if type(c) is str else c
        for c in code.co_consts
    )
    return code.replace(co_consts=consts)


def compile_marked(source: str, filename: str, enter: Callable[[], None],
                   watch_iter: Callable[[Any], Iterator], flags: int = 0) -> types.CodeType | None:
    """The module code of ``source`` with the entry marks bound to the given functions.

    Args:
        source: the text of one of the submission's files (as Python decoded it).
        filename: its path (the code's ``co_filename``, as :func:`compile` would give it).
        enter: called, without arguments, where a function's body starts.
        watch_iter: called with each iterable of a generator expression; returns an iterator over
            it that arms the check before each step.
        flags: compiler flags of ``__future__`` features in force (a notebook's earlier cells).

    Returns:
        The code to ``exec`` in the module's namespace, or None when the text cannot be marked (a
        generator function, a coroutine; compile it unmarked then: it is watched the slow way).

    Raises:
        SyntaxError: the text is not valid Python (the same error :func:`compile` gives).
    """
    tree = ast.parse(source, filename, "exec")
    try:
        tree = ast.fix_missing_locations(_Marker().visit(tree))
        with warnings.catch_warnings():
            # a call of a constant draws "'str' object is not callable" (the constants are replaced)
            warnings.filterwarnings("ignore", category=SyntaxWarning, message=".*is not callable")
            code = compile(tree, filename, "exec", flags=flags, dont_inherit=True)
        return _bind(code, {_ENTER: enter, _ITER: watch_iter})
    except (_Unmarkable, ValueError, TypeError, RecursionError, MemoryError, SyntaxError):
        return None


# --- ufuncs: replaced by a wrapper the profile hook can see ---------------------------------------

#: id of a wrapper's code object -> (that code, the dotted name it stands for); by id: code objects
#: compare equal whatever their file name, so the wrappers of two functions of one name would be one key
WRAPPED: dict[int, tuple[Any, str]] = {}


def _make_wrapper(func: Any, dotted: str, registry: dict[int, tuple[Any, str]] = WRAPPED) -> Callable:
    """A Python function that calls the ufunc ``func``: calls of it are seen by the profile hook.

    The original is held only in the wrapper's closure (no ``__wrapped__``, none of the ufunc's
    bound methods such as ``outer``, which would compute the same thing unseen). ``registry`` gets
    the wrapper's code object (:data:`WRAPPED`: a forbidden function; :data:`SWITCH_CODES`).
    """
    namespace: dict[str, Any] = {}
    # one code object per wrapped function, so the hook knows which one was called
    code = compile(f"def make(_f):\n    def {func.__name__}(*args, **kwargs):\n        return _f(*args, **kwargs)\n"
                   f"    return {func.__name__}\n", f"<workbook check: {dotted}>", "exec")
    exec(code, namespace)  # noqa: S102 - our own three-line wrapper
    wrapper = namespace["make"](func)
    wrapper.__doc__ = func.__doc__
    wrapper.__qualname__ = func.__name__
    wrapper.__module__ = dotted.rpartition(".")[0]
    registry[id(wrapper.__code__)] = (wrapper.__code__, dotted)
    return wrapper


#: torch's C functions that put torch's modes on its stacks or take them off, and the type that turns
#: the function mode off: called from C (``functools.partial(_C._pop_torch_function_stack)()``, a C
#: function as a class's ``__enter__``, as a property's getter) they made no profile event, so the
#: modes came off around a forbidden call and went back unseen (a red-team finding, 20/20 in both
#: modes). :func:`wrap_switches` replaces them by Python wrappers whose calls the hook sees.
TORCH_SWITCHES = ("_pop_torch_function_stack", "_push_on_torch_function_stack", "_set_torch_function_state",
                  "_set_skip_next_torch_function", "_skip_one_hop_torch_function", "_pop_torch_dispatch_stack",
                  "_push_on_torch_dispatch_stack", "_set_dispatch_mode", "_unset_dispatch_mode",
                  "DisableTorchFunction")
#: The originals by name (what the check itself calls), once :func:`wrap_switches` has run.
SWITCH_ORIGINALS: dict[str, Any] = {}
#: id of a switch wrapper's code object -> (that code, ``torch._C.NAME``): tampering when called.
SWITCH_CODES: dict[int, tuple[Any, str]] = {}


def wrap_switches() -> None:
    """Replace :data:`TORCH_SWITCHES` by visible wrappers in every loaded module's namespace but the
    grader's (``torch._C``, ``torch.overrides``, which imported them by name, a submission's module
    that did); once, when torch is loaded. torch's own calls go through the wrappers too (the check
    excuses them as before: :func:`.torchmode.torch_machinery`)."""
    C = getattr(sys.modules.get("torch"), "_C", None)
    if C is None or SWITCH_ORIGINALS:
        return
    targets: dict[int, tuple[Any, Callable]] = {}
    for name in TORCH_SWITCHES:
        original = vars(C).get(name)
        if original is not None:
            SWITCH_ORIGINALS[name] = original
            targets[id(original)] = (original, _make_wrapper(original, f"torch._C.{name}", SWITCH_CODES))
    _place(targets, lambda name: not name.startswith("autograder"))
    # the files whose frames the check trusts around these calls, read now rather than inside the
    # first test that meets them (checks.genuine)
    from .genuine import warm

    warm(getattr(sys.modules.get(name), "__file__", None) for name in (
        "contextlib", "threading", "functools", "importlib", "torch.overrides", "torch.utils._python_dispatch",
        "torch._ops", "torch.library", "torch._tensor", "torch._tensor_str", "torch.nn.functional"))


def _place(targets: dict[int, tuple[Any, Callable]], wanted: Callable[[str], bool]) -> None:
    """Put each wrapper of ``targets`` (id of the original -> (original, wrapper)) where a module
    whose name is ``wanted`` holds the original, and remember it (:func:`reverted`)."""
    for module in list(sys.modules.values()):
        namespace = getattr(module, "__dict__", None) if isinstance(module, types.ModuleType) else None
        name = namespace.get("__name__") if isinstance(namespace, dict) else None
        if type(name) is not str or not wanted(name):
            continue
        for key, value in list(namespace.items()):
            entry = targets.get(id(value))
            if entry is not None and entry[0] is value:
                namespace[key] = entry[1]
                _PLACED.setdefault(id(namespace), (module, {}))[1][key] = (entry[1], value)


def _invisible(obj: Any, np: Any) -> bool:
    """A callable whose calls make no profile event: a NumPy ufunc or a Cython function
    (``scipy.special.cython_special.entr``), neither a Python function nor a built-in."""
    return isinstance(obj, np.ufunc) or type(obj).__name__ in ("cython_function_or_method", "fused_cython_function")


#: Forbidden names whose module was not loaded when :func:`wrap_invisible` ran (tried again later).
_PENDING: set[str] = set()
#: id of a module's namespace -> (the module, {name: (the wrapper put there, the original)}).
_PLACED: dict[int, tuple[Any, dict[str, Any]]] = {}


def wrap_invisible(names: Iterable[str]) -> None:
    """Replace forbidden callables that make no profile event (:func:`_invisible`) by visible
    wrappers in every loaded module of NumPy and SciPy: the named ones, and every C function of a
    forbidden NumPy or SciPy module (``scipy.spatial._distance_wrap``: its C kernels called through
    ``map``, C calling C, made no event at all; a red-team finding). Names whose module is not loaded
    yet are kept for :func:`wrap_pending`."""
    try:
        import numpy as np
    except ImportError:  # pragma: no cover
        return
    targets: dict[int, tuple[Any, Callable]] = {}
    for dotted in names:
        module, _, attr = dotted.rpartition(".")
        if not module or importlib.util.find_spec(module.split(".")[0]) is None:
            continue
        try:
            mod = importlib.import_module(module) if module in sys.modules or module.startswith("scipy.special") \
                else None
        except Exception:  # noqa: BLE001
            continue
        if mod is None:
            _PENDING.add(dotted)
            continue
        _PENDING.discard(dotted)
        # what the module holds now: getattr would run a package's lazy __getattr__ (``scipy.stats``,
        # a forbidden module, is no ufunc, and importing it cost every run 0.7 s)
        obj = vars(mod).get(attr) if isinstance(mod, types.ModuleType) else None
        if isinstance(obj, types.ModuleType) and obj.__name__.startswith(("numpy", "scipy")):
            members = [(f"{dotted}.{key}", value) for key, value in list(vars(obj).items())
                       if isinstance(value, types.BuiltinFunctionType) or _invisible(value, np)]
        elif obj is None and dotted not in sys.modules and dotted.startswith(("numpy.", "scipy.")):
            _PENDING.add(dotted)  # a submodule not imported yet
            continue
        else:
            members = [(dotted, obj)] if _invisible(obj, np) else []
        for name, value in members:
            if id(value) not in targets:
                targets[id(value)] = (value, _make_wrapper(value, name))
    if targets:
        _place(targets, lambda name: name.startswith(("scipy", "numpy")))


def _loaded(name: str) -> bool:
    module = sys.modules.get(name)
    return module is not None and not getattr(getattr(module, "__spec__", None), "_initializing", False)


def pending(name: str) -> bool:
    """Whether importing the module ``name`` may make a forbidden name of :data:`_PENDING` wrappable."""
    return any(name == dotted or name == dotted.rpartition(".")[0] for dotted in _PENDING)


def wrap_pending() -> bool:
    """:func:`wrap_invisible` for the forbidden names whose module has been imported since (cheap
    when none has: called at each rule-bound test's start, and right after such a module's import
    while the check's hooks are on, before the importing code can hold the originals). Whether one
    such module is still being imported (call again later)."""
    ready = [name for name in _PENDING if _loaded(name) or _loaded(name.rpartition(".")[0])]
    if ready:
        wrap_invisible(ready)
    return any(name in sys.modules or name.rpartition(".")[0] in sys.modules for name in _PENDING
               if not (_loaded(name) or _loaded(name.rpartition(".")[0])))


def reverted() -> str | None:
    """The name of a module whose namespace holds an original C function again where
    :func:`wrap_invisible` put its wrapper (reloading a single-phase extension module,
    ``importlib.util.module_from_spec``, copies its first namespace back: a red-team finding), after
    putting the wrappers back; None when no original is back in an extension module. A Python
    module's namespace gets its wrappers back silently: a package still running its ``__init__``
    when the check wrapped it (``scipy.special`` in a notebook kernel) assigns its names again, and
    that is no submission's doing."""
    found = None
    for module, placed in list(_PLACED.values()):
        namespace = getattr(module, "__dict__", {})
        back = {key: wrapper for key, (wrapper, original) in placed.items() if namespace.get(key) is original}
        if back:
            namespace.update(back)
            if found is None and str(getattr(module, "__file__", "")).endswith(_EXTENSIONS):
                found = str(getattr(module, "__name__", "?"))
    return found


_EXTENSIONS = tuple(importlib.machinery.EXTENSION_SUFFIXES)
