"""The hooks the plugin publishes (autograder/grading/hookspecs.py), with the example course plugin
docs/examples/late_penalty.py: a course changes the results document without a new option of ours."""

from __future__ import annotations

import json
import os

import jsonschema

from conftest import REPO, run_grader

SCHEMA = json.loads((REPO / "autograder" / "schemas" / "results.schema.json").read_text())
ENV = {"PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "docs" / "examples")])}
ONE = ("tests/test_ex1_vectors.py", "-p", "late_penalty", "-q")


def test_late_penalty_changes_the_score_before_the_report_is_written(tmp_path):
    run = run_grader(REPO / "solutions", tmp_path, *ONE, "--deadline", "2026-12-01T00:00",
                     "--submitted-at", "2026-12-03T10:00", "--lms-section", "B", env_extra=ENV)
    assert run.returncode == 0, run.output
    extra = run.score["extra_data"]
    # 2 days 10 hours late: 3 started days, 10 % each
    assert extra["late_penalty"]["days_late"] == 3 and extra["late_penalty"]["score_before"] == 20
    assert run.score["score"] == 14.0 and run.exercise_scores() == {"ex1_vectors": 20.0}
    assert extra["lms"] == {"section": "B"}
    jsonschema.validate(run.score, SCHEMA)
    assert "changed the score from 20 to 14" in run.output and "得点が 20 から 14 に変わりました" in run.output


def test_without_the_course_options_the_report_is_unchanged(tmp_path):
    run = run_grader(REPO / "solutions", tmp_path, *ONE, env_extra=ENV)
    assert run.returncode == 0, run.output
    assert run.score["score"] == 20.0
    assert "late_penalty" not in run.score["extra_data"] and "lms" not in run.score["extra_data"]
    assert "pytest_workbook_results" not in run.output


def test_an_implementation_with_a_misspelt_argument_is_refused(tmp_path):
    """pluggy checks a course's implementation against the published specification."""
    plugin = tmp_path / "bad_course.py"
    plugin.write_text("def pytest_workbook_results(result, config):\n    pass\n", encoding="utf-8")
    run = run_grader(REPO / "solutions", tmp_path, "tests/test_ex1_vectors.py", "-p", "bad_course",
                     env_extra={"PYTHONPATH": os.pathsep.join([str(REPO), str(tmp_path)])})
    assert run.returncode != 0
    assert "pytest_workbook_results" in run.output and "result" in run.output
