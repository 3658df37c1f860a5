"""The forbidden functions of a set of rules, in the forms the run-time check's hooks match quickly.

:class:`Catalogue` answers, for a Python code object, a C function or a torch function the hooks of
:mod:`.ruleguard` see, which forbidden dotted name (``scipy.special.softmax``) it is, if any; the
answers are cached, since the hooks ask for every call while the submission's code runs.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .visibility import WRAPPED

_ModuleType = type(sys)
# type's and module's own getters: a metaclass or module subclass cannot put code of its own in them
_TYPE_MODULE = type.__dict__["__module__"].__get__
_TYPE_QUALNAME = type.__dict__["__qualname__"].__get__
_MODULE_DICT = _ModuleType.__dict__["__dict__"].__get__


def _package_paths(module: str) -> list[str]:
    """Where the Python source of ``module`` lies (a package directory with a trailing separator,
    or a file), found without importing it (only its top-level package is located)."""
    top, _, rest = module.partition(".")
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return []
    if spec is None:
        return []
    bases = list(spec.submodule_search_locations or [])
    if not bases:
        return [spec.origin] if spec.origin and not rest else []
    out = []
    for base in bases:
        path = Path(base, *rest.split(".")) if rest else Path(base)
        try:
            if path.is_dir():
                out.append(str(path) + os.sep)
            elif path.with_suffix(".py").is_file():
                out.append(str(path.with_suffix(".py")))
        except OSError:  # a worker that no longer sees the file system
            continue
    return out


def _split(dotted: str) -> tuple[str, str]:
    """(module, qualified name inside it) for a forbidden dotted name, by what exists on disk."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        if _package_paths(".".join(parts[:i])):
            return ".".join(parts[:i]), ".".join(parts[i:])
    return dotted, ""


#: Operators whose overloading in a class of the submission counts as an autodiff engine of its own
#: in the tasks that forbid automatic differentiation (``Catalogue.no_overloading``).
ARITHMETIC = frozenset(
    f"__{p}{op}__" for op in ("add", "sub", "mul", "truediv", "floordiv", "matmul", "pow", "mod")
    for p in ("", "r", "i")
) | {"__neg__", "__pos__", "__abs__"}


def exact_str(text: Any) -> str:
    """A code object's name or file name ``text`` as an exact ``str``: Python lets code carry a
    ``str`` subclass there, whose methods the submission wrote and the profile hook must not run
    (``str.__str__`` runs no override). Raises ``TypeError`` for anything but a ``str``."""
    return text if type(text) is str else str.__str__(text)


class Catalogue:
    """The forbidden functions of a set of rules, in forms the hooks can match quickly.

    Args:
        forbidden: dotted names (a module forbids everything in it).
        methods: method names forbidden on library objects (``"softmax"`` for ``tensor.softmax``).
        no_overloading: the submission's own arithmetic operators count (no-autodiff tasks).
    """

    def __init__(self, forbidden: Iterable[str], methods: Iterable[str] = (), no_overloading: bool = False) -> None:
        self.forbidden = tuple(sorted(set(forbidden)))
        self.methods = frozenset(methods)
        # a forbidden torch function's twin method of a tensor is the same library function
        # (torch.cov and x.cov(): red team round 9, aten::cov is a composite operation that the
        # dispatch mode never sees whole)
        self.tensor_twins = frozenset(f[len("torch."):] for f in self.forbidden
                                      if f.startswith("torch.") and f.count(".") == 1)
        self.no_overloading = no_overloading
        self._dirs: list[tuple[str, str]] = []  # (directory/, module)
        self._pkg_quals: list[tuple[str, str, str]] = []  # (package directory/, qualname, dotted)
        self._files: dict[str, list[tuple[str, str]]] = {}  # file -> [(qualname or "", dotted)]
        for dotted in self.forbidden:
            module, qual = _split(dotted)
            for path in _package_paths(module):
                if qual and path.endswith(os.sep):
                    # defined anywhere in the package (scipy.special.softmax is in _logsumexp.py)
                    self._pkg_quals.append((path, qual, dotted))
                elif qual:
                    self._files.setdefault(path, []).append((qual, dotted))
                elif path.endswith(os.sep):
                    self._dirs.append((path, module))
                else:
                    self._files.setdefault(path, []).append(("", dotted))
        self._objects: dict[int, tuple[Any, str]] = {}  # C callables of modules already loaded
        self._codes: dict[int, tuple[Any, str | None]] = {}  # by id, the code kept (see code_name)
        self._c_cache: dict[int, tuple[Any, str | None]] = {}
        self._m_cache: dict[tuple[type, Any], str | None] = {}
        self._t_cache: dict[int, tuple[Any, str | None]] = {}
        # (apart: an OpOverload is seen by both modes; the function mode's name of a torch.ops function,
        # "torch._ops.profiler...", is not the name of the ATen operation it runs)
        self._a_cache: dict[int, tuple[Any, str | None]] = {}
        self._aten = _aten_names(self.forbidden, self.methods)
        for dotted in self.forbidden:
            obj = _resolve_loaded(dotted)
            if obj is None or isinstance(obj, type(sys)):
                continue
            self._objects[id(obj)] = (obj, dotted)
            # a Python function (or class) defined in another file than its public module's
            # (scipy.special.softmax lives in scipy/special/_logsumexp.py): known by its code
            members = vars(obj).items() if isinstance(obj, type) else [("", obj)]
            for attr, member in members:
                code = getattr(getattr(member, "__func__", member), "__code__", None)
                if code is not None:
                    self._codes[id(code)] = (code, f"{dotted}.{attr}" if attr else dotted)

    def code_name(self, code) -> str | None:
        """The forbidden name a Python code object belongs to, or None (cached per code object).

        Called from inside the profile hook, like :meth:`c_name`: the cache is keyed by ``id`` (a
        code object's hash and ``==`` read its constants, which code made by the submission can
        fill with its own objects), and a code whose names are not exact ``str`` (only the
        submission can make one) belongs to no library.
        """
        entry = self._codes.get(id(code))
        if entry is not None and entry[0] is code:
            return entry[1]
        name = None
        filename = code.co_filename
        qual = getattr(code, "co_qualname", code.co_name)
        if type(filename) is not str or type(qual) is not str:
            self._codes[id(code)] = (code, None)
            return None
        for qualname, dotted in self._files.get(filename, ()):
            if not qualname or qual == qualname or qual.startswith(qualname + "."):
                name = dotted if not qualname else f"{dotted}{qual[len(qualname):]}"
                break
        if name is None:
            for directory, qualname, dotted in self._pkg_quals:
                if filename.startswith(directory) and (qual == qualname or qual.startswith(qualname + ".")):
                    name = f"{dotted}{qual[len(qualname):]}"
                    break
        if name is None:
            for directory, module in self._dirs:
                if filename.startswith(directory):
                    rel = filename[len(directory):].removesuffix(".py").replace(os.sep, ".")
                    rel = rel.removesuffix(".__init__").removesuffix("__init__")
                    name = ".".join(p for p in (module, rel, qual) if p)
                    break
        if name is None:
            wrapped = WRAPPED.get(id(code))
            if wrapped is not None and wrapped[0] is code and _is_forbidden(wrapped[1], self.forbidden):
                name = wrapped[1]
        self._codes[id(code)] = (code, name)
        return name

    def c_name(self, func: Any) -> str | None:
        """The forbidden name of a C function (or a bound C method), or None.

        Called for every C call while a test is watched, so the answer is cached: per function
        object for module-level functions (kept alive by the cache, so its id stays its own), per
        (type, name) for methods bound to an instance.

        Called from inside the profile hook, where Python reports no call: nothing here may run code
        of the submission (found by a red-team helper: a metaclass ``__hash__`` run by a cache
        lookup keyed by the class computed a library softmax unseen). So no ``isinstance`` (it reads
        ``__class__``), no hashing or comparing of the submission's objects (the caches are keyed
        by ``id`` with the object kept), no attribute read a metaclass can override (the names
        come from ``type``'s own getters) and no formatting of anything but an exact ``str``.
        """
        owner = getattr(func, "__self__", None)
        if owner is None or type(owner) is _ModuleType:
            entry = self._c_cache.get(id(func))
            if entry is not None and entry[0] is func:
                return entry[1]
            name = self._c_name(func, owner)
            self._c_cache[id(func)] = (func, name)
            return name
        cls = owner if issubclass(type(owner), type) else type(owner)
        method = getattr(func, "__name__", None)  # a C function's own getter
        if type(method) is not str:
            return None
        entry = self._m_cache.get((id(cls), method))
        if entry is not None and entry[0] is cls:
            return entry[1]
        name = self._c_name(func, owner)
        self._m_cache[(id(cls), method)] = (cls, name)
        return name

    def _c_name(self, func: Any, owner: Any) -> str | None:
        entry = self._objects.get(id(func))
        if entry is not None and entry[0] is func:
            return entry[1]
        name = getattr(func, "__name__", None)
        if type(name) is not str:
            return None
        if owner is None or type(owner) is _ModuleType:
            module = getattr(func, "__module__", None)
            if type(module) is not str and owner is not None:
                module = _MODULE_DICT(owner).get("__name__")
            dotted = f"{module}.{name}" if type(module) is str else name
            method = False
        else:
            cls = owner if issubclass(type(owner), type) else type(owner)
            module, qualname = _TYPE_MODULE(cls), _TYPE_QUALNAME(cls)
            if type(module) is not str or type(qualname) is not str:
                return None
            dotted = f"{module}.{qualname}.{name}"
            method = True
            if name in self.tensor_twins and _is_tensor_type(cls):
                return f"torch.Tensor.{name}"
        if _is_forbidden(dotted, self.forbidden) or (method and name in self.methods):
            return dotted
        return None

    def torch_name(self, func: Any) -> str | None:
        """The forbidden name of a torch function seen by the torch function mode, or None (cached
        per function object, which the cache keeps alive)."""
        entry = self._t_cache.get(id(func))
        if entry is not None and entry[0] is func:
            return entry[1]
        name = self._torch_name(func)
        self._t_cache[id(func)] = (func, name)
        return name

    def aten_name(self, op: Any) -> str | None:
        """The forbidden name of an ATen operation seen by the torch dispatch mode
        (``torch.ops.aten._softmax``), or None."""
        entry = self._a_cache.get(id(op))
        if entry is not None and entry[0] is op:
            return entry[1]
        namespace, _, base = str(getattr(getattr(op, "_schema", None), "name", "")).partition("::")
        if not (base and type(base) is str and namespace in ("aten", "prims")):
            name = None
        elif self._aten is None or any(_contains(tuple(w for w in base.split("_") if w), part) for part in self._aten):
            name = f"torch.ops.{namespace}.{base} (an operation run by torch)"
        else:
            name = None
        self._a_cache[id(op)] = (op, name)
        return name

    def _torch_name(self, func: Any) -> str | None:
        entry = self._objects.get(id(func))
        if entry is not None and entry[0] is func:
            return entry[1]
        name = getattr(func, "__name__", "")
        module = getattr(func, "__module__", None)
        qual = getattr(func, "__qualname__", name) or name
        if module is None or qual.startswith(("TensorBase.", "Tensor.")):  # a Tensor method
            dotted, method = f"torch.Tensor.{name}", True
        else:
            dotted = f"{module}.{name if qual.startswith('_VariableFunctionsClass.') else qual}"
            method = False
        if _is_forbidden(dotted, self.forbidden) or (method and name in self.methods):
            return dotted
        if method and name in self.tensor_twins:
            return f"torch.Tensor.{name}"
        return None


def _is_tensor_type(cls: type) -> bool:
    """Whether ``cls`` is torch's tensor class (``torch._C.TensorBase``, ``torch.Tensor``) or a
    subclass of it; read through ``type``'s own getters only (see :meth:`Catalogue.c_name`)."""
    for base in type.__dict__["__mro__"].__get__(cls):
        if _TYPE_QUALNAME(base) in ("TensorBase", "Tensor") and _TYPE_MODULE(base) in ("torch._C", "torch"):
            return True
    return False


def _aten_names(forbidden: tuple[str, ...], methods: frozenset[str]) -> frozenset[tuple[str, ...]] | None:
    """The ATen operations the forbidden torch functions run as, as word sequences an operation's name
    must contain: ``torch.softmax`` (``aten::_softmax``, also ``_sparse_softmax``, ``_safe_softmax``:
    a red-team finding), ``F.cross_entropy`` (``aten::cross_entropy_loss``); None when the whole of
    torch is forbidden (every operation counts). A function with no operation of its own name
    (``torch.pca_lowrank``, a class) adds none: what it runs is seen by the torch function mode when
    called from Python."""
    if "torch" in forbidden:
        return None
    names = set()
    for last in [f.rsplit(".", 1)[1] for f in forbidden if f.startswith("torch.")] + sorted(methods):
        if last[:1].islower() or last.startswith("_"):
            names.add(tuple(w for w in last.split("_") if w))
    return frozenset(n for n in names if n)


def _contains(words: tuple[str, ...], part: tuple[str, ...]) -> bool:
    return any(words[i:i + len(part)] == part for i in range(len(words) - len(part) + 1))


def _is_forbidden(name: str, forbidden: tuple[str, ...]) -> bool:
    return any(name == f or name.startswith(f + ".") for f in forbidden)


def _resolve_loaded(dotted: str) -> Any:
    """The object a dotted name refers to, if its module is already imported (never imports)."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        module = sys.modules.get(".".join(parts[:i]))
        if module is None:
            continue
        obj: Any = module
        try:
            for part in parts[i:]:
                if isinstance(obj, type(sys)):  # a module's namespace, not its __getattr__: scipy's
                    obj = vars(obj).get(part)  # lazy submodules (scipy.stats, 0.5-1 s) stay unloaded
                    if obj is None:
                        return None
                else:
                    obj = getattr(obj, part)
        except Exception:  # noqa: BLE001 - lazy module attributes may raise anything
            return None
        return obj
    return None
