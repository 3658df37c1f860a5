"""Students on Windows and macOS: local grading without POSIX signals or Linux-only modules.

* The per-test limit has a fallback for platforms without ``SIGALRM``/``pthread_kill`` (Windows):
  an asynchronous exception (:class:`autograder.submission.guard.ThreadInterrupter`). ``WORKBOOK_LIMIT_FALLBACK=1``
  forces it here, so it is tested on Linux: an endless loop costs only its own tests, a correct
  submission keeps full marks, and nothing fires after a test has ended.
* ``selftests/windows_like.py`` runs the grader in a process that lacks what Windows lacks
  (``resource``, ``fcntl``, ``pwd``, ``SIGALRM``, ``os.O_NONBLOCK``...): the local-mode grader
  and the student's commands must not need any of it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.submission.guard import FALLBACK_ENV, Deadline, ThreadInterrupter, WallLimit, WorkbookTimeout, signals_usable
from conftest import REPO, make_submission, run_grader

WINDOWS_LIKE = REPO / "selftests" / "windows_like.py"
HANG = "from solutions.ex1_vectors import *  # noqa\n\ndef cosine_similarity_matrix(A, B):\n    while True:\n        pass\n"


@pytest.fixture
def fallback(monkeypatch):
    monkeypatch.setenv(FALLBACK_ENV, "1")
    assert not signals_usable()


def _spin() -> None:
    while True:
        pass


# --- the fallback limit in this process --------------------------------------------------------

def test_fallback_deadline_counts_cpu_time_and_stops_an_endless_loop(fallback):
    with Deadline(0.3) as deadline:
        time.sleep(0.6)  # waiting is not CPU time
    assert deadline.method == "async"
    start = time.monotonic()
    with pytest.raises(WorkbookTimeout, match=r"Timeout \(>0.3s\) \(CPU time\)"):
        with Deadline(0.3):
            _spin()
    assert time.monotonic() - start < 5


def test_fallback_deadline_fires_again_after_a_bare_except(fallback):
    caught = []

    def swallow():
        while True:
            try:
                _spin()
            except BaseException as exc:  # noqa: BLE001 - what a student's bare except does
                caught.append(exc)
                if len(caught) == 3:
                    raise

    with pytest.raises(WorkbookTimeout):
        with Deadline(0.2):
            swallow()
    assert len(caught) == 3 and all(isinstance(e, WorkbookTimeout) for e in caught)


def test_fallback_wall_clock_backstop_stops_code_that_waits_in_short_calls(fallback):
    start = time.monotonic()
    with pytest.raises(WorkbookTimeout, match="wall-clock backstop"):
        with Deadline(0.05):
            for _ in range(300):
                time.sleep(0.1)
    assert time.monotonic() - start < 10


def test_fallback_never_fires_after_the_test_has_ended(fallback):
    """Tests that end just around their limit: a time-out sent late never reaches later code."""
    late = 0
    for i in range(40):
        try:
            with Deadline(0.05):
                t = time.thread_time()
                while time.thread_time() - t < 0.03 + 0.002 * i:
                    pass
        except WorkbookTimeout:
            pass
        try:
            for _ in range(3):
                time.sleep(0.003)
                sum(range(3000))
        except WorkbookTimeout:
            late += 1
    assert late == 0


def test_thread_interrupter_reports_a_thread_that_is_gone():
    import threading

    worker = threading.Thread(target=lambda: None)
    worker.start()
    worker.join()
    assert ThreadInterrupter(worker.ident).send(WorkbookTimeout, "x") is False


def test_fallback_wall_limit_of_figure_drawing(fallback):
    class Stop(BaseException):
        pass

    start = time.monotonic()
    with pytest.raises(Stop):
        with WallLimit(0.3, Stop):
            _spin()
    assert time.monotonic() - start < 5
    with WallLimit(0.2, Stop):
        pass
    time.sleep(0.4)  # nothing fires after the block


# --- whole grading runs --------------------------------------------------------------------------

def _check_hang_costs_only_its_tests(run) -> None:
    assert run.score is not None, run.output[-3000:]
    tasks = run.task_scores("ex1_vectors")
    assert tasks["cosine_similarity_matrix"][0] == 0
    assert all(got == top for task, (got, top) in tasks.items() if task != "cosine_similarity_matrix"), tasks
    outcomes = {t["extra_data"]["outcome"] for t in run.score["tests"]
                if t["extra_data"]["task"] == "cosine_similarity_matrix"}
    assert outcomes == {"timeout"}, run.outcomes()
    assert any("timed out (limit 2 s of CPU time)" in t["output"] for t in run.score["tests"])
    others = {e: s for e, s in run.exercise_scores().items() if e != "ex1_vectors"}
    assert others == {e: 20.0 for e in others}


def test_forced_fallback_grades_like_the_signal_limit(tmp_path):
    """WORKBOOK_LIMIT_FALLBACK=1: an endless loop costs only its tests; every other test keeps its points."""
    sub = make_submission(tmp_path, replace={"ex1_vectors": HANG})
    run = run_grader(sub, tmp_path, "--workbook-timeout=2", timeout=900, env_extra={FALLBACK_ENV: "1"})
    _check_hang_costs_only_its_tests(run)


def _windows_like(args: list[str], tmp: Path, **env: str) -> subprocess.CompletedProcess:
    full = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), str(REPO / "selftests")]), MPLBACKEND="Agg",
                WORKBOOK_LANG="both", **env)
    full.pop("PYTEST_ADDOPTS", None)
    full.pop(FALLBACK_ENV, None)
    return subprocess.run([sys.executable, str(WINDOWS_LIKE), *args], cwd=REPO, env=full, capture_output=True,
                          text=True, errors="replace", timeout=900, stdin=subprocess.DEVNULL)


def test_grading_where_posix_signals_and_modules_do_not_exist(tmp_path):
    """As on Windows: no SIGALRM, no resource/fcntl/pwd, no os.O_NONBLOCK. The grader picks the
    fallback limit by itself, grades as on Linux, writes the HTML report, and imports nothing of
    the isolated workers."""
    import json

    from conftest import GradeRun

    sub = make_submission(tmp_path, replace={"ex1_vectors": HANG})
    modules = tmp_path / "modules.txt"
    score, html = tmp_path / "score.json", tmp_path / "report.html"
    proc = _windows_like(["-p", "no:cacheprovider", f"--workbook={sub}", f"--score-report={score}",
                          f"--html-report={html}", "--workbook-timeout=2"], tmp_path,
                         WINDOWS_LIKE_MODULES=str(modules))
    doc = json.loads(score.read_text(encoding="utf-8")) if score.exists() else None
    _check_hang_costs_only_its_tests(GradeRun(proc.returncode, proc.stdout + proc.stderr, doc, None))
    loaded = set(modules.read_text(encoding="utf-8").split())
    assert {"autograder.grading.plugin", "autograder.submission.guard", "autograder.submission.loader", "autograder.results.htmlreport"} <= loaded
    assert not loaded & {"autograder.submission.isolated", "autograder.submission.sandbox", "autograder.submission.sandboxserver",
                         "autograder.submission.sandboxfs", "autograder.classroom.batch", "autograder.submission.codec"}
    assert html.read_text(encoding="utf-8").count("data:image/png;base64,") >= 3  # figures drawn


def test_the_students_commands_import_without_posix_modules(tmp_path):
    code = (
        "import windows_like, sys\n"
        "windows_like.reduce_platform()\n"
        "import autograder.apps.cli, autograder.grading.workspace, autograder.classroom.hints, autograder.results.htmlreport, autograder.grading.incell\n"
        "import autograder.apps.ci, autograder.results.report, autograder.results.digest\n"
        "assert autograder.apps.cli.main(['hint', 'ex1', 'cosine_similarity', '--level', '1']) == 0\n"
    )
    full = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), str(REPO / "selftests")]), WORKBOOK_LANG="en")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=full, capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_workbook_check_where_the_console_has_a_japanese_code_page(tmp_path):
    """Japanese Windows: a redirected console or pipe has the code page cp932, which lacks some
    characters the grader prints (✗, ›). `workbook check` neither crashes nor garbles its own
    grading run (the pytest run it starts talks to it in UTF-8)."""
    from conftest import make_workbook

    root = make_workbook(tmp_path, solved=("ex1_vectors",))
    env = dict(os.environ, PYTHONPATH=str(root), MPLBACKEND="Agg", WORKBOOK_LANG="both", NO_COLOR="1",
               PYTHONIOENCODING="cp932")
    env.pop("PYTEST_ADDOPTS", None)
    proc = subprocess.run([sys.executable, "-m", "autograder.cli", "check", "ex3", "--no-html"], cwd=root, env=env,
                          capture_output=True, timeout=600, stdin=subprocess.DEVNULL)
    out = proc.stdout.decode("cp932") + proc.stderr.decode("cp932")
    assert proc.returncode == 1, out  # some tests failed: graded, not broken (2)
    assert "first failure: softmax" in out and "最初の失敗" in out and "未実装です: softmax" in out, out
    assert "Traceback" not in out


def test_the_readmes_path_without_bash_matches_the_install_and_the_commands():
    """The README's Windows/macOS commands: plain venv, pip, workbook and pytest; the same pins and
    torch index as the set-up script and the CI template; subcommands and options that exist."""
    import re
    import shlex

    import yaml

    from autograder.apps.cli import build_parser

    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("### Windows and macOS without bash", 1)[1].split("\n### ", 1)[0]
    blocks = re.findall(r"```(bat|bash)\n(.*?)```", section, flags=re.S)
    assert [lang for lang, _ in blocks] == ["bat", "bash"]
    windows = [ln for ln in blocks[0][1].splitlines() if ln.strip()]
    unix = [ln for ln in blocks[1][1].splitlines() if ln.strip() and not ln.startswith("#")]
    assert windows[0] == "py -3.11 -m venv .venv" and unix[0] == "python3.11 -m venv .venv"
    assert all(ln.startswith(".venv\\Scripts\\") for ln in windows[1:]), windows
    assert all(ln.startswith(".venv/bin/") for ln in unix[1:]), unix
    # the same commands on both systems, but for Linux's torch line
    as_unix = [ln.replace(".venv\\Scripts\\", ".venv/bin/") for ln in windows[1:]]
    torch_line = next(ln for ln in unix if "--index-url" in ln)
    assert [ln for ln in unix[1:] if ln != torch_line] == as_unix

    workflow = yaml.safe_load((REPO / "templates" / "github" / "workflows" / "grade.yml").read_text(encoding="utf-8"))
    install = next(s for s in workflow["jobs"]["grade"]["steps"] if s.get("id") == "install")
    main_install = install["run"].strip().splitlines()[-1].strip()
    assert f".venv/bin/{main_install}" in as_unix  # python -m pip install -c constraints.txt -e .
    pin = next(ln.strip() for ln in (REPO / "constraints.txt").read_text().splitlines() if ln.startswith("torch=="))
    cpu_index = re.search(r"'(https://[^']+)'", install["env"]["TORCH_INDEX"]).group(1)
    assert torch_line == f".venv/bin/python -m pip install --no-deps --index-url {cpu_index} {pin}"
    assert f'TORCH_CPU_INDEX="{cpu_index}"' in (REPO / "scripts" / "_env.sh").read_text(encoding="utf-8")

    parser = build_parser()
    for line in as_unix:
        words = shlex.split(line)
        if words[0] == ".venv/bin/workbook":
            parser.parse_args(words[1:])  # exits (SystemExit) on an unknown command or option
    mentioned = re.findall(r"`\.venv\\Scripts\\(workbook [^`]+|pytest [^`]+)`", section)
    assert mentioned, section
    for command in mentioned:
        words = shlex.split(command.replace("\\", "/"))
        if words[0] == "workbook":
            parser.parse_args(words[1:])
