"""Figures of the HTML report: the submission's figure function and the reference's, drawn alike.

Figures (:data:`FIGURES`) are made by calling the submission's figure function and the
reference's (``solutions/``) with the same fixed arguments:

* ``ex2_transforms``: ``plot_transform([[2, 1], [1, 2]])`` — a symmetric matrix with two real
  eigen-directions (1, 1) and (1, −1), eigenvalues 3 and 1, that maps the square to a rhombus;
* ``ex3_attention``: ``plot_temperature_effect([2, 1, 0.1, -1, -2], [0.1, 0.5, 1, 2, 5])`` — the
  chapter's logits and temperatures;
* ``ex4_gradient_descent``: ``plot_trajectories(grad_f, [(-0.5, 6), (4.5, 0), (4, 6)], 0.1, 50,
  minimum=(4/3, 8/3))`` — the chapter's figure, with the chapter's gradient given here (so the
  student's figure depends only on their plotting and ``gradient_descent``).

Each call has a time limit (:data:`FIGURE_TIMEOUT` seconds) and any exception becomes a message
in the report. Where ``solutions/`` is absent (a released student copy), the reference figure is
the PNG stored at release time in ``autograder/data/figures/<exercise>.png``. Text in figures is
drawn with a Japanese font (matplotlib-fontja's IPAexGothic), so Japanese labels render; glyphs
"""

from __future__ import annotations

import io
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..core.i18n import bilingual
from ..submission.guard import WallLimit

#: Seconds a figure function may run before it is stopped.
FIGURE_TIMEOUT = 10.0
#: Resolution of the embedded PNGs.
FIGURE_DPI = 80
#: Where a released copy keeps the reference figures.
STORED_FIGURES = Path(__file__).resolve().parents[1] / "data" / "figures"


def _chapter_grad(p: Any) -> np.ndarray:
    """∇f of the chapter's f(x, y) = (x − 2)² + (y − 3)² + 0.5·x·y (ex4), for (2,) or (..., 2) input."""
    p = np.asarray(p, dtype=np.float64)
    x, y = p[..., 0], p[..., 1]
    return np.stack([2.0 * (x - 2.0) + 0.5 * y, 2.0 * (y - 3.0) + 0.5 * x], axis=-1)


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


#: The figure of each exercise that has one (fixed, documented arguments).
FIGURES: dict[str, FigureSpec] = {
    "ex2_transforms": FigureSpec(
        "ex2_transforms", "plot_transform", "plot_transform", "plot_transform([[2, 1], [1, 2]])",
        args=([[2.0, 1.0], [1.0, 2.0]],)),
    "ex3_attention": FigureSpec(
        "ex3_attention", "plot_temperature_effect", "plot_temperature_effect",
        "plot_temperature_effect([2, 1, 0.1, -1, -2], [0.1, 0.5, 1, 2, 5])",
        args=([2.0, 1.0, 0.1, -1.0, -2.0], [0.1, 0.5, 1.0, 2.0, 5.0])),
    "ex4_gradient_descent": FigureSpec(
        "ex4_gradient_descent", "plot_trajectories", "plot_trajectories",
        "plot_trajectories(grad_f, [(-0.5, 6), (4.5, 0), (4, 6)], 0.1, 50, minimum=(4/3, 8/3))",
        args=(_chapter_grad, [(-0.5, 6.0), (4.5, 0.0), (4.0, 6.0)], 0.1, 50),
        kwargs={"minimum": (4.0 / 3.0, 8.0 / 3.0)}),
}


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
    """Render a ``matplotlib.figure.Figure`` to PNG.

    Returns:
        (PNG bytes, the messages of warnings raised while drawing — a glyph missing from the
        font shows up here).

    Raises:
        Exception: whatever matplotlib raises for a figure it cannot draw.
    """
    buf = io.BytesIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    found = []
    for w in caught:
        text = str(w.message)
        if "non-interactive" not in text and text not in found:
            found.append(text)
    return buf.getvalue(), found


def _with_time_limit(func: Callable[[], Any], seconds: float) -> Any:
    with WallLimit(seconds, _FigureTimeout):  # also where SIGALRM does not exist (Windows)
        return func()


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_copy(v) for v in value)
    return value


def draw(module: Any, spec: FigureSpec, *, timeout: float = FIGURE_TIMEOUT) -> FigureImage:
    """Call ``spec.function`` of ``module`` with the spec's arguments and render what it returns.

    Args:
        module: an exercise module, or anything whose attribute ``spec.function`` is the figure
            function (an :class:`autograder.submission.loader.ExerciseHandle` works).
        spec: the figure to draw.
        timeout: seconds before the call is stopped.

    Returns:
        :class:`FigureImage`; never raises for a problem of the function (not implemented, an
        exception, a time-out, a return value that is not a Figure).
    """
    from matplotlib.figure import Figure

    setup_matplotlib()
    try:
        func = getattr(module, spec.function)
    except BaseException as exc:  # noqa: BLE001 - a missing name or an import failure
        if isinstance(exc, KeyboardInterrupt):
            raise
        return FigureImage(error=str(exc) or type(exc).__name__)
    fig = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fig = _with_time_limit(lambda: func(*_copy(spec.args), **_copy(spec.kwargs)), timeout)
        if not isinstance(fig, Figure):
            return FigureImage(error=bilingual(
                f"{spec.function} は matplotlib.figure.Figure を返しませんでした ({type(fig).__name__} が返されました)。",
                f"{spec.function} did not return a matplotlib.figure.Figure (it returned {type(fig).__name__}).",
            ))
        png, found = figure_png(fig)
        return FigureImage(png=png, warnings=found)
    except _FigureTimeout:
        return FigureImage(error=bilingual(f"{spec.function} が {timeout:g} 秒以内に終わりませんでした。",
                                           f"{spec.function} did not finish within {timeout:g} s."))
    except NotImplementedError:
        return FigureImage(error=bilingual(f"未実装です: {spec.function}", f"not implemented: {spec.function}"))
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - the student's error, shown in the report
        return FigureImage(error=bilingual(
            f"{spec.function} で例外が発生しました: {type(exc).__name__}: {str(exc)[:500]}",
            f"{spec.function} raised {type(exc).__name__}: {str(exc)[:500]}",
        ))
    finally:
        if fig is not None and "matplotlib.pyplot" in sys.modules:
            try:
                sys.modules["matplotlib.pyplot"].close(fig)
            except Exception:  # noqa: BLE001
                pass


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
    for name in graded:
        spec = FIGURES.get(name)
        if spec is None:
            continue
        if submission is None or isinstance(submission, NoSubmission):
            reason = submission.reason if isinstance(submission, NoSubmission) else no_submission_reason()
            student = FigureImage(error=reason)
        else:
            student = draw(ExerciseHandle(submission, name), spec)
        out[name] = (student, reference_figure(spec, reference))
    return out
