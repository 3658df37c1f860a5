"""Feedback that names the misconception (autograder.checks.misconception).

* the catalogue of each exercise (``MISCONCEPTIONS`` of its graded tests) is well formed: ids
  unique, tasks of the exercise, natural Japanese and English, every ``Misconception`` of the
  module listed, each one embodied by at least one wrong variant;
* ``match``/``diagnose`` name a misconception only when the student's value is what it gives and
  that value differs from the right one (hypothesis: random values never match);
* through the grader: random wrong answers for every exercise get no misconception named (the
  variants' own check is in test_variants.py: each names exactly what it declares);
* the report records it (``extra_data.misconception``) and leaves it out of a hidden test's entry
  in a student's report.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from autograder import EXERCISES
from autograder.checks.compare import GradingFailure, check_array, check_equal, check_float, convention, diagnose
from autograder.checks.misconception import Misconception, match
from autograder.core.tasks import tasks_of
from autograder.results.report import TestResult as Result, build_results, misconception_lines
from conftest import REPO, VARIANTS, make_submission, run_grader

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
M = Misconception("whole_matrix", task="softmax", lines=(850, 854), errata=True,
                  ja="行列全体で正規化した softmax と一致します", en="equals a softmax over the whole matrix")
N = Misconception("times_two", task="softmax", ja="2 倍になっています", en="is twice the right value")


def _test_module(exercise: str):
    path = REPO / "tests" / f"test_{exercise}.py"
    spec = importlib.util.spec_from_file_location(f"_catalogue_{exercise}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    with warnings.catch_warnings():  # the grader's markers (task, exercise, hidden) are not registered here
        warnings.simplefilter("ignore", pytest.PytestUnknownMarkWarning)
        spec.loader.exec_module(module)
    return module


def _variant_declared(path) -> dict:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "VARIANT" for t in node.targets):
            return ast.literal_eval(node.value)
    return {}


@pytest.mark.parametrize("exercise", EXERCISES)
def test_catalogue_is_well_formed_and_each_entry_is_embodied_by_a_variant(exercise):
    module = _test_module(exercise)
    catalogue = getattr(module, "MISCONCEPTIONS", None)
    assert isinstance(catalogue, list) and catalogue, f"tests/test_{exercise}.py: no MISCONCEPTIONS list"
    ids = [m.id for m in catalogue]
    assert len(ids) == len(set(ids)), f"duplicate ids in {exercise}: {ids}"
    tasks = {t.name for t in tasks_of(exercise)}
    for m in catalogue:
        assert isinstance(m, Misconception)
        assert m.task in tasks, f"{m.id}: task {m.task!r} is not a task of {exercise} ({sorted(tasks)})"
        assert JAPANESE.search(m.ja), f"{m.id}: ja has no Japanese"
        assert not JAPANESE.search(m.en), f"{m.id}: en has Japanese"
    declared_anywhere = {v for v in vars(module).values() if isinstance(v, Misconception)}
    assert declared_anywhere <= set(catalogue), (
        f"{exercise}: Misconception constants not in MISCONCEPTIONS: {sorted(m.id for m in declared_anywhere - set(catalogue))}")
    embodied = set()
    for path in sorted((VARIANTS / exercise).glob("*.py")):
        embodied |= set(_variant_declared(path).get("misconceptions", []))
    assert embodied <= set(ids), f"variants declare unknown misconceptions: {sorted(embodied - set(ids))}"
    assert set(ids) <= embodied, f"{exercise}: no variant embodies {sorted(set(ids) - embodied)}"


def test_match_names_only_a_value_that_differs_from_the_right_one():
    right = np.array([[0.5, 0.5], [0.2, 0.8]])
    whole = right / right.sum()
    assert match(whole.copy(), right, [M.gives(whole)]) is M
    assert match(whole * (1 + 1e-12), right, [M.gives(whole)], rtol=1e-9) is M  # the check's tolerance
    assert match(whole + 1e-3, right, [M.gives(whole)]) is None
    assert match(whole, right, [M.gives(right)]) is None  # mistake gives the right answer here: nothing named
    assert match(whole.tolist(), right, [M.gives(whole)]) is None  # a list is not the array it would give
    assert match(whole.T, right, [M.gives(whole)]) is None
    assert match(2.0, 1.0, [N.gives(2.0)]) is N
    assert match(np.float64(2.0), 1.0, [N.gives(2.0)]) is N
    assert match([2, 3], [1, 3], [N.gives([2, 3])]) is N  # plain data: exact
    assert match((2, 3), [1, 3], [N.gives([2, 3])]) is None
    assert match(whole, right, [N.gives(2 * right), M.gives(whole)]) is M  # first that matches
    with pytest.raises(TypeError):
        match(whole, right, [whole])


def test_a_mistake_nearer_than_1e9_is_named_when_the_check_tells_it_apart():
    # ex6's cross entropy with the chapter's "+ 1e-10" (line 912), p = q = (1/2, 1/2, 0): log 2 - 2e-10,
    # 3e-10 relative off, failed a check of rtol 1e-12 and nothing was named (newcomer helper)
    import math

    p = q = np.array([0.5, 0.5, 0.0])
    expected = math.log(2.0)
    with np.errstate(divide="ignore"):
        mistaken = float(-np.sum(p * np.log(q + 1e-10)))
    assert 1e-10 < abs(mistaken - expected) / expected < 1e-9
    computed_otherwise = float(-(0.5 * np.log(0.5 + 1e-10) + 0.5 * np.log(0.5 + 1e-10)))
    assert match(computed_otherwise, expected, [M.gives(mistaken)], rtol=1e-12, atol=1e-14) is M
    assert match(mistaken, expected, [M.gives(mistaken)], rtol=1e-9) is None  # this check cannot tell them apart
    # another wrong value between the two is not this mistake: it is not ten times nearer to it
    halfway = (expected + mistaken) / 2
    assert match(halfway, expected, [M.gives(mistaken)], rtol=1e-12, atol=1e-14) is None
    # nor is a value off by 1e-7 in the mistake's direction (e.g. float32 arithmetic)
    assert match(expected * (1 - 1e-7), expected, [M.gives(mistaken)], rtol=1e-12) is None


@settings(max_examples=200, deadline=None)
@given(arrays(np.float64, (3, 4), elements=st.floats(-1e6, 1e6, allow_nan=False)),
       arrays(np.float64, (3, 4), elements=st.floats(-1e6, 1e6, allow_nan=False)))
def test_random_wrong_values_are_never_diagnosed(actual, noise):
    right = np.arange(12.0).reshape(3, 4) / 7
    mistaken = right[::-1] * 1.5 + 0.25  # a misconception's value for this input
    found = match(actual, right, [M.gives(mistaken)])
    assert found is None or np.allclose(actual, mistaken, rtol=1e-9)
    assert match(mistaken + noise * 1e-6 + 1e-3, right, [M.gives(mistaken)]) is None


def test_a_failed_check_names_the_misconception_after_its_first_line():
    right = np.array([[0.5, 0.5], [0.2, 0.8]])
    whole = right / right.sum()
    with pytest.raises(GradingFailure) as info:
        check_array(whole.copy(), right, call="softmax(x)", misconceptions=[M.gives(whole)])
    exc = info.value
    assert exc.misconception is M
    ja, en = exc.ja.splitlines(), exc.en.splitlines()
    assert ja[1] == "  考えられる誤解: 行列全体で正規化した softmax と一致します (本文 850–854 行、docs/ERRATA.md)"
    assert en[1] == "  likely misconception: equals a softmax over the whole matrix (chapter lines 850-854, docs/ERRATA.md)"
    assert "期待値" in exc.ja and "expected" in exc.en  # the usual message is kept
    with pytest.raises(GradingFailure) as info:  # another wrong value: nothing named
        check_array(whole + 0.01, right, call="softmax(x)", misconceptions=[M.gives(whole)])
    assert info.value.misconception is None and "誤解" not in str(info.value)
    check_array(right.copy(), right, call="softmax(x)", misconceptions=[M.gives(whole)])  # right: passes
    with pytest.raises(GradingFailure) as info:  # a shape failure is diagnosed too (a transposed gradient)
        check_array(np.ones((1, 2)), np.ones((2, 1)) * 2, call="g()", misconceptions=[N.gives(np.ones((1, 2)))])
    assert info.value.misconception is N and "形状" in info.value.ja
    with pytest.raises(GradingFailure) as info:
        check_float(2.0, 1.0, call="f()", misconceptions=[N.gives(2.0)])
    assert info.value.misconception is N
    with pytest.raises(GradingFailure) as info:
        check_equal([2, 3], [1, 3], call="f()", misconceptions=[N.gives([2, 3])])
    assert info.value.misconception is N


def test_convention_and_diagnose_compose():
    conv = convention("行ごとに正規化", "each row normalised")
    with pytest.raises(GradingFailure) as info:
        with conv:
            with diagnose(2.0, 1.0, [N.gives(2.0)]):
                check_float(2.0, 1.0, call="f()")
    assert info.value.misconception is N
    assert "likely misconception" in info.value.en and "the convention this test relies on" in info.value.en


def test_the_report_records_it_and_withholds_it_from_a_student_for_a_hidden_test():
    rec = M.record()
    results = [Result("t::a", "ex3_attention", "softmax", "a", "", 1.0, "failed", "msg", False, rec),
               Result("t::b", "ex3_attention", "softmax", "b", "", 1.0, "failed", "msg", True, rec)]
    student = build_results(results, target="x", execution_time=0.0, audience="student")
    instructor = build_results(results, target="x", execution_time=0.0, audience="instructor")
    assert student["tests"][0]["extra_data"]["misconception"] == rec
    assert "misconception" not in student["tests"][1]["extra_data"]
    assert instructor["tests"][1]["extra_data"]["misconception"] == rec
    assert set(rec) == {"id", "ja", "en"} and rec["id"] == "whole_matrix"
    assert misconception_lines(student["tests"][1], "student") == []
    assert any("likely misconception" in line for line in misconception_lines(instructor["tests"][1], "instructor"))


_PERTURB = '''
import functools as _ft
import numpy as _np
import solutions.{name} as _ref
from solutions.{name} import *  # noqa: F401,F403

_rng = _np.random.default_rng({seed})


def _wrong(value):
    """A wrong answer of the right kind: every float slightly and randomly off."""
    if type(value) is _np.ndarray and value.dtype.kind == "f":
        return value * (1 + 0.01 * _rng.standard_normal(value.shape)) + 0.003
    if type(value) is float:
        return value * (1 + 0.01 * float(_rng.standard_normal())) + 0.003
    if type(value) is tuple:
        return tuple(_wrong(v) for v in value)
    if type(value) is dict:
        return {{k: _wrong(v) for k, v in value.items()}}
    return value


def _wrap(f):
    @_ft.wraps(f)
    def g(*args, **kwargs):
        return _wrong(f(*args, **kwargs))
    return g


for _n, _f in list(vars(_ref).items()):
    if callable(_f) and not isinstance(_f, type) and getattr(_f, "__module__", None) == _ref.__name__ \\
            and not _n.startswith("_"):
        globals()[_n] = _wrap(_f)
'''


@pytest.mark.parametrize("seed", [1])
def test_random_wrong_answers_get_no_misconception_named(seed, tmp_path):
    """Every exercise's functions return randomly perturbed values: many tests fail, none names a
    misconception (no false diagnosis through the whole grader)."""
    sub = make_submission(tmp_path, replace={name: _PERTURB.format(name=name, seed=seed + i)
                                             for i, name in enumerate(EXERCISES)})
    run = run_grader(sub, tmp_path, "--workbook-audience=instructor")
    assert run.score is not None, run.output
    failed = [t for t in run.score["tests"] if t["status"] != "passed"]
    assert len(failed) >= 20, run.output[-3000:]
    named = {t["extra_data"]["nodeid"]: t["extra_data"]["misconception"]["id"]
             for t in run.score["tests"] if "misconception" in t["extra_data"]}
    assert named == {}, named


CELL = """
import sys

from autograder.grading.incell import grade_task

source = open(sys.argv[1], encoding="utf-8").read()
namespace = {"__name__": "__main__", "In": ["", source]}
exec(compile(source, "<notebook>", "exec"), namespace)
print("SCORE", grade_task("ex3_attention", "softmax", namespace))
"""


def test_the_student_reads_it_in_check_status_the_html_report_and_a_notebook_cell(tmp_path):
    """A softmax normalised over the whole matrix (the chapter's, lines 850-854): ``workbook check``,
    ``workbook status``, the HTML report and the notebook's test cell (nbgrader's feedback is that
    cell's output) all name the misconception, in Japanese and English."""
    import os
    import subprocess

    from autograder.core.exercises import names
    from conftest import make_workbook, run_cli

    variant = (VARIANTS / "ex3_attention" / "softmax_no_axis.py").read_text(encoding="utf-8")
    assert "softmax_whole_matrix" in _variant_declared(VARIANTS / "ex3_attention" / "softmax_no_axis.py")["misconceptions"]
    root = make_workbook(tmp_path, solved=tuple(names()))
    (root / "exercises" / "ex3_attention.py").write_text(variant, encoding="utf-8")
    ja, en = "考えられる誤解: ", "likely misconception: "
    check = run_cli(root, "check", "3")
    assert ja in check.stdout and en in check.stdout, check.stdout + check.stderr
    assert check.stdout.count(en) == 1, check.stdout  # said once, above the message (not again inside it)
    page = (root / "reports" / "report.html").read_text(encoding="utf-8")
    assert 'data-misconception="softmax_whole_matrix"' in page and page.count("likely misconception: ") == 0
    status = run_cli(root, "status")
    assert ja in status.stdout and en in status.stdout, status.stdout + status.stderr
    report = root / "reports" / "score.json"
    named = [t["extra_data"]["misconception"] for t in json.loads(report.read_text(encoding="utf-8"))["tests"]
             if "misconception" in t["extra_data"]]
    assert named and {m["id"] for m in named} == {"softmax_whole_matrix"}
    assert all("850" in m["ja"] and "850" in m["en"] for m in named)

    answer = tmp_path / "answer.py"
    answer.write_text(variant, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(REPO), MPLBACKEND="Agg", WORKBOOK_LANG="both")
    proc = subprocess.run([sys.executable, "-c", CELL, str(answer)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=600, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert ja in proc.stdout and en in proc.stdout, proc.stdout


def test_an_odd_value_is_not_diagnosed_and_the_failure_stays():
    deep: list = []
    for _ in range(100_000):  # deeper than the recursion limit
        deep = [deep]
    with pytest.raises(GradingFailure) as info:
        with diagnose(deep, [1], [N.gives([2])]):
            fail_plain = GradingFailure("wrong")
            raise fail_plain
    assert info.value is fail_plain and info.value.misconception is None
