"""Red team: adversarial submissions graded in isolated mode (batch), each exactly as it deserves.

Every case in ``selftests/redteam/<case>/`` (see its README) is graded by one batch run
(``autograder.batch``, ``--isolated`` for every submission, 2 graders in parallel, 5 s per test).
For each case the report must be valid, the affected exercise/tasks must score 0 (or full marks
when the honest content is right), every other exercise must get its 20 points, and the repository
must be untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import jsonschema
import pytest

from autograder import EXERCISES, POINTS_PER_EXERCISE
from conftest import REPO, SOLUTIONS

REDTEAM = REPO / "selftests" / "redteam"
CASES = sorted(p.name for p in REDTEAM.iterdir() if (p / "case.json").is_file())
SCHEMA = json.loads((REPO / "autograder" / "schemas" / "results.schema.json").read_text())
IS_ROOT = os.geteuid() == 0
PER_TEST_TIMEOUT = 5.0


def _expect(case: str) -> dict:
    return json.loads((REDTEAM / case / "case.json").read_text(encoding="utf-8"))


SECRET = "s3cr3t-redteam-token"  # in the grader's environment during the batch; must not leak


def build_submission(case: str, dest: Path) -> Path:
    """solutions/ + ``_ref_*.py`` copies + the case's files, minus its dropped exercises.

    ``case.json`` may also ask for: ``empty`` (start from an empty folder), ``symlinks``
    ({name: target}, ``{SOLUTIONS}`` in a target is the reference solutions' folder), ``fifos``
    (names of named pipes to create) and ``pad`` ({file: bytes}: append that many bytes of code).
    """
    expect = _expect(case)
    if expect.get("empty"):
        dest.mkdir()
    else:
        shutil.copytree(SOLUTIONS, dest, ignore=shutil.ignore_patterns("__pycache__"))
        for f in SOLUTIONS.glob("ex*.py"):
            shutil.copy(f, dest / f"_ref_{f.name}")
    for f in (REDTEAM / case).iterdir():
        if f.name not in ("case.json",):  # "x.py.in" is shipped as "x.py" (a conftest.py here would be loaded)
            shutil.copy(f, dest / f.name.removesuffix(".in"))
    for name in expect.get("drop", []):
        (dest / f"{name}.py").unlink()
    for name, target in expect.get("symlinks", {}).items():
        (dest / name).symlink_to(target.replace("{SOLUTIONS}", str(SOLUTIONS)))
    for name in expect.get("fifos", []):
        os.mkfifo(dest / name)
    for name, size in expect.get("pad", {}).items():
        with open(dest / name, "a", encoding="utf-8") as fh:
            fh.write("\n" + "_pad = 1\n" * (size // 9))
    return dest


def _repo_damage() -> list[str]:
    """Signs that a case wrote into or deleted from the repository (robust to concurrent edits)."""
    damage = []
    for d in ("tests", "solutions", "autograder"):
        if (REPO / d / "injected.py").exists():
            damage.append(f"{d}/injected.py was created")
        for f in (REPO / d).glob("*.py"):
            if f.read_text(encoding="utf-8", errors="replace").startswith("raise SystemExit(0)"):
                damage.append(f"{d}/{f.name} was overwritten")
    for rel in ("README.md", "autograder/compare.py", "tests/test_ex1_vectors.py", "solutions/ex1_vectors.py"):
        if not (REPO / rel).is_file():
            damage.append(f"{rel} was deleted")
    return damage


@pytest.fixture(scope="session")
def redteam_batch(tmp_path_factory: pytest.TempPathFactory):
    from autograder.batch import run_batch

    base = tmp_path_factory.mktemp("redteam")
    subs = base / "submissions"
    subs.mkdir()
    for case in CASES:
        if _expect(case).get("root_only") and not IS_ROOT:
            continue  # it would really try to delete and overwrite files
        build_submission(case, subs / case)
    canary = base / "canary.txt"
    canary.write_text("keep me\n")
    old = {k: os.environ.get(k) for k in ("WORKBOOK_CANARY", "WORKBOOK_REPO", "REDTEAM_SECRET_TOKEN")}
    os.environ.update(WORKBOOK_CANARY=str(canary), WORKBOOK_REPO=str(REPO), REDTEAM_SECRET_TOKEN=SECRET)
    try:
        rows = run_batch(subs, base / "out", jobs=2, timeout=PER_TEST_TIMEOUT, progress=False)
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return {"rows": {r["student"]: r for r in rows}, "out": base / "out", "canary": canary,
            "repo_damage": _repo_damage()}


def test_at_least_25_cases():
    assert len(CASES) >= 25, CASES


@pytest.mark.parametrize("case", CASES)
def test_adversarial_submission_graded_as_it_deserves(case, redteam_batch):
    expect = _expect(case)
    if expect.get("root_only") and not IS_ROOT:
        pytest.skip("needs a root grader (privilege drop); the case would really modify files")
    row = redteam_batch["rows"][case]
    report_file = redteam_batch["out"] / row["report"]
    text = report_file.read_text(encoding="utf-8")
    doc = json.loads(text)
    jsonschema.validate(doc, SCHEMA)
    if expect.get("status") == "error":  # nothing gradable: an error report, no score in the gradebook
        assert row["status"] == "error" and row["score"] is None and doc["score"] == 0, row
        for needle in expect.get("present_in_report", []):
            assert needle in text, needle
        return
    assert row["status"] == "graded", row
    assert doc["extra_data"]["exit_status"] in (0, 1), doc["extra_data"]
    assert doc["max_score"] == POINTS_PER_EXERCISE * len(EXERCISES)

    zero_ex = set(expect.get("zero_exercises", []))
    zero_tasks = expect.get("zero_tasks", {})
    lose_tasks = expect.get("lose_tasks", {})
    exercises = {e["exercise"]: e for e in doc["extra_data"]["exercises"]}
    assert set(exercises) == set(EXERCISES)
    for name, ex in exercises.items():
        assert ex["max_score"] == POINTS_PER_EXERCISE
        if name in zero_ex:
            assert ex["score"] == 0, (name, ex)
            continue
        for task in ex["tasks"]:
            if task["task"] in zero_tasks.get(name, []):
                assert task["score"] == 0, (name, task)
            elif task["task"] in lose_tasks.get(name, []):
                assert task["score"] < task["max_score"], (name, task)
            else:
                assert task["score"] == task["max_score"], (name, task, [
                    t["output"][:800] for t in doc["tests"]
                    if t["extra_data"]["exercise"] == name and t["status"] != "passed"])
    for task, outcome in expect.get("outcomes", {}).items():
        got = {t["extra_data"]["outcome"] for t in doc["tests"] if t["extra_data"]["task"] == task}
        assert got == {outcome}, got
    for needle in expect.get("present_in_report", []):
        assert needle in text, needle
    for needle in expect.get("absent_from_report", []):
        assert needle not in text, needle
    if "max_report_bytes" in expect:
        assert len(text.encode()) < expect["max_report_bytes"]
    if expect.get("unchanged_repo"):
        assert redteam_batch["repo_damage"] == []
    if expect.get("canary"):
        assert redteam_batch["canary"].read_text() == "keep me\n"
    if expect.get("no_host_files"):  # what the worker wrote stayed in its own scratch space
        left = [os.path.join(d, f) for folder in ("/tmp", "/dev/shm") for d, _, files in os.walk(folder)
                for f in files if f.startswith(expect["no_host_files"])]
        assert left == [], left[:5]


def test_gradebook_lists_every_case(redteam_batch):
    book = json.loads((redteam_batch["out"] / "gradebook.json").read_text(encoding="utf-8"))
    graded = {r["student"] for r in book["students"]}
    assert graded == set(redteam_batch["rows"])
    assert (redteam_batch["out"] / "gradebook.csv").read_text(encoding="utf-8").count("\n") == len(graded) + 1
