"""Whether a frame's code is what its file holds: the rule check trusts some frames by their file.

The run-time check excuses calls that library code makes for its own work: torch taking its modes
off while it formats a tensor (``torch/overrides.py``, ``contextlib``), torch registering its own
kernels while a module loads (the import system), ``threading`` starting a thread, ``dataclasses``
running ``exec``. A code object's file name is only a claim: the submission can make code under any
file name (``compile(src, torch.library.__file__, "exec")``, ``code.replace(co_filename=...)``,
``types.CodeType(...)``, ``marshal.loads``, also called from C or through a library function that
calls what it is given) and run it in a library's namespace (``types.FunctionType(code,
vars(module))``). With such a frame torch.library registered a kernel of ``F.cosine_similarity`` for
``aten::nextafter`` unseen (a red-team finding, 20/20 in both modes).

:func:`genuine` answers whether a code object is one its file compiles to: the same bytecode, names,
constants, exception table and flags as the code object at that line and qualified name in the file
(read and compiled once per file; frozen modules from the interpreter's frozen code). Code made by
the submission under a library's file name is not; a library's own code is, however it was loaded.
Nothing of the submission runs while this compares: constants are compared only when their types are
exactly the plain built-in ones.
"""

from __future__ import annotations

import _imp
import ast
import importlib.util
import marshal
import os
import sys
import weakref
from typing import Any

__all__ = ["genuine", "grader_call", "grader_calls", "library_call", "module_namespace", "trusted", "warm", "warm_grader"]

_CodeType = type((lambda: None).__code__)
_ModuleType = type(sys)
_module_dict = _ModuleType.__dict__["__dict__"].__get__  # a module's namespace, read past any subclass
module_namespace = _module_dict  # (public: the grader's settings read torch through it)
#: Constant types compared with ``==`` (their comparison runs no Python code).
_PLAIN = (str, bytes, int, float, complex, bool, type(None), type(...))
#: Frozen modules whose code objects name a file other than their module's name.
_FROZEN = {"importlib._bootstrap": "_frozen_importlib", "importlib._bootstrap_external": "_frozen_importlib_external"}
#: The import system's call of what it is given (``exec`` of a module's code, ``compile`` of its source).
_FRAMES_REMOVED = sys.modules["_frozen_importlib"]._call_with_frames_removed.__code__
#: Verdicts kept per code object (kept alive with it): a bound on memory.
MAX_VERDICTS = 50_000

_verdicts: dict[int, tuple[Any, bool]] = {}
_tables: dict[str, dict[tuple[int, str], list[Any]] | None] = {}
_unread: set[str] = set()  # files this process could not read: their tables hold live code objects
_rewritten: set[str] = set()  # files whose table has pytest's rewritten code objects too


def genuine(code: Any) -> bool:
    """Whether ``code`` is a code object its file (``co_filename``) compiles to.

    Args:
        code: a code object, usually ``frame.f_code`` of a frame the check is about to trust.

    Returns:
        ``True`` for code compiled from the file it names (a library's own function, however it
        was loaded), ``False`` for code made under that name from other source, a file that cannot
        be read, or anything that is not a code object. Never raises.
    """
    seen = _verdicts.get(id(code))
    if seen is not None and seen[0] is code:
        return seen[1]
    try:
        verdict = _check(code)
    except Exception:  # noqa: BLE001 - a file that cannot be read or compiled: not trusted
        verdict = False
    if len(_verdicts) >= MAX_VERDICTS:
        _verdicts.clear()
    _verdicts[id(code)] = (code, verdict)
    return verdict


def trusted(frame: Any) -> bool:
    """Whether ``frame`` is a module's own code at work: code its file holds (:func:`genuine`), run in
    that module's namespace (the module of that name in ``sys.modules``, whose file is the code's).
    torch's ``handle_torch_function`` code run with a dictionary of the submission's as its globals
    (``types.FunctionType(code, d)``, whose names then call anything) is not (a red-team finding)."""
    if frame is None or not genuine(frame.f_code):
        return False
    namespace = frame.f_globals
    name = dict.get(namespace, "__name__")  # dict's own get: a dict subclass's would run its code
    module = sys.modules.get(name) if type(name) is str else None
    if module is None or not issubclass(type(module), _ModuleType) or _module_dict(module) is not namespace:
        return False
    filename = dict.get(namespace, "__file__")
    return frame.f_code.co_filename in ((filename,) if type(filename) is str else ()) + (f"<frozen {name}>",)


def library_call(frame: Any, func: Any) -> bool:
    """Whether the call of the C function ``func`` made at ``frame`` is a library's own: the frame runs
    code its file holds (:func:`genuine`) and that code names ``func`` itself (``exec`` in
    ``dataclasses``, ``gc.enable`` in ``timeit``) or a global of its module bound to it, unlike a function that calls whatever it is given
    (``copy._reconstruct(None, None, compile, args)``, a red-team trampoline). The import system's
    ``_call_with_frames_removed`` (``exec`` of a module's code) is judged by its caller (the frame
    must be :func:`trusted`: the library's code in its own namespace)."""
    if frame is not None and frame.f_code is _FRAMES_REMOVED:
        frame = frame.f_back
    if not trusted(frame):
        return False
    name = getattr(func, "__name__", None)
    if type(name) is str and name in frame.f_code.co_names:
        return True
    # or a global name bound to it (mpmath's and six's ``exec_ = getattr(builtins, "exec")``: honest
    # code importing sympy lost every task; found by an honest-code helper)
    namespace = frame.f_globals
    return any(dict.get(namespace, global_name) is func for global_name in frame.f_code.co_names)


def _check(code: Any) -> bool:
    if type(code) is not _CodeType or type(code.co_filename) is not str:
        return False
    filename = code.co_filename
    if _grader_codes.get(id(code)) is code:  # the grader's own code (warm_grader), by identity
        return True
    table = _tables[filename] if filename in _tables else _load(filename)
    if table is None:
        return False
    if filename in _unread:  # by identity (_reachable)
        return any(candidate is code for candidate in table.get((code.co_firstlineno, code.co_qualname), ()))
    if any(_same(candidate, code) for candidate in table.get((code.co_firstlineno, code.co_qualname), ())):
        return True
    if filename not in _rewritten and filename not in _unread and not filename.startswith("<"):
        # pytest rewrites the asserts of every module named like a test (torch/_inductor/test_operators.py,
        # imported lazily by torch, registers kernels): the same file as pytest compiles it
        _rewritten.add(filename)
        for key, codes in (_table(filename, rewrite=True) or {}).items():
            table.setdefault(key, []).extend(codes)
        return any(_same(candidate, code) for candidate in table.get((code.co_firstlineno, code.co_qualname), ()))
    return False


def _table(filename: str, rewrite: bool = False) -> dict[tuple[int, str], list[Any]] | None:
    """Every code object the file compiles to, by (first line, qualified name); ``rewrite``: with
    pytest's assertion rewriting (None when pytest is not loaded)."""
    if filename.startswith("<frozen ") and filename.endswith(">"):
        name = filename[len("<frozen "):-1]
        top = _imp.get_frozen_object(_FROZEN.get(name, name))
    elif filename.startswith("<"):
        return None  # code made from a string (exec, eval, a generated method): no file to compare with
    else:
        with open(filename, "rb") as handle:
            source = handle.read()
        if rewrite:
            rewriter = sys.modules.get("_pytest.assertion.rewrite")
            if rewriter is None:
                return None
            tree = ast.parse(source, filename=filename)
            rewriter.rewrite_asserts(tree, source, filename, None)
            top = compile(tree, filename, "exec", dont_inherit=True)
        else:
            top = _cached(filename, source) or compile(source, filename, "exec", dont_inherit=True)
    table: dict[tuple[int, str], list[Any]] = {}
    for current in _nested(top):
        table.setdefault((current.co_firstlineno, current.co_qualname), []).append(current)
    return table


def _load(filename: str) -> dict[tuple[int, str], list[Any]] | None:
    """The table of ``filename``, read now and kept: from the file, or from the code reachable from its
    loaded module when this process cannot read it (:func:`_reachable`). Raises what compiling raises."""
    try:
        table = _table(filename)
    except OSError:
        table = _reachable(filename)
        _unread.add(filename)
    _tables[filename] = table
    return table


def _nested(code: Any) -> Any:
    """``code`` and every code object among its constants, at any depth."""
    stack = [code]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(const for const in current.co_consts if type(const) is _CodeType)


def _cached(filename: str, source: bytes) -> Any:
    """The file's code from its up-to-date bytecode cache (what the import system loads; reading it
    is several times faster than compiling), or None."""
    try:
        with open(importlib.util.cache_from_source(filename), "rb") as handle:
            data = handle.read()
        if data[:4] != importlib.util.MAGIC_NUMBER:
            return None
        if int.from_bytes(data[4:8], "little") & 1:  # hash-based
            fresh = data[8:16] == importlib.util.source_hash(source)
        else:
            stat = os.stat(filename)
            fresh = int.from_bytes(data[8:12], "little") == int(stat.st_mtime) & 0xFFFFFFFF \
                and int.from_bytes(data[12:16], "little") == stat.st_size & 0xFFFFFFFF
        return marshal.loads(data[16:]) if fresh else None
    except (OSError, ValueError, EOFError, TypeError, NotImplementedError):
        return None


def warm(filenames: Any) -> None:
    """Read the files the check trusts most often ahead of time (at its set-up, not inside a test's
    time limit)."""
    for filename in filenames:
        if type(filename) is str and filename not in _tables:
            try:
                _load(filename)
            except Exception:  # noqa: BLE001 - read again when first needed
                pass


def warm_grader() -> None:
    """Remember the code objects of every loaded module of the grader itself, by identity (called
    while no submission code runs): an isolated worker may not be able to read the grader's files
    (a worker with dropped privileges grading from a private clone got the grader's code shipped,
    and counted the check's own sys.setprofile as tampering: found by the clean-clone CI).

    Called at every rule-bound test's start: a module object already looked at is skipped (one
    dictionary lookup each; reading ``__file__`` of ~3,000 modules per test cost ~5 ms), its
    namespace is read past any module subclass, and only code compiled under the grader's own
    directory (and :mod:`dataclasses`' methods of its classes) is remembered: a submission's module
    claiming a grader ``__file__`` adds none of its functions."""
    for name, module in list(sys.modules.items()):
        if type(name) is not str or _looked_at.get(name) is module:
            continue
        try:
            namespace = _module_dict(module)
        except TypeError:  # not a module
            continue
        try:
            _looked_at[name] = module
        except TypeError:  # an object no weak reference can name: looked at each time
            pass
        file = dict.get(namespace, "__file__")
        if type(file) is str and file.startswith(_GRADER):
            _walk(module, name, _grader_codes, under=_GRADER)


def _walk(module: Any, name: str, into: dict[int, Any], under: str | None = None) -> None:
    """Every code object reachable from the functions and classes of ``module`` (named ``name``);
    with ``under``, only those compiled under that directory or made by :mod:`dataclasses` for a class
    of the module (``__init__``, ``__eq__``… compiled from ``"<string>"``)."""
    stack = [value for value in list(vars(module).values()) if getattr(value, "__module__", None) == name]
    while stack:
        value = stack.pop()
        if isinstance(value, type):
            stack.extend(v for v in list(vars(value).values()) if not isinstance(v, type) or v.__module__ == name)
        elif isinstance(value, (staticmethod, classmethod)):
            stack.append(value.__func__)
        elif isinstance(value, property):
            stack.extend(f for f in (value.fget, value.fset, value.fdel) if f is not None)
        elif type(getattr(value, "__code__", None)) is _CodeType:
            for code in _nested(value.__code__):
                filename = code.co_filename
                if under is None or type(filename) is str and (
                        filename.startswith(under) or filename == "<string>" and code.co_qualname.startswith("__create_fn__.")):
                    into[id(code)] = code


def _reachable(filename: str) -> dict[tuple[int, str], list[Any]] | None:
    """For a file this process cannot read (an isolated worker with dropped privileges, a private
    Python installation): the code objects reachable from the loaded modules of that file, as a
    table like :func:`_table`'s. Weaker than reading the file (a function put into the module's
    namespace later is reachable too), so only the fallback."""
    found: dict[int, Any] = {}
    for name, module in list(sys.modules.items()):
        if getattr(module, "__file__", None) == filename and type(name) is str:
            _walk(module, name, found)
    table: dict[tuple[int, str], list[Any]] = {}
    for code in found.values():
        if code.co_filename == filename:
            table.setdefault((code.co_firstlineno, code.co_qualname), []).append(code)
    return table or None


_GRADER = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep  # the autograder package
_looked_at: Any = weakref.WeakValueDictionary()  # warm_grader: module name -> the module object looked at (not kept alive)
_grader_codes: dict[int, Any] = {}  # id -> code object of the grader's own modules (kept alive)


def _same(a: Any, b: Any) -> bool:
    """Whether code objects ``a`` (compiled from the file) and ``b`` do the same."""
    return (a.co_code == b.co_code and a.co_names == b.co_names and a.co_varnames == b.co_varnames
            and a.co_freevars == b.co_freevars and a.co_cellvars == b.co_cellvars and a.co_flags == b.co_flags
            and a.co_argcount == b.co_argcount and a.co_posonlyargcount == b.co_posonlyargcount
            and a.co_kwonlyargcount == b.co_kwonlyargcount and a.co_exceptiontable == b.co_exceptiontable
            and a.co_name == b.co_name and len(a.co_consts) == len(b.co_consts)
            and all(_same_const(x, y) for x, y in zip(a.co_consts, b.co_consts)))


def _same_const(x: Any, y: Any) -> bool:
    if type(x) is not type(y):
        return False
    if type(x) is _CodeType:
        return _same(x, y)
    if type(x) in (tuple, frozenset):
        if len(x) != len(y):
            return False
        if type(x) is frozenset:  # plain members only, then set equality
            return all(type(v) in _PLAIN for v in y) and x == y
        return all(_same_const(v, w) for v, w in zip(x, y))
    return type(x) in _PLAIN and (x == y or x != x and y != y)  # a NaN constant equals itself here


if sys.version_info < (3, 11):  # pragma: no cover - the project needs 3.11 (co_qualname, co_exceptiontable)
    raise ImportError("autograder.checks.genuine needs Python 3.11 or newer")


#: Code of the grader's own that may run while the submission's code is on the stack (by identity),
#: with the forbidden names it may call there.
_GRADER_CALLERS: dict[int, tuple[Any, frozenset[str]]] = {}


def grader_calls(names: Any, *functions: Any) -> None:
    """Calls of the forbidden ``names`` made directly by ``functions`` (the grader's plain Python
    functions) are the grader's (:func:`grader_call`). The settings a test's function runs under are
    put in place while the submission's code that called it is on the stack
    (:func:`autograder.submission.settings.on_test_side`: torch's default dtype is read and set). Only
    those names: what such a function reaches through an object the submission could replace (a module
    in ``sys.modules``) and that calls anything else is the submission's (red team round 6)."""
    for fn in functions:
        _GRADER_CALLERS[id(fn.__code__)] = (fn.__code__, frozenset(names))


def grader_call(frame: Any, name: str) -> bool:
    """Whether ``frame`` runs one of the functions given to :func:`grader_calls` (the very code object)
    and ``name`` is one it may call."""
    entry = _GRADER_CALLERS.get(id(frame.f_code))
    return entry is not None and entry[0] is frame.f_code and name in entry[1]
