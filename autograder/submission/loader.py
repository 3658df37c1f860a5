"""The loader seam: the single way graded tests obtain the code under test.

A *target* is a directory laid out like ``exercises/``: one ``<exercise>.py`` file per exercise
(see :data:`autograder.EXERCISES`). :class:`Submission` imports those files lazily, each as a
submodule of a private package, and remembers import failures. Tests receive an
:class:`ExerciseHandle` (the ``exercise`` fixture); attribute access on it returns the
submission's function or class, or fails that test with a bilingual message. Later grading
modes (another process, notebooks) replace the handle, not the tests.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import importlib.util
import os
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import EXERCISES
from ..checks import ruleguard
from ..checks.compare import GradingFailure, describe_call
from ..core.given import protect
from ..core.i18n import bilingual
from . import figdesc, settings
from .exercisefiles import (MAX_SOURCE_BYTES, OUTSIDE_LINK, error_summary, import_error_message,  # noqa: F401 - re-exported
                            misnamed_exercise_files, missing_message, read_regular_file)
from .marked import Marks, private_package
from .notebookcells import compile_cells, notebook_cells, run_cells
from .processes import children


class ExerciseUnavailable(GradingFailure):
    """The exercise module is missing or could not be imported (fails all its tests)."""


class MissingName(GradingFailure, AttributeError):
    """The exercise module does not define a name the test needs."""


class NotAWorkbookError(ValueError):
    """The target directory does not look like ``exercises/`` (no exercise module in it)."""


def validate_target(path: Path) -> Path:
    """Resolve and check a grading target directory.

    Args:
        path: a directory laid out like ``exercises/``.

    Returns:
        The resolved absolute path.

    Raises:
        NotAWorkbookError: the path does not exist, is not a directory, or contains none of the
            exercise modules ``ex1_vectors.py`` … ``ex5_backprop.py``.
    """
    resolved = path.expanduser().resolve()
    if not resolved.exists():
        raise NotAWorkbookError(bilingual(
            f"採点対象 {path} が存在しません。",
            f"grading target {path} does not exist.",
        ))
    if not resolved.is_dir():
        raise NotAWorkbookError(bilingual(
            f"採点対象 {path} はディレクトリではありません。",
            f"grading target {path} is not a directory.",
        ))
    if not any((resolved / f"{name}.py").is_file() for name in EXERCISES):
        expected = ", ".join(f"{n}.py" for n in EXERCISES)
        nested = sorted({str(p.parent) for n in EXERCISES for p in resolved.glob(f"*/{n}.py")})
        hint_ja = f" 演習ファイルは {nested[0]} にあります。そちらを指定してください。" if nested else ""
        hint_en = f" The exercise files are in {nested[0]}: grade that directory." if nested else ""
        misnamed = misnamed_exercise_files(resolved)
        if misnamed:  # a download's " (1)", a typo: the file is there under another name
            hint_ja += "".join(f" {have} は {want} という名前にしてください。" for have, want in misnamed)
            hint_en += " Rename " + "; rename ".join(f"{have} to {want}" for have, want in misnamed) + "."
        raise NotAWorkbookError(bilingual(
            f"{path} は演習ディレクトリではありません: {expected} のどれもありません。{hint_ja}",
            f"{path} is not a workbook: none of {expected} is in it.{hint_en}",
        ))
    return resolved


@dataclass
class _Loaded:
    module: types.ModuleType | None = None
    error: str | None = None
    source: str | None = None  # the text that was compiled and executed
    settings: dict[str, Any] | None = None  # process settings its import made (.settings)
    cell_errors: tuple[str, ...] = ()  # a notebook file's cells that raised (.notebookcells); the others ran


@dataclass
class Submission:
    """A grading target: lazily imports its exercise modules, caching modules and failures.

    Attributes:
        root: absolute path of the target directory.
    """

    root: Path
    _cache: dict[str, _Loaded] = field(default_factory=dict, repr=False)
    _marks: Marks = field(init=False, repr=False)  # entry marks of the run-time check (.marked)

    def __post_init__(self) -> None:
        self.root = validate_target(Path(self.root))
        digest = hashlib.sha1(str(self.root).encode()).hexdigest()[:10]
        self.package = f"_workbook_target_{digest}"
        if self.package not in sys.modules:
            sys.modules[self.package] = private_package(self.package, str(self.root))
        self._marks = Marks(self.package, str(self.root), self.owns)

    def path(self, name: str) -> Path:
        """Path of the file that holds exercise ``name``."""
        return self.root / f"{name}.py"

    def has_file(self, name: str) -> bool:
        """Whether the submission has anything named as exercise ``name``'s file (a broken link or a
        folder too: something was handed in, and it scores 0; nothing at all is not submitted)."""
        return os.path.lexists(self.path(name))

    def owns(self, filename: str) -> bool:
        """Whether a traceback frame's ``filename`` is the submission's code."""
        try:
            return Path(filename).resolve().is_relative_to(self.root)
        except (OSError, ValueError):
            return False

    def source(self, name: str) -> str | None:
        """Text of exercise ``name``, decoded as Python decodes it (BOM, coding cookie); None if unreadable.

        Exactly the text :meth:`module` executes (once loaded, even if the file changed since), so
        the "from scratch" rules read what runs. Only a regular file of at most :data:`MAX_SOURCE_BYTES`
        is read (a FIFO, ``/dev/zero`` or a huge file is unreadable, never a hang or a memory blow-up).
        """
        entry = self._cache.get(name)
        if entry is not None and entry.source is not None:
            return entry.source
        try:
            return importlib.util.decode_source(read_regular_file(self.path(name)))
        except (OSError, UnicodeDecodeError, SyntaxError, LookupError):
            return None

    def module_source(self, module: str) -> str | None:
        """Text of another module of the submission, read like an exercise file; None if none.

        ``"_helper"`` is ``_helper.py`` and ``"pkg.mod"`` is ``pkg/mod.py`` (or a package's
        ``__init__.py``), inside the submission only. The "from scratch" rules read the code a
        task's functions reach there (:func:`autograder.checks.rules.find_violations`).
        """
        parts = module.split(".")
        if not parts or not all(p.isidentifier() for p in parts):
            return None
        # the file the import system used, if the module is loaded; else the one it would use: a
        # package directory (``_m/__init__.py``) comes before a module file (``_m.py``)
        loaded = getattr(sys.modules.get(f"{self.package}.{module}"), "__file__", None)
        candidates = [Path(loaded)] if isinstance(loaded, str) else []
        for path in candidates + [self.root.joinpath(*parts, "__init__.py"),
                                  self.root.joinpath(*parts[:-1], parts[-1] + ".py")]:
            try:
                if not path.resolve().is_relative_to(self.root.resolve()):
                    continue
                ran = self._marks.source(str(path))  # a module that rewrote its file: the text that ran
                return ran if ran is not None else importlib.util.decode_source(read_regular_file(path))
            except (OSError, UnicodeDecodeError, SyntaxError, LookupError, ValueError):
                continue
        return None

    def python_files(self, limit: int = 200) -> dict[str, str]:
        """The text of every ``.py`` file of the submission (relative path -> text), at most ``limit``.

        Read like :meth:`module_source` (regular files inside the submission only; caches, hidden
        and virtual-environment folders skipped). The "from scratch" rules look in all of them for
        code that could turn the run-time check off (:func:`autograder.checks.rules.find_tampering`).
        """
        found: dict[str, str] = {}
        root = self.root.resolve()
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__pycache__")) and d not in (
                "venv", "site-packages", "node_modules"))
            for filename in sorted(filenames):
                if not filename.endswith(".py") or len(found) >= limit:
                    continue
                path = Path(dirpath, filename)
                try:
                    if not path.resolve().is_relative_to(root):
                        continue
                    ran = self._marks.source(str(path))
                    found[str(path.relative_to(root))] = ran if ran is not None else \
                        importlib.util.decode_source(read_regular_file(path))
                except (OSError, UnicodeDecodeError, SyntaxError, LookupError, ValueError):
                    continue
        return found

    def start_rule_check(self, key: tuple) -> None:
        """Turn on the run-time check of the rules (:mod:`autograder.checks.ruleguard`) for one test (``key``:
        :func:`autograder.checks.rules.catalogue_key`); fast when its loaded code has entry marks (:mod:`.marked`)."""
        ruleguard.start(ruleguard.catalogue(key), self.owns, self.root, fast=self._marks.all_marked())

    def stop_rule_check(self) -> list:
        """End the check started by :meth:`start_rule_check`; returns its hits (``ruleguard.Hit``)."""
        return ruleguard.stop()

    def running_processes(self) -> int:
        """How many processes this process (the one that runs the submission) has started that still
        run (:mod:`.processes`; a process that left its parent is not seen in local mode)."""
        return len(children(os.getpid()))

    def module(self, name: str) -> types.ModuleType:
        """Import exercise ``name`` (once) and return it.

        Raises:
            GradingFailure: the file is missing, or importing it raised (a syntax error, an
                exception or ``sys.exit`` at import time, a time-out); the same message is given
                for every later test of that exercise.
        """
        entry = self._cache.get(name)  # first: checking the name lists tests/ (a call per attribute read)
        if entry is None:
            if name not in EXERCISES:
                raise KeyError(name)
            entry = self._cache[name] = self._import(name)
        if entry.error is not None:
            raise ExerciseUnavailable(entry.error)
        assert entry.module is not None
        return entry.module

    def load_error(self, name: str) -> str | None:
        """The import error of exercise ``name`` if it was loaded and failed (None otherwise)."""
        entry = self._cache.get(name)
        return error_summary(entry.error) if entry is not None and entry.error else None

    def own_caller(self) -> Any:
        """How the test calls one of the submission's functions for its own values now
        (:meth:`RecordedCall._own_call`): excused from the task's rules when the test itself calls."""
        return _own_caller()

    def test_functions(self) -> Any:  # how the test's functions among a call's arguments are given
        return settings.test_functions(self.owns)

    def import_settings(self, name: str) -> dict[str, Any] | None:
        """The process settings exercise ``name``'s import made (:mod:`.settings`), None if none or not loaded."""
        entry = self._cache.get(name)
        return entry.settings if entry is not None else None

    def _import(self, name: str) -> _Loaded:
        path = self.path(name)
        if path.is_dir() or not path.exists():
            return _Loaded(error=missing_message(path))
        try:
            read_regular_file(path)
        except OSError as exc:
            return _Loaded(error=bilingual(
                f"{path.name} を読み込めませんでした: {exc.strerror or exc}。この演習は 0 点です。",
                f"{path.name} cannot be read: {exc.strerror or exc}; this exercise scores 0.",
            ))
        qualname = f"{self.package}.{name}"  # exactly this file's text, with entry marks (no __pycache__)
        module = types.ModuleType(qualname)
        module.__file__ = str(path)
        module.__package__ = self.package
        sys.modules[qualname] = module
        try:
            source = self.source(name)
            if source is None:
                raise SyntaxError(f"cannot decode {path.name} (check its encoding; UTF-8 is expected)")
            cells = notebook_cells(source)  # a notebook (jupytext's percent format) runs cell by cell
            if cells is None:
                code = self._marks.compile(source, str(path))
            else:
                compiled = compile_cells(cells, lambda text, flags: self._marks.compile(text, str(path), flags, ran=source))
            cell_errors: list[str] = []
            before = settings.current()
            try:
                with ruleguard.GUARD.watch_import(self.owns, self.root):
                    if cells is not None:
                        cell_errors = run_cells(compiled, path, module.__dict__)
                    else:
                        exec(code, module.__dict__)  # noqa: S102 - this is the submission being graded
            finally:  # in place again whenever the exercise's functions run (.settings)
                changed = settings.taken_back(before)
        except KeyboardInterrupt:
            sys.modules.pop(qualname, None)
            raise
        except BaseException as exc:  # noqa: BLE001 - any import failure is the student's to see
            sys.modules.pop(qualname, None)
            return _Loaded(error=import_error_message(exc, path))
        return _Loaded(module=module, source=source, settings=changed, cell_errors=tuple(cell_errors))

    def cell_errors(self, name: str) -> tuple[str, ...]:
        """The errors of exercise ``name``'s notebook cells once loaded (:mod:`.notebookcells`; the
        other cells ran and are graded); empty for a module or an exercise not loaded."""
        entry = self._cache.get(name)
        return entry.cell_errors if entry is not None else ()


class ExerciseHandle:
    """What the ``exercise`` fixture gives a test: ``handle.func`` is the submission's ``func``.

    Accessing a name that the module does not define fails the test with a message that names
    the missing function; an import failure fails it with the import error.
    """

    __slots__ = ("_submission", "_name")

    def __init__(self, submission: Submission | NamespaceSubmission, name: str) -> None:
        self._submission = submission
        self._name = name

    @property
    def exercise_name(self) -> str:
        """The exercise's module name, e.g. ``"ex1_vectors"``."""
        return self._name

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("_") or attr.startswith("hypothesis"):
            # private names and introspection by tools (hypothesis probes its first argument)
            raise AttributeError(attr)
        module = self._submission.module(self._name)
        try:
            value = module.__dict__[attr]
        except KeyError:
            raise MissingName(bilingual(
                f"{self._name}.py に {attr} が定義されていません。",
                f"{attr} is not defined in {self._name}.py.",
            )) from None
        return RecordedCall(value, attr, self) if callable(value) else value

    def __repr__(self) -> str:
        return f"<exercise {self._name} from {self._submission.root}>"

    def _parameters(self, name: str) -> tuple[str, ...]:
        """Positional parameter names of ``name`` as the submission's text defines it (both modes read
        the same text, so a message names the same parameters in local and isolated grading)."""
        try:
            return parameter_names(self._submission.source(self._name), name)
        except Exception:  # noqa: BLE001 - a description without names is still a description
            return ()


#: (exception, description of the call it came out of): the latest call into the submission
#: that raised. The plugin reads it to say which call failed (:func:`failed_call`).
_FAILED_CALL: list = [None]


def failed_call(exc: BaseException) -> str | None:
    """``softmax(x=<array shape (2, 3), float64>, axis=-1)`` if ``exc`` came out of a call the test
    made through the ``exercise`` fixture (the innermost such call), else None."""
    record = _FAILED_CALL[0]
    return record[1] if record is not None and record[0] is exc else None


def _own_caller() -> Any:
    return ruleguard.own_values_call if ruleguard.test_is_calling() else ruleguard.call_into


class RecordedCall:
    """A function or class of the submission as the ``exercise`` fixture gives it to a test.

    Calling it calls the submission's object (here, with the rule check's hooks on all along, or
    through the worker's proxy) with copies of the test's arrays (:func:`autograder.core.given.protect`)
    and returns what it returns; when the call raises, the call and its
    arguments (shapes, dtypes, small values) are recorded for the failure message. Other attributes
    are the object's own.
    """

    __slots__ = ("__wrapped__", "_name", "_handle")

    def __init__(self, target: Any, name: str, handle: ExerciseHandle) -> None:
        self.__wrapped__, self._name, self._handle = target, name, handle

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._call(args, kwargs, own=False)

    def _own_call(self, *args: Any, **kwargs: Any) -> Any:
        """A call the test makes for the submission's own values (:mod:`autograder.checks.ownvalues`):
        a library call in it counts for this function's own tests, not the task under test
        (:func:`autograder.checks.ruleguard.own_values_call`; the worker's in isolated mode)."""
        return self._call(args, kwargs, own=True)

    def _call(self, args: tuple, kwargs: dict, own: bool) -> Any:
        handle = self._handle  # the exercise's import settings in place (.settings; the worker's own in isolated mode)
        # the test's own arrays stay the test's (core.given); its functions run under its settings
        given, given_kwargs = protect(args, kwargs, handle._submission.test_functions())
        call = handle._submission.own_caller() if own else ruleguard.call_into  # (decided before the pin)
        saved = settings.enter(handle._submission.import_settings(handle._name))
        pinned = ruleguard.pin()  # watched all along, marks or not
        try:
            result = call(self.__wrapped__, given, given_kwargs)
            check_figure_size(result)  # isolated mode's limits of a figure, here too (still watched)
            return result
        except Exception as exc:
            record = _FAILED_CALL[0]
            if not isinstance(exc, GradingFailure) and (record is None or record[0] is not exc):
                try:
                    _FAILED_CALL[0] = (exc, describe_call(self._name, args, kwargs,
                                                          self._handle._parameters(self._name)))
                except Exception:  # noqa: BLE001 - the student's exception is what matters
                    pass
            raise
        finally:
            if pinned:
                ruleguard.unpin()
            settings.leave(saved)

    def __getattr__(self, attr: str) -> Any:
        return getattr(self.__wrapped__, attr)

    def __repr__(self) -> str:
        return f"<{self._name} of the submission>"


def check_figure_size(value: Any) -> None:
    """Apply isolated mode's limits (:mod:`.figdesc`: Axes, artists, lines per figure) to a
    Figure a call returned (or an Axes, or a tuple or list holding them), in local mode too: the same
    figure fails the same test in both modes (red team round 8: 101 x 101 ``ax.arrow`` calls got 2/2
    in local mode and 0/2 isolated).

    Raises:
        figdesc.FigureTooLarge: the figure has more than isolated mode can describe.
    """
    figure_module, axes_module = sys.modules.get("matplotlib.figure"), sys.modules.get("matplotlib.axes")
    if figure_module is None or axes_module is None:  # no figure can have been made
        return
    items = value if type(value) in (tuple, list) else (value,)
    for item in items[:16]:
        if isinstance(item, figure_module.Figure):
            figdesc.describe_figure(item)
        elif isinstance(item, axes_module.Axes) and item.figure is not None:
            figdesc.describe_figure(item.figure)


_PARAMETERS: dict[str, dict[str, tuple[str, ...]]] = {}  # source -> name -> parameters


def parameter_names(source: str | None, name: str) -> tuple[str, ...]:
    """Positional parameter names of the module-level function ``name`` (of ``__init__`` without
    ``self`` for a class ``name``) in ``source`` (parsed once); the last definition counts."""
    if not source:
        return ()
    names = _PARAMETERS.get(source)
    if names is None:
        if len(_PARAMETERS) > 64:
            _PARAMETERS.clear()
        names = _PARAMETERS[source] = {}
        for node in ast.parse(source).body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names[node.name] = tuple(a.arg for a in node.args.posonlyargs + node.args.args)
            elif isinstance(node, ast.ClassDef):
                init = [n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"]
                names[node.name] = tuple(a.arg for a in init[-1].args.posonlyargs + init[-1].args.args)[1:] \
                    if init else ()
    return names.get(name, ())


# --- notebooks: the same seam over a namespace ------------------------------------------------

_NAMESPACES: dict[str, tuple[str, dict[str, Any], str]] = {}


def register_namespace(exercise: str, namespace: dict[str, Any], source: str) -> str:
    """Make a notebook's namespace gradable as ``--workbook=namespace:<key>``.

    Args:
        exercise: the exercise module name the namespace answers (e.g. ``"ex1_vectors"``).
        namespace: the notebook's globals (the student's functions and classes).
        source: the code the student ran (for the "from scratch" rules).

    Returns:
        The key to pass to ``--workbook=namespace:<key>``.

    Raises:
        KeyError: ``exercise`` is not a workbook exercise.
    """
    if exercise not in EXERCISES:
        raise KeyError(exercise)
    key = f"{exercise}-{len(_NAMESPACES)}"
    _NAMESPACES[key] = (exercise, namespace, source)
    return key


class NamespaceSubmission:
    """A submission whose one exercise lives in a namespace (a notebook's globals), not a file.

    Offers the same interface as :class:`Submission` to the plugin and to
    :class:`ExerciseHandle`. The other exercises are reported as not part of the submission.
    """

    def __init__(self, key: str) -> None:
        try:
            self.exercise, namespace, self._source = _NAMESPACES[key]
        except KeyError:
            raise NotAWorkbookError(f"no notebook namespace registered as {key!r}") from None
        self.root = Path("<notebook>")
        self._module = types.ModuleType(f"_workbook_notebook_{self.exercise}")
        self._module.__dict__.update(namespace)

    def owns(self, filename: str) -> bool:
        """Frames of notebook cells (IPython names them ``<ipython-input-…>`` or ``…/ipykernel_…``)."""
        return filename.startswith("<ipython-input") or "ipykernel_" in filename or filename.startswith("<cell")

    def source(self, name: str) -> str | None:
        return self._source if name == self.exercise else None

    def python_files(self) -> dict[str, str]:
        """The notebook's code as the one file the rules' scan for tampering reads (as the batch reads
        the converted notebook: red team round 12 found ``sys.path.append('..')`` scored 20 in the
        kernel and 0 in the batch)."""
        return {f"{self.exercise}.ipynb": self._source}

    def start_rule_check(self, key: tuple) -> None:
        """The run-time check of the rules for one test, as for a file submission (the notebook's
        cells are the submission's code)."""
        ruleguard.start(ruleguard.catalogue(key), self.owns, None)

    def stop_rule_check(self) -> list:
        """End the check started by :meth:`start_rule_check`; returns its hits."""
        return ruleguard.stop()

    def running_processes(self) -> int:
        """Processes the kernel (which runs the cells) started that still run (see :class:`Submission`)."""
        return len(children(os.getpid()))

    def import_settings(self, name: str) -> None:
        """None: the cells' settings are the kernel's own, in place since the cell ran."""
        return None

    def own_caller(self) -> Any:
        """How the test calls a function for its own values (see :meth:`Submission.own_caller`)."""
        return _own_caller()

    def test_functions(self) -> Any:  # (.settings.test_functions)
        return settings.test_functions(self.owns)

    def module(self, name: str) -> types.ModuleType:
        if name != self.exercise:
            raise ExerciseUnavailable(bilingual(
                f"このノートブックは {self.exercise} の解答で、{name} ではありません。",
                f"this notebook answers {self.exercise}, not {name}.",
            ))
        return self._module

