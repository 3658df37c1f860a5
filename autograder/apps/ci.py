"""CI helpers for a student's or a course's repository (``workbook COMMAND`` or ``python -m autograder.ci``).

All of them read the JSON score report that grading wrote (``reports/score.json``)::

    ci-summary REPORT [--history FILE]       Markdown score table (append it to $GITHUB_STEP_SUMMARY)
    badge REPORT --out FILE [--label L]      shields.io endpoint JSON ({"schemaVersion": 1, ...})
    history REPORT --file FILE [--badge F] [--push BRANCH] [--remote R]
                                             append a record (commit, time, points per exercise) to a
                                             JSON-lines file; with --push also commit it (and the
                                             badge) to BRANCH of the remote, never touching the work tree
    classroom REPORT [--fail-under N | --never-fail] [--allow-modified] [--release FILE]
                     [--github-output NAME]
                                             GitHub Classroom autograding-reporter result (base64 JSON)
    gate REPORT [--fail-under N | --never-fail] [--allow-modified] [--release FILE]
                                             exit code by the course's policy

Exit-code policy (``gate``, and ``workbook check``): 0 = passed (score ≥ N with ``--fail-under N``;
every test passed without it; always with ``--never-fail``); 1 = below the pass mark; 2 = grading
did not complete (no or unreadable report, pytest interrupted, usage or internal error). So a
course chooses "fail the job below N points" (``--fail-under N``), "fail only when grading
breaks" (``--fail-under 0``) or "never fail" (``--never-fail``).

Grader and tests as released (``gate``, ``classroom``, ``ci-summary``): the score report records
the digest of the grader and graded tests that ran and the release record's
(:mod:`autograder.results.digest`). When they differ, ``gate`` prints "modified grader / tests: score not
authoritative" with the files, and exits **3** (after 2, before 1: a changed grader makes the
pass mark meaningless), unless ``--allow-modified`` (say it, keep the policy's code) or
``--never-fail``; ``classroom`` then reports ``status: "fail"`` the same way. Without a release
record (or a report without a digest) they say "cannot verify" and never fail for it.
``--release FILE`` compares with that release record instead of the one the report holds (an
instructor checking a student's report against their own copy of the record).

GitHub Classroom: ``classroom`` prints what ``classroom-resources/autograding-grading-reporter``
reads from ``<RUNNER>_RESULTS``: base64 of ``{"version": 1, "status": "pass"|"fail"|"error",
"max_score": M, "tests": [{"name", "status", "score", "message", "test_code", "filename",
"line_no", "duration"}]}``, one entry per graded test, ``score`` = the points earned. The
reporter records the sum of the tests' ``score`` out of ``max_score``; it fails its step when
``status`` is ``fail``. ``status`` is ``pass`` only when something was passed: the course's pass
mark (``--fail-under N``, N > 0), or, without one (0, the template's default, or
``--never-fail``), every test; an empty submission is never ``pass``. The template runs the
reporter with ``continue-on-error``, so its status never fails the job by itself: the pass-mark
step (``gate``) does. ``gate`` says "passed" only against a pass mark (or every test passing);
with none it says "graded: 0/89 (no pass mark set)".

This module is the command line; the work is in :mod:`autograder.apps.cireport` (reading a report,
the policy, the release check), :mod:`autograder.apps.cisummary` (the job summary, the Classroom
result) and :mod:`autograder.apps.cihistory` (history, badge); their names are re-exported here.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from ..core.i18n import bilingual
from ..results.digest import RELEASE_RECORD, read_release_record
from .cihistory import BADGE_NAME, HISTORY_NAME, badge, history_record, push_history, read_history, sparkline
from .cireport import (MODIFIED_EXIT, CIError, gate_exit, gate_message, has_pass_mark, integrity, integrity_message,
                       load_report, policy)
from .cisummary import classroom_result, encode_result, summary_markdown

__all__ = ["BADGE_NAME", "HISTORY_NAME", "MODIFIED_EXIT", "CIError", "badge", "classroom_result", "encode_result",
           "gate_exit", "gate_message", "has_pass_mark", "history_record", "integrity", "integrity_message",
           "load_report", "main", "policy", "push_history", "read_history", "sparkline", "summary_markdown"]


# --- command line -----------------------------------------------------------------------------

def _write_output(name: str, value: str) -> None:
    path = os.environ.get("GITHUB_OUTPUT")
    if not path:
        raise CIError("GITHUB_OUTPUT is not set (--github-output works in GitHub Actions)")
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"{name}={value}\n")


def _annotate(level: str, text: str) -> None:
    if os.environ.get("GITHUB_ACTIONS") == "true":
        print(f"::{level}::{text.replace(chr(10), ' ')}")


def main(argv: list[str] | None = None) -> int:
    """``python -m autograder.ci COMMAND ...`` (also ``workbook COMMAND ...``)."""
    parser = argparse.ArgumentParser(prog="workbook", description="CI helpers / CI 用のコマンド")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_)
        p.add_argument("report", type=Path, help="the JSON score report (reports/score.json)")
        return p

    def add_release(p: argparse.ArgumentParser) -> None:
        p.add_argument("--release", type=Path, metavar="FILE",
                       help=f"compare with this release record ({RELEASE_RECORD}) instead of the report's")

    p = add("ci-summary", "Markdown summary")
    p.add_argument("--history", type=Path, help="a history file (JSON lines) to chart")
    add_release(p)
    p = add("badge", "shields.io endpoint JSON")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--label", default="workbook")
    p = add("history", "append a score-history record")
    p.add_argument("--file", type=Path, required=True, help="the local history file (JSON lines)")
    p.add_argument("--push", metavar="BRANCH", help="also commit the history (and --badge) to this branch")
    p.add_argument("--remote", default="origin")
    p.add_argument("--badge", type=Path, help="a badge JSON to store on the branch too")
    p.add_argument("--commit", help="the graded commit (default: $GITHUB_SHA or HEAD)")
    for name in ("classroom", "gate"):
        p = add(name, "GitHub Classroom result" if name == "classroom" else "exit code by policy")
        group = p.add_mutually_exclusive_group()
        group.add_argument("--fail-under", type=float, metavar="N")
        group.add_argument("--never-fail", action="store_true")
        p.add_argument("--allow-modified", action="store_true",
                       help="a grader or tests that differ from the release are reported, not failed (exit 3)")
        add_release(p)
        if name == "classroom":
            p.add_argument("--github-output", metavar="NAME", help="write NAME=<base64> to $GITHUB_OUTPUT")
    args = parser.parse_args(argv)
    doc = load_report(args.report)

    try:
        release = None
        if getattr(args, "release", None) is not None:
            release = read_release_record(args.release)
            if release is None:
                raise CIError(f"{args.release}: not a release record ({RELEASE_RECORD})")
        if args.command == "ci-summary":
            sys.stdout.write(summary_markdown(doc, history=read_history(args.history), release=release))
            return 0
        if args.command == "badge":
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(badge(doc, label=args.label), ensure_ascii=False) + "\n", encoding="utf-8")
            print(f"{args.out}: {badge(doc, label=args.label)['message']}")
            return 0
        if args.command == "history":
            if doc is None:
                print(bilingual("採点レポートがないので履歴に追加しません。", "no score report: no history record."),
                      file=sys.stderr)
                return 2
            record = history_record(doc, commit=args.commit)
            old = args.file.read_text(encoding="utf-8") if args.file.is_file() else ""
            text = (old.rstrip("\n") + "\n" if old.strip() else "") + json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
            status = 0
            if args.push:
                badge_json = args.badge.read_text(encoding="utf-8") if args.badge and args.badge.is_file() else None
                try:
                    text = push_history(record, branch=args.push, remote=args.remote, badge_json=badge_json)
                except CIError as exc:  # the local file still gets the record
                    warning = bilingual(f"履歴をブランチ {args.push} に保存できませんでした: {exc}",
                                        f"could not store the history on branch {args.push}: {exc}", sep=" / ")
                    print(warning, file=sys.stderr)
                    _annotate("warning", warning)
                    status = 1
            args.file.parent.mkdir(parents=True, exist_ok=True)
            args.file.write_text(text, encoding="utf-8")
            print(f"{args.file}: {len(text.splitlines())} " + bilingual("件", "records", sep=" / ")
                  + (f" ({args.remote} {args.push})" if args.push and not status else ""))
            return status
        if args.command == "classroom":
            encoded = encode_result(classroom_result(doc, fail_under=args.fail_under, never_fail=args.never_fail,
                                                     allow_modified=args.allow_modified, release=release))
            if args.github_output:
                _write_output(args.github_output, encoded)
            else:
                print(encoded)
            return 0
        if args.command == "gate":
            code = policy(doc, fail_under=args.fail_under, never_fail=args.never_fail)
            final = gate_exit(doc, fail_under=args.fail_under, never_fail=args.never_fail,
                              allow_modified=args.allow_modified, release=release)
            text = gate_message(doc, code, fail_under=args.fail_under, never_fail=args.never_fail)
            print(text)
            _annotate("notice" if code == 0 else "error", text)
            check = integrity(doc, release)
            said, files = integrity_message(check)
            if said:
                print("\n".join([said, *(f"  {name}" for name in files)]))
                if final == MODIFIED_EXIT:
                    print(bilingual(f"終了コード {MODIFIED_EXIT}: 採点器か採点テストが配布時と違います "
                                    "(--allow-modified を付けると、これでは失敗にしません)",
                                    f"exit code {MODIFIED_EXIT}: the grader or tests differ from the release "
                                    "(with --allow-modified this is not a failure)", sep=" / "))
                level = "notice" if check["status"] == "as_released" else "error" if final == MODIFIED_EXIT else "warning"
                _annotate(level, " ".join([said, *files]))
            return final
    except CIError as exc:
        print(f"workbook {args.command}: {exc}", file=sys.stderr)
        return 2
    return 2


if __name__ == "__main__":
    sys.exit(main())
