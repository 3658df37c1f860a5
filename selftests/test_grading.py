"""End-to-end: the grader run as a student runs it, on solutions, stubs and broken submissions."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from autograder import EXERCISES
from autograder.core.exercises import points, total_points
from autograder.core.tasks import tasks_of
from autograder.results.report import withheld_message
from conftest import EXERCISES_DIR, REPO, SOLUTIONS, make_submission, run_grader

SCHEMA = json.loads((REPO / "autograder" / "schemas" / "results.schema.json").read_text())


def test_solutions_score_full_marks(solutions_run):
    run = solutions_run
    assert run.returncode == 0, run.output
    assert run.score["score"] == run.score["max_score"] == total_points()
    assert run.exercise_scores() == points()
    assert set(run.outcomes().values()) == {"passed"}
    assert "total" in run.output and "reports" not in run.score["extra_data"]["errors"]


#: This workbook's policy: each of its exercises (the chapter's five 演習問題 and the four of the rest of
#: the chapter) is worth 20 points (the grader itself takes an exercise's points from its tests, whatever
#: they are: selftests/test_add_exercise.py adds one worth 5).
CHAPTER_EXERCISES = EXERCISES


def test_each_exercise_is_worth_20_points_and_every_test_has_a_task(solutions_run):
    assert {name: points()[name] for name in CHAPTER_EXERCISES} == dict.fromkeys(CHAPTER_EXERCISES, 20)
    for ex in run_exercises(solutions_run):
        assert ex["max_score"] == points()[ex["exercise"]], ex
        assert sum(t["max_score"] for t in ex["tasks"]) == points()[ex["exercise"]]
        assert len(ex["tasks"]) >= 2, f"{ex['exercise']} should grade several tasks"


def run_exercises(run):
    return run.score["extra_data"]["exercises"]


def test_stubs_score_zero_as_not_implemented(stubs_run):
    run = stubs_run
    assert run.returncode == 1, run.output
    assert run.score["score"] == 0
    assert run.score["max_score"] == total_points()
    outcomes = run.outcomes()
    assert outcomes and set(outcomes.values()) == {"not_implemented"}, {
        k: v for k, v in outcomes.items() if v != "not_implemented"}
    # in pytest's own terms these are failures, not errors
    raw_outcomes = {t["outcome"] for t in run.raw["tests"]}
    assert raw_outcomes == {"failed"}
    visible = [t for t in run.score["tests"] if not t["extra_data"]["hidden"]]
    hidden = [t for t in run.score["tests"] if t["extra_data"]["hidden"]]
    assert visible and all("not implemented" in t["output"] for t in visible)
    # a student's run (the default audience) shows a hidden test's result, not its message
    # as many as the graded tests' decorators say (read statically: 11 in the chapter's five exercises)
    assert len(hidden) == sum(t.hidden_tests for n in EXERCISES for t in tasks_of(n)) >= 11
    assert all(t["output"] == withheld_message() for t in hidden)


@pytest.mark.parametrize("which", ["solutions", "stubs"])
def test_report_validates_against_schema(which, solutions_run, stubs_run):
    run = solutions_run if which == "solutions" else stubs_run
    jsonschema.validate(run.score, SCHEMA)
    assert run.raw is not None and run.raw["summary"]["total"] == len(run.score["tests"])


def test_report_records_the_digest_of_the_grader_and_tests_that_ran(solutions_run):
    """The instructor's repository: every collected test module, conftest and the ini table, no record."""
    from autograder.results.digest import tree_digest

    digest = solutions_run.score["extra_data"]["grader_digest"]
    assert digest["status"] == "no_release_record" and digest["release"] is None
    assert sorted(digest["files"]["tests"]) == ["pyproject.toml[tool.pytest.ini_options]", "tests/conftest.py"] + [
        f"tests/test_{name}.py" for name in EXERCISES]
    assert "autograder/grading/plugin.py" in digest["files"]["grader"] and not any(
        "__pycache__" in name for name in digest["files"]["grader"])
    expected = tree_digest(REPO)  # what the files say equals what the run recorded
    assert {k: digest[k] for k in expected} == expected


def _without_times(doc):
    doc = json.loads(json.dumps(doc))
    doc.pop("execution_time")
    return doc


def test_two_runs_give_identical_reports(tmp_path):
    broken = (REPO / "selftests" / "variants" / "ex1_vectors").glob("*.py")
    wrong = next(p for p in sorted(broken) if p.name != "alternative.py")
    sub = make_submission(tmp_path, replace={"ex1_vectors": wrong}, drop=("ex5_backprop",))
    first = run_grader(sub, tmp_path / "a")
    second = run_grader(sub, tmp_path / "b")
    assert first.score is not None and second.score is not None
    assert _without_times(first.score) == _without_times(second.score)


def test_target_that_is_not_a_workbook_is_an_error(tmp_path):
    (tmp_path / "empty").mkdir()
    run = run_grader(tmp_path / "empty", tmp_path)
    assert run.returncode == 4, run.output
    assert "not a workbook" in run.output
    assert run.score is not None and run.score["tests"] == [] and run.score["score"] == 0
    assert any("not a workbook" in e for e in run.score["extra_data"]["errors"])
    missing = run_grader(tmp_path / "nowhere", tmp_path)
    assert missing.returncode == 4 and "does not exist" in missing.output


def test_no_tests_collected_is_an_error_not_a_score(tmp_path):
    run = run_grader(SOLUTIONS, tmp_path, "-k", "no_test_has_this_name")
    assert run.returncode != 0
    assert run.score["tests"] == [] and run.score["score"] == 0
    assert run.score["max_score"] == total_points()
    assert any("no graded tests" in e for e in run.score["extra_data"]["errors"])


def test_an_unknown_exercise_name_is_a_usage_error_that_is_shown(tmp_path):
    # it ran to "no tests ran" with a table of 0 points per exercise and exit status 4, the error
    # itself never printed (the fast exit ended the process before pytest printed it)
    run = run_grader(SOLUTIONS, tmp_path, "--exercise", "ex7_autograd", "-q")
    assert run.returncode == 4, run.output
    assert "ERROR: --exercise の値 'ex7_autograd' は演習名ではありません" in run.output
    assert "--exercise 'ex7_autograd' is not an exercise: one of ex1_vectors" in run.output
    assert "ex1_vectors                  0" not in run.output  # no score table of zeros
    assert run.score["tests"] == [] and any("ex7_autograd" in e for e in run.score["extra_data"]["errors"])
    # the short names of `workbook check` work here too
    short = run_grader(SOLUTIONS, tmp_path, "--exercise", "9", "--exercise", "ex1", "-q")
    assert short.returncode == 0, short.output
    assert {t["name"].split(" › ")[0] for t in short.score["tests"]} == {"ex1_vectors", "ex9_multihead"}


def test_syntax_error_fails_only_its_own_exercise(tmp_path):
    sub = make_submission(tmp_path, replace={"ex2_transforms": "def apply_transform(M, points:\n    return M\n"})
    run = run_grader(sub, tmp_path)
    scores = run.exercise_scores()
    assert scores.pop("ex2_transforms") == 0
    assert scores == {name: p for name, p in points().items() if name != "ex2_transforms"}
    ex2 = [t for t in run.score["tests"] if t["extra_data"]["exercise"] == "ex2_transforms"]
    assert {t["extra_data"]["outcome"] for t in ex2} == {"import_error"}
    assert "SyntaxError" in ex2[0]["output"] and "line 1" in ex2[0]["output"]


def test_exception_and_sys_exit_at_import_fail_only_their_exercise(tmp_path):
    sub = make_submission(tmp_path, replace={
        "ex1_vectors": "raise RuntimeError('boom at import')\n",
        "ex4_gradient_descent": "import sys\nsys.exit(3)\n",
    })
    run = run_grader(sub, tmp_path)
    scores = run.exercise_scores()
    assert scores["ex1_vectors"] == 0 and scores["ex4_gradient_descent"] == 0
    assert all(scores[n] == points()[n] for n in ("ex2_transforms", "ex3_attention", "ex5_backprop"))
    outputs = "\n".join(t["output"] for t in run.score["tests"])
    assert "boom at import" in outputs and "sys.exit(3)" in outputs


def test_missing_exercise_file_scores_zero_for_that_exercise(tmp_path):
    sub = make_submission(tmp_path, drop=("ex3_attention",))
    run = run_grader(sub, tmp_path)
    scores = run.exercise_scores()
    assert scores.pop("ex3_attention") == 0
    assert scores == {name: p for name, p in points().items() if name != "ex3_attention"}
    assert "ex3_attention.py is missing" in run.score["tests"][0]["output"] or any(
        "ex3_attention.py is missing" in t["output"] for t in run.score["tests"])


def test_misnamed_file_hint_never_names_another_exercise(tmp_path):
    """A missing exercise file gets a near-miss hint (ex2_transform.py), never another exercise's
    own file: renaming ex1_vectors.py to ex2_transforms.py would lose ex1."""
    sub = make_submission(tmp_path, drop=("ex2_transforms", "ex3_attention"))
    (sub / "ex2_transform.py").write_text((SOLUTIONS / "ex2_transforms.py").read_text(encoding="utf-8"), encoding="utf-8")
    run = run_grader(sub, tmp_path, "--exercise", "ex2_transforms", "--exercise", "ex3_attention", "--no-hidden")
    outputs = {t["extra_data"]["exercise"]: t["output"] for t in run.score["tests"]}
    assert "did you mean ex2_transform.py? name it ex2_transforms.py" in outputs["ex2_transforms"]
    assert "ex3_attention.py is missing" in outputs["ex3_attention"]
    for name, text in outputs.items():
        for other in ("ex1_vectors.py", "ex4_gradient_descent.py", "ex5_backprop.py"):
            assert other not in text, (name, text)


def test_failure_messages_of_large_arrays_are_whole(tmp_path):
    """A mismatch on a large array keeps the actual value, the error line and the English half."""
    wrong = (SOLUTIONS / "ex1_vectors.py").read_text(encoding="utf-8") + (
        "\n\ndef cosine_similarity_matrix(A, B):\n"
        "    return np.asarray(A, dtype=np.float64) @ np.asarray(B, dtype=np.float64).T\n")
    sub = make_submission(tmp_path, replace={"ex1_vectors": wrong})
    run = run_grader(sub, tmp_path, "--exercise", "ex1_vectors", "--task", "cosine_similarity_matrix", "--no-hidden")
    failed = [t["output"] for t in run.score["tests"] if t["status"] == "failed"]
    assert failed, run.output[-2000:]
    for text in failed:
        if "実際の値" in text:
            for needle in ("実際の値", "最大絶対誤差", "expected:", "actual:", "max abs error", "tolerance"):
                assert needle in text, (needle, text)
            break
    else:
        raise AssertionError(failed)


def test_hanging_function_costs_only_its_tests(tmp_path):
    hang = "from solutions.ex1_vectors import *  # noqa\n\ndef cosine_similarity_matrix(A, B):\n    while True:\n        pass\n"
    sub = make_submission(tmp_path, replace={"ex1_vectors": hang})
    run = run_grader(sub, tmp_path, "--workbook-timeout=4", "--exercise", "ex1_vectors", timeout=900)
    tasks = run.task_scores("ex1_vectors")
    assert tasks["cosine_similarity_matrix"][0] == 0
    assert tasks["cosine_similarity"][0] == tasks["cosine_similarity"][1]
    assert tasks["analogy"][0] == tasks["analogy"][1]
    outcomes = {t["extra_data"]["outcome"] for t in run.score["tests"]
                if t["extra_data"]["task"] == "cosine_similarity_matrix"}
    assert outcomes == {"timeout"}, run.outcomes()
    assert any("timed out (limit 4 s of CPU time)" in t["output"] for t in run.score["tests"])


def test_endless_loop_inside_a_property_test_is_stopped(tmp_path):
    """pytest-timeout's Failed is caught by hypothesis, which would keep calling hung code forever."""
    hang = (
        "from solutions.ex1_vectors import *  # noqa\n"
        "from solutions.ex1_vectors import cosine_similarity as _ok\n\n"
        "def cosine_similarity(a, b):\n"
        "    if len(a) == 3:\n"
        "        while True:\n"
        "            pass\n"
        "    return _ok(a, b)\n"
    )
    sub = make_submission(tmp_path, replace={"ex1_vectors": hang})
    run = run_grader(sub, tmp_path, "--workbook-timeout=3", "--exercise", "ex1_vectors", timeout=600)
    assert run.score is not None, run.output
    assert "timeout" in run.outcomes().values()
    assert run.task_scores("ex1_vectors")["analogy"][0] > 0


def test_state_changed_at_import_does_not_reach_other_exercises(tmp_path):
    evil = (
        "import io, sys, numpy as np\n"
        "from solutions.ex1_vectors import *  # noqa\n"
        "np.seterr(all='raise')\n"
        "sys.setrecursionlimit(60)\n"
        "np.allclose = lambda *a, **k: True\n"
        "sys.stdout = io.TextIOWrapper(sys.stdout.buffer, encoding='utf-8')\n"
    )
    sub = make_submission(tmp_path, replace={"ex1_vectors": evil})
    run = run_grader(sub, tmp_path)
    scores, full = run.exercise_scores(), points()
    others = {name for name in full if name != "ex1_vectors"}
    assert {n: scores[n] for n in others} == {n: full[n] for n in others}, run.output
    # ex1's own settings are in place whenever its functions run (autograder.submission.settings): its
    # own code then raises FloatingPointError on the underflows of the huge/tiny tests, and nothing else
    failed = {node.split("::")[-1] for node, outcome in run.outcomes().items() if outcome != "passed"}
    assert failed == {"test_cosine_huge_and_tiny_magnitudes", "test_matrix_huge_and_tiny_rows"}, run.output
    assert "FloatingPointError: underflow" in run.output


def test_crashing_messages_and_stop_calls_cost_only_their_test(tmp_path):
    bad = (
        "import pytest\n"
        "from solutions.ex3_attention import *  # noqa\n\n"
        "class Weird(Exception):\n"
        "    def __str__(self):\n"
        "        raise RuntimeError('no')\n\n"
        "def attention_entropy(weights):\n"
        "    raise Weird()\n\n"
        "def plot_temperature_effect(logits, temperatures):\n"
        "    pytest.exit('bye \\udcff')\n"
    )
    sub = make_submission(tmp_path, replace={"ex3_attention": bad})
    run = run_grader(sub, tmp_path)
    assert run.score is not None, run.output
    tasks = run.task_scores("ex3_attention")
    assert tasks["attention_entropy"][0] == 0 and tasks["plot_temperature_effect"][0] == 0
    assert tasks["softmax"][0] == tasks["softmax"][1]
    scores = run.exercise_scores()
    assert all(scores[n] == points()[n] for n in EXERCISES if n != "ex3_attention")
    assert any("pytest.exit" in t["output"] for t in run.score["tests"])


def test_forbidden_library_call_costs_that_task(tmp_path):
    cheat = (
        "from solutions.ex1_vectors import *  # noqa\n"
        "from scipy.spatial import distance\n\n"
        "def cosine_similarity(a, b):\n"
        "    return 1.0 - distance.cosine(a, b)\n"
    )
    sub = make_submission(tmp_path, replace={"ex1_vectors": cheat})
    run = run_grader(sub, tmp_path)
    cosine = [t for t in run.score["tests"] if t["extra_data"]["task"] == "cosine_similarity"]
    assert {t["extra_data"]["outcome"] for t in cosine} == {"forbidden_call"}
    assert "scipy.spatial.distance.cosine" in cosine[0]["output"] and "line 5" in cosine[0]["output"]
    tasks = run.task_scores("ex1_vectors")
    assert tasks["cosine_similarity"][0] == 0
    assert tasks["cosine_similarity_matrix"][0] == tasks["cosine_similarity_matrix"][1]
    assert tasks["analogy"][0] == tasks["analogy"][1]


def test_report_is_written_even_when_the_run_is_interrupted(tmp_path):
    crash = "from solutions.ex2_transforms import *  # noqa\n\ndef real_eigenpairs(M, tol=1e-9):\n    raise KeyboardInterrupt\n"
    run = run_grader(make_submission(tmp_path, replace={"ex2_transforms": crash}), tmp_path)
    assert run.returncode == 2, run.output
    assert run.score is not None, run.output
    assert run.score["max_score"] == total_points()
    # ex1's visible tests ran before the interruption and passed (hidden tests run after every visible one)
    ex1 = [t for t in run.score["tests"] if t["extra_data"]["exercise"] == "ex1_vectors" and not t["extra_data"]["hidden"]]
    assert ex1 and all(t["status"] == "passed" and t["score"] == t["max_score"] for t in ex1), ex1
    assert run.score["score"] < run.score["max_score"]
    assert any("interrupted" in e for e in run.score["extra_data"]["errors"])
    assert any(t["output"].endswith("not run.") for t in run.score["tests"])


def test_report_is_written_where_asked_and_path_is_printed(tmp_path):
    out = tmp_path / "deep" / "dir" / "my-score.json"
    run = run_grader(SOLUTIONS, tmp_path, f"--score-report={out}", "-k", "ex1")
    assert out.exists(), run.output
    assert "my-score.json" in run.output


def test_stubs_are_generated_from_solutions():
    from autograder.classroom.stubs import generate

    import io

    buf = io.StringIO()
    assert generate(REPO, check=True, out=buf) == 0, buf.getvalue()
    assert EXERCISES_DIR.is_dir()


def test_grade_script_resolves_paths_from_where_it_is_run(tmp_path):
    import os
    import subprocess
    import sys

    sub = make_submission(tmp_path)
    env = dict(os.environ, WORKBOOK_VENV=str(Path(sys.executable).parent.parent))
    proc = subprocess.run(
        ["bash", str(REPO / "scripts" / "grade.sh"), f"--workbook={sub.name}", "--score-report", "out/alice.json",
         "--exercise", "ex4_gradient_descent", "-q"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    report = json.loads((tmp_path / "out" / "alice.json").read_text(encoding="utf-8"))
    assert report["score"] == report["max_score"] == points()["ex4_gradient_descent"]
    assert report["extra_data"]["partial"] is True
    assert (tmp_path / "out" / "alice.pytest-report.json").exists()


def test_a_notebook_export_with_ipython_syntax_gets_a_hint(tmp_path):
    """The newcomer instructor (helper-62): a .py written by nbconvert keeps get_ipython() calls; the
    whole exercise scored 0 with a bare NameError. The message now says what to do."""
    from autograder.submission.loader import ExerciseUnavailable, Submission

    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "ex1_vectors.py").write_text("get_ipython().run_line_magic('matplotlib', 'inline')\n", encoding="utf-8")
    with pytest.raises(ExerciseUnavailable) as raised:
        Submission(sub).module("ex1_vectors")
    text = str(raised.value)
    assert "name 'get_ipython' is not defined (ex1_vectors.py, line 1)" in text
    assert "hand in the .ipynb" in text and ".ipynb のまま提出してください" in text
    (sub / "ex2_transforms.py").write_text("undefined_name\n", encoding="utf-8")
    with pytest.raises(ExerciseUnavailable) as other:
        Submission(sub).module("ex2_transforms")
    assert "ipynb" not in str(other.value)


def test_pytest_timeout_is_above_the_longest_a_graded_test_can_take(tmp_path):
    """Red team round 10: the project's ini sets pytest-timeout to 120 s, and the plugin raised it only
    where no ini did: at a 20 s limit the wall-clock backstop (120 s) tied with it, and a test of
    time.sleep(1000) ended the whole run with no report (at the default 10 s, twice the backstop on a busy
    machine did). pytest-timeout is set above limits.longest_test now, whatever the ini says."""
    from autograder.submission.limits import longest_test

    run = run_grader(SOLUTIONS, tmp_path, "--workbook-timeout=20", "--exercise", "ex1_vectors",
                     "-k", "test_cosine_chapter_examples")
    assert run.returncode == 0, run.output
    assert f"timeout: {longest_test(20):.1f}s" in run.output, run.output[:1500]
    assert longest_test(20) > 2 * 6 * 20 and longest_test(10) > 120


def test_the_scan_of_a_large_submission_is_not_counted_against_a_tests_limit(tmp_path):
    """Red team round 10: the scan of every Python file for tampering (the grader's work) ran inside
    the first rule-bound test's CPU limit; a submission with large extra modules (the case had 182 of
    500 kB) had it cut off and begun again in every rule-bound test, and correct code scored 0 ("look
    for an endless loop"). The scan runs before the limit starts now; beyond MAX_SCANNED_CHARS of
    code the rule-bound tasks fail with a message saying so."""
    filler = "".join(f"def f_{i}(x):\n    y = [a * 2 for a in range(x) if a % 3]\n    return sum(y) + len(str(x))\n"
                     for i in range(5000))  # ordinary code of a large helper module, ~1 s to scan here
    assert 400_000 < len(filler) < 500_000  # (files over 512 kB are neither imported nor scanned)
    sub = make_submission(tmp_path / "big")
    for k in range(4):  # ~1.8 MB: longer to scan than the 1 s limit below, within what is scanned
        (sub / f"helper_{k}.py").write_text(filler, encoding="utf-8")
    run = run_grader(sub, tmp_path, "--workbook-timeout=1", "--exercise", "ex1_vectors")
    assert run.exercise_scores()["ex1_vectors"] == points()["ex1_vectors"], run.output[-3000:]
    from autograder.grading.pertest import MAX_SCANNED_CHARS

    for k in range(4, MAX_SCANNED_CHARS // len(filler) + 1):  # past what is scanned
        (sub / f"helper_{k}.py").write_text(filler, encoding="utf-8")
    run = run_grader(sub, tmp_path, "--exercise", "ex1_vectors", "-k", "test_cosine_chapter_examples")
    test = next(t for t in run.score["tests"] if t["extra_data"]["nodeid"].endswith("test_cosine_chapter_examples"))
    assert test["score"] == 0 and "more than the grader checks" in test["output"], test["output"]


SPINNING_MESSAGE = '''
from ._ref_ex1_vectors import *  # noqa: F401,F403


class SlowMessage(ValueError):
    def __str__(self):
        while True:
            pass


def cosine_similarity(a, b):
    raise SlowMessage()
'''


def test_an_exception_whose_message_never_ends_fails_its_test_and_the_run_goes_on(tmp_path):
    """Red team round 10 (local mode, also the nbgrader kernel's): the failure message is made from
    the student's exception after the test's limit (``str(exc)``, its attributes); a ``__str__`` that
    spins held the run until pytest-timeout ended it, with no report. The message is made within
    limits.restore_wall now; the test fails with a message naming the exception, the others run."""
    from autograder.submission.limits import restore_wall

    sub = make_submission(tmp_path / "spin")
    (sub / "_ref_ex1_vectors.py").write_text((SOLUTIONS / "ex1_vectors.py").read_text(encoding="utf-8"))
    (sub / "ex1_vectors.py").write_text(SPINNING_MESSAGE, encoding="utf-8")
    run = run_grader(sub, tmp_path, "--workbook-timeout=2", "--exercise", "ex1_vectors", "-k",
                     "test_cosine_chapter_examples or test_matrix_matches_scipy_and_torch", timeout=300)
    assert run.score is not None, run.output[-3000:]
    tests = {t["extra_data"]["nodeid"].split("::")[-1]: t for t in run.score["tests"]}
    spun = tests["test_cosine_chapter_examples"]
    assert spun["score"] == 0 and spun["status"] == "failed"
    assert f"SlowMessage was raised, but its message (__str__...) could not be made within {restore_wall(2):g} s" \
        in spun["output"], spun["output"]
    assert "メッセージ (__str__ など) が" in spun["output"]
    assert all(t["score"] == t["max_score"] for name, t in tests.items() if name != "test_cosine_chapter_examples"), tests


def test_a_forbidden_call_reached_through_another_function_names_that_function(tmp_path):
    """Newcomer helper: ``analogy`` (which calls ``cosine_similarity``) lost its points for a scipy call in
    ``cosine_similarity``, and its message named only the line. The message says whose line it is;
    ``cosine_similarity``'s own message does not (the call is in its own function)."""
    src = (SOLUTIONS / "ex1_vectors.py").read_text(encoding="utf-8")
    start = src.index("def cosine_similarity(a, b)")
    end = src.index("\ndef ", start + 10)
    src = src[:start] + ("def cosine_similarity(a, b) -> float:\n    from scipy.spatial import distance\n"
                         "    return float(1.0 - distance.cosine(a, b))\n\n") + src[end:]
    sub = make_submission(tmp_path / "via", replace={"ex1_vectors": src})
    run = run_grader(sub, tmp_path, "--exercise", "ex1_vectors", "-k",
                     "test_analogy_chapter_king_man_woman or test_cosine_chapter_examples")
    tests = {t["extra_data"]["nodeid"].split("::")[-1]: t for t in run.score["tests"]}
    line = src[:start].count("\n") + 2
    note = f"(line {line} of ex1_vectors.py is in cosine_similarity, which analogy calls: analogy's rules apply there too)"
    analogy, cosine = tests["test_analogy_chapter_king_man_woman"], tests["test_cosine_chapter_examples"]
    assert analogy["score"] == 0 and note in analogy["output"], analogy["output"]
    assert "cosine_similarity の中です。analogy がそれを呼ぶため" in analogy["output"]
    assert cosine["score"] == 0 and "which" not in cosine["output"] and "scipy.spatial.distance" in cosine["output"]
