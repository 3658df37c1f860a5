"""The other ``workbook`` commands: ``hint``, ``reset``, ``report``, ``release`` and the CI
commands passed on to :mod:`autograder.apps.ci`."""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import shutil
import sys
from pathlib import Path

from ..core.i18n import bilingual
from ..grading.workspace import WorkbookError, file_sha256, find_root
from .cligrade import next_step
from .clicommon import (Context, bold, env_audience, exercise_name, exercise_tasks, first_failure, hint_candidates,
                        pristine_stub, red, rel, unknown_task_message, wrap)


def cmd_hint(args: argparse.Namespace) -> int:
    from ..classroom.hints import load_hints

    import difflib

    ctx = Context(args)
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
        exercise = exercise_name(args.exercise)
    if args.task is not None:
        valid = exercise_tasks(ctx, exercise)
        if valid and args.task not in valid:
            raise WorkbookError(unknown_task_message(
                exercise, args.task, valid, difflib.get_close_matches(args.task, valid, n=1, cutoff=0.5)))
    hints = load_hints(exercise, hint_candidates(ctx, exercise))
    if hints.warning:
        print(red(hints.warning))
        print()
    task = args.task
    if task is None:
        record = ctx.state.results(ctx.target).get(exercise)
        failing = first_failure(record["tests"]) if record else None
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
        print(bold(bilingual("ヒント", "hint", sep=" / ") + f" {level}/{len(levels)} — {exercise} › {task}"))
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
    ctx = Context(args)
    exercise = exercise_name(args.exercise)
    path = ctx.exercise_file(exercise)
    stub = pristine_stub(ctx.root, exercise)
    current = path.read_text(encoding="utf-8") if path.exists() else None
    if current == stub:
        print(bilingual(f"{rel(path)} はすでに元のひな形です (何も変更していません)。",
                        f"{rel(path)} is already the original stub (nothing changed)."))
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
    print(bilingual(f"{rel(path)} を元のひな形に戻しました。", f"{rel(path)} is back to the original stub."))
    if backup is not None:
        print(bilingual(f"あなたの版は {rel(backup)} に保存しました (消えていません)。",
                        f"your version is saved as {rel(backup)} (nothing is lost)."))
        copy = "copy" if os.name == "nt" else "cp"  # (cmd.exe has no cp: newcomer helper)
        print(bilingual(f"元に戻すには: {copy} {rel(backup)} {rel(path)}", f"to undo: {copy} {rel(backup)} {rel(path)}"))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    import json
    import subprocess
    import tempfile

    ctx = Context(args)
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
             "--audience", env_audience()],
            cwd=ctx.root, env=env, capture_output=True, encoding="utf-8", errors="replace", stdin=subprocess.DEVNULL,
        )
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        return 2
    print(f"{bilingual('HTML レポート (図つき)', 'HTML report (with figures)', sep=' / ')}: {rel(out)}")
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
