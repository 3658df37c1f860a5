"""LMS export (issue 14 section 4): Canvas and Moodle gradebook CSVs from a batch's gradebook.json.

A hand-made class gradebook (graded students, one whose grading failed, one with a Japanese id,
one the roster does not know) and hand-made LMS exports (with a student who submitted nothing):
every cell of the output is checked — an empty grade, never 0, for no submission or a failed
grading; 0 stays 0 for a graded student who scored nothing; every other column and row untouched.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from autograder.classroom.lms import LmsError, Roster, build_export, read_gradebook, read_mapping, read_roster, \
    summary_lines, write_export
from conftest import REPO

BOM = b"\xef\xbb\xbf"

GRADEBOOK = {
    "students": [
        {"student": "alice", "status": "graded", "score": 7.5, "max_score": 10.0, "exercises": {"ex1_vectors": 7.5}},
        {"student": "bob", "status": "error", "score": None, "max_score": 10.0, "exercises": {},
         "errors": ["grading failed"]},
        {"student": "山田太郎", "status": "graded", "score": 0.0, "max_score": 10.0, "exercises": {"ex1_vectors": 0.0}},
        {"student": "dave", "status": "graded", "score": 10.0, "max_score": 10.0, "exercises": {"ex1_vectors": 10.0}},
        {"student": "zed", "status": "graded", "score": 4.0, "max_score": 10.0, "exercises": {"ex1_vectors": 4.0}},
    ],
    "exercises": ["ex1_vectors"], "max_score": 10.0,
}

# Canvas "Export Entire Gradebook": a Points Possible row, an existing assignment with a manual
# grade for bob, read-only totals; carol submitted nothing
CANVAS = (
    "Student,ID,SIS User ID,SIS Login ID,Section,Week 1 (101),Vectors (202),Current Score,Final Score\n"
    "    Points Possible,,,,,10,20,(read only),(read only)\n"
    '"Smith, Alice",11,s-01,Alice,A1,9,,90,45\n'
    '"Jones, Bob",12,s-02,bob,A1,3,5,30,15\n'
    "山田 太郎,13,s-03,yamada,A2,,,,\n"
    "Carol,14,s-04,carol,A2,8,,80,40\n"
    "Dave,15,s-05,dave,A2,,,,\n"
)

# Moodle "Export > Plain text file" (semicolon separator chosen there); the batch ids are the
# part of the e-mail address before @ (given with a mapping for the Japanese name)
MOODLE = (
    "First name;Last name;ID number;Institution;Department;Email address;Assignment: Vectors (Real);"
    "Last downloaded from this course\n"
    "Alice;Smith;1001;;;alice@example.edu;-;1764806400\n"
    "Bob;Jones;1002;;;bob@example.edu;-;1764806400\n"
    "太郎;山田;1003;;;yamada@example.edu;-;1764806400\n"
    "Carol;King;1004;;;carol@example.edu;-;1764806400\n"
    "Dave;Lee;1005;;;dave@example.edu;-;1764806400\n"
)
MOODLE_MAPPING = ("student,lms_id\nalice,alice@example.edu\nbob,bob@example.edu\n山田太郎,yamada@example.edu\n"
                  "dave,DAVE@example.edu\n")


def _cells(path: Path, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline=""), delimiter=delimiter))


def _write(path: Path, text: str, *, bom: bool = False) -> Path:
    path.write_bytes((BOM if bom else b"") + text.encode("utf-8"))
    return path


@pytest.fixture
def book(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    out.mkdir()
    (out / "gradebook.json").write_text(json.dumps(GRADEBOOK, ensure_ascii=False), encoding="utf-8")
    return out


def test_canvas_fills_an_existing_column_and_leaves_the_rest(tmp_path, book):
    roster_path = _write(tmp_path / "canvas.csv", CANVAS, bom=True)
    roster = read_roster(roster_path, "canvas")
    assert roster.bom and roster.header[0] == "Student"  # the BOM is not part of the first column's name
    mapping = {"山田太郎": "yamada"}
    export = build_export(read_gradebook(book), roster, "canvas", "SIS Login ID", "Vectors", mapping=mapping)
    assert (export.column, export.added) == (6, False)
    out = tmp_path / "import.csv"
    write_export(out, roster, export, "canvas", protect=(roster_path,))
    assert out.read_bytes().startswith(BOM)  # Canvas: a BOM when the export had one
    assert _cells(out) == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Week 1 (101)", "Vectors (202)", "Current Score",
         "Final Score"],
        ["    Points Possible", "", "", "", "", "10", "20", "(read only)", "(read only)"],
        ["Smith, Alice", "11", "s-01", "Alice", "A1", "9", "7.5", "90", "45"],  # login matched ignoring case
        ["Jones, Bob", "12", "s-02", "bob", "A1", "3", "", "30", "15"],  # grading failed: empty, not 0 (was 5)
        ["山田 太郎", "13", "s-03", "yamada", "A2", "", "0", "", ""],  # graded, scored nothing: 0
        ["Carol", "14", "s-04", "carol", "A2", "8", "", "80", "40"],  # submitted nothing: empty
        ["Dave", "15", "s-05", "dave", "A2", "", "10", "", ""],
    ]
    assert export.unknown == ["zed"]
    assert sorted(export.empty) == [("bob", "error"), ("carol", "missing")]
    assert export.notes == ["警告: 点数は 10 点満点ですが、Canvas のこの課題の配点 (Points Possible) は 20 点です。"
                            "配点に換算するには --points possible / warning: the grades are out of 10 points but the "
                            "Canvas assignment's Points Possible is 20; --points possible scales them to it"]
    assert export.notes[0] in summary_lines(export, "SIS Login ID")
    week1 = build_export(read_gradebook(book), roster, "canvas", "SIS Login ID", "Week 1", mapping=mapping)
    assert week1.notes == []  # out of 10, worth 10
    assert roster_path.read_text(encoding="utf-8-sig") == CANVAS  # the roster is never changed


def test_canvas_new_column_scaled_points_and_no_bom(tmp_path, book):
    roster = read_roster(_write(tmp_path / "canvas.csv", CANVAS), "canvas")
    assert not roster.bom
    export = build_export(read_gradebook(book), roster, "canvas", "SIS Login ID", "Transformer workbook",
                          points=40, mapping={unicodedata.normalize("NFD", "山田太郎"): "YAMADA "})
    out = tmp_path / "import.csv"
    write_export(out, roster, export, "canvas")
    assert not out.read_bytes().startswith(BOM)
    rows = _cells(out)
    assert rows[0][-1] == "Transformer workbook" and export.added
    assert [r[-1] for r in rows[1:]] == ["40", "30", "", "0", "", "40"]  # Points Possible = --points
    assert [r[:-1] for r in rows] == _cells(_write(tmp_path / "again.csv", CANVAS))  # every other cell kept


def test_canvas_points_possible_scales_to_the_column(tmp_path, book):
    roster = read_roster(_write(tmp_path / "canvas.csv", CANVAS), "canvas")
    gradebook = read_gradebook(book)
    export = build_export(gradebook, roster, "canvas", "SIS Login ID", "Vectors (202)", points="possible",
                          mapping={"山田太郎": "yamada"})
    assert [r[6] for r in export.rows] == ["20", "15", "", "0", "", "20"]  # out of the 20 points possible
    with pytest.raises(LmsError, match="no Points Possible value for this assignment"):
        build_export(gradebook, roster, "canvas", "SIS Login ID", "Week 9", points="possible")
    for bad in (0, -3, float("nan"), float("inf"), "ten"):
        with pytest.raises(LmsError, match="--points must be a positive number or 'possible'"):
            build_export(gradebook, roster, "canvas", "SIS Login ID", "Vectors", points=bad)


def test_moodle_with_mapping_keeps_delimiter_and_writes_no_bom(tmp_path, book):
    roster_path = _write(tmp_path / "moodle.csv", MOODLE, bom=True)  # saved again by Excel: a BOM
    roster = read_roster(roster_path, "moodle")
    assert roster.delimiter == ";" and roster.header[0] == "First name"
    mapping = read_mapping(_write(tmp_path / "map.csv", MOODLE_MAPPING, bom=True))
    assert mapping["山田太郎"] == "yamada@example.edu"
    export = build_export(read_gradebook(book), roster, "moodle", "Email address", "Vectors", mapping=mapping)
    out = tmp_path / "import.csv"
    write_export(out, roster, export, "moodle")
    assert not out.read_bytes().startswith(BOM)  # Moodle: UTF-8 without a BOM
    assert _cells(out, ";") == [
        ["First name", "Last name", "ID number", "Institution", "Department", "Email address",
         "Assignment: Vectors (Real)", "Last downloaded from this course"],
        ["Alice", "Smith", "1001", "", "", "alice@example.edu", "7.5", "1764806400"],
        ["Bob", "Jones", "1002", "", "", "bob@example.edu", "", "1764806400"],
        ["太郎", "山田", "1003", "", "", "yamada@example.edu", "0", "1764806400"],
        ["Carol", "King", "1004", "", "", "carol@example.edu", "", "1764806400"],
        ["Dave", "Lee", "1005", "", "", "dave@example.edu", "10", "1764806400"],
    ]
    lines = summary_lines(export, "Email address")
    assert "3 students got a grade, 2 left empty (1 with nothing graded, 1 grading failed), 1 not in the roster" \
        in lines[0]
    assert "left empty, grading failed: bob@example.edu" in lines[1]
    # zed is not in the roster: carol may have submitted under that id (newcomer helper: "no submission" misled)
    assert "left empty, nothing graded under this id (no submission, or one under an id not in the roster): " \
        "carol@example.edu" in lines[2]
    assert lines[3].startswith("警告: 成績表の zed は名簿 (Email address) にいません") and \
        "warning: zed of the gradebook is not in the roster (Email address)" in lines[3]


@pytest.mark.parametrize("lms,text,column,assignment,message", [
    ("blackboard", CANVAS, "SIS Login ID", "Vectors", "unknown --lms 'blackboard'"),
    ("canvas", "Name,Login\nAlice,alice\n", "Login", "Vectors", "not a Canvas gradebook export: no column Student, ID"),
    ("canvas", CANVAS, "Login", "Vectors", "the roster has no column 'Login' to match students by"),
    ("moodle", "Email address;Assignment: Vectors (Real);Quiz: Vectors (Real)\na@x;-;-\n", "Email address",
     "Vectors", "several columns match the assignment 'Vectors'"),
    ("moodle", "Email address\na@x\nA@X\n", "Email address", "Vectors", "the roster has Email address 'A@X' in two rows"),
    ("canvas", CANVAS, "SIS Login ID", "Section", "the column 'Section' is not an assignment's grades"),
    ("canvas", CANVAS, "SIS Login ID", "Current Score", "the column 'Current Score' is not an assignment's grades"),
    ("moodle", MOODLE, "Email address", "Email address", "the column 'Email address' is not an assignment's grades"),
])
def test_bad_roster_gets_a_bilingual_error(tmp_path, book, lms, text, column, assignment, message):
    path = _write(tmp_path / "roster.csv", text)
    with pytest.raises(LmsError) as info:
        build_export(read_gradebook(book), read_roster(path, lms), lms, column, assignment)
    assert message in str(info.value) and " / " in str(info.value)
    ja = str(info.value).split(" / ")[0]
    assert any("\u3040" <= c <= "\u9fff" for c in ja), ja  # the Japanese half is Japanese


def test_not_a_gradebook_and_not_utf8(tmp_path):
    (tmp_path / "gradebook.json").write_text('{"rows": []}', encoding="utf-8")
    with pytest.raises(LmsError, match="is not a batch gradebook"):
        read_gradebook(tmp_path)
    (tmp_path / "gradebook.json").write_text("student,score\n", encoding="utf-8")
    with pytest.raises(LmsError, match="is not JSON"):
        read_gradebook(tmp_path / "gradebook.json")
    cp932 = tmp_path / "cp932.csv"
    cp932.write_bytes("Student,ID\n山田,1\n".encode("cp932"))
    with pytest.raises(LmsError, match="is not UTF-8"):
        read_roster(cp932, "canvas")


def test_output_never_overwrites_the_roster(tmp_path, book):
    path = _write(tmp_path / "canvas.csv", CANVAS)
    roster = read_roster(path, "canvas")
    export = build_export(read_gradebook(book), roster, "canvas", "SIS Login ID", "Vectors")
    with pytest.raises(LmsError, match="is one of the input files"):
        write_export(path, roster, export, "canvas", protect=(path,))
    assert path.read_text(encoding="utf-8") == CANVAS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["canvas.csv", "out"]  # no temporary file left


def test_roster_rows_are_kept_as_data(tmp_path):
    roster = Roster(["Student", "ID", "SIS Login ID"], [["A", "1", "a"], ["B", "2"]])  # a short row
    export = build_export({"students": [{"student": "b", "status": "graded", "score": 2, "max_score": 4}]},
                          roster, "canvas", "SIS Login ID", "HW")
    assert export.rows == [["A", "1", "a", ""], ["B", "2"]]  # no id: no student, the row left as it was
    assert roster.rows == [["A", "1", "a"], ["B", "2"]] and export.unknown == ["b"]


def _export(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO), WORKBOOK_LANG="both")
    return subprocess.run([sys.executable, "-m", "autograder.batch", "export", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)


def test_command_line_end_to_end(tmp_path, book):
    roster = _write(tmp_path / "canvas.csv", CANVAS, bom=True)
    mapping = _write(tmp_path / "map.csv", "student,lms_id\n山田太郎,yamada\n")
    out = tmp_path / "canvas_import.csv"
    common = ["--lms", "Canvas", "--roster", str(roster), "--match-column", "SIS Login ID",
              "--assignment", "Week 1 (101)", "--output", str(out), "--mapping", str(mapping)]
    proc = _export(str(book), *common)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert [r[5] for r in _cells(out)] == ["Week 1 (101)", "10", "7.5", "", "0", "", "10"]
    assert "wrote the column 'Week 1 (101)' to" in proc.stdout
    assert "warning: zed of the gradebook is not in the roster (SIS Login ID)" in proc.stderr
    assert "警告: 成績表の zed は名簿" in proc.stderr
    strict = _export(str(book / "gradebook.json"), *common, "--strict")
    assert strict.returncode == 1 and out.is_file()
    bad = _export(str(book), *common[:1], "d2l", *common[2:])
    assert bad.returncode == 2 and "unknown --lms 'd2l'" in bad.stderr and "には対応していません" in bad.stderr
    ten = _export(str(book), *common, "--points", "ten")
    assert ten.returncode == 2 and "--points must be a positive number or 'possible'" in ten.stderr
    possible = _export(str(book), *common, "--points", "possible", "--assignment", "Vectors")
    assert possible.returncode == 0, possible.stderr
    assert [r[6] for r in _cells(out)] == ["Vectors (202)", "20", "15", "", "0", "", "20"]
    same = _export(str(book), *[str(roster) if a == str(out) else a for a in common])
    assert same.returncode == 2 and "is one of the input files" in same.stderr
    assert roster.read_bytes() == BOM + CANVAS.encode("utf-8")


def test_a_name_a_spreadsheet_would_run_is_written_as_text_and_identifiers_are_kept(tmp_path, book):
    """A display name from the LMS such as ``=HYPERLINK(...)`` would run as a formula when the
    instructor opens the export; names get a leading ``'``, identifiers and grades stay as they were."""
    canvas = CANVAS.replace('"Smith, Alice"', '"=HYPERLINK(""http://x"")"').replace("Dave,15,s-05,dave", "@Dave,15,-s-05,dave")
    roster = read_roster(_write(tmp_path / "canvas.csv", canvas), "canvas")
    export = build_export(read_gradebook(book), roster, "canvas", "SIS Login ID", "Vectors", mapping={"山田太郎": "yamada"})
    write_export(tmp_path / "canvas-import.csv", roster, export, "canvas")
    rows = _cells(tmp_path / "canvas-import.csv")
    assert rows[2][:4] == ["'=HYPERLINK(\"http://x\")", "11", "s-01", "Alice"] and rows[2][6] == "7.5"
    assert rows[6][:4] == ["'@Dave", "15", "-s-05", "dave"]  # the SIS User ID is an identifier: unchanged
    moodle = MOODLE.replace("Bob;Jones", "+Bob;-Jones")
    mapping = tmp_path / "mapping.csv"
    mapping.write_text(MOODLE_MAPPING, encoding="utf-8")
    roster = read_roster(_write(tmp_path / "moodle.csv", moodle), "moodle")
    export = build_export(read_gradebook(book), roster, "moodle", "Email address", "Vectors", mapping=read_mapping(mapping))
    write_export(tmp_path / "moodle-import.csv", roster, export, "moodle")
    rows = _cells(tmp_path / "moodle-import.csv", delimiter=";")
    assert rows[2][:3] == ["'+Bob", "'-Jones", "1002"] and rows[2][5] == "bob@example.edu"
    plain = read_roster(_write(tmp_path / "plain.csv", MOODLE), "moodle")
    write_export(tmp_path / "plain-import.csv", plain,
                 build_export(read_gradebook(book), plain, "moodle", "Email address", "Vectors", mapping=read_mapping(mapping)),
                 "moodle")
    assert [r[2:] for r in rows] == [r[2:] for r in _cells(tmp_path / "plain-import.csv", delimiter=";")]  # the rest as before


def test_a_student_without_any_graded_exercise_file_is_empty_and_one_exercise_has_its_own_full_marks(tmp_path):
    """The newcomer instructor (helper-62): graded with ``--exercise ex1_vectors``, a student who handed
    in no ex1 notebook got 0 in Canvas (nbgrader: not submitted), and the new column's Points
    Possible said 180 (the workbook's) for a 20-point exercise. A graded row whose ``missing`` names
    every graded exercise is left empty; 0 stays 0 for one who handed the file in; the gradebook's
    ``max_score`` is the graded exercises' full marks."""
    from autograder.classroom.batch import write_gradebook

    out = tmp_path / "out"
    out.mkdir()
    def row(student, score, missing=()):
        return {"student": student, "status": "graded", "score": score, "max_score": 20.0, "partial": True,
                "exercises": {"ex1_vectors": score}, "report": f"reports/{student}.json", "missing": list(missing),
                "errors": [], "notes": []}
    write_gradebook([row("alice", 15.0), row("dave", 0.0, ["ex1_vectors"]), row("erin", 0.0)], out)
    gradebook = read_gradebook(out / "gradebook.json")
    assert gradebook["max_score"] == 20.0
    roster = read_roster(_write(tmp_path / "canvas.csv", "Student,ID,SIS User ID,SIS Login ID,Section\n"
                                "    Points Possible,,,,\nAlice,1,s1,alice,A\nDave,2,s2,dave,A\nErin,3,s3,erin,A\n"), "canvas")
    export = build_export(gradebook, roster, "canvas", "SIS Login ID", "ex1 (555)")
    cells = {r[3]: r[export.column] for r in export.rows if len(r) > 3}
    assert cells == {"": "20", "alice": "15", "dave": "", "erin": "0"}, cells
    assert ("dave", "missing") in export.empty and not export.unknown
