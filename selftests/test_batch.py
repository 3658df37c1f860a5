"""Batch grading (python -m autograder.batch): directories, zips and an nbgrader tree; resumable."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

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
    carol = json.loads(Path(book["carol"]["report"]).read_text())
    tasks = {t["task"]: t["score"] for e in carol["extra_data"]["exercises"] for t in e["tasks"]}
    assert tasks["cosine_similarity"] == 0 and tasks["true_minimum"] == 0
    assert tasks["gradient_descent"] > 0 and tasks["cosine_similarity_matrix"] > 0
    assert book["mallory"]["status"] == "error" and not (subs.parent / "escape.py").exists()
    rows = list(csv.DictReader((out / "gradebook.csv").open(encoding="utf-8")))
    assert [r["student"] for r in rows] == sorted(book) and set(EXERCISES) <= set(rows[0])
    # resumable: a second run grades nothing; --force grades again
    stamp = Path(book["alice"]["report"]).stat().st_mtime_ns
    again = _run(subs, out)
    assert Path(book["alice"]["report"]).stat().st_mtime_ns == stamp, again.stderr
    forced = _run(subs, out, "--force")
    assert forced.returncode in (0, 1)
    assert Path(book["alice"]["report"]).stat().st_mtime_ns != stamp
