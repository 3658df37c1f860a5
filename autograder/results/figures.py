"""Figures of the HTML report: the submission's figure function and the reference's, drawn alike.

An exercise with a figure declares it in its graded test module, as a module constant::

    FIGURE = {
        "task": "plot_trajectories",          # the graded task of the figure function
        "function": "plot_trajectories",      # the function to call (default: the task's name)
        "call": "plot_trajectories(grad_f, [(-0.5, 6), (4.5, 0), (4, 6)], 0.1, 50, minimum=(4/3, 8/3))",
        "args": (chapter_grad, [(-0.5, 6.0), (4.5, 0.0), (4.0, 6.0)], 0.1, 50),
        "kwargs": {"minimum": (4.0 / 3.0, 8.0 / 3.0)},
    }

:mod:`autograder.core.exercises` reads ``task``, ``function`` and ``call`` statically (the page
shows ``call``); ``args`` and ``kwargs`` may be any objects of the test module (a function such
as the chapter's gradient, so that the student's figure depends only on their own plotting
code), so this module imports the test module when it draws (:data:`FIGURES`). The call is made
on the submission's module and on the reference's (``solutions/``) with fresh copies of the
arguments. This workbook's figures: ``plot_transform([[2, 1], [1, 2]])`` (ex2, a symmetric
matrix with two real eigen-directions), ``plot_temperature_effect`` with the chapter's logits
and temperatures (ex3), ``plot_trajectories`` from the chapter's three starts (ex4).

The lookup of the function (the exercise's import), the call and the rendering have one time limit
together (:data:`FIGURE_TIMEOUT` seconds) and any exception becomes a message in the report. A
submission graded in isolated mode is called and rendered in its sandboxed worker
(:func:`draw_isolated`): rendering is work the submission chooses, never done in the grader. Where
``solutions/`` is absent (a released student copy), the reference figure is the PNG stored at
release time in ``autograder/data/figures/<exercise>.png``. Text in figures is
drawn with a Japanese font (matplotlib-fontja's IPAexGothic), so Japanese labels render; glyphs
"""

from __future__ import annotations

import importlib.util
import sys
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from ..core.exercises import Exercise, ExerciseError, discover
from ..core.i18n import bilingual
from ..checks.compare import GradingFailure
from ..submission.guard import WallLimit, safe_str
from ..submission.limits import MessageTooSlow, restore_wall, type_name
from ..submission.pagefigure import png_of

#: Seconds a figure function may run before it is stopped.
FIGURE_TIMEOUT = 10.0
#: Resolution of the embedded PNGs.
FIGURE_DPI = 80
#: Where a released copy keeps the reference figures.
STORED_FIGURES = Path(__file__).resolve().parents[1] / "data" / "figures"


@dataclass(frozen=True)
class FigureSpec:
    """How the report draws one exercise's figure.

    Attributes:
        exercise: exercise module name.
        task: the graded task of the figure function.
        function: the function's name in the exercise module.
        call: the call as shown in the report.
        args: positional arguments (plain data; fresh copies are made per call).
        kwargs: keyword arguments.
    """

    exercise: str
    task: str
    function: str
    call: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)


_loaded: dict[Path, tuple[int, ModuleType]] = {}


def _test_module(path: Path) -> ModuleType:
    """The graded test module at ``path``: the one pytest imported in this process, else imported
    here under a private name (again when the file changes)."""
    path = path.resolve()
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if isinstance(file, str) and file.endswith(path.name) and Path(file).resolve() == path:
            return module
    stamp = path.stat().st_mtime_ns
    if path in _loaded and _loaded[path][0] == stamp:
        return _loaded[path][1]
    spec = importlib.util.spec_from_file_location(f"_workbook_figure_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    with warnings.catch_warnings():  # outside the grader's session, its marks are unknown to pytest
        warnings.simplefilter("ignore")
        spec.loader.exec_module(module)  # type: ignore[union-attr]
    _loaded[path] = (stamp, module)
    return module


def figure_spec(exercise: Exercise) -> FigureSpec:
    """The :class:`FigureSpec` the exercise declares (``FIGURE`` in its graded tests).

    Raises:
        ExerciseError: ``FIGURE``'s ``args`` is not a tuple or list, or ``kwargs`` not a dict of
            names (bilingual).
        Exception: whatever importing the test module raises.
    """
    if exercise.figure is None:
        raise KeyError(exercise.name)
    task, function, call = exercise.figure
    declared = getattr(_test_module(exercise.tests), "FIGURE", {})
    args, kwargs = declared.get("args", ()), declared.get("kwargs", {})
    if not isinstance(args, tuple | list) or not (isinstance(kwargs, dict) and all(isinstance(k, str) for k in kwargs)):
        where = f"tests/{exercise.tests.name}"
        raise ExerciseError(bilingual(f"{where}: FIGURE の args はタプルかリスト、kwargs は名前をキーとする辞書です。",
                                      f"{where}: FIGURE's args is a tuple or a list, its kwargs a dict keyed by names."))
    return FigureSpec(exercise.name, task, function, call, tuple(args), dict(kwargs))


def figure_call(name: str) -> str:
    """The call shown for exercise ``name``'s figure (read statically: nothing is imported)."""
    for exercise in discover():
        if exercise.name == name and exercise.figure is not None:
            return exercise.figure[2]
    raise KeyError(name)


class _Figures(Mapping):
    """Exercise → :class:`FigureSpec`, for the exercises that declare a figure (:data:`FIGURES`)."""

    def _declaring(self) -> dict[str, Exercise]:
        return {e.name: e for e in discover() if e.figure is not None}

    def __getitem__(self, name: str) -> FigureSpec:
        return figure_spec(self._declaring()[name])

    def __iter__(self) -> Iterator[str]:
        return iter(self._declaring())

    def __len__(self) -> int:
        return len(self._declaring())

    def __contains__(self, name: object) -> bool:
        return name in self._declaring()


#: The figure of each exercise that declares one (``FIGURE`` in its graded tests), discovered
#: when read: a live, read-only mapping; reading an entry imports that exercise's test module.
FIGURES: Mapping[str, FigureSpec] = _Figures()


@dataclass
class FigureImage:
    """A rendered figure, or why there is none.

    Attributes:
        png: the PNG bytes (None if no figure could be made).
        error: a bilingual message when ``png`` is None.
        warnings: warnings raised while drawing (e.g. glyphs missing from the font).
    """

    png: bytes | None = None
    error: str = ""
    warnings: list[str] = field(default_factory=list)


class _FigureTimeout(BaseException):
    """Raised in the figure function when it runs past :data:`FIGURE_TIMEOUT`."""


def setup_matplotlib() -> None:
    """Headless backend and the Japanese font (matplotlib-fontja), before any figure is made."""
    import matplotlib

    if matplotlib.get_backend().lower() != "agg":
        matplotlib.use("Agg", force=True)
    try:
        import matplotlib_fontja  # noqa: F401  (sets font.family to IPAexGothic)
    except ImportError:  # pragma: no cover - a dependency of the package
        pass


def figure_png(fig: Any, *, dpi: int = FIGURE_DPI) -> tuple[bytes, list[str]]:
    """Render a ``matplotlib.figure.Figure`` to PNG, as the isolated worker does for a page
    (:func:`autograder.submission.pagefigure.png_of`).

    Returns:
        (PNG bytes, the messages of warnings raised while drawing — a glyph missing from the
        font shows up here).

    Raises:
        Exception: whatever matplotlib raises for a figure it cannot draw.
    """
    return png_of(fig, dpi=dpi)


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_copy(v) for v in value)
    return value


class _NotAFigure(Exception):
    """The figure function returned something else (its type name)."""


def _limited(spec: FigureSpec, produce: Callable[[], tuple[bytes, list[str]]], timeout: float | None) -> FigureImage:
    """``produce()`` (the figure function's lookup and import, its call and the rendering) within one
    time limit of ``timeout`` seconds (default :data:`FIGURE_TIMEOUT`), its problems as the page's message."""
    limit = FIGURE_TIMEOUT if timeout is None else timeout
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with WallLimit(limit, _FigureTimeout):  # also where SIGALRM does not exist (Windows)
                png, found = produce()
        return FigureImage(png=png, warnings=found)
    except _FigureTimeout:
        return FigureImage(error=bilingual(f"{spec.function} が {limit:g} 秒以内に終わりませんでした (ファイルの読み込みと図の描画を含みます)。",
                                           f"{spec.function} did not finish within {limit:g} s (importing the file and "
                                           "drawing the figure included)."))
    except _NotAFigure as exc:
        return FigureImage(error=bilingual(
            f"{spec.function} は matplotlib.figure.Figure を返しませんでした ({exc} が返されました)。",
            f"{spec.function} did not return a matplotlib.figure.Figure (it returned {exc}).",
        ))
    except NotImplementedError:
        return FigureImage(error=bilingual(f"未実装です: {spec.function}", f"not implemented: {spec.function}"))
    except KeyboardInterrupt:
        raise
    except GradingFailure as exc:  # a missing name, an import failure, a worker that ended: the grader's own words
        return FigureImage(error=safe_str(exc, limit=20_000) or type(exc).__name__)
    except BaseException as exc:  # noqa: BLE001 - the student's error, shown in the report
        return FigureImage(error=_exception_message(spec, exc, limit))


def _exception_message(spec: FigureSpec, exc: BaseException, limit: float) -> str:
    """The page's message for an exception of the student's figure function, made within
    :func:`~autograder.submission.limits.restore_wall` seconds: its ``__str__`` is the student's code
    and runs after the figure's own limit (a spinning one held ``workbook report --html`` for ever)."""
    name = type_name(exc)
    wall = restore_wall(limit)
    try:
        with WallLimit(wall, MessageTooSlow):
            text = safe_str(exc, limit=500)
    except MessageTooSlow:
        return bilingual(f"{spec.function} で例外 {name} が発生しましたが、そのメッセージ (__str__ など) が {wall:g} 秒以内に作れませんでした。",
                         f"{spec.function} raised {name}, but its message (__str__...) could not be made within {wall:g} s.")
    return bilingual(f"{spec.function} で例外が発生しました: {name}: {text}", f"{spec.function} raised {name}: {text}")


def draw(module: Any, spec: FigureSpec, *, timeout: float | None = None) -> FigureImage:
    """Call ``spec.function`` of ``module`` with the spec's arguments in this process and render what it
    returns (``workbook report --html --workbook DIR``, the reference figures).

    Args:
        module: an exercise module, or anything whose attribute ``spec.function`` is the figure
            function (an :class:`autograder.submission.loader.ExerciseHandle` works: the module's
            import then happens here, within the limit).
        spec: the figure to draw.
        timeout: seconds for the lookup, the call and the rendering together (default
            :data:`FIGURE_TIMEOUT`). The limit interrupts Python code; one long call into Agg's C code
            ends before it is seen: a submission graded in isolated mode is drawn by
            :func:`draw_isolated` instead.

    Returns:
        :class:`FigureImage`; never raises for a problem of the function (not implemented, an
        exception, a time-out, a return value that is not a Figure).
    """
    from matplotlib.figure import Figure

    setup_matplotlib()
    made: list[Any] = []

    def produce() -> tuple[bytes, list[str]]:
        func = getattr(module, spec.function)
        fig = func(*_copy(spec.args), **_copy(spec.kwargs))
        made.append(fig)
        if not isinstance(fig, Figure):
            raise _NotAFigure(type(fig).__name__)
        return figure_png(fig)

    try:
        return _limited(spec, produce, timeout)
    finally:
        if made and isinstance(made[0], Figure) and "matplotlib.pyplot" in sys.modules:
            try:
                sys.modules["matplotlib.pyplot"].close(made[0])
            except Exception:  # noqa: BLE001
                pass


def draw_isolated(submission: Any, exercise: str, spec: FigureSpec, *, timeout: float | None = None) -> FigureImage:
    """The student's figure of a submission graded in isolated mode: called **and rendered** in its
    sandboxed worker (:meth:`autograder.submission.isolated.IsolatedSubmission.figure_png`), the
    exercise's import, the call and the rendering within one time limit (default
    :data:`FIGURE_TIMEOUT`; one that fires kills the worker). The worker is started before the limit
    (its fork server's imports are not the submission's work).

    Returns:
        :class:`FigureImage`, like :func:`draw`.
    """
    try:
        submission.start()
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # noqa: BLE001 - no worker: the page says why
        return FigureImage(error=safe_str(exc, limit=20_000) or type(exc).__name__)

    def produce() -> tuple[bytes, list[str]]:
        png, returned, found = submission.figure_png(exercise, spec.function, _copy(spec.args), _copy(spec.kwargs),
                                                     dpi=FIGURE_DPI)
        if png is None:
            raise _NotAFigure(returned)
        return png, found

    return _limited(spec, produce, timeout)


def reference_figure(spec: FigureSpec, reference: Path | None) -> FigureImage:
    """The reference figure: drawn from ``reference/<exercise>.py`` when it exists, else the PNG
    stored in ``autograder/data/figures/`` by ``workbook release``."""
    if reference is not None and (reference / f"{spec.exercise}.py").is_file():
        from ..submission.loader import Submission

        try:
            return draw(Submission(reference).module(spec.exercise), spec)
        except Exception as exc:  # noqa: BLE001
            return FigureImage(error=str(exc))
    stored = STORED_FIGURES / f"{spec.exercise}.png"
    if stored.is_file():
        return FigureImage(png=stored.read_bytes())
    return FigureImage(error=bilingual(
        "参考解答の図はありません (参考解答のフォルダも、配布時に保存した図もありません)。"
        "描くには --reference DIR で参考解答のフォルダを指定してください。",
        "no reference figure: neither the reference solutions nor a figure stored at release time were found; "
        "pass --reference DIR (the reference solutions) to draw it."))


def default_reference() -> Path | None:
    """The repository's reference solutions (``solutions/`` next to the ``autograder`` package)
    when they are there (not in a released student copy), else None."""
    folder = Path(__file__).resolve().parents[2] / "solutions"
    return folder if any((folder / f"{name}.py").is_file() for name in FIGURES) else None


def no_submission_reason() -> str:
    """The page's text when the report does not say where the submission is."""
    return bilingual(
        "この採点レポートには提出物の場所が記録されていないため、図を描けませんでした。"
        "図は提出物から描きます: --workbook DIR を指定してください。",
        "the score report does not say where the submission is, so its figure was not drawn. "
        "Figures are drawn from the submission: pass --workbook DIR.")


@dataclass
class NoSubmission:
    """Stands for a submission that could not be opened; ``reason`` is shown where its figures go."""

    reason: str




def collect_figures(document: dict[str, Any], submission: Any, reference: Path | None
                    ) -> dict[str, tuple[FigureImage, FigureImage]]:
    """(student, reference) figures of every exercise of ``document`` that has a figure.

    Args:
        document: the results document (only its exercises are drawn).
        submission: an object with ``module(name)`` (:class:`autograder.submission.loader.Submission`), or a
            directory to open as one, or None / :class:`NoSubmission` (no student figures; the
            page says why and names ``--workbook DIR``).
        reference: the directory of the reference solutions (None or missing: stored PNGs).
    """
    from ..submission.loader import ExerciseHandle, Submission

    if isinstance(submission, str | Path):
        submission = Submission(Path(submission))
    graded = [e.get("exercise") for e in document.get("extra_data", {}).get("exercises", [])]
    out = {}
    declaring = set(FIGURES)
    for name in graded:
        if name not in declaring:
            continue
        try:
            spec = FIGURES[name]
        except Exception as exc:  # noqa: BLE001 - a broken declaration is shown where the figure goes
            out[name] = (FigureImage(error=str(exc) or type(exc).__name__),) * 2
            continue
        if submission is None or isinstance(submission, NoSubmission):
            reason = submission.reason if isinstance(submission, NoSubmission) else no_submission_reason()
            student = FigureImage(error=reason)
        else:
            student = (draw_isolated(submission, name, spec) if hasattr(submission, "figure_png")
                       else draw(ExerciseHandle(submission, name), spec))
        out[name] = (student, reference_figure(spec, reference))
    return out
