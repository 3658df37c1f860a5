"""The pure unit of grading work (docs/architecture.md): ``classroom.unit.grade(content, settings)``.

The batch's process pool is one executor of it; here another one (a fresh interpreter that gets the
pickled arguments on stdin, as a Dask or any remote worker would) grades the same submissions after
they were deleted from disk, and every test's outcome and score equal the batch's.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import EXERCISES_DIR, REPO, SOLUTIONS

ARGS = ("--exercise", "ex1_vectors", "--exercise", "ex2_transforms", "--no-hidden")

# another executor: a new interpreter, arguments pickled in, the Graded pickled out, nothing shared
_REMOTE = """
import pickle, sys
from autograder.classroom.unit import grade
content, settings = pickle.load(sys.stdin.buffer)
sys.stdout.buffer.write(pickle.dumps(grade(content, settings)))
"""


def _class(tmp: Path) -> Path:
    subs = tmp / "class"
    alice = subs / "alice"
    shutil.copytree(SOLUTIONS, alice, ignore=shutil.ignore_patterns("__pycache__"))
    # a classic mistake: cosine similarity without the norms
    (alice / "ex1_vectors.py").write_text(
        (SOLUTIONS / "ex1_vectors.py").read_text(encoding="utf-8")
        + "\n\ndef cosine_similarity(a, b):\n    return float(a @ b)\n", encoding="utf-8")
    # bob hands in a zip of a project folder: ex2 still the stub, junk that must not count
    with zipfile.ZipFile(subs / "bob.zip", "w") as zf:
        for f in sorted(SOLUTIONS.glob("ex*.py")):
            source = EXERCISES_DIR / f.name if f.name.startswith("ex2") else f
            zf.write(source, f"bob-project/{f.name}")
        zf.writestr("bob-project/.venv/pyvenv.cfg", "home = /usr\n")
        zf.writestr("bob-project/.venv/lib/ex1_vectors.py", "raise SystemExit('not the submission')\n")
    return subs


def _outcomes(doc: dict) -> dict[str, tuple[str, float]]:
    return {t["name"]: (t["status"], t["score"]) for t in doc["tests"]}


def test_unit_graded_by_another_executor_equals_the_batch(tmp_path):
    from autograder.classroom.batch import run_batch
    from autograder.classroom.content import read_submission
    from autograder.classroom.intake import discover
    from autograder.classroom.unit import Graded, Settings

    subs = _class(tmp_path)
    out = tmp_path / "out"
    rows = run_batch(subs, out, jobs=2, timeout=10.0, progress=False, extra_args=ARGS)
    assert sorted(r["student"] for r in rows) == ["alice", "bob"]

    settings = Settings(timeout=10.0, extra_args=ARGS)
    contents = {job.student: read_submission(job) for job in discover(subs)}
    assert set(contents["bob"].files) == {f"bob-project/{f.name}" for f in SOLUTIONS.glob("ex*.py")}
    payloads = {s: pickle.dumps((c, settings)) for s, c in contents.items()}
    shutil.rmtree(subs)  # the content is the data: nothing is read from the coordinator's disk any more

    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    env = dict(os.environ, PYTHONPATH=str(REPO), MPLBACKEND="Agg")
    for student, payload in payloads.items():
        proc = subprocess.run([sys.executable, "-c", _REMOTE], input=payload, capture_output=True,
                              cwd=cwd, env=env, timeout=600)
        assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-3000:]
        graded = pickle.loads(proc.stdout)
        assert isinstance(graded, Graded) and graded.status == "graded", graded.results.get("output")
        batch_doc = json.loads((out / "reports" / f"{student}.json").read_text(encoding="utf-8"))
        assert _outcomes(graded.results) == _outcomes(batch_doc), student
        assert graded.results["score"] == batch_doc["score"]
        assert graded.results["extra_data"]["batch"]["submission"] == batch_doc["extra_data"]["batch"]["submission"]
        # the unit's temporary folder never shows, and it wrote nothing where it ran
        text = json.dumps(graded.results) + graded.log + (graded.pytest_report or "")
        assert "workbook-unit-" not in text
        assert list(cwd.iterdir()) == []
        log = (out / "logs" / f"{student}.txt").read_text(encoding="utf-8")
        assert str(out / "reports" / f"{student}.json") in log and "workbook-unit-" not in log

    alice = json.loads((out / "reports" / "alice.json").read_text(encoding="utf-8"))
    bob = json.loads((out / "reports" / "bob.json").read_text(encoding="utf-8"))
    failed = {t["name"] for t in alice["tests"] if t["status"] == "failed"}
    assert failed and all("ex1" in name for name in failed)  # only the cosine similarity is wrong
    assert {t["name"] for t in bob["tests"] if t["status"] == "failed"} and all(
        "ex2" in t["name"] for t in bob["tests"] if t["status"] == "failed")


def test_content_is_read_by_the_batch_rules_and_never_raises(tmp_path):
    from autograder.classroom.content import materialise, read_submission
    from autograder.classroom.intake import Job

    folder = tmp_path / "carol"
    folder.mkdir()
    (folder / "ex1_vectors.py").write_text("x = 1\n", encoding="utf-8")
    (folder / "notes.txt").write_text("not code\n", encoding="utf-8")  # data a file may read: kept
    (folder / ".hidden.txt").write_text("hidden\n", encoding="utf-8")  # hidden data: kept too (local mode reads it)
    (folder / ".DS_Store").write_bytes(b"\0" * 8)  # the system's metadata: never
    (folder / "__pycache__").mkdir()
    (folder / "__pycache__" / "ex1_vectors.py").write_text("junk\n", encoding="utf-8")
    os.symlink(SOLUTIONS / "ex2_transforms.py", folder / "ex2_transforms.py")  # outside: never read
    content = read_submission(Job("carol", "dir", folder))
    assert content.problem == "" and content.files == {"ex1_vectors.py": b"x = 1\n", "notes.txt": b"not code\n",
                                                       ".hidden.txt": b"hidden\n"}
    assert content.outside_links == ("ex2_transforms.py",)
    assert pickle.loads(pickle.dumps(content)) == content

    dest = tmp_path / "copy"
    materialise(content, dest)
    assert (dest / "ex1_vectors.py").read_bytes() == b"x = 1\n"
    assert (dest / "ex2_transforms.py").is_symlink()
    assert SOLUTIONS.resolve() not in (dest / "ex2_transforms.py").resolve().parents

    broken = tmp_path / "dan.zip"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    bad = read_submission(Job("dan", "zip", broken))
    assert bad.files == {} and "dan.zip" in bad.problem


def test_paths_of_the_worker_copy_are_replaced_in_linear_time():
    """The unit names the submission as handed in, not the isolated worker's copy, in everything it
    returns, including a student's HTML page whose figures are long base64 runs with ``/`` in them.
    (A pattern starting with ``[^\\s'"]*`` took minutes on such a page; here a 4 MB run takes
    milliseconds, and the old pattern would run into the test's time limit.)"""
    import base64

    from autograder.classroom.unit import replace_isolated_copies

    copy = "/tmp/workbook-iso-ab_12/submission"
    text = f"E  File \"{copy}/ex1_vectors.py\", line 3\n'{copy}' ({copy}/a.py) <{copy}>"
    assert replace_isolated_copies(text, "class/bob") == \
        "E  File \"class/bob/ex1_vectors.py\", line 3\n'class/bob' (class/bob/a.py) <class/bob>"
    page = "<img src=\"data:image/png;base64," + base64.b64encode(bytes(range(256)) * 12_000).decode() + "\">"
    assert replace_isolated_copies(page, "class/bob") == page
    # a path right after a base64 run is still found (the run is not mistaken for its start)
    assert replace_isolated_copies(page + " " + copy, "bob") == page + " bob"
    assert replace_isolated_copies("no paths here", "bob") == "no paths here"


# claim_cpu in fresh interpreters: each prints the CPU it took (or None) and the affinity of a
# process it starts afterwards (as a grader starts its fork server), then waits for a line on stdin
# (holding its claim) before it ends
_CLAIM = """
import os, subprocess, sys
from autograder.classroom.unit import claim_cpu
cpu = claim_cpu(sys.argv[1])
child = subprocess.run([sys.executable, "-c", "import os; print(sorted(os.sched_getaffinity(0)))"],
                       capture_output=True, text=True, check=True).stdout.strip()
print(cpu, child, flush=True)
sys.stdin.readline()
"""
# two CPUs of this machine (the claimers are started on them alone: a machine with many CPUs
# needs no more interpreters)
_CPUS = sorted(os.sched_getaffinity(0))[:2]


def _claimer(folder: Path, **env: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", _CLAIM, str(folder)], cwd=REPO, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            preexec_fn=lambda: os.sched_setaffinity(0, _CPUS),
                            env={**os.environ, "PYTHONPATH": str(REPO), **env})


def _claimed(proc: subprocess.Popen) -> tuple[int | None, list[int]]:
    cpu, affinity = proc.stdout.readline().split(" ", 1)
    return (None if cpu == "None" else int(cpu)), json.loads(affinity)


def _end(proc: subprocess.Popen) -> None:
    proc.communicate("\n", timeout=60)
    assert proc.returncode == 0


def test_each_grader_takes_a_cpu_of_its_own_until_none_is_free(tmp_path):
    """Batch graders pin themselves to distinct CPUs (processes they start later inherit it); one more
    grader than CPUs stays unpinned; a CPU is free again when its grader ended; WORKBOOK_PIN_CPUS=0
    pins nothing."""
    allowed = _CPUS
    procs = [_claimer(tmp_path) for _ in range(len(allowed) + 1)]
    try:
        got = [_claimed(p) for p in procs]
    finally:
        for p in procs[:-1]:
            _end(p)
    pinned = [(cpu, aff) for cpu, aff in got if cpu is not None]
    if len(allowed) < 2:  # nothing to share out: no grader is pinned
        assert pinned == []
    else:
        assert sorted(cpu for cpu, _ in pinned) == allowed  # every CPU once, whichever grader got it
        assert all(aff == [cpu] for cpu, aff in pinned)
        assert [(cpu, aff) for cpu, aff in got if cpu is None] == [(None, allowed)]
        # the first ones ended: their CPUs are claimed again (the last one still holds nothing)
        again = _claimer(tmp_path)
        assert _claimed(again)[0] in allowed
        _end(again)
    _end(procs[-1])
    off = _claimer(tmp_path / "x", WORKBOOK_PIN_CPUS="0")
    assert _claimed(off) == (None, allowed)
    _end(off)
    assert not (tmp_path / "x").exists()
