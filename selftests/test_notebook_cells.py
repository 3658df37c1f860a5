"""A notebook handed in runs cell by cell, as Jupyter and ``nbgrader autograde`` run it.

Red team round 12: converted to one module, a notebook with a top-level ``display(x)`` or a scratch
cell that raises scored 0 / 20 in the batch grader and 20 / 20 in ``nbgrader autograde`` (which runs
every cell and goes on after an error). :mod:`autograder.submission.notebookcells` runs the cells of
a converted notebook (jupytext's percent format) one by one, in local mode and in the isolated worker.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.classroom.course import notebook_to_py
from autograder.submission.loader import ExerciseUnavailable, Submission
from autograder.submission.notebookcells import MAX_CELL_ERRORS, notebook_cells
from conftest import REPO, SOLUTIONS, make_workbook, run_cli

HEADER = (
    "# ---\n# jupyter:\n#   jupytext:\n#     text_representation:\n#       extension: .py\n"
    "#       format_name: percent\n# ---\n\n"
)


def _load(tmp: Path, text: str, name: str = "ex1_vectors") -> tuple[Submission, object]:
    sub = tmp / "sub"
    sub.mkdir()
    (sub / f"{name}.py").write_text(text, encoding="utf-8")
    submission = Submission(sub)
    try:
        return submission, submission.module(name)
    except ExerciseUnavailable as exc:
        return submission, exc


def test_cells_after_an_error_still_run_and_the_error_names_its_cell(tmp_path):
    text = HEADER + (
        "# %%\nfrom __future__ import annotations\nimport numpy as np\n\n"
        "# %%\ndef first(x: NotDefinedYet) -> float:\n    return 1.0\n\n"  # future annotations carried over
        "# %%\nfirst(0) / 0  # scratch\n\n"
        "# %%\ndef second(\n\n"  # does not compile: that cell only
        "# %%\nimport sys\nsys.exit(3)\n\n"
        "# %%\ndisplay(np.arange(3))\nthird = 3\n"
    )
    submission, module = _load(tmp_path, text)
    assert not isinstance(module, Exception), module
    assert module.first(1) == 1.0 and module.third == 3
    errors = submission.cell_errors("ex1_vectors")
    assert len(errors) == 3, errors
    assert "the cell at line 17 of ex1_vectors.py (first(0) / 0  # scratch) raised an error: ZeroDivisionError" in errors[0]
    assert "17 行目からのセル" in errors[0] and "後のセルは実行して採点しました" in errors[0]
    assert "line 20" in errors[1] and "SyntaxError" in errors[1]
    assert "line 23" in errors[2] and "SystemExit: 3" in errors[2]


def test_a_function_is_graded_as_it_was_at_its_graded_cell_as_nbgrader_grades_it(tmp_path):
    """Red team round 12: nbgrader runs a task's tests at its graded cell; a later cell that defines the
    function again (a shorter try after grading) cost the batch 15 points, and an answer written below
    the graded cell got full points in the batch only."""
    text = HEADER + (
        "# %%\ndef cosine_similarity(a, b):\n    return 'right'\n\n"
        "# %%\ndef analogy(*a):\n    raise NotImplementedError\n\n"
        "# %%\n# workbook: graded cell of cosine_similarity (its tests ran here in the notebook)\n\n"
        "# %%\n# workbook: graded cell of analogy (its tests ran here in the notebook)\n\n"
        "# %%\n# workbook: graded cell of cosine_similarity_matrix\n\n"
        "# %%\n# workbook: graded cell of nothing_here\nran = True  # code after the mark: a cell of the student's\n\n"
        "# %%\ndef cosine_similarity(a, b):  # tried after grading\n    return 'shorter'\n\n"
        "# %%\ndef analogy(*a):\n    return 'written below'\n\n"
        "# %%\ndef cosine_similarity_matrix(A, B):\n    return 'below too'\n"
    )
    submission, module = _load(tmp_path, text)
    assert module.cosine_similarity(1, 2) == "right"
    assert module.ran is True
    with pytest.raises(NotImplementedError):
        module.analogy()
    assert not hasattr(module, "cosine_similarity_matrix")
    errors = submission.cell_errors("ex1_vectors")
    assert len(errors) == 3, errors
    assert "cosine_similarity of ex1_vectors.py is defined in a cell after its graded cell (line 17): graded as it was " \
           "when that cell ran, as nbgrader grades it." in errors[0]
    assert "nbgrader と同じく、採点セルの時点の cosine_similarity を採点しました" in errors[0]
    assert "(not defined yet)" in errors[2]


def test_a_traceback_of_a_cell_gives_the_files_line(tmp_path):
    text = HEADER + "# %%\nx = 1\n\n# %%\ndef broken():\n    return 1 / 0\n"
    _, module = _load(tmp_path, text)
    try:
        module.broken()
    except ZeroDivisionError as exc:
        assert exc.__traceback__.tb_next.tb_lineno == 14
        assert exc.__traceback__.tb_next.tb_frame.f_code.co_filename.endswith("ex1_vectors.py")
    else:
        raise AssertionError("no error")


def test_a_module_without_the_notebook_header_is_imported_as_python_imports_it(tmp_path):
    """A ``.py`` with ``# %%`` marks (VS Code's cells) but no jupytext header is a module: the
    first error ends its import."""
    submission, error = _load(tmp_path, "# %%\nx = 1 / 0\n\n# %%\ndef f():\n    return 1\n")
    assert isinstance(error, ExerciseUnavailable) and "ZeroDivisionError" in str(error)
    assert notebook_cells("# %%\nx = 1\n") is None
    assert notebook_cells("# ---\n# title: not jupytext\n# ---\n# %%\nx = 1\n") is None
    assert [c.line for c in notebook_cells(HEADER + "# %%\nx = 1\n# %% [markdown]\n# text\n")] == [9, 11]
    # saved on Windows (CRLF), with a byte order mark: still the notebook's cells
    assert [c.line for c in notebook_cells("\ufeff" + (HEADER + "# %%\nx = 1\n").replace("\n", "\r\n"))] == [9]


def test_many_failing_cells_are_counted_not_listed(tmp_path):
    text = HEADER + "".join(f"# %%\nraise ValueError({i})\n\n" for i in range(MAX_CELL_ERRORS + 5))
    submission, module = _load(tmp_path, text)
    errors = submission.cell_errors("ex1_vectors")
    assert len(errors) == MAX_CELL_ERRORS + 1 and "5 more cells raised errors." in errors[-1]


def _notebook(tmp: Path) -> Path:
    """The reference ex1 as a notebook, with what notebooks hold: a scratch cell that raises, a
    magic, ``display``, a comment naming ``grade_task(``."""
    out = tmp / "base.ipynb"
    subprocess.run([sys.executable, "-m", "autograder.course", "to-notebook", str(SOLUTIONS / "ex1_vectors.py"), str(out)],
                   cwd=REPO, check=True, capture_output=True)
    nb = nbformat.read(out, as_version=4)
    nb = copy.deepcopy(nb)
    first_answer = next(i for i, c in enumerate(nb.cells) if "answer_" in str(c.metadata.get("nbgrader", {}).get("grade_id")))
    # a comment that names the graded cells' call: still the student's answer cell (it was left out)
    nb.cells[first_answer].source = "# check it with grade_task(...) below\n" + nb.cells[first_answer].source
    nb.cells.insert(first_answer + 1, nbformat.v4.new_code_cell("cosine_similarity([0.0, 0.0], [1.0, 1.0])  # zero vector?"))
    nb.cells.insert(first_answer + 2, nbformat.v4.new_code_cell("%precision 3\ndisplay(cosine_similarity([1.0, 0.0], [0.0, 1.0]))"))
    # after the graded cells: a shorter version tried once graded (nbgrader graded the one above)
    nb.cells.append(nbformat.v4.new_code_cell("def cosine_similarity(a, b):\n    return float(np.dot(a, b))"))
    folder = tmp / "subs" / "nora"
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / "ex1_vectors.ipynb")
    return folder / "ex1_vectors.ipynb"


def test_a_notebook_gets_the_same_points_converted_locally_and_in_the_isolated_batch(tmp_path):
    """Differential: ``to-py`` then the student's ``workbook check`` (local mode), and the batch grader
    on the notebook itself (isolated worker): every test's outcome equal, full marks, the cell's error
    reported in both (and shown by ``workbook check``)."""
    notebook = _notebook(tmp_path)
    root = make_workbook(tmp_path)
    (root / "exercises" / "ex1_vectors.py").write_text(notebook_to_py(nbformat.read(notebook, as_version=4), "ex1_vectors"),
                                                      encoding="utf-8")
    check = run_cli(root, "check", "ex1", "--no-html")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "  the cell at line" in check.stdout and "(cosine_similarity([0.0, 0.0], [1.0, 1.0])  # zero vector?) raised" in \
        check.stdout, check.stdout
    local = json.loads((root / "reports" / "score.json").read_text(encoding="utf-8"))
    out = tmp_path / "out"
    batch = subprocess.run([sys.executable, "-m", "autograder.batch", str(tmp_path / "subs"), "--out", str(out),
                            "--exercise", "ex1_vectors", "--no-progress"], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert batch.returncode == 0, batch.stdout + batch.stderr
    report = json.loads((out / "reports" / "nora.json").read_text(encoding="utf-8"))
    outcomes = lambda doc: {t["extra_data"]["nodeid"]: t["extra_data"]["outcome"] for t in doc["tests"]}  # noqa: E731
    assert outcomes(report) == outcomes(local)
    assert report["score"] == local["score"] == 20
    for doc in (report, local):
        errors = " ".join(doc["extra_data"]["errors"])
        assert "(cosine_similarity([0.0, 0.0], [1.0, 1.0])  # zero vector?) raised an error: ValueError" in errors
        assert "display" not in errors and "precision" not in errors
