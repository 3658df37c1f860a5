"""LMS export: ``workbook-batch export OUT --lms canvas|moodle --roster ROSTER.csv --match-column COL
--assignment NAME --output IMPORT.csv [--mapping MAP.csv] [--points N|possible] [--strict]``.

Fills one assignment column of the LMS's own gradebook CSV (the roster) from the batch's class
gradebook ``OUT/gradebook.json``; what it does is described in :mod:`autograder.classroom.lms`.
Exit code: 0 written; 1 written, but with ``--strict`` some gradebook students are not in the
roster; 2 bad input (nothing written).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from ..classroom.lms import LMS_KINDS, LmsError, build_export, read_gradebook, read_mapping, read_roster, \
    summary_lines, write_export
from ..core.i18n import bilingual


def main(argv: list[str]) -> int:
    """Run the export with the arguments after ``export``; returns the exit code (see the module)."""
    parser = argparse.ArgumentParser(prog="workbook-batch export", description=(
        "Fill one assignment column of the LMS's own gradebook CSV (the roster) from the batch's gradebook "
        "OUT/gradebook.json; students who submitted nothing or whose grading failed get an empty grade, never 0. "
        "Exit code: 0 written; 1 written, but with --strict some gradebook students are not in the roster; "
        "2 bad input (nothing written). / LMS の成績表 CSV (名簿) の課題の列を一括採点の成績表で埋めます。"
        "未提出・採点エラーの学生は 0 点ではなく空欄です。"))
    parser.add_argument("out", type=Path, help="the batch's output folder (or its gradebook.json)")
    parser.add_argument("--lms", required=True, help=f"the LMS: {' or '.join(LMS_KINDS)}")
    parser.add_argument("--roster", type=Path, required=True,
                        help="the gradebook CSV exported from the LMS (every enrolled student; never overwritten)")
    parser.add_argument("--match-column", required=True,
                        help="the roster column compared with the batch's student id (the submission's folder or "
                             "zip name), e.g. 'SIS Login ID' (Canvas), 'Username' or 'Email address' (Moodle)")
    parser.add_argument("--assignment", required=True,
                        help="the column to fill: its header ('Week 3 (1234)') or the start of it ('Week 3'); "
                             "a new column when none matches")
    parser.add_argument("--output", type=Path, required=True, help="the CSV to write (to import into the LMS)")
    parser.add_argument("--mapping", type=Path,
                        help="a CSV with columns student,lms_id: the match-column value of a student whose id "
                             "differs from it")
    parser.add_argument("--points",
                        help="scale each score to this many points (the assignment's points possible), or 'possible': "
                             "to the Points Possible of the Canvas column; default: the gradebook's points out of "
                             "its max_score")
    parser.add_argument("--strict", action="store_true",
                        help="exit with 1 when a gradebook student is not in the roster (the file is still written)")
    args = parser.parse_args(argv)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="backslashreplace")
    try:
        gradebook = read_gradebook(args.out)
        roster = read_roster(args.roster, args.lms)
        mapping = read_mapping(args.mapping) if args.mapping else None
        export = build_export(gradebook, roster, args.lms, args.match_column, args.assignment,
                              points=_points(args.points), mapping=mapping)
        book = args.out / "gradebook.json" if args.out.is_dir() else args.out
        write_export(args.output, roster, export, args.lms,
                     protect=(args.roster, book, *((args.mapping,) if args.mapping else ())))
    except LmsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    where = bilingual(f"列 {export.header[export.column]!r} " + ("(新しい列) " if export.added else "")
                      + f"を書きました: {args.output}",
                      f"wrote the column {export.header[export.column]!r} " + ("(a new column) " if export.added else "")
                      + f"to {args.output}", sep=" / ")
    print(where)
    for line in summary_lines(export, args.match_column):
        print(line, file=sys.stderr if line.startswith(("警告", "warning")) else sys.stdout)
    return 1 if args.strict and export.unknown else 0


def _points(value: str | None) -> float | str | None:
    """``--points``: None, ``"possible"``, or a number (anything else is left for
    :func:`autograder.classroom.lms.build_export` to refuse with a bilingual message)."""
    if value is None or value.strip().lower() == "possible":
        return None if value is None else "possible"
    try:
        return float(value)
    except ValueError:
        return value
