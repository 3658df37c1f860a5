"""A notebook handed in as a module runs cell by cell, as Jupyter and ``nbgrader autograde`` run it.

The batch grader converts a submitted ``.ipynb`` to a ``.py`` module with jupytext's percent format
(:func:`autograder.classroom.course.notebook_to_py`; a student's ``python -m autograder.course
to-py`` writes the same file). Imported as one module, such a file lost the notebook's own rules:
a top-level ``display(x)`` (a built-in name in a notebook) or a scratch cell that raises (trying
out a zero vector) ended the import, and every test of the exercise scored 0 where ``nbgrader
autograde`` of the same notebook, which executes every cell and goes on after a cell's error,
gave full points (red team round 12).

So the loader (:class:`autograder.submission.loader.Submission`, in local mode and in the isolated
worker alike) runs a file with jupytext's header cell by cell (:func:`notebook_cells`):

* each cell is compiled on its own, at its own lines of the file (tracebacks and the rules' line
  numbers are the file's); a ``from __future__`` import of a cell holds for the later cells, as in
  IPython;
* a cell that raises (an ``Exception`` or ``SystemExit``) or does not compile is one error in the
  report (:func:`cell_error_message`), and the cells after it run, as in Jupyter;
* ``display`` is defined as in IPython outside a notebook (it prints its arguments);
* where a task's graded cell was (a comment cell ``# workbook: graded cell of TASK`` the conversion
  leaves in its place), the function named after the task is noted: nbgrader runs the task's tests
  there, so a later cell that defines it again (a shorter version tried after grading) or for the
  first time (an answer written below the graded cell) does not change what is graded. After the
  last cell the name is bound again to what it was there, and the report says so.

IPython's magics were already comments in the converted file (jupytext). A ``.py`` file without the
header is a module, imported as Python imports it.
"""

from __future__ import annotations

import __future__
import ast
import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.i18n import bilingual

#: jupytext's header of a percent-format file: ``# ---`` ... ``format_name: percent`` ... ``# ---``.
_HEADER_END = re.compile(r"^# ---[ \t\r]*$", re.M)
_CELL_MARK = re.compile(r"^# %%(?![%])")
#: The comment cell :func:`autograder.classroom.course.notebook_to_py` leaves where a graded cell was.
GRADED_CELL_MARK = "# workbook: graded cell of"
_GRADED = re.compile(r"# workbook: graded cell of ([A-Za-z_][A-Za-z0-9_]*)\b")
_MISSING = object()

#: Most cell errors kept per exercise (a notebook of 1,000 failing cells: one line says how many more).
MAX_CELL_ERRORS = 20


@dataclass(frozen=True)
class Cell:
    """One code cell of a converted notebook.

    Attributes:
        line: the file's line of the cell's ``# %%`` mark (1-based).
        text: the file's text with every line outside the cell blanked (compiling it gives the
            file's line numbers).
    """

    line: int
    text: str


def notebook_cells(source: str) -> list[Cell] | None:
    """The cells of ``source`` when it is a notebook in jupytext's percent format, else None.

    Only a file that starts with jupytext's header (``# ---`` / ``# jupyter:`` ... ``format_name:
    percent`` ... ``# ---``) is a notebook; anything before its first ``# %%`` mark is the header.
    """
    text = source.lstrip("\ufeff")
    if not text.startswith("# ---"):
        return None
    end = _HEADER_END.search(text, 5)
    if end is None or "# jupyter:" not in text[:end.start()] or "format_name: percent" not in text[:end.start()]:
        return None
    lines = source.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if _CELL_MARK.match(line)]
    cells = []
    for first, stop in zip(starts, starts[1:] + [len(lines)]):
        cells.append(Cell(first + 1, "\n" * first + "".join(lines[first:stop])))
    return cells


def graded_task(cell: Cell) -> str | None:
    """The task whose graded cell ``cell`` stands for: a cell of one line, ``# workbook: graded cell of
    TASK ...``; None for any other cell."""
    lines = [line.strip() for line in cell.text.splitlines()[cell.line:] if line.strip()]
    found = _GRADED.match(lines[0]) if len(lines) == 1 else None
    return found.group(1) if found is not None else None


def future_flags(cell: Cell) -> int:
    """Compiler flags of the ``from __future__`` imports at the start of ``cell`` (0 if it has none or
    does not parse): IPython keeps them for the cells after it."""
    try:
        tree = ast.parse(cell.text)
    except (SyntaxError, ValueError):
        return 0
    flags = 0
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            continue
        if not (isinstance(node, ast.ImportFrom) and node.module == "__future__"):
            break
        for alias in node.names:
            feature = getattr(__future__, alias.name, None)
            flags |= getattr(feature, "compiler_flag", 0)
    return flags


def display(*objs: Any, **kwargs: Any) -> None:
    """IPython's ``display`` where no notebook shows it: print the objects (what IPython does outside
    a kernel). A notebook's cells call it as a built-in name."""
    print(*objs)


def cell_error_message(path: Path, cell: Cell, exc: BaseException) -> str:
    """The report's line for a cell of notebook file ``path`` that raised ``exc`` (or did not compile):
    the cell is named by its first line of code (a notebook's student knows the cell, not the converted
    file's line numbers) and its line in the file."""
    try:
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
    except Exception:  # noqa: BLE001 - a student's __str__
        last = type(exc).__name__
    if len(last) > 300:
        last = last[:300] + " ..."
    code = [line.strip() for line in cell.text.splitlines()[cell.line:] if line.strip() and not line.lstrip().startswith("#")]
    first = (code[0][:60] + (" ..." if len(code[0]) > 60 else "")) if code else ""
    return bilingual(
        f"{path.name} の {cell.line} 行目からのセル ({first}) でエラーが発生しました: {last}。"
        f"Jupyter や nbgrader と同じく、後のセルは実行して採点しました。",
        f"the cell at line {cell.line} of {path.name} ({first}) raised an error: {last}; the cells after it "
        f"ran and were graded, as in Jupyter and nbgrader.",
    )


def compile_cells(cells: list[Cell], compile_cell: Callable[[str, int], Any]) -> list[tuple[Cell, Any]]:
    """Each cell with its code, or with the ``SyntaxError`` (or ``ValueError``: a null byte) that
    compiling it raised: one cell that does not compile is that cell's error only, as in Jupyter.

    Args:
        cells: from :func:`notebook_cells`.
        compile_cell: ``compile_cell(text, flags)`` -> code (the loader's marked compile), ``flags``
            the ``__future__`` flags of the cells before.
    """
    compiled: list[tuple[Cell, Any]] = []
    flags = 0
    for cell in cells:
        try:
            compiled.append((cell, compile_cell(cell.text, flags)))
        except (SyntaxError, ValueError) as exc:
            compiled.append((cell, exc))
            continue
        flags |= future_flags(cell)
    return compiled


def run_cells(compiled: list[tuple[Cell, Any]], path: Path, namespace: dict[str, Any]) -> list[str]:
    """Run compiled cells in ``namespace`` one after the other, as a notebook kernel does.

    Args:
        compiled: from :func:`compile_cells`.
        path: the file (for messages).
        namespace: the module's namespace (``display`` is put there first).

    Returns:
        The messages of the cells that raised or did not compile (at most
        :data:`MAX_CELL_ERRORS`, then one line with how many more).

    Raises:
        BaseException: anything but ``Exception`` and ``SystemExit`` (Ctrl-C, the grader's time
            limits) ends the run of the cells, as it ends an import.
    """
    namespace.setdefault("display", display)
    errors: list[str] = []
    failed = 0
    graded: dict[str, tuple[Cell, Any]] = {}  # task -> (its graded cell, the task's function there)
    for cell, code in compiled:
        task = graded_task(cell)
        if task is not None:
            graded.setdefault(task, (cell, namespace.get(task, _MISSING)))  # the first: nbgrader's graded cell
            continue
        try:
            if isinstance(code, BaseException):
                raise code
            exec(code, namespace)  # noqa: S102 - this is the submission being graded
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - the cell's error: the next cells run
            failed += 1
            if len(errors) < MAX_CELL_ERRORS:
                errors.append(cell_error_message(path, cell, exc))
    if failed > len(errors):
        more = failed - len(errors)
        errors.append(bilingual(f"ほかに {more} 個のセルでエラーが発生しました。",
                                f"{more} more cell{'' if more == 1 else 's'} raised errors."))
    for task, (cell, there) in graded.items():
        if namespace.get(task, _MISSING) is there:
            continue
        if there is _MISSING:
            namespace.pop(task, None)
        else:
            namespace[task] = there
        errors.append(bilingual(
            f"{path.name} の {task} は採点セル ({cell.line} 行目) より後のセルで定義されています。nbgrader と同じく、"
            f"採点セルの時点の {task} を採点しました" + ("" if there is not _MISSING else " (その時点では未定義)") + "。",
            f"{task} of {path.name} is defined in a cell after its graded cell (line {cell.line}): graded as it was "
            f"when that cell ran, as nbgrader grades it" + ("" if there is not _MISSING else " (not defined yet)") + "."))
    return errors


def checked_cell_errors(found: Any) -> tuple[str, ...]:
    """The isolated worker's reply of cell errors as the grader keeps it: strings only, at most as many
    as :func:`run_cells` makes (:data:`MAX_CELL_ERRORS`, a count, one per graded task: 20 more), each
    of at most 2,000 characters (the worker runs the student's code)."""
    if not isinstance(found, list):
        return ()
    return tuple(e[:2_000] for e in found[:MAX_CELL_ERRORS + 21] if type(e) is str)


__all__ = ["GRADED_CELL_MARK", "MAX_CELL_ERRORS", "Cell", "cell_error_message", "checked_cell_errors", "compile_cells",
           "display", "future_flags", "graded_task", "notebook_cells", "run_cells"]
