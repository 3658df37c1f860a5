"""What every ``workbook`` command (:mod:`autograder.apps.cli`) shares: output helpers (colour,
wrapping, paths), the context of a command (workbook root, target folder, state), exercise and task
names, running a grading through pytest, and the original stub of an exercise."""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

from .. import EXERCISES
from ..core.exercises import resolve as resolve_exercise
from ..core.i18n import bilingual
from ..grading.workspace import GradeResult, State, WorkbookError, file_sha256, find_root, grade, task_digests
from ..results.report import OUTCOME_LABELS, TITLES, is_hidden
from .policy import COMPLETED


# --- output helpers ---------------------------------------------------------------------------

def _color(text: str, code: str) -> str:
    if os.environ.get("NO_COLOR") or not sys.stdout.isatty():
        return text
    return f"\033[{code}m{text}\033[0m"


def green(text: str) -> str:
    return _color(text, "32")


def red(text: str) -> str:
    return _color(text, "31")


def bold(text: str) -> str:
    return _color(text, "1")


def fmt(x: float) -> str:
    return f"{x:g}"


def wrap(text: str, width: int = 96, indent: str = "  ") -> str:
    """Wrap ``text`` to ``width`` terminal columns after ``indent``, by the Unicode line-breaking
    rules (UAX #14, :func:`uniseg.wrap.tt_wrap`): English breaks at spaces, Japanese between
    characters, and no line starts with 。、 ・ ー or a closing bracket, nor ends with an
    opening one (kinsoku); wide characters count 2 columns. A short bracketed expression
    (``[-1, 1]``, ``(output, weights)``, at most a third of ``width``) is never split."""
    from uniseg.wrap import tt_wrap

    out = []
    glue = lambda m: m.group(0).replace(" ", "\u00a0") if len(m.group(0)) <= width // 3 else m.group(0)  # noqa: E731
    for para in _SHORT_BRACKETS.sub(glue, text).split("\n"):
        lines = [line.rstrip() for line in tt_wrap(para, width)] if para.strip() else [""]
        out += [(indent + line).rstrip() if line else indent.rstrip() for line in lines or [""]]
    return "\n".join(out).replace("\u00a0", " ")


#: Bracketed expressions :func:`wrap` may keep on one line (their spaces become no-break spaces).
_SHORT_BRACKETS = re.compile(r"\[[^\[\]\n]{0,40}\]|\([^()\n]{0,40}\)")


def title(exercise: str) -> str:
    ja, en = TITLES.get(exercise, ("", ""))
    return bilingual(ja, en, sep=" / ")


def outcome_label(outcome: str) -> str:
    ja, en = OUTCOME_LABELS.get(outcome, (outcome, outcome))
    return bilingual(ja, en, sep=" / ")


def env_audience() -> str:
    """``instructor`` when ``$WORKBOOK_AUDIENCE`` says so, else ``student``."""
    return "instructor" if os.environ.get("WORKBOOK_AUDIENCE", "").strip() == "instructor" else "student"


def hidden_tag(test: dict[str, Any]) -> str:
    return f"  ({bilingual('非公開テスト', 'hidden test', sep=' / ')})" if is_hidden(test) else ""


def rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class Context:
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


def exercise_name(name: str) -> str:
    """Accept ``ex3_attention``, ``ex3`` or ``3`` (and a path like ``exercises/ex3_attention.py``)."""
    found = resolve_exercise(name, tuple(EXERCISES))
    if found is not None:
        return found
    raise WorkbookError(bilingual(
        f"{name!r} は演習名ではありません: {', '.join(EXERCISES)} (ex3 や 3 でも可)。",
        f"{name!r} is not an exercise: one of {', '.join(EXERCISES)} (ex3 or 3 also work).",
    ))


# --- grading ----------------------------------------------------------------------------------

def run_grading(ctx: Context, exercises: list[str] | None, *, tasks: list[str] | None = None,
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
    # the report about to be replaced may hold a plain `pytest` run's results not taken in yet (taken in
    # by `workbook status` otherwise): `pytest`, then `workbook check ex1` lost ex2-ex9 (newcomer helper)
    taken = ctx.state.import_report(ctx.target, ctx.root / "reports" / "score.json")
    if score_path.resolve() != (ctx.root / "reports" / "score.json").resolve():
        taken += ctx.state.import_report(ctx.target, score_path)
    if taken:
        ctx.state.save()
    result = grade(ctx.root, ctx.target, exercises=exercises, tasks=tasks, score_path=score_path,
                   html_path=html_report, extra_args=extra_args)
    # a run that graded no test never replaces the latest results (nor, in grade(), the reports)
    if result.document is not None and result.document.get("tests") and result.returncode in COMPLETED:
        ctx.state.record(ctx.target, result.document, graded_at=started, sources=sources, digests=digests)
        ctx.state.save()
    return result


def exercise_tasks(ctx: Context, exercise: str) -> list[str]:
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
        return list(load_hints(exercise, hint_candidates(ctx, exercise)).tasks)
    except HintsUnavailable:
        return []


def check_task_names(ctx: Context, exercises: list[str], tasks: list[str]) -> None:
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


def exercise_tests(document: dict[str, Any], exercise: str) -> list[dict[str, Any]]:
    return [t for t in document.get("tests", []) if t.get("extra_data", {}).get("exercise") == exercise]


def exercise_summary(document: dict[str, Any], exercise: str) -> dict[str, Any] | None:
    return next((s for s in document.get("extra_data", {}).get("exercises", []) if s.get("exercise") == exercise), None)


def first_failure(tests: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((t for t in tests if t.get("status") != "passed"), None)


def syntax_error(path: Path) -> SyntaxError | None:
    """The syntax error of an exercise file, found by compiling it (never running it)."""
    try:
        compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
    except SyntaxError as exc:  # also IndentationError, TabError
        return exc
    except (OSError, ValueError):
        return None
    return None


def print_grading_problem(result: GradeResult) -> None:
    print(red(bilingual(
        f"採点が完了しませんでした (pytest の終了コード {result.returncode})。",
        f"grading did not complete (pytest exit code {result.returncode}).",
    )), file=sys.stderr)
    errors = (result.document or {}).get("extra_data", {}).get("errors", [])
    for err in errors:
        print(err, file=sys.stderr)
    tail = result.output.strip().splitlines()[-30:]
    if tail:
        print("\n".join(tail), file=sys.stderr)


def hint_candidates(ctx: Context, exercise: str) -> list[Path]:
    return [
        ctx.exercise_file(exercise),
        ctx.root / "autograder" / "data" / "stubs" / f"{exercise}.py",
        ctx.root / "solutions" / f"{exercise}.py",
    ]


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
