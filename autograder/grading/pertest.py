"""One graded test (part of the pytest plugin, :mod:`autograder.grading.plugin`): its "from
scratch" rules (static scan and run-time check), its time limit, the process state and working
folder it leaves as it found them, and what a student reads when it fails (the failure classified:
not implemented, forbidden call, time-out, an exception with the call that raised it...)."""

from __future__ import annotations

import ast
import linecache
import os
import re
import sys
import traceback
from pathlib import Path
from typing import Any

import pytest

from ..checks.compare import GradingFailure, convention_of
from ..checks.hits import LOST
from ..submission.processes import started_earlier
from ..checks.rules import ForbiddenCall, Violation, catalogue_key, find_tampering, find_violations, rules_for, tamper_message
from ..core.given import forget
from ..core.i18n import bilingual
from ..submission.guard import (Deadline, GlobalState, OtherThreadsClock, WallLimit, WorkbookTimeout, safe_str,
                                unchanged, wall_backstop)
from ..submission.limits import MessageTooSlow, restore_wall, type_name
from ..submission.loader import ExerciseUnavailable, failed_call
from .options import STATE, SUBMISSION, exercise_of, scratch_folder, task_of, time_limit

MAX_FAILURE_MESSAGE = 12000  # a grader's failure message: 2 languages x (call + 2 values of <= 600 chars)


class Classified(GradingFailure):
    """A test's failure, already classified; raised without the student's (possibly huge) traceback."""

    def __init__(self, outcome: str, text: str) -> None:
        super().__init__(text)
        self.outcome = outcome


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    config = item.config
    if SUBMISSION not in config.stash:
        return (yield)
    exercise = exercise_of(item)
    task, _ = task_of(item)
    submission = config.stash[SUBMISSION]
    rules = rules_for(exercise, task) if exercise and task else []
    state = GlobalState()  # whatever the student's code changes is undone after the test
    tests_before = _test_globals(item)  # and the graded tests' own names (see _changed_tests)
    begin_test = getattr(submission, "begin_test", None)
    if begin_test is not None:  # isolated mode: the worker's CPU time counts against the limit
        begin_test(hidden=item.get_closest_marker("hidden") is not None)
    here = os.getcwd()
    try:
        if rules and "tampering" not in config.stash[STATE]:  # the grader's own scan of the whole
            scan_for_tampering(config, submission)  # submission, before the first rule-bound test's limit
        # files the student's code writes with relative paths (savefig("x.png")) land in a
        # throwaway folder, never in the checkout (isolated mode: the worker's scratch space)
        os.chdir(scratch_folder(config))
        # isolated mode: the worker's every thread and process; local mode: the submission's threads
        with Deadline(time_limit(config), extra_cpu=getattr(submission, "cpu_seconds", None) or OtherThreadsClock(),
                      extra_wait=getattr(submission, "run_delay_seconds", None)):
            if not rules:
                result = yield
                _changed_tests(tests_before)
                return result
            _check_rules_statically(config, submission, exercise, task, rules)
            violations = config.stash[STATE].setdefault("violations", {})
            if (exercise, task) in violations:  # seen at run time in an earlier test of this task
                raise ForbiddenCall(violations[(exercise, task)])
            # a process the submission started earlier (another task's test, import) and that still
            # runs could do this task's work where no hook sees it (submission.processes)
            early = started_earlier(submission.running_processes())
            submission.start_rule_check(catalogue_key(exercise, task))
            try:
                result = yield
            except BaseException:
                hits, _ = _split_lost(early + submission.stop_rule_check())
                if hits:  # a hook lost to the test's own exception: that failure stands
                    violations[(exercise, task)] = _hits_message(hits, submission, exercise, task)
                    raise ForbiddenCall(violations[(exercise, task)]) from None
                raise
            hits, lost = _split_lost(early + submission.stop_rule_check())
            if hits:
                violations[(exercise, task)] = _hits_message(hits, submission, exercise, task)
                raise ForbiddenCall(violations[(exercise, task)])
            if lost:  # this test only: what ran unwatched is unknown (:data:`autograder.checks.hits.LOST`)
                raise Classified("failed", lost[0].message())
            _changed_tests(tests_before)
            return result
    except KeyboardInterrupt:
        raise
    except GradingFailure:
        raise
    except BaseException as exc:  # noqa: BLE001 - classify here, drop the student's deep traceback
        outcome, text = _bounded_classification(exc, submission, time_limit(config))
        raise Classified(outcome, text) from None
    finally:
        try:
            os.chdir(here)
        except OSError:
            pass
        state.restore()
        _restore_tests(tests_before)
        forget()  # the copies the test's calls got (core.given)
        end_test = getattr(submission, "end_test", None)
        if end_test is not None:  # isolated mode: the worker restores its own process state
            end_test()


#: The grader's modules a graded test's verdict is made with (what the tests import, and what that uses).
JUDGING_MODULES = ("autograder.compare", "autograder.checks.compare", "autograder.checks.failure",
                   "autograder.checks.misconception", "autograder.core.given", "autograder.ownvalues",
                   "autograder.checks.ownvalues", "autograder.portable", "autograder.checks.portable")


def _test_globals(item: pytest.Item) -> list[tuple[dict, dict]]:
    """The namespaces of the graded tests' modules and of :data:`JUDGING_MODULES`, each with a copy
    (taken before a test runs)."""
    state = item.config.stash[STATE]
    modules = state.get("test_namespaces")
    if modules is None:
        seen: dict[int, dict] = {}
        for other in item.session.items:
            module = getattr(other, "module", None)
            if module is not None:
                seen.setdefault(id(module), vars(module))
        for name in JUDGING_MODULES:
            module = sys.modules.get(name)
            if module is not None:
                seen.setdefault(id(module), vars(module))
        modules = state["test_namespaces"] = list(seen.values())
    return [(namespace, dict(namespace)) for namespace in modules]


def _changed(namespace: dict, saved: dict) -> list[str]:
    if len(namespace) == len(saved) and unchanged(namespace, saved):
        return []  # the usual case
    names = {k for k in saved if namespace.get(k, _MISSING) is not saved[k]} | (namespace.keys() - saved.keys())
    if type(namespace.get(_WARNING_REGISTRY)) is dict:
        # Python's warnings add it to the globals of the frame a warning is charged to: a test's own
        # call (NumPy warning about a tensor the test's callback converts) in local mode, in the
        # worker's copy of the test function in isolated mode (red team round 8: 19 vs 20)
        names.discard(_WARNING_REGISTRY)
    return sorted(names)


_WARNING_REGISTRY = "__warningregistry__"


def _changed_tests(before: list[tuple[dict, dict]]) -> None:
    """Fail the test when a name of a graded test module (or of the grader's modules that judge it)
    was rebound while it ran: only the submission can have done it (a function the test passes in
    exposes its module's globals: a gradient_descent replaced every check_* of the test with a
    no-op, 7/20 for a stub in local mode; red team round 5). The names are put back after the test
    (:func:`_restore_tests`)."""
    for namespace, saved in before:
        names = _changed(namespace, saved)
        if names:
            shown = ", ".join(names[:5])
            raise Classified("failed", bilingual(
                f"提出コードが採点テストのモジュールの名前 ({shown}) を書き換えました。このテストは 0 点です。",
                f"the submission rebound names of a graded test module ({shown}); this test scores 0."))


def _restore_tests(before: list[tuple[dict, dict]]) -> None:
    for namespace, saved in before:
        if _changed(namespace, saved):
            for key in namespace.keys() - saved.keys():
                namespace.pop(key, None)
            namespace.update(saved)


_MISSING = object()


def _check_rules_statically(config: pytest.Config, submission, exercise: str, task: str, rules: list) -> None:
    """The static scan of a rule-bound test: exactly the text that runs, or the test fails.

    The exercise is loaded first (an import error is reported as such), so the scan reads the text
    that was executed. When that text cannot be read, the task fails with a message: the grader
    never skips its rules silently. Code anywhere in the submission that could turn off the
    run-time check fails every rule-bound task (:func:`autograder.checks.rules.find_tampering`).
    """
    submission.module(exercise)
    source = submission.source(exercise)
    if source is None:
        raise ForbiddenCall(bilingual(
            f"{exercise}.py の実行されたコードを採点器が読めないため、「自分で実装」のルールを確認できません"
            f"(ファイルが読み込み後に変わった、読めないリンク、など)。この課題は 0 点です。",
            f"the grader cannot read the code of {exercise}.py that ran (the file changed after it was "
            f"loaded, a link it cannot follow...), so this task's \"from scratch\" rules cannot be "
            f"checked; it scores 0.",
        ))
    state = config.stash[STATE]
    if not state.get("tampering_rescanned"):  # once, after the first rule-bound exercise's import
        state["tampering_rescanned"] = True
        scan_for_tampering(config, submission)
    if state["tampering"]:
        raise ForbiddenCall(state["tampering"] if isinstance(state["tampering"], str)
                            else tamper_message(state["tampering"]))
    # the same text (what ran, read once) and the same rules for every test of the task: scanned once
    scanned = state.setdefault("static", {})
    if (exercise, task, source) not in scanned:
        read = getattr(submission, "module_source", None)
        found = [v for rule in rules for v in find_violations(source, rule, read)]
        scanned[(exercise, task, source)] = "\n".join(dict.fromkeys(
            v.message(f"{exercise}.py") + _call_note(submission, exercise, task, v.file or f"{exercise}.py", v.line, source)
            for v in found))
    if scanned[(exercise, task, source)]:
        raise ForbiddenCall(scanned[(exercise, task, source)])


#: Most characters of Python code the scan for tampering reads in one submission (~2 s a megabyte).
MAX_SCANNED_CHARS = 8 * 1024 * 1024


def scan_for_tampering(config: pytest.Config, submission) -> None:
    """Scan every Python file of the submission for code that could turn off the run-time check
    (:func:`autograder.checks.rules.find_tampering`) into ``state["tampering"]``: the violations, or
    a message when the files hold more than :data:`MAX_SCANNED_CHARS` of code (not scanned: the
    rule-bound tasks fail with it). A file is scanned again only when its text changed.

    Called before the first rule-bound test's time limit starts, where the whole scan is the
    grader's work, not the student's (red team round 10: 182 modules of 500 kB took ~1.1 s each to
    scan inside that test's limit, the scan was cut off and begun again in every such test, and a
    correct submission scored 0 with "look for an endless loop"); and once more after that test's
    exercise was imported (inside the limit: only what its import changed is scanned), so a file
    rewritten at import is read as it is then, as before.
    """
    state = config.stash[STATE]
    files = getattr(submission, "python_files", lambda: {})()
    size = sum(len(text) for text in files.values())
    if size > MAX_SCANNED_CHARS:
        state["tampering"] = bilingual(
            f"提出物の Python コードが {size / 2**20:.1f} MB あり、採点器が「自分で実装」のルールを確認できる量 "
            f"({MAX_SCANNED_CHARS >> 20} MB) を超えます。使わないファイル (ライブラリのコピーなど) を除いてください。"
            f"ルールのある課題は 0 点です。",
            f"the submission holds {size / 2**20:.1f} MB of Python code, more than the grader checks for the "
            f"\"from scratch\" rules ({MAX_SCANNED_CHARS >> 20} MB): leave out files it does not use (copies of "
            f"libraries...). Tasks with rules score 0.")
        return
    scanned: dict = state.setdefault("tampering_scanned", {})  # path -> (the text scanned, its violations)
    for path, text in files.items():
        if path not in scanned or scanned[path][0] != text:
            scanned[path] = (text, [Violation(v.name, v.line, path) for v in find_tampering(text)])
    state["tampering"] = [v for path in sorted(scanned) if path in files for v in scanned[path][1]]


def _split_lost(hits: list) -> tuple[list, list]:
    """(violations, hooks Python removed) of the run-time check's hits."""
    return [h for h in hits if h.kind != LOST], [h for h in hits if h.kind == LOST]


def _hits_message(hits: list, submission: Any = None, exercise: str = "", task: str = "") -> str:
    """One bilingual message for what the run-time check saw: each call once, with all its lines
    (the first five calls); a line inside another function than the task's says so (newcomer
    helper: ``analogy`` lost its points for a call in ``cosine_similarity``, which it calls, and the
    message named only the line)."""
    lines: dict[tuple, list[int]] = {}
    for hit in hits:
        lines.setdefault((hit.kind, hit.name, hit.file), []).append(hit.line)
    first = {key: next(h for h in hits if (h.kind, h.name, h.file) == key) for key in lines}
    messages = [first[key].message(sorted(set(found)))
                + (_call_note(submission, exercise, task, key[2], min(found)) if submission is not None else "")
                for key, found in lines.items()]
    more = len(messages) - 5
    if more <= 0:
        return "\n".join(messages)
    return "\n".join(messages[:5]) + f"\n(ほかに {more} 件の違反があります / and {more} more violation{'s' * (more > 1)})"


def _call_note(submission: Any, exercise: str, task: str, file: str, line: int, exercise_text: str | None = None) -> str:
    """A line saying that a forbidden call at ``line`` of ``file`` is in another function than the
    task's, which the task reaches (newcomer helper: ``analogy`` lost its points for a call in
    ``cosine_similarity`` and the message named only the line); "" when the call is in the task's own
    function, when that is unknown, or when the task is not a function of the exercise (a task named for
    what it checks, such as ``validates_covariance``)."""
    def functions(text: str | None) -> list[ast.AST]:
        try:
            return [n for n in ast.walk(ast.parse(text or "")) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        except (SyntaxError, ValueError):
            return []

    try:
        own = functions(submission.source(exercise) if exercise_text is None else exercise_text)
        if not any(n.name == task for n in own):
            return ""
        if file == f"{exercise}.py":
            found = own
        elif file.endswith(".py") and submission is not None:
            module = file[:-3].replace("/", ".")
            found = functions(submission.module_source(module[:-9] if module.endswith(".__init__") else module))
        else:
            return ""
    except Exception:  # noqa: BLE001 - only a better message is lost
        return ""
    holding = [n for n in found if n.lineno <= line <= (n.end_lineno or 0)]
    func = max(holding, key=lambda n: n.lineno).name if holding else None
    if func is None or func == task:
        return ""
    return "\n" + bilingual(
        f"  ({file} の {line} 行目は {func} の中です。{task} がそれを呼ぶため、{task} の規則がそこにも適用されます)",
        f"  (line {line} of {file} is in {func}, which {task} calls: {task}'s rules apply there too)")


def pytest_runtest_teardown(item: pytest.Item) -> None:
    import sys

    if SUBMISSION in item.config.stash and "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


def _bounded_classification(exc: BaseException, submission: Any, limit: float) -> tuple[str, str]:
    """(outcome, message) of an exception that ended a graded test, made within :func:`restore_wall`
    seconds: the message reads the student's exception (``str()``, attributes), code that runs after
    the test's own limit (red team round 10: a spinning ``__str__`` held the run until pytest-timeout
    ended it, with no report)."""
    try:
        with WallLimit(restore_wall(limit), MessageTooSlow):
            if type(exc).__name__ == "Exit":  # pytest.exit() called by the student's code
                return "failed", bilingual(
                    f"提出コードが pytest.exit を呼びました: {safe_str(exc)}",
                    f"the submission called pytest.exit: {safe_str(exc)}",
                )
            if type(exc).__name__ == "Skipped":
                return "failed", bilingual(
                    f"提出コードが pytest.skip を呼びました (0 点): {safe_str(exc)}",
                    f"the submission called pytest.skip (0 points): {safe_str(exc)}",
                )
            return _classify_exception(exc, exc.__traceback__, submission.owns, limit)
    except MessageTooSlow:
        name = type_name(exc)
        wall = f"{restore_wall(limit):g}"
        return "failed", bilingual(
            f"例外 {name} が発生しましたが、そのメッセージ (__str__ など) が {wall} 秒以内に作れませんでした。",
            f"{name} was raised, but its message (__str__...) could not be made within {wall} s.",
        )




def classify(excinfo: pytest.ExceptionInfo, owns) -> tuple[str, str]:
    if isinstance(excinfo.value, Classified):
        return excinfo.value.outcome, str(excinfo.value)
    return _classify_exception(excinfo.value, excinfo.tb, owns, None)


def _classify_exception(exc: BaseException, tb, owns, limit: float | None) -> tuple[str, str]:
    """(outcome, bilingual message) for an exception raised while a graded test ran."""
    if isinstance(exc, ExerciseUnavailable):
        return "import_error", str(exc)
    if isinstance(exc, ForbiddenCall):
        return "forbidden_call", str(exc)
    frames = [f for f in traceback.extract_tb(tb) if owns(f.filename)]
    where = f" ({Path(frames[-1].filename).name}, line {frames[-1].lineno}, in {frames[-1].name})" if frames else ""
    located = getattr(exc, "worker_where", None)  # a time-out in the isolated worker: where its code was
    if not where and isinstance(located, tuple) and len(located) == 3:
        where = f" ({located[0]}, line {located[1]}, in {located[2]})"
    text = safe_str(exc)
    if isinstance(exc, NotImplementedError) and not text:
        func = frames[-1].name if frames else "?"
        return "not_implemented", bilingual(f"未実装です: {func}", f"not implemented: {func}")
    if isinstance(exc, GradingFailure):
        # the grader's own message (call, expected, actual, errors, tolerance, in both languages):
        # each value in it is already shortened, so it is kept whole
        return "failed", safe_str(exc, limit=MAX_FAILURE_MESSAGE)
    if isinstance(exc, WorkbookTimeout) or (type(exc).__name__ == "Failed" and text.startswith("Timeout (>")):
        shown = f"{limit:g}" if limit else re.sub(r"[^0-9.]", "", text.split("s)")[0]) or "?"
        if "wall-clock" in text:
            wall = f"{wall_backstop(float(shown)):g}" if shown != "?" else "?"
            return "timeout", bilingual(
                f"時間切れです (待ち時間の上限 {wall} 秒){where}。CPU をほとんど使わずに待ち続けています "
                f"(sleep、input、ロック、終わらない子プロセスなど)。",
                f"timed out (wall-clock backstop {wall} s){where}: the code kept waiting without using the "
                f"CPU (sleep, input, a lock, a child process that never ends...).",
            )
        return "timeout", bilingual(
            f"時間切れです (制限 CPU 時間 {shown} 秒){where}。無限ループや非常に遅い処理がないか確認してください。",
            f"timed out (limit {shown} s of CPU time){where}. Look for an endless loop or very slow code.",
        )
    return "failed", _exception_message(exc, tb, owns, frames, text)


def _exception_message(exc: BaseException, tb, owns, frames: list, text: str) -> str:
    """What a student reads when their code raised: the call (with its arguments' shapes and
    dtypes) or the test line that made it, the exception, the student's file and line, and the
    convention the test depends on if it names one (:class:`autograder.compare.convention`).

    The same in local and isolated mode: the call is recorded where the test makes it
    (:class:`autograder.submission.loader.RecordedCall`), and the student's frames of a worker travel with
    the exception (``remote_frames``).
    """
    name = type(exc).__name__
    where_ja = where_en = ""
    if frames:
        last = frames[-1]
        where_ja = f" ({Path(last.filename).name} の {last.lineno} 行目、{last.name} の中)"
        where_en = f" ({Path(last.filename).name}, line {last.lineno}, in {last.name})"
    conv_ja, conv_en = (f"\n{line}" for line in convention_of(exc) or ("", ""))
    call = failed_call(exc)
    if call is not None:
        return bilingual(f"{call} を呼ぶと例外が発生しました: {name}: {text}{where_ja}{conv_ja}",
                         f"{call} raised {name}: {text}{where_en}{conv_en}")
    remote = [f for f in getattr(exc, "remote_frames", None) or [] if len(f) == 3]
    entry = str(remote[0][2]) if remote else frames[0].name if frames else None
    test = _test_frame(tb, owns)
    code = _expression(test) if test is not None else ""
    line_ja = line_en = ""
    if code:
        line_ja = f"\n  テストの呼び出し: {code} ({Path(test.filename).name} の {test.lineno} 行目)"
        line_en = f"\n  the test's call: {code} ({Path(test.filename).name}, line {test.lineno})"
    if entry is not None:
        return bilingual(f"{entry} の実行中に例外が発生しました: {name}: {text}{where_ja}{line_ja}{conv_ja}",
                         f"{entry} raised {name}: {text}{where_en}{line_en}{conv_en}")
    return bilingual(f"例外が発生しました: {name}: {text}{line_ja}{conv_ja}",
                     f"an exception was raised: {name}: {text}{line_en}{conv_en}")


def _expression(frame: traceback.FrameSummary) -> str:
    """The expression a traceback frame was running (``net.forward(X.copy())``), on one line."""
    last = frame.end_lineno or frame.lineno
    if frame.lineno is None or last - frame.lineno > 10:
        return (frame.line or "").strip()
    lines = [linecache.getline(frame.filename, n).encode("utf-8") for n in range(frame.lineno, last + 1)]
    if frame.colno is not None and frame.end_colno is not None:
        lines[-1] = lines[-1][: frame.end_colno]
        lines[0] = lines[0][frame.colno:]
    code = " ".join(b.decode("utf-8", "replace").strip() for b in lines).strip()
    return code if len(code) <= 200 else code[:197].rsplit(" ", 1)[0] + " ..."


def _test_frame(tb, owns) -> traceback.FrameSummary | None:
    """The graded test's line that called into the submission (or raised itself): the last frame of
    a ``test_*.py`` file before the first frame of the submission."""
    found = None
    for frame in traceback.extract_tb(tb):
        if owns(frame.filename):
            break
        if Path(frame.filename).name.startswith("test_"):
            found = frame
    return found
