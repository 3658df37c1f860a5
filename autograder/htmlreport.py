"""The HTML report: points, messages and, for figure tasks, the student's figure beside the reference.

Written by the pytest plugin at the end of a run (``--html-report=PATH``, from the same results
document as the JSON report) and by ``workbook report`` (``python -m autograder.htmlreport``).
The page is one self-contained file (CSS inline, figures embedded as base64 PNG), in the language
in force (:mod:`autograder.i18n`).

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
missing from the font are reported under the figure.

The page's own text uses the same font wherever the reader's system has no Japanese font: a
subset of IPAexGothic holding exactly the non-ASCII characters of the page (fontTools' subsetter,
WOFF2 when ``brotli`` is installed, else TrueType) is embedded as a base64 ``@font-face``
(:func:`embedded_font_css`), listed after the system's Japanese fonts, so the page stays one
self-contained file and Japanese text never renders as boxes (□).
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import json
import re
import sys
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import EXERCISES, __version__
from .guard import WallLimit
from .i18n import bilingual, get_language
from .report import AUDIENCES, OUTCOME_LABELS, TITLES, is_hidden, report_audience, shown_output

#: Seconds a figure function may run before it is stopped.
FIGURE_TIMEOUT = 10.0
#: Resolution of the embedded PNGs.
FIGURE_DPI = 80
#: Where a released copy keeps the reference figures.
STORED_FIGURES = Path(__file__).resolve().parent / "data" / "figures"
#: The family name of the font subset embedded in the page (IPAexGothic, as in the figures).
EMBEDDED_FONT = "Workbook IPAexGothic"


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
            function (an :class:`autograder.loader.ExerciseHandle` works).
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
        from .loader import Submission

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
    folder = Path(__file__).resolve().parent.parent / "solutions"
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


def submission_from_report(document: dict[str, Any], staging: Path) -> Any:
    """The submission a score report names, opened for drawing its figures, or why it cannot be.

    A batch report names the submission as handed in (``extra_data.batch``: ``submission``, the
    folder or zip, and ``kind``); it is read the way the batch grader read it
    (:func:`autograder.batch.prepare`: a zip is extracted into ``staging``, notebooks converted)
    and its code runs in the sandboxed worker, as in batch grading
    (:class:`autograder.isolated.IsolatedSubmission`). Any other report whose ``extra_data.target``
    is an existing absolute folder is opened the same way.

    Returns:
        An ``IsolatedSubmission`` (close it), or :class:`NoSubmission` with the reason (bilingual,
        naming ``--workbook DIR``).
    """
    extra = document.get("extra_data", {}) or {}
    batch = extra.get("batch") or {}
    where = str(batch.get("submission") or "")
    kind = str(batch.get("kind") or "")
    if not where:
        target = str(extra.get("target") or "")
        if target and Path(target).is_absolute() and Path(target).is_dir():
            where, kind = target, "dir"
    if not where:
        return NoSubmission(no_submission_reason())
    how = bilingual("図は提出物から描きます: --workbook DIR を指定してください。",
                    "Figures are drawn from the submission: pass --workbook DIR.", sep=" ")
    path = Path(where)
    if not path.exists():
        return NoSubmission(bilingual(
            f"採点レポートに記録された提出物 {where} が見つかりません。{how}",
            f"the submission the score report names, {where}, is not there. {how}", sep=" "))
    from .isolated import IsolatedSubmission, confinement

    if confinement().kind == "none":
        return NoSubmission(bilingual(
            f"提出物 {where} のコードを閉じ込めて実行するサンドボックスがこのマシンにないため、図を描きませんでした"
            f" (root で実行するか bubblewrap を入れてください)。信頼できる提出物なら --workbook DIR を指定すると"
            f"このプロセスで描きます。",
            f"no sandbox on this machine to run the code of the submission {where}, so its figure was not drawn "
            f"(run as root or install bubblewrap). {how} (for trusted code: it then runs in this process)", sep=" "))
    try:
        if kind in ("zip", "dir", "nbgrader"):
            from .batch import Job, prepare

            target = prepare(Job(str(batch.get("student", "")), kind, path, label=path.name), staging).target
        else:
            target = path
        return IsolatedSubmission(target)
    except Exception as exc:  # noqa: BLE001 - the page says why
        return NoSubmission(bilingual(f"提出物 {where} を開けませんでした ({exc})。{how}",
                                      f"could not open the submission {where} ({exc}). {how}", sep=" "))


def collect_figures(document: dict[str, Any], submission: Any, reference: Path | None
                    ) -> dict[str, tuple[FigureImage, FigureImage]]:
    """(student, reference) figures of every exercise of ``document`` that has a figure.

    Args:
        document: the results document (only its exercises are drawn).
        submission: an object with ``module(name)`` (:class:`autograder.loader.Submission`), or a
            directory to open as one, or None / :class:`NoSubmission` (no student figures; the
            page says why and names ``--workbook DIR``).
        reference: the directory of the reference solutions (None or missing: stored PNGs).
    """
    from .loader import ExerciseHandle, Submission

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


# --- the page ---------------------------------------------------------------------------------

def _t(ja: str, en: str) -> str:
    return html.escape(bilingual(ja, en, sep=" / "))


def _fmt(x: float) -> str:
    return f"{x:g}"



_CSS = """
:root { --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --line: #d0d7de; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", "Hiragino Sans", "Noto Sans CJK JP", "Noto Sans JP",
  "IPAexGothic", "Yu Gothic", "Meiryo", sans-serif, "Workbook IPAexGothic"; color: #1f2328; background: #fff; line-height: 1.55; }
header { padding: 20px 32px 16px; border-bottom: 1px solid var(--line); background: var(--soft); }
header h1 { margin: 0 0 6px; font-size: 22px; }
.meta { color: #59636e; font-size: 13px; }
.total { display: flex; align-items: center; gap: 16px; margin-top: 10px; font-size: 18px; font-weight: 600; }
.bar { flex: 0 0 260px; height: 10px; border-radius: 5px; background: #e6e9ed; overflow: hidden; }
.bar > span { display: block; height: 100%; background: var(--ok); }
.bar.low > span { background: var(--bad); } .bar.mid > span { background: #d4a72c; }
nav { display: flex; flex-wrap: wrap; gap: 8px; padding: 12px 32px; border-bottom: 1px solid var(--line); }
nav a { text-decoration: none; color: inherit; border: 1px solid var(--line); border-radius: 16px; padding: 2px 12px;
  font-size: 13px; }
nav a.done { border-color: var(--ok); color: var(--ok); }
main { padding: 8px 32px 32px; max-width: 1280px; }
section { border-bottom: 1px solid var(--line); padding: 18px 0 22px; }
h2 { font-size: 18px; margin: 0 0 4px; display: flex; gap: 12px; align-items: baseline; flex-wrap: wrap; }
h2 .score { font-size: 15px; padding: 1px 10px; border-radius: 12px; color: #fff; background: var(--bad); }
h2 .score.ok { background: var(--ok); }
h3 { font-size: 15px; margin: 18px 0 6px; }
table { border-collapse: collapse; font-size: 14px; margin-top: 6px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 14px 4px 0; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.ok { color: var(--ok); } .bad { color: var(--bad); }
.test { border: 1px solid var(--line); border-left: 4px solid var(--bad); border-radius: 6px; margin: 10px 0;
  padding: 8px 12px; }
.test .name { font-weight: 600; font-size: 14px; }
.test.todo { border-left-color: #8c959f; } .test.todo ul { margin: 6px 0 2px; padding-left: 20px; font-size: 14px; }
.tag { display: inline-block; font-size: 12px; border-radius: 10px; padding: 0 8px; margin-left: 6px;
  background: #ffebe9; color: var(--bad); font-weight: 500; }
pre { background: var(--soft); border-radius: 6px; padding: 8px 10px; margin: 6px 0 0; overflow-x: auto;
  font-size: 12.5px; white-space: pre-wrap; word-break: break-word;
  font-family: ui-monospace, "SFMono-Regular", "Noto Sans Mono CJK JP", "Menlo", "Consolas", monospace,
  "Workbook IPAexGothic"; }
.hint { font-size: 13px; color: #59636e; margin-top: 4px; }
code { font-family: ui-monospace, "Noto Sans Mono CJK JP", monospace, "Workbook IPAexGothic"; font-size: 13px; background: var(--soft);
  padding: 1px 4px; border-radius: 4px; }
.figs { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; margin-top: 8px; }
.figs.wide { grid-template-columns: minmax(0, 1fr); }
figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 8px; background: #fff; }
figure img { width: 100%; height: auto; display: block; }
figcaption { font-size: 13px; color: #59636e; margin-bottom: 6px; }
figure .missing { padding: 24px 12px; color: var(--bad); background: #fff8f7; border-radius: 4px; font-size: 14px;
  white-space: pre-wrap; }
.warn { color: var(--warn); font-size: 12px; margin-top: 4px; }
details summary { cursor: pointer; font-size: 14px; color: #59636e; margin-top: 10px; }
ul.passed { font-size: 13px; color: #59636e; margin: 6px 0; }
.errors { border: 1px solid var(--bad); background: #fff8f7; border-radius: 6px; padding: 8px 12px; margin-top: 14px; }
footer { color: #59636e; font-size: 12px; padding: 0 32px 24px; }
"""


def font_file() -> Path | None:
    """The TrueType file of the figures' Japanese font (matplotlib-fontja's IPAexGothic), or None."""
    try:
        import matplotlib_fontja
    except ImportError:  # pragma: no cover - a dependency of the package
        return None
    fonts = Path(matplotlib_fontja.__file__).resolve().parent / "fonts"
    found = sorted(fonts.glob("ipaexg*.ttf")) or sorted(fonts.glob("*.ttf"))
    return found[0] if found else None


def page_characters(page: str) -> str:
    """The distinct characters a reader can see on ``page`` (text and attribute values, not tags,
    CSS or embedded data), sorted."""
    text = re.sub(r"<style>.*?</style>|data:[^\"']*", " ", page, flags=re.S)
    visible = re.findall(r">([^<]*)<|\b(?:alt|title)=\"([^\"]*)\"", text)
    return "".join(sorted(set(html.unescape("".join(a + b for a, b in visible)))))


def embedded_font_css(characters: str, *, family: str = EMBEDDED_FONT) -> str:
    """An ``@font-face`` rule that embeds the subset of IPAexGothic holding the non-ASCII
    ``characters`` (ASCII is in every system font), as base64 WOFF2 (TrueType without ``brotli``).

    Returns:
        The CSS rule; "" when there is nothing to embed (no non-ASCII character, or the font or
        fontTools is missing: the page then relies on the system's fonts).
    """
    wanted = "".join(c for c in characters if ord(c) > 0x7E)
    path = font_file()
    if not wanted or path is None:
        return ""
    try:
        from fontTools import subset
    except ImportError:  # pragma: no cover - fontTools comes with matplotlib
        return ""
    try:
        import brotli  # noqa: F401  (fontTools' WOFF2 writer needs it)

        flavor, mime, fmt = "woff2", "font/woff2", "woff2"
    except ImportError:
        flavor, mime, fmt = None, "font/ttf", "truetype"
    options = subset.Options()
    options.flavor = flavor
    options.hinting = False  # browsers do not need TrueType hinting; a third of the size
    options.desubroutinize = True
    options.notdef_outline = True
    try:
        font = subset.load_font(str(path), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=wanted)
        subsetter.subset(font)
        buf = io.BytesIO()
        subset.save_font(font, buf, options)
    except Exception as exc:  # noqa: BLE001 - a page without the font beats no page
        warnings.warn(f"the Japanese font could not be embedded in the HTML report: {exc}", stacklevel=2)
        return ""
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (f'@font-face {{ font-family: "{family}"; font-style: normal; '
            f'src: url(data:{mime};base64,{data}) format("{fmt}"); }}')


def _bar(score: float, max_score: float, *, width: str = "") -> str:
    frac = 0.0 if not max_score else max(0.0, min(1.0, score / max_score))
    level = "" if frac >= 0.8 else ("mid" if frac >= 0.4 else "low")
    style = f' style="flex-basis:{width}"' if width else ""
    return f'<div class="bar {level}"{style}><span style="width:{frac * 100:.1f}%"></span></div>'


def _aspect(png: bytes) -> float:
    """Width / height of a PNG, read from its IHDR chunk (1.0 if unreadable)."""
    if len(png) < 24 or png[:8] != b"\x89PNG\r\n\x1a\n":
        return 1.0
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    return width / height if height else 1.0


def _img(image: FigureImage, alt: str) -> str:
    if image.png is None:
        return f'<div class="missing">{html.escape(image.error)}</div>'
    data = base64.b64encode(image.png).decode("ascii")
    out = f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'
    glyphs = [w for w in image.warnings if "Glyph" in w or "missing from" in w]
    if glyphs:
        out += f'<div class="warn">{_t("フォントにない文字があります", "glyphs missing from the font")}: ' \
               f'{html.escape("; ".join(glyphs[:3]))}</div>'
    return out


def render_html(document: dict[str, Any], figures: dict[str, tuple[FigureImage, FigureImage]] | None = None,
                *, generated_at: str | None = None, audience: str | None = None) -> str:
    """The report page for a results document.

    Args:
        document: the JSON score report (Gradescope results.json schema with ``extra_data``).
        figures: exercise → (student, reference) figures (see :func:`collect_figures`).
        generated_at: a timestamp shown in the header (default: none).
        audience: ``"student"``: a hidden test shows only its name, points and pass/fail, even
            when the document holds its message (an instructor's report); ``"instructor"``:
            everything the document holds. Default: the audience the document was made for
            (:func:`autograder.report.report_audience`).

    Returns:
        The HTML text (UTF-8, self-contained).
    """
    figures = figures or {}
    audience = audience or report_audience(document)
    lang = get_language()
    extra = document.get("extra_data", {})
    summaries = extra.get("exercises", [])
    tests = document.get("tests", [])
    score, max_score = float(document.get("score", 0.0)), float(document.get("max_score", 0.0))
    graded_at = extra.get("graded_at", {})
    parts: list[str] = []
    w = parts.append
    w("<!DOCTYPE html>")
    w(f'<html lang="{"en" if lang == "en" else "ja"}"><head><meta charset="utf-8">')
    w('<meta name="viewport" content="width=device-width, initial-scale=1">')
    w(f"<title>{_t('採点レポート', 'Workbook report')} — {html.escape(_fmt(score))}/{html.escape(_fmt(max_score))}</title>")
    style_at = len(parts)  # the style sheet is written last: it embeds the font for the page's text
    w("")
    w("</head><body>")
    w("<header>")
    w(f"<h1>{_t('Transformer の数学 演習ワークブック — 採点レポート', 'Transformer-math workbook — grading report')}</h1>")
    meta = []
    if extra.get("target"):  # a label is never shown with nothing after it
        meta.append(f"{_t('対象', 'target')}: <code>{html.escape(str(extra['target']))}</code>")
    if generated_at:
        meta.append(f"{_t('作成', 'generated')}: {html.escape(generated_at)}")
    if extra.get("partial"):
        meta.append(_t("一部のみ採点", "partial run"))
    meta.append(f"workbook {html.escape(str(extra.get('workbook_version', __version__)))}")
    w(f'<div class="meta">{" · ".join(meta)}</div>')
    w(f'<div class="total"><span>{_t("合計", "Total")}: {_fmt(score)} / {_fmt(max_score)} '
      f'{_t("点", "points")}</span>{_bar(score, max_score)}</div>')
    w("</header>")
    if summaries:
        w("<nav>")
        for s in summaries:
            done = s["score"] == s["max_score"] and s["max_score"] > 0
            w(f'<a class="{"done" if done else ""}" href="#{html.escape(s["exercise"])}">{html.escape(s["exercise"])} '
              f'{_fmt(s["score"])}/{_fmt(s["max_score"])}</a>')
        w("</nav>")
    w("<main>")
    errors = extra.get("errors", [])
    if errors:
        w(f'<div class="errors"><strong>{_t("採点の問題", "grading problems")}</strong>')
        for err in errors:
            w(f"<pre>{html.escape(err)}</pre>")
        w("</div>")
    for s in summaries:
        name = s["exercise"]
        ja, en = TITLES.get(name, (s.get("title_ja", ""), s.get("title_en", "")))
        ok = s["score"] == s["max_score"] and s["max_score"] > 0
        w(f'<section id="{html.escape(name)}">')
        w(f'<h2><span>{html.escape(name)} — {html.escape(bilingual(ja, en, sep=" / "))}</span>'
          f'<span class="score {"ok" if ok else ""}">{_fmt(s["score"])} / {_fmt(s["max_score"])}</span></h2>')
        sub = f'{_t("合格テスト", "tests passed")}: {s["tests_passed"]}/{s["tests_total"]}'
        if name in graded_at:
            sub += f' · {_t("採点", "graded")}: {html.escape(str(graded_at[name]))}'
        w(f'<div class="meta">{sub}</div>')
        w(f'<table><tr><th>{_t("課題", "task")}</th><th>{_t("得点", "points")}</th><th></th></tr>')
        for task in s.get("tasks", []):
            t_ok = task["score"] == task["max_score"]
            mark = '<span class="ok">✓</span>' if t_ok else '<span class="bad">✗</span>'
            w(f'<tr><td>{mark} <code>{html.escape(task["task"])}</code></td>'
              f'<td class="num">{_fmt(task["score"])}/{_fmt(task["max_score"])}</td>'
              f'<td>{_bar(task["score"], task["max_score"], width="120px")}</td></tr>')
        w("</table>")
        ex_tests = [t for t in tests if t.get("extra_data", {}).get("exercise") == name]
        failing = [t for t in ex_tests if t.get("status") != "passed"]
        passing = [t for t in ex_tests if t.get("status") == "passed"]
        if failing:
            w(f"<h3>{_t('失敗したテスト', 'Failing tests')} ({len(failing)})</h3>")
            hinted: set[str] = set()
            # a stub fails every test of a task the same way: one line per task, not one card per test
            todo: dict[str, list[dict[str, Any]]] = {}
            for t in failing:
                if t.get("extra_data", {}).get("outcome") == "not_implemented":
                    todo.setdefault(t["extra_data"].get("task", ""), []).append(t)
            if todo:
                w('<div class="test todo"><div class="name">'
                  f'{_t("未実装の課題", "Tasks not implemented yet")}<span class="tag">{_t("未実装", "not implemented")}</span></div><ul>')
                for task, items in todo.items():
                    pts = sum(float(t.get("max_score", 0)) for t in items)
                    cmd = f"<code>workbook hint {html.escape(name)} {html.escape(task)}</code>"
                    # the label and its command stay together: never "ヒント:  / ... Hint: cmd"
                    text = _t(f"{len(items)} テスト、{_fmt(pts)} 点。", f"{len(items)} test{'' if len(items) == 1 else 's'}, {_fmt(pts)} point{'' if pts == 1 else 's'}.")
                    w(f'<li><code>{html.escape(task)}</code> — {text} {_t("ヒント", "Hint")}: {cmd}</li>')
                    hinted.add(task)
                w("</ul></div>")
            for t in failing:
                if t.get("extra_data", {}).get("outcome") == "not_implemented":
                    continue
                ed = t.get("extra_data", {})
                label_ja, label_en = OUTCOME_LABELS.get(ed.get("outcome", "failed"), ("不合格", "failed"))
                test_name = t["name"].split(" › ", 2)[-1]
                hidden = is_hidden(t)
                w('<div class="test">')
                w(f'<div class="name">{html.escape(ed.get("task", ""))} › {html.escape(test_name)}'
                  f'<span class="tag">{_t(label_ja, label_en)}</span>'
                  + (f'<span class="tag">{_t("非公開テスト", "hidden test")}</span>' if hidden else "")
                  + f'<span class="meta"> ({_fmt(t.get("max_score", 0))} {_t("点", "pt")})</span></div>')
                output = shown_output(t, audience)
                if output:
                    w(f"<pre>{html.escape(output)}</pre>")
                task = ed.get("task", "")
                if task and task not in hinted and not (hidden and audience != "instructor"):
                    hinted.add(task)
                    w(f'<div class="hint">{_t("ヒント", "hint")}: <code>workbook hint {html.escape(name)} '
                      f'{html.escape(task)}</code></div>')
                w("</div>")
        if passing:
            w(f"<details><summary>{_t('合格したテスト', 'Passing tests')} ({len(passing)})</summary><ul class=\"passed\">")
            for t in passing:
                w(f"<li>✓ {html.escape(t['name'])}</li>")
            w("</ul></details>")
        if name in figures:
            student, reference = figures[name]
            spec = FIGURES[name]
            w(f"<h3>{_t('図', 'Figure')}: <code>{html.escape(spec.call)}</code></h3>")
            wide = any(_aspect(img.png) > 1.8 for img in (student, reference) if img.png)
            w(f'<div class="figs{" wide" if wide else ""}">')
            w(f'<figure><figcaption>{_t("あなたの図", "Your figure")}</figcaption>{_img(student, "student figure")}</figure>')
            w(f'<figure><figcaption>{_t("参考解答の図", "Reference figure")}</figcaption>'
              f'{_img(reference, "reference figure")}</figure>')
            w("</div>")
        w("</section>")
    if not summaries:
        w(f"<p>{_t('採点されたテストがありません。', 'no graded tests.')}</p>")
    w("</main>")
    w(f"<footer>{_t('このページは採点結果 JSON から作られています。', 'Made from the JSON score report.')} "
      f"{_t('図は同じ引数で呼んだあなたの関数と参考解答の関数の出力です。', 'Figures: your function and the reference function, called with the same arguments.')}"
      "</footer>")
    w("</body></html>")
    font_face = embedded_font_css(page_characters("\n".join(parts)))
    parts[style_at] = f"<style>{font_face}{_CSS}</style>"
    return "\n".join(parts) + "\n"


def write_html(path: Path, document: dict[str, Any], *, submission: Any = None, reference: Path | None = None,
               generated_at: str | None = None, audience: str | None = None) -> Path:
    """Draw the figures and write the report to ``path`` (atomically).

    Args:
        path: the HTML file to write (parent directories are created).
        document: the results document.
        submission: see :func:`collect_figures`.
        reference: the reference solutions' directory (missing: stored PNGs are used).
        generated_at: the header's timestamp (default: now, UTC).
        audience: who reads the page (see :func:`render_html`).

    Returns:
        ``path``.
    """
    import datetime as _dt
    import os

    if generated_at is None:
        generated_at = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()
    figures = collect_figures(document, submission, reference)
    text = render_html(document, figures, generated_at=generated_at, audience=audience)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def main(argv: list[str] | None = None) -> int:
    """``python -m autograder.htmlreport DOCUMENT.json --out PATH [--workbook DIR] [--reference DIR]
    [--audience student|instructor]`` (default ``student``: a page made from an instructor's report,
    e.g. a batch report, still shows a hidden test's name, points and pass/fail only)."""
    parser = argparse.ArgumentParser(prog="python -m autograder.htmlreport", description=__doc__.splitlines()[0])
    parser.add_argument("document", type=Path, help="a JSON score report")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--workbook", type=Path,
                        help="the graded directory, for the student's figures, run in this process (default: the "
                             "submission a batch report names, run in the sandboxed worker)")
    parser.add_argument("--reference", type=Path,
                        help="the reference solutions (default: this repository's solutions/ when present, "
                             "else the figures stored at release time)")
    parser.add_argument("--audience", choices=AUDIENCES, default="student",
                        help="who reads the page: student (default; hidden tests without their messages) or instructor")
    args = parser.parse_args(argv)
    setup_matplotlib()
    document = json.loads(args.document.read_text(encoding="utf-8"))
    reference = args.reference if args.reference is not None else default_reference()
    with tempfile.TemporaryDirectory(prefix="workbook-html-") as staging:
        submission: Any = None
        if args.workbook is not None:
            from .loader import NotAWorkbookError, Submission

            try:
                submission = Submission(args.workbook)
            except NotAWorkbookError as exc:
                print(exc, file=sys.stderr)
                submission = NoSubmission(bilingual(f"--workbook {args.workbook} を開けませんでした: {exc}",
                                                    f"--workbook {args.workbook} could not be opened: {exc}", sep=" "))
        else:
            submission = submission_from_report(document, Path(staging))
        try:
            write_html(args.out, document, submission=submission, reference=reference, audience=args.audience)
        finally:
            if hasattr(submission, "close"):
                submission.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
