"""Batch grading of a whole class: ``python -m autograder.batch SUBMISSIONS --out OUT [--jobs N] [--force]``.

``SUBMISSIONS`` holds one submission per student, in any mix of:

* a directory laid out like ``exercises/`` (``SUBMISSIONS/alice/ex1_vectors.py`` ...; one extra
  directory level is accepted, e.g. ``SUBMISSIONS/alice/work/ex1_vectors.py``);
* a zip file of such a directory (``SUBMISSIONS/bob.zip``; extracted safely: no absolute paths,
  no ``..``, no links, size-limited);
* an nbgrader ``submitted/`` tree (``SUBMISSIONS/submitted/<student>/<exercise>/<exercise>.ipynb``,
  or ``SUBMISSIONS`` itself being that ``submitted/`` directory); notebooks are converted with
  :func:`autograder.course.submission_to_dir` (read, never executed, here).

Every submission is graded in isolated mode (``pytest --isolated``: the student's code runs in a
sandboxed worker, see :mod:`autograder.isolated`). The unit of work is one submission in, one
report out (``OUT/reports/<student>.json``, Gradescope ``results.json`` format, plus the raw
pytest-json-report next to it and the pytest log in ``OUT/logs/``), so it can be handed to any
task queue. ``--jobs`` grader processes (default: all cores) each keep a fork server with NumPy,
torch and Matplotlib loaded, and grade submissions one after another. Finished reports are kept:
a second run grades only what is missing (``--force`` grades everything again). At the end the
class gradebook is written: ``OUT/gradebook.csv`` and ``OUT/gradebook.json`` (one row per
student: total, per-exercise points, status).

A submission that crashes, hangs or floods its output costs only its own time limits (each test
has ``--timeout`` seconds, default 10) and never changes another student's report.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import contextlib
import csv
import io
import json
import multiprocessing
import os
import re
import shutil
import stat
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import EXERCISES, POINTS_PER_EXERCISE
from .report import build_results, write_json

#: Limits of zip extraction.
MAX_ZIP_FILES = 200
MAX_ZIP_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Job:
    """One submission to grade."""

    student: str
    kind: str  # "dir", "zip" or "nbgrader"
    path: Path


def _student_id(name: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "student"
    return safe[:100]


def _has_exercises(path: Path) -> bool:
    return any((path / f"{name}.py").is_file() for name in EXERCISES)


def _is_nbgrader_student(path: Path) -> bool:
    return any((path / name / f"{name}.ipynb").is_file() for name in EXERCISES)


def discover(root: Path) -> list[Job]:
    """Find the submissions in ``root`` (see the module docstring), sorted by student.

    Raises:
        FileNotFoundError: ``root`` is not a directory.
        ValueError: two submissions map to the same student id.
    """
    if not root.is_dir():
        raise FileNotFoundError(f"{root} is not a directory")
    jobs: dict[str, Job] = {}

    def add(name: str, kind: str, path: Path) -> None:
        sid = _student_id(name)
        if sid in jobs:
            raise ValueError(f"two submissions for student {sid!r}: {jobs[sid].path} and {path}")
        jobs[sid] = Job(sid, kind, path)

    if root.name == "submitted" and not _has_exercises(root):
        candidates, nbgrader_only = sorted(root.iterdir()), True
    else:
        candidates, nbgrader_only = sorted(root.iterdir()), False
    for entry in candidates:
        if entry.name.startswith("."):
            continue
        if entry.is_dir() and entry.name == "submitted" and not nbgrader_only:
            for student in sorted(entry.iterdir()):
                if student.is_dir() and _is_nbgrader_student(student):
                    add(student.name, "nbgrader", student)
        elif entry.is_dir() and not entry.is_symlink():
            if _is_nbgrader_student(entry):
                add(entry.name, "nbgrader", entry)
            elif not nbgrader_only:
                add(entry.name, "dir", entry)
        elif entry.is_file() and entry.suffix == ".zip" and not nbgrader_only:
            add(entry.stem, "zip", entry)
    return [jobs[k] for k in sorted(jobs)]


def _safe_extract(zip_path: Path, dest: Path) -> None:
    """Extract regular files only, refusing absolute paths, ``..``, links and huge archives.

    Raises:
        ValueError: the archive is unsafe or too large.
    """
    with zipfile.ZipFile(zip_path) as zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_FILES:
            raise ValueError(f"{zip_path.name}: more than {MAX_ZIP_FILES} files")
        if sum(i.file_size for i in infos) > MAX_ZIP_BYTES:
            raise ValueError(f"{zip_path.name}: more than {MAX_ZIP_BYTES} bytes uncompressed")
        for info in infos:
            name = info.filename
            parts = Path(name).parts
            if name.startswith(("/", "\\")) or ".." in parts or ":" in name or not parts:
                raise ValueError(f"{zip_path.name}: unsafe path {name!r}")
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise ValueError(f"{zip_path.name}: symbolic link {name!r}")
            target = dest.joinpath(*parts)
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)


def _find_workbook(path: Path) -> Path:
    """``path`` or the one sub-directory (up to two levels deep) that holds the exercise files."""
    if _has_exercises(path):
        return path
    for depth in (1, 2):
        found = [p for p in path.glob("/".join(["*"] * depth)) if p.is_dir() and _has_exercises(p)
                 and "__MACOSX" not in p.parts]
        if len(found) == 1:
            return found[0]
    return path


def prepare(job: Job, staging: Path) -> Path:
    """A directory laid out like ``exercises/`` for ``job`` (extracted/converted into ``staging``).

    Raises:
        ValueError: an unsafe or unreadable zip file.
    """
    if job.kind == "dir":
        return _find_workbook(job.path)
    dest = staging / job.student
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    if job.kind == "zip":
        try:
            _safe_extract(job.path, dest)
        except zipfile.BadZipFile as exc:
            raise ValueError(f"{job.path.name}: not a zip file ({exc})") from None
        return _find_workbook(dest)
    from .course import submission_to_dir

    submission_to_dir(job.path, dest)
    return dest


def report_path(out: Path, student: str) -> Path:
    """Where the score report of ``student`` goes."""
    return out / "reports" / f"{student}.json"


def _error_report(path: Path, target: str, message: str) -> dict:
    doc = build_results([], target=target, execution_time=0.0, errors=[message], exit_status=4)
    doc["max_score"] = float(POINTS_PER_EXERCISE * len(EXERCISES))
    write_json(path, doc)
    return doc


class _Closer:
    """pytest plugin: stop the isolated worker and delete its copies when a run ends."""

    def pytest_unconfigure(self, config: Any) -> None:
        from .plugin import _SUBMISSION

        submission = config.stash.get(_SUBMISSION, None)
        if submission is not None and hasattr(submission, "close"):
            submission.close()


def grade_one(job: Job, out: Path, *, timeout: float = 10.0, extra_args: tuple[str, ...] = ()) -> dict:
    """Grade one submission in isolated mode; write and return its score report (never raises).

    Args:
        job: the submission.
        out: the output directory (``reports/`` and ``logs/`` are created in it).
        timeout: per-test time limit in seconds.
        extra_args: more pytest arguments (e.g. ``("--exercise", "ex1_vectors")``).

    Returns:
        ``{"student", "status", "score", "max_score", "exercises", "report", "seconds"}``.
    """
    import pytest

    from .paths import tests_dir

    start = time.monotonic()
    report = report_path(out, job.student)
    log = out / "logs" / f"{job.student}.txt"
    log.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="workbook-batch-"))
    status = "graded"
    try:
        try:
            target = prepare(job, staging)
        except (ValueError, OSError) as exc:
            doc = _error_report(report, str(job.path), f"could not read the submission: {exc}")
            return _summary(job, "error", doc, report, start)
        args = [str(tests_dir()), "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "--isolated",
                f"--workbook={target}", f"--score-report={report}",
                f"--json-report-file={report.with_name(report.stem + '.pytest-report.json')}",
                f"--workbook-timeout={timeout:g}", *extra_args]
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
            try:
                code = int(pytest.main(args, plugins=[_Closer()]))
            except BaseException as exc:  # noqa: BLE001 - a grader failure costs only this student
                code = -1
                buffer.write(f"\ngrading failed: {exc!r}\n")
        log.write_text(buffer.getvalue()[-200_000:], encoding="utf-8", errors="replace")
        try:
            doc = json.loads(report.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            doc = _error_report(report, str(job.path), f"grading did not produce a report (pytest exit code {code})")
            status = "error"
        if code not in (0, 1):
            status = "error" if not doc.get("tests") else status
        return _summary(job, status, doc, report, start)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _summary(job: Job, status: str, doc: dict, report: Path, start: float) -> dict:
    exercises = {e["exercise"]: e["score"] for e in doc.get("extra_data", {}).get("exercises", [])}
    return {"student": job.student, "kind": job.kind, "status": status, "score": doc.get("score", 0.0),
            "max_score": doc.get("max_score", 0.0), "exercises": exercises, "report": str(report),
            "seconds": round(time.monotonic() - start, 3),
            "errors": doc.get("extra_data", {}).get("errors", [])}


def _summary_from_report(job: Job, report: Path) -> dict | None:
    try:
        doc = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if "score" not in doc or "extra_data" not in doc:
        return None
    status = "graded" if doc.get("tests") else "error"
    summary = _summary(job, status, doc, report, time.monotonic())
    summary["seconds"] = None
    return summary


def _pool_init() -> None:
    os.environ.setdefault("MPLBACKEND", "Agg")
    # warm up: the first submission should not pay for imports and the fork server
    from . import isolated

    try:
        isolated.fork_server()
    except RuntimeError:
        pass


def write_gradebook(rows: list[dict], out: Path) -> None:
    """Write ``gradebook.csv`` and ``gradebook.json`` (one row per student) into ``out``."""
    rows = sorted(rows, key=lambda r: r["student"])
    fields = ["student", "status", "score", "max_score", *EXERCISES, "report"]
    tmp = out / ".gradebook.csv.tmp"
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        for r in rows:
            writer.writerow({"student": r["student"], "status": r["status"], "score": r["score"],
                             "max_score": r["max_score"], "report": os.path.relpath(r["report"], out),
                             **{e: r["exercises"].get(e, "") for e in EXERCISES}})
    os.replace(tmp, out / "gradebook.csv")
    write_json(out / "gradebook.json", {"students": rows, "exercises": list(EXERCISES),
                                        "max_score": POINTS_PER_EXERCISE * len(EXERCISES)})


def run_batch(submissions: Path, out: Path, *, jobs: int | None = None, force: bool = False,
              timeout: float = 10.0, progress: bool = True, extra_args: tuple[str, ...] = ()) -> list[dict]:
    """Grade every submission in ``submissions`` into ``out``; returns the gradebook rows.

    Raises:
        FileNotFoundError: ``submissions`` is not a directory.
        ValueError: two submissions of the same student.
    """
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    all_jobs = discover(submissions.resolve())
    rows: list[dict] = []
    todo: list[Job] = []
    for job in all_jobs:
        summary = None if force else _summary_from_report(job, report_path(out, job.student))
        if summary is not None:
            rows.append(summary)
        else:
            todo.append(job)
    bar = _progress(len(all_jobs), len(all_jobs) - len(todo), enabled=progress)
    attempts: dict[str, int] = {}
    while todo:
        # a grader process that dies (it should not: student code runs in sandboxed workers, but
        # the kernel's OOM killer might pick it) costs a retry of the submissions in flight; a
        # submission in flight during two such deaths gets an error report, the others are graded
        workers = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
        ctx = multiprocessing.get_context("spawn")  # no listening socket a student process could reach
        retry: list[Job] = []
        with cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_pool_init) as pool:
            futures = {pool.submit(grade_one, job, out, timeout=timeout, extra_args=extra_args): job for job in todo}
            for future in cf.as_completed(futures):
                job = futures[future]
                try:
                    rows.append(future.result())
                except Exception as exc:  # noqa: BLE001 - a lost grader process
                    attempts[job.student] = attempts.get(job.student, 0) + 1
                    if attempts[job.student] < 2:
                        retry.append(job)
                        continue
                    doc = _error_report(report_path(out, job.student), str(job.path), f"grading crashed: {exc!r}")
                    rows.append(_summary(job, "error", doc, report_path(out, job.student), time.monotonic()))
                bar.update(1)
                write_gradebook(rows, out)
        todo = retry
    bar.close()
    write_gradebook(rows, out)
    return rows


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


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit code (0 when every submission got a report)."""
    parser = argparse.ArgumentParser(prog="python -m autograder.batch", description=__doc__.split("\n\n")[0])
    parser.add_argument("submissions", type=Path, help="folder of submissions (dirs, .zip, nbgrader submitted/)")
    parser.add_argument("--out", type=Path, required=True, help="output folder (reports/, logs/, gradebook.*)")
    parser.add_argument("--jobs", "-j", type=int, default=None, help="parallel graders (default: all cores)")
    parser.add_argument("--force", action="store_true", help="grade again submissions that already have a report")
    parser.add_argument("--timeout", type=float, default=10.0, help="time limit per test in seconds (default 10)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args, extra = parser.parse_known_args(argv)
    try:
        rows = run_batch(args.submissions, args.out, jobs=args.jobs, force=args.force, timeout=args.timeout,
                         progress=not args.no_progress, extra_args=tuple(extra))
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    graded = sum(r["status"] == "graded" for r in rows)
    print(f"{graded}/{len(rows)} submissions graded; gradebook: {args.out / 'gradebook.csv'}")
    return 0 if graded == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
