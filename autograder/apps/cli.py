"""``workbook``: the student's command-line tool (installed with the package).

Commands (``workbook COMMAND --help`` for each)::

    workbook status                      points, tests passed and the next thing to do, per exercise
    workbook check [EXERCISE ...]        grade one exercise (or all), explain the first failure
    workbook hint [EXERCISE [TASK]]      the next level of a task's hints (one level per call)
    workbook watch [EXERCISE]            re-grade an exercise each time its file is saved (--task as check)
    workbook reset EXERCISE              back to the original stub (your version is kept as a backup)
    workbook report                      the HTML report of the latest results, with figures
    workbook release DIR                 (instructors) a student copy: no solutions, no hidden tests
    workbook ci-summary | badge | history | classroom | gate
                                         CI helpers (see autograder.ci and templates/github/)

Grading is always the pytest grader (``python -m pytest --workbook=...``), run in a subprocess;
this tool reads its JSON score report. Options common to every command: ``--lang ja|en|both``
(default ``$WORKBOOK_LANG``, else the locale), ``--workbook DIR`` (default ``exercises``).

A hidden test (``@pytest.mark.hidden``; a student copy has none) is shown by its name, points
and pass/fail only, never its message, unless the report was made for an instructor
(``WORKBOOK_AUDIENCE=instructor`` or the ini ``workbook_audience``).

Exit codes of ``check`` (and of ``gate``): 0 = every graded test passed (or, with
``--fail-under N``, the score is at least N; with ``--never-fail``, always); 1 = some test failed
(or the score is below N); 2 = grading did not complete (no report, interrupted, usage error).
``gate`` also exits 3 when the grader or graded tests differ from the release record
(``workbook-release.json``), unless ``--allow-modified`` or ``--never-fail`` (:mod:`autograder.apps.ci`);
``check`` only warns about it.

This module holds the parser and the dispatch; the commands live in :mod:`autograder.apps.cligrade`
(``check``, ``status``, ``watch``), :mod:`autograder.apps.clitools` (``hint``, ``reset``, ``report``,
``release``, the CI commands) and :mod:`autograder.apps.clicommon` (what they share).
"""

from __future__ import annotations

import argparse
import os
import sys

from ..core.exercises import ExerciseError
from ..core.i18n import ENV_VAR, LANGUAGES, bilingual, normalize_language, set_language
from ..grading.workspace import WorkbookError
from .clicommon import check_task_names, exercise_tasks, pristine_stub, unknown_task_message, wrap
from .cligrade import cmd_check, cmd_status, cmd_watch, next_step
from .clitools import backup_path, cmd_ci, cmd_hint, cmd_release, cmd_report, cmd_reset

__all__ = ["CI_COMMANDS", "backup_path", "build_parser", "check_task_names", "cmd_check", "cmd_ci", "cmd_hint",
           "cmd_release", "cmd_report", "cmd_reset", "cmd_status", "cmd_watch", "exercise_tasks", "main", "next_step",
           "pristine_stub", "unknown_task_message", "wrap"]


# --- argument parsing -------------------------------------------------------------------------

#: argparse's usage errors (English only) and how they read in Japanese.
_USAGE_ERRORS = [
    (r"the following arguments are required: (.*)", "必要な引数がありません: {0}"),
    (r"unrecognized arguments: (.*)", "不明な引数があります: {0}"),
    (r"argument COMMAND: invalid choice: (.*?) \(choose from (.*)\)", "{0} というコマンドはありません (使えるのは {1})"),
    (r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)", "{0} に {1} は指定できません (選べるのは {2})"),
    (r"argument (\S+): invalid (\w+) value: (.*)", "{0} の値 {2} は使えません ({1}を指定してください)"),
    (r"argument (\S+): expected one argument", "{0} には値が 1 つ必要です"),
    (r"ambiguous option: (\S+) could match (.*)", "オプション {0} があいまいです (候補: {1})"),
]


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are bilingual (exit code 2, as argparse)."""

    def error(self, message: str):  # type: ignore[override]
        import re

        ja = None
        for pattern, text in _USAGE_ERRORS:
            match = re.fullmatch(pattern, message)
            if match:
                kinds = {"int": "整数", "float": "数値"}
                ja = text.format(*(kinds.get(g, g) for g in match.groups()))
                break
        if ja is None:
            ja = f"コマンドの使い方が正しくありません ({message})"
        self.print_usage(sys.stderr)
        said = bilingual(ja, message)
        self.exit(2, f"{self.prog}: {said}\n" + bilingual(f"`{self.prog} --help` で使い方を表示します。",
                                                           f"`{self.prog} --help` shows how to use it.") + "\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``workbook`` argument parser (sub-commands as listed in the module doc)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", default=argparse.SUPPRESS, metavar="LANG",
                        help=f"ja, en or both (default: ${ENV_VAR}, else the locale) / 表示言語")
    common.add_argument("--workbook", default=argparse.SUPPRESS, metavar="DIR",
                        help="the directory with your exercises (default: exercises) / 演習ディレクトリ")
    parser = _Parser(
        prog="workbook", parents=[common],
        description="Transformer の数学 演習ワークブック / Transformer-math workbook: status, hints, checks",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="exit codes / 終了コード: 0 ok, 1 tests failed or below --fail-under, 2 grading did not complete",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("status", parents=[common], help="points, tests passed and what to do next / 進捗と次にすること")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("check", parents=[common], help="grade an exercise (or all) / 採点する")
    p.add_argument("exercises", nargs="*", metavar="EXERCISE", help="an exercise: ex3_attention, ex3 or 3 (default: all)")
    p.add_argument("--task", action="append", metavar="TASK", help="only this task (repeatable) / この課題だけ")
    p.add_argument("--score-report", metavar="PATH", help="JSON report (default: reports/score.json)")
    p.add_argument("--html-report", metavar="PATH", help="HTML report (default: reports/report.html)")
    p.add_argument("--no-html", action="store_true", help="do not write the HTML report")
    p.add_argument("--fail-under", type=float, metavar="N", help="exit 0 if the score is at least N points, else 1")
    p.add_argument("--never-fail", action="store_true", help="always exit 0 (CI: report, never fail the job)")
    p.add_argument("-v", "--verbose", action="store_true", help="also print pytest's output")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("hint", parents=[common], help="the next hint level of a task / 段階的なヒント")
    p.add_argument("exercise", nargs="?", metavar="EXERCISE", help="default: the exercise of the next step (status)")
    p.add_argument("task", nargs="?", metavar="TASK", help="default: the first failing task")
    p.add_argument("--level", type=int, metavar="N", help="show level N")
    p.add_argument("--all", action="store_true", help="show every level seen so far")
    p.add_argument("--reset", action="store_true", help="start this task's hints again from level 1")
    p.set_defaults(func=cmd_hint)

    p = sub.add_parser("watch", parents=[common], help="re-grade on every save / 保存のたびに採点")
    p.add_argument("exercise", nargs="?", metavar="EXERCISE", help="default: whichever exercise file changes")
    p.add_argument("--interval", type=float, default=1.0, metavar="SECONDS", help="how often to look (default 1 s)")
    p.add_argument("--max-runs", type=int, metavar="N", help="stop after N gradings (default: until Ctrl-C)")
    p.add_argument("--no-initial", action="store_true", help="do not grade once at the start")
    p.add_argument("--task", action="append", metavar="TASK", help="only this task (repeatable) / この課題だけ")
    p.set_defaults(func=cmd_watch)

    p = sub.add_parser("reset", parents=[common], help="back to the original stub, keeping a backup / ひな形に戻す")
    p.add_argument("exercise", metavar="EXERCISE")
    p.add_argument("--hints", action="store_true", help="also forget which hints were shown")
    p.set_defaults(func=cmd_reset)

    p = sub.add_parser("report", parents=[common], help="HTML report with figures / 図つき HTML レポート")
    p.add_argument("--score-report", metavar="PATH", help="from this JSON report (default: the latest results)")
    p.add_argument("--out", metavar="PATH", help="default: reports/report.html")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("release", parents=[common], help="(instructors) make a student copy / 学生用コピーを作る")
    p.add_argument("directory", metavar="DIR", help="a new or empty directory")
    p.add_argument("--no-verify", action="store_true", help="skip the grading checks (not recommended)")
    p.set_defaults(func=cmd_release)

    for name, text in CI_COMMANDS.items():
        p = sub.add_parser(name, help=f"(CI) {text}", add_help=False)
        p.add_argument("rest", nargs=argparse.REMAINDER)
        p.set_defaults(func=cmd_ci)
    return parser


#: The CI helpers, handled by :func:`autograder.apps.ci.main` (``workbook badge --help`` etc.).
CI_COMMANDS = {
    "ci-summary": "Markdown score table for $GITHUB_STEP_SUMMARY / ジョブの要約",
    "badge": "shields.io endpoint JSON / バッジ",
    "history": "append a score-history record / 得点の履歴",
    "classroom": "GitHub Classroom autograding reporter output / Classroom 用の出力",
    "gate": "exit code by the course's policy (--fail-under N / --never-fail; 3: modified grader, "
            "unless --allow-modified) / 合否の終了コード",
}


def _split_ci(argv: list[str]) -> tuple[list[str], list[str]] | None:
    """``[global options..., CI_COMMAND, rest...]`` → (global options, [CI_COMMAND, rest...])."""
    i = 0
    while i < len(argv):
        token = argv[i]
        if token in CI_COMMANDS:
            return argv[:i], argv[i:]
        if token in ("--lang", "--workbook"):
            i += 2
        elif token.startswith(("--lang=", "--workbook=")):
            i += 1
        else:
            return None
    return None


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``workbook`` console script. Returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    for stream in (sys.stdout, sys.stderr):  # a Windows code page (cp932) lacks some characters shown
        if "utf" not in (getattr(stream, "encoding", "") or "").lower() and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    parser = build_parser()
    for i, token in enumerate(argv):  # usage errors come before --lang is parsed: take it first
        value = token.split("=", 1)[1] if token.startswith("--lang=") else (
            argv[i + 1] if token == "--lang" and i + 1 < len(argv) else None)
        if value is not None:
            try:
                set_language(normalize_language(value))
            except ValueError:
                pass
    split = _split_ci(argv)
    if split is not None:
        args = parser.parse_args([*split[0], split[1][0]])
        args.rest = split[1][1:]
    else:
        args = parser.parse_args(argv)
    try:
        if getattr(args, "lang", None):
            set_language(normalize_language(args.lang))
        elif os.environ.get(ENV_VAR):
            set_language(normalize_language(os.environ[ENV_VAR]))
    except ValueError as exc:
        print(f"workbook: {exc} ({', '.join(LANGUAGES)})", file=sys.stderr)
        return 2
    try:
        return int(args.func(args) or 0)
    except (WorkbookError, ExerciseError) as exc:
        print(f"workbook: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `workbook hint ... | head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
