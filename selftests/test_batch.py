"""Batch grading (python -m autograder.batch): directories, zips and an nbgrader tree; resumable."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from autograder import EXERCISES
from conftest import EXERCISES_DIR, REPO, SOLUTIONS

ARGS = ("--exercise", "ex1_vectors", "--exercise", "ex4_gradient_descent", "--no-hidden")


def _zip_dir(src: Path, dest: Path, prefix: str = "") -> None:
    with zipfile.ZipFile(dest, "w") as zf:
        for f in sorted(src.glob("ex*.py")):
            zf.write(f, prefix + f.name)


def _class_folder(tmp: Path) -> Path:
    subs = tmp / "class"
    subs.mkdir()
    shutil.copytree(SOLUTIONS, subs / "alice", ignore=shutil.ignore_patterns("__pycache__"))
    _zip_dir(EXERCISES_DIR, subs / "bob.zip", prefix="bob-work/")
    carol = subs / "carol"
    shutil.copytree(SOLUTIONS, carol, ignore=shutil.ignore_patterns("__pycache__"))
    (carol / "ex1_vectors.py").write_text(
        (SOLUTIONS / "ex1_vectors.py").read_text() + "\n\nimport os\n\ndef cosine_similarity(a, b):\n    os._exit(0)\n")
    (carol / "ex4_gradient_descent.py").write_text(
        (SOLUTIONS / "ex4_gradient_descent.py").read_text() + "\n\ndef true_minimum():\n    while True:\n        pass\n")
    with zipfile.ZipFile(subs / "mallory.zip", "w") as zf:
        zf.writestr("../escape.py", "x = 1\n")
    # an nbgrader submitted/ tree: dave answered ex1 with the solution notebook
    from autograder.course import build_notebook
    import nbformat

    nb = build_notebook("ex1_vectors", (SOLUTIONS / "ex1_vectors.py").read_text(), mode="source")
    target = subs / "submitted" / "dave" / "ex1_vectors"
    target.mkdir(parents=True)
    nbformat.write(nb, target / "ex1_vectors.ipynb")
    return subs


def _run(subs: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO), MPLBACKEND="Agg")
    return subprocess.run(
        [sys.executable, "-m", "autograder.batch", str(subs), "--out", str(out), "--jobs", "2", "--timeout", "3",
         "--no-progress", *extra, *ARGS],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL)


def test_batch_grades_a_class_and_resumes(tmp_path):
    subs = _class_folder(tmp_path)
    out = tmp_path / "out"
    proc = _run(subs, out)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    book = {r["student"]: r for r in json.loads((out / "gradebook.json").read_text())["students"]}
    assert set(book) == {"alice", "bob", "carol", "dave", "mallory"}
    assert set(book["alice"]["exercises"]) == {"ex1_vectors", "ex4_gradient_descent"}
    assert book["alice"]["score"] == book["alice"]["max_score"] > 0
    assert book["bob"]["score"] == 0 and book["bob"]["status"] == "graded"
    assert book["dave"]["exercises"]["ex1_vectors"] == book["alice"]["exercises"]["ex1_vectors"]
    assert book["dave"]["exercises"]["ex4_gradient_descent"] == 0
    carol = json.loads((out / book["carol"]["report"]).read_text())
    tasks = {t["task"]: t["score"] for e in carol["extra_data"]["exercises"] for t in e["tasks"]}
    assert tasks["cosine_similarity"] == 0 and tasks["true_minimum"] == 0
    assert tasks["gradient_descent"] > 0 and tasks["cosine_similarity_matrix"] > 0
    assert book["mallory"]["status"] == "error" and not (subs.parent / "escape.py").exists()
    assert "mallory" in proc.stdout and "unsafe path" in proc.stdout  # the console names who failed and why
    assert carol["extra_data"]["mode"] == "isolated" and carol["extra_data"]["partial"] is True
    assert carol["extra_data"]["batch"]["submission"] == str(subs / "carol")
    bob = json.loads((out / book["bob"]["report"]).read_text())
    assert bob["extra_data"]["target"] == str(subs / "bob.zip") and "workbook-batch-" not in bob["output"]
    rows = {r["student"]: r for r in csv.DictReader((out / "gradebook.csv").open(encoding="utf-8"))}
    assert sorted(rows) == sorted(book) and set(EXERCISES) <= set(rows["alice"])
    # an error row has no score (importing it must record no grade), and says why
    assert rows["mallory"]["score"] == "" and "unsafe path" in rows["mallory"]["errors"]
    assert rows["alice"]["partial"] == "true" and float(rows["alice"]["score"]) == book["alice"]["score"]

    # resumable: a second run grades nothing; a changed submission or other settings are graded again
    report = {s: out / book[s]["report"] for s in book}
    stamp = {s: report[s].stat().st_mtime_ns for s in ("alice", "carol", "dave")}
    again = _run(subs, out)
    assert {s: report[s].stat().st_mtime_ns for s in stamp} == stamp, again.stderr
    assert "4 unchanged" in again.stdout, again.stdout  # mallory (an error) is tried again
    (subs / "carol" / "ex1_vectors.py").write_text((SOLUTIONS / "ex1_vectors.py").read_text())  # resubmitted
    fixed = _run(subs, out)
    assert report["carol"].stat().st_mtime_ns != stamp["carol"]
    assert report["alice"].stat().st_mtime_ns == stamp["alice"]
    book2 = {r["student"]: r for r in json.loads((out / "gradebook.json").read_text())["students"]}
    assert book2["carol"]["exercises"]["ex1_vectors"] == book["alice"]["exercises"]["ex1_vectors"], fixed.stdout
    forced = _run(subs, out, "--force")
    assert forced.returncode in (0, 1)
    assert report["alice"].stat().st_mtime_ns != stamp["alice"]
    line = f"alice: {book['alice']['score']:g} / {book['alice']['max_score']:g}  (partial)"
    assert line in forced.stdout, forced.stdout  # the console lists the scores
    # what an interrupted run keeps for a student it did not reach: the row of the last report
    from autograder.batch import Job, _row_of_last_report

    kept = _row_of_last_report(Job("alice", "dir", subs / "alice"), out)
    assert kept["stale"] is True and kept["score"] == book["alice"]["score"] and kept["status"] == "graded"
    assert _row_of_last_report(Job("nobody", "dir", subs / "nobody"), out) is None


def test_batch_regrades_when_the_selection_changes(tmp_path):
    """A report made with --exercise ex1_vectors is not reused by a run that grades everything."""
    subs = tmp_path / "class"
    shutil.copytree(SOLUTIONS, subs / "alice", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=str(REPO), MPLBACKEND="Agg")
    base = [sys.executable, "-m", "autograder.batch", str(subs), "--out", str(out), "--jobs", "1", "--no-progress",
            "--no-hidden"]
    subprocess.run([*base, "--exercise", "ex1_vectors"], env=env, capture_output=True, timeout=600, check=True)
    first = json.loads((out / "gradebook.json").read_text())["students"][0]
    assert first["partial"] is True and set(first["exercises"]) == {"ex1_vectors"}
    subprocess.run([*base, "--exercise", "ex1_vectors", "--exercise", "ex2_transforms"], env=env,
                   capture_output=True, timeout=600, check=True)
    second = json.loads((out / "gradebook.json").read_text())["students"][0]
    assert set(second["exercises"]) == {"ex1_vectors", "ex2_transforms"}


def test_batch_refuses_bad_folders_and_keeps_the_gradebook(tmp_path):
    """Usage mistakes get exit code 2 and a message naming the problem; nothing is written or lost."""
    env = dict(os.environ, PYTHONPATH=str(REPO), MPLBACKEND="Agg")

    def batch(subs, out):
        return subprocess.run([sys.executable, "-m", "autograder.batch", str(subs), "--out", str(out), "--no-progress"],
                              env=env, capture_output=True, text=True, timeout=300)

    out = tmp_path / "graded"
    out.mkdir()
    (out / "gradebook.csv").write_text("student,score\nalice,100\n")
    (tmp_path / "empty").mkdir()
    proc = batch(tmp_path / "empty", out)
    assert proc.returncode == 2 and "no submissions found" in proc.stderr
    assert (out / "gradebook.csv").read_text() == "student,score\nalice,100\n"
    proc = batch(tmp_path / "typo", tmp_path / "new-out")
    assert proc.returncode == 2 and "does not exist" in proc.stderr and not (tmp_path / "new-out").exists()
    proc = batch(SOLUTIONS, tmp_path / "new-out")  # one student's folder, not a class
    assert proc.returncode == 2 and "is one submission" in proc.stderr and "grade.sh" in proc.stderr
    proc = batch(tmp_path / "empty", tmp_path / "empty")
    assert proc.returncode == 2 and "--out" in proc.stderr
    (tmp_path / "afile").write_text("keep")
    proc = batch(tmp_path / "empty", tmp_path / "afile")
    assert proc.returncode == 2 and "is a file" in proc.stderr and (tmp_path / "afile").read_text() == "keep"
    assert "Traceback" not in proc.stderr


def test_output_folder_inside_the_submissions_is_not_a_student(tmp_path):
    subs = tmp_path / "class"
    shutil.copytree(SOLUTIONS, subs / "alice", ignore=shutil.ignore_patterns("__pycache__"))
    for _ in range(2):  # the second run finds reports/ and logs/ inside the output folder
        proc = _run(subs, subs / "graded")
        assert proc.returncode == 0, proc.stdout + proc.stderr
    book = json.loads((subs / "graded" / "gradebook.json").read_text())
    assert [r["student"] for r in book["students"]] == ["alice"]
    assert "not graded as a submission" in proc.stderr


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat_file.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_interrupted_batch_stops_and_leaves_no_process(tmp_path, signum):
    """Ctrl-C / SIGTERM: the batch stops, writes the gradebook of what was finished, exits 130;
    after any of these and SIGKILL, no grader, fork server or student worker outlives it."""
    subs = tmp_path / "class"
    for name in ("a", "b", "c", "d"):
        shutil.copytree(SOLUTIONS, subs / name, ignore=shutil.ignore_patterns("__pycache__"))
        (subs / name / "ex1_vectors.py").write_text(
            (SOLUTIONS / "ex1_vectors.py").read_text() + "\n\ndef cosine_similarity(a, b):\n    while True:\n        pass\n")
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=str(REPO), MPLBACKEND="Agg")
    proc = subprocess.Popen([sys.executable, "-m", "autograder.batch", str(subs), "--out", str(out), "--jobs", "1",
                             "--no-progress", "--timeout", "20", *ARGS], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    family: set[int] = set()
    while time.monotonic() < deadline and not list(out.glob("logs")):
        time.sleep(0.5)
    # resource tracker, grader, fork server, and the worker running the endless loop
    while time.monotonic() < deadline and len(family) < 4:
        family |= _descendants(proc.pid)
        time.sleep(0.5)
    assert len(family) >= 4, family
    proc.send_signal(signum)
    stdout, stderr = proc.communicate(timeout=120)
    if signum != signal.SIGKILL:
        assert proc.returncode == 130, stdout + stderr
        assert "interrupted" in stderr and "Traceback" not in stderr, stderr
        assert (out / "gradebook.csv").is_file()
        book = json.loads((out / "gradebook.json").read_text())
        assert len(book["students"]) < 4  # the rest was not graded
    end = time.monotonic() + 30
    while time.monotonic() < end and any(_alive(p) for p in family):
        time.sleep(0.5)
    assert not [p for p in family if _alive(p)], family
