"""nbgrader parity: a real course directory, real `nbgrader` commands and a sqlite gradebook.

Seven simulated students submit notebooks; for each, the points per task read from
``nbgrader.api.Gradebook`` must equal the points the pytest grader gives the same answers as
``.py`` files. The feedback shows one score per test cell, and a hidden test's name, points and
pass/fail but never its message.
"""

from __future__ import annotations

import copy
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder import EXERCISES
from autograder.classroom.course import (
    ZIP_COLLECT_REGEXP,
    _chunk_name,
    _split_module,
    export_grades,
    generate,
    nbgrader_config_text,
    notebook_to_py,
    submission_to_dir,
    tasks_of,
    write_exports,
)
from conftest import REPO, SOLUTIONS, VARIANTS, make_submission, run_grader

TIMEOUT = "2"  # per-test time limit for both paths, so the hanging student stays cheap
HANG_EX1_MATRIX = (
    "def cosine_similarity_matrix(A, B):\n"
    "    while True:\n"
    "        pass\n"
)
NOISY_EX1 = (
    "def cosine_similarity(a, b):\n"
    "    import sys, warnings\n"
    "    warnings.warn('old API', DeprecationWarning)\n"
    "    print('debug: computing', file=sys.stderr)\n"
    "    a = np.asarray(a, dtype=np.float64); b = np.asarray(b, dtype=np.float64)\n"
    "    if a.ndim != 1 or b.ndim != 1 or a.shape != b.shape or a.size == 0:\n"
    "        raise ValueError('need two 1-D vectors of the same length')\n"
    "    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):\n"
    "        raise ValueError('nan/inf')\n"
    "    sa, sb = np.max(np.abs(a)), np.max(np.abs(b))\n"
    "    if sa == 0 or sb == 0:\n"
    "        raise ValueError('zero vector')\n"
    "    a, b = a / sa, b / sb\n"
    "    return float(np.clip(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)), -1.0, 1.0))\n"
)
#: ex1's cosine_similarity that puts a folder on sys.path (to import a helper): the rules' scan for
#: tampering reads it in the batch and, since red team round 12, in the kernel too (it scored 20 there, 0
#: on the from-scratch tasks in the batch)
PATH_EX1 = NOISY_EX1.replace(
    "    import sys, warnings\n    warnings.warn('old API', DeprecationWarning)\n    print('debug: computing', file=sys.stderr)\n",
    "    import sys\n    sys.path.append('..')  # my helpers\n")
#: ex1's cosine_similarity that logs: with the handler of SCRATCH_CELLS, on the kernel's stderr stream
#: saved before grading (nbgrader gives 0 to a graded cell with stderr output; red team round 12)
LOGGING_EX1 = NOISY_EX1.replace(
    "    import sys, warnings\n    warnings.warn('old API', DeprecationWarning)\n    print('debug: computing', file=sys.stderr)\n",
    "    import logging\n    logging.getLogger('mywork').info('computing')\n")
#: The hidden test the "unstable" student fails, and a value only its failure message holds
#: (hypothesis is derandomized: the shift it finds is always 710).
HIDDEN_TEST = "test_softmax_shift_invariance_property"
#: Cells the "notebooky" student adds after the first answer cell: a scratch call that raises, a magic
#: and ``display`` (nbgrader runs every cell and goes on after an error; the batch grader must too).
SCRATCH_CELLS = ("import logging\nlogging.basicConfig(level=logging.INFO)  # a handler on the kernel's stderr",
                 "cosine_similarity([0.0, 0.0], [1.0, 1.0])  # zero vector?",
                 "%precision 3\ndisplay(cosine_similarity([1.0, 0.0], [0.0, 1.0]))")
HIDDEN_MESSAGE_VALUE = "c=710.0"


def _nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
               WORKBOOK_TIMEOUT=TIMEOUT, MPLBACKEND="Agg", PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=1800, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def _fill(released: nbformat.NotebookNode, answer: str) -> nbformat.NotebookNode:
    """A student's notebook: the released one with each answer cell replaced from ``answer``."""
    nb = nbformat.from_dict(json.loads(nbformat.writes(released)))
    _, chunks = _split_module(answer)
    by_name = {_chunk_name(c): c for c in chunks}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            name = meta["grade_id"].removeprefix("answer_")
            if name in by_name:
                cell.source = by_name[name]
    return nb


def _override(base: str, extra: str) -> str:
    """``base`` module text with the functions in ``extra`` replacing their namesakes."""
    _, chunks = _split_module(base)
    _, new = _split_module("import numpy as np\n" + extra)
    replace = {_chunk_name(c): c for c in new if _chunk_name(c) != "setup"}
    return "\n\n\n".join(replace.get(_chunk_name(c), c) for c in chunks) + "\n"


def _solution(name: str) -> str:
    return (SOLUTIONS / f"{name}.py").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """Build a course, release all assignments, submit for six students and autograde."""
    root = tmp_path_factory.mktemp("course")
    course = root / "course"
    assert generate(course, out=io.StringIO()) == 0
    for name in EXERCISES:
        _nbgrader(course, "generate_assignment", name, "--force")
    released = {n: nbformat.read(course / "release" / n / f"{n}.ipynb", as_version=4) for n in EXERCISES}
    wrong_ex3 = (VARIANTS / "ex3_attention" / "softmax_no_axis.py")
    unstable_ex3 = (VARIANTS / "ex3_attention" / "no_max_subtraction.py")
    students: dict[str, dict[str, str | None]] = {
        # answers as .py text per exercise (None = the untouched released notebook)
        "reference": {n: _solution(n) for n in EXERCISES},
        "stubs": {n: None for n in EXERCISES},
        "wrong": {"ex3_attention": _override(_solution("ex3_attention"), _variant_function(wrong_ex3, "softmax")),
                  "ex1_vectors": _solution("ex1_vectors")},
        "hanging": {"ex1_vectors": _override(_solution("ex1_vectors"), HANG_EX1_MATRIX)},
        "noisy": {"ex1_vectors": _override(_solution("ex1_vectors"), NOISY_EX1)},
        "tamperer": {"ex2_transforms": None},
        # fails a hidden test (and visible ones) of softmax: exp overflows without the max subtracted
        "unstable": {"ex3_attention": _override(_solution("ex3_attention"), _variant_function(unstable_ex3, "softmax"))},
        "notebooky": {"ex1_vectors": _override(_solution("ex1_vectors"), LOGGING_EX1)},  # plus SCRATCH_CELLS
        "pathfiddler": {"ex1_vectors": _override(_solution("ex1_vectors"), PATH_EX1)},
    }
    for student, answers in students.items():
        for name, answer in answers.items():
            nb = released[name] if answer is None else _fill(released[name], answer)
            if student == "tamperer":
                nb = _tamper(nb)
            if student == "notebooky":
                nb = _notebooky(nb, released["ex3_attention"])
            dest = course / "submitted" / student / name / f"{name}.ipynb"
            dest.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, dest)
    (root / "logs").mkdir()
    for name in EXERCISES:
        proc = _nbgrader(course, "autograde", name, "--force")
        (root / "logs" / f"autograde-{name}.log").write_text(proc.stdout + proc.stderr, encoding="utf-8")
    return course, root, students


def _notebooky(nb: nbformat.NotebookNode, other: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """What students' notebooks hold (red team round 12): scratch cells after the first answer cell
    (SCRATCH_CELLS), an answer cell copied with its metadata from another exercise's notebook and a
    pasted second copy of a graded cell (each stopped nbgrader 0.9's autograde of the notebook), and a
    function defined again after its graded cell."""
    first = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("solution"))
    for k, text in enumerate(SCRATCH_CELLS, start=1):
        nb.cells.insert(first + k, nbformat.v4.new_code_cell(text))
    foreign = copy.deepcopy(next(c for c in other.cells if c.metadata.get("nbgrader", {}).get("solution")))
    nb.cells.insert(first + len(SCRATCH_CELLS) + 1, foreign)
    pasted = copy.deepcopy(next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")))
    pasted["id"] = "pasted-graded-cell"  # Jupyter gives a pasted cell an id of its own (its metadata is kept)
    nb.cells.append(pasted)
    # a shorter version tried after grading: nbgrader graded the one above its graded cell, the batch too
    nb.cells.append(nbformat.v4.new_code_cell("def cosine_similarity(a, b):\n    return float(np.dot(a, b))"))
    return nb


def _variant_function(path: Path, func: str) -> str:
    _, chunks = _split_module(path.read_text(encoding="utf-8"))
    return next(c for c in chunks if _chunk_name(c) == func)


def _tamper(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Edit one graded test cell to claim full marks and delete another one."""
    tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    points = tests[0].metadata["nbgrader"]["points"]
    tests[0].source = f"{float(points)!r}"
    nb.cells.remove(tests[1])
    return nb


def _gradebook_tasks(course: Path, student: str, exercise: str) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        sub = gb.find_submission_notebook(exercise, exercise, student)
        return {g.name.removeprefix("test_"): g.score for g in sub.grades if g.name.startswith("test_")}


def _pytest_tasks(answers: dict[str, str | None], tmp: Path) -> dict[str, dict[str, float]]:
    sub = tmp / "py"
    sub.mkdir(parents=True)
    for name, answer in answers.items():
        text = answer if answer is not None else (REPO / "exercises" / f"{name}.py").read_text(encoding="utf-8")
        (sub / f"{name}.py").write_text(text, encoding="utf-8")
    run = run_grader(sub, tmp, f"--workbook-timeout={TIMEOUT}")
    assert run.score is not None, run.output
    return {e["exercise"]: {t["task"]: t["score"] for t in e["tasks"]}
            for e in run.score["extra_data"]["exercises"] if e["exercise"] in answers}


@pytest.mark.parametrize("student", ["reference", "stubs", "wrong", "hanging", "noisy", "tamperer", "unstable", "notebooky",
                                     "pathfiddler"])
def test_gradebook_points_per_task_equal_pytest_points(course, student, tmp_path):
    course_dir, _, students = course
    answers = students[student]
    expected = _pytest_tasks(answers, tmp_path)
    for exercise in answers:
        got = _gradebook_tasks(course_dir, student, exercise)
        assert got == expected[exercise], f"{student}/{exercise}: gradebook {got} != pytest {expected[exercise]}"
    # sanity of the scenario itself
    totals = {ex: sum(t.values()) for ex, t in expected.items()}
    if student == "reference":
        assert set(totals.values()) == {20}
    elif student in ("stubs", "tamperer"):
        assert set(totals.values()) == {0}
    elif student == "wrong":
        assert totals["ex1_vectors"] == 20 and 0 < totals["ex3_attention"] < 20
    elif student == "hanging":
        assert expected["ex1_vectors"]["cosine_similarity_matrix"] == 0 and totals["ex1_vectors"] > 0
    elif student in ("noisy", "notebooky"):
        assert totals["ex1_vectors"] == 20
    elif student == "pathfiddler":
        assert expected["ex1_vectors"]["cosine_similarity"] == 0  # every ex1 task is "from scratch": all 0
    elif student == "unstable":
        assert 0 < expected["ex3_attention"]["softmax"] < 7 and totals["ex3_attention"] < 20


def test_released_notebooks_contain_no_solution_and_no_hidden_test(course):
    course_dir, _, _ = course
    release = course_dir / "release"
    files = sorted(p for p in release.rglob("*") if p.is_file())
    assert files and all(p.suffix == ".ipynb" for p in files), files
    for name in EXERCISES:
        text = (release / name / f"{name}.ipynb").read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
        assert "include_hidden=True" not in text and "_include_hidden = True" not in text
        _, chunks = _split_module(_solution(name))
        solution_lines = {
            line.strip() for chunk in chunks for region in chunk.split("### BEGIN SOLUTION")[1:]
            for line in region.split("### END SOLUTION")[0].splitlines()
            if len(line.strip()) > 25 and not line.strip().startswith(("#", '"', "raise ValueError", "f\""))
        }
        stub = (REPO / "exercises" / f"{name}.py").read_text(encoding="utf-8")
        leaked = [line for line in solution_lines if line in text and line not in stub]
        assert not leaked, f"{name}: solution lines in the released notebook: {leaked[:3]}"
    hidden_tasks = [t for n in EXERCISES for t in tasks_of(n) if t.hidden_tests]
    assert hidden_tasks, "some tasks should have hidden tests"


def test_submitted_tree_converts_to_py_and_grades_the_same(course, tmp_path):
    course_dir, _, students = course
    out = tmp_path / "wrong-as-py"
    found = submission_to_dir(course_dir / "submitted" / "wrong", out)
    assert sorted(found) == ["ex1_vectors", "ex3_attention"]
    run = run_grader(out, tmp_path)
    scores = run.exercise_scores()
    for exercise in found:
        assert scores[exercise] == sum(_gradebook_tasks(course_dir, "wrong", exercise).values())


def test_the_batch_grader_runs_a_notebooks_cells_as_nbgrader_does(course, tmp_path):
    """Differential (red team round 12): a notebook with a scratch cell that raises, a magic and
    ``display`` got 20 / 20 from ``nbgrader autograde`` and 0 / 20 from the batch grader, which
    imported the converted notebook as one module. Per task, the batch's points are the gradebook's."""
    course_dir, _, _ = course
    subs = tmp_path / "subs"
    shutil.copytree(course_dir / "submitted" / "notebooky", subs / "notebooky")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "autograder.batch", str(subs), "--out", str(out), "--exercise",
                           "ex1_vectors", "--timeout", TIMEOUT, "--no-progress"], cwd=REPO, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads((out / "reports" / "notebooky.json").read_text(encoding="utf-8"))
    tasks = {t["task"]: t["score"] for e in report["extra_data"]["exercises"] for t in e["tasks"]}
    assert tasks == _gradebook_tasks(course_dir, "notebooky", "ex1_vectors")
    assert sum(tasks.values()) == 20
    assert "zero vector?) raised an error: ValueError" in " ".join(report["extra_data"]["errors"])


def test_export_distinguishes_not_submitted_and_writes_json_and_csv(course, tmp_path):
    course_dir, _, _ = course
    rows = export_grades(course_dir)
    by_key = {(r["student"], r["assignment"], r["task"]): r for r in rows}
    assert by_key[("reference", "ex3_attention", "softmax")]["status"] == "graded"
    assert by_key[("reference", "ex3_attention", "softmax")]["score"] == 7
    missing = by_key[("hanging", "ex3_attention", "softmax")]
    assert missing["status"] == "not_submitted" and missing["score"] is None
    assert by_key[("stubs", "ex5_backprop", "backward")]["score"] == 0
    write_exports(rows, tmp_path / "g.json", tmp_path / "g.csv")
    csv_text = (tmp_path / "g.csv").read_text(encoding="utf-8")
    assert "hanging,ex3_attention,softmax,test_softmax,,7.0,not_submitted" in csv_text
    assert json.loads((tmp_path / "g.json").read_text(encoding="utf-8")) == rows


def test_feedback_and_export_commands_as_in_the_readme(course):
    course_dir, _, _ = course
    _nbgrader(course_dir, "generate_feedback", "ex1_vectors", "--force")
    feedback = sorted((course_dir / "feedback").rglob("*.html"))
    assert any("reference" in str(p) for p in feedback), feedback
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run(
        [sys.executable, "-m", "autograder.course", "export", "--json", "exports/grades.json", "--csv", "exports/grades.csv"],
        cwd=course_dir, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    rows = json.loads((course_dir / "exports" / "grades.json").read_text(encoding="utf-8"))
    assert {r["status"] for r in rows} >= {"graded", "not_submitted"}
    # UTF-8 with a byte order mark, like the batch gradebook: Excel shows Japanese student ids
    raw = (course_dir / "exports" / "grades.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf" + b"student,assignment,task,grade_id,score,max_score,status")
    assert f"wrote {len(rows)} rows to exports/grades.csv" in proc.stdout, proc.stdout
    # no hypothesis cache (with the instructor's absolute paths) in what students get back
    left = sorted(str(p) for d in ("autograded", "feedback") for p in (course_dir / d).rglob(".hypothesis*"))
    assert feedback and not left, left


def test_committed_course_notebooks_are_up_to_date():
    buf = io.StringIO()
    assert generate(REPO / "course", check=True, out=buf) == 0, buf.getvalue()
    # the committed course config is the one `generate` writes for a new course
    assert (REPO / "course" / "nbgrader_config.py").read_text(encoding="utf-8") == nbgrader_config_text()


def _checksum_warnings(log: str) -> dict[str, list[str]]:
    """nbgrader's "Attribute 'checksum' for cell … has changed!" warnings per student of an autograde log."""
    found: dict[str, list[str]] = {}
    student = ""
    for line in log.splitlines():
        m = re.search(r"Sanitizing .*[/\\]submitted[/\\]([^/\\]+)[/\\]", line)
        if m:
            student = m.group(1)
            found.setdefault(student, [])
        elif "Attribute 'checksum'" in line:
            found.setdefault(student, []).append(line)
    return found


def test_honest_submissions_get_no_checksum_warning_and_edited_test_cells_do(course):
    """generate_assignment stores a graded cell with its hidden tests and releases it without them
    (jupyter/nbgrader#1961): the released form is not a change; an edited test cell is."""
    _, root, students = course
    for name in EXERCISES:
        warnings = _checksum_warnings((root / "logs" / f"autograde-{name}.log").read_text(encoding="utf-8"))
        assert set(warnings) == {s for s, answers in students.items() if name in answers}, warnings
        for student, lines in warnings.items():
            if student == "tamperer":
                assert any("test_" in line for line in lines), lines  # its edited cell is still reported
            else:
                assert not lines, (student, name, lines)
    assert any(t.hidden_tests for n in EXERCISES for t in tasks_of(n))


def test_exercise_module_converts_to_a_student_notebook_and_back(tmp_path):
    from autograder.classroom.course import build_notebook

    for name in EXERCISES:
        stub = (REPO / "exercises" / f"{name}.py").read_text(encoding="utf-8")
        nb = build_notebook(name, stub, mode="student")
        editable = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
        tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
        assert editable and tests
        assert sum(c.metadata["nbgrader"]["points"] for c in tests) == 20
        back = notebook_to_py(nb)
        compile(back, f"{name}.py", "exec")
        assert "grade_task(" not in back


def test_an_edited_locked_cell_is_read_as_released_as_nbgrader_autograde_reads_it():
    """The newcomer instructor (helper-62): a student added an import to the locked set-up cell (Colab
    and VS Code do not enforce the lock) and used it in an answer: nbgrader restores locked cells
    (OverwriteCells) and gave 18/20, the batch read the edited cell and gave 20/20. The conversion
    now puts the course's locked cells back too; answers (solution cells) stay the student's."""
    from autograder.classroom.course import build_notebook, locked_cells

    stub = (REPO / "exercises" / "ex3_attention.py").read_text(encoding="utf-8")
    nb = build_notebook("ex3_attention", stub, mode="student")
    locked = locked_cells("ex3_attention")
    setup = next(c for c in nb.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade_id") in locked
                 and not c.metadata["nbgrader"].get("grade"))
    answer = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution"))
    setup.source += "\nimport matplotlib.pyplot as plt  # added by the student\n"
    answer.source += "\nMY_ANSWER = 1  # the student's own\n"
    text = notebook_to_py(nb, "ex3_attention")
    assert "added by the student" not in text and locked[setup.metadata["nbgrader"]["grade_id"]].strip() in text
    assert "MY_ANSWER = 1" in text
    assert "added by the student" in notebook_to_py(nb)  # (without the exercise: as written)


def _cell_outputs(nb: nbformat.NotebookNode, grade_id: str) -> str:
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    return "".join(o.get("text", "") + "".join(str(v) for v in o.get("data", {}).values()) for o in cell.outputs)


def test_feedback_shows_one_score_per_cell_and_no_hidden_test_message(course, tmp_path):
    course_dir, _, _ = course
    student, exercise = "unstable", "ex3_attention"
    cells = _gradebook_tasks(course_dir, student, exercise)
    autograded = nbformat.read(course_dir / "autograded" / student / exercise / f"{exercise}.ipynb", as_version=4)
    for task in tasks_of(exercise):
        shown = _cell_outputs(autograded, f"test_{task.name}")
        # one grade_task call, one score line: the cell's points, the score the gradebook holds
        scores = [line for line in shown.splitlines() if line.startswith(f"{exercise} › {task.name}: ")]
        assert scores == [f"{exercise} › {task.name}: {cells[task.name]:g} / {task.points:g} 点 / points"], shown
    softmax = _cell_outputs(autograded, "test_softmax")
    assert cells["softmax"] < 7
    assert f"✗ {HIDDEN_TEST}" in softmax and "非公開テスト / hidden test, 1 点 / points" in softmax, softmax
    assert HIDDEN_MESSAGE_VALUE not in softmax and "x.shape=" not in softmax, softmax
    assert "softmax([1000, 1001, 1002])" in softmax  # a visible test's message is still shown

    _nbgrader(course_dir, "generate_feedback", exercise, "--force")
    feedback = (course_dir / "feedback" / student / exercise / f"{exercise}.html").read_text(encoding="utf-8")
    assert HIDDEN_TEST in feedback and "hidden test, 1 点 / points" in feedback
    assert HIDDEN_MESSAGE_VALUE not in feedback and "x.shape=" not in feedback

    # the instructor grades the same submission (batch grading, or `pytest --workbook-audience=instructor`)
    # and reads the hidden test's message in the report
    found = submission_to_dir(course_dir / "submitted" / student, tmp_path / "as-py")
    assert found == [exercise]
    run = run_grader(tmp_path / "as-py", tmp_path, "--exercise", exercise, "--workbook-audience=instructor")
    hidden = next(t for t in run.score["tests"] if t["extra_data"]["nodeid"].endswith(HIDDEN_TEST))
    assert hidden["visibility"] == "after_published" and hidden["status"] == "failed"
    assert HIDDEN_MESSAGE_VALUE in hidden["output"]
    assert run.score["extra_data"]["hidden_tests"]["audience"] == "instructor"


def test_feedback_names_the_misconception(course):
    """The "wrong" student's softmax normalises the whole matrix (the chapter's, lines 850-854): the
    autograded test cell and nbgrader's feedback say so in Japanese and English."""
    course_dir, _, _ = course
    student, exercise = "wrong", "ex3_attention"
    autograded = nbformat.read(course_dir / "autograded" / student / exercise / f"{exercise}.ipynb", as_version=4)
    softmax = _cell_outputs(autograded, "test_softmax")
    assert "考えられる誤解: " in softmax and "likely misconception: " in softmax and "850" in softmax, softmax
    _nbgrader(course_dir, "generate_feedback", exercise, "--force")
    feedback = (course_dir / "feedback" / student / exercise / f"{exercise}.html").read_text(encoding="utf-8")
    assert "考えられる誤解: " in feedback and "likely misconception: " in feedback


def test_zip_collect_as_in_the_readme_collects_lms_downloads_and_autogrades_them(tmp_path):
    """The README's path: LMS downloads in downloaded/<exercise>/archive/ → `nbgrader zip_collect`
    → submitted/ → `autograde` → the gradebook, with the course's own configuration."""
    course = tmp_path / "course"
    assert generate(course, out=io.StringIO()) == 0
    _nbgrader(course, "generate_assignment", "ex1_vectors")
    released = nbformat.read(course / "release" / "ex1_vectors" / "ex1_vectors.ipynb", as_version=4)
    honest = nbformat.writes(_fill(released, _solution("ex1_vectors")))
    archive = course / "downloaded" / "ex1_vectors" / "archive"
    archive.mkdir(parents=True)
    # one notebook per student, named by the LMS: <student id>_<anything>_<notebook>
    (archive / "山田太郎_12345_67890_ex1_vectors.ipynb").write_text(honest, encoding="utf-8")
    # one zip per student, the notebook renamed by a download, with a stale checkpoint and macOS junk
    with zipfile.ZipFile(archive / "bob.zip", "w") as zf:
        zf.writestr("work/ex1_vectors (1).ipynb", nbformat.writes(released))
        zf.writestr("work/.ipynb_checkpoints/ex1_vectors-checkpoint.ipynb", honest)
        zf.writestr("__MACOSX/work/._ex1_vectors (1).ipynb", "junk")
    # a student who edited a graded test cell (claims full marks) and deleted another
    (archive / "carol_ex1_vectors.ipynb").write_text(nbformat.writes(_tamper(_fill(released, _solution("ex1_vectors")))),
                                                     encoding="utf-8")
    # not this assignment's notebook, and not a notebook
    (archive / "dave_ex2_transforms.ipynb").write_text(honest, encoding="utf-8")
    (archive / "README.txt").write_text("downloaded from the LMS", encoding="utf-8")

    collect = _nbgrader(course, "zip_collect", "ex1_vectors")
    log = collect.stdout + collect.stderr
    assert "3 files collected, 4 files skipped" in log, log[-3000:]  # the checkpoint, __MACOSX, dave, README.txt
    submitted = sorted(p.relative_to(course / "submitted").as_posix() for p in (course / "submitted").rglob("*.ipynb"))
    assert submitted == ["bob/ex1_vectors/ex1_vectors.ipynb", "carol/ex1_vectors/ex1_vectors.ipynb",
                         "山田太郎/ex1_vectors/ex1_vectors.ipynb"], submitted

    graded = _nbgrader(course, "autograde", "ex1_vectors")
    scores = {r["student"]: 0.0 for r in export_grades(course)}
    for r in export_grades(course):
        scores[r["student"]] += r["score"]
    assert scores == {"山田太郎": 20.0, "bob": 0.0, "carol": 20.0}, scores
    warnings = _checksum_warnings(graded.stdout + graded.stderr)
    assert not warnings["山田太郎"] and not warnings["bob"], warnings
    assert any("test_cosine_similarity" in w for w in warnings["carol"]), warnings  # an edited hidden-test cell

    _nbgrader(course, "generate_feedback", "ex1_vectors")
    assert (course / "feedback" / "山田太郎" / "ex1_vectors" / "ex1_vectors.html").is_file()
    left = sorted(str(p) for d in ("autograded", "feedback") for p in (course / d).rglob(".hypothesis*"))
    assert not left, left

    # the student runs the released notebook's graded cells at home: no .hypothesis left there either
    home = tmp_path / "student"
    home.mkdir()
    (home / "ex1_vectors.ipynb").write_text(honest, encoding="utf-8")
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
               PYTHONPATH=str(REPO), MPLBACKEND="Agg", WORKBOOK_LANG="en")
    run = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                          "--output", "ran.ipynb", "ex1_vectors.ipynb"], cwd=home, env=env, capture_output=True,
                         text=True, timeout=900, stdin=subprocess.DEVNULL)
    assert run.returncode == 0, run.stderr[-3000:]
    shown = "".join(_cell_outputs(nbformat.read(home / "ran.ipynb", as_version=4), f"test_{t.name}")
                    for t in tasks_of("ex1_vectors"))
    assert "ex1_vectors › cosine_similarity: 7 / 7 点 / points" in shown, shown
    assert "hidden tests worth 2 more points are graded after submission" in shown, shown
    assert sorted(p.name for p in home.iterdir()) == ["ex1_vectors.ipynb", "ran.ipynb"]


def test_zip_collect_file_names():
    """The documented archive layout, as the course's FileNameCollectorPlugin.named_regexp reads it."""
    base = "/course/downloaded/ex3_attention/extracted/"
    cases = {
        "alice_ex3_attention.ipynb": ("alice", "ex3_attention"),
        "alice_12345_67890_ex3_attention.ipynb": ("alice", "ex3_attention"),  # Canvas
        "Taro Yamada_12345_assignsubmission_file_/ex3_attention.ipynb": ("Taro Yamada", "ex3_attention"),  # Moodle
        "山田太郎_ex3_attention (1).ipynb": ("山田太郎", "ex3_attention"),
        "alice/ex3_attention.ipynb": ("alice", "ex3_attention"),  # alice.zip
        "alice_hw3/project/work/ex3_attention-Copy1.ipynb": ("alice", "ex3_attention"),  # alice_hw3.zip
        "alice/.ipynb_checkpoints/ex3_attention-checkpoint.ipynb": None,
        "__MACOSX/alice/._ex3_attention.ipynb": None,
        "alice/ex3_attention_old.ipynb": None,
        "ex3_attention.ipynb": None,  # no student id
        "aliceex3_attention.ipynb": None,
    }
    for name, expected in cases.items():
        m = re.match(ZIP_COLLECT_REGEXP, base + name)
        got = (m["student_id"], m["file_id"]) if m else None
        assert got == expected, (name, got)
    m = re.match(ZIP_COLLECT_REGEXP, "C:\\course\\downloaded\\ex1_vectors\\extracted\\bob\\ex1_vectors.ipynb")
    assert m and (m["student_id"], m["file_id"]) == ("bob", "ex1_vectors")  # nbgrader on Windows


def test_conversion_commands_say_what_they_wrote(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO), WORKBOOK_LANG="both")

    def course(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "autograder.course", *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)

    made = course("to-notebook", str(REPO / "exercises" / "ex1_vectors.py"), "ex1.ipynb")
    assert made.returncode == 0, made.stderr
    assert "wrote ex1.ipynb (the ex1_vectors notebook" in made.stdout and "ex1.ipynb に書きました" in made.stdout
    back = course("to-py", "ex1.ipynb", "ex1_vectors.py")
    assert back.returncode == 0 and "wrote ex1_vectors.py" in back.stdout, back.stdout + back.stderr
    again = course("to-py", "ex1.ipynb", "ex1_vectors.py")
    assert again.returncode != 0 and "not overwriting" in again.stderr and "wrote" not in again.stdout


def test_a_notebook_made_from_work_in_progress_keeps_the_answer_cells_editable(tmp_path):
    """Newcomer helper: `to-notebook` of an exercise file already worked on put the student's functions
    into locked "given" cells (only the stub's `raise NotImplementedError()` marked an answer cell). The
    functions the stub asks for are answer cells whatever their body; the set-up stays given."""
    import nbformat

    from autograder.classroom.course import build_notebook

    for source in (REPO / "exercises" / "ex1_vectors.py", SOLUTIONS / "ex1_vectors.py"):
        nb = build_notebook("ex1_vectors", source.read_text(encoding="utf-8"), mode="student")
        ids = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"] for c in nb.cells if c.cell_type == "code"}
        for name in ("cosine_similarity", "cosine_similarity_matrix", "analogy"):
            assert ids[f"answer_{name}"]["solution"] and not ids[f"answer_{name}"]["locked"], (source.name, ids)
        assert ids["given_setup"]["locked"] and not ids["given_setup"]["solution"]
    assert isinstance(nb, nbformat.NotebookNode)


def test_local_grading_names_the_notebook_it_does_not_read(tmp_path):
    """Newcomer helper: a folder with ex1_vectors.ipynb graded by pytest said only "ex1_vectors.py is missing"
    (1 point locally, 6 in the batch, which converts notebooks). The message names the notebook, the batch
    grader and the conversion command; also for nbgrader's layout (ex1_vectors/ex1_vectors.ipynb)."""
    from autograder.submission.exercisefiles import missing_message

    (tmp_path / "ex1_vectors.ipynb").write_text("{}", encoding="utf-8")
    said = missing_message(tmp_path / "ex1_vectors.py")
    assert "ex1_vectors.ipynb is there, but pytest does not read notebooks" in said, said
    assert "python -m autograder.course to-py ex1_vectors.ipynb ex1_vectors.py" in said and "workbook-batch" in said
    assert "ノートブックを読みません" in said
    (tmp_path / "ex2_transforms").mkdir()
    (tmp_path / "ex2_transforms" / "ex2_transforms.ipynb").write_text("{}", encoding="utf-8")
    assert "ex2_transforms/ex2_transforms.ipynb is there" in missing_message(tmp_path / "ex2_transforms.py")
    assert "notebook" not in missing_message(tmp_path / "ex3_attention.py")
