"""Honest code gets the same score in isolated mode and in batch grading as in local mode (issue 9, section 1).

Every honest submission the project has is graded three times, in local mode (``run_grader(sub, out)``),
in isolated mode (``--isolated``) and by the batch grader with the others (one ``run_batch`` of all),
and every test (by node id) must end with the same outcome and the same points in all three:

* the reference solutions;
* the correct alternatives of ``selftests/variants/`` (declared ``"correct": True``);
* the red-team cases whose content is honest (``case.json`` asks for no lost points, no error
  report, no special set-up and no sandbox: nothing but ``HONEST_REDTEAM_KEYS``);
* the honest-but-unusual cases of ``selftests/honest/`` (pyplot state machine, files written to
  the current directory, threads calling the test's callable, thousands of artists, symbolic
  links...; see its README).

Cases that touch different files are packed into one submission (first fit, in a fixed order),
so a handful of submissions per mode cover them all; each submission is one parametrized test
named by its cases. In local mode each case must also get full points, except the tasks its
``lose_tasks`` names (a case that is wrong on purpose must lose the same points in both modes).
Wrong variants, mixed across exercises, must score the same in both modes too.
"""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from autograder import EXERCISES
from conftest import REPO, SOLUTIONS, VARIANTS, GradeRun, built_once, run_grader
from test_variants import _declared

HONEST = REPO / "selftests" / "honest"
REDTEAM = REPO / "selftests" / "redteam"
#: A red-team case is honest when its ``case.json`` has no other key than these: any other key (a
#: loss, an error report, a special set-up, a case that needs a sandbox because it kills processes
#: or deletes files, and any key added later) keeps it out, as it would run unconfined in local mode.
HONEST_REDTEAM_KEYS = {"description", "max_report_bytes", "present_in_report"}
#: ``case.json`` keys an honest case may use (selftests/honest/README.md).
HONEST_KEYS = {"description", "lose_tasks", "move", "symlinks", "writes"}
#: Characters of a test's output quoted in a failure message.
OUTPUT_SHOWN = 1500


def _inline_variant(text: str) -> str:
    """Variants import the solutions package; make them import a copy inside the submission."""
    text = re.sub(r"from solutions\.(\w+) import ", r"from ._ref_\1 import ", text)
    return re.sub(r"from solutions import (\w+) as (\w+)", r"from . import _ref_\1 as \2", text)


@dataclass(frozen=True)
class Case:
    """Files laid over a copy of the solutions: ``{name in the submission: file, folder or text}``."""

    name: str
    files: dict[str, Path | str]
    expect: dict = field(default_factory=dict)

    @property
    def touches(self) -> set[str]:
        """Top-level names of the submission this case writes, moves or links."""
        names = set(self.files) | set(self.expect.get("symlinks", {})) | set(self.expect.get("move", {}))
        return names | {Path(p).parts[0] for p in self.expect.get("move", {}).values()}

    @property
    def exercises(self) -> set[str]:
        return {name for name in EXERCISES if f"{name}.py" in self.touches}

    def apply(self, sub: Path) -> None:
        for name, content in self.files.items():
            if isinstance(content, str):
                (sub / name).write_text(content, encoding="utf-8")
            elif content.is_dir():
                shutil.copytree(content, sub / name, dirs_exist_ok=True)
            else:
                shutil.copy(content, sub / name)
        for old, new in self.expect.get("move", {}).items():
            (sub / new).parent.mkdir(parents=True, exist_ok=True)
            (sub / old).rename(sub / new)
        for name, target in self.expect.get("symlinks", {}).items():
            (sub / name).unlink(missing_ok=True)
            (sub / name).symlink_to(target.replace("{SUBMISSION}", str(sub)))


def _folder_case(folder: Path) -> Case:
    expect = json.loads((folder / "case.json").read_text(encoding="utf-8"))
    files = {p.name.removesuffix(".in"): p for p in sorted(folder.iterdir()) if p.name != "case.json"}
    return Case(f"{folder.parent.name}/{folder.name}", files, expect)


def _case_folders(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if (p / "case.json").is_file())


def _variant_case(path: Path) -> Case:
    return Case(f"variants/{path.parent.name}/{path.stem}",
                {f"{path.parent.name}.py": _inline_variant(path.read_text(encoding="utf-8"))})


def honest_cases() -> list[Case]:
    cases = [_folder_case(p) for p in _case_folders(HONEST)]
    cases += [c for c in map(_folder_case, _case_folders(REDTEAM)) if set(c.expect) <= HONEST_REDTEAM_KEYS]
    cases += [_variant_case(p) for p in sorted(VARIANTS.glob("*/*.py")) if _declared(p)["correct"]]
    return cases


def pack(cases: list[Case]) -> list[list[Case]]:
    """First fit: each case joins the first submission none of whose cases touches its files."""
    groups: list[list[Case]] = []
    for case in cases:
        for group in groups:
            if not any(case.touches & other.touches for other in group):
                group.append(case)
                break
        else:
            groups.append([case])
    return groups


CASES = honest_cases()
GROUPS = [[]] + pack(CASES)  # [] is the reference solutions alone


def _group_id(group: list[Case]) -> str:
    return "+".join(c.name.split("/", 1)[1].replace("/", ".") for c in group) or "solutions"


def build_submission(group: list[Case], dest: Path) -> Path:
    """solutions/ + ``_ref_*.py`` copies of them + each case's files, moves and links."""
    shutil.copytree(SOLUTIONS, dest, ignore=shutil.ignore_patterns("__pycache__"))
    for f in SOLUTIONS.glob("ex*.py"):
        shutil.copy(f, dest / f"_ref_{f.name}")
    for case in group:
        case.apply(dest)
    return dest


def _grade_locally(sub: Path, out: Path, group: list[Case]) -> tuple[GradeRun, list[str]]:
    """Grade in local mode; files the cases write with relative paths must not land in the repository
    (the grader's working directory) but in a scratch folder. Any found there is reported and removed."""
    writes = [REPO / name for case in group for name in case.expect.get("writes", [])]
    existed = {p for p in writes if p.exists() or p.is_symlink()}
    try:
        run = run_grader(sub, out)
    finally:
        stray = [p for p in writes if p not in existed and (p.exists() or p.is_symlink())]
        for p in stray:
            p.unlink()
    return run, [f"local mode: the submission's code wrote {p.name} into the repository (the grader's "
                 "working directory), not into a scratch folder" for p in stray]


def _clip(text: str) -> str:
    text = text.strip() or "(no output)"
    return text if len(text) <= OUTPUT_SHOWN else text[:OUTPUT_SHOWN] + f" [... {len(text) - OUTPUT_SHOWN} more]"


def _tests(run: GradeRun) -> dict[str, dict]:
    return {t["extra_data"]["nodeid"]: t for t in run.score["tests"]}


def _outcome(test: dict | None) -> tuple[str, float, str | None] | None:
    """(outcome, points, misconception named or None): the feedback must not depend on the mode either."""
    if test is None:
        return None
    named = test["extra_data"].get("misconception")
    return test["extra_data"]["outcome"], test["score"], named["id"] if named else None


def differences(local: GradeRun, isolated: GradeRun, group: list[Case], other: str = "isolated") -> list[str]:
    """One entry per test whose (outcome, points, misconception) differ: both sides, and what the failing
    side said (``other``: the mode of the second run, isolated or batch)."""
    for mode, run in (("local", local), (other, isolated)):
        if run.score is None:
            return [f"{mode} mode wrote no score report (exit code {run.returncode}):\n{run.output[-3000:]}"]
    lo, iso = _tests(local), _tests(isolated)
    rows, previous = [], None
    for nodeid in sorted(lo.keys() | iso.keys()):
        a, b = lo.get(nodeid), iso.get(nodeid)
        if _outcome(a) == _outcome(b):
            continue
        exercise = (a or b)["extra_data"]["exercise"]
        cases = [c.name for c in group if exercise in c.exercises] or ["reference solution"]
        row = f"{nodeid} [{', '.join(cases)}]\n    local:    {_outcome(a)}\n    {other}: {_outcome(b)}"
        shown = [(other, _clip(b["output"]) if b else "(test not run)")]
        if a is not None and a["extra_data"]["outcome"] != "passed":
            shown.append(("local", _clip(a["output"])))
        if shown == previous:
            row += "\n    output: the same as above"
        else:
            for mode, text in shown:
                row += f"\n    {mode} output:\n{textwrap.indent(text, '      ')}"
        rows.append(row)
        previous = shown
    return rows


def local_expectations(local: GradeRun, group: list[Case]) -> list[str]:
    """In local mode every task gets full points, except the ``lose_tasks`` of a case, which lose some."""
    if local.score is None:
        return []
    lose = {(ex, task) for c in group for ex, tasks in c.expect.get("lose_tasks", {}).items() for task in tasks}
    problems = []
    for ex in local.score["extra_data"]["exercises"]:
        for task in ex["tasks"]:
            full = task["score"] == task["max_score"]
            if full == ((ex["exercise"], task["task"]) in lose):
                want = "to lose points" if full else "full points"
                problems.append(f"local mode: {ex['exercise']} › {task['task']} got {task['score']}/{task['max_score']}, "
                                f"the case expects {want}")
    return problems


def _fail_on(group: list[Case], problems: list[str]) -> None:
    if problems:
        pytest.fail(f"{_group_id(group)}: {len(problems)} problem(s)\n\n" + "\n\n".join(problems), pytrace=False)


@pytest.fixture(scope="module")
def batch_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Every group graded by one batch run (isolated workers, 2 graders), as an instructor grades a
    class: the batch's graders and workers run in an environment of their own (a private temporary
    folder, CPUs claimed, no terminal), which the single ``--isolated`` run does not show."""
    return built_once(tmp_path_factory, "differential-batch", _grade_in_batch)


def _grade_in_batch(base: Path) -> dict[str, dict]:
    from autograder.classroom.batch import run_batch

    subs = base / "submissions"
    subs.mkdir()
    for index, group in enumerate(GROUPS):
        build_submission(group, subs / f"group{index}")
    rows = run_batch(subs, base / "out", jobs=2, progress=False)
    return {row["student"]: {"status": row["status"], "report": str(base / "out" / row["report"])} for row in rows}


@pytest.mark.parametrize("group", GROUPS, ids=[_group_id(g) for g in GROUPS])
def test_honest_code_scores_the_same_in_local_isolated_and_batch_mode(group, tmp_path, batch_reports):
    sub = build_submission(group, tmp_path / "submission")
    local, problems = _grade_locally(sub, tmp_path / "local", group)
    isolated = run_grader(sub, tmp_path / "isolated", "--isolated")
    row = batch_reports[f"group{GROUPS.index(group)}"]
    batch = GradeRun(0, f"batch row: {row['status']}", json.loads(Path(row["report"]).read_text(encoding="utf-8")),
                     None)
    problems = differences(local, isolated, group) + differences(local, batch, group, "batch") \
        + local_expectations(local, group) + problems
    _fail_on(group, problems)


def _mixed_wrong_variants(k: int) -> list[Case]:
    """The k-th variant file of every exercise (sorted by name), mostly wrong ones."""
    files = [sorted((VARIANTS / ex).glob("*.py")) for ex in EXERCISES]
    return [_variant_case(paths[k % len(paths)]) for paths in files]


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_wrong_variants_score_the_same_in_local_and_isolated_mode(k, tmp_path):
    group = _mixed_wrong_variants(k)
    sub = build_submission(group, tmp_path / "submission")
    local = run_grader(sub, tmp_path / "local")
    isolated = run_grader(sub, tmp_path / "isolated", "--isolated")
    problems = differences(local, isolated, group)
    _fail_on(group, problems)


def test_honest_cases_are_well_formed():
    """Each honest case says what it is, uses known keys, and lands in exactly one submission."""
    folders = _case_folders(HONEST)
    assert len(folders) >= 7, folders
    for folder in folders:
        expect = json.loads((folder / "case.json").read_text(encoding="utf-8"))
        assert expect.get("description"), folder
        assert set(expect) <= HONEST_KEYS, (folder, set(expect) - HONEST_KEYS)
        for ex, tasks in expect.get("lose_tasks", {}).items():
            assert ex in EXERCISES and tasks, (folder, ex)
    assert sorted(c.name for g in GROUPS for c in g) == sorted(c.name for c in CASES)
    for group in GROUPS:
        names = [n for c in group for n in c.touches]
        assert len(names) == len(set(names)), _group_id(group)
    names = {c.name for c in CASES}
    assert {"redteam/plt_show", "variants/ex1_vectors/alternative"} <= names
    assert not names & {"redteam/kill_everything", "redteam/delete_outside_copy", "redteam/write_tests_and_solutions"}
