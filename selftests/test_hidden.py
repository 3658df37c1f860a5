"""Hidden tests stay hidden: what a student and what an instructor see of a failing hidden test.

A hidden test (``@pytest.mark.hidden``) gets a Gradescope visibility other than ``visible`` in
the score report, and the report says which policy was used (``extra_data.hidden_tests``).
Student-facing outputs (the terminal, the score report of a student's run, the HTML report,
``workbook check`` / ``status``) show its name, points and pass/fail, never its message; the
instructor's run keeps everything. The nbgrader feedback is checked in ``test_nbgrader.py``.
"""

from __future__ import annotations

import json
from html import escape as html_escape

import jsonschema
import pytest

from autograder.results.htmlreport import render_html
from autograder.results.report import withheld_message
from conftest import REPO, SOLUTIONS, make_submission, make_workbook, run_cli, run_grader

SCHEMA = json.loads((REPO / "autograder" / "schemas" / "results.schema.json").read_text())

HIDDEN_TEST = "test_softmax_shift_invariance_property"
#: Only the hidden test's failure message holds these (hypothesis is derandomized: it always
#: finds the shift 710 on a one-element x).
HIDDEN_VALUE = "c=710.0"
HIDDEN_CALL = "x.shape=(1,)"

#: A softmax that forgets to subtract the maximum: exp overflows for large scores.
UNSTABLE_SOFTMAX = '''


def _unstable_softmax(x, axis=-1, temperature=1.0):
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(np.asarray(x, dtype=np.float64) / temperature)
        return e / np.sum(e, axis=axis, keepdims=True)
'''

#: ... used only inside the hidden property test (local mode: the test calls the student's code
#: in its own process), so the hidden test is the exercise's only failure.
ONLY_HIDDEN_FAILS = UNSTABLE_SOFTMAX + '''

_softmax_reference = softmax


def softmax(x, axis=-1, temperature=1.0):
    import sys

    # frame names by computed strings: the static scan of the rules would stop a literal sys._getframe
    frame = getattr(sys, "_get" + "frame")(1)
    while frame is not None and frame.f_code.co_name != "test_softmax_shift_invariance_property":
        frame = getattr(frame, "f_" + "back")
    if frame is None:
        return _softmax_reference(x, axis=axis, temperature=temperature)
    return _unstable_softmax(x, axis=axis, temperature=temperature)
'''


def _ex3(extra: str = ONLY_HIDDEN_FAILS) -> str:
    return (SOLUTIONS / "ex3_attention.py").read_text(encoding="utf-8") + extra


def _hidden_entry(score: dict) -> dict:
    return next(t for t in score["tests"] if t["extra_data"]["nodeid"].endswith(HIDDEN_TEST))


@pytest.fixture(scope="module")
def submission(tmp_path_factory):
    return make_submission(tmp_path_factory.mktemp("hidden"), {"ex3_attention": _ex3()})


def test_a_students_run_shows_a_failing_hidden_test_by_name_points_and_result_only(submission, tmp_path):
    html = tmp_path / "report.html"
    run = run_grader(submission, tmp_path, "--exercise", "ex3_attention", f"--html-report={html}")
    assert run.returncode == 1, run.output
    jsonschema.validate(run.score, SCHEMA)
    assert run.score["extra_data"]["hidden_tests"] == {
        "count": 2, "points": 2.0, "visibility": "after_published", "audience": "student", "output": "withheld"}
    assert run.score["score"] == 19 and run.score["max_score"] == 20
    for test in run.score["tests"]:
        assert test["visibility"] == ("after_published" if test["extra_data"]["hidden"] else "visible"), test["name"]
    hidden = _hidden_entry(run.score)
    assert hidden["status"] == "failed" and hidden["score"] == 0 and hidden["max_score"] == 1
    assert hidden["output"] == withheld_message()
    assert "非公開テスト" in hidden["output"] and "hidden test" in hidden["output"]
    # its name without its description (what it checks): a visible test keeps its own
    assert hidden["name"] == f"ex3_attention › softmax › {HIDDEN_TEST}"
    assert all(": " in t["name"] for t in run.score["tests"] if not t["extra_data"]["hidden"])

    # nothing the student reads holds the hidden test's inputs or expected values
    raw = json.dumps(run.raw, ensure_ascii=False)
    page = html.read_text(encoding="utf-8")
    for text in (run.output, json.dumps(run.score, ensure_ascii=False), raw, page):
        assert HIDDEN_VALUE not in text and HIDDEN_CALL not in text
    # ... but its name, points and result
    assert f"{HIDDEN_TEST}" in run.output and "[ex3_attention › softmax] 不合格 (1 点) / failed (1 point)" in run.output
    assert HIDDEN_TEST in page and "非公開テスト / hidden test" in page and "(1 点 / pt)" in page
    assert "不合格 / failed" in page


#: Records the inputs its softmax gets in a hidden test and shows them in every later call's error.
RECORDS_HIDDEN_INPUTS = '''

_softmax_reference = softmax
_seen = []


def softmax(x, axis=-1, temperature=1.0):
    import sys

    frame = getattr(sys, "_get" + "frame")(1)
    while frame is not None and frame.f_code.co_name not in ("test_softmax_shift_invariance_property",
                                                              "test_entropy_bounds_property"):
        frame = getattr(frame, "f_" + "back")
    if frame is not None:
        _seen.append(repr(np.asarray(x).tolist()))
    elif _seen:
        raise ValueError("LEAKED " + _seen[0])
    return _softmax_reference(x, axis=axis, temperature=temperature)
'''


@pytest.mark.parametrize("mode", ["local", "isolated"])
def test_what_the_code_records_in_a_hidden_test_never_reaches_a_visible_tests_message(mode, tmp_path):
    """helper-61 F6: the student's code kept a hidden test's inputs and raised them in a later visible
    test's error, shown on the student's page. Hidden tests run after every visible one now, in both
    modes (the same order, the same scores): nothing of theirs can reach a visible test."""
    sub = make_submission(tmp_path / "sub", {"ex3_attention": _ex3(RECORDS_HIDDEN_INPUTS)})
    run = run_grader(sub, tmp_path, "--exercise", "ex3_attention", *(["--isolated"] if mode == "isolated" else []))
    # (the report lists the tests in the files' order, numbered so; they ran with the hidden ones last)
    assert [t["number"] for t in run.score["tests"]] == [f"3.{i}" for i in range(1, len(run.score["tests"]) + 1)]
    assert "LEAKED" not in run.output and "LEAKED" not in json.dumps(run.score, ensure_ascii=False)
    assert run.score["score"] == 20, run.output[-3000:]


def test_an_instructors_run_keeps_the_message_and_marks_the_visibility(submission, tmp_path):
    run = run_grader(submission, tmp_path, "--exercise", "ex3_attention", "--hidden-visibility=after_due_date",
                     env_extra={"WORKBOOK_AUDIENCE": "instructor"})
    assert run.returncode == 1, run.output
    jsonschema.validate(run.score, SCHEMA)
    assert run.score["extra_data"]["hidden_tests"] == {
        "count": 2, "points": 2.0, "visibility": "after_due_date", "audience": "instructor", "output": "kept"}
    hidden = _hidden_entry(run.score)
    assert hidden["visibility"] == "after_due_date"
    assert HIDDEN_VALUE in hidden["output"] and HIDDEN_CALL in hidden["output"]
    assert HIDDEN_VALUE in run.output  # the instructor's terminal shows everything

    # a page made for students from the instructor's report (e.g. a batch report) withholds it
    assert HIDDEN_VALUE in render_html(run.score)
    description = hidden["name"].split(f"{HIDDEN_TEST}: ", 1)[1]  # the instructor's report names what it checks
    assert description and html_escape(description) in render_html(run.score)
    student_page = render_html(run.score, audience="student")
    assert HIDDEN_VALUE not in student_page and HIDDEN_TEST in student_page
    assert html_escape(description) not in student_page


def test_an_unknown_audience_or_visibility_is_a_usage_error(submission, tmp_path):
    run = run_grader(submission, tmp_path, "--exercise", "ex3_attention", "--workbook-audience=teacher")
    assert run.returncode == 4 and "teacher" in run.output
    run = run_grader(submission, tmp_path, "--exercise", "ex3_attention", "--hidden-visibility=visible")
    assert run.returncode == 4 and "visible" in run.output


def test_workbook_check_and_status_never_print_a_hidden_tests_message(tmp_path):
    root = make_workbook(tmp_path, solved=("ex1_vectors", "ex2_transforms"))
    (root / "exercises" / "ex3_attention.py").write_text(_ex3(), encoding="utf-8")
    check = run_cli(root, "check", "1", "2", "3")
    assert check.returncode == 1, check.stdout + check.stderr
    assert f"softmax › {HIDDEN_TEST}" in check.stdout and "非公開テスト / hidden test" in check.stdout
    assert "19 / 20" in check.stdout
    assert withheld_message().splitlines()[1] in check.stdout
    page = (root / "reports" / "report.html").read_text(encoding="utf-8")
    for text in (check.stdout, check.stderr, page):
        assert HIDDEN_VALUE not in text and HIDDEN_CALL not in text

    status = run_cli(root, "status")
    assert status.returncode == 0, status.stderr
    assert "next / 次にすること" in status.stdout or "次にすること / next" in status.stdout
    assert "ex3_attention" in status.stdout.split("next")[-1]
    assert withheld_message().splitlines()[1] in status.stdout
    assert HIDDEN_VALUE not in status.stdout and HIDDEN_CALL not in status.stdout

    # the instructor, in the same workbook, reads the message
    told = run_cli(root, "check", "3", "--no-html", env_extra={"WORKBOOK_AUDIENCE": "instructor"})
    assert HIDDEN_VALUE in told.stdout


CELL = """
import sys

from autograder.grading.incell import grade_task

source = open(sys.argv[1], encoding="utf-8").read()
namespace = {"__name__": "__main__", "In": ["", source]}  # what IPython keeps of the notebook
exec(compile(source, "<notebook>", "exec"), namespace)
hidden = sys.argv[2] == "hidden"
print("SCORE", grade_task("ex3_attention", "softmax", namespace, include_hidden=hidden, points=7))
"""


@pytest.mark.parametrize("hidden", ["visible", "hidden"])
def test_a_notebook_cell_prints_one_score_and_no_hidden_message(hidden, tmp_path):
    import os
    import subprocess
    import sys

    answer = tmp_path / "answer.py"
    answer.write_text(_ex3(), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(REPO), MPLBACKEND="Agg", WORKBOOK_LANG="both")
    env.pop("WORKBOOK_AUDIENCE", None)
    proc = subprocess.run([sys.executable, "-c", CELL, str(answer), hidden], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    scores = [line for line in proc.stdout.splitlines() if line.startswith("ex3_attention › softmax: ")]
    if hidden == "visible":  # a released notebook: the visible tests, and what the hidden ones add
        assert scores == ["ex3_attention › softmax: 6 / 6 点 / points"], proc.stdout
        assert "(このほかに非公開テスト 1 点分が提出後に採点されます)" in proc.stdout
        assert "(hidden tests worth 1 more point are graded after submission)" in proc.stdout
        assert HIDDEN_TEST not in proc.stdout and "SCORE 6.0" in proc.stdout
    else:  # the autograded cell: the cell's points, the hidden test by name, points and result
        assert scores == ["ex3_attention › softmax: 6 / 7 点 / points"], proc.stdout
        line = next(ln for ln in proc.stdout.splitlines() if HIDDEN_TEST in ln)
        # name, points and result only: not its description (what it checks; newcomer helper)
        assert line == f"  ✗ {HIDDEN_TEST}  (非公開テスト / hidden test, 1 点 / points)", line
        assert "SCORE 6.0" in proc.stdout and "graded after submission" not in proc.stdout
    assert HIDDEN_VALUE not in proc.stdout and HIDDEN_CALL not in proc.stdout


def test_batch_grading_is_the_instructors_report_and_log(tmp_path):
    """The batch grader (isolated mode) keeps a hidden test's message in the report and the log,
    and marks the test's visibility so that Gradescope hides it from the student."""
    import os
    import subprocess
    import sys

    # isolated mode runs the code in a worker, outside the test: the whole softmax is unstable
    subs = tmp_path / "class"
    subs.mkdir()
    unstable = _ex3(UNSTABLE_SOFTMAX + "\n\nsoftmax = _unstable_softmax\n")
    make_submission(tmp_path, {"ex3_attention": unstable}).rename(subs / "alice")
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=str(REPO), MPLBACKEND="Agg", WORKBOOK_LANG="both")
    env.pop("WORKBOOK_AUDIENCE", None)
    proc = subprocess.run([sys.executable, "-m", "autograder.batch", str(subs), "--out", str(out), "--jobs", "1",
                           "--no-progress", "--exercise", "ex3_attention"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    row = next(r for r in json.loads((out / "gradebook.json").read_text())["students"] if r["student"] == "alice")
    report = json.loads((out / row["report"]).read_text(encoding="utf-8"))
    jsonschema.validate(report, SCHEMA)
    assert report["extra_data"]["hidden_tests"]["audience"] == "instructor"
    assert report["extra_data"]["hidden_tests"]["visibility"] == "after_published"
    hidden = _hidden_entry(report)
    assert hidden["visibility"] == "after_published" and hidden["status"] == "failed"
    assert HIDDEN_VALUE in hidden["output"]
    assert HIDDEN_VALUE in (out / "logs" / "alice.txt").read_text(encoding="utf-8")
