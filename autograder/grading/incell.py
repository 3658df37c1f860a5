"""Grading inside a notebook: what an nbgrader test cell calls.

A test cell of a generated notebook ends with ``grade_task("ex1_vectors", "cosine_similarity",
globals())``. :func:`grade_task` runs the *same* graded tests as the pytest path, through the
same loader seam (the notebook's globals registered with
:func:`autograder.submission.loader.register_namespace`), and returns the points earned as a float — the
cell's last expression, which nbgrader records as the cell's partial credit.

It guards against nbgrader's pitfalls (measured with nbgrader 0.9.6):

* any stderr output in a graded cell gives 0 points, so everything pytest and the student's code
  write (Python-level and file-descriptor level) is captured, and only a summary is printed to
  stdout;
* a last expression that is not a float, or no output, gives full credit, so the function always
  returns a float or raises;
* a cell time-out interrupts pytest, which would report a partial score: an interrupted or
  crashed run raises :class:`GradingError` instead, so the cell errors and scores 0.

What a cell prints is what the student reads (in the notebook, and in nbgrader's feedback after
``autograde``), so a hidden test shows only its name, points and pass/fail there: the run's
audience is ``student`` (:data:`autograder.results.report.AUDIENCES`). One call grades one cell: the
hidden tests' part of the cell only turns ``include_hidden`` on (see
:func:`autograder.classroom.course.test_cell_source`), so the cell prints one score, the one nbgrader records.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from .. import EXERCISES
from ..core.i18n import bilingual, get_language
from ..submission.loader import register_namespace
from ..core.paths import tests_file
from ..results.report import is_hidden, misconception_lines, output_below_misconception, report_audience, shown_name

#: Marker that identifies test cells (they are left out of the student's code).
TEST_CELL_MARK = "grade_task("


class GradingError(RuntimeError):
    """Grading in the cell did not finish (interrupted, timed out, or pytest failed to run)."""


def is_test_cell_source(source: str) -> bool:
    """Whether a cell's code calls :func:`grade_task` (a line that starts with the call): a graded test
    cell. A comment or a string that names it does not make a cell of the student's one (red team
    round 12: an answer cell with ``# then run grade_task(...)`` was left out of the batch's module)."""
    return any(line.lstrip().startswith(TEST_CELL_MARK) for line in source.splitlines())


def notebook_source(namespace: dict[str, Any]) -> str:
    """The code the student ran in the notebook (IPython's ``In`` history), test cells left out."""
    history = namespace.get("In") or namespace.get("_ih") or []
    cells = [c for c in history if isinstance(c, str) and c.strip() and not is_test_cell_source(c)]
    return "\n\n".join(cells) + "\n"


@contextlib.contextmanager
def _silenced():
    """Capture Python-level and fd-level stdout/stderr (nothing may reach the cell's stderr).

    The kernel's own stream objects (``sys.stdout``/``sys.stderr`` before the run: ipykernel's
    ``OutStream``) write to the cell whoever holds them: a ``logging.StreamHandler`` made in an earlier
    cell, an ``ERR = sys.stderr`` kept by the student's code. Their ``write`` is sent to the capture
    too while the tests run (red team round 12: honest ``log.info`` in a task's function put stderr
    output in the graded cell, which nbgrader scores 0)."""
    buffer = io.StringIO()
    saved = []
    held = []
    with tempfile.TemporaryFile(mode="w+b") as sink:
        for fd in (1, 2):
            try:
                saved.append((fd, os.dup(fd)))
                os.dup2(sink.fileno(), fd)
            except OSError:
                pass
        try:
            for stream in {id(s): s for s in (sys.stdout, sys.stderr)}.values():
                with contextlib.suppress(AttributeError, TypeError):  # no instance dictionary: fd-level capture only
                    stream.write = buffer.write  # the instance's attribute comes before its class's method
                    held.append(stream)
            with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
                yield buffer
        finally:
            for fd, copy in saved:
                os.dup2(copy, fd)
                os.close(copy)
            for stream in held:
                with contextlib.suppress(AttributeError):
                    del stream.write


@contextlib.contextmanager
def hypothesis_home(path: Path):
    """Point hypothesis' storage (its ``.hypothesis/`` folder: example database, caches) at
    ``path`` for the run. By default it is made in the working folder, which for a notebook is
    the notebook's own: ``nbgrader autograde`` would leave it in ``autograded/`` and
    ``generate_feedback`` copy it, with the instructor's absolute paths, into the feedback."""
    from hypothesis.configuration import set_hypothesis_home_dir, storage_directory

    try:
        previous = storage_directory(intent_to_write=False).home_directory
    except (TypeError, AttributeError):  # an older hypothesis: the folder's path itself
        previous = storage_directory()
    set_hypothesis_home_dir(path)
    try:
        yield
    finally:
        set_hypothesis_home_dir(previous)


def run_task(exercise: str, task: str, namespace: dict[str, Any], *, include_hidden: bool = True,
             source: str | None = None, audience: str = "student") -> dict[str, Any]:
    """Run the graded tests of one task against a namespace and return the score report.

    Args:
        exercise: exercise module name, e.g. ``"ex3_attention"``.
        task: task name, e.g. ``"softmax"``.
        namespace: the student's globals.
        include_hidden: also run tests marked ``hidden`` (autograding does; a released notebook
            does not).
        source: the student's code for the "from scratch" rules (default: IPython's history).
        audience: ``"student"`` (default): hidden tests' messages are withheld from the report;
            ``"instructor"``: kept (``--workbook-audience``).

    Returns:
        The JSON score report (Gradescope results.json schema) of the run.

    Raises:
        GradingError: pytest did not finish the run (interrupted, usage error, no tests).
    """
    import pytest

    if exercise not in EXERCISES:
        raise GradingError(f"unknown exercise {exercise!r}")
    key = register_namespace(exercise, namespace, notebook_source(namespace) if source is None else source)
    with tempfile.TemporaryDirectory(prefix="workbook-cell-") as tmp:
        report = Path(tmp) / "score.json"
        args = [
            str(tests_file(exercise)), "-q", "-p", "no:cacheprovider",
            f"--workbook=namespace:{key}", f"--task={task}",
            f"--score-report={report}", f"--json-report-file={Path(tmp) / 'raw.json'}",
            f"--workbook-audience={audience}",
        ]
        if not include_hidden:
            args.append("--no-hidden")
        if os.environ.get("WORKBOOK_TIMEOUT"):  # per-test time limit in seconds (default: pyproject's)
            args.append(f"--workbook-timeout={float(os.environ['WORKBOOK_TIMEOUT']):g}")
        with _silenced() as log, hypothesis_home(Path(tmp) / "hypothesis"):
            code = pytest.main(args)
        if int(code) not in (0, 1) or not report.exists():
            raise GradingError(bilingual(
                f"{exercise} › {task} の採点が完了しませんでした (pytest の終了コード {int(code)})。",
                f"grading {exercise} › {task} did not finish (pytest exit code {int(code)}).",
            ) + "\n" + log.getvalue()[-2000:])
        return json.loads(report.read_text(encoding="utf-8"))


def grade_task(exercise: str, task: str, namespace: dict[str, Any], *, include_hidden: bool = True,
               points: float | None = None) -> float:
    """Grade one task in a notebook test cell; print a summary and return the points (float).

    The summary is for the student: one score line, then one line per test (✓/✗ and name); a
    failing test's message follows, except for a hidden test, which shows its points and
    pass/fail only.

    Args:
        exercise: exercise module name.
        task: task name.
        namespace: the notebook's globals.
        include_hidden: also run the tests marked ``hidden`` (the autograded cell does).
        points: the cell's points (nbgrader's ``points``); when the hidden tests are left out
            and worth the difference, the summary says how many points they are worth.

    Raises:
        GradingError: the run did not finish; the cell then errors and nbgrader gives it 0.
    """
    doc = run_task(exercise, task, namespace, include_hidden=include_hidden)
    score = float(doc["score"])
    unit = "点 / points"
    lines = [f"{exercise} › {task}: {score:g} / {doc['max_score']:g} {unit}"]
    for test in doc["tests"]:
        mark = "✓" if test["status"] == "passed" else "✗"
        name = shown_name(test, report_audience(doc)).split(" › ")[-1]
        if is_hidden(test):
            tag = "非公開テスト / hidden test"
            lines.append(f"  {mark} {name}  ({tag}, {test['max_score']:g} {unit})")
            continue
        lines.append(f"  {mark} {name}")
        if test["status"] != "passed":  # a named misconception first: the message below is cut at 12 lines
            lines.extend("      " + line for line in misconception_lines(test, "student"))
        output = output_below_misconception(test, "student")
        if test["status"] != "passed" and output:
            # 12 lines per language: in both languages the English half came after 12 lines of Japanese
            # and lost its expected and actual values (newcomer helper)
            shown = 24 if get_language() == "both" else 12
            lines.extend("      " + line for line in output.splitlines()[:shown])
    later = (points or 0.0) - float(doc["max_score"])
    if not include_hidden and later > 0:
        lines.append(bilingual(f"  (このほかに非公開テスト {later:g} 点分が提出後に採点されます)",
                               f"  (hidden tests worth {later:g} more point{'' if later == 1 else 's'} are graded after submission)",
                               sep="\n"))
    print("\n".join(lines), file=sys.stdout)
    return score
