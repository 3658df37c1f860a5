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
a second run grades only what is missing or changed: a report is reused only when the
submission's content, the pytest arguments, the time limit and the grader (tests and
``autograder``) are all the same as when it was made (``--force`` grades everything again). At the
end the class gradebook is written: ``OUT/gradebook.csv`` and ``OUT/gradebook.json`` (one row per
student: total, per-exercise points, status, partial, errors); students graded into ``OUT``
earlier but absent from ``SUBMISSIONS`` now (e.g. grading late submissions from another folder)
keep their rows. ``OUT`` may lie inside ``SUBMISSIONS``; it is never taken for a submission.

Ctrl-C or SIGTERM stops the batch: submissions not yet started are not graded, grader processes
and their workers are ended, and the gradebook lists what was finished (exit code 130).

A submission that crashes, hangs or floods its output costs only its own time limits (each test
has ``--timeout`` seconds, default 10) and never changes another student's report.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import contextlib
import csv
import hashlib
import io
import json
import multiprocessing
import os
import re
import shutil
import signal
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


def discover(root: Path, exclude: tuple[Path, ...] = ()) -> list[Job]:
    """Find the submissions in ``root`` (see the module docstring), sorted by student.

    Args:
        root: the folder of submissions.
        exclude: paths that are never a submission (the output folder when it lies in ``root``).

    Raises:
        FileNotFoundError: ``root`` does not exist.
        NotADirectoryError: ``root`` is a file.
        ValueError: two submissions map to the same student id; ``root`` is one submission
            (it holds ``exN_*.py`` files itself) rather than a folder of submissions.
    """
    if not root.exists():
        raise FileNotFoundError(f"{root} does not exist / 見つかりません")
    if not root.is_dir():
        raise NotADirectoryError(f"{root} is a file, not a folder of submissions / フォルダではありません")
    if _has_exercises(root) and root.name != "submitted":
        raise ValueError(
            f"{root} is one submission (it contains the exercise files itself), not a folder with one "
            f"sub-folder or .zip per student. To grade one submission: bash scripts/grade.sh "
            f"--workbook={root} --isolated / これは 1 人分の提出物です。1 人分の採点は scripts/grade.sh を使います。")
    skip = {p.resolve() for p in exclude}
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
        if entry.name.startswith(".") or entry.resolve() in skip:
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
        # never through a symbolic link: a link to solutions/ (or to a classmate) is not a submission
        found = [p for p in path.glob("/".join(["*"] * depth)) if p.is_dir() and _has_exercises(p)
                 and "__MACOSX" not in p.parts
                 and not any((path / q).is_symlink() for q in [p.relative_to(path), *p.relative_to(path).parents]
                             if q != Path("."))]
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


def _grader_digest() -> str:
    """A digest of the grader itself (graded tests and ``autograder`` sources)."""
    from .paths import tests_dir

    h = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for folder in (tests_dir(), package):
        for f in sorted(folder.rglob("*.py")):
            if "__pycache__" not in f.parts:
                h.update(str(f.relative_to(folder)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def fingerprint(job: Job, *, timeout: float, extra_args: tuple[str, ...], grader: str) -> str:
    """What a report depends on: the submission's bytes, the grading settings and the grader.

    A directory is read file by file (paths and contents, ``__pycache__`` and hidden files left
    out); a zip file as its bytes. Unreadable files count by name only (grading reports them).
    """
    h = hashlib.sha256()
    h.update(json.dumps({"timeout": timeout, "args": list(extra_args), "grader": grader}).encode())
    if job.path.is_file():
        h.update(job.path.read_bytes())
        return h.hexdigest()
    for f in sorted(job.path.rglob("*")):
        rel = f.relative_to(job.path)
        if any(part.startswith(".") or part == "__pycache__" for part in rel.parts) or not f.is_file():
            continue
        h.update(str(rel).encode() + b"\0")
        try:
            if f.stat().st_size <= MAX_ZIP_BYTES:
                h.update(f.read_bytes())
        except OSError:
            pass
        h.update(b"\0")
    return h.hexdigest()


def report_path(out: Path, student: str) -> Path:
    """Where the score report of ``student`` goes."""
    return out / "reports" / f"{student}.json"


def _error_report(path: Path, target: str, message: str, batch_info: dict | None = None) -> dict:
    doc = build_results([], target=target, execution_time=0.0, errors=[message], exit_status=4, mode="isolated")
    doc["max_score"] = float(POINTS_PER_EXERCISE * len(EXERCISES))
    if batch_info is not None:
        doc["extra_data"]["batch"] = batch_info
    write_json(path, doc)
    return doc


class _Closer:
    """pytest plugin: stop the isolated worker and delete its copies when a run ends."""

    def pytest_unconfigure(self, config: Any) -> None:
        from .plugin import _SUBMISSION

        submission = config.stash.get(_SUBMISSION, None)
        if submission is not None and hasattr(submission, "close"):
            submission.close()


def grade_one(job: Job, out: Path, *, timeout: float = 10.0, extra_args: tuple[str, ...] = (),
              fingerprint: str = "") -> dict:
    """Grade one submission in isolated mode; write and return its score report (never raises).

    Args:
        job: the submission.
        out: the output directory (``reports/`` and ``logs/`` are created in it).
        timeout: per-test time limit in seconds.
        extra_args: more pytest arguments (e.g. ``("--exercise", "ex1_vectors")``).
        fingerprint: :func:`fingerprint` of the job, stored in the report (``extra_data.batch``)
            so that a later run can tell whether the report is still valid.

    Returns:
        The gradebook row: ``{"student", "kind", "status", "score", "max_score", "partial",
        "exercises", "report", "submission", "seconds", "errors"}`` (``report`` relative to ``out``).
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
        batch_info = {"student": job.student, "submission": str(job.path), "kind": job.kind,
                      "fingerprint": fingerprint, "timeout": timeout, "pytest_args": list(extra_args)}
        try:
            target = prepare(job, staging)
        except (ValueError, OSError) as exc:
            doc = _error_report(report, str(job.path), f"could not read the submission: {exc}", batch_info)
            return _summary(job, "error", doc, report, out, start)
        args = [str(tests_dir()), "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "--isolated",
                "-W", "ignore::pytest.PytestAssertRewriteWarning",
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
            doc = _error_report(report, str(job.path), f"grading did not produce a report (pytest exit code {code})",
                                batch_info)
            return _summary(job, "error", doc, report, out, start)
        if code not in (0, 1) or not doc.get("tests"):
            status = "error"
        # the report names the submission as handed in, not the temporary copy that was graded
        extra = doc.setdefault("extra_data", {})
        if extra.get("target") and str(target) != str(job.path):
            doc["output"] = doc.get("output", "").replace(str(target), str(job.path))
            extra["target"] = str(job.path)
        extra["batch"] = batch_info
        write_json(report, doc)
        return _summary(job, status, doc, report, out, start)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _summary(job: Job, status: str, doc: dict, report: Path, out: Path, start: float | None) -> dict:
    extra = doc.get("extra_data", {})
    exercises = {e["exercise"]: e["score"] for e in extra.get("exercises", [])}
    graded = status == "graded"
    return {"student": job.student, "kind": job.kind, "status": status,
            "score": doc.get("score", 0.0) if graded else None, "max_score": doc.get("max_score", 0.0),
            "partial": bool(extra.get("partial", False)), "exercises": exercises if graded else {},
            "report": os.path.relpath(report, out), "submission": str(job.path),
            "seconds": None if start is None else round(time.monotonic() - start, 3),
            "errors": extra.get("errors", [])}


def _last_report(job: Job, out: Path) -> tuple[dict, str] | None:
    """The report ``job`` already has in ``out`` and its status (``graded`` or ``error``), or None."""
    try:
        doc = json.loads(report_path(out, job.student).read_text(encoding="utf-8"))
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
    return dict(_summary(job, last[1], last[0], report_path(out, job.student), out, None), stale=True)


def _summary_from_report(job: Job, out: Path, fp: str) -> dict | None:
    """The row of a finished, still valid report of ``job`` (same fingerprint), else ``None``."""
    last = _last_report(job, out)
    if last is None or (last[0]["extra_data"].get("batch") or {}).get("fingerprint") != fp:
        return None  # none yet, or another submission, other settings or another grader: grade again
    if last[1] == "error":
        return None  # an error may have been the machine's (a full disk, a killed grader): retry
    return _summary(job, "graded", last[0], report_path(out, job.student), out, None)


def _pool_init() -> None:
    os.environ.setdefault("MPLBACKEND", "Agg")
    # Ctrl-C is the batch's to handle (it stops the pool); a grader process dies with the batch
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    # warm up: the first submission should not pay for imports and the fork server
    from . import isolated

    try:
        isolated.fork_server()
    except RuntimeError:
        pass


def _die_with_parent() -> None:
    """Linux: have the kernel kill this process when the batch process dies (even by SIGKILL)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


def write_gradebook(rows: list[dict], out: Path) -> None:
    """Write ``gradebook.csv`` and ``gradebook.json`` (one row per student) into ``out``.

    In the CSV, the score and per-exercise points of a student whose grading failed (status
    ``error``) are left empty, not 0, so that importing it into a gradebook records no grade;
    ``errors`` says why. ``report`` is relative to ``out`` in both files.
    """
    rows = sorted(rows, key=lambda r: r["student"])
    fields = ["student", "status", "score", "max_score", "partial", *EXERCISES, "errors", "report", "submission"]
    tmp = out / ".gradebook.csv.tmp"
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        for r in rows:
            writer.writerow({"student": r["student"], "status": r["status"],
                             "score": "" if r.get("score") is None else r["score"],
                             "max_score": r["max_score"], "partial": str(bool(r.get("partial"))).lower(),
                             **{e: r["exercises"].get(e, "") for e in EXERCISES},
                             "errors": " | ".join(e.replace("\n", " ") for e in r.get("errors", []))[:1000],
                             "report": r["report"], "submission": r.get("submission", "")})
    os.replace(tmp, out / "gradebook.csv")
    write_json(out / "gradebook.json", {"students": rows, "exercises": list(EXERCISES),
                                        "max_score": POINTS_PER_EXERCISE * len(EXERCISES)})


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


def run_batch(submissions: Path, out: Path, *, jobs: int | None = None, force: bool = False,
              timeout: float = 10.0, progress: bool = True, extra_args: tuple[str, ...] = ()) -> list[dict]:
    """Grade every submission in ``submissions`` into ``out``; returns the gradebook rows.

    Raises:
        FileNotFoundError: ``submissions`` is not a directory.
        ValueError: two submissions of the same student.
    """
    submissions, out = submissions.resolve(), out.resolve()
    _check_paths(submissions, out)
    all_jobs = discover(submissions, exclude=(out,))
    if not all_jobs:
        raise ValueError(f"no submissions found in {submissions} (expected one sub-folder or .zip per student, or "
                         f"an nbgrader submitted/ tree) / 提出物が見つかりません")
    out.mkdir(parents=True, exist_ok=True)
    grader = _grader_digest()
    prints = {job.student: fingerprint(job, timeout=timeout, extra_args=extra_args, grader=grader) for job in all_jobs}
    rows: list[dict] = _earlier_rows(out, set(prints))
    todo: list[Job] = []
    for job in all_jobs:
        summary = None if force else _summary_from_report(job, out, prints[job.student])
        if summary is not None:
            summary["skipped"] = True
            rows.append(summary)
        else:
            todo.append(job)
    bar = _progress(len(all_jobs), len(all_jobs) - len(todo), enabled=progress)
    attempts: dict[str, int] = {}
    previous_term = signal.getsignal(signal.SIGTERM)
    if threading_is_main():
        signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        while todo:
            # a grader process that dies (it should not: student code runs in sandboxed workers, but
            # the kernel's OOM killer might pick it) costs a retry of the submissions in flight; a
            # submission in flight during two such deaths gets an error report, the others are graded
            workers = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
            ctx = multiprocessing.get_context("spawn")  # no listening socket a student process could reach
            retry: list[Job] = []
            # after a grader died: one pool per submission, `workers` submissions at a time
            alone = bool(attempts)
            current, later = (todo[:workers], todo[workers:]) if alone else (todo, [])
            pools = [cf.ProcessPoolExecutor(max_workers=1 if alone else workers, mp_context=ctx,
                                            initializer=_pool_init) for _ in (current if alone else [None])]
            pool = pools[0]
            try:
                futures = {(pools[i] if alone else pool).submit(
                    grade_one, job, out, timeout=timeout, extra_args=extra_args,
                    fingerprint=prints[job.student]): job for i, job in enumerate(current)}
                for future in cf.as_completed(futures):
                    job = futures[future]
                    try:
                        rows.append(future.result())
                    except Exception as exc:  # noqa: BLE001 - a lost grader process
                        # a grader process that died breaks the whole pool, so every submission in
                        # it is retried, each alone in a pool of its own: one that kills its grader
                        # again gets an error report, and no other student pays for it
                        attempts[job.student] = attempts.get(job.student, 0) + 1
                        if attempts[job.student] < 2:
                            retry.append(job)
                            continue
                        report = report_path(out, job.student)
                        doc = _error_report(report, str(job.path), f"grading crashed: {exc!r}")
                        rows.append(_summary(job, "error", doc, report, out, None))
                    bar.update(1)
                    write_gradebook(rows, out)
            except KeyboardInterrupt:
                for p in pools:
                    _stop_pool(p)
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
        if threading_is_main():
            signal.signal(signal.SIGTERM, previous_term)
    bar.close()
    write_gradebook(rows, out)
    return rows


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
    problem = _environment_problem()
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    if args.timeout <= 0 or (args.jobs is not None and args.jobs < 1):
        print("error: --timeout must be > 0 and --jobs >= 1", file=sys.stderr)
        return 2
    submissions, out = args.submissions.resolve(), args.out.resolve()
    if out.is_relative_to(submissions) and out != submissions:
        print(f"note: the output folder {out} is inside {submissions}; it is not graded as a submission",
              file=sys.stderr)
    try:
        rows = run_batch(submissions, out, jobs=args.jobs, force=args.force, timeout=args.timeout,
                         progress=not args.no_progress, extra_args=tuple(extra))
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BatchInterrupted as exc:
        print(f"interrupted / 中断: {len(exc.rows)} students in the gradebook {out / 'gradebook.csv'}; "
              "run the same command again to grade the rest", file=sys.stderr)
        return 130
    print(_console_summary(rows, out))
    return 0 if all(r["status"] == "graded" for r in rows) else 1


def _environment_problem() -> str | None:
    """Why grading cannot work in this Python (the workbook's plugins missing), else ``None``."""
    import importlib.util

    missing = [m for m in ("pytest", "pytest_jsonreport", "hypothesis", "torch", "scipy", "matplotlib")
               if importlib.util.find_spec(m) is None]
    if missing:
        return (f"this Python ({sys.executable}) lacks {', '.join(missing)}: run the batch with the workbook's "
                "environment, e.g. bash scripts/batch.sh ... (or .venv/bin/python -m autograder.batch ...) / "
                "ワークブックの環境 (scripts/batch.sh) で実行してください")
    return None


def _console_summary(rows: list[dict], out: Path) -> str:
    skipped = sum(bool(r.get("skipped")) for r in rows)
    now = [r for r in rows if not r.get("skipped") and not r.get("earlier")]
    errors = sum(r["status"] != "graded" for r in rows)
    lines = [f"{len(rows)} students in the gradebook {out / 'gradebook.csv'}: {len(now)} graded now, "
             f"{skipped} unchanged since the last run (not graded again), {errors} with errors"]
    for r in sorted(now, key=lambda r: r["student"]):
        if r["status"] == "graded":
            lines.append(f"  {r['student']}: {r['score']:g} / {r['max_score']:g}" + ("  (partial)" if r.get("partial") else ""))
    earlier = sum(bool(r.get("earlier")) for r in rows)
    if earlier:
        lines.append(f"  {earlier} students graded into this folder earlier, not in this folder of submissions, "
                     "keep their rows")
    for r in rows:
        if r["status"] != "graded":
            why = (r.get("errors") or ["see " + str(out / r["report"])])[0].splitlines()[0][:200]
            lines.append(f"  error: {r['student']}: {why}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
