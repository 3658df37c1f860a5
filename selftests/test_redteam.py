"""Red team: adversarial submissions graded in isolated mode (batch), each exactly as it deserves.

Every case in ``selftests/redteam/<case>/`` (see its README) is graded by the batch grader
(``autograder.classroom.batch``, ``--isolated`` for every submission, 2 graders in parallel, 5 s per test;
one batch run per set of exercises graded, :func:`graded_of`: those the case touches and a bystander).
For each case the report must be valid, the affected exercise/tasks must score 0 (or full marks
when the honest content is right), every other exercise graded must get its 20 points, and the
repository must be untouched.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from autograder import EXERCISES
from autograder.checks.rules import RULES
from autograder.core.exercises import discover, points
from conftest import REPO, SOLUTIONS, built_once

REDTEAM = REPO / "selftests" / "redteam"
CASES = sorted(p.name for p in REDTEAM.iterdir() if (p / "case.json").is_file())
if os.environ.get("REDTEAM_CASES"):  # a developer's run of some cases: REDTEAM_CASES=name,name (no CI use)
    CASES = [c for c in CASES if c in os.environ["REDTEAM_CASES"].split(",")]
SCHEMA = json.loads((REPO / "autograder" / "schemas" / "results.schema.json").read_text())
IS_ROOT = os.geteuid() == 0


def _sandboxed() -> bool:
    from autograder.submission.confinement import confinement

    return confinement().kind != "none"


SANDBOXED = _sandboxed()
PER_TEST_TIMEOUT = 5.0
#: The exercises the cases are graded on: the chapter's five, which the cases were written against
#: (each attacks a mechanism of the grader, shared by every exercise). Grading ex6-ex9 too in every
#: case doubled the fixture's time (past its 900 s limit on two busy cores) and tested no new mechanism.
GRADED = ("ex1_vectors", "ex2_transforms", "ex3_attention", "ex4_gradient_descent", "ex5_backprop")
SELECTION = tuple(arg for name in GRADED for arg in ("--exercise", name))


#: Graded beside the exercises a case touches in the isolated batch (the first one it does not touch):
#: an attack must not spill onto an exercise it has nothing to do with, in the same worker and report.
BYSTANDERS = ("ex4_gradient_descent", "ex2_transforms")


def named_of(case: str) -> tuple[str, ...]:
    """``"graded"`` of the case's ``case.json`` (a case that attacks a later exercise), else :data:`GRADED`."""
    return tuple(json.loads((REDTEAM / case / "case.json").read_text(encoding="utf-8")).get("graded", GRADED))


def graded_of(case: str, mode: str = "isolated") -> tuple[str, ...]:
    """The exercises ``case`` is graded on: :func:`touched_by` it, of :func:`named_of`; in the isolated
    batch also a bystander (:data:`BYSTANDERS`) when the case is graded on the chapter's five. Every
    case starts from the reference solutions, so an exercise it does not touch cannot gain points:
    grading all five in every case (579 exercise runs, 12 of CI's minutes in the isolated batch) checked
    only that they keep theirs, which the bystander still checks."""
    named = named_of(case)
    touched = touched_by(case)
    chosen = set(touched)
    if mode != "local" and named == GRADED:
        chosen.update([name for name in BYSTANDERS if name not in touched][:1])
    return tuple(name for name in named if name in chosen)


def selection_of(case: str, mode: str = "isolated") -> tuple[str, ...]:
    return tuple(arg for name in graded_of(case, mode) for arg in ("--exercise", name))


def touched_by(case: str) -> tuple[str, ...]:
    """The exercises of :func:`named_of` a case touches: those whose files it brings or whose tasks its
    ``case.json`` names (with ``zero_rule_bound_from`` expanded; its ``"local"`` entries included); all
    of them when it touches none (a case that empties or replaces the whole folder)."""
    named = named_of(case)
    expect = _expect(case)
    expect = {**expect, **expect.get("local", {})}
    touched = {p.name.split(".")[0] for p in (REDTEAM / case).iterdir()}
    touched |= {*expect.get("zero_exercises", []), *expect.get("zero_tasks", {}), *expect.get("lose_tasks", {})}
    touched |= {ex.name for ex in discover() for task in ex.tasks if task.name in expect.get("outcomes", {})}
    return tuple(name for name in named if name in touched) or named


def _expect(case: str) -> dict:
    """The case's ``case.json``, with ``zero_rule_bound_from`` expanded: every "from scratch" task (as
    the exercises declare them in their ``RULES``) of that exercise and of every exercise graded after
    it is added to ``zero_tasks``, so that an attack on the rules is expected to cost the tasks of
    exercises added later too."""
    expect = json.loads((REDTEAM / case / "case.json").read_text(encoding="utf-8"))
    start = expect.get("zero_rule_bound_from")
    if start is not None:
        zero = {name: list(tasks) for name, tasks in expect.get("zero_tasks", {}).items()}
        for name in [n for n in list(EXERCISES)[list(EXERCISES).index(start):] if n in named_of(case)]:
            for rule in RULES:
                if rule.exercise == name:  # appended in order, each task once
                    zero[name] = list(dict.fromkeys([*zero.get(name, []), *rule.tasks]))
        expect["zero_tasks"] = zero
    return expect


def test_rule_bound_tasks_of_later_exercises_are_expected_to_score_zero_too():
    """``zero_rule_bound_from`` adds the rule-bound tasks, as the exercises declare them, of every graded
    exercise from the named one on (the hand-written lists name the same ones)."""
    expect = _expect("exec_foreign_filename")["zero_tasks"]
    assert expect["ex3_attention"][:2] == ["softmax", "scaled_dot_product_attention"]
    assert {name for name in expect if expect[name]} == {r.exercise for r in RULES if r.exercise in GRADED}
    later = _expect("process_pool_at_import")["zero_tasks"]
    assert "ex1_vectors" not in later and "ex5_backprop" in later
    assert all(name in EXERCISES for name in GRADED)


SECRET = "s3cr3t-redteam-token"  # in the grader's environment during the batch; must not leak


def build_submission(case: str, dest: Path) -> Path:
    """solutions/ + ``_ref_*.py`` copies + the case's files, minus its dropped exercises.

    ``case.json`` may also ask for: ``empty`` (start from an empty folder), ``symlinks``
    ({name: target}, ``{SOLUTIONS}`` in a target is the reference solutions' folder), ``fifos``
    (names of named pipes to create), ``pad`` ({file: bytes}: append that many bytes of code) and
    ``native_copies`` (names of the interpreter's extension modules copied in, file name kept).
    """
    expect = _expect(case)
    if expect.get("empty"):
        dest.mkdir()
    else:
        shutil.copytree(SOLUTIONS, dest, ignore=shutil.ignore_patterns("__pycache__"))
        for f in SOLUTIONS.glob("ex*.py"):
            shutil.copy(f, dest / f"_ref_{f.name}")
    for f in (REDTEAM / case).iterdir():
        if f.is_dir():  # a helper package of the submission
            shutil.copytree(f, dest / f.name, ignore=shutil.ignore_patterns("__pycache__"))
        elif f.name not in ("case.json",):  # "x.py.in" is shipped as "x.py" (a conftest.py here would be loaded)
            shutil.copy(f, dest / f.name.removesuffix(".in"))
    for name in expect.get("drop", []):
        (dest / f"{name}.py").unlink()
    for name, target in expect.get("symlinks", {}).items():
        (dest / name).symlink_to(target.replace("{SOLUTIONS}", str(SOLUTIONS)))
    for name in expect.get("fifos", []):
        os.mkfifo(dest / name)
    for name in expect.get("native_copies", []):
        origin = importlib.util.find_spec(name).origin
        shutil.copy(origin, dest / os.path.basename(origin))
    for name, size in expect.get("pad", {}).items():
        with open(dest / name, "a", encoding="utf-8") as fh:
            fh.write("\n" + "_pad = 1\n" * (size // 9))
    return dest


def _repo_damage(repo: Path = REPO) -> list[str]:
    """Signs that a case wrote into or deleted from the repository (robust to concurrent edits)."""
    damage = []
    for d in ("tests", "solutions", "autograder"):
        if (repo / d / "injected.py").exists():
            damage.append(f"{d}/injected.py was created")
        for f in (repo / d).glob("*.py"):
            if f.read_text(encoding="utf-8", errors="replace").startswith("raise SystemExit(0)"):
                damage.append(f"{d}/{f.name} was overwritten")
    for rel in ("README.md", "autograder/compare.py", "tests/test_ex1_vectors.py", "solutions/ex1_vectors.py"):
        if not (repo / rel).is_file():
            damage.append(f"{rel} was deleted")
    return damage


def _homes(*extra: Path) -> list[Path]:
    """Home folders a case may try to write into (the grader's and every other one here)."""
    return [Path(os.path.expanduser("~")), Path("/root"), *Path("/home").glob("*"), *extra]


@pytest.fixture(scope="session")
def redteam_batch(tmp_path_factory: pytest.TempPathFactory):
    built = built_once(tmp_path_factory, "redteam", _grade_redteam_batch)
    return {"rows": built["rows"], "out": Path(built["out"]), "canary": Path(built["canary"]),
            "repo_damage": built["repo_damage"], "homes": [Path(h) for h in built["homes"]]}


def _grade_redteam_batch(base: Path) -> dict:
    """Every case graded by the batch grader (isolated workers), as JSON data (see built_once)."""
    from autograder.classroom.batch import run_batch

    groups: dict[tuple[str, ...], list[str]] = {}  # one batch per set of graded exercises
    for case in CASES:
        if _expect(case).get("needs_sandbox") and not SANDBOXED:
            continue  # it would really try to delete and overwrite files
        groups.setdefault(graded_of(case), []).append(case)
    canary = base / "canary.txt"
    canary.write_text("keep me\n")
    old = {k: os.environ.get(k) for k in ("WORKBOOK_CANARY", "WORKBOOK_REPO", "REDTEAM_SECRET_TOKEN")}
    os.environ.update(WORKBOOK_CANARY=str(canary), WORKBOOK_REPO=str(REPO), REDTEAM_SECRET_TOKEN=SECRET)
    rows = []
    try:
        for graded, cases in sorted(groups.items(), key=lambda item: item[0] != GRADED):
            suffix = "" if graded == GRADED else "-" + "-".join(graded)
            subs = base / f"submissions{suffix}"
            subs.mkdir()
            for case in cases:
                build_submission(case, subs / case)
            out = base / f"out{suffix}"
            for row in run_batch(subs, out, jobs=2, timeout=PER_TEST_TIMEOUT, progress=False,
                                 extra_args=selection_of(cases[0])):
                rows.append({**row, "out": str(out)})
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return {"rows": {r["student"]: r for r in rows}, "out": str(base / "out"), "canary": str(canary),
            "repo_damage": _repo_damage(), "homes": [str(h) for h in _homes()]}


def test_at_least_25_cases():
    if os.environ.get("REDTEAM_CASES"):
        pytest.skip("a subset of the cases (REDTEAM_CASES)")
    assert len(CASES) >= 25, CASES


@pytest.mark.parametrize("case", CASES)
def test_every_exercise_a_case_names_is_graded(case):
    """A case's zero/lose tasks of an exercise it is not graded on were never checked (a case on ex7's
    layer_norm passed vacuously while only ex1-ex5 were graded)."""
    expect = _expect(case)
    named = {*expect.get("zero_exercises", []), *expect.get("zero_tasks", {}), *expect.get("lose_tasks", {})}
    assert named <= set(graded_of(case)), (named, graded_of(case))


@pytest.mark.parametrize("case", CASES)
def test_adversarial_submission_graded_as_it_deserves(case, redteam_batch):
    if _expect(case).get("needs_sandbox") and not SANDBOXED:
        pytest.skip("no sandbox here (neither root nor bubblewrap): the case would really modify files")
    _check_case(case, redteam_batch)


# --- the same cases, graded by an ordinary user (issue: isolation without root) --------------------

#: Cases whose outcome depends on the confinement: graded again by an unprivileged grader.
UNPRIVILEGED_CASES = [c for c in CASES if any(_expect(c).get(k) for k in (
    "needs_sandbox", "unchanged_repo", "canary", "no_host_files", "no_home_files"))]


def _demote(uid: int, gid: int):
    def run() -> None:
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
    return run


@pytest.fixture(scope="session")
def unprivileged_batch(tmp_path_factory: pytest.TempPathFactory):
    """The batch grader run by a throwaway ordinary user who owns a copy of the workbook, a home
    folder and a canary, as an instructor on a laptop would: the cases must hold there too.

    When these tests run as root, the user is created for the run (``useradd``) and removed at
    the end; folders on the way to the Python installation and the repository that others cannot
    enter (e.g. ``/root`` of a pyenv install) get the search bit (``o+x``, not read) for the run.
    """
    import pwd
    import subprocess
    import sys
    import tempfile

    if not IS_ROOT:
        pytest.skip("the grader already runs unprivileged here: test_adversarial_submission_graded_as_it_deserves "
                    "covers it")
    name = f"wbrt{os.getpid() % 100000}"
    base = Path(tempfile.mkdtemp(prefix="workbook-unpriv-", dir="/tmp"))
    home, workbook, subs, out = base / "home", base / "workbook", base / "submissions", base / "out"
    opened: list[tuple[Path, int]] = []
    created = subprocess.run(["useradd", "--no-create-home", "--home-dir", str(home), "--shell", "/usr/sbin/nologin",
                              "--user-group", name], capture_output=True, text=True)
    if created.returncode != 0:
        pytest.skip(f"cannot create a throwaway user: {created.stderr.strip()}")
    try:
        user = pwd.getpwnam(name)
        home.mkdir()
        workbook.mkdir()
        for part in ("autograder", "tests", "solutions", "pyproject.toml", "README.md"):
            src = REPO / part
            (shutil.copytree(src, workbook / part, ignore=shutil.ignore_patterns("__pycache__"))
             if src.is_dir() else shutil.copy(src, workbook / part))
        subs.mkdir()
        for case in UNPRIVILEGED_CASES:
            assert named_of(case) == GRADED, case  # (graded on all five: SELECTION below)
            build_submission(case, subs / case)
        canary = base / "canary.txt"
        canary.write_text("keep me\n")
        for dirpath, dirnames, filenames in os.walk(base):
            for entry in [dirpath, *(os.path.join(dirpath, f) for f in dirnames + filenames)]:
                os.lchown(entry, user.pw_uid, user.pw_gid)
        for target in (os.path.realpath(sys.executable), sys.prefix, os.path.realpath(sys.prefix), str(base)):
            for folder in Path(target).parents:
                mode = folder.stat().st_mode
                if not mode & 0o001 and (folder, mode) not in opened:
                    opened.append((folder, mode))
                    os.chmod(folder, mode | 0o001)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C.UTF-8",
               "PYTHONPATH": str(workbook), "WORKBOOK_CANARY": str(canary), "WORKBOOK_REPO": str(workbook),
               "REDTEAM_SECRET_TOKEN": SECRET, "WORKBOOK_LANG": "both"}
        done = subprocess.run([sys.executable, "-m", "autograder.batch", str(subs), "--out", str(out), "--jobs", "2",
                               "--timeout", str(PER_TEST_TIMEOUT), "--no-progress", *SELECTION],
                              cwd=workbook, env=env, preexec_fn=_demote(user.pw_uid, user.pw_gid),
                              capture_output=True, text=True, timeout=1800)
        book = json.loads((out / "gradebook.json").read_text(encoding="utf-8")) if (out / "gradebook.json").is_file() \
            else {"students": []}
        yield {"rows": {r["student"]: r for r in book["students"]}, "out": out, "canary": canary,
               "repo_damage": _repo_damage(workbook), "homes": _homes(home), "console": done.stdout + done.stderr,
               "graded": dict.fromkeys(UNPRIVILEGED_CASES, GRADED)}
    finally:
        for folder, mode in reversed(opened):
            os.chmod(folder, mode)
        subprocess.run(["userdel", name], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.parametrize("case", UNPRIVILEGED_CASES)
def test_adversarial_submission_graded_by_an_ordinary_user(case, unprivileged_batch):
    assert "namespaces via bwrap" in unprivileged_batch["console"], unprivileged_batch["console"][-2000:]
    assert case in unprivileged_batch["rows"], unprivileged_batch["console"][-3000:]
    _check_case(case, unprivileged_batch)


def _check_case(case: str, batch: dict, mode: str = "isolated") -> None:
    """The case's report is valid and gives exactly what its honest content deserves (``case.json``;
    in local mode with its ``"local"`` entries, for attacks that a confined worker stops but the
    student's own process does not)."""
    expect = _expect(case)
    if mode == "local":
        expect = {**expect, **expect.get("local", {})}
    redteam_batch = batch
    row = redteam_batch["rows"][case]
    report_file = Path(row.get("out", redteam_batch["out"])) / row["report"]
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
    graded = batch.get("graded", {}).get(case) or graded_of(case, mode)
    assert doc["max_score"] == sum(points()[name] for name in graded)

    zero_ex = set(expect.get("zero_exercises", []))
    zero_tasks = expect.get("zero_tasks", {})
    lose_tasks = expect.get("lose_tasks", {})
    exercises = {e["exercise"]: e for e in doc["extra_data"]["exercises"]}
    assert set(exercises) == set(graded)
    # every exercise the case names is graded (a task of an exercise left out was never checked)
    assert {*zero_ex, *zero_tasks, *lose_tasks} <= set(graded), (graded, expect)
    for name, ex in exercises.items():
        assert ex["max_score"] == points()[name]
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
    if expect.get("no_home_files"):  # nothing written into the grader's (or anyone's) home folder
        left = [str(p) for home in redteam_batch["homes"] if home.is_dir()
                for p in home.glob(expect["no_home_files"] + "*")]
        assert left == [], left


# --- the cases that try to get round the "from scratch" rules, graded locally too -------------------

#: Cases whose attack works the same way in the grader's own process (``"both_modes": true``).
BOTH_MODES = [c for c in CASES if _expect(c).get("both_modes")]


@pytest.fixture(scope="module")
def local_reports(tmp_path_factory: pytest.TempPathFactory):
    """The ``both_modes`` cases graded in local mode (``pytest --workbook=DIR``), one run each."""
    built = built_once(tmp_path_factory, "redteam-local", _grade_locally)
    return {"rows": built["rows"], "out": Path(built["out"])}


def _grade_locally(base: Path) -> dict:
    """Two runs at a time: the other pytest-xdist worker usually waits for this fixture (built_once)
    with its CPU idle (one run at a time took ~330 s of CI). Limits count CPU time: two runs side by
    side grade as one does."""
    from concurrent.futures import ThreadPoolExecutor

    def grade(case: str) -> tuple[str, dict]:
        sub = build_submission(case, base / case)
        report = base / f"{case}.json"
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", f"--workbook={sub}", f"--score-report={report}", "-q", "-p",
             "no:cacheprovider", "-p", "no:xdist", f"--workbook-timeout={PER_TEST_TIMEOUT}", *selection_of(case, "local")],
            cwd=REPO, capture_output=True, text=True, timeout=900)
        assert report.is_file(), proc.stdout[-3000:] + proc.stderr[-3000:]
        return case, {"student": case, "report": report.name, "status": "graded"}

    with ThreadPoolExecutor(max_workers=2) as pool:
        rows = dict(pool.map(grade, BOTH_MODES))
    return {"rows": rows, "out": str(base)}


def test_rule_evasions_include_the_known_kinds():
    if os.environ.get("REDTEAM_CASES"):
        pytest.skip("a subset of the cases (REDTEAM_CASES)")
    assert {"helper_package_shadow", "class_from_helper", "rebound_method", "sys_modules_torch",
            "micrograd_value", "thread_indirection", "ufunc_entropy", "tamper_setprofile",
            "link_rewritten_at_import"} <= set(BOTH_MODES)


@pytest.mark.parametrize("case", BOTH_MODES)
def test_rule_evasion_caught_in_local_mode(case, local_reports):
    _check_case(case, local_reports, mode="local")


def test_gradebook_lists_every_case(redteam_batch):
    """Each batch run (one per set of exercises graded) lists exactly its cases in its gradebook."""
    outs: dict[Path, set[str]] = {}
    for case, row in redteam_batch["rows"].items():
        outs.setdefault(Path(row["out"]), set()).add(case)
    assert outs, "no batch ran"
    for out, cases in outs.items():
        book = json.loads((out / "gradebook.json").read_text(encoding="utf-8"))
        assert {r["student"] for r in book["students"]} == cases, out
        assert (out / "gradebook.csv").read_text(encoding="utf-8").count("\n") == len(cases) + 1
