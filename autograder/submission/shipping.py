"""Portable test functions (:mod:`autograder.checks.portable`) sent to the isolated worker.

The grader's half, :func:`function_tag`, describes a marked function as data: its code object
(``marshal``; grader and worker run the same interpreter), the names it reads from its module, its
closure, its defaults. The worker's half, :func:`build_function`, makes the function again from
that description. The description travels inside a :mod:`autograder.submission.codec` message;
only the worker ever unmarshals code, and only code the trusted grader sent it. Nothing here lets
the worker send code to the grader.
"""

from __future__ import annotations

import builtins
import importlib
import inspect
import marshal
import math
import sys
import types
from typing import Any

from ..checks.portable import is_portable
from ..core.given import code_names
from .codec import ProtocolError, Unencodable, decode, encode

#: Top-level packages whose functions and classes a portable function may use by reference.
REFERENCE_PACKAGES = frozenset({"numpy", "scipy", "torch"}) | frozenset(sys.stdlib_module_names)
#: Deepest chain of portable functions reading other portable functions.
MAX_NESTING = 8


def _reference(value: Any) -> dict | None:
    """``{"T": "ref", ...}`` for a module, function or class of NumPy, SciPy, torch or the standard
    library that the worker can import by name; None for anything else."""
    if isinstance(value, types.ModuleType):
        name = getattr(value, "__name__", None)
        if isinstance(name, str) and name.split(".")[0] in REFERENCE_PACKAGES and sys.modules.get(name) is value:
            return {"T": "mod", "n": name}
        return None
    module, qualname = getattr(value, "__module__", None), getattr(value, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(qualname, str) or "<" in qualname:
        return None
    if module.split(".")[0] not in REFERENCE_PACKAGES or module not in sys.modules:
        return None
    found: Any = sys.modules[module]
    for part in qualname.split("."):
        found = getattr(found, part, None)
    return {"T": "ref", "m": module, "q": qualname} if found is value else None


def function_tag(fn: Any, buffers: list[bytes], ident: int, hidden: bool | None = False, depth: int = 0) -> dict | None:
    """Describe the portable function ``fn`` as a codec tag (``{"T": "fn", ...}``), its code appended
    to ``buffers``; None when it reads something that cannot be sent (it is then called back).

    Args:
        fn: a function marked with :func:`autograder.checks.portable.portable`.
        buffers: the message's binary buffers (appended to).
        ident: the grader's id of the function in the current test (the worker keeps one function
            per id, so a function passed twice is the same object there, as in local mode).
        hidden: the current test is hidden (only functions marked ``in_hidden_tests=True`` are sent);
            None outside a test (nothing is sent).
        depth: nesting of portable functions read by portable functions.
    """
    if hidden is None or not is_portable(fn, hidden) or depth > MAX_NESTING:
        return None
    mark = len(buffers)

    def value(v: Any, bufs: list[bytes]) -> Any:
        if v is fn:
            raise Unencodable()
        tag = _reference(v)
        if tag is not None:
            return tag
        if is_portable(v, hidden):
            nested = function_tag(v, bufs, 0, hidden, depth + 1)
            if nested is not None:
                return nested
        raise Unencodable()

    code = fn.__code__
    scope = fn.__globals__
    try:
        cells = [cell.cell_contents for cell in fn.__closure__ or ()]
        used = {name: scope[name] for name in sorted(code_names(code)) if name in scope}
        buffers.append(marshal.dumps(code))
        tag = {"T": "fn", "id": ident, "code": len(buffers) - 1, "name": fn.__name__, "qual": fn.__qualname__,
               "g": encode(used, buffers, value), "c": encode(cells, buffers, value),
               "d": encode(fn.__defaults__, buffers, value), "kw": encode(fn.__kwdefaults__, buffers, value)}
    except (Unencodable, ValueError, TypeError, RecursionError):  # an empty cell, unmarshallable constants...
        del buffers[mark:]
        return None
    return tag


def build_function(obj: dict, buffers: list, tags: Any) -> types.FunctionType:
    """The worker's copy of the function :func:`function_tag` described (``tags`` decodes other tags).

    Raises:
        ProtocolError: the description is malformed.
    """
    def more(tag: dict) -> Any:
        kind = tag.get("T")
        if kind == "mod":
            return importlib.import_module(str(tag["n"]))
        if kind == "ref":
            found: Any = importlib.import_module(str(tag["m"]))
            for part in str(tag["q"]).split("."):
                found = getattr(found, part)
            return found
        if kind == "fn":
            return build_function(tag, buffers, tags)
        return tags(tag)

    index = obj.get("code")
    if type(index) is not int or not 0 <= index < len(buffers) or buffers[index] is None:
        raise ProtocolError("bad function code buffer")
    try:
        code = marshal.loads(buffers[index])
    except (ValueError, EOFError, TypeError):
        raise ProtocolError("a function's code cannot be read") from None
    buffers[index] = None
    if type(code) is not types.CodeType:
        raise ProtocolError("a function's code is not a code object")
    scope = {"__builtins__": builtins, "__name__": "workbook_tests"}
    used = decode(obj.get("g"), buffers, more)
    cells = decode(obj.get("c"), buffers, more)
    defaults = decode(obj.get("d"), buffers, more)
    kwdefaults = decode(obj.get("kw"), buffers, more)
    if type(used) is not dict or type(cells) is not list or len(cells) != len(code.co_freevars):
        raise ProtocolError("malformed function description")
    scope.update(used)
    fn = types.FunctionType(code, scope, str(obj.get("name", "f")), tuple(defaults) if defaults else None,
                            tuple(types.CellType(v) for v in cells) or None)
    fn.__kwdefaults__ = kwdefaults or None
    fn.__qualname__ = str(obj.get("qual", fn.__name__))
    return fn


# --- a test's function that is not sent: called back in the grader --------------------------------

def _plain_default(value: Any) -> bool:
    return type(value) in (int, str, bool, type(None)) or type(value) is float and math.isfinite(value)


def callback_tag(fn: Any, ident: int) -> dict:
    """``{"T": "cb", ...}`` for a test's callable that stays in the grader: its id, and its name and
    parameters (what honest code may read of it: ``grad.__name__`` in a message,
    ``inspect.signature(f)``), so that the worker's stand-in (:func:`build_callback`) shows them as
    the function itself does in local mode. Defaults are sent only when they are plain scalars."""
    tag: dict[str, Any] = {"T": "cb", "id": ident}
    name = getattr(fn, "__name__", None)
    if type(name) is str:
        tag["name"] = name[:100]
    try:
        parameters = list(inspect.signature(fn).parameters.values())[:32]
    except (TypeError, ValueError):  # a builtin without a signature
        return tag
    tag["params"] = [[p.name, int(p.kind), p.default is not p.empty,
                      p.default if p.default is not p.empty and _plain_default(p.default) else None] for p in parameters]
    return tag


def build_callback(call: Any, obj: dict) -> types.FunctionType:
    """The worker's stand-in for the grader's callable that :func:`callback_tag` described: a function
    (``callable``, ``inspect.isroutine``, ``copy.deepcopy`` give what they give for the test's own
    function) that sends each call to the grader through ``call(args, kwargs)``."""
    def callback(*args: Any, **kwargs: Any) -> Any:
        return call(args, kwargs)

    name = obj.get("name")
    if type(name) is str and name:
        callback.__name__ = callback.__qualname__ = name[:100]
    params = obj.get("params")
    if type(params) is list:
        try:
            callback.__signature__ = inspect.Signature([  # type: ignore[attr-defined]
                inspect.Parameter(str(p[0]), inspect._ParameterKind(int(p[1])),
                                  default=p[3] if p[2] is True and _plain_default(p[3]) else inspect.Parameter.empty)
                for p in params])
        except (TypeError, ValueError, IndexError, KeyError):  # a malformed description: no signature
            pass
    return callback
