"""Batch grading (python -m autograder.batch): directories, zips and an nbgrader tree; resumable."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
import warnings
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
    from autograder.classroom.course import build_notebook
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


@pytest.mark.timeout(2700)  # five batch runs in a row: past the 900 s backstop on a busy CI machine
def test_batch_grades_a_class_and_resumes(tmp_path):
    subs = _class_folder(tmp_path)
    out = tmp_path / "out"
    proc = _run(subs, out, "--pages")
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
    # each graded student's page to hand out, figures drawn from the submission (bob: a zip)
    alice_page = (out / "pages" / "alice.html").read_text(encoding="utf-8")
    assert 'id="ex4_gradient_descent"' in alice_page and alice_page.count("data:image/png") == 2, "hers and the reference"
    assert "--workbook DIR" not in alice_page and 'class="missing"' not in alice_page
    assert (out / "pages" / "bob.html").is_file() and not (out / "pages" / "mallory.html").exists()
    bob = json.loads((out / book["bob"]["report"]).read_text())
    assert bob["extra_data"]["target"] == str(subs / "bob.zip") and "workbook-batch-" not in bob["output"]
    rows = {r["student"]: r for r in csv.DictReader((out / "gradebook.csv").open(encoding="utf-8-sig"))}
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
    # an unchanged student keeps the grading time of the run that graded it (it was null: newcomer helper)
    kept = {r["student"]: r for r in json.loads((out / "gradebook.json").read_text())["students"]}
    assert kept["alice"].get("skipped") and kept["alice"]["seconds"] == book["alice"]["seconds"] > 0, kept["alice"]
    (subs / "carol" / "ex1_vectors.py").write_text((SOLUTIONS / "ex1_vectors.py").read_text())  # resubmitted
    fixed = _run(subs, out)
    assert report["carol"].stat().st_mtime_ns != stamp["carol"]
    assert report["alice"].stat().st_mtime_ns == stamp["alice"]
    book2 = {r["student"]: r for r in json.loads((out / "gradebook.json").read_text())["students"]}
    assert book2["carol"]["exercises"]["ex1_vectors"] == book["alice"]["exercises"]["ex1_vectors"], fixed.stdout
    forced = _run(subs, out, "--force")
    assert forced.returncode in (0, 1)
    assert report["alice"].stat().st_mtime_ns != stamp["alice"]
    line = f"alice: {book['alice']['score']:g} / {book['alice']['max_score']:g}  (一部のみ / partial)"
    assert line in forced.stdout, forced.stdout  # the console lists the scores
    # what an interrupted run keeps for a student it did not reach: the row of the last report
    from autograder.classroom.batch import _row_of_last_report
    from autograder.classroom.intake import Job

    kept = _row_of_last_report(Job("alice", "dir", subs / "alice"), out)
    assert kept["stale"] is True and kept["score"] == book["alice"]["score"] and kept["status"] == "graded"
    assert _row_of_last_report(Job("nobody", "dir", subs / "nobody"), out) is None


_NUDGE = '''

_reference = {name: globals()[name] for name in ("apply_transform", "real_eigenpairs", "preserves_direction")}


def _nudged(name):
    def task(M, *args, **kwargs):
        given = M
        M = np.array(M, dtype=float)
        if isinstance(given, np.ndarray) and given.flags.writeable and given.shape == (2, 2) and given.dtype.kind == "f":
            given[0, 1] += 0.37  # the caller's matrix changed in place: a test's module-level constant
            given[1, 0] -= 0.21
        return _reference[name](M, *args, **kwargs)
    return task


apply_transform, real_eigenpairs, preserves_direction = (_nudged(name) for name in _reference)
'''


def test_a_submission_cannot_change_the_tests_for_the_next_student(tmp_path):
    """A grader process grades one student after another (``--jobs 1``: one process): a submission that
    changes its arguments in place (the test's module-level matrices, passed straight in) must not
    change them for the students graded after it (a red-team finding: an honest student got 171 of
    180 after it). Each student's run imports the graded tests afresh."""
    subs = tmp_path / "class"
    subs.mkdir()
    for name in ("a_mallory", "b_bob"):
        shutil.copytree(SOLUTIONS, subs / name, ignore=shutil.ignore_patterns("__pycache__"))
    mallory = subs / "a_mallory" / "ex2_transforms.py"
    mallory.write_text(mallory.read_text(encoding="utf-8") + _NUDGE, encoding="utf-8")
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=str(REPO), MPLBACKEND="Agg")
    run = subprocess.run(
        [sys.executable, "-m", "autograder.batch", str(subs), "--out", str(out), "--jobs", "1", "--timeout", "5",
         "--no-progress", "--exercise", "ex2_transforms", "--no-hidden"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL)
    assert run.returncode == 0, run.stdout + run.stderr
    rows = {row["student"]: row for row in csv.DictReader(io.StringIO((out / "gradebook.csv").read_text(encoding="utf-8-sig")))}
    bob = json.loads((out / "reports" / "b_bob.json").read_text(encoding="utf-8"))
    ex2 = [t for t in bob["tests"] if t["extra_data"]["exercise"] == "ex2_transforms"]
    lost = [t["name"] for t in ex2 if t["status"] != "passed"]
    assert len(ex2) > 10 and lost == [] and rows["b_bob"]["status"] == "graded", (lost, rows["b_bob"])
    assert float(rows["b_bob"]["ex2_transforms"]) == sum(t["max_score"] for t in ex2) > 0, rows["b_bob"]
    mallory = json.loads((out / "reports" / "a_mallory.json").read_text(encoding="utf-8"))
    assert any(t["status"] != "passed" for t in mallory["tests"])  # her own later tests saw the change


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


# --- a class is never stopped by one submission's name or packaging ---------------------------------

#: The cheap selection the packaging tests grade: one task of ex1 and one of ex5 (no hidden tests in either).
PACKAGING_ARGS = ("--task", "cosine_similarity_matrix", "--task", "forward", "--no-hidden")


def _full_points() -> dict[str, float]:
    from autograder.core.tasks import tasks_of

    return {ex: sum(t.points for t in tasks_of(ex) if t.name in ("cosine_similarity_matrix", "forward"))
            for ex in ("ex1_vectors", "ex5_backprop")}


def _notebook(exercise: str, *, solved: bool = True) -> str:
    from autograder.classroom.course import build_notebook, notebook_text

    source = (SOLUTIONS if solved else EXERCISES_DIR) / f"{exercise}.py"
    return notebook_text(build_notebook(exercise, source.read_text(encoding="utf-8"),
                                        mode="source" if solved else "student"))


def _solution(exercise: str) -> str:
    return (SOLUTIONS / f"{exercise}.py").read_text(encoding="utf-8")


def _zip_raw_names(dest: Path, files: dict[bytes, bytes], *, symlinks: tuple[bytes, ...] = ()) -> None:
    """A zip whose entry names are the given bytes with no UTF-8 flag (as Japanese Windows writes
    Shift_JIS names, or PowerShell backslashes): written with ASCII placeholders, then patched."""
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, (raw, data) in enumerate(files.items()):
            info = zipfile.ZipInfo(f"@{i:06d}".ljust(len(raw), "@"))
            info.create_system, info.compress_type = 0, zipfile.ZIP_DEFLATED  # made on Windows
            if raw in symlinks:
                info.create_system, info.external_attr = 3, (0o120777 << 16)
            zf.writestr(info, data)
    blob = dest.read_bytes()
    for i, raw in enumerate(files):
        placeholder = f"@{i:06d}".ljust(len(raw), "@").encode()
        assert blob.count(placeholder) == 2  # local header and central directory
        blob = blob.replace(placeholder, raw)
    dest.write_bytes(blob)


def _packaging_class(tmp: Path) -> Path:
    subs = tmp / "class"
    subs.mkdir()
    # 1. Japanese names (a folder and a zip); a notebook handed in for ex5 in the folder
    yamada = subs / "山田太郎"
    shutil.copytree(SOLUTIONS, yamada, ignore=shutil.ignore_patterns("__pycache__", "ex5_backprop.py"))
    (yamada / "ex5_backprop.ipynb").write_text(_notebook("ex5_backprop"), encoding="utf-8")
    # ... next to ex5's stub exactly as given (newcomer helper: `workbook reset` made it again, and the
    # notebook's work was not graded): the notebook is graded
    shutil.copy(EXERCISES_DIR / "ex5_backprop.py", yamada / "ex5_backprop.py")
    # 2. Windows PowerShell Compress-Archive: backslashes; the .py and an (unsolved) notebook of ex5
    _zip_raw_names(subs / "田中花子.zip", {
        b"work\\ex1_vectors.py": _solution("ex1_vectors").encode(),
        b"work\\ex5_backprop.py": _solution("ex5_backprop").encode(),
        b"work\\ex5_backprop.ipynb": _notebook("ex5_backprop", solved=False).encode()})
    # 1' (invented): a folder name that is not UTF-8 (Shift_JIS bytes, as an old unzip leaves them), with
    # 4' (invented): ex5 in nbgrader's layout (ex5_backprop/ex5_backprop.ipynb) next to the .py of ex1
    sjis = Path(os.fsdecode(os.fsencode(subs) + b"/" + "テスト".encode("cp932")))
    sjis.mkdir()
    (sjis / "ex1_vectors.py").write_text(_solution("ex1_vectors"), encoding="utf-8")
    (sjis / "ex5_backprop").mkdir()
    (sjis / "ex5_backprop" / "ex5_backprop.ipynb").write_text(_notebook("ex5_backprop"), encoding="utf-8")
    # 3. a zip of a whole project folder: hundreds of junk entries, the workbook two folders deep,
    #    and a notebook that is not one (4: it cannot be converted)
    with zipfile.ZipFile(subs / "suzuki.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        p = "suzuki-project/"
        for i in range(300):
            zf.writestr(f"{p}.git/objects/{i % 256:02x}/{i:038x}", b"x" * 40)
        for i in range(250):
            zf.writestr(f"{p}.venv/lib/python3.11/site-packages/numpy/mod{i}.py", "x = 1\n")
        link = zipfile.ZipInfo(f"{p}.venv/bin/python")
        link.create_system, link.external_attr = 3, (0o120777 << 16)
        zf.writestr(link, "/usr/bin/python3")
        zf.writestr(f"{p}node_modules/left-pad/index.js", "module.exports = 1;\n")
        zf.writestr(f"{p}__pycache__/ex1_vectors.cpython-311.pyc", b"\0" * 100)
        zf.writestr(f"__MACOSX/{p}exercises/._ex1_vectors.py", b"\0\x05\x16\x07" * 20)
        zf.writestr(f"{p}exercises/.ipynb_checkpoints/ex1_vectors-checkpoint.ipynb", "{}")
        zf.writestr(f"{p}.DS_Store", b"\0" * 64)
        zf.writestr(f"{p}exercises/ex1_vectors.py", _solution("ex1_vectors"))
        zf.writestr(f"{p}exercises/ex5_backprop.ipynb", '{"cells": [')  # a save cut short
    # 3' (invented): a virtual environment not named .venv (hundreds of .py files) and a 60 MB data
    # file, and 2' (invented): folder names in Shift_JIS without the UTF-8 flag (Japanese Windows
    # Explorer), one with the byte 0x5C ("\") inside the character ソ
    _zip_raw_names(subs / "sato.zip", {
        **{f"sato/venv/lib/python3.11/site-packages/pkg/m{i}.py".encode(): b"x = 1\n" for i in range(250)},
        b"sato/venv/pyvenv.cfg": b"home = /usr/bin\n",
        b"sato/data/tokens.bin": bytes(60 * 1024 * 1024),
        "sato/提出ソース/ex1_vectors.py".encode("cp932"): _solution("ex1_vectors").encode(),
        "sato/提出ソース/ex5_backprop.py".encode("cp932"): _solution("ex5_backprop").encode()})
    # 1. two submissions for one id: a folder and a zip; the NFC and NFD spellings of one name
    shutil.copytree(SOLUTIONS, subs / "alice", ignore=shutil.ignore_patterns("__pycache__"))
    _zip_dir(SOLUTIONS, subs / "alice.zip")
    for form in ("NFC", "NFD"):
        folder = subs / unicodedata.normalize(form, "ガク")
        folder.mkdir()
        (folder / "ex1_vectors.py").write_text(_solution("ex1_vectors"), encoding="utf-8")
    # 2. zips refused or without a workbook: the message names the zip, not a temporary folder
    with zipfile.ZipFile(subs / "kato.zip", "w") as zf:
        zf.writestr("README.txt", "課題はまだです\n")
    _zip_raw_names(subs / "evil.zip", {b"C:\\Users\\evil\\ex1_vectors.py": b"x = 1\n"})
    return subs


def test_batch_names_and_packaging_never_stop_the_class(tmp_path):
    subs = _packaging_class(tmp_path)
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=str(REPO), MPLBACKEND="Agg")
    cmd = [sys.executable, "-m", "autograder.batch", str(subs), "--out", str(out), "--jobs", "2", "--timeout", "5",
           "--no-progress", *PACKAGING_ARGS]
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL)
    assert proc.returncode == 1, proc.stdout + proc.stderr  # some error rows, never a usage error (2)
    rows = json.loads((out / "gradebook.json").read_text(encoding="utf-8"))["students"]
    book = {r["student"]: r for r in rows}
    assert sorted(r["student"] for r in rows) == sorted(
        ["alice", "alice", "evil", "kato", "sato", "suzuki", "ガク", "ガク", "テスト", "山田太郎", "田中花子"])
    full = _full_points()
    reports = {s: json.loads((out / book[s]["report"]).read_text(encoding="utf-8")) for s in book}

    # graded, with the name as given (report file names too) and the right points per exercise
    for student in ("山田太郎", "田中花子", "テスト", "sato"):
        assert book[student]["status"] == "graded" and book[student]["exercises"] == full, book[student]
    assert book["suzuki"]["status"] == "graded"
    assert book["suzuki"]["exercises"] == {"ex1_vectors": full["ex1_vectors"], "ex5_backprop": 0}
    assert book["山田太郎"]["report"] == "reports/山田太郎.json" and book["テスト"]["report"] == "reports/テスト.json"
    assert book["テスト"]["kind"] == "dir"  # not taken for an nbgrader tree: its ex1_vectors.py is graded
    # 4. the notebook was converted; when the .py is there too, the .py is graded and the report says so
    notes = reports["山田太郎"]["extra_data"]["batch"]["notes"]
    assert any("山田太郎/ex5_backprop.ipynb" in n and "converted to ex5_backprop.py" in n for n in notes), notes
    assert any("山田太郎/ex5_backprop.py is the stub as it was given, unchanged: 山田太郎/ex5_backprop.ipynb was graded"
               in n for n in notes), notes
    notes = reports["田中花子"]["extra_data"]["batch"]["notes"]
    both = "both 田中花子.zip/work/ex5_backprop.py and 田中花子.zip/work/ex5_backprop.ipynb"
    assert any(both in n and "両方" in n for n in notes), notes
    assert "ex5_backprop.py was graded" in reports["田中花子"]["output"]
    assert any("テスト/ex5_backprop/ex5_backprop.ipynb" in n for n in reports["テスト"]["extra_data"]["batch"]["notes"])
    problem = " ".join(book["suzuki"]["errors"])
    assert "suzuki.zip/suzuki-project/exercises/ex5_backprop.ipynb" in problem, problem
    assert "expected a Jupyter notebook" in problem and "JSON" in problem and "変換できませんでした" in problem
    # 2'. Shift_JIS names: the folder is read as 提出ソース (the 0x5C inside ソ is no separator)
    assert "sato.zip/sato/提出ソース" in reports["sato"]["output"], reports["sato"]["output"]

    # 1. two submissions of one id cost only those two: an error row each, naming both, bilingual
    alice = [r for r in rows if r["student"] == "alice"]
    assert [r["status"] for r in alice] == ["error", "error"] and all(r["score"] is None for r in alice)
    assert {Path(r["submission"]).name for r in alice} == {"alice", "alice.zip"}
    assert len({r["report"] for r in alice}) == 2
    for r in alice:
        assert "alice/" in r["errors"][0] and "alice.zip" in r["errors"][0], r["errors"]
        assert "学生 ID「alice」" in r["errors"][0] and "map to the student id 'alice'" in r["errors"][0]
    gaku = [r for r in rows if r["student"] == "ガク"]
    assert [r["status"] for r in gaku] == ["error", "error"] and len({r["report"] for r in gaku}) == 2
    assert "NFD" in gaku[0]["errors"][0] and gaku[0]["errors"] == gaku[1]["errors"]
    # 2. a refused zip and a zip without a workbook: named as in SUBMISSIONS, no temporary folder
    assert book["kato"]["status"] == "error" and book["evil"]["status"] == "error"
    assert book["kato"]["errors"][0].startswith("kato.zip") and "not a workbook" in book["kato"]["errors"][0]
    assert "evil.zip: unsafe path" in book["evil"]["errors"][0] and "drive letter" in book["evil"]["errors"][0]
    for report in (out / "reports").glob("*.json"):
        assert "workbook-batch-" not in report.read_text(encoding="utf-8"), report.name

    # the CSV is UTF-8 with a BOM (Excel), Japanese ids intact; error rows have no score
    raw = (out / "gradebook.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    csv_rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["student"] for r in csv_rows] == [r["student"] for r in rows]
    by_id = {r["student"]: r for r in csv_rows}
    assert float(by_id["山田太郎"]["score"]) == sum(full.values()) and by_id["alice"]["score"] == ""
    assert "converted to ex5_backprop.py" in by_id["山田太郎"]["notes"], by_id["山田太郎"]  # the notes column
    total = sum(full.values())
    assert f"山田太郎: {total:g} / {total:g}  (一部のみ / partial)" in proc.stdout, proc.stdout
    assert "error: alice (alice.zip): 学生 ID「alice」" in proc.stdout and "error: alice (alice): " in proc.stdout

    # a second run grades nothing again: the Unicode names find their reports
    again = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600,
                           stdin=subprocess.DEVNULL)
    assert again.returncode == 1 and "5 unchanged" in again.stdout, again.stdout + again.stderr


def test_report_file_names_are_safe_on_every_file_system():
    from autograder.classroom.intake import report_stem, student_id

    assert report_stem("alice") == "alice" and report_stem("山田太郎") == "山田太郎"
    names = ["alice", "Alice", "ALICE", "山田太郎", unicodedata.normalize("NFC", "ガク"),
             unicodedata.normalize("NFD", "ガク"), "CON", "con.txt", "Lpt1", ".alice", "a/b", "a\\b", "a:b",
             "x" * 300, "山" * 200, "ß", "ss", "trailing. ", "alice.pytest-report", "a~b", "a\nb", ""]
    stems = [report_stem(n) for n in names]
    # no case-only or Unicode-normalisation collisions (macOS, Windows), nothing unsafe, bounded length
    folded = {unicodedata.normalize("NFD", s).casefold() for s in stems}
    assert len(folded) == len(names), stems
    for s in stems:
        assert not set(s) & set('/\\:*?"<>|\0\n') and not s.startswith(".") and not s.endswith((".", " "))
        assert len(f"{s}.pytest-report.json".encode()) <= 255, s
        assert s.split(".")[0].rstrip(" ").upper() not in {"CON", "PRN", "AUX", "NUL", "LPT1", "COM1"}
    # the id keeps the name (NFC); a Shift_JIS folder name reads as Japanese
    assert student_id(unicodedata.normalize("NFD", "ガク")) == unicodedata.normalize("NFC", "ガク")
    assert student_id(os.fsdecode("テスト".encode("cp932"))) == "テスト"


def test_zip_extraction_keeps_the_workbook_and_bounds_what_it_keeps(tmp_path):
    from autograder.classroom.intake import _find_workbook, _safe_extract

    def extract(name, files, **limits):
        path = tmp_path / name
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for entry, data in files.items():
                zf.writestr(entry, data)
        dest = tmp_path / (name + ".d")
        dest.mkdir()
        return _safe_extract(path, dest, f"class/{name}", **limits), dest

    # junk is neither counted nor extracted; the workbook two folders deep is found
    junk = {f"p/node_modules/m{i}/index.py": "x" for i in range(300)}
    n, dest = extract("a.zip", {**junk, "p/src/ex1_vectors.py": "x = 1\n", "p/src/.ipynb_checkpoints/x.py": "",
                                "__MACOSX/p/src/._ex1_vectors.py": "", "p/src/helper.py": "y = 2\n"})
    assert n == 2 and sorted(f.name for f in dest.rglob("*.py")) == ["ex1_vectors.py", "helper.py"]
    assert _find_workbook(dest, "a.zip") == dest / "p" / "src"
    # limits on what is kept: number of files, declared bytes
    with pytest.raises(ValueError, match=r"class/b\.zip: .*more than 3 \.py"):
        extract("b.zip", {f"w/m{i}.py": "" for i in range(4)}, max_files=3)
    with pytest.raises(ValueError, match=r"class/c\.zip: .*more than 1000 bytes"):
        extract("c.zip", {"w/ex1_vectors.py": "x" * 1001, "w/big.bin": "y" * 10_000}, max_bytes=1000)
    # unsafe names, whatever the separator; a link is refused only where it would be extracted
    for i, bad in enumerate(("..\\escape.py", "\\abs.py", "C:\\x\\ex1_vectors.py", "C:x.py", "w/../../x.py")):
        with pytest.raises(ValueError, match="unsafe path"):
            extract(f"d{i}.zip", {bad: "x = 1\n"})
    # two entries of one path (Python's zipfile appends a second; a Windows path and a POSIX one):
    # the grader took the last one without a word; which one to grade is ambiguous, so nothing is
    for i, names in enumerate((("w/ex1_vectors.py", "w/ex1_vectors.py"), ("w\\ex2_transforms.py", "w/ex2_transforms.py"))):
        path = tmp_path / f"dup{i}.zip"
        with zipfile.ZipFile(path, "w") as zf, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (zipfile warns of the duplicate name)
            zf.writestr("w/helper.py", "")
            for k, entry in enumerate(names):
                zf.writestr(entry, f"x = {k}\n")
        (tmp_path / f"dup{i}").mkdir()
        with pytest.raises(ValueError, match=rf"dup{i}\.zip: .*two entries named 'w/"):
            _safe_extract(path, tmp_path / f"dup{i}")
    path = tmp_path / "e.zip"
    _zip_raw_names(path, {b"w\\ex1_vectors.py": b"x = 1\n", b"w\\helper.py": b""}, symlinks=(b"w\\helper.py",))
    (tmp_path / "e").mkdir()
    with pytest.raises(ValueError, match=r"e\.zip: symbolic link"):
        _safe_extract(path, tmp_path / "e")


def test_zip_whose_sizes_lie_is_not_read_past_them(tmp_path):
    """A zip bomb's header declares little and holds a lot: reading stops, the report names the zip."""
    from autograder.classroom.intake import Job, prepare

    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("w/ex1_vectors.py", "#" * 5_000_000)
    blob = bytearray(path.read_bytes())
    size = (5_000_000).to_bytes(4, "little")
    assert blob.count(size) == 2  # the uncompressed size, in the local header and the central directory
    blob[:] = blob.replace(size, (100).to_bytes(4, "little"))
    path.write_bytes(bytes(blob))
    staging = tmp_path / "staging"
    with pytest.raises(ValueError) as err:
        prepare(Job("bomb", "zip", path, label="bomb.zip"), staging)
    assert str(err.value).startswith("bomb.zip") and str(staging) not in str(err.value)
    assert all(f.stat().st_size <= 100 for f in staging.rglob("*") if f.is_file())


def test_a_students_file_on_its_own_gets_an_error_row_that_says_where_to_put_it(tmp_path):
    """Red team round 12: LMS download names at the top of the submissions folder
    (``carol_12345_67890_ex1_vectors.ipynb``, ``dan_ex1_vectors.py``) got no row at all: the students
    were silently missing from the gradebook. A file that is not one exercise's is not a submission."""
    from autograder.classroom.intake import discover

    subs = tmp_path / "subs"
    (subs / "alice").mkdir(parents=True)
    (subs / "alice" / "ex1_vectors.py").write_text("x = 1\n", encoding="utf-8")
    (subs / "carol_12345_67890_ex1_vectors.ipynb").write_text("{}", encoding="utf-8")
    (subs / "dan_ex8_pca.py").write_text("x = 1\n", encoding="utf-8")
    (subs / "notes.py").write_text("x = 1\n", encoding="utf-8")
    (subs / "_ex1_vectors.py").write_text("x = 1\n", encoding="utf-8")  # no student id before the exercise
    jobs = {job.student: job for job in discover(subs)}
    assert sorted(jobs) == ["alice", "carol", "dan"]
    assert not jobs["alice"].problem
    assert "carol_12345_67890_ex1_vectors.ipynb is a file on its own" in jobs["carol"].problem
    assert "(as carol/ex1_vectors.ipynb)" in jobs["carol"].problem and "nbgrader zip_collect" in jobs["carol"].problem
    assert "(dan/ex8_pca.py のように)" in jobs["dan"].problem


def test_a_folder_with_an_exercise_file_under_another_name_says_which_name_it_needs(tmp_path):
    """Red team round 12: a zip holding ``ex1_vectors (1).ipynb`` (a browser's second download) got
    "not a workbook" without a word on the name."""
    from autograder.submission.loader import NotAWorkbookError, validate_target

    (tmp_path / "ex1_vectors (1).ipynb").write_text("{}", encoding="utf-8")
    (tmp_path / "ex8_pca copy.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "helper.py").write_text("x = 1\n", encoding="utf-8")
    with pytest.raises(NotAWorkbookError) as error:
        validate_target(tmp_path)
    assert "Rename ex1_vectors (1).ipynb to ex1_vectors.ipynb; rename ex8_pca copy.py to ex8_pca.py." in str(error.value)
    assert "ex1_vectors (1).ipynb は ex1_vectors.ipynb という名前にしてください。" in str(error.value)
    assert "helper.py" not in str(error.value)
    from autograder.classroom.intake import _find_workbook  # the batch's look into a student's folder or zip

    with pytest.raises(ValueError) as error:
        _find_workbook(tmp_path, "jo.zip")
    assert "files to rename: ex1_vectors (1).ipynb -> ex1_vectors.ipynb, ex8_pca copy.py -> ex8_pca.py" in str(error.value)


def test_data_files_are_kept_within_a_budget_and_other_archives_get_an_error_row(tmp_path):
    """Found by a helper: a submission whose ex8_pca.py reads ex8_settings.json next to it scored
    180 in local and isolated mode and 177 in the batch, which kept only .py / .ipynb files (from a
    zip, or from a folder copied because it held a virtual environment); and a .tar.gz handed in got
    no row at all. Data files are kept now, within a budget (what is left out is named in a note),
    and an archive that is not read gets an error row that says so."""
    from autograder.classroom import files as files_mod
    from autograder.classroom.content import materialise, read_submission
    from autograder.classroom.intake import Job, discover, prepare

    subs = tmp_path / "subs"
    alice = subs / "alice"
    (alice / "data").mkdir(parents=True)
    (alice / "ex8_pca.py").write_text("x = 1\n", encoding="utf-8")
    (alice / "ex8_settings.json").write_text('{"k": 2}', encoding="utf-8")
    (alice / "data" / "points.csv").write_text("1,2\n", encoding="utf-8")
    # a hidden data file is read by the code in local and --isolated mode: kept too (red team round 8);
    # operating-system metadata is not
    (alice / ".ex8_defaults.json").write_text('{"k": 3}', encoding="utf-8")
    (alice / ".DS_Store").write_bytes(b"\0" * 16)
    (alice / "._ex8_pca.py").write_bytes(b"\0" * 16)
    (alice / "fast.cpython-311-x86_64-linux-gnu.so").write_bytes(b"\x7fELF")  # native code: never kept
    (alice / ".venv").mkdir()
    (alice / ".venv" / "pyvenv.cfg").write_text("", encoding="utf-8")  # junk: the folder is copied
    (alice / ".venv" / "big.json").write_text("{}", encoding="utf-8")
    with zipfile.ZipFile(subs / "bob.zip", "w") as zf:
        for path in sorted(alice.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(subs).as_posix())
    shutil.make_archive(str(subs / "carol"), "gztar", subs, "alice")
    jobs = {job.student: job for job in discover(subs)}
    assert sorted(jobs) == ["alice", "bob", "carol"]
    assert "carol.tar.gz" in jobs["carol"].problem and "hand in a folder or a .zip" in jobs["carol"].problem
    for student in ("alice", "bob"):
        content = read_submission(jobs[student])
        names = {name.rsplit("/", 1)[-1] for name in content.files}
        assert names == {"ex8_pca.py", "ex8_settings.json", "points.csv", ".ex8_defaults.json"}, (student, names)
        given = materialise(content, tmp_path / f"{student}.given")
        (tmp_path / f"{student}.staging").mkdir()
        prepared = prepare(Job(student, "dir", given, label=content.shown), tmp_path / f"{student}.staging")
        assert (prepared.target / "ex8_settings.json").read_text(encoding="utf-8") == '{"k": 2}'
        assert (prepared.target / ".ex8_defaults.json").read_text(encoding="utf-8") == '{"k": 3}'
        assert content.notes == () and prepared.notes == []
    # beyond the budget: left out, and the note names them
    for i in range(files_mod.MAX_DATA_FILES + 2):
        (alice / "data" / f"extra{i:03d}.txt").write_text("x", encoding="utf-8")
    content = read_submission(jobs["alice"])
    assert sum(not files_mod.kept_file(n.rsplit("/", 1)[-1]) for n in content.files) == files_mod.MAX_DATA_FILES
    (note,) = content.notes
    assert "alice/: 5 file(s) other than .py / .ipynb not copied" in note and "data/extra051.txt" in note


def test_a_notebook_that_cannot_be_converted_costs_its_exercise_not_the_row(tmp_path):
    """A submission whose only exercise is a notebook saved as UTF-16 (red team round 9) was an
    error row ("not a workbook"); that exercise now scores 0 with the reason in its feedback, the
    row is graded, the student's folder is left as it was, and the similarity report skips it."""
    import nbformat

    from autograder.classroom.intake import Job, prepare
    from autograder.classroom.similarity import graded_code

    student = tmp_path / "subs" / "s04_nb16"
    student.mkdir(parents=True)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("def cosine_similarity(a, b):\n    return 1.0\n")])
    (student / "ex1_vectors.ipynb").write_bytes(nbformat.writes(nb).encode("utf-16"))
    (tmp_path / "staging").mkdir()
    prepared = prepare(Job("s04_nb16", "dir", student, label="s04_nb16/"), tmp_path / "staging")
    assert prepared.unconverted == ["ex1_vectors"]
    (problem,) = prepared.problems
    assert "it is not UTF-8 text; ex1_vectors scores 0" in problem, problem
    stand_in = prepared.target / "ex1_vectors.py"
    with pytest.raises(ImportError, match="could not convert s04_nb16/ex1_vectors.ipynb"):
        exec(compile(stand_in.read_text(encoding="utf-8"), str(stand_in), "exec"), {})
    assert sorted(p.name for p in student.iterdir()) == ["ex1_vectors.ipynb"]
    assert graded_code(Job("s04_nb16", "dir", student, label="s04_nb16/")) == {}
    # graded: a row with ex1_vectors at 0, not an error row
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "autograder.batch", str(tmp_path / "subs"), "--out", str(out),
                           "--jobs", "1", "--exercise", "ex1_vectors", "--no-progress"],
                          cwd=REPO, capture_output=True, text=True, timeout=600)
    book = json.loads((out / "gradebook.json").read_text(encoding="utf-8"))
    (row,) = book["students"]
    assert row["status"] == "graded" and row["score"] == 0, (row, done.stdout[-2000:])
    assert any("is not UTF-8 text" in e for e in row["errors"]), row["errors"]
