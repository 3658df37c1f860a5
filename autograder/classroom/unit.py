"""The unit of grading work: (submission content, settings) in, (results document, log, page) out.

:func:`grade` is pure in the sense that matters to an executor: it takes a
:class:`~autograder.classroom.content.SubmissionContent` (the files themselves, read by the
coordinator) and :class:`Settings`, grades them in isolated mode in a private temporary folder that
it removes, and returns a :class:`Graded` holding everything the coordinator will write: the
results document, the raw pytest-json-report, the pytest log and, when asked, the student's HTML
page. It writes nothing anywhere else, reads nothing of the coordinator's disk, and never raises:
whatever goes wrong becomes an error document. The batch's local process pool calls it
(:func:`autograder.classroom.batch.run_batch`); any other executor that can call a Python function
with picklable arguments on a machine with the workbook installed can too.

A process that calls :func:`grade` for many submissions is set up once with
:func:`warm_grader_process` (the batch's pool processes, and the warm grading interpreters of the
Dask executor). An executor must not call it from a process that does other work at the same time
(a Dask worker runs tasks in threads; pytest and the redirection of output are per process): the
Dask executor calls :func:`autograder.classroom.cluster.grade_in_warm_interpreter`, which hands
the submission to ``python -m autograder.classroom.cluster``, a grading interpreter kept per
worker thread.

Paths of the temporary folder never reach the outputs: they are replaced by the submission's path
as handed in (:attr:`SubmissionContent.origin`).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.exercises import total_points
from ..results.report import build_results
from .content import SubmissionContent, materialise
from .intake import Job, both_languages, prepare

#: Most characters of the pytest log kept (its end).
MAX_LOG_CHARS = 200_000
#: How the outputs name the score report and pytest's raw report the unit wrote in its temporary
#: folder (gone when it returns); the coordinator puts where it writes them instead (batch.store).
SCORE_REPORT = "<score report>"
PYTEST_REPORT = "<pytest report>"
#: The end of a path of the isolated worker's copy of the submission (``submission.isolated``:
#: ``<tmp>/workbook-iso-XXXX/submission``); the path starts after the last blank, quote or bracket
#: before it.
_ISOLATED_COPY = re.compile(r"/workbook-iso-[A-Za-z0-9_]+/submission")
_PATH_STOP = frozenset(" \t\n\r\f\v'\"`()<>[]{},;=")


def replace_isolated_copies(text: str, target: str) -> str:
    """``text`` with every path of the isolated worker's copy of the submission replaced by ``target``.

    Linear in ``len(text)``: the search starts from the fixed part of the path and walks back to
    where the path begins. (A pattern starting with ``[^\\s'"]*`` was quadratic on long runs without
    blanks, such as the base64 figures of an HTML page: minutes per student with ``--pages``.)
    """
    parts, done = [], 0
    for match in _ISOLATED_COPY.finditer(text):
        start = match.start()
        while start > done and text[start - 1] not in _PATH_STOP:
            start -= 1
        parts += [text[done:start], target]
        done = match.end()
    return "".join(parts) + text[done:]


@dataclass(frozen=True)
class Settings:
    """How every submission of a batch is graded (picklable).

    Attributes:
        timeout: per-test time limit in seconds (``--workbook-timeout``).
        extra_args: more pytest arguments (``("--exercise", "ex1_vectors")``, ``("-p", "late_penalty")``).
        pages: also render the student's HTML page (figures drawn in a new sandboxed worker; about
            5 s more per student).
    """

    timeout: float = 10.0
    extra_args: tuple[str, ...] = ()
    pages: bool = False


@dataclass
class Graded:
    """What grading one submission produced (the coordinator writes it; see :func:`grade`).

    Attributes:
        status: ``"graded"`` (pytest ran and reported) or ``"error"`` (the submission could not be
            read, or grading did not complete).
        results: the results document (Gradescope ``results.json`` format, ``extra_data.batch``
            filled in), always present.
        log: the end of the pytest log (at most :data:`MAX_LOG_CHARS` characters).
        pytest_report: the raw pytest-json-report as JSON text, or ``None`` when pytest wrote none.
        page: the student's HTML page (student audience), or ``None`` (not asked for, or it could
            not be made: the log then says why).
        seconds: wall-clock time the grading took.
    """

    status: str
    results: dict[str, Any]
    log: str = ""
    pytest_report: str | None = None
    page: str | None = None
    seconds: float = 0.0


def error_document(target: str, message: str, batch_info: dict | None = None) -> dict[str, Any]:
    """The results document of a submission that could not be graded (every exercise 0, ``message`` its error)."""
    doc = build_results([], target=target, execution_time=0.0, errors=[message], exit_status=4, mode="isolated")
    doc["max_score"] = total_points()
    if batch_info is not None:
        doc["extra_data"]["batch"] = batch_info
    return doc


class _Closer:
    """pytest plugin: stop the isolated worker and delete its copies when a run ends."""

    def pytest_unconfigure(self, config: Any) -> None:
        from ..grading.plugin import graded_submission

        submission = graded_submission(config)
        if submission is not None and hasattr(submission, "close"):
            submission.close()


def grade(content: SubmissionContent, settings: Settings) -> Graded:
    """Grade one submission in isolated mode (never raises; writes only to its own temporary folder).

    Args:
        content: the submission's files (:func:`autograder.classroom.content.read_submission`).
        settings: the batch's settings.

    Returns:
        A :class:`Graded`; its ``results`` name the submission by ``content.origin``.
    """
    start = time.monotonic()
    batch_info = {"student": content.student, "submission": content.origin, "kind": content.kind,
                  "fingerprint": content.fingerprint, "timeout": settings.timeout,
                  "pytest_args": list(settings.extra_args)}

    def failed(message: str, log: str = "") -> Graded:
        return Graded("error", error_document(content.origin, message, batch_info), log=log,
                      seconds=round(time.monotonic() - start, 3))

    if content.problem:
        return failed(content.problem)
    scratch = Path(tempfile.mkdtemp(prefix="workbook-unit-"))
    given, staging = scratch / "submission", scratch / "staging"
    try:
        try:
            materialise(content, given)
            staging.mkdir()
            prepared = prepare(Job(content.student, "dir", given, label=content.shown), staging)
            prepared.notes[:0] = content.notes  # data files left out when it was read
        except (ValueError, OSError) as exc:
            message = str(exc) if isinstance(exc, ValueError) else both_languages(
                f"{content.shown} を読めませんでした ({exc.strerror or exc})",
                f"could not read the submission {content.shown} ({exc.strerror or exc})")
            return failed(_unlocate(message, prepared=None, given=given, origin=content.origin))
        graded, reported = _run_pytest(content, settings, prepared, scratch, batch_info)
        reports = {str(scratch / "report.json"): SCORE_REPORT, str(scratch / "report.pytest-report.json"): PYTEST_REPORT}
        unlocate = lambda text: _unlocate(text, prepared=prepared, given=given, origin=content.origin,  # noqa: E731
                                          reports=reports)
        graded.log = unlocate(graded.log)
        graded.results = _replace_text(graded.results, unlocate)
        if graded.pytest_report is not None:
            graded.pytest_report = unlocate(graded.pytest_report)
        if settings.pages and reported:
            page = _page(graded.results, prepared.target, graded)
            graded.page = None if page is None else unlocate(page)
        graded.seconds = round(time.monotonic() - start, 3)
        return graded
    except Exception as exc:  # noqa: BLE001 - a grader failure costs only this student
        return failed(f"grading failed: {exc!r}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _run_pytest(content: SubmissionContent, settings: Settings, prepared: Any, scratch: Path,
                batch_info: dict) -> tuple[Graded, bool]:
    """Run the graded tests on ``prepared.target`` (instructor audience: hidden tests keep their
    messages); also returns whether pytest wrote a results document."""
    import pytest

    from ..core.paths import tests_dir
    from ..grading.incell import hypothesis_home

    report = scratch / "report.json"
    raw = scratch / "report.pytest-report.json"
    args = [str(tests_dir()), "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "--isolated",
            "--workbook-audience=instructor", "-W", "ignore::pytest.PytestAssertRewriteWarning",
            f"--workbook={prepared.target}", f"--score-report={report}", f"--json-report-file={raw}",
            f"--workbook-timeout={settings.timeout:g}", *settings.extra_args]
    _forget_test_modules(tests_dir())
    buffer = io.StringIO()
    # hypothesis' folder in the unit's own, not in the working folder of whoever runs it
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer), hypothesis_home(scratch / "hypothesis"):
        try:
            code = int(pytest.main(args, plugins=[_Closer()]))
        except BaseException as exc:  # noqa: BLE001 - a grader failure costs only this student
            code = -1
            buffer.write(f"\ngrading failed: {exc!r}\n")
    log = buffer.getvalue()[-MAX_LOG_CHARS:]
    try:
        doc = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        message = f"grading did not produce a report (pytest exit code {code})"
        return Graded("error", error_document(content.origin, message, batch_info), log=log), False
    try:
        pytest_report = raw.read_text(encoding="utf-8", errors="replace")
    except OSError:
        pytest_report = None
    status = "graded" if code in (0, 1) and doc.get("tests") else "error"
    extra = doc.setdefault("extra_data", {})
    if extra.get("target"):
        extra["target"] = content.origin
    if prepared.problems:
        extra["errors"] = [*extra.get("errors", []), *prepared.problems]
    if prepared.notes:
        batch_info["notes"] = prepared.notes
    if prepared.notes or prepared.problems:
        doc["output"] = "\n".join([doc.get("output", ""), "", *prepared.problems, *prepared.notes])
    extra["batch"] = batch_info
    return Graded(status, doc, log=log, pytest_report=pytest_report), True


def _forget_test_modules(folder: Path) -> None:
    """Drop the graded tests' modules (test files, their conftest and helpers) from ``sys.modules``:
    each submission's run imports them afresh. A grader process grades one submission after another,
    and pytest reused the modules the first run imported, with their module-level arrays: a
    submission that changed an argument in place (a test's constant matrix, passed straight in)
    changed it for every later student of that grader (an honest student graded after it got 171 of
    180, a red-team finding)."""
    root = os.path.realpath(folder) + os.sep
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if type(file) is str and os.path.realpath(file).startswith(root):
            del sys.modules[name]


def _page(doc: dict, target: Path, graded: Graded) -> str | None:
    """The student's HTML page (student audience: hidden tests without their messages), with the
    figures drawn from the submission in the sandboxed worker; a failure is noted in the log."""
    try:
        from ..results.figures import default_reference, setup_matplotlib
        from ..results.htmlreport import html_page
        from ..submission.isolated import IsolatedSubmission

        setup_matplotlib()
        submission = IsolatedSubmission(target)
        try:
            return html_page(doc, submission=submission, reference=default_reference(), audience="student")
        finally:
            submission.close()
    except Exception as exc:  # noqa: BLE001 - the report counts; the page is a courtesy
        graded.log += f"\nthe HTML page could not be written: {exc!r}\n"
        return None


def _unlocate(text: str, *, prepared: Any, given: Path, origin: str, reports: dict[str, str] | None = None) -> str:
    """``text`` with the grader's temporary paths replaced by the submission's path as handed in
    (and the reports' paths by :data:`SCORE_REPORT`, :data:`PYTEST_REPORT`)."""
    for path, name in (reports or {}).items():
        text = text.replace(path, name)
    if prepared is not None:  # the isolated worker's own copy of the folder graded (a warning's file name)
        text = replace_isolated_copies(text, str(prepared.target))
    if prepared is not None and prepared.staged is not None and prepared.origin is not None:
        text = text.replace(str(prepared.staged), str(prepared.origin))
    return text.replace(str(given), origin)


def _replace_text(value: Any, replace: Any) -> Any:
    """``value`` (JSON data) with ``replace`` applied to every string of it."""
    if isinstance(value, str):
        return replace(value)
    if isinstance(value, list):
        return [_replace_text(v, replace) for v in value]
    if isinstance(value, dict):
        return {k: _replace_text(v, replace) for k, v in value.items()}
    return value


def die_with_parent() -> None:
    """Linux: have the kernel kill this process when the process (thread) that started it dies, even by SIGKILL."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


#: Open lock files of the CPU this process claimed (:func:`claim_cpu`); held until the process ends.
_CPU_LOCKS: list[int] = []


def claim_cpu(folder: str | os.PathLike | None = None) -> int | None:
    """Pin this process (and every process it starts later) to a CPU that no other grader holds.

    A grader and its isolated worker hand over to each other thousands of times per submission
    (each call of the student's code is a message and a reply). With two graders on two CPUs and
    no pinning, each hand-over may wake the other process on the CPU the other grader is using:
    grading a class took 1.26x as long (docs/benchmarks.md, "graders on a CPU of their own"). A
    grader pinned to a CPU of its own, with its fork server and workers started after it, keeps
    its hand-overs there.

    The claim is a lock file per CPU, ``workbook-grader-cpu<N>.lock`` in ``folder`` (default: the
    temporary folder, which :func:`autograder.classroom.batch.run_batch` makes private to the run):
    the first CPU of this process's allowed set whose file no living process holds locked. The
    lock ends with the process, so a grader started again takes the CPU its predecessor freed.
    Only speed is affected: time limits count CPU time, not the wall clock.

    Returns:
        The CPU, or None: nothing pinned (``WORKBOOK_PIN_CPUS=0``; fewer than two CPUs allowed;
        every CPU already held, i.e. more graders than CPUs; no ``sched_setaffinity``/``flock``,
        e.g. macOS or Windows; a lock file that cannot be opened).
    """
    if os.environ.get("WORKBOOK_PIN_CPUS", "1").strip() == "0" or _CPU_LOCKS:
        return None
    try:
        import fcntl

        cpus = sorted(os.sched_getaffinity(0))
    except (ImportError, AttributeError, OSError):
        return None
    if len(cpus) < 2:
        return None
    base = Path(folder if folder is not None else tempfile.gettempdir())
    for cpu in cpus:
        try:
            fd = os.open(base / f"workbook-grader-cpu{cpu}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.sched_setaffinity(0, {cpu})
        except OSError:
            os.close(fd)
            continue
        _CPU_LOCKS.append(fd)
        return cpu
    return None


def warm_grader_process() -> None:
    """Set up this process to call :func:`grade` for many submissions, one after another.

    Matplotlib draws off screen (``MPLBACKEND=Agg`` unless set), Ctrl-C is ignored (it is the
    coordinator's to handle), the process dies with the process (thread) that started it (Linux),
    it takes a CPU of its own when one is free (:func:`claim_cpu`), and the isolated worker's fork
    server (NumPy, torch, Matplotlib loaded) starts now, not with the first submission (with
    bubblewrap each submission gets a sandbox of its own: no fork server). Never raises for a fork
    server that cannot start (grading then says why).
    """
    os.environ.setdefault("MPLBACKEND", "Agg")
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
    claim_cpu()
    from ..submission import confinement, forkserver

    try:
        if confinement.confinement().kind != "bwrap":
            forkserver.fork_server()
    except RuntimeError:
        pass
