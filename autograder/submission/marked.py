"""The submission's code compiled with the run-time check's entry marks, helper modules included.

The run-time check of the "from scratch" rules needs no trace hook on the test's own work when every
module of the submission that is loaded carries entry marks (:mod:`autograder.checks.visibility`):
then it runs in its fast mode. :class:`Marks` compiles the submission's files with them (an exercise
file through :class:`~autograder.submission.loader.Submission`, a module it imports from the
submission through the finder below), remembers which files carry them, and tells before each test
whether every loaded module of the submission does (:meth:`Marks.all_marked`). A module loaded in
any other way (a ``.pyc`` without source, an extension module) makes the check watch the slow way,
with the trace hook, for the rest of the run: the marks are a way to be fast, never a way around the
check.

Native code is never loaded from the submission (:mod:`autograder.checks.native`: each :class:`Marks`
registers its submission's folder there).

Helper modules are found like the import system finds them (``from ._helper import f`` is a
submodule of the submission's private package; ``import _helper`` when the submission's folder is on
``sys.path``), read from their source file every time (never from a ``__pycache__``, and no
``__pycache__`` is written into the submission) and compiled with the marks.
"""

from __future__ import annotations

import functools
import importlib.machinery
import importlib.util
import os
import sys
import threading
import types
import weakref
from collections.abc import Callable, Sequence
from typing import Any

from ..checks import native, ruleguard


class Marks:
    """The entry marks of one submission's code.

    Args:
        package: the private package the submission's exercise files are loaded into.
        root: the submission's folder (absolute).
        owns: whether a file name is the submission's (:meth:`Submission.owns`).
    """

    def __init__(self, package: str, root: str, owns: Callable[[str], bool]) -> None:
        self.package, self.root, self.owns = package, root, owns
        self.files: set[str] = set()  # compiled with the marks
        self.sources: dict[str, str] = {}  # file name -> the text compiled (what runs, whatever the file holds later)
        self.codes: weakref.WeakSet[types.CodeType] = weakref.WeakSet()  # every code object with marks
        self.known: set[str] = set(sys.modules)  # imported before any submission code ran
        self.modules: set[str] = set()  # loaded modules compiled with the marks
        self.unmarked: set[str] = set()
        self._owned: dict[str, bool] = {}
        native.register(package, self)
        _FINDER.install(self)

    def compile(self, source: str, filename: str, flags: int = 0, ran: str | None = None) -> types.CodeType:
        """The module code of ``source`` (the text of ``filename``), with the marks when it can have them.

        A notebook file is compiled cell by cell (:mod:`.notebookcells`): ``source`` is then one cell
        (the file's other lines blank), ``flags`` the ``__future__`` flags of the cells before it and
        ``ran`` the whole file's text, which is what :meth:`source` gives.

        Raises:
            SyntaxError: ``source`` is not valid Python.
        """
        code, marked = ruleguard.compile_submission(source, filename, flags)
        self.sources[filename] = self.sources[os.path.realpath(filename)] = source if ran is None else ran
        if marked:
            self.files.add(filename)
            todo = [code]
            while todo:
                self.codes.add(todo[-1])
                todo.extend(c for c in todo.pop().co_consts if isinstance(c, types.CodeType))
        return code

    def source(self, path: str) -> str | None:
        """The text compiled from file ``path`` (as named, or by its real path), or None."""
        found = self.sources.get(path)
        return found if found is not None else self.sources.get(os.path.realpath(path))

    def all_marked(self) -> bool:
        """Whether the submission's code a test can call carries the marks: every module of the
        submission loaded so far (by its ``__file__``) was compiled with them, and every function
        its modules hold (also as a method, a property or a partial, in a class or as an object's
        type) that comes from the submission's files has code compiled with them (not code loaded
        some other way, or rewritten). Once a module fails this, it never passes again."""
        for name in sys.modules.keys() - self.known:
            self.known.add(name)
            filename = getattr(sys.modules.get(name), "__file__", None)
            if isinstance(filename, str) and filename in self.files:
                self.modules.add(name)
            elif isinstance(filename, str) and self._owns(filename):
                self.unmarked.add(name)
        for name in self.modules - self.unmarked:
            module = sys.modules.get(name)
            if module is not None and not self._marked_namespace(vars(module)):
                self.unmarked.add(name)
        return not self.unmarked

    def _owns(self, filename: str) -> bool:
        known = self._owned.get(filename)
        if known is None:
            known = self._owned[filename] = bool(self.owns(filename))
        return known

    def _marked_namespace(self, namespace: dict) -> bool:
        seen: set[int] = set()
        todo = list(namespace.values())
        while todo:
            value = todo.pop()
            kind = type(value)
            if kind is types.FunctionType:
                code = value.__code__
                if code not in self.codes and self._owns(code.co_filename):
                    return False
            elif kind in (types.MethodType, staticmethod, classmethod):
                todo.append(value.__func__)
            elif kind is property:
                todo.extend((value.fget, value.fset, value.fdel))
            elif kind is functools.partial:
                todo.append(value.func)
            elif kind is not types.ModuleType:
                cls = value if issubclass(kind, type) else kind  # a class, or an object's class
                if id(cls) not in seen and _DICT(cls).get("__module__") != "builtins":
                    seen.add(id(cls))
                    todo.extend(_DICT(cls).values())
        return True


class _MarkedLoader(importlib.machinery.SourceFileLoader):
    """Loads a helper module of the submission from its source, with the marks (no bytecode cache)."""

    def __init__(self, fullname: str, path: str, marks: Marks) -> None:
        super().__init__(fullname, path)
        self.marks = marks

    def get_code(self, fullname: str) -> types.CodeType:
        path = self.get_filename(fullname)
        source = importlib.util.decode_source(self.get_data(path))
        return self.marks.compile(source, path)


class _Finder:
    """A meta path finder for the submission's helper modules (installed once per process)."""

    def __init__(self) -> None:
        # package -> marks, as long as its submission lives (a grader process sees many in a batch)
        self.marks: weakref.WeakValueDictionary[str, Marks] = weakref.WeakValueDictionary()
        self.lock = threading.Lock()

    def install(self, marks: Marks) -> None:
        with self.lock:
            self.marks[marks.package] = marks
            if self not in sys.meta_path:
                sys.meta_path.insert(0, self)

    def find_spec(self, fullname: str, path: Sequence[str] | None = None, target: Any = None) -> Any:
        top = fullname.partition(".")[0]
        marks = self.marks.get(top)
        if marks is None and path is None:  # a top-level module: one in a submission's folder?
            marks = next((m for m in list(self.marks.values()) if os.path.exists(os.path.join(m.root, top + ".py"))
                          or os.path.isdir(os.path.join(m.root, top))), None)
        if marks is None or fullname == marks.package:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or type(spec.loader) is not importlib.machinery.SourceFileLoader \
                or not isinstance(spec.origin, str) or not marks.owns(spec.origin):
            return None  # the import system finds it as it would without this finder
        spec.loader = _MarkedLoader(fullname, spec.origin, marks)
        spec.cached = None
        return spec

    def invalidate_caches(self) -> None:
        pass


def private_package(name: str, root: str) -> types.ModuleType:
    """The package ``name`` the submission's files in ``root`` are loaded into, with a folder package's
    spec as Python gives one (``importlib.resources.files(__package__)`` reads data files next to the
    exercises: without a spec that failed the import, in every mode; found by a helper)."""
    package = types.ModuleType(name)
    package.__path__ = [root]  # type: ignore[attr-defined]
    package.__package__ = name
    loader = importlib.machinery.NamespaceLoader(name, package.__path__, importlib.machinery.PathFinder._get_spec)
    package.__spec__ = importlib.machinery.ModuleSpec(name, loader, is_package=True)
    package.__spec__.submodule_search_locations = package.__path__
    package.__loader__ = loader
    return package


_FINDER = _Finder()
_DICT = type.__dict__["__dict__"].__get__  # a class's own attributes, whatever its metaclass defines
