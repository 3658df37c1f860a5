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
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from .. import EXERCISES
from ..core.exercises import ExerciseError
from ..core.i18n import ENV_VAR, LANGUAGES, bilingual, normalize_language, pad, set_language, text_width  # noqa: F401
from ..results.report import OUTCOME_LABELS, TITLES, is_hidden, report_audience, shown_output
from .policy import COMPLETED, policy_exit
from ..grading.workspace import GradeResult, State, WorkbookError, file_sha256, find_root, grade, stale_tasks, task_digests


# --- output helpers ---------------------------------------------------------------------------

def _color(text: str, code: str) -> str:
    if os.environ.get("NO_COLOR") or not sys.stdout.isatty():
        return text
    return f"\033[{code}m{text}\033[0m"


def _green(text: str) -> str:
    return _color(text, "32")


def _red(text: str) -> str:
    return _color(text, "31")


def _bold(text: str) -> str:
    return _color(text, "1")


def _fmt(x: float) -> str:
    return f"{x:g}"


def wrap(text: str, width: int = 96, indent: str = "  ") -> str:
    """Wrap ``text`` to ``width`` terminal columns after ``indent``, by the Unicode line-breaking
    rules (UAX #14, :func:`uniseg.wrap.tt_wrap`): English breaks at spaces, Japanese between
    characters, and no line starts with 。、 ・ ー or a closing bracket, nor ends with an
    opening one (kinsoku); wide characters count 2 columns."""
    from uniseg.wrap import tt_wrap

    out = []
    for para in text.split("\n"):
        lines = [line.rstrip() for line in tt_wrap(para, width)] if para.strip() else [""]
        out += [(indent + line).rstrip() if line else indent.rstrip() for line in lines or [""]]
    return "\n".join(out)


def _title(exercise: str) -> str:
    ja, en = TITLES.get(exercise, ("", ""))
    return bilingual(ja, en, sep=" / ")


def _outcome(outcome: str) -> str:
    ja, en = OUTCOME_LABELS.get(outcome, (outcome, outcome))
    return bilingual(ja, en, sep=" / ")


def _env_audience() -> str:
    """``instructor`` when ``$WORKBOOK_AUDIENCE`` says so, else ``student``."""
    return "instructor" if os.environ.get("WORKBOOK_AUDIENCE", "").strip() == "instructor" else "student"


def _hidden_tag(test: dict[str, Any]) -> str:
    return f"  ({bilingual('非公開テスト', 'hidden test', sep=' / ')})" if is_hidden(test) else ""


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class _Context:
    """What every command needs: the workbook root, the target directory and the state."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.root = find_root()
        workbook = getattr(args, "workbook", None)
        if workbook:
            target = Path(workbook).expanduser()
            self.target = target if target.is_absolute() else (Path.cwd() / target)
        else:
            self.target = self.root / "exercises"
        self.target = self.target.resolve()
        self.label = _label(self.target, self.root)
        self.state = State(self.root)

    def exercise_file(self, exercise: str) -> Path:
        return self.target / f"{exercise}.py"


def _label(target: Path, root: Path) -> str:
    try:
        return str(target.relative_to(root))
    except ValueError:
        return str(target)


def _exercise(name: str) -> str:
    """Accept ``ex3_attention``, ``ex3`` or ``3`` (and a path like ``exercises/ex3_attention.py``)."""
    key = Path(name).stem if name.endswith(".py") else name
    for ex in EXERCISES:
        if key == ex or key == ex.split("_")[0] or key == ex[2:].split("_")[0]:
            return ex
    raise WorkbookError(bilingual(
        f"{name!r} は演習名ではありません: {', '.join(EXERCISES)} (ex3 や 3 でも可)。",
        f"{name!r} is not an exercise: one of {', '.join(EXERCISES)} (ex3 or 3 also work).",
    ))


# --- grading ----------------------------------------------------------------------------------

def _run_grading(ctx: _Context, exercises: list[str] | None, *, tasks: list[str] | None = None,
                 score_report: Path | None = None, html_report: Path | None = None,
                 extra_args: list[str] | None = None) -> GradeResult:
    """Grade through pytest and remember the results in the state."""
    if not ctx.target.is_dir():
        raise WorkbookError(bilingual(f"採点対象 {ctx.target} がありません。", f"grading target {ctx.target} not found."))
    names = exercises or list(EXERCISES)
    if tasks:
        check_task_names(ctx, names, tasks)
    sources = {name: file_sha256(ctx.exercise_file(name)) for name in names}
    digests = {name: task_digests(ctx.exercise_file(name), exercise_tasks(ctx, name)) for name in names}
    started = time.time()
    score_path = score_report or (ctx.root / "reports" / "score.json")
    result = grade(ctx.root, ctx.target, exercises=exercises, tasks=tasks, score_path=score_path,
                   html_path=html_report, extra_args=extra_args)
    # a run that graded no test never replaces the latest results (nor, in grade(), the reports)
    if result.document is not None and result.document.get("tests") and result.returncode in COMPLETED:
        ctx.state.record(ctx.target, result.document, graded_at=started, sources=sources, digests=digests)
        ctx.state.save()
    return result


def exercise_tasks(ctx: _Context, exercise: str) -> list[str]:
    """The task names of ``exercise``, in order: from the ``task`` markers of its graded tests
    (read statically), else from the ``HINTS`` of the exercise file (what ``workbook hint`` lists)."""
    from ..core.tasks import tasks_of

    try:
        names = [t.name for t in tasks_of(exercise, ctx.root / "tests" / f"test_{exercise}.py")]
    except (OSError, SyntaxError, ValueError):
        names = []
    if names:
        return names
    from ..classroom.hints import HintsUnavailable, load_hints

    try:
        return list(load_hints(exercise, _hint_candidates(ctx, exercise)).tasks)
    except HintsUnavailable:
        return []


def check_task_names(ctx: _Context, exercises: list[str], tasks: list[str]) -> None:
    """Refuse, before anything is graded or written, a task name that no exercise of
    ``exercises`` has, naming the closest valid name and all of them.

    Raises:
        WorkbookError: a task name is unknown (the message is bilingual).
    """
    import difflib

    valid = [t for name in exercises for t in exercise_tasks(ctx, name)]
    if not valid:
        return  # nothing to check against: the grader decides
    for task in tasks:
        if task in valid:
            continue
        raise WorkbookError(unknown_task_message(", ".join(exercises), task, valid,
                                                 difflib.get_close_matches(task, valid, n=1, cutoff=0.5)))


def unknown_task_message(where: str, task: str, valid: list[str], close: list[str]) -> str:
    """'no task X in EXERCISE; did you mean Y? tasks: ...' in the chosen language(s)."""
    ja_close = f"{close[0]} のことですか? " if close else ""
    en_close = f" Did you mean {close[0]}?" if close else ""
    return bilingual(
        f"{where} に課題 {task!r} はありません。{ja_close}課題: {', '.join(valid)}",
        f"{where} has no task {task!r}.{en_close} Tasks: {', '.join(valid)}",
    )


def _exercise_tests(document: dict[str, Any], exercise: str) -> list[dict[str, Any]]:
    return [t for t in document.get("tests", []) if t.get("extra_data", {}).get("exercise") == exercise]


def _summary(document: dict[str, Any], exercise: str) -> dict[str, Any] | None:
    return next((s for s in document.get("extra_data", {}).get("exercises", []) if s.get("exercise") == exercise), None)


def _first_failure(tests: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((t for t in tests if t.get("status") != "passed"), None)


def _syntax_error(path: Path) -> SyntaxError | None:
    """The syntax error of an exercise file, found by compiling it (never running it)."""
    try:
        compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
    except SyntaxError as exc:  # also IndentationError, TabError
        return exc
    except (OSError, ValueError):
        return None
    return None


def _next_exercise(ctx: _Context, exercise: str) -> str | None:
    """The first exercise after ``exercise`` (in order, then from the start) that is not done."""
    i = EXERCISES.index(exercise)
    for name, record, changed in (_status_rows(ctx)[i + 1:] + _status_rows(ctx)[:i]):
        if record is None or changed or _first_failure(record["tests"]) is not None or record.get("partial"):
            return name
    return None


def _next_step(exercise: str, failing: dict[str, Any] | None, ctx: _Context) -> str:
    """What to do next, given the first failing test of ``exercise`` (None: all passed)."""
    if failing is None:
        following = _next_exercise(ctx, exercise)
        if following is None:
            return _green(bilingual("完了! すべての演習が満点です。", "done! Every exercise has full marks.", sep=" / "))
        path = _rel(ctx.exercise_file(following))
        return _green(bilingual(f"完了! 次の演習 {following} ({path}) へ進みましょう。",
                                f"done! On to the next exercise, {following} ({path}).", sep=" / "))
    task = failing["extra_data"].get("task", "")
    outcome = failing["extra_data"].get("outcome", "failed")
    hint = f"  ({bilingual('ヒント', 'hint', sep=' / ')}: workbook hint {exercise} {task})"
    if outcome == "import_error":
        path = ctx.exercise_file(exercise)
        if not path.exists():
            return bilingual(f"{_rel(path)} がありません。`workbook reset {exercise}` でひな形を作り直せます",
                             f"{_rel(path)} is missing: `workbook reset {exercise}` makes the stub again", sep=" / ")
        error = _syntax_error(path)
        if error is not None:
            kind = type(error).__name__
            return bilingual(f"{_rel(path)} の {error.lineno} 行目の構文エラーを直しましょう ({kind}: {error.msg})",
                             f"fix the syntax error in {_rel(path)}, line {error.lineno} ({kind}: {error.msg})",
                             sep=" / ")
        return bilingual(f"{_rel(path)} を読み込むとエラーになります。上のエラーを直しましょう",
                         f"importing {_rel(path)} fails: fix the error shown above", sep=" / ")
    if outcome == "not_implemented":
        what = bilingual(f"{task} を実装しましょう", f"implement {task}")
    elif outcome == "forbidden_call":
        what = bilingual(f"{task} をライブラリ関数に頼らず実装しましょう", f"implement {task} without the forbidden library call")
    elif outcome == "timeout":
        what = bilingual(f"{task} の無限ループや遅い処理を直しましょう", f"fix the endless loop or slow code in {task}")
    else:
        what = bilingual(f"{task} を直しましょう", f"fix {task}")
    return what.replace("\n", " / ") + hint


def _print_exercise(document: dict[str, Any], exercise: str, ctx: _Context, *, detail_lines: int = 40) -> None:
    summary = _summary(document, exercise)
    if summary is None:
        return
    tests = _exercise_tests(document, exercise)
    score, max_score = summary["score"], summary["max_score"]
    done = score == max_score and max_score > 0
    head = f"{exercise} — {_title(exercise)}"
    print(_bold(head))
    mark = _green if done else _red
    print("  " + mark(f"{_fmt(score)} / {_fmt(max_score)} {bilingual('点', 'points', sep=' / ')}")
          + f"   {bilingual('合格テスト', 'tests passed', sep=' / ')} {summary['tests_passed']}/{summary['tests_total']}")
    width = max((len(t["task"]) for t in summary["tasks"]), default=10)
    for task in summary["tasks"]:
        ok = task["score"] == task["max_score"]
        sign = _green("✓") if ok else _red("✗")
        print(f"  {sign} {task['task']:<{width}}  {_fmt(task['score'])}/{_fmt(task['max_score'])}")
    failing = _first_failure(tests)
    if failing is not None:
        name = failing["name"].split(" › ", 2)[-1]
        print()
        print(_bold(bilingual("最初の失敗", "first failure", sep=" / ") + f": {failing['extra_data']['task']} › {name}")
              + f"  [{_outcome(failing['extra_data'].get('outcome', 'failed'))}]" + _hidden_tag(failing))
        lines = shown_output(failing, report_audience(document)).rstrip().splitlines()
        for line in lines[:detail_lines]:
            print("    " + line)
        if len(lines) > detail_lines:
            print("    ... " + bilingual(f"(残り {len(lines) - detail_lines} 行は HTML/JSON レポートに)",
                                      f"({len(lines) - detail_lines} more lines in the HTML/JSON report)", sep=" "))
    record = ctx.state.results(ctx.target).get(exercise)
    if record is not None and record["tests"] != tests:  # a partial run: earlier results count too
        kept = record["summary"]
        print(bilingual("この演習の得点 (以前の採点結果を含む)", "this exercise so far (with earlier results)", sep=" / ")
              + f": {_fmt(kept['score'])} / {_fmt(kept['max_score'])}" + _stale_note(ctx, exercise, record))
        failing = failing or _first_failure(record["tests"])
    print(bilingual("次にすること", "next", sep=" / ") + ": " + _next_step(exercise, failing, ctx))


def _stale_note(ctx: _Context, exercise: str, record: dict[str, Any]) -> str:
    """'  (older results: task, ...)' when some results were graded on an earlier version of the file."""
    stale = _stale(ctx, exercise, record)
    if not stale:
        return ""
    names = ", ".join(stale)
    return "  (" + bilingual(f"以前の版のファイルでの結果: {names}", f"graded on an earlier version: {names}",
                             sep=" / ") + ")"


def _stale(ctx: _Context, exercise: str, record: dict[str, Any]) -> list[str]:
    """The tasks of ``record`` graded on an earlier version of their own code (see :func:`stale_tasks`)."""
    path = ctx.exercise_file(exercise)
    return stale_tasks(record, file_sha256(path), task_digests(path, exercise_tasks(ctx, exercise)))


def _print_grading_problem(result: GradeResult) -> None:
    print(_red(bilingual(
        f"採点が完了しませんでした (pytest の終了コード {result.returncode})。",
        f"grading did not complete (pytest exit code {result.returncode}).",
    )), file=sys.stderr)
    errors = (result.document or {}).get("extra_data", {}).get("errors", [])
    for err in errors:
        print(err, file=sys.stderr)
    tail = result.output.strip().splitlines()[-30:]
    if tail:
        print("\n".join(tail), file=sys.stderr)


# --- commands ---------------------------------------------------------------------------------

def cmd_check(args: argparse.Namespace) -> int:
    ctx = _Context(args)
    exercises = [_exercise(e) for e in args.exercises] or None
    html = None if args.no_html else Path(args.html_report or ctx.root / "reports" / "report.html")
    score = Path(args.score_report) if args.score_report else None
    names = exercises or list(EXERCISES)
    if args.task:  # before anything is graded or written
        check_task_names(ctx, names, args.task)
    print(bilingual("採点中", "grading", sep=" / ") + f": {', '.join(names)} ({ctx.label}) ...", flush=True)
    result = _run_grading(ctx, exercises, tasks=args.task, score_report=score, html_report=html)
    if args.verbose:
        print(result.output)
    if result.document is None or result.returncode not in COMPLETED:
        _print_grading_problem(result)
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
        print(_bold(bilingual("合計", "total", sep=" / ") + f": {_fmt(document['score'])} / {_fmt(document['max_score'])}"))
    print()
    print(f"{bilingual('採点レポート (JSON)', 'JSON report', sep=' / ')}: {_rel(result.score_path)}")
    if html is not None:
        if html.exists():
            print(f"{bilingual('HTML レポート (図つき)', 'HTML report (with figures)', sep=' / ')}: {_rel(html)}")
        else:
            print(_red(bilingual("HTML レポートを書けませんでした。", "the HTML report was not written.", sep=" / ")))
    _warn_if_modified(document)
    return policy_exit(document, returncode=result.returncode, fail_under=args.fail_under, never_fail=args.never_fail)


def _status_rows(ctx: _Context) -> list[tuple[str, dict[str, Any] | None, bool]]:
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
    from .ci import integrity, integrity_message

    check = integrity(document)
    if check is not None and check["status"] == "modified":
        said, files = integrity_message(check)
        print(_red(said))
        for name in files:
            print(f"  {name}")
        print(wrap(bilingual(
            "CI はこの点数を「正式な成績ではない」と表示します。正式な成績は教員の一括採点で決まります。"
            "上のファイルを配布時の内容に戻してください。",
            "CI will mark this score as not authoritative; your grade comes from the instructor's own "
            "batch grading. Put the files above back as they were released.")))


def cmd_status(args: argparse.Namespace) -> int:
    ctx = _Context(args)
    report = ctx.root / "reports" / "score.json"
    if ctx.state.import_report(ctx.target, report):
        ctx.state.save()
    if not ctx.state.results(ctx.target):
        print(bilingual("まだ採点結果がありません。すべての演習を採点します ...",
                        "nothing graded yet: grading every exercise ...", sep=" / "), flush=True)
        result = _run_grading(ctx, None, html_report=ctx.root / "reports" / "report.html")
        if result.document is None or result.returncode not in COMPLETED:
            _print_grading_problem(result)
            return 2
    rows = _status_rows(ctx)
    print(_bold(bilingual("進捗", "progress", sep=" / ") + f" — {ctx.label}"))
    head_points, head_tests = bilingual("点", "points", sep=" / "), bilingual("テスト", "tests", sep=" / ")
    # the points column is "score/max" with the slash in a fixed place, under its header
    left = max(5, text_width(head_points) - 6)
    count_w = max(7, text_width(head_tests))

    def line(name: str, points: str, count: str, rest: str = "") -> str:
        return f"  {pad(name, 22)} {points} {count}  {rest}".rstrip()

    def points_cell(score: str, max_score: str) -> str:
        return f"{pad(score, left, right=True)}/{pad(max_score, 5)}"

    print(line(bilingual("演習", "exercise", sep=" / "), pad(head_points, left + 6, right=True),
               pad(head_tests, count_w, right=True)))
    total = max_total = 0.0
    for name, record, changed in rows:
        step = _row_step(ctx, name, record, changed)
        if record is None:
            print(line(name, pad("-", left, right=True) + " " * 6, pad("", count_w), bilingual("未採点", "not graded", sep=" / ")
                       + f"  → {step}"))
            continue
        s = record["summary"]
        total += s["score"]
        max_total += s["max_score"]
        points = points_cell(_fmt(s["score"]), _fmt(s["max_score"]))
        count = pad(f"{s['tests_passed']}/{s['tests_total']}", count_w, right=True)
        stale = [] if changed else _stale(ctx, name, record)
        if changed or stale:
            note = (bilingual("採点後に変更あり", "changed since graded", sep=" / ") if changed else
                    bilingual(f"以前の版の結果あり ({', '.join(stale)})", f"older results for {', '.join(stale)}",
                              sep=" / "))
            print(line(name, points, count, f"{note}  → {step}"))
        elif step is None:
            print(line(name, _green(points), count, _green("✓ " + bilingual("完了", "done", sep=" / "))))
        else:
            print(line(name, _red(points), count, f"→ {step}"))
    print(line(bilingual("合計", "total", sep=" / "), points_cell(_fmt(total), _fmt(max_total)), ""))
    print()
    todo = next_step(ctx, rows)
    if todo is None:
        print(_green(bilingual("すべての演習が満点です。おめでとうございます!",
                               "every exercise has full marks. Congratulations!", sep=" / ")))
    else:
        name, step = todo
        print(_bold(bilingual("次にすること", "next", sep=" / ")) + f": {name}: {step}")
        record = ctx.state.results(ctx.target).get(name)
        failing = _first_failure(record["tests"]) if record else None
        if failing is not None and not rows[EXERCISES.index(name)][2] and not _load_error_step(ctx, name):
            lines = shown_output(failing, _env_audience()).strip().splitlines()[:8]
            for ln in lines:
                print("    " + ln)
        print(bilingual(
            f"ファイル {_rel(ctx.exercise_file(name))} を編集し、`workbook watch {name}` で保存のたびに採点できます。",
            f"edit {_rel(ctx.exercise_file(name))}; `workbook watch {name}` re-grades it on every save.",
        ))
    return 0


def _row_step(ctx: _Context, name: str, record: dict[str, Any] | None, changed: bool) -> str | None:
    """The step of one exercise in ``status`` (None: done)."""
    if record is None or changed or _stale(ctx, name, record):
        return f"workbook check {name}"
    failing = _first_failure(record["tests"])
    if failing is not None:
        return _next_step(name, failing, ctx)
    if record.get("partial") or record["summary"]["max_score"] <= 0:
        return f"workbook check {name}"
    return None


def _load_error_step(ctx: _Context, name: str) -> str | None:
    """'fix the syntax error in FILE, line N' (or: the file is missing) when ``name``'s file cannot
    be loaded as it is now, found statically; None otherwise."""
    path = ctx.exercise_file(name)
    if not path.exists() or _syntax_error(path) is not None:
        return _next_step(name, {"extra_data": {"task": "", "outcome": "import_error"}}, ctx)
    return None


def _activity(ctx: _Context, name: str, record: dict[str, Any] | None, stubs: dict[str, str | None]) -> float:
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


def next_step(ctx: _Context, rows: list[tuple[str, dict[str, Any] | None, bool]] | None = None
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
            failing = _first_failure(record["tests"])
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


def _hint_candidates(ctx: _Context, exercise: str) -> list[Path]:
    return [
        ctx.exercise_file(exercise),
        ctx.root / "autograder" / "data" / "stubs" / f"{exercise}.py",
        ctx.root / "solutions" / f"{exercise}.py",
    ]


def cmd_hint(args: argparse.Namespace) -> int:
    from ..classroom.hints import load_hints

    import difflib

    ctx = _Context(args)
    if args.exercise is None:
        step = next_step(ctx)
        if step is None:
            raise WorkbookError(bilingual(
                "すべての演習が満点です。ヒントを見たい演習を指定してください (例: workbook hint ex3 softmax)。",
                "every exercise has full marks: name the exercise whose hints you want (e.g. workbook hint ex3 softmax).",
            ))
        exercise = step[0]
        print(bilingual(f"次にすることの演習 {exercise} のヒントです。", f"hints of {exercise}, the exercise of your next step.",
                        sep=" / "))
    else:
        exercise = _exercise(args.exercise)
    if args.task is not None:
        valid = exercise_tasks(ctx, exercise)
        if valid and args.task not in valid:
            raise WorkbookError(unknown_task_message(
                exercise, args.task, valid, difflib.get_close_matches(args.task, valid, n=1, cutoff=0.5)))
    hints = load_hints(exercise, _hint_candidates(ctx, exercise))
    if hints.warning:
        print(_red(hints.warning))
        print()
    task = args.task
    if task is None:
        record = ctx.state.results(ctx.target).get(exercise)
        failing = _first_failure(record["tests"]) if record else None
        task = failing["extra_data"]["task"] if failing else next(iter(hints.tasks))
        if task not in hints.tasks:
            task = next(iter(hints.tasks))
    if task not in hints.tasks:
        raise WorkbookError(bilingual(
            f"{exercise} に課題 {task!r} のヒントはありません。課題: {', '.join(hints.tasks)}",
            f"{exercise} has no hints for task {task!r}; tasks: {', '.join(hints.tasks)}",
        ))
    levels = hints.tasks[task]
    if args.reset:
        ctx.state.set_hint_level(exercise, task, 0)
        ctx.state.save()
        print(bilingual(f"{exercise} › {task} のヒントの進み具合を戻しました。",
                        f"hint progress of {exercise} › {task} reset."))
        return 0
    shown = ctx.state.hint_level(exercise, task)
    if args.all:
        wanted = list(range(1, max(shown, 1) + 1))
    elif args.level is not None:
        if not 1 <= args.level <= len(levels):
            raise WorkbookError(bilingual(f"レベルは 1 から {len(levels)} です。", f"levels are 1 to {len(levels)}."))
        wanted = [args.level]
    else:
        wanted = [min(shown + 1, len(levels))]
    for level in wanted:
        ja, en = levels[level - 1]
        print(_bold(bilingual("ヒント", "hint", sep=" / ") + f" {level}/{len(levels)} — {exercise} › {task}"))
        print(wrap(bilingual(ja, en)))
    newest = max(wanted)
    ctx.state.set_hint_level(exercise, task, max(shown, newest))
    ctx.state.save()
    print()
    if newest < len(levels):
        print(bilingual(
            f"もう一度 `workbook hint {exercise} {task}` で次のヒント ({newest + 1}/{len(levels)}) が出ます。"
            "まずはこのヒントで考えてみてください。",
            f"run `workbook hint {exercise} {task}` again for the next level ({newest + 1}/{len(levels)}); "
            "try with this one first.",
        ))
    else:
        print(bilingual(
            f"これが最後のヒントです。`workbook hint {exercise} {task} --all` でこれまでのヒントを全部表示します。",
            f"that was the last hint; `workbook hint {exercise} {task} --all` shows every level again.",
        ))
    others = [t for t in hints.tasks if t != task]
    if others and args.task is None:
        print(bilingual(f"ほかの課題: {', '.join(others)}", f"other tasks: {', '.join(others)}"))
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    ctx = _Context(args)
    only = _exercise(args.exercise) if args.exercise else None
    names = [only] if only else list(EXERCISES)
    if args.task:  # a wrong name is refused now, not at every save
        check_task_names(ctx, names, args.task)
    files = {name: ctx.exercise_file(name) for name in names}
    seen = {name: file_sha256(path) for name, path in files.items()}
    runs = 0

    def run(name: str) -> None:
        nonlocal runs
        stamp = _dt.datetime.now().strftime("%H:%M:%S")
        print(_bold(f"===== {stamp}  {name} ====="), flush=True)
        check = argparse.Namespace(**vars(args))
        tasks = [t for t in (args.task or []) if t in exercise_tasks(ctx, name)] or None
        check.exercises, check.task, check.score_report, check.html_report = [name], tasks, None, None
        check.no_html, check.verbose, check.fail_under, check.never_fail = False, False, None, False
        try:
            cmd_check(check)
        except WorkbookError as exc:
            print(_red(str(exc)))
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
        return _rel(paths[0])
    return _rel(paths[0].parent) + "/*.py"


def pristine_stub(root: Path, exercise: str) -> str:
    """The original stub of ``exercise``: generated from ``solutions/`` when present, else the copy a
    released workbook keeps in ``autograder/data/stubs/``.

    Raises:
        WorkbookError: neither is available.
    """
    solution = root / "solutions" / f"{exercise}.py"
    if solution.is_file():
        from ..classroom.stubs import make_stub

        return make_stub(solution.read_text(encoding="utf-8"))
    kept = root / "autograder" / "data" / "stubs" / f"{exercise}.py"
    if kept.is_file():
        return kept.read_text(encoding="utf-8")
    raise WorkbookError(bilingual(
        f"{exercise} の元のひな形が見つかりません ({solution} も {kept} もありません)。",
        f"the original stub of {exercise} is not available (neither {solution} nor {kept} exists).",
    ))


def backup_path(path: Path, when: _dt.datetime | None = None) -> Path:
    """A new, unused ``<name>.py.bak-YYYYmmdd-HHMMSS[-N]`` next to ``path``."""
    stamp = (when or _dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    candidate = path.with_name(f"{path.name}.bak-{stamp}")
    n = 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.bak-{stamp}-{n}")
        n += 1
    return candidate


def cmd_reset(args: argparse.Namespace) -> int:
    ctx = _Context(args)
    exercise = _exercise(args.exercise)
    path = ctx.exercise_file(exercise)
    stub = pristine_stub(ctx.root, exercise)
    current = path.read_text(encoding="utf-8") if path.exists() else None
    if current == stub:
        print(bilingual(f"{_rel(path)} はすでに元のひな形です (何も変更していません)。",
                        f"{_rel(path)} is already the original stub (nothing changed)."))
        return 0
    backup = None
    if path.exists():
        backup = backup_path(path)
        shutil.copy2(path, backup)
        if file_sha256(backup) != file_sha256(path):  # never lose work: verify before overwriting
            raise WorkbookError(bilingual(f"バックアップ {backup} の確認に失敗しました。", f"could not verify the backup {backup}."))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.reset.tmp")
    tmp.write_text(stub, encoding="utf-8")
    os.replace(tmp, path)
    if args.hints:
        for key in [k for k in ctx.state.data["hints"] if k.startswith(exercise + "/")]:
            ctx.state.data["hints"].pop(key)
        ctx.state.save()
    print(bilingual(f"{_rel(path)} を元のひな形に戻しました。", f"{_rel(path)} is back to the original stub."))
    if backup is not None:
        print(bilingual(f"あなたの版は {_rel(backup)} に保存しました (消えていません)。",
                        f"your version is saved as {_rel(backup)} (nothing is lost)."))
        print(bilingual(f"元に戻すには: cp {_rel(backup)} {_rel(path)}", f"to undo: cp {_rel(backup)} {_rel(path)}"))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    import json
    import subprocess
    import tempfile

    ctx = _Context(args)
    out = Path(args.out or ctx.root / "reports" / "report.html")
    if args.score_report:
        source = Path(args.score_report)
        try:
            document = json.loads(source.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise WorkbookError(bilingual(f"{source} を読めません: {exc}", f"cannot read {source}: {exc}")) from None
    else:
        if ctx.state.import_report(ctx.target, ctx.root / "reports" / "score.json"):
            ctx.state.save()
        document = ctx.state.merged_document(ctx.target, label=ctx.label)
        if document is None:
            raise WorkbookError(bilingual("まだ採点結果がありません。先に `workbook check` を実行してください。",
                                          "nothing graded yet: run `workbook check` first."))
    with tempfile.TemporaryDirectory(prefix="workbook-report-") as tmp:
        doc_path = Path(tmp) / "document.json"
        doc_path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        env = dict(os.environ, WORKBOOK_LANG=_lang_now(), MPLBACKEND="Agg", PYTHONIOENCODING="utf-8",
                   PYTHONPATH=str(ctx.root) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        # the student's figure functions run in a child process, never in this one
        proc = subprocess.run(
            [sys.executable, "-m", "autograder.htmlreport", str(doc_path), "--out", str(out.resolve()),
             "--workbook", str(ctx.target), "--reference", str(ctx.root / "solutions"),
             "--audience", _env_audience()],
            cwd=ctx.root, env=env, capture_output=True, encoding="utf-8", errors="replace", stdin=subprocess.DEVNULL,
        )
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        return 2
    print(f"{bilingual('HTML レポート (図つき)', 'HTML report (with figures)', sep=' / ')}: {_rel(out)}")
    return 0


def _lang_now() -> str:
    from ..core.i18n import get_language

    return get_language()


def cmd_release(args: argparse.Namespace) -> int:
    from ..classroom.release import release

    root = find_root()
    return release(root, Path(args.directory), verify=not args.no_verify, out=sys.stdout)


def cmd_ci(args: argparse.Namespace) -> int:
    from . import ci

    return ci.main([args.command, *args.rest])


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
