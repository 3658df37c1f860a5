"""The results of a graded run (part of the pytest plugin, :mod:`autograder.grading.plugin`): which
tests are graded (markers checked, ``--exercise``/``--task``/``--no-hidden`` applied), one
:class:`autograder.results.report.TestResult` per test from its reports, and at the end the results
document (course hooks may change it), the JSON and HTML reports and the score table."""

from __future__ import annotations

import gc
import os
import time
from pathlib import Path

import pytest

from .. import EXERCISES
from ..checks.compare import GradingFailure
from ..checks.misconception import Misconception
from ..core.exercises import resolve as resolve_exercise
from ..core.i18n import bilingual, description
from ..results.report import OUTCOME_LABELS, TestResult, build_results, not_implemented_lines, score_table, withheld_message, write_json
from ..submission.loader import NamespaceSubmission
from .options import RESULTS, SESSION, STATE, SUBMISSION, confinement_label, exercise_of, scratch_folder, task_of
from .pertest import classify

MAX_CAPTURE = 2000


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    if RESULTS not in config.stash:
        return
    problems = []
    for item in items:
        exercise = exercise_of(item)
        task, points = task_of(item)
        if exercise not in EXERCISES or not task or not isinstance(points, int | float) or points <= 0:
            problems.append(f"{item.nodeid}: exercise={exercise!r} task={task!r} points={points!r}")
    given = config.getoption("workbook_exercises")
    exercises = {resolve_exercise(name, tuple(EXERCISES)) for name in given}
    tasks = set(config.getoption("workbook_tasks"))
    unknown = [name for name in given if resolve_exercise(name, tuple(EXERCISES)) is None]
    if unknown:
        _usage_error(config, bilingual(
            f"--exercise の値 {', '.join(map(repr, unknown))} は演習名ではありません: "
            f"{', '.join(EXERCISES)} のどれか (ex3 や 3 でも可)。",
            f"--exercise {', '.join(map(repr, unknown))} is not an exercise: one of {', '.join(EXERCISES)} "
            "(ex3 or 3 also work).",
        ))
    submission = config.stash[SUBMISSION]
    if isinstance(submission, NamespaceSubmission):
        exercises = exercises or {submission.exercise}
    keep, drop = [], []
    for item in items:
        selected = (not exercises or exercise_of(item) in exercises) and (
            not tasks or task_of(item)[0] in tasks) and not (
            config.getoption("workbook_no_hidden") and item.get_closest_marker("hidden"))
        (keep if selected else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
    # Hidden tests run after every visible one (in their order): what the student's code keeps of a hidden
    # test's inputs (a global, a file) cannot reach a visible test's message, output or figure on the
    # student's page (helper-61 F6: a later visible test printed them). The same order in every mode.
    # The report keeps the files' order (its test numbers, 1.1, 1.2, ...: pytest_collection_finish).
    config.stash[STATE]["file_order"] = {item.nodeid: i for i, item in enumerate(keep)}
    items[:] = [item for item in keep if not item.get_closest_marker("hidden")] + \
        [item for item in keep if item.get_closest_marker("hidden")]
    if problems:
        _usage_error(config,
                     "graded tests need pytest.mark.exercise(<one of EXERCISES>) and pytest.mark.task(name, points>0):\n"
                     + "\n".join(problems))


def _usage_error(config: pytest.Config, message: str) -> None:
    """Stop the run as pytest's usage error; the score report says why (:func:`pytest_sessionfinish`)."""
    config.stash[STATE]["usage_error"] = message
    raise pytest.UsageError(message)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Record every selected graded test as "not run" until its reports arrive."""
    config = session.config
    if RESULTS not in config.stash:
        return
    results = config.stash[RESULTS]
    # The imports (torch, NumPy, SciPy, Matplotlib, hypothesis) leave ~250,000 objects that live
    # until the end of the run; keep them out of the collector's passes during the tests and in
    # pytest's own gc.collect() at exit (0.1-0.3 s each on a 2-core machine). Undone at cleanup.
    gc.freeze()
    order = config.stash[STATE].get("file_order", {})  # (not the run's order: hidden tests run last)
    for item in sorted(session.items, key=lambda it: order.get(it.nodeid, len(order))):
        task, points = task_of(item)
        results[item.nodeid] = TestResult(
            nodeid=item.nodeid,
            exercise=exercise_of(item) or "",
            task=task or "",
            name=item.name,
            description=description(getattr(getattr(item, "function", None), "__doc__", None)),
            points=float(points or 0),
            outcome="error",
            output=bilingual("実行されませんでした。", "not run."),
            hidden=item.get_closest_marker("hidden") is not None,
        )


def pytest_deselected(items: list[pytest.Item]) -> None:
    if items:
        state = items[0].config.stash.get(STATE, None)
        if state is not None:
            state["deselected"] += len(items)


def _captured(report: pytest.TestReport) -> str:
    parts = []
    for label, text in (("stdout", report.capstdout), ("stderr", report.capstderr)):
        if text:
            more = bilingual("省略", "truncated", sep=" / ")
            body = text if len(text) <= MAX_CAPTURE else text[:MAX_CAPTURE] + f"\n... ({more})"
            parts.append(f"--- {bilingual(f'出力 ({label})', f'captured {label}', sep=' / ')} ---\n{body}")
    return "\n".join(parts)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if SUBMISSION in item.config.stash and report.sections:  # keep the terminal readable
        report.sections = [(title, text if len(text) <= 20 * MAX_CAPTURE else
                            text[: 20 * MAX_CAPTURE] + "\n... (truncated / 省略)") for title, text in report.sections]
    results = item.config.stash.get(RESULTS, None)
    if results is None or item.nodeid not in results:
        return report
    result: TestResult = results[item.nodeid]
    owns = item.config.stash[SUBMISSION].owns
    if report.when == "setup":
        if report.skipped:
            result.outcome, result.output = "skipped", bilingual("スキップされました。", "skipped.")
        elif report.failed:
            outcome, text = classify(call.excinfo, owns) if call.excinfo else ("error", "")
            result.outcome = outcome if outcome != "failed" else "error"
            result.output = text
    elif report.when == "call":
        if report.passed:
            result.outcome, result.output = "passed", ""
        elif report.skipped:
            result.outcome, result.output = "skipped", bilingual("スキップされました (0 点)。", "skipped (0 points).")
        else:
            result.outcome, result.output = classify(call.excinfo, owns) if call.excinfo else ("failed", "")
            found = getattr(call.excinfo.value, "misconception", None) if call.excinfo else None
            if result.outcome == "failed" and isinstance(found, Misconception):
                result.misconception = found.record()
            if result.outcome != "failed" or isinstance(call.excinfo.value, GradingFailure) or \
                    item.config.option.tbstyle == "auto":
                # the terminal shows the student the same bilingual message as the report
                report.longrepr = f"[{result.exercise} › {result.task}] {_outcome_and_points(result)}\n{result.output}"
            captured = _captured(report)
            if captured:
                result.output += "\n" + captured
    elif report.when == "teardown" and report.failed and result.outcome == "passed":
        result.outcome = "error"
        result.output = bilingual("後片付け (teardown) でエラーが発生しました。", "an error occurred in teardown.")
    if result.hidden and item.config.stash[STATE]["audience"] == "student":
        _withhold(report, result)
    return report


def _withhold(report: pytest.TestReport, result: TestResult) -> None:
    """A hidden test's terminal report as a student sees it: name, points and pass/fail only.

    The failure text (inputs, expected values, hypothesis' falsifying example) and the captured
    output are dropped from what pytest prints and from pytest-json-report's raw report.
    """
    report.sections = []
    if report.failed:
        report.longrepr = (f"[{result.exercise} › {result.task}] {_outcome_and_points(result)}\n"
                           f"{withheld_message()}")


def _outcome_and_points(result: TestResult) -> str:
    """``"不合格 (1 点) / failed (1 point)"``: the outcome and what the test costs, on the first line of
    its terminal report, in the language in force."""
    ja, en = OUTCOME_LABELS.get(result.outcome, (result.outcome, result.outcome))
    points = f"{result.points:g}"
    return bilingual(f"{ja} ({points} 点)", f"{en} ({points} point{'' if result.points == 1 else 's'})", sep=" / ")


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector):
    # collection errors are problems of the graded tests themselves; keep them for the report
    report = yield
    state = collector.config.stash.get(STATE, None)
    if state is not None and isinstance(collector, pytest.Module):
        state["test_modules"].add(collector.path)  # for the digest of the graded tests
    if state is not None and report.failed:
        state["errors"].append(f"collection error in {report.nodeid}: {str(report.longrepr)[:1500]}")
    return report


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    if STATE not in config.stash:
        return
    config.stash[SESSION] = session
    state = config.stash[STATE]
    if session.exitstatus == pytest.ExitCode.USAGE_ERROR:
        # pytest prints the error; the report says why, with no test in it (not a score of 0 per exercise)
        write_json(state["score_path"], build_results(
            [], target=str(state["target_label"]), execution_time=time.monotonic() - state["start"],
            errors=[state.get("usage_error") or bilingual("採点を始められませんでした (上のエラーを参照)。",
                                                         "grading could not start (see the error above).")],
            exit_status=int(session.exitstatus),
            mode="isolated" if config.getoption("workbook_isolated") else "local",
            confinement=confinement_label(config)))
        return
    results = list(config.stash[RESULTS].values())
    errors = list(state["errors"])
    submission = config.stash[SUBMISSION]
    # a forbidden call seen at run time fails every test of its task, as the static scan does:
    # also the tests of that task that ran (and passed) before the call was seen
    violations = state.get("violations", {})
    for result in results:
        message = violations.get((result.exercise, result.task))
        if message is not None and result.outcome not in ("forbidden_call", "import_error"):
            result.outcome, result.output = "forbidden_call", message
    for name in EXERCISES:
        error = getattr(submission, "load_error", lambda n: None)(name)
        if error:
            errors.append(f"{name}: {error}")
        # a notebook's cells that raised: the other cells ran and were graded (.submission.notebookcells)
        errors.extend(f"{name}: {e}" for e in getattr(submission, "cell_errors", lambda n: ())(name))
    graded = {r.exercise for r in results}
    has_file = getattr(submission, "has_file", None)
    missing = [name for name in EXERCISES if name in graded and has_file is not None and not has_file(name)]
    if session.exitstatus == pytest.ExitCode.INTERRUPTED:
        errors.append(bilingual(
            "採点が途中で中断されました。実行されなかったテストは 0 点です。",
            "grading was interrupted; tests that did not run score 0.",
        ))
    if not results:
        errors.append(bilingual(
            "採点するテストが 1 つも選ばれませんでした。テストのパス、-k、--exercise、--task を確認してください。",
            "no graded tests were selected: check the test paths, -k, --exercise and --task "
            "(task names: see the score table or tests/*.py).",
        ))
        if session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.NO_TESTS_COLLECTED
    partial = bool(state["deselected"]) or {r.exercise for r in results} != set(EXERCISES)
    document = build_results(
        results,
        target=str(state["target_label"]),
        execution_time=time.monotonic() - state["start"],
        errors=errors,
        exit_status=int(session.exitstatus),
        partial=partial,
        mode="isolated" if config.getoption("workbook_isolated") else "local",
        confinement=confinement_label(config),
        grader_digest=_grader_digest(config, state),
        audience=state["audience"],
        hidden_visibility=state["hidden_visibility"],
        missing=missing,
    )
    state["graded_score"] = document["score"]
    config.hook.pytest_workbook_results(results=document, config=config)  # course plugins may change it
    write_json(state["score_path"], document)
    state["document"] = document
    if state.get("html_path") is not None:
        here = os.getcwd()
        try:  # the report draws the student's figures: their relative writes go to the scratch folder
            os.chdir(scratch_folder(config))
            _write_html(state, document, submission, config)
        finally:
            os.chdir(here)


def _grader_digest(config: pytest.Config, state: dict) -> dict:
    """``extra_data.grader_digest`` (:mod:`autograder.results.digest`); a failure is recorded, never fatal."""
    from ..results.digest import report_field

    try:
        return report_field(config, sorted(state["test_modules"]))
    except Exception as exc:  # noqa: BLE001 - the score report is written regardless
        return {"status": "no_digest", "error": f"{type(exc).__name__}: {exc}"}


def _write_html(state: dict, document: dict, submission, config: pytest.Config) -> None:
    """Write the HTML report; a failure here is reported, never fatal to the score report."""
    from ..results.htmlreport import write_html

    try:
        write_html(state["html_path"], document, submission=submission, reference=config.rootpath / "solutions",
                   audience=state["audience"])
    except Exception as exc:  # noqa: BLE001 - the JSON report is already written
        state["html_error"] = f"HTML report not written: {type(exc).__name__}: {exc}"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config):
    """A task not implemented yet is one line of the workbook summary (:func:`_terminal_summary`),
    not a FAILURES block per test: its tests' reports are kept out of pytest's own summary
    sections while they are printed (the counts, the exit code and the JSON reports keep them)."""
    results = config.stash.get(RESULTS, None)
    failed = terminalreporter.stats.get("failed", [])
    unimplemented = [r for r in failed if results is not None and getattr(r, "nodeid", None) in results
                     and results[r.nodeid].outcome == "not_implemented"]
    if unimplemented:
        terminalreporter.stats["failed"] = [r for r in failed if r not in unimplemented]
    try:
        result = yield
        _terminal_summary(terminalreporter, exitstatus, config)
        return result
    finally:
        if unimplemented:
            terminalreporter.stats["failed"] = failed


def _terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if STATE not in config.stash or exitstatus == pytest.ExitCode.USAGE_ERROR:
        return
    state = config.stash[STATE]
    results = list(config.stash[RESULTS].values())
    tr = terminalreporter
    tr.section(bilingual("採点結果", "workbook score", sep=" / "), sep="=", bold=True)
    todo = not_implemented_lines(results)
    if todo:
        tr.write_line(bilingual("まだ実装していない課題 (テストごとの結果は JSON レポートにあります):",
                                "tasks not implemented yet (every test's result is in the JSON report):", sep=" / "))
        for line in todo:
            tr.write_line(line, yellow=True)
        tr.write_line("")
    document = state.get("document") or {}
    partial = document.get("extra_data", {}).get("partial", False)
    mode = "isolated" if config.getoption("workbook_isolated") else "local"
    for line in score_table(results, str(state["target_label"]), partial=partial, mode=mode).splitlines():
        tr.write_line(line)
    if document and state.get("graded_score") is not None and document.get("score") != state["graded_score"]:
        before, after = state["graded_score"], document.get("score")
        tr.write_line(bilingual(f"コースのフック (pytest_workbook_results) で得点が {before:g} から {after:g} に変わりました",
                                f"the course's hook (pytest_workbook_results) changed the score from {before:g} to {after:g}",
                                sep=" / "), yellow=True)
    for err in document.get("extra_data", {}).get("errors", []):
        tr.write_line(err, red=True)
    try:
        shown = state["score_path"].relative_to(Path.cwd())
    except ValueError:
        shown = state["score_path"]
    tr.write_line(f"{bilingual('採点レポート (JSON)', 'JSON score report', sep=' / ')}: {shown}")
    if state.get("html_path") is not None:
        if state.get("html_error"):
            tr.write_line(state["html_error"], red=True)
        else:
            tr.write_line(f"{bilingual('HTML レポート', 'HTML report', sep=' / ')}: {_shown(state['html_path'])}")


def _shown(path: Path) -> Path:
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path
