"""Plausible wrong implementations lose points in their own exercise and nowhere else; a correct
but differently written implementation gets full points.

Each file ``selftests/variants/<exercise>/<mistake>.py`` replaces that exercise's module in a
copy of ``solutions/`` and declares ``VARIANT = {"correct": bool, "loses": [task, ...]}``, plus
``"misconceptions": [id, ...]`` when it embodies entries of the exercise's catalogue
(``MISCONCEPTIONS`` of its graded tests): the grader must name exactly those, and a variant
without the key must get none named.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from autograder import EXERCISES
from autograder.core.exercises import points
from conftest import VARIANTS, make_submission, run_grader


def _declared(path: Path) -> dict:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "VARIANT" for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{path} has no VARIANT = {{...}} declaration")


VARIANT_FILES = sorted(VARIANTS.glob("*/*.py"))


def test_every_exercise_has_three_wrong_and_one_alternative_variant():
    for name in EXERCISES:
        files = sorted((VARIANTS / name).glob("*.py"))
        kinds = [_declared(p)["correct"] for p in files]
        assert kinds.count(False) >= 3, f"{name}: needs at least three wrong implementations"
        assert kinds.count(True) >= 1, f"{name}: needs a correct, differently written implementation"


@pytest.mark.parametrize("path", VARIANT_FILES, ids=[f"{p.parent.name}/{p.stem}" for p in VARIANT_FILES])
def test_variant_is_graded_as_it_deserves(path, tmp_path):
    # only the variant's own exercise is graded here (one grader run per variant: with nine exercises,
    # grading all of them for each of ~90 variants made this file the longest of CI); that a
    # variant costs nothing in the other exercises is checked for all exercises at once below
    exercise = path.parent.name
    run = run_grader(make_submission(tmp_path, replace={exercise: path}), tmp_path,
                     "--workbook-audience=instructor", "--exercise", exercise)
    assert set(run.exercise_scores()) == {exercise}, run.output
    _assert_graded_as_declared(run, path)


def _assert_graded_as_declared(run, path: Path) -> None:
    """The variant's exercise in ``run`` lost exactly the tasks the variant declares and named exactly
    its misconceptions."""
    exercise = path.parent.name
    declared = _declared(path)
    scores = run.exercise_scores()
    # feedback that names the misconception: exactly the ones the variant embodies, never another
    named = {t["extra_data"]["misconception"]["id"] for t in run.score["tests"]
             if "misconception" in t["extra_data"] and t["extra_data"]["exercise"] == exercise}
    assert named == set(declared.get("misconceptions", [])), (
        f"{path.name}: misconceptions named {sorted(named)}, declared {declared.get('misconceptions', [])}")
    tasks = run.task_scores(exercise)
    if declared["correct"]:
        assert scores[exercise] == points()[exercise], run.output
        return
    assert scores[exercise] < points()[exercise], f"{path.name} kept full marks"
    unknown = set(declared["loses"]) - set(tasks)
    assert not unknown, f"unknown tasks {sorted(unknown)}; tasks are {sorted(tasks)}"
    lost = {task for task, (got, full) in tasks.items() if got < full}
    assert lost == set(declared["loses"]), f"{path.name}: lost points in {sorted(lost)}, declared {declared['loses']}"


def test_wrong_variants_of_every_exercise_at_once_lose_only_their_own_points(tmp_path):
    """One submission holding a wrong variant of every exercise (the first by name): each exercise
    loses exactly what its own variant declares, as when graded alone: a mistake in one module never
    costs points in another."""
    chosen = {}
    for name in EXERCISES:
        wrong = [p for p in sorted((VARIANTS / name).glob("*.py")) if not _declared(p)["correct"]]
        chosen[name] = wrong[0]
    run = run_grader(make_submission(tmp_path, replace=chosen), tmp_path, "--workbook-audience=instructor")
    assert set(run.exercise_scores()) == set(EXERCISES), run.output
    for path in chosen.values():
        _assert_graded_as_declared(run, path)
