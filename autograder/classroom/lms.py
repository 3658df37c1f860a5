"""Gradebook CSVs for an LMS (Canvas, Moodle) from a batch's class gradebook (``OUT/gradebook.json``).

The instructor exports the LMS's own gradebook CSV (the roster: every enrolled student, one row
each); :func:`build_export` fills in one assignment column of it from the batch's gradebook and
keeps every other column and row as it was, so the file goes back into the LMS's CSV import.

- Canvas ("Export Entire Gradebook" / "Import"): columns ``Student``, ``ID``, ``SIS User ID``,
  ``SIS Login ID``, ``Section``, then one column per assignment, ``<name> (<assignment id>)``, then
  read-only totals; a second row ``Points Possible`` (and in newer exports a row of posting
  policies) holds no student. Rows whose identifier cell is empty are such rows and stay as they
  are; a new assignment column gets the points possible in the ``Points Possible`` row.
- Moodle ("Export > Plain text file" / "Import > CSV file"): columns such as ``First name``,
  ``Last name``, ``ID number``, ``Email address``, ``Username``, one column per grade item
  (``Assignment: <name> (Real)``) and ``Last downloaded from this course``. On import the
  instructor maps the identifier column to the user (username, email or ID number) and the
  grade column to the grade item.

Which roster row is which student is explicit: ``match_column`` names the roster column holding
the LMS's identifier, and a student's batch id (the submission's folder or zip name) is compared
with it, through an optional mapping (batch id -> identifier, :func:`read_mapping`). Comparison
ignores case, surrounding spaces and Unicode normalisation (NFC).

The grade is the gradebook's ``score``: points out of ``max_score`` (the total of the exercises
that were graded), or scaled to ``points`` (the LMS assignment's points possible). A roster
student who submitted nothing (not in the gradebook, or no file of any graded exercise: the row's
``missing``) or whose grading failed (status ``error``, or an empty score) gets an EMPTY cell,
never 0: both LMSs then record no grade. Gradebook
students that match no roster row are returned in :attr:`Export.unknown`, never silently dropped.

Encoding: the roster is read as UTF-8 with or without a byte order mark (Excel adds one); the
output is UTF-8, for Canvas with a BOM exactly when the roster had one, for Moodle without one
(Moodle's import reads UTF-8; its encoding menu must say UTF-8). The roster's delimiter and line
endings are kept.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..core.i18n import bilingual
from ..core.tables import spreadsheet_text

#: The LMSs whose gradebook CSV :func:`build_export` fills in.
LMS_KINDS = ("canvas", "moodle")

#: Columns every Canvas gradebook export has (a roster without them is not one).
CANVAS_REQUIRED = ("Student", "ID")

_BOM = b"\xef\xbb\xbf"

#: Columns of the LMS exports that never hold an assignment's grades.
_NOT_GRADES = frozenset({"Student", "ID", "SIS User ID", "SIS Login ID", "Integration ID", "Section", "First name",
                         "Last name", "ID number", "Institution", "Department", "Email address", "Username",
                         "Last downloaded from this course"})


class LmsError(ValueError):
    """Bad input for the LMS export (bilingual message naming what was wrong)."""


def _error(ja: str, en: str) -> LmsError:
    return LmsError(bilingual(ja, en, sep=" / "))


@dataclass(frozen=True)
class Roster:
    """An LMS gradebook CSV as read: ``header`` (column names), ``rows`` (cells, as strings),
    ``delimiter``, ``newline`` (``"\\r\\n"`` or ``"\\n"``) and ``bom`` (the file began with one)."""

    header: list[str]
    rows: list[list[str]]
    delimiter: str = ","
    newline: str = "\r\n"
    bom: bool = False


@dataclass
class Export:
    """What :func:`build_export` made.

    ``header`` and ``rows``: the roster with the assignment column filled in; ``column``: that
    column's index (``added``: it was appended); ``graded``: ``(identifier, student, grade)`` of
    each roster row that got a grade; ``empty``: ``(identifier, reason)`` of each roster row left
    empty, ``reason`` being ``"missing"`` (no submission) or ``"error"`` (grading failed);
    ``unknown``: gradebook student ids that match no roster row; ``notes``: bilingual warnings
    about the file (grades on another scale than the Canvas column's Points Possible).
    """

    header: list[str]
    rows: list[list[str]]
    column: int
    added: bool
    graded: list[tuple[str, str, str]] = field(default_factory=list)
    empty: list[tuple[str, str]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _key(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip().casefold()


def _decode(data: bytes, what: Path) -> tuple[str, bool]:
    bom = data.startswith(_BOM)
    try:
        return data.decode("utf-8-sig"), bom
    except UnicodeDecodeError as exc:
        raise _error(f"{what} は UTF-8 ではありません (位置 {exc.start})。Excel なら「CSV UTF-8」で保存してください",
                     f"{what} is not UTF-8 (byte {exc.start}); in Excel save it as 'CSV UTF-8'") from None


def read_roster(path: Path, lms: str) -> Roster:
    """Read the LMS's gradebook CSV at ``path`` (UTF-8, with or without a BOM).

    Canvas files are comma-separated; for Moodle the delimiter (comma, tab, semicolon or colon,
    as Moodle's export offers) is taken from the header line.

    Raises:
        LmsError: unknown ``lms``, the file is unreadable, not UTF-8, empty, or (Canvas) lacks the
            columns of a Canvas gradebook export.
    """
    lms = check_lms(lms)
    try:
        text, bom = _decode(Path(path).read_bytes(), path)
    except OSError as exc:
        raise _error(f"名簿 {path} を読めません: {exc}", f"cannot read the roster {path}: {exc}") from None
    first = text.split("\n", 1)[0]
    if not first.strip():
        raise _error(f"名簿 {path} が空です (見出し行がありません)", f"the roster {path} is empty (no header line)")
    delimiter = ","
    if lms == "moodle":
        try:
            delimiter = csv.Sniffer().sniff(first, delimiters=",\t;:").delimiter
        except csv.Error:
            delimiter = ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    header, body = rows[0], [r for r in rows[1:] if r]
    if lms == "canvas":
        missing = [c for c in CANVAS_REQUIRED if c not in header]
        if missing:
            raise _error(f"{path} は Canvas の成績表エクスポートではありません: 列 {', '.join(missing)} がありません",
                         f"{path} is not a Canvas gradebook export: no column {', '.join(missing)}")
    return Roster(header, body, delimiter, "\r\n" if "\r\n" in text[:len(first) + 2] else "\n", bom)


def check_lms(lms: str) -> str:
    """``lms`` in lower case if it is one of :data:`LMS_KINDS`; raises :class:`LmsError` otherwise."""
    name = str(lms).strip().lower()
    if name not in LMS_KINDS:
        raise _error(f"--lms {lms!r} には対応していません。使えるのは {', '.join(LMS_KINDS)} です",
                     f"unknown --lms {lms!r}; choose one of {', '.join(LMS_KINDS)}")
    return name


def read_gradebook(path: Path) -> dict:
    """The batch's class gradebook: ``path`` is ``gradebook.json`` or the batch's output folder.

    Returns:
        The document (``{"students": [row, ...], "max_score": float, ...}``), each row a dict with
        at least ``student`` (str) and ``status`` (str).

    Raises:
        LmsError: no such file, not JSON, or not a batch gradebook.
    """
    path = Path(path)
    if path.is_dir():
        path = path / "gradebook.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise _error(f"成績表 {path} を読めません: {exc}", f"cannot read the gradebook {path}: {exc}") from None
    except ValueError as exc:
        raise _error(f"{path} は JSON ではありません: {exc}", f"{path} is not JSON: {exc}") from None
    students = doc.get("students") if isinstance(doc, dict) else None
    if not isinstance(students, list) or not all(
            isinstance(r, dict) and isinstance(r.get("student"), str) and isinstance(r.get("status"), str)
            for r in students):
        raise _error(f"{path} は一括採点の成績表 (gradebook.json: students の各行に student と status) ではありません",
                     f"{path} is not a batch gradebook (gradebook.json: a 'students' list of rows with "
                     "'student' and 'status')")
    return doc


def read_mapping(path: Path) -> dict[str, str]:
    """A mapping CSV (UTF-8, BOM allowed) with the columns ``student`` (the batch's id: the
    submission's folder or zip name) and ``lms_id`` (the value of the roster's match column).

    Returns:
        ``{student id (NFC): lms id}``.

    Raises:
        LmsError: unreadable, not UTF-8, missing a column, or one student given twice.
    """
    try:
        text, _ = _decode(Path(path).read_bytes(), path)
    except OSError as exc:
        raise _error(f"対応表 {path} を読めません: {exc}", f"cannot read the mapping {path}: {exc}") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in ("student", "lms_id") if c not in (reader.fieldnames or [])]
    if missing:
        raise _error(f"対応表 {path} に列 {', '.join(missing)} がありません (見出しは student,lms_id)",
                     f"the mapping {path} has no column {', '.join(missing)} (header: student,lms_id)")
    mapping: dict[str, str] = {}
    for row in reader:
        student = unicodedata.normalize("NFC", (row["student"] or "").strip())
        if not student:
            continue
        if student in mapping:
            raise _error(f"対応表 {path} で {student} が 2 回出てきます", f"the mapping {path} lists {student} twice")
        mapping[student] = (row["lms_id"] or "").strip()
    return mapping


def _number(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _find_column(header: list[str], assignment: str) -> int | None:
    """The index of the assignment's column: the exact header, else the one header that starts
    with ``assignment`` followed by `` (`` (Canvas ``Name (123)``, Moodle ``...: Name (Real)``) or
    contains it after ``: ``; None when there is none."""
    if assignment in header:
        return header.index(assignment)
    near = [i for i, h in enumerate(header)
            if h.startswith(assignment + " (") or h.split(": ", 1)[-1] in (assignment, *[
                assignment + s for s in (" (Real)", " (Scale)", " (Letter)", " (Percentage)")])]
    if len(near) > 1:
        raise _error(f"課題 {assignment!r} に当てはまる列が複数あります: {', '.join(header[i] for i in near)}。列名を正確に指定してください",
                     f"several columns match the assignment {assignment!r}: {', '.join(header[i] for i in near)}; "
                     "give the exact column name")
    return near[0] if near else None


def _grades(gradebook: dict, points: float | None) -> dict[str, str | None]:
    """``{student (NFC): grade text, or None when grading failed}``; absent: the student handed in
    none of the graded exercises (``missing`` names every one of them), as if not in the gradebook."""
    by_student: dict[str, list[dict]] = {}
    for row in gradebook["students"]:
        by_student.setdefault(unicodedata.normalize("NFC", row["student"]), []).append(row)
    grades: dict[str, str | None] = {}
    for student, rows in by_student.items():
        row = rows[0]
        graded = set(row.get("exercises") or {})
        if len(rows) == 1 and row["status"] == "graded" and graded and graded <= set(row.get("missing") or []):
            continue  # nothing handed in for what was graded: empty, never 0
        score = row.get("score")
        if len(rows) > 1 or row["status"] != "graded" or not isinstance(score, (int, float)) or isinstance(score, bool):
            grades[student] = None
            continue
        if points is not None:
            total = row.get("max_score") or gradebook.get("max_score")
            if not isinstance(total, (int, float)) or total <= 0:
                raise _error(f"{student} の満点 (max_score) がないので --points で換算できません",
                             f"{student} has no max_score, so --points cannot scale the score")
            score = score / total * points
        grades[student] = _number(score)
    return grades


def build_export(gradebook: dict, roster: Roster, lms: str, match_column: str, assignment: str, *,
                 points: float | str | None = None, mapping: dict[str, str] | None = None) -> Export:
    """Fill the assignment column of ``roster`` from ``gradebook``.

    Args:
        gradebook: the batch's gradebook (:func:`read_gradebook`).
        roster: the LMS's gradebook CSV (:func:`read_roster`).
        lms: ``"canvas"`` or ``"moodle"``.
        match_column: the roster column holding the identifier a student's batch id (or its
            ``mapping`` value) is compared with (e.g. ``SIS Login ID``, ``Email address``).
        assignment: the column to fill: its exact header, or a name that one header starts with
            (``Week 3`` for ``Week 3 (1234)``); a new column of that name is appended when none
            matches (Canvas and Moodle then create a new assignment / grade item).
        points: scale each score to this many points (``score / max_score * points``); ``"possible"``
            (Canvas, an existing column): to the column's value in the ``Points Possible`` row; None
            keeps the gradebook's points.
        mapping: batch id -> identifier (:func:`read_mapping`); ids not in it are used as they are.

    Returns:
        An :class:`Export`; the roster itself is not changed.

    Raises:
        LmsError: unknown ``lms``, no ``match_column`` in the roster, an identifier that two roster
            rows (or two students) share, several columns matching ``assignment``, bad ``points``.
    """
    lms = check_lms(lms)
    if match_column not in roster.header:
        raise _error(f"名簿に照合用の列 {match_column!r} がありません。列: {', '.join(roster.header)}",
                     f"the roster has no column {match_column!r} to match students by; its columns: "
                     f"{', '.join(roster.header)}")
    if not assignment.strip():
        raise _error("--assignment が空です", "--assignment is empty")
    match = roster.header.index(match_column)
    header, rows = list(roster.header), [list(r) for r in roster.rows]
    column = _find_column(header, assignment)
    added = column is None
    if column is not None and (column == match or header[column] in _NOT_GRADES or any(
            lms == "canvas" and r and r[0].strip() == "Points Possible" and column < len(r)
            and r[column].strip() == "(read only)" for r in rows)):
        raise _error(f"列 {header[column]!r} は課題の点数の列ではありません (学生の情報か読み取り専用の列)。--assignment を確かめてください",
                     f"the column {header[column]!r} is not an assignment's grades (it identifies students or is read "
                     "only); check --assignment")
    scale_note = _scale_note(rows, column, lms, points, gradebook)
    if points == "possible":
        points = _points_possible(rows, column, lms)
    if points is not None and not (isinstance(points, (int, float)) and math.isfinite(points) and points > 0):
        raise _error("--points は正の数か possible にしてください", "--points must be a positive number or 'possible'")
    if column is None:
        header.append(assignment)
        column = len(header) - 1
    grades = _grades(gradebook, points)
    mapping = {unicodedata.normalize("NFC", k): v for k, v in (mapping or {}).items()}
    wanted: dict[str, str] = {}
    for student in grades:
        key = _key(mapping.get(student, student))
        if key in wanted:
            raise _error(f"{wanted[key]} と {student} が名簿の同じ {match_column} {key!r} に対応します",
                         f"{wanted[key]} and {student} both match {match_column} {key!r} of the roster")
        wanted[key] = student
    export, seen = Export(header, rows, column, added), {}
    for row in rows:
        ident = row[match].strip() if match < len(row) else ""
        points_row = lms == "canvas" and bool(row) and row[0].strip() == "Points Possible"
        if points_row or not ident:  # no student: Canvas' Points Possible and posting-policy rows
            if points_row and added:
                _set(row, column, _number(points if points is not None else float(gradebook.get("max_score") or 0)))
            continue
        if _key(ident) in seen:
            raise _error(f"名簿の {match_column} {ident!r} が 2 行にあります", f"the roster has {match_column} {ident!r} "
                         "in two rows")
        seen[_key(ident)] = ident
        student = wanted.get(_key(ident))
        grade = grades.get(student) if student is not None else None
        _set(row, column, grade or "")
        if grade is None:
            export.empty.append((ident, "missing" if student is None else "error"))
        else:
            export.graded.append((ident, student, grade))
    export.unknown = sorted(s for k, s in wanted.items() if k not in seen)
    export.notes = [scale_note] if scale_note else []
    return export


def _scale_note(rows: list[list[str]], column: int | None, lms: str, points: float | str | None,
                gradebook: dict) -> str | None:
    """A warning when the grades would be on another scale than the Canvas column's Points Possible."""
    if points == "possible":
        return None
    try:
        possible = _points_possible(rows, column, lms)
    except LmsError:
        return None
    scale = points if points is not None else gradebook.get("max_score")
    if not isinstance(scale, (int, float)) or abs(scale - possible) < 1e-9:
        return None
    return bilingual(f"警告: 点数は {_number(scale)} 点満点ですが、Canvas のこの課題の配点 (Points Possible) は "
                     f"{_number(possible)} 点です。配点に換算するには --points possible",
                     f"warning: the grades are out of {_number(scale)} points but the Canvas assignment's Points "
                     f"Possible is {_number(possible)}; --points possible scales them to it", sep=" / ")


def _points_possible(rows: list[list[str]], column: int | None, lms: str) -> float:
    """The assignment column's value in Canvas' ``Points Possible`` row (``--points possible``)."""
    cells = [r[column] for r in rows if lms == "canvas" and column is not None and r
             and r[0].strip() == "Points Possible" and column < len(r)]
    try:
        return float(cells[0])
    except (IndexError, ValueError):
        raise _error("--points possible: 名簿にこの課題の Points Possible (配点) がありません (Canvas の既存の列だけ)。"
                     "--points に数を指定してください",
                     "--points possible: the roster has no Points Possible value for this assignment (an existing "
                     "Canvas column only); give --points a number") from None


#: Columns of people's names: the only cells of the export a spreadsheet could run as a formula that
#: no LMS matches rows by (a name such as ``=HYPERLINK(...)`` gets a leading ``'``; identifiers,
#: e-mail addresses and grades are written exactly as they were).
NAME_COLUMNS = frozenset({"Student", "First name", "Last name"})


def _set(row: list[str], column: int, value: str) -> None:
    row.extend([""] * (column + 1 - len(row)))
    row[column] = value


def write_export(path: Path, roster: Roster, export: Export, lms: str, *, protect: tuple[Path, ...] = ()) -> None:
    """Write ``export`` to ``path`` atomically (a temporary file, then a rename), in the roster's
    delimiter and line endings; UTF-8, with a BOM for Canvas exactly when the roster had one,
    never for Moodle. A name cell (:data:`NAME_COLUMNS`) that a spreadsheet would run as a formula
    is written as text (:func:`autograder.core.tables.spreadsheet_text`).

    Raises:
        LmsError: ``path`` is one of ``protect`` (the roster, the gradebook: never overwritten),
            or it cannot be written.
    """
    path = Path(path)
    for other in protect:
        if path.resolve() == Path(other).resolve():
            raise _error(f"--output {path} は入力ファイルと同じです。別のファイル名にしてください",
                         f"--output {path} is one of the input files; write to another file")
    encoding = "utf-8-sig" if check_lms(lms) == "canvas" and roster.bom else "utf-8"
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding=encoding, newline="") as fh:
            writer = csv.writer(fh, delimiter=roster.delimiter, lineterminator=roster.newline)
            writer.writerow(export.header)
            names = {i for i, column in enumerate(export.header) if column in NAME_COLUMNS}
            writer.writerows([spreadsheet_text(cell) if i in names else cell for i, cell in enumerate(row)]
                             for row in export.rows)
        os.replace(tmp, path)
    except OSError as exc:
        raise _error(f"{path} に書き込めません: {exc}", f"cannot write {path}: {exc}") from None
    finally:
        tmp.unlink(missing_ok=True)


def summary_lines(export: Export, match_column: str) -> list[str]:
    """What the command prints: counts, then a bilingual warning per unknown student (in the
    gradebook, not in the roster) and the roster rows left empty with why."""
    t = lambda ja, en: bilingual(ja, en, sep=" / ")  # noqa: E731
    missing = [i for i, why in export.empty if why == "missing"]
    failed = [i for i, why in export.empty if why == "error"]
    lines = [t(f"{len(export.graded)} 人に点数、空欄 {len(export.empty)} 人 (未提出 {len(missing)}、採点エラー {len(failed)})、"
               f"名簿にない学生 {len(export.unknown)} 人",
               f"{_count(len(export.graded), 'student')} got a grade, {len(export.empty)} left empty ({len(missing)} "
               f"with nothing graded, {len(failed)} grading failed), {len(export.unknown)} not in the roster")]
    if failed:
        lines.append("  " + t("採点エラーのため空欄", "left empty, grading failed") + ": " + ", ".join(failed))
    if missing:
        lines.append("  " + (t("この ID の採点結果がないため空欄 (未提出か、名簿にない ID で提出)",
                                 "left empty, nothing graded under this id (no submission, or one under an id not "
                                 "in the roster)") if export.unknown else
                               t("提出なしのため空欄", "left empty, no submission")) + ": " + ", ".join(missing))
    lines += export.notes
    for student in export.unknown:
        lines.append(t(f"警告: 成績表の {student} は名簿 ({match_column}) にいません。出力に含まれていません "
                       "(--mapping で対応を指定できます)",
                       f"warning: {student} of the gradebook is not in the roster ({match_column}); not in the output "
                       "(give the match with --mapping)"))
    return lines


def _count(n: int, noun: str) -> str:
    """``"1 student"``, ``"2 students"``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
