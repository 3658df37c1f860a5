"""A class's results in numbers: what the class report (:mod:`autograder.results.classreport`) shows.

Made from the documents a batch wrote (``OUT/gradebook.json`` and every student's
``OUT/reports/<stem>.json``), never from a grading run, so that the class report can be made
again at any time. Everything here is pure: documents in, numbers and CSV text out.

Failure messages are grouped by :func:`message_pattern`: the first non-empty line of a test's
message with every number masked as ``#`` (``cosine_similarity([1.0, 2.0], ...)`` and
``cosine_similarity([3.5, 4.0], ...)`` are one mistake; names such as ``ex1_vectors`` or
``float64`` are kept).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import EXERCISES
from ..core.tables import spreadsheet_text

#: Numbers masked by :func:`message_pattern`: hexadecimal addresses, then decimal numbers (with a
#: sign standing right before them and an exponent; ``nan``/``inf`` are words and kept) that are
#: not part of an ASCII name (``ex1_vectors``, ``float64``); a number next to Japanese text
#: (``3秒``, ``371行目``) is masked.
_HEX = re.compile(r"(?<![A-Za-z0-9_.])0x[0-9a-fA-F]+(?![A-Za-z0-9_])")
#: Shapes (``5x6``, ``2x4x5``) of the inputs a message names: one mask ``#x#`` whatever the rank, so
#: one mistake met by several tests of a task (inputs of other shapes) makes one group.
_SHAPE = re.compile(r"(?<![A-Za-z0-9_.])\d+(?:[x×]\d+)+(?![A-Za-z0-9_])")
_NUMBER = re.compile(r"(?<![A-Za-z0-9_.])[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?(?![A-Za-z0-9_.]*[A-Za-z0-9_])")

#: Outcomes shown in their own sections of the class report (besides the failure messages).
TIMEOUT, VIOLATION = "timeout", "forbidden_call"


def message_pattern(message: str, *, width: int = 240) -> str:
    """The group a failure message belongs to: its first non-empty line, numbers masked as ``#``.

    Args:
        message: a test's ``output`` (any text; may be empty).
        width: at most this many characters are kept.

    Returns:
        The pattern (str); ``""`` for a message with no text.
    """
    first = next((line.strip() for line in message.splitlines() if line.strip()), "")
    return _masked(first)[:width]


def _masked(line: str) -> str:
    """``line`` with addresses, shapes and numbers masked (:data:`_HEX`, :data:`_SHAPE`, :data:`_NUMBER`)."""
    return _NUMBER.sub("#", _SHAPE.sub("#x#", _HEX.sub("#", line)))


#: Japanese script (kana, kanji, full-width punctuation): what tells the two halves of a bilingual message apart.
_JAPANESE = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")
#: An English word of a sentence (not nan/inf, not the True/False of a printed array).
_WORD = re.compile(r"\b(?!True\b|False\b)[A-Za-z]{4,}\b")


def english_pattern(message: str, *, width: int = 240) -> str:
    """For a bilingual message (Japanese first, as both languages print it), the English half's first
    line as :func:`message_pattern` masks it: the first later line with no Japanese and an English
    word; ``""`` when the first line is not Japanese or no such line follows."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if not lines or not _JAPANESE.search(lines[0]):
        return ""
    line = next((ln for ln in lines[1:] if not _JAPANESE.search(ln) and _WORD.search(ln)), "")
    return _masked(line)[:width]


def first_line(message: str, *, width: int = 240) -> str:
    """The first non-empty line of ``message`` (at most ``width`` characters)."""
    return next((line.strip() for line in message.splitlines() if line.strip()), "")[:width]


@dataclass(frozen=True)
class TestColumn:
    """One graded test of the class: a column of ``items.csv``, a row of the per-test pass rates.

    Attributes:
        key: the test's pytest node id (unique; the CSV column name).
        exercise, task: where it belongs.
        name: the test's name as the reports show it (``test_x: description``).
        max_score: its points.
    """

    key: str
    exercise: str
    task: str
    name: str
    max_score: float


@dataclass
class Group:
    """Students whose tests of one task failed with one message pattern.

    Attributes:
        pattern: :func:`message_pattern` of the messages.
        example: the first line of one of the messages (numbers kept).
        english: :func:`english_pattern` of that message (the English half's first line, masked), or "".
        students: the students, in order, each once.
        tests: node ids of the tests that failed so.
        outcomes: their outcomes (``failed``, ``timeout``, ``forbidden_call``...; see
            :data:`autograder.results.report.OUTCOMES`), each once.
    """

    pattern: str
    example: str
    english: str = ""
    students: list[str] = field(default_factory=list)
    tests: list[str] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)


@dataclass
class MisconceptionCount:
    """Students whose failed tests named one misconception (``extra_data.misconception``).

    Attributes:
        id: the misconception's id; ja, en: its text (with the chapter lines).
        students: the students, in order, each once; tests: node ids of the tests that named it.
    """

    id: str
    ja: str
    en: str
    students: list[str] = field(default_factory=list)
    tests: list[str] = field(default_factory=list)


@dataclass
class TaskStat:
    """A task across the class: ``students`` graded on it, ``passed`` with every test of it passed,
    their ``points`` (one number per student) out of ``max_score``."""

    exercise: str
    task: str
    students: int = 0
    passed: int = 0
    points: list[float] = field(default_factory=list)
    max_score: float = 0.0


@dataclass
class ClassStats:
    """What the class report shows (see :func:`class_stats`).

    Attributes:
        rows: the gradebook's rows, sorted by student id (then submission).
        graded: per row, whether it has a score and a readable report (:func:`is_graded`).
        items: row index → test node id → the points the student got for it (graded rows only);
            what the item-level CSV needs of each report (the reports themselves are not kept).
        exercises: exercise names graded for someone, in workbook order.
        exercise_scores, exercise_max: per exercise, the points of each graded student, the maximum.
        totals, total_max: each graded student's total (of the exercises graded), the maximum.
        columns: every test graded for someone, in workbook order.
        test_passed, test_graded: node id → students who passed it / were graded on it.
        tasks: per task, in workbook order.
        failures: (exercise, task) → message groups of failed tests, most students first.
        timeouts: (student, test node id) of every test that ran past its time limit.
        violations: (exercise, task) → groups of "from scratch" rule violations.
        misconceptions: (exercise, task) → the misconceptions named in failed tests, most students
            first (autograder.checks.misconception).
        errors: indices of the rows whose grading failed (no score).
    """

    rows: list[dict[str, Any]]
    graded: list[bool] = field(default_factory=list)
    items: dict[int, dict[str, float]] = field(default_factory=dict)
    exercises: list[str] = field(default_factory=list)
    exercise_scores: dict[str, list[float]] = field(default_factory=dict)
    exercise_max: dict[str, float] = field(default_factory=dict)
    totals: list[float] = field(default_factory=list)
    total_max: float = 0.0
    columns: list[TestColumn] = field(default_factory=list)
    test_passed: dict[str, int] = field(default_factory=dict)
    test_graded: dict[str, int] = field(default_factory=dict)
    tasks: list[TaskStat] = field(default_factory=list)
    failures: dict[tuple[str, str], list[Group]] = field(default_factory=dict)
    timeouts: list[tuple[str, str]] = field(default_factory=list)
    violations: dict[tuple[str, str], list[Group]] = field(default_factory=dict)
    misconceptions: dict[tuple[str, str], list[MisconceptionCount]] = field(default_factory=dict)
    errors: list[int] = field(default_factory=list)


def _order(exercise: str) -> int:
    return EXERCISES.index(exercise) if exercise in EXERCISES else len(EXERCISES)


def _number(test: dict[str, Any]) -> tuple[int, ...]:
    """``"1.11"`` → ``(1, 11)`` (the test's place in its exercise)."""
    try:
        return tuple(int(p) for p in str(test.get("number", "")).split("."))
    except ValueError:
        return (10**6,)


def _column(test: dict[str, Any]) -> TestColumn:
    ed = test.get("extra_data") or {}
    name = str(test.get("name", ""))
    return TestColumn(key=str(ed.get("nodeid") or name), exercise=str(ed.get("exercise", "")),
                      task=str(ed.get("task", "")), name=name.split(" › ", 2)[-1],
                      max_score=float(test.get("max_score") or 0.0))


def is_graded(row: dict[str, Any], doc: dict[str, Any] | None) -> bool:
    """Whether a gradebook row has a score (its grading ran; ``status == "graded"``) and a report."""
    return row.get("status") == "graded" and isinstance(doc, dict)


def _add(groups: dict[tuple[str, str], dict[str, Group]], where: tuple[str, str], student: str,
         column: TestColumn, message: str, outcome: str) -> None:
    pattern = message_pattern(message)
    group = groups.setdefault(where, {}).setdefault(pattern, Group(pattern, first_line(message), english_pattern(message)))
    if outcome not in group.outcomes:
        group.outcomes.append(outcome)
    if student not in group.students:
        group.students.append(student)
    if column.key not in group.tests:
        group.tests.append(column.key)


def _ranked(groups: dict[tuple[str, str], dict[str, Group]]) -> dict[tuple[str, str], list[Group]]:
    """Groups per task (tasks in workbook order), most students first, then by pattern."""
    return {k: sorted(v.values(), key=lambda g: (-len(g.students), g.pattern))
            for k, v in sorted(groups.items(), key=lambda kv: (_order(kv[0][0]), kv[0][0]))}


def class_stats(book: dict[str, Any], reports: Mapping[str, dict[str, Any] | None]) -> ClassStats:
    """The numbers of a class from its gradebook and reports.

    Args:
        book: ``gradebook.json`` (``{"students": [row, ...], ...}``, rows as
            :func:`autograder.classroom.batch.store` makes them: ``student``, ``status``,
            ``score``, ``max_score``, ``exercises``, ``report``, ``errors``).
        reports: a row's ``report`` path → its results document (``None`` when it could not be
            read). Each is asked for once, with ``get``, and not kept: a mapping that reads the
            document from disk when asked (:func:`autograder.results.classreport.read_class`)
            keeps one report in memory at a time, whatever the size of the class.

    Returns:
        A :class:`ClassStats`. Only students whose grading ran count in the scores and pass rates;
        the others are listed in ``errors``. A test counts as passed when its ``status`` is
        ``passed``.
    """
    rows = sorted((r for r in book.get("students", []) if isinstance(r, dict)),
                  key=lambda r: (str(r.get("student", "")), str(r.get("submission", ""))))
    stats = ClassStats(rows=rows)
    columns: dict[str, tuple[tuple, TestColumn]] = {}
    tasks: dict[tuple[str, str], TaskStat] = {}
    failures: dict[tuple[str, str], dict[str, Group]] = {}
    violations: dict[tuple[str, str], dict[str, Group]] = {}
    named: dict[tuple[str, str], dict[str, MisconceptionCount]] = {}
    for i, row in enumerate(rows):
        doc = reports.get(str(row.get("report", "")))
        stats.graded.append(is_graded(row, doc))
        if not stats.graded[i]:
            stats.errors.append(i)
            continue
        items = stats.items[i] = {}
        student = str(row.get("student", ""))
        total = 0.0
        for ex in doc.get("extra_data", {}).get("exercises", []):
            name = str(ex.get("exercise", ""))
            stats.exercise_scores.setdefault(name, []).append(float(ex.get("score", 0.0)))
            stats.exercise_max[name] = max(stats.exercise_max.get(name, 0.0), float(ex.get("max_score", 0.0)))
            total += float(ex.get("score", 0.0))
        stats.totals.append(total)
        stats.total_max = max(stats.total_max, float(doc.get("max_score", 0.0)))
        per_task: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for test in doc.get("tests", []):
            column = _column(test)
            columns.setdefault(column.key, ((_order(column.exercise), column.exercise, _number(test)), column))
            passed = test.get("status") == "passed"
            items[column.key] = float(test.get("score") or 0.0)
            stats.test_graded[column.key] = stats.test_graded.get(column.key, 0) + 1
            stats.test_passed[column.key] = stats.test_passed.get(column.key, 0) + passed
            per_task.setdefault((column.exercise, column.task), []).append(test)
            if passed:
                continue
            outcome = (test.get("extra_data") or {}).get("outcome", "failed")
            message = str(test.get("output") or "")
            _add(failures, (column.exercise, column.task), student, column, message, outcome)
            if outcome == VIOLATION:
                _add(violations, (column.exercise, column.task), student, column, message, outcome)
            elif outcome == TIMEOUT:
                stats.timeouts.append((student, column.key))
            found = (test.get("extra_data") or {}).get("misconception")
            if isinstance(found, dict) and isinstance(found.get("id"), str):
                count = named.setdefault((column.exercise, column.task), {}).setdefault(
                    found["id"], MisconceptionCount(found["id"], str(found.get("ja", "")), str(found.get("en", ""))))
                if student not in count.students:
                    count.students.append(student)
                if column.key not in count.tests:
                    count.tests.append(column.key)
        for where, tests in per_task.items():
            task = tasks.setdefault(where, TaskStat(*where))
            task.students += 1
            task.passed += all(t.get("status") == "passed" for t in tests)
            task.points.append(sum(float(t.get("score") or 0.0) for t in tests))
            task.max_score = max(task.max_score, sum(float(t.get("max_score") or 0.0) for t in tests))
    stats.exercises = sorted(stats.exercise_scores, key=lambda e: (_order(e), e))
    stats.columns = [c for _, c in sorted(columns.values(), key=lambda oc: (oc[0], oc[1].key))]
    task_order = {(c.exercise, c.task): n for n, c in reversed(list(enumerate(stats.columns)))}
    stats.tasks = sorted(tasks.values(), key=lambda t: task_order.get((t.exercise, t.task), 0))
    stats.failures, stats.violations = _ranked(failures), _ranked(violations)
    stats.misconceptions = {k: sorted(v.values(), key=lambda m: (-len(m.students), m.id))
                            for k, v in sorted(named.items(), key=lambda kv: (_order(kv[0][0]), kv[0][0],
                                                                               task_order.get(kv[0], 0)))}
    return stats


def _cell(x: float) -> str:
    return f"{x:g}"


def items_csv(stats: ClassStats) -> str:
    """The item-level table: one row per student, one column per test (its node id).

    Columns: ``student``, ``status``, ``score`` (empty when grading failed), then every test of
    ``stats.columns`` in workbook order: the points the student got for it, or empty when it was not
    graded for them (grading failed, or the test was not selected).

    Returns:
        CSV text (``\\r\\n`` line ends, no byte order mark: the writer adds one, as for
        ``gradebook.csv``); a student id that a spreadsheet would run as a formula starts with
        ``'`` (:func:`autograder.core.tables.spreadsheet_text`).
    """
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["student", "status", "score", *(c.key for c in stats.columns)])
    for i, row in enumerate(stats.rows):
        graded = stats.graded[i]
        scores = {key: _cell(points) for key, points in stats.items.get(i, {}).items()}
        score = row.get("score")
        writer.writerow([spreadsheet_text(row.get("student", "")), spreadsheet_text(row.get("status", "")),
                         _cell(float(score)) if graded and score is not None else "",
                         *(scores.get(c.key, "") for c in stats.columns)])
    return buf.getvalue()
