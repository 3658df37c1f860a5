"""Helpers for the project's own tests: run the grader in a subprocess and read its reports."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SOLUTIONS = REPO / "solutions"
EXERCISES_DIR = REPO / "exercises"
VARIANTS = REPO / "selftests" / "variants"

sys.path.insert(0, str(REPO))  # variants do `from solutions.<module> import *`

# Messages in both languages whatever the developer's locale: the tests look for Japanese and
# English text. Tests of one language set WORKBOOK_LANG (or --lang) themselves.
os.environ["WORKBOOK_LANG"] = "both"


@dataclass
class GradeRun:
    """One run of the grader: exit code, terminal output, the score report and the raw report."""

    returncode: int
    output: str
    score: dict[str, Any] | None
    raw: dict[str, Any] | None

    def exercise_scores(self) -> dict[str, float]:
        assert self.score is not None, self.output
        return {e["exercise"]: e["score"] for e in self.score["extra_data"]["exercises"]}

    def task_scores(self, exercise: str) -> dict[str, tuple[float, float]]:
        assert self.score is not None, self.output
        for e in self.score["extra_data"]["exercises"]:
            if e["exercise"] == exercise:
                return {t["task"]: (t["score"], t["max_score"]) for t in e["tasks"]}
        raise KeyError(exercise)

    def outcomes(self) -> dict[str, str]:
        assert self.score is not None, self.output
        return {t["extra_data"]["nodeid"]: t["extra_data"]["outcome"] for t in self.score["tests"]}


def run_grader(target: Path | str, tmp: Path, *args: str, timeout: float = 600,
               env_extra: dict[str, str] | None = None) -> GradeRun:
    """Run ``python -m pytest --workbook=TARGET`` from the repository root, as a student would.

    ``env_extra`` adds or overrides environment variables (e.g. ``WORKBOOK_LANG``).
    """
    score = tmp / "score.json"
    raw = tmp / "pytest-report.json"
    env = dict(os.environ, PYTHONPATH=str(REPO), MPLBACKEND="Agg", WORKBOOK_LANG="both")
    env.update(env_extra or {})
    env.pop("PYTEST_ADDOPTS", None)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"--workbook={target}",
         f"--score-report={score}", f"--json-report-file={raw}", *args],
        cwd=REPO, env=env, capture_output=True, text=True, errors="replace", timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    load = lambda p: json.loads(p.read_text(encoding="utf-8")) if p.exists() else None  # noqa: E731
    return GradeRun(proc.returncode, proc.stdout + proc.stderr, load(score), load(raw))


def make_submission(tmp: Path, replace: dict[str, Path | str] | None = None, drop: tuple[str, ...] = ()) -> Path:
    """A copy of solutions/ with some modules replaced (by a file or by source text) or removed."""
    sub = tmp / "submission"
    shutil.copytree(SOLUTIONS, sub, ignore=shutil.ignore_patterns("__pycache__"))
    for name, content in (replace or {}).items():
        text = content.read_text(encoding="utf-8") if isinstance(content, Path) else content
        (sub / f"{name}.py").write_text(text, encoding="utf-8")
    for name in drop:
        (sub / f"{name}.py").unlink()
    return sub


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], Any]) -> Any:
    """What ``build(folder)`` returns, built once for the whole run even with pytest-xdist.

    Session (and module) fixtures are built once *per xdist worker*; the expensive ones (the
    red-team batches, full graded runs) would run twice, side by side on two cores. This is
    pytest-xdist's documented recipe: the first worker builds under a file lock in the run's shared
    temporary folder and leaves the result there as JSON; the others wait for the lock and read it.
    ``build`` gets a folder that all workers see and returns JSON data (paths as strings).
    """
    from filelock import FileLock

    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        return build(tmp_path_factory.mktemp(name))
    shared = tmp_path_factory.getbasetemp().parent
    done = shared / f"{name}.json"
    with FileLock(str(shared / f"{name}.lock")):
        if done.is_file():
            return json.loads(done.read_text(encoding="utf-8"))
        folder = shared / name
        shutil.rmtree(folder, ignore_errors=True)  # what a worker that failed to build left
        folder.mkdir()
        result = build(folder)
        done.write_text(json.dumps(result), encoding="utf-8")
        return result


@pytest.fixture(scope="session")
def solutions_run(tmp_path_factory: pytest.TempPathFactory) -> GradeRun:
    return GradeRun(**built_once(tmp_path_factory, "solutions", lambda tmp: asdict(run_grader(SOLUTIONS, tmp))))


@pytest.fixture(scope="session")
def stubs_run(tmp_path_factory: pytest.TempPathFactory) -> GradeRun:
    return GradeRun(**built_once(tmp_path_factory, "stubs", lambda tmp: asdict(run_grader(EXERCISES_DIR, tmp))))


def make_workbook(tmp: Path, solved: tuple[str, ...] = (), *, with_solutions: bool = True) -> Path:
    """A scratch copy of the workbook (grader, graded tests, pyproject) for the ``workbook`` tool.

    ``exercises/`` holds the stubs generated from ``solutions/``, except the ``solved`` exercises,
    which hold the reference solution. ``with_solutions`` also copies ``solutions/``.
    """
    from autograder.classroom.stubs import make_stub

    root = tmp / "workbook"
    root.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "stubs", "figures")
    shutil.copytree(REPO / "autograder", root / "autograder", ignore=ignore)
    shutil.copytree(REPO / "tests", root / "tests", ignore=ignore)
    for name in ("pyproject.toml", "constraints.txt", "README.md"):
        shutil.copy2(REPO / name, root / name)
    if with_solutions:
        shutil.copytree(SOLUTIONS, root / "solutions", ignore=ignore)
    (root / "exercises").mkdir()
    for path in sorted(SOLUTIONS.glob("ex*.py")):
        text = path.read_text(encoding="utf-8")
        (root / "exercises" / path.name).write_text(text if path.stem in solved else make_stub(text), encoding="utf-8")
    return root


def run_cli(root: Path, *args: str, env_extra: dict[str, str] | None = None, timeout: float = 600,
            input: str | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m autograder.cli ARGS`` (the ``workbook`` command) in ``root``, as a student would."""
    env = dict(os.environ, PYTHONPATH=str(root), MPLBACKEND="Agg", WORKBOOK_LANG="both", NO_COLOR="1")
    env.pop("PYTEST_ADDOPTS", None)
    env.pop("WORKBOOK_ROOT", None)
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "autograder.cli", *args], cwd=root, env=env, capture_output=True,
                          text=True, timeout=timeout, input=input, stdin=None if input is not None else subprocess.DEVNULL)


@contextmanager
def isolated_with(tmp: Path, text: str, name: str = "ex1_vectors") -> Iterator[Any]:
    """An :class:`IsolatedSubmission` of one exercise file ``name`` holding ``text`` (closed after use)."""
    from autograder.submission.isolated import IsolatedSubmission

    sub = tmp / "sub"
    sub.mkdir()
    (sub / f"{name}.py").write_text(text)
    target = IsolatedSubmission(sub, call_timeout=30)
    try:
        yield target
    finally:
        target.close()


def load_student_module(path: Path, marked: bool) -> Any:
    """Execute the file ``path`` as a module, compiled as the grader compiles a submission's file
    (``marked``: with the run-time check's entry marks) or as Python does (without)."""
    import types

    from autograder.checks import ruleguard

    source = path.read_text(encoding="utf-8")
    module = types.ModuleType(path.stem)
    module.__file__ = str(path)
    if marked:
        code, ok = ruleguard.compile_submission(source, str(path))
        assert ok, "the grader could not add its entry marks"
    else:
        code = compile(source, str(path), "exec")
    exec(code, module.__dict__)  # noqa: S102 - a test's own module
    return module
