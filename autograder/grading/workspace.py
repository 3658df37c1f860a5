"""A student's working copy as the ``workbook`` command sees it: where things are, what was graded.

* :func:`find_root` — the workbook directory (``tests/`` and ``exercises/`` in it).
* :func:`grade` — run the pytest grader in a subprocess (never re-implemented here) and read its
  JSON score report.
* :class:`State` — ``.workbook/state.json`` (git-ignored): the latest results per exercise (so a
  ``check`` of one exercise does not hide the others) and how many hint levels were shown.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import EXERCISES, __version__
from ..core.exercises import NAME
from ..core.i18n import bilingual, get_language
from ..core.paths import REPO_ROOT
from ..results.report import results_document, score_table, write_json

STATE_DIR = ".workbook"
STATE_FILE = "state.json"
STATE_VERSION = 1


class WorkbookError(RuntimeError):
    """A user-facing error of the ``workbook`` command (the message is bilingual)."""


def _is_root(path: Path) -> bool:
    return (path / "tests" / "conftest.py").is_file() and (path / "pyproject.toml").is_file() and any(
        NAME.fullmatch(p.stem[len("test_"):]) for p in (path / "tests").glob("test_ex*.py"))


def find_root(start: Path | None = None) -> Path:
    """The workbook directory: ``$WORKBOOK_ROOT``, else the nearest parent of ``start`` (default:
    the current directory) holding ``pyproject.toml`` and ``tests/test_<exercise>.py``, else the
    directory the package was installed from.

    Raises:
        WorkbookError: none of these is a workbook.
    """
    env = os.environ.get("WORKBOOK_ROOT")
    if env:
        path = Path(env).expanduser().resolve()
        if not _is_root(path):
            raise WorkbookError(bilingual(
                f"WORKBOOK_ROOT={env} は演習ワークブックのディレクトリではありません (tests/ がありません)。",
                f"WORKBOOK_ROOT={env} is not a workbook directory (no tests/ in it).",
            ))
        return path
    here = (start or Path.cwd()).resolve()
    for path in (here, *here.parents):
        if _is_root(path):
            return path
    if _is_root(REPO_ROOT):
        return REPO_ROOT
    raise WorkbookError(bilingual(
        "演習ワークブックのディレクトリが見つかりません。ワークブックの中で実行するか WORKBOOK_ROOT を設定してください。",
        "no workbook directory found: run this inside the workbook, or set WORKBOOK_ROOT.",
    ))


def file_sha256(path: Path) -> str | None:
    """SHA-256 of a file's bytes (None if it cannot be read)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def task_digests(path: Path, tasks: set[str] | list[str]) -> dict[str, str]:
    """A digest per task of an exercise file, read statically (:mod:`ast`, never run): the task's
    own top-level function or class, plus every top-level statement that is not another task's
    definition nor ``HINTS`` (imports, constants, helpers — what every task may use). Editing one
    task's function changes only that task's digest; comments and blank lines change none.

    Returns:
        task → hex digest, for the tasks defined at the top level of the file; {} when the file
        cannot be read or parsed (the caller then compares the whole file).
    """
    import ast

    try:
        tree = ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return {}
    wanted = set(tasks)
    own: dict[str, str] = {}
    shared = []
    for node in tree.body:
        name = getattr(node, "name", None) if isinstance(
            node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) else None
        if name in wanted:
            own[name] = ast.dump(node)
        elif not (isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "HINTS" for t in node.targets)):
            shared.append(ast.dump(node))
    common = hashlib.sha256("\n".join(shared).encode()).hexdigest()
    return {name: hashlib.sha256(f"{common}\n{dump}".encode()).hexdigest() for name, dump in own.items()}


def now_iso() -> str:
    """The current UTC time as ISO 8601 (seconds)."""
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


# --- grading through pytest -------------------------------------------------------------------

@dataclass
class GradeResult:
    """One run of the pytest grader.

    Attributes:
        returncode: pytest's exit code (0 all passed, 1 some failed, 2 interrupted, 3 internal
            error, 4 usage error, 5 no tests).
        document: the JSON score report (None if pytest wrote none).
        output: pytest's terminal output (stdout and stderr).
        score_path: where the report goes; it (and the HTML report) is replaced only by a run
            that graded at least one test, so a run that selected none keeps the latest ones.
    """

    returncode: int
    document: dict[str, Any] | None
    output: str
    score_path: Path


def grade(root: Path, target: Path, *, exercises: list[str] | None = None, tasks: list[str] | None = None,
          score_path: Path, html_path: Path | None = None, extra_args: list[str] | None = None,
          timeout: float | None = None) -> GradeResult:
    """Run ``python -m pytest --workbook=TARGET ...`` in ``root`` and read the score report.

    Args:
        root: the workbook directory (its ``pyproject.toml`` turns grading on).
        target: the directory to grade (laid out like ``exercises/``).
        exercises: grade only these exercises (None: all).
        tasks: grade only these tasks (None: all).
        score_path: where the JSON score report goes (absolute or relative to the current dir).
        html_path: also write the HTML report there.
        extra_args: more pytest arguments.
        timeout: seconds before the whole run is stopped (None: no limit).

    Returns:
        :class:`GradeResult`. The language in force (:func:`autograder.core.i18n.get_language`) is
        passed on through ``WORKBOOK_LANG``.
    """
    score_path = score_path.resolve()
    # the run writes beside the final files and they are replaced only by a run that graded
    # something: a run that selected no test (a wrong --task or -k) keeps the latest reports
    # (in a scratch folder beside them, with the same names: the raw pytest-report.json follows)
    scratch = score_path.parent / f".grading-{os.getpid()}-{time.monotonic_ns()}"
    score_tmp = scratch / score_path.name
    html_tmp = scratch / "html" / html_path.name if html_path is not None else None
    try:  # inside the workbook: the same label as a plain `pytest` run ("exercises")
        shown = target.resolve().relative_to(root.resolve())
    except ValueError:
        shown = target.resolve()
    cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"--workbook={shown}",
           f"--score-report={score_tmp}", "-q", "--no-header"]
    for name in exercises or []:
        cmd.append(f"--exercise={name}")
    for name in tasks or []:
        cmd.append(f"--task={name}")
    if html_tmp is not None:
        cmd.append(f"--html-report={html_tmp}")
    cmd += extra_args or []
    # UTF-8 both ways: on Windows a pipe otherwise has the locale's code page (cp932...), which
    # cannot encode every character of the messages
    env = dict(os.environ, WORKBOOK_LANG=get_language(), MPLBACKEND="Agg", PYTHONPATH=_pythonpath(root),
               PYTHONIOENCODING="utf-8")
    env.pop("PYTEST_ADDOPTS", None)
    try:
        proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, encoding="utf-8", errors="replace",
                              timeout=timeout, stdin=subprocess.DEVNULL)
        document = None
        if score_tmp.exists():
            try:
                document = json.loads(score_tmp.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                document = None
        if document is not None and document.get("tests"):
            for written in scratch.iterdir():
                if written.is_file():
                    os.replace(written, score_path.parent / written.name)
            if html_tmp is not None and html_tmp.exists():
                html_path.resolve().parent.mkdir(parents=True, exist_ok=True)
                os.replace(html_tmp, html_path.resolve())
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return GradeResult(proc.returncode, document, proc.stdout + proc.stderr, score_path)


def _pythonpath(root: Path) -> str:
    """``root`` first, so a workbook copy grades with its own ``autograder`` package."""
    rest = os.environ.get("PYTHONPATH", "")
    return str(root) + (os.pathsep + rest if rest else "")


# --- state ------------------------------------------------------------------------------------

class State:
    """``<root>/.workbook/state.json``: latest results per target and exercise, hint levels shown.

    The file is small, git-ignored and rewritten atomically; a missing or corrupt file is an
    empty state (nothing is lost that grading cannot give back).
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / STATE_DIR / STATE_FILE
        self.data: dict[str, Any] = {"version": STATE_VERSION, "hints": {}, "results": {}}
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(loaded, dict) and loaded.get("version") == STATE_VERSION:
                self.data.update(loaded)
        except (OSError, ValueError):
            pass

    def save(self) -> None:
        """Write the state (atomically)."""
        write_json(self.path, self.data)

    # hints
    def hint_level(self, exercise: str, task: str) -> int:
        """How many hint levels of ``exercise › task`` were shown (0 if none)."""
        return int(self.data["hints"].get(f"{exercise}/{task}", 0))

    def set_hint_level(self, exercise: str, task: str, level: int) -> None:
        """Record that hint levels 1..``level`` were shown (0 forgets them)."""
        key = f"{exercise}/{task}"
        if level <= 0:
            self.data["hints"].pop(key, None)
        else:
            self.data["hints"][key] = int(level)

    # results
    def _key(self, target: Path) -> str:
        try:
            return str(target.resolve().relative_to(self.root))
        except ValueError:
            return str(target.resolve())

    def results(self, target: Path) -> dict[str, dict[str, Any]]:
        """The latest recorded results of ``target``, exercise → record (see :meth:`record`)."""
        return self.data["results"].get(self._key(target), {})

    def record(self, target: Path, document: dict[str, Any], *, graded_at: float | None = None,
               sources: dict[str, str | None] | None = None,
               digests: dict[str, dict[str, str]] | None = None) -> list[str]:
        """Keep the results of every exercise graded in ``document`` (a JSON score report).

        A run of some tasks only (``--task``, ``-k``) updates only what it graded: the tests it ran
        replace their earlier results, and every other test of the exercise keeps its earlier
        result (and points). Each test remembers the SHA-256 of the file it was graded on
        (``test_sources``), so results graded on an earlier version of the file can be told
        apart (:func:`stale_tasks`).

        Args:
            target: the graded directory.
            document: the score report (Gradescope results.json schema).
            graded_at: when the grading started (epoch seconds; default now).
            sources: exercise → SHA-256 of its file when it was graded (None: unknown).
            digests: exercise → :func:`task_digests` of its file when it was graded: a test
                then counts as graded on an earlier version only when its task's own code (or
                the code all tasks share) changed, not on any edit of the file.

        Returns:
            The exercises recorded. An exercise none of whose tests ran (a task filter) is left
            as it was.
        """
        graded_at = time.time() if graded_at is None else graded_at
        store = self.data["results"].setdefault(self._key(target), {})
        recorded = []
        stamp = _dt.datetime.fromtimestamp(graded_at, _dt.timezone.utc).replace(microsecond=0).isoformat()
        for summary in document.get("extra_data", {}).get("exercises", []):
            name = summary.get("exercise")
            if name not in EXERCISES:
                continue
            source = (sources or {}).get(name)
            tests = [t for t in document.get("tests", []) if t.get("extra_data", {}).get("exercise") == name]
            marks = (digests or {}).get(name) or {}
            test_sources = {_nodeid(t): _source_mark(source, marks.get(t.get("extra_data", {}).get("task", "")))
                            for t in tests}
            all_tasks = self._all_tasks(name)
            ran_tasks = {t["task"] for t in summary.get("tasks", [])}
            old = store.get(name)
            if old and old.get("tests") and ran_tasks != all_tasks:
                tests, test_sources = _merge_tests(old, tests, test_sources)
                summary = exercise_summary(name, tests)
            store[name] = {
                "graded_at": graded_at,
                "graded_at_iso": stamp,
                "source_sha256": source,
                "summary": summary,
                "tests": tests,
                "test_sources": test_sources,
                "partial": {t["task"] for t in summary.get("tasks", [])} != all_tasks if all_tasks else
                bool(document.get("extra_data", {}).get("partial")),
                "errors": [e for e in document.get("extra_data", {}).get("errors", []) if name in e],
            }
            recorded.append(name)
        return recorded

    def _all_tasks(self, exercise: str) -> set[str]:
        """The task names of ``exercise`` in this workbook's graded tests (read statically)."""
        from ..core.tasks import tasks_of

        try:
            return {t.name for t in tasks_of(exercise, self.root / "tests" / f"test_{exercise}.py")}
        except (OSError, SyntaxError, ValueError):
            return set()

    def import_report(self, target: Path, report: Path) -> list[str]:
        """Take in a score report written by a plain ``pytest`` run, if it is newer than what is kept.

        An exercise whose file changed after the report was written is recorded as of unknown
        source (so it shows as "changed since graded").

        Returns:
            The exercises taken in.
        """
        try:
            mtime = report.stat().st_mtime
            document = json.loads(report.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        label = str(document.get("extra_data", {}).get("target", ""))
        label_path = Path(label).expanduser()
        label_path = label_path if label_path.is_absolute() else self.root / label_path
        if not label or label_path.resolve() != target.resolve():
            return []
        current = self.results(target)
        names = [e.get("exercise") for e in document.get("extra_data", {}).get("exercises", [])]
        if names and all(name in current and current[name]["graded_at"] >= mtime for name in names):
            return []
        sources, digests = {}, {}
        for name in names:
            path = target / f"{name}.py"
            try:
                unchanged = path.stat().st_mtime <= mtime
            except OSError:
                unchanged = True
            sources[name] = file_sha256(path) if unchanged else None
            if unchanged:
                digests[name] = task_digests(path, self._all_tasks(name))
        keep = {n: current[n] for n in names if n in current and current[n]["graded_at"] >= mtime}
        recorded = self.record(target, document, graded_at=mtime, sources=sources, digests=digests)
        self.data["results"][self._key(target)].update(keep)
        return recorded

    def merged_document(self, target: Path, *, label: str) -> dict[str, Any] | None:
        """One score report made of the latest results of every recorded exercise (None if none).

        ``extra_data.graded_at`` maps each exercise to when it was graded.
        """
        results = self.results(target)
        if not results:
            return None
        order = [name for name in EXERCISES if name in results]
        tests = [t for name in order for t in results[name]["tests"]]
        summaries = [results[name]["summary"] for name in order]
        errors = [e for name in order for e in results[name].get("errors", [])]
        score = float(sum(s.get("score", 0.0) for s in summaries))
        max_score = float(sum(s.get("max_score", 0.0) for s in summaries))
        partial = len(order) < len(EXERCISES) or any(results[n].get("partial") for n in order)
        return results_document(
            score=score,
            max_score=max_score,
            execution_time=0.0,
            output=_merged_table(tests, label, partial),
            tests=tests,
            extra_data={
                "workbook_version": __version__,
                "target": label,
                "exit_status": None,
                "partial": partial,
                "errors": errors,
                "exercises": summaries,
                "graded_at": {name: results[name]["graded_at_iso"] for name in order},
            },
        )


def _nodeid(test: dict[str, Any]) -> str:
    return str(test.get("extra_data", {}).get("nodeid") or test.get("name", ""))


def _merge_tests(old: dict[str, Any], new: list[dict[str, Any]],
                 new_sources: dict[str, str | None]) -> tuple[list[dict[str, Any]], dict[str, str | None]]:
    """The tests of an exercise after a partial run: ``new`` replaces the same tests of ``old``,
    every other test of ``old`` is kept (in the old order; tests new to the record go last)."""
    by_id = {_nodeid(t): t for t in new}
    old_sources = old.get("test_sources") or {}
    merged, sources = [], {}
    for test in old["tests"]:
        key = _nodeid(test)
        if key in by_id:
            merged.append(by_id.pop(key))
            sources[key] = new_sources.get(key)
        else:
            merged.append(test)
            sources[key] = old_sources.get(key, old.get("source_sha256"))
    for key, test in by_id.items():
        merged.append(test)
        sources[key] = new_sources.get(key)
    return merged, sources


def exercise_summary(exercise: str, tests: list[dict[str, Any]]) -> dict[str, Any]:
    """``extra_data.exercises[]`` of a score report, computed from the exercise's test entries."""
    from ..results.report import TITLES

    tasks: dict[str, list[float]] = {}
    for t in tests:
        task = tasks.setdefault(t.get("extra_data", {}).get("task", ""), [0.0, 0.0])
        task[0] += float(t.get("score", 0.0))
        task[1] += float(t.get("max_score", 0.0))
    ja, en = TITLES.get(exercise, ("", ""))
    return {
        "exercise": exercise,
        "title_ja": ja,
        "title_en": en,
        "score": float(sum(float(t.get("score", 0.0)) for t in tests)),
        "max_score": float(sum(float(t.get("max_score", 0.0)) for t in tests)),
        "tests_passed": sum(t.get("status") == "passed" for t in tests),
        "tests_total": len(tests),
        "tasks": [{"task": k, "score": v[0], "max_score": v[1]} for k, v in tasks.items()],
    }


def _source_mark(file_sha: str | None, task_digest: str | None) -> str | None:
    """What a test remembers of the file it was graded on: ``task:<digest>`` (its task's code,
    :func:`task_digests`) when known, else the file's SHA-256 (None: unknown)."""
    if file_sha is None:
        return None
    return f"task:{task_digest}" if task_digest else file_sha


def stale_tasks(record: dict[str, Any], current_sha256: str | None,
                current_digests: dict[str, str] | None = None) -> list[str]:
    """The tasks of a stored exercise record with a result graded on another version of the task
    than the file as it is now; [] when every result is of this version.

    Args:
        record: the stored record of the exercise.
        current_sha256: SHA-256 of the file now.
        current_digests: :func:`task_digests` of the file now. A result recorded with its task's
            digest is older only when that digest changed (editing another task's function does
            not make it older); a result recorded with the file's SHA-256 (an older record, or a
            task that is not a top-level function) when the file changed.
    """
    sources = record.get("test_sources") or {}
    digests = current_digests or {}
    out: list[str] = []
    for test in record.get("tests", []):
        sha = sources.get(_nodeid(test), record.get("source_sha256"))
        task = test.get("extra_data", {}).get("task", "")
        if isinstance(sha, str) and sha.startswith("task:"):
            older = current_sha256 is None or digests.get(task) != sha[len("task:"):]
        else:
            older = sha is None or sha != current_sha256
        if older and task not in out:
            out.append(task)
    return out


def _merged_table(tests: list[dict[str, Any]], label: str, partial: bool) -> str:
    """The score table of stored test entries (what :func:`autograder.results.report.score_table` prints)."""
    from ..results.report import TestResult

    results = [
        TestResult(nodeid=t.get("extra_data", {}).get("nodeid", ""), exercise=t.get("extra_data", {}).get("exercise", ""),
                   task=t.get("extra_data", {}).get("task", ""), name=t.get("name", ""), description="",
                   points=float(t.get("max_score", 0.0)), outcome=t.get("extra_data", {}).get("outcome", "failed"))
        for t in tests
    ]
    return score_table(results, label, partial=partial)
