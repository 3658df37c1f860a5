"""The ``workbook`` commands that grade and show progress: ``check``, ``status`` and ``watch``,
and the "next thing to do" they (and a bare ``workbook hint``) suggest."""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import time
from pathlib import Path
from typing import Any

from .. import EXERCISES
from ..core.i18n import bilingual, pad, text_width
from ..grading.workspace import WorkbookError, file_sha256, stale_tasks, task_digests
from ..submission.exercisefiles import notebook_beside
from ..results.report import misconception_lines, output_below_misconception, report_audience, shown_name
from .cireport import integrity, integrity_message
from .clicommon import (Context, bold, check_task_names, env_audience, exercise_name, exercise_summary, exercise_tasks,
                        exercise_tests, first_failure, fmt, green, hidden_tag, outcome_label, pristine_stub,
                        print_grading_problem, red, rel, run_grading, syntax_error, title, wrap)
from .policy import COMPLETED, policy_exit


def _next_exercise(ctx: Context, exercise: str) -> str | None:
    """The first exercise after ``exercise`` (in order, then from the start) that is not done."""
    i = EXERCISES.index(exercise)
    for name, record, changed in (_status_rows(ctx)[i + 1:] + _status_rows(ctx)[:i]):
        if record is None or changed or first_failure(record["tests"]) is not None or record.get("partial"):
            return name
    return None


def _next_step(exercise: str, failing: dict[str, Any] | None, ctx: Context) -> str:
    """What to do next, given the first failing test of ``exercise`` (None: all passed)."""
    if failing is None:
        following = _next_exercise(ctx, exercise)
        if following is None:
            return green(bilingual("完了! すべての演習が満点です。", "done! Every exercise has full marks.", sep=" / "))
        path = rel(ctx.exercise_file(following))
        return green(bilingual(f"完了! 次の演習 {following} ({path}) へ進みましょう。",
                                f"done! On to the next exercise, {following} ({path}).", sep=" / "))
    task = failing["extra_data"].get("task", "")
    outcome = failing["extra_data"].get("outcome", "failed")
    hint = f"  ({bilingual('ヒント', 'hint', sep=' / ')}: workbook hint {exercise} {task})"
    if outcome == "import_error":
        path = ctx.exercise_file(exercise)
        notebook = notebook_beside(path.parent, exercise)
        if not path.exists() and notebook is not None:  # the work is in a notebook: a stub would hide it
            out = rel(path)
            return bilingual(
                f"ノートブック {rel(notebook)} の解答から {out} を作ってから採点しましょう: "
                f"`python -m autograder.course to-py {rel(notebook)} {out}` (`workbook reset` は使わないでください。"
                "中身のない雛形が採点され、ノートブックの解答は使われません)",
                f"make {out} from your notebook {rel(notebook)}, then grade: "
                f"`python -m autograder.course to-py {rel(notebook)} {out}` (not `workbook reset`: an empty stub "
                "would be graded instead of your notebook)", sep=" / ")
        if not path.exists():
            return bilingual(f"{rel(path)} がありません。`workbook reset {exercise}` でひな形を作り直せます",
                             f"{rel(path)} is missing: `workbook reset {exercise}` makes the stub again", sep=" / ")
        error = syntax_error(path)
        if error is not None:
            kind = type(error).__name__
            return bilingual(f"{rel(path)} の {error.lineno} 行目の構文エラーを直しましょう ({kind}: {error.msg})",
                             f"fix the syntax error in {rel(path)}, line {error.lineno} ({kind}: {error.msg})",
                             sep=" / ")
        return bilingual(f"{rel(path)} を読み込むとエラーになります。上のエラーを直しましょう",
                         f"importing {rel(path)} fails: fix the error shown above", sep=" / ")
    if outcome == "not_implemented":
        what = bilingual(f"{task} を実装しましょう", f"implement {task}")
    elif outcome == "forbidden_call":
        what = bilingual(f"{task} をライブラリ関数に頼らず実装しましょう", f"implement {task} without the forbidden library call")
    elif outcome == "timeout":
        what = bilingual(f"{task} の無限ループや遅い処理を直しましょう", f"fix the endless loop or slow code in {task}")
    else:
        what = bilingual(f"{task} を直しましょう", f"fix {task}")
    return what.replace("\n", " / ") + hint


def _print_exercise(document: dict[str, Any], exercise: str, ctx: Context, *, detail_lines: int = 40) -> None:
    summary = exercise_summary(document, exercise)
    if summary is None:
        return
    tests = exercise_tests(document, exercise)
    score, max_score = summary["score"], summary["max_score"]
    done = score == max_score and max_score > 0
    head = f"{exercise} — {title(exercise)}"
    print(bold(head))
    mark = green if done else red
    print("  " + mark(f"{fmt(score)} / {fmt(max_score)} {bilingual('点', 'points', sep=' / ')}")
          + f"   {bilingual('合格テスト', 'tests passed', sep=' / ')} {summary['tests_passed']}/{summary['tests_total']}")
    width = max((len(t["task"]) for t in summary["tasks"]), default=10)
    for task in summary["tasks"]:
        ok = task["score"] == task["max_score"]
        sign = green("✓") if ok else red("✗")
        print(f"  {sign} {task['task']:<{width}}  {fmt(task['score'])}/{fmt(task['max_score'])}")
    if not any(t["extra_data"].get("outcome") == "import_error" for t in tests):  # else the failure below says it
        for error in document.get("extra_data", {}).get("errors", []):  # e.g. a notebook cell that raised
            if isinstance(error, str) and error.startswith(f"{exercise}: "):
                for line in error.removeprefix(f"{exercise}: ").splitlines():
                    print("  " + red(line))
    failing = first_failure(tests)
    if failing is not None:
        name = shown_name(failing, report_audience(document)).split(" › ", 2)[-1]
        print()
        print(bold(bilingual("最初の失敗", "first failure", sep=" / ") + f": {failing['extra_data']['task']} › {name}")
              + f"  [{outcome_label(failing['extra_data'].get('outcome', 'failed'))}]" + hidden_tag(failing))
        for line in misconception_lines(failing, report_audience(document)):
            print("    " + bold(line))
        lines = output_below_misconception(failing, report_audience(document)).rstrip().splitlines()
        for line in lines[:detail_lines]:
            print("    " + line)
        if len(lines) > detail_lines:
            print("    ... " + bilingual(f"(残り {len(lines) - detail_lines} 行は HTML/JSON レポートに)",
                                      f"({len(lines) - detail_lines} more lines in the HTML/JSON report)", sep=" "))
    record = ctx.state.results(ctx.target).get(exercise)
    if record is not None and record["tests"] != tests:  # a partial run: earlier results count too
        kept = record["summary"]
        print(bilingual("この演習の得点 (以前の採点結果を含む)", "this exercise so far (with earlier results)", sep=" / ")
              + f": {fmt(kept['score'])} / {fmt(kept['max_score'])}" + _stale_note(ctx, exercise, record))
        failing = failing or first_failure(record["tests"])
    print(bilingual("次にすること", "next", sep=" / ") + ": " + _next_step(exercise, failing, ctx))


def _stale_note(ctx: Context, exercise: str, record: dict[str, Any]) -> str:
    """'  (older results: task, ...)' when some results were graded on an earlier version of the file."""
    stale = _stale(ctx, exercise, record)
    if not stale:
        return ""
    names = ", ".join(stale)
    return "  (" + bilingual(f"以前の版のファイルでの結果: {names}", f"graded on an earlier version: {names}",
                             sep=" / ") + ")"


def _stale(ctx: Context, exercise: str, record: dict[str, Any]) -> list[str]:
    """The tasks of ``record`` graded on an earlier version of their own code (see :func:`stale_tasks`)."""
    path = ctx.exercise_file(exercise)
    return stale_tasks(record, file_sha256(path), task_digests(path, exercise_tasks(ctx, exercise)))


# --- commands ---------------------------------------------------------------------------------

def cmd_check(args: argparse.Namespace) -> int:
    ctx = Context(args)
    exercises = [exercise_name(e) for e in args.exercises] or None
    html = None if args.no_html else Path(args.html_report or ctx.root / "reports" / "report.html")
    score = Path(args.score_report) if args.score_report else None
    names = exercises or list(EXERCISES)
    if args.task:  # before anything is graded or written
        check_task_names(ctx, names, args.task)
    print(bilingual("採点中", "grading", sep=" / ") + f": {', '.join(names)} ({ctx.label}) ...", flush=True)
    result = run_grading(ctx, exercises, tasks=args.task, score_report=score, html_report=html)
    if args.verbose:
        print(result.output)
    if result.document is None or result.returncode not in COMPLETED:
        print_grading_problem(result)
        return 0 if args.never_fail else 2
    document = result.document
    print()
    shown = [s["exercise"] for s in document.get("extra_data", {}).get("exercises", [])]
    for i, name in enumerate(shown):
        if i:
            print()
        _print_exercise(document, name, ctx, detail_lines=40 if len(shown) == 1 else 12)
    if len(shown) > 1:
        print()
        print(bold(bilingual("合計", "total", sep=" / ") + f": {fmt(document['score'])} / {fmt(document['max_score'])}"))
    print()
    print(f"{bilingual('採点レポート (JSON)', 'JSON report', sep=' / ')}: {rel(result.score_path)}")
    if html is not None:
        if html.exists():
            print(f"{bilingual('HTML レポート (図つき)', 'HTML report (with figures)', sep=' / ')}: {rel(html)}")
        else:
            print(red(bilingual("HTML レポートを書けませんでした。", "the HTML report was not written.", sep=" / ")))
    _warn_if_modified(document)
    return policy_exit(document, returncode=result.returncode, fail_under=args.fail_under, never_fail=args.never_fail)


def _status_rows(ctx: Context) -> list[tuple[str, dict[str, Any] | None, bool]]:
    """(exercise, record or None, changed since graded) for every exercise."""
    results = ctx.state.results(ctx.target)
    rows = []
    for name in EXERCISES:
        record = results.get(name)
        changed = False
        if record is not None:
            current = file_sha256(ctx.exercise_file(name))
            changed = record.get("source_sha256") is None or record["source_sha256"] != current
        rows.append((name, record, changed))
    return rows


def _warn_if_modified(document: dict[str, Any]) -> None:
    """Say so when the grader or graded tests that ran differ from the release record."""
    check = integrity(document)
    if check is not None and check["status"] == "modified":
        said, files = integrity_message(check)
        print(red(said))
        for name in files:
            print(f"  {name}")
        print(wrap(bilingual(
            "CI はこの点数を「正式な成績ではない」と表示します。正式な成績は教員の一括採点で決まります。"
            "上のファイルを配布時の内容に戻してください。",
            "CI will mark this score as not authoritative; your grade comes from the instructor's own "
            "batch grading. Put the files above back as they were released.")))


def cmd_status(args: argparse.Namespace) -> int:
    ctx = Context(args)
    report = ctx.root / "reports" / "score.json"
    if ctx.state.import_report(ctx.target, report):
        ctx.state.save()
    if not ctx.state.results(ctx.target):
        print(bilingual("まだ採点結果がありません。すべての演習を採点します ...",
                        "nothing graded yet: grading every exercise ...", sep=" / "), flush=True)
        result = run_grading(ctx, None, html_report=ctx.root / "reports" / "report.html")
        if result.document is None or result.returncode not in COMPLETED:
            print_grading_problem(result)
            return 2
    rows = _status_rows(ctx)
    print(bold(bilingual("進捗", "progress", sep=" / ") + f" — {ctx.label}"))
    head_points, head_tests = bilingual("点", "points", sep=" / "), bilingual("テスト", "tests", sep=" / ")
    # the points column is "score/max" with the slash in a fixed place, its header ending where the
    # longest max ends (it ended 3 columns further right: newcomer helper)
    maxima = [fmt(r["summary"]["max_score"]) for _, r, _ in rows if r is not None]
    right_w = max([text_width(m) for m in maxima] + [len(fmt(sum(r["summary"]["max_score"] for _, r, _ in rows
                                                                  if r is not None)))])
    left = max(5, text_width(head_points) - 1 - right_w)
    count_w = max(7, text_width(head_tests))

    def line(name: str, points: str, count: str, rest: str = "") -> str:
        return f"  {pad(name, 22)} {points} {count}  {rest}".rstrip()

    def points_cell(score: str, max_score: str) -> str:
        return f"{pad(score, left, right=True)}/{pad(max_score, right_w)}"

    print(line(bilingual("演習", "exercise", sep=" / "), pad(head_points, left + 1 + right_w, right=True),
               pad(head_tests, count_w, right=True)))
    total = max_total = 0.0
    for name, record, changed in rows:
        step = _row_step(ctx, name, record, changed)
        if record is None:
            print(line(name, pad("-", left, right=True) + " " * (1 + right_w), pad("", count_w), bilingual("未採点", "not graded", sep=" / ")
                       + f"  → {step}"))
            continue
        s = record["summary"]
        total += s["score"]
        max_total += s["max_score"]
        points = points_cell(fmt(s["score"]), fmt(s["max_score"]))
        count = pad(f"{s['tests_passed']}/{s['tests_total']}", count_w, right=True)
        stale = [] if changed else _stale(ctx, name, record)
        if changed or stale:
            gone = changed and not os.path.lexists(ctx.exercise_file(name))  # deleted since it was graded
            note = (bilingual("ファイルがありません (採点後に削除)", "file missing (deleted since graded)", sep=" / ")
                    if gone else bilingual("採点後に変更あり", "changed since graded", sep=" / ") if changed else
                    bilingual(f"以前の版の結果あり ({', '.join(stale)})", f"older results for {', '.join(stale)}",
                              sep=" / "))
            print(line(name, points, count, f"{note}  → {step}"))
        elif step is None:
            print(line(name, green(points), count, green("✓ " + bilingual("完了", "done", sep=" / "))))
        else:
            print(line(name, red(points), count, f"→ {step}"))
    print(line(bilingual("合計", "total", sep=" / "), points_cell(fmt(total), fmt(max_total)), ""))
    print()
    todo = next_step(ctx, rows)
    if todo is None:
        print(green(bilingual("すべての演習が満点です。おめでとうございます!",
                               "every exercise has full marks. Congratulations!", sep=" / ")))
    else:
        name, step = todo
        print(bold(bilingual("次にすること", "next", sep=" / ")) + f": {name}: {step}")
        record = ctx.state.results(ctx.target).get(name)
        failing = first_failure(record["tests"]) if record else None
        if failing is not None and not rows[EXERCISES.index(name)][2] and not _load_error_step(ctx, name):
            lines = misconception_lines(failing, env_audience())
            lines += output_below_misconception(failing, env_audience()).strip().splitlines()[:8]
            for ln in lines:
                print("    " + ln)
        print(bilingual(
            f"ファイル {rel(ctx.exercise_file(name))} を編集し、`workbook watch {name}` で保存のたびに採点できます。",
            f"edit {rel(ctx.exercise_file(name))}; `workbook watch {name}` re-grades it on every save.",
        ))
    return 0


def _row_step(ctx: Context, name: str, record: dict[str, Any] | None, changed: bool) -> str | None:
    """The step of one exercise in ``status`` (None: done)."""
    if record is None or changed or _stale(ctx, name, record):
        return f"workbook check {name}"
    failing = first_failure(record["tests"])
    if failing is not None:
        return _next_step(name, failing, ctx)
    if record.get("partial") or record["summary"]["max_score"] <= 0:
        return f"workbook check {name}"
    return None


def _load_error_step(ctx: Context, name: str) -> str | None:
    """'fix the syntax error in FILE, line N' (or: the file is missing) when ``name``'s file cannot
    be loaded as it is now, found statically; None otherwise."""
    path = ctx.exercise_file(name)
    if not path.exists() or syntax_error(path) is not None:
        return _next_step(name, {"extra_data": {"task": "", "outcome": "import_error"}}, ctx)
    return None


def _activity(ctx: Context, name: str, record: dict[str, Any] | None, stubs: dict[str, str | None]) -> float:
    """When the student last worked on ``name``: its latest grading, or the time the file was
    saved if it is no longer the original stub (0: never)."""
    when = float(record["graded_at"]) if record else 0.0
    path = ctx.exercise_file(name)
    try:
        text, mtime = path.read_text(encoding="utf-8"), path.stat().st_mtime
    except (OSError, UnicodeDecodeError):
        return when
    stub = stubs.get(name)
    edited = text != stub if stub is not None else (record is None or record.get("source_sha256") != file_sha256(path))
    return max(when, mtime) if edited else when


def next_step(ctx: Context, rows: list[tuple[str, dict[str, Any] | None, bool]] | None = None
              ) -> tuple[str, str] | None:
    """(exercise, what to do) for the "next" line of ``status`` and for a bare ``workbook hint``;
    None when everything is done. In this order:

    1. an exercise file that cannot be loaded (a syntax error, a missing file, or — as last
       graded — an import error), the first in course order;
    2. the exercise being worked on: the unfinished one graded or edited (saved, differing from
       the original stub) most recently;
    3. the first unfinished exercise in course order.
    """
    rows = _status_rows(ctx) if rows is None else rows
    for name, record, changed in rows:
        step = _load_error_step(ctx, name)
        if step is None and record is not None and not changed:
            failing = first_failure(record["tests"])
            if failing is not None and failing["extra_data"].get("outcome") == "import_error":
                step = _next_step(name, failing, ctx)
        if step is not None:
            return name, step
    todo = [(i, name, record, step) for i, (name, record, changed) in enumerate(rows)
            if (step := _row_step(ctx, name, record, changed)) is not None]
    if not todo:
        return None
    stubs: dict[str, str | None] = {}
    for _, name, _, _ in todo:
        try:
            stubs[name] = pristine_stub(ctx.root, name)
        except (WorkbookError, ImportError, OSError, SyntaxError):  # then: edited = changed since graded
            stubs[name] = None
    _, name, _, step = max(todo, key=lambda row: (_activity(ctx, row[1], row[2], stubs), -row[0]))
    return name, step


def cmd_watch(args: argparse.Namespace) -> int:
    ctx = Context(args)
    only = exercise_name(args.exercise) if args.exercise else None
    names = [only] if only else list(EXERCISES)
    if args.task:  # a wrong name is refused now, not at every save
        check_task_names(ctx, names, args.task)
    files = {name: ctx.exercise_file(name) for name in names}
    seen = {name: file_sha256(path) for name, path in files.items()}
    runs = 0

    def run(name: str) -> None:
        nonlocal runs
        stamp = _dt.datetime.now().strftime("%H:%M:%S")
        print(bold(f"===== {stamp}  {name} ====="), flush=True)
        check = argparse.Namespace(**vars(args))
        tasks = [t for t in (args.task or []) if t in exercise_tasks(ctx, name)] or None
        check.exercises, check.task, check.score_report, check.html_report = [name], tasks, None, None
        check.no_html, check.verbose, check.fail_under, check.never_fail = False, False, None, False
        try:
            cmd_check(check)
        except WorkbookError as exc:
            print(red(str(exc)))
        runs += 1
        print(flush=True)
        print(bilingual(f"保存を待っています ({_watched(files)}) — Ctrl-C で終了",
                        f"waiting for a save ({_watched(files)}) — Ctrl-C to stop", sep=" / "), flush=True)

    print(bilingual(f"監視中: {_watched(files)}。保存すると採点します (Ctrl-C で終了)。",
                    f"watching {_watched(files)}: saving a file grades it (Ctrl-C to stop)."), flush=True)
    try:
        if only and not args.no_initial:
            run(only)
        while args.max_runs is None or runs < args.max_runs:
            time.sleep(args.interval)
            for name, path in files.items():
                digest = file_sha256(path)
                if digest != seen[name]:
                    # wait until the editor has finished writing (two equal readings)
                    time.sleep(min(0.3, args.interval))
                    settled = file_sha256(path)
                    while settled != digest:
                        digest = settled
                        time.sleep(min(0.3, args.interval))
                        settled = file_sha256(path)
                    seen[name] = digest
                    if digest is not None:
                        run(name)
                    break
    except KeyboardInterrupt:
        print()
        print(bilingual("監視を終了しました。", "stopped watching.", sep=" / "))
    return 0


def _watched(files: dict[str, Path]) -> str:
    paths = list(files.values())
    if len(paths) == 1:
        return rel(paths[0])
    return rel(paths[0].parent) + "/*.py"
