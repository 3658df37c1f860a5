"""Batch grading on a Dask cluster (issue 14, section 1): ``workbook-batch SUBMISSIONS --out OUT --dask``.

The same unit of work on a 2-worker ``LocalCluster`` gives the same reports and gradebook as the
local process pool; a Dask worker killed while grading costs that student one retry and then an
error row (no one else pays); Ctrl-C / SIGTERM stops the batch and leaves no process; a second
run grades nobody. The warm grading interpreter each Dask worker thread keeps
(``classroom.cluster.grade_in_warm_interpreter``) grades one submission after another, is never
shared by two threads, and one that is killed costs only the submission it was grading.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import REPO, SOLUTIONS
from test_batch import _alive, _descendants

pytest.importorskip("distributed", reason="the [dask] extra is not installed")

ARGS = ("--exercise", "ex1_vectors", "--no-hidden")
#: Fields that say how long something took: the only ones allowed to differ between executors.
TIMING = {"execution_time", "seconds", "duration"}
LOOP = "\n\ndef cosine_similarity(a, b):\n    while True:\n        pass\n"


def _student(subs: Path, name: str, extra: str = "") -> None:
    shutil.copytree(SOLUTIONS, subs / name, ignore=shutil.ignore_patterns("__pycache__"))
    if extra:
        path = subs / name / "ex1_vectors.py"
        path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")


def _command(subs: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "autograder.batch", str(subs), "--out", str(out), "--no-progress", *extra, *ARGS]


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(REPO), MPLBACKEND="Agg")


def _run(subs: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(_command(subs, out, *extra), cwd=REPO, env=_env(), capture_output=True, text=True,
                          timeout=900, stdin=subprocess.DEVNULL)


def _untimed(value):
    if isinstance(value, dict):
        return {k: _untimed(v) for k, v in value.items() if k not in TIMING}
    if isinstance(value, list):
        return [_untimed(v) for v in value]
    return value


def _reports(out: Path) -> dict[str, dict]:
    return {p.name: _untimed(json.loads(p.read_text(encoding="utf-8"))) for p in (out / "reports").glob("*.json")
            if not p.name.endswith(".pytest-report.json")}


def _gradebook(out: Path) -> list[dict]:
    with open(out / "gradebook.csv", encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_dask_grades_like_the_local_pool_and_resumes(tmp_path):
    subs = tmp_path / "class"
    _student(subs, "alice")
    _student(subs, "bob", "\n\ndef cosine_similarity(a, b):\n    return float(a @ b)\n")  # no norms
    (subs / "carol.zip").write_bytes(b"not a zip file")
    local, dask = tmp_path / "local", tmp_path / "dask"
    first = _run(subs, local, "--jobs", "2")
    assert first.returncode == 1, first.stdout + first.stderr  # carol: an error row
    second = _run(subs, dask, "--jobs", "2", "--dask")
    assert second.returncode == 1, second.stdout + second.stderr
    assert "Traceback" not in second.stderr, second.stderr

    reports = _reports(dask)
    assert set(reports) == {"alice.json", "bob.json", "carol.json"}
    for name, doc in _reports(local).items():
        # the same submissions, paths and settings: every test's outcome, score and message alike
        assert reports[name] == doc, name
    assert _gradebook(dask) == _gradebook(local)
    book = {r["student"]: r for r in _gradebook(dask)}
    assert book["alice"]["status"] == "graded" and float(book["alice"]["score"]) == float(book["alice"]["max_score"])
    assert book["bob"]["status"] == "graded" and 0 < float(book["bob"]["score"]) < float(book["bob"]["max_score"])
    assert book["carol"]["status"] == "error" and book["carol"]["score"] == "" and "zip" in book["carol"]["errors"]
    bob = json.loads((dask / "reports" / "bob.json").read_text(encoding="utf-8"))
    failed = {t["extra_data"]["task"] for t in bob["tests"] if t["status"] == "failed"}
    assert "cosine_similarity" in failed and failed <= {"cosine_similarity", "analogy"}, failed  # analogy uses it

    # a second run with nothing changed grades nobody again (carol's error row is retried, as always)
    again = _run(subs, dask, "--jobs", "2", "--dask")
    assert again.returncode == 1, again.stdout + again.stderr
    rows = {r["student"]: r for r in json.loads((dask / "gradebook.json").read_text(encoding="utf-8"))["students"]}
    assert rows["alice"].get("skipped") and rows["bob"].get("skipped"), rows
    assert _gradebook(dask) == _gradebook(local)


def _wait(what, deadline: float, proc: subprocess.Popen):
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.5)
    raise AssertionError("timed out waiting")


def _units(pid: int) -> dict[int, int]:
    """The interpreters grading a submission under the batch ``pid``: {unit pid: its Dask worker's pid}."""
    found = {}
    for child in _descendants(pid):
        try:
            cmd = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
            ppid = int(Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if b"autograder.classroom.cluster" in cmd and _alive(child):
            found[child] = ppid
    return found


def _start_loop_class(tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    """ann (honest) and dave (an endless loop, a long time limit) on a 1-worker LocalCluster; returns
    once ann is graded and dave's grading runs."""
    subs = tmp_path / "class"
    _student(subs, "ann")
    _student(subs, "dave", LOOP)
    out = tmp_path / "out"
    proc = subprocess.Popen(_command(subs, out, "--jobs", "1", "--timeout", "600", "--dask"), cwd=REPO, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 400
    _wait(lambda: (out / "reports" / "ann.json").is_file(), deadline, proc)
    _wait(lambda: _units(proc.pid), deadline, proc)  # one worker: the interpreter alive now grades dave
    return proc, out


def test_killed_dask_worker_costs_one_retry_then_an_error_row(tmp_path):
    proc, out = _start_loop_class(tmp_path)
    try:
        deadline = time.monotonic() + 400
        killed: set[int] = set()
        for _ in range(2):  # dave's grading and its one retry
            unit, worker = next(iter(_wait(lambda: {u: w for u, w in _units(proc.pid).items() if u not in killed},
                                           deadline, proc).items()))
            killed.add(unit)
            os.kill(worker, signal.SIGKILL)  # the Dask worker process dies (its interpreter with it)
        stdout, stderr = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1, stdout + stderr
    assert "Traceback" not in stderr, stderr
    book = {r["student"]: r for r in _gradebook(out)}
    assert book["ann"]["status"] == "graded" and float(book["ann"]["score"]) == float(book["ann"]["max_score"])
    assert book["dave"]["status"] == "error" and book["dave"]["score"] == ""
    assert "grading crashed" in book["dave"]["errors"] and "KilledWorker" in book["dave"]["errors"], book["dave"]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_dask_batch_stops_and_leaves_no_process(tmp_path, signum):
    proc, out = _start_loop_class(tmp_path)
    family = _descendants(proc.pid)  # the LocalCluster's workers, the grading interpreter, its sandbox
    assert len(family) >= 3, family
    proc.send_signal(signum)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stdout + stderr
    assert "interrupted" in stderr and "Traceback" not in stderr, stderr
    assert [r["student"] for r in _gradebook(out)] == ["ann"]
    end = time.monotonic() + 60
    while time.monotonic() < end and any(_alive(p) for p in family):
        time.sleep(0.5)
    assert not [p for p in family if _alive(p)], family


def test_dask_without_dask_installed_says_how_to_install_it(tmp_path):
    blocker = tmp_path / "blocker"
    for name in ("dask", "distributed"):  # a Python where the extra is missing
        (blocker / name).mkdir(parents=True)
        (blocker / name / "__init__.py").write_text("raise ImportError('not installed')\n", encoding="utf-8")
    subs = tmp_path / "class"
    _student(subs, "ann")
    env = dict(_env(), PYTHONPATH=f"{blocker}{os.pathsep}{REPO}", WORKBOOK_LANG="both")
    proc = subprocess.run(_command(subs, tmp_path / "out", "--dask"), cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "pip install 'transformer-math-workbook[dask]'" in proc.stderr
    assert "Dask が必要です" in proc.stderr and "--dask needs Dask" in proc.stderr
    assert not (tmp_path / "out" / "reports").exists()


def _content(tmp_path: Path, name: str, extra: str = ""):
    from autograder.classroom.content import read_submission
    from autograder.classroom.intake import Job

    _student(tmp_path, name, extra)
    return read_submission(Job(name, "dir", tmp_path / name))


def _graded_here(content, settings, barrier: threading.Barrier | None = None):
    """Grade in this thread's warm interpreter; (this thread, the interpreter that graded, the result)."""
    from autograder.classroom import cluster

    if barrier is not None:
        barrier.wait(timeout=60)
    graded = cluster.grade_in_warm_interpreter(content, settings)
    return threading.get_ident(), cluster.own_grader().pid, graded


def test_warm_grader_grades_one_submission_after_another_and_is_never_shared(tmp_path, monkeypatch):
    from autograder.classroom import cluster
    from autograder.classroom.unit import Settings

    monkeypatch.setenv("PYTHONPATH", str(REPO))
    settings = Settings(timeout=10.0, extra_args=ARGS)
    alice = _content(tmp_path, "alice")
    bob = _content(tmp_path, "bob", "\n\ndef cosine_similarity(a, b):\n    return float(a @ b)\n")
    with ThreadPoolExecutor(2) as threads:  # a Dask worker with two threads
        rounds = []
        for _ in range(2):
            barrier = threading.Barrier(2)  # both submissions in flight at once, one on each thread
            futures = [threads.submit(_graded_here, c, settings, barrier) for c in (alice, bob)]
            rounds.append([f.result(timeout=600) for f in futures])
        try:
            first, second = ({thread: pid for thread, pid, _ in r} for r in rounds)
            assert len(set(first.values())) == 2, first  # concurrent submissions: an interpreter each
            assert first == second, (first, second)  # each thread's interpreter graded its next student
            for (_, _, before), (_, _, after) in zip(*rounds):
                assert before.status == "graded" and _untimed(after.results) == _untimed(before.results)
            alice_score, bob_score = (graded.results["score"] for _, _, graded in rounds[0])
            assert 0 < bob_score < alice_score == rounds[0][0][2].results["max_score"]  # bob forgot the norms
            live = {g.pid: g for g in cluster.warm_graders()}
            assert set(first.values()) <= set(live) and all(live[p].graded == 2 for p in first.values())
        finally:
            stopped = cluster.stop_warm_graders()
    assert stopped >= 2 and not any(_alive(p) for p in first.values())
    assert not {g.pid for g in cluster.warm_graders()} & set(first.values())


def test_killed_warm_grader_fails_its_submission_only_then_a_fresh_one_grades(tmp_path, monkeypatch):
    from autograder.classroom import cluster
    from autograder.classroom.content import SubmissionContent
    from autograder.classroom.unit import Settings

    monkeypatch.setenv("PYTHONPATH", str(REPO))
    settings = Settings(timeout=10.0, extra_args=ARGS)
    dave = _content(tmp_path, "dave", LOOP)
    alice = _content(tmp_path, "alice")
    # unreadable: graded at once (an error report), once the interpreter is up
    carol = SubmissionContent(student="carol", kind="zip", shown="carol.zip", origin=str(tmp_path / "carol.zip"),
                              problem="not a zip file")
    with ThreadPoolExecutor(1) as thread:
        try:
            hanging = thread.submit(cluster.grade_in_warm_interpreter, dave, Settings(timeout=600, extra_args=ARGS))
            deadline = time.monotonic() + 120
            while not [g for g in cluster.warm_graders() if g.busy] and time.monotonic() < deadline:
                time.sleep(0.2)
            (victim,) = [g for g in cluster.warm_graders() if g.busy]
            time.sleep(3)  # well into dave's grading (or its interpreter's start: the same to the caller)
            os.kill(victim.pid, signal.SIGKILL)  # the kernel's OOM killer, say
            with pytest.raises(RuntimeError, match="exit code -9"):
                hanging.result(timeout=120)
            assert not victim.alive() and victim not in cluster.warm_graders()

            _, fresh, graded = thread.submit(_graded_here, alice, settings).result(timeout=600)
            assert fresh != victim.pid and graded.status == "graded"
            assert graded.results["score"] == graded.results["max_score"]

            # one that dies while idle costs nobody anything: the next submission gets a fresh one
            (idle,) = [g for g in cluster.warm_graders() if g.pid == fresh]
            os.kill(fresh, signal.SIGKILL)
            while idle.alive():  # reaped (a zombie whose threads still exit is not yet)
                time.sleep(0.1)
            _, third, graded = thread.submit(_graded_here, carol, settings).result(timeout=600)
            assert third not in (fresh, victim.pid) and graded.status == "error" and "not a zip" in str(graded.results)

            # recycled after RECYCLE_AFTER submissions: closed, not kept
            monkeypatch.setattr(cluster, "RECYCLE_AFTER", 2)
            assert thread.submit(cluster.grade_in_warm_interpreter, carol, settings).result(timeout=600).status == "error"
            assert thread.submit(cluster.own_grader).result() is None and not _alive(third)
        finally:
            cluster.stop_warm_graders()


def _grader_pids() -> list[int]:
    from autograder.classroom import cluster

    return [g.pid for g in cluster.warm_graders()]


def test_a_remote_cluster_keeps_no_grading_interpreter_after_the_batch(tmp_path, monkeypatch):
    """A cluster of one's own outlives the batch; the warm graders its workers kept do not."""
    from distributed import Client, LocalCluster

    from autograder.classroom.cluster import DaskCluster
    from autograder.classroom.content import SubmissionContent
    from autograder.classroom.unit import Settings

    monkeypatch.setenv("PYTHONPATH", str(REPO))
    carol = SubmissionContent(student="carol", kind="zip", shown="carol.zip", origin=str(tmp_path / "carol.zip"),
                              problem="not a zip file")
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as theirs, \
            Client(theirs) as observer:
        ours = DaskCluster(theirs.scheduler_address, 1)
        try:
            graded = ours.pool().submit(ours.unit, carol, Settings(extra_args=ARGS)).result(timeout=300)
            assert graded.status == "error" and "not a zip" in str(graded.results)
            (pids,) = observer.run(_grader_pids).values()
            assert len(pids) == 1 and _alive(pids[0])
        finally:
            ours.close()
        assert list(observer.run(_grader_pids).values()) == [[]]
        assert not _alive(pids[0])


def _holders_of(marker: bytes) -> int:
    """How many live containers hold, directly, a str or bytes with ``marker`` in it."""
    import gc
    from collections import deque

    gc.collect()
    text, found = marker.decode(), 0
    for obj in gc.get_objects():
        if type(obj) in (list, tuple, deque):
            items = obj
        elif type(obj) is dict:
            items = obj.values()
        else:
            continue
        try:
            found += any((type(v) is str and text in v) or (type(v) in (bytes, bytearray) and marker in v)
                         for v in items)
        except RuntimeError:  # changed size while read (a thread of the cluster)
            continue
    return found


def test_the_coordinator_keeps_no_submission_once_graded(tmp_path, monkeypatch):
    """Dask's developer logs of recent messages (1,000 per connection by default) kept every task's
    arguments, the students' files, in the coordinator: 0.58 MB per student at N = 200. Once a
    submission is graded and its result read, no copy of its files is left in the coordinator
    (client and ``LocalCluster`` scheduler)."""
    from autograder.classroom.cluster import DaskCluster
    from autograder.classroom.content import SubmissionContent
    from autograder.classroom.unit import Settings

    monkeypatch.setenv("PYTHONPATH", str(REPO))
    marker = b"SUBMISSION-KEPT-MARKER"
    ours = DaskCluster(None, 1)
    try:
        pool = ours.pool()
        for i in range(8):
            content = SubmissionContent(
                student=f"s{i}", kind="zip", shown=f"s{i}.zip", origin=str(tmp_path / f"s{i}.zip"),
                files={"ex1_vectors.py": marker + b" %d " % i + b"x" * 20_000}, problem="not a zip file")
            graded = pool.submit(ours.unit, content, Settings(extra_args=ARGS)).result(timeout=300)
            assert graded.status == "error" and "not a zip" in str(graded.results)
            del content, graded
        # the scheduler forgets a released task on its own loop, a moment later (longer on a busy
        # machine): wait for it, with a bound (the copies Dask's logs kept never went away)
        deadline = time.monotonic() + 60
        while (held := _holders_of(marker)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert held == 0
    finally:
        ours.close()
    import dask

    assert dask.config.get("distributed.admin.low-level-log-length") == 1000  # given back after the batch
