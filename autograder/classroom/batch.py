"""Batch grading of a whole class: ``python -m autograder.batch SUBMISSIONS --out OUT [--jobs N] [--force]``.

``SUBMISSIONS`` holds one submission per student: a folder laid out like ``exercises/``, a zip
of one, or an nbgrader ``submitted/`` tree, with notebooks converted; how each is found, read
and named is :mod:`autograder.classroom.intake`.

Every submission is graded in isolated mode (``pytest --isolated``: the student's code runs in a
sandboxed worker, see :mod:`autograder.submission.isolated`). This module is the coordinator: it
reads each submission (:func:`autograder.classroom.content.read_submission`: the files themselves,
never a path), hands it with the batch's settings to the unit of work
(:func:`autograder.classroom.unit.grade`, which returns the results document, the raw
pytest-json-report, the pytest log and, with ``--pages``, the student's HTML page: figures drawn
in the sandboxed worker, hidden tests without their messages) and writes what comes back
(:func:`store`): ``OUT/reports/<student>.json`` (named by
:func:`autograder.classroom.intake.report_stem`, Gradescope ``results.json`` format), the raw
report next to it, ``OUT/logs/<student>.txt`` and ``OUT/pages/<student>.html``. The unit writes
nothing outside its own temporary folder, so any executor can run it. ``--jobs`` grader processes (default: all cores) each keep a fork server with NumPy,
torch and Matplotlib loaded, and grade submissions one after another. Finished reports are kept:
a second run grades only what is missing or changed: a report is reused only when the
submission's content, the pytest arguments, the time limit and the grader (tests and
``autograder``) are all the same as when it was made (``--force`` grades everything again). At the
end the class gradebook is written: ``OUT/gradebook.csv`` and ``OUT/gradebook.json`` (one row per
student: total, per-exercise points, status, partial, errors); students graded into ``OUT``
earlier but absent from ``SUBMISSIONS`` now (e.g. grading late submissions from another folder)
keep their rows; then the class report, ``OUT/class.html`` and ``OUT/items.csv``
(:mod:`autograder.results.classreport`). ``OUT`` may lie inside ``SUBMISSIONS``; it is never taken for a submission.

With ``dask=True`` the same unit of work runs on a Dask cluster instead of the local process pool
(:class:`autograder.classroom.cluster.DaskCluster`: a ``LocalCluster`` of ``jobs`` processes, or the
scheduler at ``scheduler``); everything else (resume, the window in flight, retries, the gradebook)
is the same.

Ctrl-C or SIGTERM stops the batch: submissions not yet started are not graded, grader processes
and their workers are ended, and the gradebook lists what was finished (exit code 130).

A submission that crashes, hangs or floods its output costs only its own time limits (each test
has ``--timeout`` seconds, default 10) and never changes another student's report.
"""

from __future__ import annotations

import collections
import concurrent.futures as cf
import csv
import hashlib
import json
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
from concurrent.futures.process import BrokenProcessPool as BrokenExecutor
from pathlib import Path
from typing import Any

from .. import EXERCISES
from ..core.exercises import total_points
from ..core.tables import spreadsheet_text
from ..results.classreport import class_report_files
from ..results.report import write_json
from .cluster import DaskCluster
from .content import read_submission
from .files import MAX_ZIP_BYTES, is_env, junk_file, path_text, skipped_dir
from .intake import Job, discover
from .unit import PYTEST_REPORT, SCORE_REPORT, Graded, Settings, error_document, grade, warm_grader_process


def _grader_digest() -> str:
    """A digest of the grader itself (graded tests and ``autograder`` sources)."""
    from ..core.paths import tests_dir

    h = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]  # autograder/
    for folder in (tests_dir(), package):
        for f in sorted(folder.rglob("*.py")):
            if "__pycache__" not in f.parts:
                h.update(str(f.relative_to(folder)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def fingerprint(job: Job, *, timeout: float, extra_args: tuple[str, ...], grader: str) -> str:
    """What a report depends on: the submission's bytes, the grading settings and the grader.

    A directory is read file by file (paths and contents; metadata files, caches, virtual
    environments and the other junk folders of :data:`autograder.classroom.files.JUNK_DIRS` left out); a zip file as its
    bytes. Unreadable files count by name only (grading reports them).
    """
    h = hashlib.sha256()
    h.update(json.dumps({"timeout": timeout, "args": list(extra_args), "grader": grader}).encode())
    if job.path.is_file():
        try:
            with open(job.path, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    h.update(chunk)
        except OSError as exc:  # grading reports it
            h.update(f"unreadable: {exc.errno}".encode())
        return h.hexdigest()
    files = []
    for folder, dirs, names in os.walk(job.path):  # links to folders are not followed
        here = Path(folder)
        dirs[:] = [d for d in dirs if not skipped_dir(d) and not is_env(here / d)]
        files += [here / n for n in names if not junk_file(n)]  # (a hidden data file is read: files.data_file)
    for f in sorted(files):
        if not f.is_file():
            continue
        h.update(os.fsencode(f.relative_to(job.path)) + b"\0")
        try:
            if f.stat().st_size <= MAX_ZIP_BYTES:
                h.update(f.read_bytes())
        except OSError:
            pass
        h.update(b"\0")
    return h.hexdigest()


def report_path(out: Path, job: Job) -> Path:
    """Where the score report of ``job`` goes (``reports/<stem>.json``, see :func:`autograder.classroom.intake.report_stem`)."""
    return out / "reports" / f"{job.report_name}.json"


def page_path(out: Path, job: Job) -> Path:
    """Where the student's HTML page of ``job`` goes (``pages/<stem>.html``)."""
    return out / "pages" / f"{job.report_name}.html"


def _write_error(out: Path, job: Job, message: str, batch_info: dict | None = None) -> dict:
    """Write an error report for ``job`` (grading could not run) and return its gradebook row."""
    report = report_path(out, job)
    doc = error_document(path_text(job.path), message, batch_info)
    write_json(report, doc)
    return _summary(job, "error", doc, report, out, None)


def store(out: Path, job: Job, graded: Graded) -> dict:
    """Write what the unit of work returned for ``job`` into ``out``; returns the gradebook row.

    ``reports/<stem>.json`` (the results document), ``reports/<stem>.pytest-report.json`` (the raw
    pytest-json-report), ``logs/<stem>.txt`` (the pytest log) and ``pages/<stem>.html`` (the
    student's page; an earlier page is removed when there is no new one, so that a page never
    disagrees with its report). Every file is replaced atomically.

    Returns:
        The gradebook row: ``{"student", "kind", "status", "score", "max_score", "partial",
        "exercises", "report", "submission", "seconds", "errors", "notes"}`` (``report`` relative to ``out``).
    """
    report = report_path(out, job)
    batch_info = graded.results.get("extra_data", {}).get("batch") if isinstance(graded.results, dict) else None
    if isinstance(batch_info, dict) and graded.seconds is not None:  # kept for a later run that reuses the report
        batch_info["seconds"] = graded.seconds
    write_json(report, graded.results)
    raw = report.with_name(report.stem + ".pytest-report.json")
    if graded.pytest_report is not None:
        _write_text(raw, graded.pytest_report)
    else:
        raw.unlink(missing_ok=True)
    log = graded.log.replace(SCORE_REPORT, str(report)).replace(PYTEST_REPORT, str(raw))
    _write_text(out / "logs" / f"{job.report_name}.txt", log)
    if graded.page is not None:
        _write_text(page_path(out, job), graded.page)
    else:
        page_path(out, job).unlink(missing_ok=True)
    return _summary(job, graded.status, graded.results, report, out, graded.seconds)


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8", errors="replace")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _summary(job: Job, status: str, doc: dict, report: Path, out: Path, seconds: float | None = None) -> dict:
    extra = doc.get("extra_data", {})
    exercises = {e["exercise"]: e["score"] for e in extra.get("exercises", [])}
    graded = status == "graded"
    return {"student": job.student, "kind": job.kind, "status": status,
            "score": doc.get("score", 0.0) if graded else None, "max_score": doc.get("max_score", 0.0),
            "partial": bool(extra.get("partial", False)), "exercises": exercises if graded else {},
            "report": os.path.relpath(report, out), "submission": path_text(job.path),
            "seconds": seconds, "missing": [m for m in extra.get("missing", []) if isinstance(m, str)],
            "errors": extra.get("errors", []), "notes": (extra.get("batch") or {}).get("notes", [])}


def _same_id_row(job: Job, out: Path) -> dict:
    """The error row (and report) of a submission that shares its student id with another."""
    batch_info = {"student": job.student, "submission": path_text(job.path), "kind": job.kind, "fingerprint": ""}
    return dict(_write_error(out, job, job.problem, batch_info), same_id=True)


def _last_report(job: Job, out: Path) -> tuple[dict, str] | None:
    """The report ``job`` already has in ``out`` and its status (``graded`` or ``error``), or None."""
    try:
        doc = json.loads(report_path(out, job).read_text(encoding="utf-8"))
        extra = doc["extra_data"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(extra, dict) or "score" not in doc:
        return None
    return doc, "graded" if doc.get("tests") and extra.get("exit_status") in (0, 1) else "error"


def _row_of_last_report(job: Job, out: Path) -> dict | None:
    """The row of the report ``job`` already has in ``out`` (whatever it was graded from), or None."""
    last = _last_report(job, out)
    if last is None:
        return None
    return dict(_summary(job, last[1], last[0], report_path(out, job), out, None), stale=True)


def _summary_from_report(job: Job, out: Path, fp: str) -> dict | None:
    """The row of a finished, still valid report of ``job`` (same fingerprint), else ``None``."""
    last = _last_report(job, out)
    if last is None or (last[0]["extra_data"].get("batch") or {}).get("fingerprint") != fp:
        return None  # none yet, or another submission, other settings or another grader: grade again
    if last[1] == "error":
        return None  # an error may have been the machine's (a full disk, a killed grader): retry
    seconds = (last[0]["extra_data"].get("batch") or {}).get("seconds")
    return _summary(job, "graded", last[0], report_path(out, job), out,
                    seconds if type(seconds) in (int, float) else None)  # (the run that graded it)


def write_gradebook(rows: list[dict], out: Path) -> None:
    """Write ``gradebook.csv`` and ``gradebook.json`` (one row per student) into ``out``.

    In the CSV, the score and per-exercise points of a student whose grading failed (status
    ``error``) are left empty, not 0, so that importing it into a gradebook records no grade;
    ``errors`` says why; ``notes`` says how the submission was read (a notebook converted, a
    ``.py`` graded instead of its notebook). ``report`` is relative to ``out`` in both files.
    Student ids are kept as given (``山田太郎``): the CSV is UTF-8 with a byte order mark, which
    Excel needs to read it as UTF-8 (Python reads it with ``encoding="utf-8-sig"``). A text cell that a
    spreadsheet would run as a formula (a student id ``=HYPERLINK(…)``) starts with ``'`` in the
    CSV (:func:`autograder.core.tables.spreadsheet_text`); ``gradebook.json`` keeps it as given.
    """
    rows = sorted(rows, key=lambda r: (r["student"], r.get("submission", "")))
    fields = ["student", "status", "score", "max_score", "partial", *EXERCISES, "errors", "notes", "report",
              "submission"]
    tmp = out / ".gradebook.csv.tmp"
    with open(tmp, "w", newline="", encoding="utf-8-sig", errors="backslashreplace") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        for r in rows:
            writer.writerow({key: spreadsheet_text(value) for key, value in {
                             "student": r["student"], "status": r["status"],
                             "score": "" if r.get("score") is None else r["score"],
                             "max_score": r["max_score"], "partial": str(bool(r.get("partial"))).lower(),
                             **{e: r["exercises"].get(e, "") for e in EXERCISES},
                             "errors": " | ".join(e.replace("\n", " ") for e in r.get("errors", []))[:1000],
                             "notes": " | ".join(n.replace("\n", " ") for n in r.get("notes", []))[:1000],
                             "report": r["report"], "submission": r.get("submission", "")}.items()})
    os.replace(tmp, out / "gradebook.csv")
    from ..submission.confinement import confinement

    # full marks of what was graded: one --exercise gives 20, not the workbook's 180 (Canvas' Points
    # Possible of a new column); rows of runs with other selections keep the workbook's total
    maxima = {float(r["max_score"]) for r in rows if r.get("status") == "graded"
              and isinstance(r.get("max_score"), (int, float)) and r["max_score"] > 0}
    write_json(out / "gradebook.json", {"students": rows, "exercises": list(EXERCISES),
                                        "max_score": maxima.pop() if len(maxima) == 1 else total_points(),
                                        "confinement": confinement().label})


def _earlier_rows(out: Path, students: set[str]) -> list[dict]:
    """Rows of the existing gradebook for students not in this run whose report is still there."""
    try:
        book = json.loads((out / "gradebook.json").read_text(encoding="utf-8"))
        rows = [r for r in book["students"] if isinstance(r, dict) and isinstance(r.get("student"), str)]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    kept = [dict(r, skipped=False, earlier=True) for r in rows if r["student"] not in students
            and isinstance(r.get("report"), str) and (out / r["report"]).is_file()
            and {"status", "max_score", "exercises"} <= set(r)]
    return kept


class BatchInterrupted(Exception):
    """Ctrl-C or SIGTERM stopped the batch (the gradebook lists the finished submissions)."""

    def __init__(self, rows: list[dict]) -> None:
        super().__init__(f"interrupted after {len(rows)} submissions")
        self.rows = rows


def _check_paths(submissions: Path, out: Path) -> None:
    if not submissions.exists():
        raise FileNotFoundError(f"{submissions} does not exist / 見つかりません")
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"--out {out} is a file; give a folder / --out にはフォルダを指定してください")
    if out == submissions:
        raise ValueError(f"--out {out} is the folder of submissions; give another folder / "
                         "--out には提出フォルダとは別のフォルダを指定してください")


def _check_writable(out: Path) -> None:
    """Make ``out`` (with ``out/reports`` and ``out/logs``) or say plainly that it cannot be written, before grading anyone."""
    try:
        (out / "reports").mkdir(parents=True, exist_ok=True)
        (out / "logs").mkdir(exist_ok=True)
        probe = out / f".workbook-write-check-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise PermissionError(
            f"--out {out} に書き込めません ({exc.strerror or exc})。書き込めるフォルダを指定してください。 / "
            f"cannot write to --out {out} ({exc.strerror or exc}): give a folder you can write to.") from None


def run_batch(submissions: Path, out: Path, *, jobs: int | None = None, force: bool = False,
              timeout: float = 10.0, progress: bool = True, extra_args: tuple[str, ...] = (),
              pages: bool = False, dask: bool = False, scheduler: str | None = None) -> list[dict]:
    """Grade every submission in ``submissions`` into ``out``; returns the gradebook rows.

    ``dask``: grade on a Dask cluster (the scheduler at ``scheduler``, else a ``LocalCluster`` of
    ``jobs`` worker processes), started only when something is to be graded.

    Raises:
        DaskMissing: ``dask`` without Dask installed (:mod:`autograder.classroom.cluster`).
        FileNotFoundError: ``submissions`` is not a directory.
        ValueError: no submissions in it, or it is one submission (see :func:`discover`).
    """
    submissions, out = submissions.resolve(), out.resolve()
    _check_paths(submissions, out)
    all_jobs = discover(submissions, exclude=(out,))
    if not all_jobs:
        raise ValueError(f"no submissions found in {submissions} (expected one sub-folder or .zip per student, or "
                         f"an nbgrader submitted/ tree) / 提出物が見つかりません")
    _check_writable(out)
    # two submissions of one student id: an error row each, nothing graded for them; the rest of the class is
    same_id = [job for job in all_jobs if job.problem]
    all_jobs = [job for job in all_jobs if not job.problem]
    from ..submission.confinement import confinement

    # a report made under another confinement (root / bwrap / none) is not reused
    grader = f"{_grader_digest()} {confinement().kind}"
    prints = {job.student: fingerprint(job, timeout=timeout, extra_args=extra_args, grader=grader) for job in all_jobs}
    rows: list[dict] = _earlier_rows(out, set(prints) | {job.student for job in same_id})
    rows += [_same_id_row(job, out) for job in same_id]
    todo: list[Job] = []
    for job in all_jobs:
        summary = None if force else _summary_from_report(job, out, prints[job.student])
        if pages and not page_path(out, job).is_file():  # a report made without its page is made again
            summary = None
        if summary is not None:
            summary["skipped"] = True
            rows.append(summary)
        else:
            todo.append(job)
    bar = _progress(len(all_jobs), len(all_jobs) - len(todo), enabled=progress)
    settings = Settings(timeout=timeout, extra_args=tuple(extra_args), pages=pages)
    attempts: dict[str, int] = {}
    previous_term = signal.getsignal(signal.SIGTERM)
    if threading_is_main():
        signal.signal(signal.SIGTERM, _raise_interrupt)
    # every temporary folder of the graders (copies of submissions, workers' folders) lives in one
    # private folder of this run, removed at the end even when the run is interrupted
    scratch = Path(tempfile.mkdtemp(prefix="workbook-batch-run-"))
    previous_tmp = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(scratch)
    cluster = DaskCluster(scheduler, jobs or os.cpu_count() or 1) if dask else None
    try:
        while todo:
            # a grader process that dies (it should not: student code runs in sandboxed workers, but
            # the kernel's OOM killer might pick it) costs a retry of the submissions in flight; a
            # submission in flight during two such deaths gets an error report, the others are graded
            workers = max(1, min(cluster.size() if cluster else jobs or os.cpu_count() or 1, len(todo)))
            ctx = multiprocessing.get_context("spawn")  # no listening socket a student process could reach
            retry: list[Job] = []
            # after a grader died: one pool per submission, `workers` submissions at a time
            # (a Dask worker's death fails only its own task: no need there)
            alone = bool(attempts) and cluster is None
            current, later = (todo[:workers], todo[workers:]) if alone else (todo, [])
            pools = [cluster.pool()] if cluster else [
                cf.ProcessPoolExecutor(max_workers=1 if alone else workers, mp_context=ctx,
                                       initializer=warm_grader_process)
                for _ in (current if alone else [None])]
            # the coordinator reads each submission just before it is handed over, and keeps at most
            # two per grader process in flight: its memory does not grow with the class
            queue = collections.deque(enumerate(current))
            window = len(current) if alone else 2 * workers
            in_flight: dict[cf.Future, Job] = {}
            try:
                while queue or in_flight:
                    while queue and len(in_flight) < window:
                        i, job = queue[0]
                        content = read_submission(job, fingerprint=prints[job.student])
                        try:
                            future = pools[i if alone else 0].submit(cluster.unit if cluster else grade, content, settings)
                        except BrokenExecutor:  # the pool died under another submission: this one waits
                            break
                        queue.popleft()
                        in_flight[future] = job
                    if not in_flight:
                        break
                    finished, _ = cf.wait(in_flight, return_when=cf.FIRST_COMPLETED)
                    for future in finished:
                        job = in_flight.pop(future)
                        try:
                            rows.append(store(out, job, future.result()))
                        except Exception as exc:  # noqa: BLE001 - a lost grader process (grade never raises)
                            # a grader process that died breaks the whole pool, so every submission in
                            # it is retried, each alone in a pool of its own: one that kills its grader
                            # again gets an error report, and no other student pays for it
                            attempts[job.student] = attempts.get(job.student, 0) + 1
                            if attempts[job.student] < 2:
                                retry.append(job)
                                continue
                            rows.append(_write_error(out, job, f"grading crashed: {exc!r}"))
                        bar.update(1)
                        write_gradebook(rows, out)
                later = [job for _, job in queue] + later  # not handed over before the pool died
            except KeyboardInterrupt:
                for p in pools:
                    cluster.stop(p) if cluster else _stop_pool(p)
                bar.close()
                # students not graded again before the interruption keep the row of their last report
                done = {r["student"] for r in rows}
                for job in all_jobs:
                    if job.student not in done:
                        old = _row_of_last_report(job, out)
                        if old is not None:
                            rows.append(old)
                write_gradebook(rows, out)
                raise BatchInterrupted(rows) from None
            for p in pools:
                p.shutdown(wait=True)
            todo = retry + later
    finally:
        if cluster is not None:
            cluster.close()
        if threading_is_main():
            signal.signal(signal.SIGTERM, previous_term)
        if previous_tmp is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = previous_tmp
        shutil.rmtree(scratch, ignore_errors=True)
    bar.close()
    write_gradebook(rows, out)
    write_class_report(out)
    return rows


def write_class_report(out: Path) -> None:
    """Write ``out/class.html`` and ``out/items.csv`` from the gradebook and reports in ``out``
    (:mod:`autograder.results.classreport`). Raises what :func:`~autograder.results.classreport.read_class` raises."""
    for name, text in class_report_files(out).items():
        _write_text(out / name, text)


def threading_is_main() -> bool:
    """Signal handlers can be installed (only from the main thread)."""
    import threading

    return threading.current_thread() is threading.main_thread()


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _stop_pool(pool: cf.ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the grader processes (their workers die with them)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        try:
            proc.kill()
        except (OSError, ValueError, AttributeError):
            pass
    for proc in processes:
        try:
            proc.join(5)
        except (OSError, ValueError, AttributeError, AssertionError):
            pass


class _TextBar:
    def __init__(self, total: int, done: int) -> None:
        self.total, self.done = total, done

    def update(self, n: int) -> None:
        self.done += n
        print(f"graded {self.done}/{self.total}", file=sys.stderr, flush=True)

    def close(self) -> None:
        pass


def _progress(total: int, done: int, *, enabled: bool):
    if not enabled:
        return _NullBar(total, done)
    try:
        from tqdm import tqdm

        return tqdm(total=total, initial=done, unit="submission", desc="grading / 採点", file=sys.stderr)
    except ImportError:
        return _TextBar(total, done)


class _NullBar(_TextBar):
    def update(self, n: int) -> None:
        pass
