"""The HTML report: points, messages and, for figure tasks, the student's figure beside the reference.

``python -m autograder.htmlreport`` (also ``workbook report``) makes the page of a JSON score report.
The command opens the submission the report names the way the batch grader read it
(:func:`autograder.classroom.intake.prepare`), in the sandboxed worker, and writes the page with
:func:`autograder.results.htmlreport.write_html`.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from ..core.i18n import bilingual
from ..results.figures import NoSubmission, default_reference, no_submission_reason, setup_matplotlib
from ..results.htmlreport import write_html
from ..results.report import AUDIENCES

def submission_from_report(document: dict[str, Any], staging: Path) -> Any:
    """The submission a score report names, opened for drawing its figures, or why it cannot be.

    A batch report names the submission as handed in (``extra_data.batch``: ``submission``, the
    folder or zip, and ``kind``); it is read the way the batch grader read it
    (:func:`autograder.classroom.batch.prepare`: a zip is extracted into ``staging``, notebooks converted)
    and its code runs in the sandboxed worker, as in batch grading
    (:class:`autograder.submission.isolated.IsolatedSubmission`). Any other report whose ``extra_data.target``
    is an existing absolute folder is opened the same way.

    Returns:
        An ``IsolatedSubmission`` (close it), or :class:`NoSubmission` with the reason (bilingual,
        naming ``--workbook DIR``).
    """
    extra = document.get("extra_data", {}) or {}
    batch = extra.get("batch") or {}
    where = str(batch.get("submission") or "")
    kind = str(batch.get("kind") or "")
    if not where:
        target = str(extra.get("target") or "")
        if target and Path(target).is_absolute() and Path(target).is_dir():
            where, kind = target, "dir"
    if not where:
        return NoSubmission(no_submission_reason())
    how = bilingual("図は提出物から描きます: --workbook DIR を指定してください。",
                    "Figures are drawn from the submission: pass --workbook DIR.", sep=" ")
    path = Path(where)
    if not path.exists():
        return NoSubmission(bilingual(
            f"採点レポートに記録された提出物 {where} が見つかりません。{how}",
            f"the submission the score report names, {where}, is not there. {how}", sep=" "))
    from ..submission.confinement import confinement
    from ..submission.isolated import IsolatedSubmission

    if confinement().kind == "none":
        return NoSubmission(bilingual(
            f"提出物 {where} のコードを閉じ込めて実行するサンドボックスがこのマシンにないため、図を描きませんでした"
            f" (root で実行するか bubblewrap を入れてください)。信頼できる提出物なら --workbook DIR を指定すると"
            f"このプロセスで描きます。",
            f"no sandbox on this machine to run the code of the submission {where}, so its figure was not drawn "
            f"(run as root or install bubblewrap). {how} (for trusted code: it then runs in this process)", sep=" "))
    try:
        if kind in ("zip", "dir", "nbgrader"):
            from ..classroom.intake import Job, prepare

            target = prepare(Job(str(batch.get("student", "")), kind, path, label=path.name), staging).target
        else:
            target = path
        return IsolatedSubmission(target)
    except Exception as exc:  # noqa: BLE001 - the page says why
        return NoSubmission(bilingual(f"提出物 {where} を開けませんでした ({exc})。{how}",
                                      f"could not open the submission {where} ({exc}). {how}", sep=" "))




def main(argv: list[str] | None = None) -> int:
    """``python -m autograder.htmlreport DOCUMENT.json --out PATH [--workbook DIR] [--reference DIR]
    [--audience student|instructor]`` (default ``student``: a page made from an instructor's report,
    e.g. a batch report, still shows a hidden test's name, points and pass/fail only)."""
    parser = argparse.ArgumentParser(prog="python -m autograder.htmlreport", description=__doc__.splitlines()[0])
    parser.add_argument("document", type=Path, help="a JSON score report")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--workbook", type=Path,
                        help="the graded directory, for the student's figures, run in this process (default: the "
                             "submission a batch report names, run in the sandboxed worker)")
    parser.add_argument("--reference", type=Path,
                        help="the reference solutions (default: this repository's solutions/ when present, "
                             "else the figures stored at release time)")
    parser.add_argument("--audience", choices=AUDIENCES, default="student",
                        help="who reads the page: student (default; hidden tests without their messages) or instructor")
    args = parser.parse_args(argv)
    setup_matplotlib()
    document = json.loads(args.document.read_text(encoding="utf-8"))
    reference = args.reference if args.reference is not None else default_reference()
    with tempfile.TemporaryDirectory(prefix="workbook-html-") as staging:
        submission: Any = None
        if args.workbook is not None:
            from ..submission.loader import NotAWorkbookError, Submission

            try:
                submission = Submission(args.workbook)
            except NotAWorkbookError as exc:
                print(exc, file=sys.stderr)
                submission = NoSubmission(bilingual(f"--workbook {args.workbook} を開けませんでした: {exc}",
                                                    f"--workbook {args.workbook} could not be opened: {exc}", sep=" "))
        else:
            submission = submission_from_report(document, Path(staging))
        try:
            write_html(args.out, document, submission=submission, reference=reference, audience=args.audience)
        finally:
            if hasattr(submission, "close"):
                submission.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
