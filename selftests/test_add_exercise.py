"""An exercise is one unit the grader discovers (docs/authoring.md, "Add an exercise").

The first test follows the documented steps with a throwaway ``ex10_scalar`` in a temporary copy
of the repository, running the copy's own commands (``PYTHONPATH`` = the copy, so its
``autograder`` package is the one imported and ``paths.REPO_ROOT`` is the copy): the exercise,
worth 5 points (not 20), is graded, appears in the score table, the JSON report and, with the
figure it declares, the HTML report; the "from scratch" rule it declares costs a variant that
breaks it that task's point, in local and isolated mode; it is released in a student copy and
becomes an nbgrader notebook; and no file under the copy's ``autograder/`` changed. The other
tests are the errors and the order of discovery (:mod:`autograder.core.exercises`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.course import zip_collect_regexp
from autograder.core.exercises import EXERCISES, ExerciseError, discover, names, sort_key, total_points
from autograder.core.scratch import FromScratchRule
from conftest import REPO

NAME = "ex10_scalar"

SOLUTION = '''\
"""演習 10: スカラー倍 (自己テスト用の小さな演習)

ベクトル v の各成分に実数 s を掛けたベクトル s·v と、成分の絶対値の和 ‖v‖₁ を求めます。

Exercise 10: scalar multiple (a tiny exercise of the self-tests)

Compute s·v, every entry of the vector v multiplied by the real number s, and ‖v‖₁, the sum of
the absolute values of the entries.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure


def scale(v, s):
    """s·v: a float64 array of the shape of v. / s·v (v と同じ形の float64 配列)。"""
    ### BEGIN SOLUTION
    return float(s) * np.asarray(v, dtype=np.float64)
    ### END SOLUTION


def norm1(v):
    """‖v‖₁ = Σ |v_i| as a Python float. / ‖v‖₁ = Σ |v_i| (Python の float)。"""
    ### BEGIN SOLUTION
    return float(np.sum(np.abs(np.asarray(v, dtype=np.float64))))
    ### END SOLUTION


def plot_scaled(v, s):
    """A bar chart of s·v, one bar per entry, as a matplotlib Figure. / s·v の棒グラフ (Figure)。"""
    ### BEGIN SOLUTION
    fig = Figure()
    ax = fig.add_subplot()
    ax.bar(range(len(v)), scale(v, s))
    return fig
    ### END SOLUTION


HINTS = {
    "scale": [
        ("各成分に s を掛けます。", "Multiply every entry by s."),
        ("まず float64 の NumPy 配列にします。", "First make v a float64 NumPy array."),
    ],
    "norm1": [
        ("絶対値を足し合わせます。", "Add up the absolute values."),
        ("最後に Python の float にします。", "Return a Python float at the end."),
    ],
    "plot_scaled": [
        ("棒グラフを描きます。", "Draw a bar chart."),
        ("棒の高さは scale の値です。", "The bars' heights are what scale returns."),
    ],
}
'''

TESTS = '''\
"""Graded tests for ex10_scalar (a throwaway exercise of the self-tests). Oracles: hand-derived values."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.compare import check_array, check_float

pytestmark = pytest.mark.exercise("ex10_scalar")
TITLE = ("スカラー倍", "Scalar multiple")
#: ‖v‖₁ by hand: no library norm.
RULES = [{"task": "norm1", "forbidden": ("numpy.linalg", "scipy.linalg")}]
#: The figure of the HTML report.
FIGURE = {"task": "plot_scaled", "call": "plot_scaled([1, -2, 3], 2)", "args": ([1.0, -2.0, 3.0], 2.0)}


@pytest.mark.task("scale", points=2)
def test_scale_by_two(exercise):
    """Scaling (1, -2, 3) by 2 gives (2, -4, 6).

    ja: (1, -2, 3) を 2 倍すると (2, -4, 6)。
    """
    out = exercise.scale(np.array([1.0, -2.0, 3.0]), 2.0)
    check_array(out, np.array([2.0, -4.0, 6.0]), call="scale([1, -2, 3], 2)")


@pytest.mark.hidden
@pytest.mark.task("scale", points=1)
def test_scale_by_minus_half(exercise):
    """Scaling (4, 0) by -0.5 gives (-2, 0).

    ja: (4, 0) を -0.5 倍すると (-2, 0)。
    """
    check_array(exercise.scale(np.array([4.0, 0.0]), -0.5), np.array([-2.0, -0.0]), call="scale([4, 0], -0.5)")


@pytest.mark.task("norm1", points=1)
def test_norm1(exercise):
    """‖(3, -4)‖₁ = 3 + 4 = 7.

    ja: ‖(3, -4)‖₁ = 3 + 4 = 7。
    """
    check_float(exercise.norm1(np.array([3.0, -4.0])), 7.0, call="norm1([3, -4])")


@pytest.mark.task("plot_scaled", points=1)
def test_plot_scaled(exercise):
    """The bars of plot_scaled([1, -2], 3) are 3 and -6 high.

    ja: plot_scaled([1, -2], 3) の棒の高さは 3 と -6。
    """
    fig = exercise.plot_scaled(np.array([1.0, -2.0]), 3.0)
    heights = np.array([p.get_height() for p in fig.axes[0].patches], dtype=np.float64)
    check_array(heights, np.array([3.0, -6.0]), call="plot_scaled([1, -2], 3)")
'''

_SCALE_AND_PLOT = ("import numpy as np\nfrom matplotlib.figure import Figure\n\n\n"
                   "def scale(v, s):\n    return float(s) * np.asarray(v, dtype=np.float64)\n\n\n"
                   "def plot_scaled(v, s):\n    fig = Figure()\n    fig.add_subplot().bar(range(len(v)), scale(v, s))\n"
                   "    return fig\n\n\n")

#: Wrong variants (norm1 without the absolute value; norm1 by a library call the exercise's RULES
#: forbid, once plainly and once hidden from the static scan) and a correct one written differently.
VARIANTS = {
    "no_abs.py": '"""norm1 forgets the absolute value."""\n\nVARIANT = {"correct": False, "loses": ["norm1"]}\n\n'
                 + _SCALE_AND_PLOT + "def norm1(v):\n    return float(np.sum(np.asarray(v, dtype=np.float64)))\n",
    "linalg_norm.py": '"""norm1 calls numpy.linalg.norm, which the rules forbid."""\n\n'
                      'VARIANT = {"correct": False, "loses": ["norm1"]}\n\n'
                      + _SCALE_AND_PLOT + "def norm1(v):\n    return float(np.linalg.norm(np.asarray(v, dtype=np.float64), 1))\n",
    "hidden_linalg_norm.py": '"""norm1 reaches numpy.linalg.norm by a computed name: the run-time check sees it."""\n\n'
                             'VARIANT = {"correct": False, "loses": ["norm1"]}\n\n'
                             + _SCALE_AND_PLOT + "def norm1(v):\n    la = getattr(np, 'lin' + 'alg')\n"
                             "    return float(la.norm(np.asarray(v, dtype=np.float64), 1))\n",
    "alternative.py": '"""Correct, written differently: a loop."""\n\nVARIANT = {"correct": True, "loses": []}\n\n'
                      "import numpy as np\nfrom matplotlib.figure import Figure\n\n\n"
                      "def scale(v, s):\n    return np.array([s * x for x in v], dtype=np.float64)\n\n\n"
                      "def norm1(v):\n    return float(sum(abs(float(x)) for x in v))\n\n\n"
                      "def plot_scaled(v, s):\n    fig = Figure()\n    ax = fig.add_subplot()\n"
                      "    for i, x in enumerate(scale(v, s)):\n        ax.bar([i], [x])\n    return fig\n",
}


def _tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


def _copy_repository(dest: Path) -> Path:
    """The repository's tracked files as they are in the working tree (``git ls-files``)."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for rel in filter(None, listed.decode().split("\0")):
        src = REPO / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest


def _run(root: Path, *args: str, cwd: Path | None = None, ok: bool = True) -> subprocess.CompletedProcess:
    """Run ``python ARGS`` with ``root``'s own grader (not this checkout's)."""
    env = dict(os.environ, PYTHONPATH=str(root), MPLBACKEND="Agg", WORKBOOK_LANG="both", NO_COLOR="1",
               PYTHONDONTWRITEBYTECODE="1", PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    for name in ("PYTEST_ADDOPTS", "WORKBOOK_ROOT", "WORKBOOK_TESTS_DIR"):
        env.pop(name, None)
    proc = subprocess.run([sys.executable, *args], cwd=cwd or root, env=env, capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL)
    if ok:
        assert proc.returncode == 0, (args, proc.stdout[-3000:], proc.stderr[-3000:])
    return proc


def test_a_tenth_exercise_is_graded_reported_released_and_converted_without_touching_the_grader(tmp_path, monkeypatch):
    repo = _copy_repository(tmp_path / "repo")
    grader_before = _tree_digest(repo / "autograder")

    # steps 2-4: the solution, the graded tests (one hidden), the variants
    (repo / "solutions" / f"{NAME}.py").write_text(SOLUTION, encoding="utf-8")
    (repo / "tests" / f"test_{NAME}.py").write_text(TESTS, encoding="utf-8")
    variants = repo / "selftests" / "variants" / NAME
    variants.mkdir()
    for file, text in VARIANTS.items():
        (variants / file).write_text(text, encoding="utf-8")

    # step 5: generate the stub and the nbgrader notebook
    _run(repo, "-m", "autograder.stubs")
    stub = (repo / "exercises" / f"{NAME}.py").read_text(encoding="utf-8")
    assert "raise NotImplementedError()" in stub and "np.sum(np.abs" not in stub and "HINTS = {" in stub
    _run(repo, "-m", "autograder.course", "generate")
    source_nb = nbformat.read(repo / "course" / "source" / NAME / f"{NAME}.ipynb", as_version=4)
    graded = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
              for c in source_nb.cells if c.metadata["nbgrader"].get("grade")}
    assert graded == {"test_scale": 3, "test_norm1": 1, "test_plot_scaled": 1}

    # step 6: graded with the whole workbook — a wrong variant loses its own task's point only
    submission = tmp_path / "submission"
    shutil.copytree(repo / "solutions", submission)
    shutil.copy2(variants / "no_abs.py", submission / f"{NAME}.py")
    score, page = tmp_path / "score.json", tmp_path / "report.html"
    run = _run(repo, "-m", "pytest", "-p", "no:cacheprovider", f"--workbook={submission}", f"--score-report={score}",
               f"--html-report={page}", ok=False)
    assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-3000:]
    row = next(line for line in run.stdout.splitlines() if line.startswith(NAME))
    assert row.split()[1:4] == ["4", "5", "3/4"] and "スカラー倍 / Scalar multiple" in row, row
    full = total_points(REPO / "tests") + 5  # the workbook's exercises, then the new one (4 of its 5 points)
    assert re.search(rf"^total\s+{full - 1:g}\s+{full:g}\s", run.stdout, re.M), run.stdout[-2000:]
    doc = json.loads(score.read_text(encoding="utf-8"))
    assert (doc["score"], doc["max_score"]) == (full - 1, full)
    exercises = doc["extra_data"]["exercises"]
    assert [e["exercise"] for e in exercises] == [*(p.stem[5:] for p in sorted((REPO / "tests").glob("test_ex*.py"))),
                                                  NAME]
    six = exercises[-1]
    assert (six["title_ja"], six["title_en"], six["score"], six["max_score"]) == ("スカラー倍", "Scalar multiple", 4.0, 5.0)
    assert {t["task"]: (t["score"], t["max_score"]) for t in six["tasks"]} == {
        "scale": (3.0, 3.0), "norm1": (0.0, 1.0), "plot_scaled": (1.0, 1.0)}
    assert all(e["score"] == e["max_score"] for e in exercises[:-1])
    numbers = {t["extra_data"]["nodeid"].split("::")[-1]: t["number"] for t in doc["tests"] if NAME in t["tags"]}
    assert numbers == {"test_scale_by_two": "10.1", "test_scale_by_minus_half": "10.2",
                       "test_norm1": "10.3", "test_plot_scaled": "10.4"}
    # its FIGURE is drawn on the HTML page, the submission's beside the reference's
    html = page.read_text(encoding="utf-8")
    six_section = html[html.index("plot_scaled([1, -2, 3], 2)"):]
    assert six_section.count("data:image/png") >= 2, six_section[:2000]

    # its RULES: a banned call costs that task only, found in the code (local mode) ...
    def graded(variant: str, *options: str) -> tuple[dict, dict]:
        shutil.copy2(variants / variant, submission / f"{NAME}.py")
        report = tmp_path / f"{variant}{''.join(options)}.json"
        _run(repo, "-m", "pytest", "-p", "no:cacheprovider", *options, f"--workbook={submission}",
             f"--score-report={report}", f"tests/test_{NAME}.py", ok=False)
        doc = json.loads(report.read_text(encoding="utf-8"))
        norm1 = next(t for t in doc["tests"] if t["extra_data"]["task"] == "norm1")
        return doc, norm1

    doc, norm1 = graded("linalg_norm.py")
    assert (doc["score"], doc["max_score"], norm1["extra_data"]["outcome"]) == (4.0, 5.0, "forbidden_call"), norm1
    assert "numpy.linalg.norm" in norm1["output"], norm1["output"]
    # ... and, hidden from the scan, while it runs: in isolated mode too, where the sandboxed worker
    # cannot see tests/ to read the exercise's RULES
    for options in ((), ("--isolated",)):
        doc, norm1 = graded("hidden_linalg_norm.py", *options)
        assert (doc["score"], norm1["extra_data"]["outcome"]) == (4.0, "forbidden_call"), (options, norm1)
        assert "run-time check" in norm1["output"], norm1["output"]

    # ... and the same in isolated mode, where the sandboxed worker cannot see tests/ to discover it
    shutil.copy2(variants / "no_abs.py", submission / f"{NAME}.py")
    isolated = _run(repo, "-m", "pytest", "-p", "no:cacheprovider", "--isolated", f"--workbook={submission}",
                    f"--score-report={tmp_path / 'isolated.json'}", f"tests/test_{NAME}.py", ok=False)
    doc = json.loads((tmp_path / "isolated.json").read_text(encoding="utf-8"))
    assert (isolated.returncode, doc["score"], doc["max_score"]) == (1, 4.0, 5.0), isolated.stdout[-3000:]

    # released in a student copy: the stub, the visible tests, the README row with the visible points
    student = tmp_path / "student"
    _run(repo, "-m", "autograder.cli", "release", str(student), "--no-verify")
    assert (student / "exercises" / f"{NAME}.py").read_text(encoding="utf-8") == stub
    assert (student / "autograder" / "data" / "stubs" / f"{NAME}.py").is_file()
    copy_tests = (student / "tests" / f"test_{NAME}.py").read_text(encoding="utf-8")
    assert "test_scale_by_two" in copy_tests and "test_scale_by_minus_half" not in copy_tests
    assert "RULES = [" in copy_tests and "FIGURE = {" in copy_tests  # the copy grades by the same rules
    assert f"| `{NAME}` | 4 | `scale`, `norm1`, `plot_scaled` |" in (student / "README.md").read_text(encoding="utf-8")
    assert (student / "autograder" / "data" / "figures" / f"{NAME}.png").is_file()  # the reference figure

    # an nbgrader assignment: released without the solution and without the hidden test
    _run(repo, "-m", "nbgrader", "generate_assignment", NAME, "--force", cwd=repo / "course")
    released = (repo / "course" / "release" / NAME / f"{NAME}.ipynb").read_text(encoding="utf-8")
    assert "np.sum(np.abs" not in released and "BEGIN HIDDEN TESTS" not in released
    assert "grade_task('ex10_scalar', 'scale'" in released
    # the course's zip_collect takes the notebook names from the same discovery (the copy's grader
    # is this one, unchanged: see below)
    monkeypatch.setenv("WORKBOOK_TESTS_DIR", str(repo / "tests"))
    assert re.match(zip_collect_regexp(), f"/c/downloaded/{NAME}/extracted/alice_{NAME}.ipynb")

    assert _tree_digest(repo / "autograder") == grader_before


def _exercise(tests: Path, name: str, *, title: str = '("題", "Title")', mark: str | None = None,
              points: str = "points=1", declarations: str = "") -> None:
    mark = mark or f'pytest.mark.exercise("{name}")'
    (tests / f"test_{name}.py").write_text(
        f"import pytest\n\npytestmark = {mark}\nTITLE = {title}\n{declarations}\n\n"
        f'@pytest.mark.task("t", {points})\ndef test_t(exercise):\n    pass\n', encoding="utf-8")


def test_exercises_are_ordered_by_their_number(tmp_path):
    for name in ("ex10_tenth", "ex2_second", "ex9_ninth"):
        _exercise(tmp_path, name)
    assert names(tmp_path) == ("ex2_second", "ex9_ninth", "ex10_tenth")
    assert sorted(["ex10_a", "ex9_b", "ex1_c"], key=sort_key) == ["ex1_c", "ex9_b", "ex10_a"]
    assert list(EXERCISES) == [e.name for e in discover()] and len(EXERCISES) == len(discover())


def test_rules_and_figure_are_read_from_the_exercises_declarations(tmp_path):
    """Literals, other module constants and + of tuples; defaults: the function is the task's."""
    _exercise(tmp_path, "ex1_base", declarations=(
        'LINALG = ("numpy.linalg",)\n'
        'RULES = [{"task": "t", "forbidden": LINALG + ("scipy.linalg",), "forbidden_methods": ["norm"]},\n'
        '         {"task": "t", "function": "Net.t", "forbidden": ("torch",), "no_overloading": True}]\n'
        'FIGURE = {"task": "t", "call": "t(1)", "args": (1,)}\n'))
    (exercise,) = discover(tmp_path)
    assert exercise.rules == (
        FromScratchRule("ex1_base", ("t",), ("numpy.linalg", "scipy.linalg"), ("norm",), ("t",), False),
        FromScratchRule("ex1_base", ("t",), ("torch",), (), ("Net.t",), True))
    assert exercise.figure == ("t", "t", "t(1)")
    assert discover(REPO / "tests")[1].rules == () and discover(REPO / "tests")[1].figure is not None  # ex2


@pytest.mark.parametrize("case, ja, en", [
    # the examples: a test file without a solution in the repository, a task marker without points
    ("no_solution", "solutions/ex6_extra.py がありません", "has no reference solution solutions/ex6_extra.py"),
    ("no_points", "課題の配点が読めません", "cannot read the tasks' points"),
    # more of the same kind: a solution without tests, two exercises with one number, a module marked
    # as another exercise, no title, a file named otherwise
    ("no_tests", "tests/test_ex7_lonely.py がありません", "solutions/ex7_lonely.py has no graded tests"),
    ("same_number", "番号 6 の演習が複数あります", "several exercises have number 6"),
    ("wrong_mark", "pytest.mark.exercise('ex6_extra') がありません", "lacks pytestmark = pytest.mark.exercise('ex6_extra')"),
    ("no_title", "演習の題名 TITLE", "lacks the exercise's title"),
    ("bad_name", "ex<番号>_<英小文字の名前>", "an exercise is named ex<number>_<lowercase name>"),
    # the exercise's own declarations: a rule for a task it does not have, a rule that cannot be read
    # statically, a figure of no task
    ("rule_task", "RULES の項目", "the RULES entry"),
    ("rule_call", "RULES を読めません", "RULES cannot be read"),
    ("figure_task", "FIGURE は辞書", "FIGURE must be a dict"),
])
def test_inconsistent_exercise_files_are_refused_in_both_languages(tmp_path, case, ja, en):
    tests, solutions = tmp_path / "tests", tmp_path / "solutions"
    tests.mkdir()
    solutions.mkdir()
    _exercise(tests, "ex1_base")
    (solutions / "ex1_base.py").write_text("x = 1\n", encoding="utf-8")
    if case != "no_solution":
        (solutions / "ex6_extra.py").write_text("x = 1\n", encoding="utf-8")
    _exercise(tests, "ex6_extra", points="points=1" if case != "no_points" else "",
              title='("題", "Title")' if case != "no_title" else "None",
              mark='pytest.mark.exercise("ex1_base")' if case == "wrong_mark" else None,
              declarations={"rule_task": 'RULES = [{"task": "nope", "forbidden": ("numpy.linalg",)}]',
                            "rule_call": 'RULES = [{"task": "t", "forbidden": tuple(["numpy.linalg"])}]',
                            "figure_task": 'FIGURE = {"task": "nope", "call": "f()"}'}.get(case, ""))
    if case == "no_tests":
        (solutions / "ex7_lonely.py").write_text("x = 1\n", encoding="utf-8")
    if case == "same_number":
        _exercise(tests, "ex6_other")
        (solutions / "ex6_other.py").write_text("x = 1\n", encoding="utf-8")
    if case == "bad_name":
        (tests / "test_ex8.py").write_text("x = 1\n", encoding="utf-8")
    with pytest.raises(ExerciseError) as info:
        discover(tests)
    message = str(info.value)
    assert ja in message and en in message, message
    # a student copy (no solutions/) is never checked against solutions
    if case in ("no_solution", "no_tests"):
        shutil.rmtree(solutions)
        assert "ex6_extra" in names(tests)


def test_a_grading_run_with_inconsistent_exercises_says_why_in_its_report(tmp_path):
    """The grader stops before grading, and its score report names the problem."""
    tests = tmp_path / "tests"
    shutil.copytree(REPO / "tests", tests, ignore=shutil.ignore_patterns("__pycache__"))
    _exercise(tests, "ex10_extra", points="")
    score = tmp_path / "score.json"
    env = dict(os.environ, PYTHONPATH=str(REPO), MPLBACKEND="Agg", WORKBOOK_LANG="both", WORKBOOK_TESTS_DIR=str(tests))
    env.pop("PYTEST_ADDOPTS", None)
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"--rootdir={REPO}",
                           f"--workbook={REPO / 'solutions'}", f"--score-report={score}", str(tests)],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert proc.returncode == 4, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "test_ex10_extra.py" in proc.stderr and "cannot read the tasks' points" in proc.stderr, proc.stderr[-2000:]
    doc = json.loads(score.read_text(encoding="utf-8"))
    assert doc["tests"] == [] and "課題の配点が読めません" in doc["extra_data"]["errors"][0]
