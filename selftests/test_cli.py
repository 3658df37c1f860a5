"""The student's `workbook` tool and the language setting (ja / en / both).

Each CLI test works in a scratch copy of the workbook (``make_workbook``) and runs the tool in a
subprocess, as a student would; grading goes through pytest there (one exercise where possible).
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from autograder import EXERCISES
from autograder.apps.cli import backup_path, pristine_stub, wrap
from autograder.apps.policy import policy_exit
from autograder.core.exercises import discover, total_points
from autograder.core.tasks import tasks_of
from autograder.classroom.hints import load_hints, parse_hints
from autograder.core.i18n import bilingual, get_language, language_from_locale, normalize_language, set_language
from conftest import EXERCISES_DIR, REPO, SOLUTIONS, VARIANTS, make_submission, make_workbook, run_cli, run_grader

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


# --- language ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("env", "expected"), [
    ({}, "both"),
    ({"LANG": "C.UTF-8"}, "both"),
    ({"LANG": "POSIX"}, "both"),
    ({"LANG": "ja_JP.UTF-8"}, "ja"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "de_DE.UTF-8"}, "en"),
    ({"LANG": "en_US.UTF-8", "LC_ALL": "ja_JP.UTF-8"}, "ja"),
    ({"LANG": "ja_JP.UTF-8", "LC_MESSAGES": "en_GB.UTF-8"}, "en"),
    ({"LANG": "en_US.UTF-8", "LANGUAGE": "ja:en"}, "ja"),
    ({"LANG": "C", "LANGUAGE": "ja"}, "both"),  # GNU gettext ignores LANGUAGE in the C locale
])
def test_language_from_locale(env, expected):
    assert language_from_locale(env) == expected


def test_bilingual_follows_the_setting(monkeypatch):
    try:
        monkeypatch.setenv("WORKBOOK_LANG", "ja")
        set_language(None)
        assert bilingual("日本語", "English") == "日本語"
        monkeypatch.setenv("WORKBOOK_LANG", "en")
        assert bilingual("日本語", "English") == "English"
        monkeypatch.setenv("WORKBOOK_LANG", "both")
        assert bilingual("日本語", "English") == "日本語\nEnglish"
        assert bilingual("日本語", "English", sep=" / ") == "日本語 / English"
        set_language("ja")  # the --lang option wins over the environment
        assert get_language() == "ja"
        monkeypatch.setenv("WORKBOOK_LANG", "nonsense")  # ignored here; the tools reject it
        set_language(None)
        monkeypatch.setenv("LANG", "en_US.UTF-8")
        monkeypatch.delenv("LC_ALL", raising=False)
        monkeypatch.delenv("LC_MESSAGES", raising=False)
        monkeypatch.delenv("LANGUAGE", raising=False)
        assert get_language() == "en"
    finally:
        set_language(None)
    assert normalize_language(" JA ") == "ja" and normalize_language("english") == "en"
    with pytest.raises(ValueError, match="ja, en or both"):
        normalize_language("fr")


def _wrong_ex1(tmp_path: Path) -> Path:
    wrong = next(p for p in sorted((VARIANTS / "ex1_vectors").glob("*.py")) if p.name != "alternative.py")
    return make_submission(tmp_path, replace={"ex1_vectors": wrong})


@pytest.mark.parametrize("how", ["env", "option"])
def test_grader_speaks_japanese_only(tmp_path, how):
    sub = _wrong_ex1(tmp_path)
    if how == "env":
        run = run_grader(sub, tmp_path, "--exercise", "ex1_vectors", env_extra={"WORKBOOK_LANG": "ja"})
    else:
        run = run_grader(sub, tmp_path, "--exercise", "ex1_vectors", "--lang", "ja")
    failed = [t for t in run.score["tests"] if t["status"] == "failed"]
    assert failed, run.output
    for test in failed:
        assert JAPANESE.search(test["output"]), test["output"]
        assert "does not match" not in test["output"] and "expected:" not in test["output"], test["output"]
    assert "合計" in run.output and "採点結果" in run.output
    assert "Workbook score" not in run.output and "tests passed" not in run.output


def test_grader_speaks_english_only(tmp_path):
    run = run_grader(_wrong_ex1(tmp_path), tmp_path, "--exercise", "ex1_vectors", "--lang", "en")
    failed = [t for t in run.score["tests"] if t["status"] == "failed"]
    assert failed, run.output
    for test in failed:
        assert not JAPANESE.search(test["output"]), test["output"]
    table = run.output[run.output.index("Workbook score"):]
    assert not JAPANESE.search(table.split("JSON score report")[0]), table
    assert "total" in table


def test_grader_rejects_an_unknown_language(tmp_path):
    run = run_grader(SOLUTIONS, tmp_path, "--exercise", "ex1_vectors", "--lang", "fr")
    assert run.returncode == 4 and "ja, en or both" in run.output


# --- hints ------------------------------------------------------------------------------------

def _solution_lines(source: str) -> list[str]:
    """Substantial code lines inside the solution regions."""
    out, inside = [], False
    for line in source.splitlines():
        if "### BEGIN SOLUTION" in line:
            inside = True
        elif "### END SOLUTION" in line:
            inside = False
        elif inside and len(line.strip()) >= 30 and not line.strip().startswith(("#", "raise ValueError", "f\"", "\"")):
            out.append(line.strip())
    return out


@pytest.mark.parametrize("exercise", EXERCISES)
def test_every_task_has_graded_bilingual_hints_that_do_not_give_the_solution_away(exercise):
    source = (SOLUTIONS / f"{exercise}.py").read_text(encoding="utf-8")
    hints = parse_hints(source)
    assert set(hints) == {t.name for t in tasks_of(exercise)}, "one hint list per graded task"
    code = _solution_lines(source)
    for task, levels in hints.items():
        assert len(levels) >= 2, f"{task}: hints come in levels"
        for ja, en in levels:
            assert JAPANESE.search(ja) and not JAPANESE.search(en), (task, ja, en)
            for line in code:
                assert line not in ja and line not in en, f"{task}: a hint contains the solution line {line!r}"
    # outside the solution regions: the generated stub keeps the same hints
    assert parse_hints((EXERCISES_DIR / f"{exercise}.py").read_text(encoding="utf-8")) == hints
    tree = ast.parse(source)
    assert any(isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "HINTS" for n in tree.body)


def test_hints_of_a_broken_file_come_from_the_original(tmp_path):
    broken = tmp_path / "ex3_attention.py"
    broken.write_text("def softmax(x:\n", encoding="utf-8")
    hints = load_hints("ex3_attention", [broken, SOLUTIONS / "ex3_attention.py"])
    assert "softmax" in hints.tasks and hints.source == SOLUTIONS / "ex3_attention.py"
    assert "SyntaxError" in hints.warning and "line 1" in hints.warning


def test_hint_shows_one_more_level_per_call(tmp_path):
    root = make_workbook(tmp_path)
    levels = parse_hints((SOLUTIONS / "ex3_attention.py").read_text(encoding="utf-8"))["softmax"]
    seen = []
    for i in range(len(levels) + 1):
        proc = run_cli(root, "hint", "ex3", "softmax", "--lang", "en")
        assert proc.returncode == 0, proc.stderr
        seen.append(proc.stdout)
        level = min(i + 1, len(levels))
        assert f"hint {level}/{len(levels)}" in proc.stdout
        assert levels[level - 1][1].split(".")[0] in proc.stdout.replace("\n  ", " ")
        assert not JAPANESE.search(proc.stdout)
    assert "last hint" in seen[-1]
    state = json.loads((root / ".workbook" / "state.json").read_text())
    assert state["hints"] == {"ex3_attention/softmax": len(levels)}
    ja = run_cli(root, "hint", "ex3_attention", "softmax", "--level", "1", "--lang", "ja")
    assert levels[0][0][:10] in ja.stdout and "Compute" not in ja.stdout
    reset = run_cli(root, "hint", "ex3", "softmax", "--reset")
    assert reset.returncode == 0
    again = run_cli(root, "hint", "ex3", "softmax", "--lang", "en")
    assert f"hint 1/{len(levels)}" in again.stdout
    unknown = run_cli(root, "hint", "ex3", "no_such_task")
    assert unknown.returncode == 2 and "scaled_dot_product_attention" in unknown.stderr
    bad_lang = run_cli(root, "hint", "ex3", "--lang", "fr")
    assert bad_lang.returncode == 2 and "ja, en or both" in bad_lang.stderr


# --- check, status ----------------------------------------------------------------------------

def test_check_one_exercise_explains_the_first_failure_and_status_says_what_next(tmp_path):
    root = make_workbook(tmp_path, solved=("ex1_vectors",))
    ok = run_cli(root, "check", "ex1_vectors", "--lang", "en")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "20 / 20 points" in ok.stdout and "✓ cosine_similarity" in ok.stdout
    assert (root / "reports" / "score.json").exists() and (root / "reports" / "report.html").exists()

    todo = run_cli(root, "check", "3", "--lang", "en", "--no-html")
    assert todo.returncode == 1, todo.stdout + todo.stderr
    assert "0 / 20 points" in todo.stdout
    assert "first failure: softmax" in todo.stdout and "not implemented: softmax" in todo.stdout
    assert "workbook hint ex3_attention softmax" in todo.stdout
    report = json.loads((root / "reports" / "score.json").read_text())
    assert [e["exercise"] for e in report["extra_data"]["exercises"]] == ["ex3_attention"]

    status = run_cli(root, "status", "--lang", "en")
    assert status.returncode == 0, status.stderr
    lines = {line.split()[0]: line for line in status.stdout.splitlines() if line.strip().startswith("ex")}
    assert "done" in lines["ex1_vectors"] and "20/20" in lines["ex1_vectors"]
    assert "implement softmax" in lines["ex3_attention"]
    assert "not graded" in lines["ex2_transforms"] and "workbook check ex2_transforms" in lines["ex2_transforms"]
    assert "next: ex3_attention" in status.stdout  # the unfinished exercise graded last (being worked on)

    # editing a graded exercise makes its result stale
    path = root / "exercises" / "ex1_vectors.py"
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    stale = run_cli(root, "status", "--lang", "ja")
    line = next(ln for ln in stale.stdout.splitlines() if ln.strip().startswith("ex1_vectors"))
    assert "採点後に変更あり" in line and "workbook check ex1_vectors" in line
    assert "changed since graded" not in stale.stdout
    # a graded exercise's file deleted: said so, not "changed" (newcomer instructor, helper-62)
    path.unlink()
    gone = run_cli(root, "status", "--lang", "en")
    line = next(ln for ln in gone.stdout.splitlines() if ln.strip().startswith("ex1_vectors"))
    assert "file missing (deleted since graded)" in line and "changed since graded" not in line


def test_status_with_nothing_graded_grades_everything(tmp_path):
    root = make_workbook(tmp_path, solved=("ex2_transforms",), with_solutions=False)
    proc = run_cli(root, "status")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "nothing graded yet" in proc.stdout
    lines = {line.split()[0]: line for line in proc.stdout.splitlines() if line.strip().startswith("ex")}
    assert set(lines) >= set(EXERCISES)
    assert "完了 / done" in lines["ex2_transforms"]
    assert "workbook hint ex1_vectors cosine_similarity" in lines["ex1_vectors"]
    assert f"20/{total_points():g}" in proc.stdout
    # the points header ends where the longest maximum (the total's) ends, in terminal columns
    from autograder.core.i18n import text_width

    head = next(ln for ln in proc.stdout.splitlines() if "点 / points" in ln)
    total = next(ln for ln in proc.stdout.splitlines() if f"/{total_points():g}" in ln)
    end = lambda text, part: text_width(text[:text.index(part) + len(part)])  # noqa: E731
    assert end(head, "points") == end(total, f"/{total_points():g}"), (head, total)


def test_check_exit_codes_follow_the_policy():
    doc = {"score": 40.0, "max_score": 100.0, "tests": [{}], "extra_data": {"exit_status": 1}}
    assert policy_exit(doc) == 1
    assert policy_exit(doc, fail_under=40) == 0 and policy_exit(doc, fail_under=40.5) == 1
    assert policy_exit(dict(doc, score=100.0)) == 0
    assert policy_exit(doc, never_fail=True) == 0 and policy_exit(None, never_fail=True) == 0
    assert policy_exit(None) == 2 and policy_exit(None, fail_under=0) == 2
    interrupted = dict(doc, extra_data={"exit_status": 2})
    assert policy_exit(interrupted, fail_under=0) == 2
    assert policy_exit(dict(doc, tests=[]), fail_under=0) == 2


def test_check_reports_a_grading_failure_with_exit_code_2(tmp_path):
    root = make_workbook(tmp_path)
    proc = run_cli(root, "check", "ex1", "--workbook", str(tmp_path / "nowhere"))
    assert proc.returncode == 2 and "nowhere" in proc.stderr
    unknown = run_cli(root, "check", "ex99")
    assert unknown.returncode == 2 and "ex1_vectors" in unknown.stderr


def test_check_warns_when_the_graded_tests_differ_from_the_release(tmp_path):
    from autograder.classroom.release import _write_copy

    copy = tmp_path / "copy"
    _write_copy(REPO, copy)
    clean = run_cli(copy, "check", "ex1")
    assert clean.returncode == 1 and "score not authoritative" not in clean.stdout, clean.stdout + clean.stderr
    test_file = copy / "tests" / "test_ex1_vectors.py"
    test_file.write_text(test_file.read_text(encoding="utf-8").replace("rtol=1e-14, atol=0.0)", "rtol=0.5, atol=0.0)"),
                         encoding="utf-8")
    changed = run_cli(copy, "check", "ex1")
    assert changed.returncode == 1  # the score's exit code is unchanged: check only warns
    assert "modified tests: score not authoritative" in changed.stdout
    assert "採点テストが変更されています: この点数は正式な成績ではありません" in changed.stdout
    assert "tests/test_ex1_vectors.py (changed)" in changed.stdout and "instructor's own" in changed.stdout


# --- reset ------------------------------------------------------------------------------------

def test_reset_restores_the_stub_and_keeps_the_students_version(tmp_path):
    root = make_workbook(tmp_path)
    path = root / "exercises" / "ex2_transforms.py"
    stub = path.read_text(encoding="utf-8")
    mine = stub.replace("raise NotImplementedError()", "return 42  # my attempt", 1)
    path.write_text(mine, encoding="utf-8")
    proc = run_cli(root, "reset", "ex2", "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    assert path.read_text(encoding="utf-8") == stub
    backups = sorted(path.parent.glob("ex2_transforms.py.bak-*"))
    assert len(backups) == 1 and backups[0].read_text(encoding="utf-8") == mine
    assert backups[0].name in proc.stdout and "nothing is lost" in proc.stdout
    again = run_cli(root, "reset", "ex2", "--lang", "en")
    assert "already the original stub" in again.stdout
    assert len(sorted(path.parent.glob("ex2_transforms.py.bak-*"))) == 1

    # a released copy (no solutions/) resets from the stubs it keeps
    released = make_workbook(tmp_path / "released", with_solutions=False)
    kept = released / "autograder" / "data" / "stubs"
    kept.mkdir(parents=True)
    (kept / "ex1_vectors.py").write_text((root / "exercises" / "ex1_vectors.py").read_text(encoding="utf-8"))
    target = released / "exercises" / "ex1_vectors.py"
    target.write_text("# my work\n", encoding="utf-8")
    proc = run_cli(released, "reset", "ex1")
    assert proc.returncode == 0 and target.read_text() == (kept / "ex1_vectors.py").read_text()
    assert any(p.read_text() == "# my work\n" for p in target.parent.glob("ex1_vectors.py.bak-*"))


def test_backup_names_never_collide(tmp_path):
    import datetime as dt

    path = tmp_path / "ex1_vectors.py"
    when = dt.datetime(2025, 1, 2, 3, 4, 5)
    first = backup_path(path, when)
    first.write_text("a")
    second = backup_path(path, when)
    assert first.name == "ex1_vectors.py.bak-20250102-030405" and second.name.endswith("-1") and not second.exists()


# --- watch ------------------------------------------------------------------------------------

def test_watch_regrades_the_exercise_when_it_is_saved(tmp_path):
    import os

    root = make_workbook(tmp_path)
    env = dict(os.environ, PYTHONPATH=str(root), MPLBACKEND="Agg", WORKBOOK_LANG="en", NO_COLOR="1")
    env.pop("PYTEST_ADDOPTS", None)
    proc = subprocess.Popen([sys.executable, "-m", "autograder.cli", "watch", "ex1", "--no-initial",
                             "--max-runs", "1", "--interval", "0.2"], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, stdin=subprocess.DEVNULL)
    try:
        first = proc.stdout.readline()
        assert "watching" in first and "ex1_vectors.py" in first
        time.sleep(0.5)
        (root / "exercises" / "ex1_vectors.py").write_text(
            (SOLUTIONS / "ex1_vectors.py").read_text(encoding="utf-8"), encoding="utf-8")
        out, _ = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out
    assert "ex1_vectors" in out and "20 / 20 points" in out and "waiting for a save" in out


# --- release ----------------------------------------------------------------------------------

def test_release_makes_a_student_copy_without_solutions_or_hidden_tests(tmp_path):
    root = make_workbook(tmp_path / "src")
    (root / "templates" / "github" / "workflows").mkdir(parents=True)
    (root / "templates" / "github" / "workflows" / "grade.yml").write_text(
        (REPO / "templates" / "github" / "workflows" / "grade.yml").read_text(encoding="utf-8"))
    (root / "templates" / "student").mkdir()
    (root / "templates" / "student" / "README.md").write_text(
        (REPO / "templates" / "student" / "README.md").read_text(encoding="utf-8"))
    (root / "docs").mkdir()
    (root / "docs" / "ERRATA.md").write_text("errata\n")
    # the repository's scripts/: the student's set-up and grading scripts, and instructor tools that
    # must stay behind (scripts/mutation.py quotes the solution markers: copied, it failed the release)
    (root / "scripts").mkdir()
    for name in ("_env.sh", "setup.sh", "grade.sh", "selftest.sh", "batch.sh", "mutation.py"):
        shutil.copy2(REPO / "scripts" / name, root / "scripts" / name)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("x")
    refused = run_cli(root, "release", str(busy), "--lang", "en")
    assert refused.returncode == 2 and "not empty" in refused.stderr
    assert sorted(p.name for p in busy.iterdir()) == ["keep.txt"]

    out = tmp_path / "student"
    proc = run_cli(root, "release", str(out), "--lang", "en", timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "stubs 0" in proc.stdout
    for absent in ("solutions", "selftests", "course", ".ci", "reports", ".workbook"):
        assert not (out / absent).exists(), absent
    assert sorted(p.name for p in (out / "scripts").iterdir()) == ["_env.sh", "grade.sh", "setup.sh"]
    assert not list(out.rglob("*.bak*"))
    for path in (out / "tests").glob("test_*.py"):
        text = path.read_text(encoding="utf-8")
        assert "@pytest.mark.hidden" not in text, path
        ast.parse(text)
    for name in EXERCISES:
        stub = (out / "exercises" / f"{name}.py").read_text(encoding="utf-8")
        assert "### BEGIN SOLUTION" not in stub and "raise NotImplementedError()" in stub and "HINTS = {" in stub
        assert (out / "autograder" / "data" / "stubs" / f"{name}.py").read_text(encoding="utf-8") == stub
    assert sorted(p.name for p in (out / "autograder" / "data" / "figures").glob("*.png")) == sorted(
        f"{e.name}.png" for e in discover() if e.figure)
    assert {"ex2_transforms.png", "ex3_attention.png", "ex4_gradient_descent.png"} <= {
        p.name for p in (out / "autograder" / "data" / "figures").glob("*.png")}
    assert (out / ".github" / "workflows" / "grade.yml").is_file()
    assert ".workbook/" in (out / ".gitignore").read_text() and "*.py.bak-*" in (out / ".gitignore").read_text()
    # the student README, not the instructor's: its total is what the copy grades (issue 11: it said
    # "100 in all" and mentioned selftest.sh, solutions/ and course/ while the copy grades out of 89,
    # its visible points then)
    readme = (out / "README.md").read_text(encoding="utf-8")
    for word in ("selftest", "solutions/", "course/", "100 in all"):
        assert word not in readme, word
    visible = total_points(out / "tests")
    assert visible < total_points() and f"| **total / 合計** | **{visible:g}** |" in readme and "workbook status" in readme and "python -m venv" in readme
    # the release record: the digest of the copy's own grader and tests (not ignored by git)
    from autograder.results.digest import RELEASE_RECORD, read_release_record, tree_digest

    record = read_release_record(out / RELEASE_RECORD)
    assert record == tree_digest(out) and RELEASE_RECORD not in (out / ".gitignore").read_text()
    assert record["files"]["tests"]["tests/test_ex1_vectors.py"] != tree_digest(root)["files"]["tests"][
        "tests/test_ex1_vectors.py"]  # the copy's tests, without the hidden ones


# --- the console script -----------------------------------------------------------------------

def test_console_script_is_declared_and_helpful():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["scripts"]["workbook"] == "autograder.cli:main"
    script = Path(sys.executable).with_name("workbook")
    if not script.exists():
        pytest.skip("the workbook is not installed in this environment (pip install -e .)")
    proc = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    for command in ("status", "check", "hint", "watch", "reset", "release", "report"):
        assert command in proc.stdout


def test_wrap_keeps_words_and_breaks_japanese():
    text = "バッチ (N, D) では np.atleast_2d で 1 件も (1, D) にそろえると、形違いは ValueError。" * 3
    lines = wrap(text, width=40, indent="").splitlines()
    assert all(sum(2 if JAPANESE.match(c) or c in "、。" else 1 for c in line) <= 40 for line in lines)
    assert "ValueError" in "".join(lines) and all("Valu" not in ln or "ValueError" in ln for ln in lines)
    assert wrap("a b c", width=40) == "  a b c"


# --- issue 11: partial runs, backups, hints, wrapping, next steps, terminal summary -----------

def _without(source: str, function: str) -> str:
    """``source`` with the solution region of ``function`` replaced by ``raise NotImplementedError()``."""
    start = source.index(f"def {function}")
    begin = source.index("### BEGIN SOLUTION", start)
    end = source.index("### END SOLUTION", begin)
    return source[:begin] + "### BEGIN SOLUTION\n    raise NotImplementedError()\n    " + source[end:]


def _status_line(out: str, name: str) -> str:
    return next(line for line in out.splitlines() if line.strip().startswith(name))


def test_check_of_an_exercise_kept_as_a_notebook_never_advises_a_reset(tmp_path):
    """Newcomer helper: with ex1_vectors.ipynb and no .py, `workbook check ex1` advised `workbook reset
    ex1_vectors`; the batch then graded that empty stub (0 points) instead of the notebook. The advice
    is the conversion now (the batch also grades a notebook beside an untouched stub: test_batch)."""
    root = make_workbook(tmp_path)
    (root / "exercises" / "ex1_vectors.py").unlink()
    (root / "exercises" / "ex1_vectors.ipynb").write_text("{}", encoding="utf-8")
    check = run_cli(root, "check", "ex1", "--lang", "en", "--no-html")
    assert "python -m autograder.course to-py exercises/ex1_vectors.ipynb exercises/ex1_vectors.py" in check.stdout, \
        check.stdout + check.stderr
    assert "not `workbook reset`" in check.stdout and "workbook reset ex1_vectors` makes" not in check.stdout


def test_a_check_after_a_plain_pytest_run_keeps_that_runs_results(tmp_path):
    """Newcomer helper: `pytest` (every exercise), then `workbook check ex1`, then `workbook status`
    showed ex2-ex9 "not graded": the check replaced reports/score.json before anything had taken in the
    plain run's results. A command that replaces the report takes them in first."""
    import os

    root = make_workbook(tmp_path, solved=("ex2_transforms",), with_solutions=False)
    env = dict(os.environ, PYTHONPATH=str(root), MPLBACKEND="Agg", WORKBOOK_LANG="en", NO_COLOR="1")
    env.pop("PYTEST_ADDOPTS", None)
    plain = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--exercise", "ex1_vectors",
                            "--exercise", "ex2_transforms"], cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert plain.returncode == 1 and (root / "reports" / "score.json").is_file(), plain.stdout[-2000:]
    check = run_cli(root, "check", "ex1", "--lang", "en", "--no-html")
    assert check.returncode == 1, check.stdout + check.stderr
    status = run_cli(root, "status", "--lang", "en")
    assert "20/20" in _status_line(status.stdout, "ex2_transforms"), status.stdout
    assert re.search(r"total\s+20/40", status.stdout), status.stdout


def test_a_partial_check_keeps_the_points_of_the_other_tasks(tmp_path):
    from autograder.core.i18n import text_width

    root = make_workbook(tmp_path)
    path = root / "exercises" / "ex3_attention.py"
    path.write_text(_without((SOLUTIONS / "ex3_attention.py").read_text(encoding="utf-8"), "attention_entropy"),
                    encoding="utf-8")
    full = run_cli(root, "check", "ex3", "--lang", "en", "--no-html")
    assert full.returncode == 1 and "15 / 20 points" in full.stdout, full.stdout + full.stderr
    # the example: `check ex3 --task attention_entropy` wiped the 15 points from status
    part = run_cli(root, "check", "ex3", "--task", "attention_entropy", "--lang", "en", "--no-html")
    assert "0 / 3 points" in part.stdout and "this exercise so far (with earlier results): 15 / 20" in part.stdout
    status = run_cli(root, "status", "--lang", "en")
    assert "15/20" in _status_line(status.stdout, "ex3_attention") and "older results" not in status.stdout
    assert re.search(r"total\s+15/20", status.stdout), status.stdout
    # one more case: the file changed, then a partial run of the fixed task; the other tasks keep
    # their points and are marked as graded on the earlier version
    path.write_text((SOLUTIONS / "ex3_attention.py").read_text(encoding="utf-8"), encoding="utf-8")
    part = run_cli(root, "check", "ex3", "--task", "attention_entropy", "--lang", "en", "--no-html")
    assert "3 / 3 points" in part.stdout and "18 / 20" in part.stdout
    # only attention_entropy's own code changed: the other tasks' results are of this version
    # (the trial: every untouched task was listed as "graded on an earlier version")
    assert "graded on an earlier version" not in part.stdout, part.stdout
    status = run_cli(root, "status", "--lang", "en")
    assert "older results" not in _status_line(status.stdout, "ex3_attention")
    # one more case: softmax's own body changes, then only attention_entropy is graded again:
    # softmax alone is older (a comment elsewhere changes nothing)
    text = path.read_text(encoding="utf-8")
    begin = text.index("### BEGIN SOLUTION", text.index("def softmax"))
    text = text[:begin] + "### BEGIN SOLUTION\n    _unused = 0\n    " + text[begin + len("### BEGIN SOLUTION\n    "):]
    path.write_text(text.replace("def attention_entropy(", "# a comment\ndef attention_entropy(", 1), encoding="utf-8")
    part = run_cli(root, "check", "ex3", "--task", "attention_entropy", "--lang", "en", "--no-html")
    assert "graded on an earlier version: softmax)" in part.stdout, part.stdout
    status = run_cli(root, "status", "--lang", "en")
    line = _status_line(status.stdout, "ex3_attention")
    assert "18/20" in line and "older results for softmax " in line and "workbook check ex3_attention" in line
    done = run_cli(root, "check", "ex3", "--lang", "en", "--no-html")
    assert done.returncode == 0 and "done! On to the next exercise, ex4_gradient_descent" in done.stdout
    # the Japanese status lines up: the points column starts at the same width on every row
    ja = run_cli(root, "status", "--lang", "ja").stdout.splitlines()
    rows = [ln for ln in ja if ln.strip().startswith(("ex", "合計"))]
    assert len(rows) == len(EXERCISES) + 1 and rows[-1].strip().startswith("合計")
    slash = {text_width(ln[:ln.index("/")]) if "/" in ln.split("→")[0] else None for ln in rows}
    assert slash - {None} and len(slash - {None}) == 1, ja
    # the header row names the columns, lined up with the wide characters: "テスト" ends where the
    # test counts end
    head = next(ln for ln in ja if ln.strip().startswith("演習"))
    row = _status_line("\n".join(ja), "ex3_attention")
    count = re.search(r"\d+/\d+\s+(\d+/\d+)", row)
    assert text_width(head[:head.index("テスト") + 3]) == text_width(row[:count.end(1)]), ja
    both = run_cli(root, "status", "--lang", "both").stdout.splitlines()
    head = next(ln for ln in both if ln.strip().startswith("演習"))
    assert "点 / points" in head and "テスト / tests" in head and "exercise" in head
    row = _status_line("\n".join(both), "ex3_attention")
    count = re.search(r"\d+/\d+\s+(\d+/\d+)", row)
    assert text_width(head[:head.index("tests") + 5]) == text_width(row[:count.end(1)]), both


def test_reset_backups_are_ignored_by_git_in_the_repository_and_in_student_copies(tmp_path):
    import datetime as dt
    import shutil

    from autograder.classroom.release import STUDENT_GITIGNORE

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    for name, ignore in (("repo", (REPO / ".gitignore").read_text(encoding="utf-8")), ("copy", STUDENT_GITIGNORE)):
        work = tmp_path / name
        (work / "exercises").mkdir(parents=True)
        (work / ".gitignore").write_text(ignore, encoding="utf-8")
        subprocess.run(["git", "init", "-q"], cwd=work, check=True)
        stub = work / "exercises" / "ex3_attention.py"
        stub.write_text("x = 1\n")
        first = backup_path(stub, dt.datetime(2025, 1, 2, 3, 4, 5))
        first.write_text("mine")
        second = backup_path(stub, dt.datetime(2025, 1, 2, 3, 4, 5))  # one more case: the -1 suffix
        second.write_text("mine again")
        (work / "exercises" / "ex3_attention.py.bak").write_text("stubs --force backup")
        subprocess.run(["git", "add", "-A"], cwd=work, check=True)
        staged = subprocess.run(["git", "diff", "--cached", "--name-only"], cwd=work, capture_output=True,
                                text=True, check=True).stdout.split()
        assert sorted(staged) == [".gitignore", "exercises/ex3_attention.py"], (name, staged)


def _code_spans(text: str) -> list[str]:
    """Pieces of Python code in a hint: a call that parses and is more than math notation like
    ``exp(x_i / T)`` (a bare function of plain arguments): a method or library call with a computed
    argument, a nested or chained call, three or more arguments."""
    out = []
    for match in re.finditer(r"(?<![\w.])[A-Za-z_][\w.]*\(", text):
        depth, end, i = 0, None, match.end() - 1
        while i < len(text):
            depth += text[i] in "([{"
            depth -= text[i] in ")]}"
            i += 1
            if depth == 0:
                end = i
                chain = re.match(r"\.[A-Za-z_]\w*\(", text[i:])  # a method chain: .reshape(...)
                if chain is None:
                    break
                i += chain.end() - 1
        try:
            call = ast.parse(text[match.start():end], mode="eval").body if end else None
        except SyntaxError:
            continue
        if not isinstance(call, ast.Call):
            continue
        args = [*call.args, *(k.value for k in call.keywords)]
        nested = [n for a in args for n in ast.walk(a) if isinstance(n, ast.Call)]
        computed = [n for a in args for n in ast.walk(a) if isinstance(n, (
            ast.BinOp, ast.Compare, ast.Subscript, ast.Lambda, ast.JoinedStr, ast.BoolOp, ast.IfExp, ast.comprehension))]
        math = isinstance(call.func, ast.Name) and not nested
        chained = any(isinstance(n, ast.Call) for n in ast.walk(call.func))
        if not math and (nested or computed or chained or len(args) >= 3):
            out.append(text[match.start():end])
    return out


def test_code_detector_finds_code_and_spares_math():
    # the example (level 3 of attention_entropy was the answer) and one more of the kind
    assert _code_spans("np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0) computes it")
    assert _code_spans("then dW = dZ.T @ x and db = dZ.sum(axis=0).reshape(1, -1) give it")
    assert _code_spans("ax.plot([x], [y], linestyle='none', marker='*', label='minimum')")
    assert not _code_spans("softmax_T(x)_i = exp(x_i / T) / Σ_j exp(x_j / T), a fudge like log(p + 1e-10)")
    assert not _code_spans("solve it with np.linalg.solve(H, b); np.any(mask, axis=-1) finds the row")


@pytest.mark.parametrize("exercise", EXERCISES)
def test_hints_show_the_shape_of_the_code_never_the_code(exercise):
    hints = parse_hints((SOLUTIONS / f"{exercise}.py").read_text(encoding="utf-8"))
    found = {(task, level, span) for task, levels in hints.items() for level, pair in enumerate(levels, 1)
             for text in pair for span in _code_spans(text)}
    assert not found, f"hints that write the code: {sorted(found)}"


def test_wrap_never_starts_a_line_with_closing_punctuation():
    from autograder.core.i18n import text_width

    # the case: the old wrapper left 。 at the start of a line
    levels = parse_hints((SOLUTIONS / "ex3_attention.py").read_text(encoding="utf-8"))
    texts = [ja for task in levels.values() for ja, _ in task]
    # one more case: closing brackets and the long vowel mark
    texts.append("「ソフトマックス」（温度付き）は、行ごとの和が 1 になります。」" * 4)
    for text in texts:
        for width in range(20, 60, 3):
            lines = wrap(text, width=width, indent="").splitlines()
            assert "".join(lines).replace(" ", "") == text.replace(" ", "")
            for line in lines:
                assert not line.startswith(tuple("。、，．」』）)]ー")), (width, lines)
                assert text_width(line) <= width or " " not in line, (width, line)


def test_next_step_after_a_syntax_error_names_the_file_and_line(tmp_path):
    root = make_workbook(tmp_path)
    path = root / "exercises" / "ex1_vectors.py"
    lines = path.read_text(encoding="utf-8").splitlines()
    n = len(lines) + 1
    path.write_text("\n".join([*lines, "def broken(:"]) + "\n", encoding="utf-8")
    proc = run_cli(root, "check", "ex1", "--lang", "en", "--no-html")
    nxt = next(ln for ln in proc.stdout.splitlines() if ln.startswith("next:"))
    assert f"fix the syntax error in exercises/ex1_vectors.py, line {n}" in nxt and "workbook hint" not in nxt
    # one more case: an indentation error, and a missing file
    path.write_text("\n".join([*lines, "   x = 1"]) + "\n", encoding="utf-8")
    proc = run_cli(root, "check", "ex1", "--lang", "ja", "--no-html")
    nxt = next(ln for ln in proc.stdout.splitlines() if ln.startswith("次にすること"))
    assert f"exercises/ex1_vectors.py の {n} 行目の構文エラー" in nxt and "IndentationError" in nxt, nxt
    path.unlink()
    proc = run_cli(root, "check", "ex1", "--lang", "en", "--no-html")
    assert "workbook reset ex1_vectors" in proc.stdout


def test_an_unimplemented_task_is_one_line_of_the_terminal_summary(tmp_path):
    sub = make_submission(tmp_path, replace={"ex3_attention": _without(
        (SOLUTIONS / "ex3_attention.py").read_text(encoding="utf-8"), "attention_entropy"),
        "ex1_vectors": (EXERCISES_DIR / "ex1_vectors.py").read_text(encoding="utf-8"),
        "ex2_transforms": next(p for p in sorted((VARIANTS / "ex2_transforms").glob("*.py"))
                               if p.name != "alternative.py")})
    run = run_grader(sub, tmp_path, "--lang", "en")
    out = run.output
    # the example: ~400 lines of "not implemented" for fresh stubs; now one line per task
    assert "ex1_vectors › cosine_similarity: not implemented yet (0/9 points)" in out
    assert "ex3_attention › attention_entropy: not implemented yet (0/3 points)" in out
    assert out.count("not implemented: cosine_similarity") == 0 and "test_cosine_chapter_examples __" not in out
    # a wrong (implemented) task keeps its failure block; the JSON report keeps every test
    assert "ex2_transforms ›" in out.split("tasks not implemented yet")[0]
    outcomes = [t["extra_data"]["outcome"] for t in run.score["tests"]]
    assert outcomes.count("not_implemented") >= 17 + 3 and len(outcomes) == len(run.score["tests"])
    assert re.search(r"\d+ failed, \d+ passed", out)
    stubs = run_grader(EXERCISES_DIR, tmp_path / "stubs" if (tmp_path / "stubs").mkdir() is None else tmp_path,
                       "--lang", "en")
    # one line per task and one row per exercise, plus pytest's header and summary (~30 lines), and
    # pytest's progress line of each test file twice (its hidden tests run after every visible one)
    tasks = sum(len(tasks_of(name)) for name in EXERCISES)
    assert len(stubs.output.splitlines()) < tasks + 2 * len(EXERCISES) + 40, stubs.output


# --- issue 11: the language of test descriptions, worker messages and the batch console --------

def test_every_graded_test_describes_itself_in_japanese_and_english():
    from autograder.core.i18n import describe

    for path in sorted((REPO / "tests").glob("test_ex*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                ja, en = describe(ast.get_docstring(node))
                assert JAPANESE.search(ja) and en and not JAPANESE.search(en), (path.name, node.name, ja, en)
                # whole sentences (newcomer helper: six ex2 descriptions ended mid-sentence, "k, c·λ and the")
                assert en.endswith((".", ")")) and ja.endswith(("。", ")")), (path.name, node.name, ja, en)
    # the format, and one more case: an "en:" prefix and a docstring without a Japanese part
    assert describe("A mask that is not boolean raises ValueError.\n\n    ja: 真偽値でないマスクは ValueError。\n") == (
        "真偽値でないマスクは ValueError。", "A mask that is not boolean raises ValueError.")
    assert describe("en: Rows sum to 1.\nja: 各行の和は 1。") == ("各行の和は 1。", "Rows sum to 1.")
    assert describe("Only English.") == ("", "Only English.") and describe(None) == ("", "")
    # a part that wraps is read to its end (Japanese lines joined without a space)
    assert describe("Huge matrices get the same\n    answer.\n\n    ja: 非常に大きい行列でも\n    同じ答え (tol = 0)。\n\n"
                    "    More text.") == ("非常に大きい行列でも同じ答え (tol = 0)。", "Huge matrices get the same answer.")


@pytest.mark.parametrize("lang", ["ja", "en", "both"])
def test_test_descriptions_follow_the_language(tmp_path, lang):
    # the example: "最初の失敗: … A mask that is not boolean …" under --lang ja
    source = (SOLUTIONS / "ex3_attention.py").read_text(encoding="utf-8").replace(
        "        if m.dtype != np.bool_:", "        if False:")
    root = make_workbook(tmp_path)
    (root / "exercises" / "ex3_attention.py").write_text(source, encoding="utf-8")
    proc = run_cli(root, "check", "ex3", "--lang", lang, "--no-html")
    head = next(ln for ln in proc.stdout.splitlines() if "test_attention_non_boolean_mask_raises" in ln)
    ja, en = "真偽値でないマスク", "A mask that is not boolean"
    assert (ja in head) == (lang != "en") and (en in head) == (lang != "ja"), head
    report = json.loads((root / "reports" / "score.json").read_text(encoding="utf-8"))
    names = [t["name"] for t in report["tests"] if not t["extra_data"]["hidden"]]
    # a hidden test is shown to a student by its name only, with no description in any language
    assert all(": " not in t["name"] for t in report["tests"] if t["extra_data"]["hidden"])
    if lang == "en":  # one more case: every test of the report, not only the first failure
        assert not any(JAPANESE.search(n) for n in names)
    else:
        assert all(JAPANESE.search(n) for n in names)


@pytest.mark.parametrize("lang", ["both", "ja"])
def test_a_missing_file_is_reported_in_the_chosen_language_in_isolated_mode(tmp_path, lang):
    # the example: under `both` the missing-file error was English only (the isolated
    # worker took its language from the locale, not from --lang)
    sub = make_submission(tmp_path, drop=("ex2_transforms",))
    run = run_grader(sub, tmp_path, "--exercise", "ex2_transforms", "--isolated", "--lang", lang,
                     env_extra={"WORKBOOK_LANG": "", "LANG": "en_US.UTF-8", "LC_ALL": ""})
    output = run.score["tests"][0]["output"]
    assert "ex2_transforms.py が提出物にありません" in output
    assert ("is missing from the submission" in output) == (lang == "both"), output


def test_the_batch_console_prints_every_line_of_an_error(monkeypatch):
    from autograder.apps.batch import _console_summary

    error = "bob/ は演習ディレクトリではありません。\nbob/ is not a workbook."
    rows = [{"student": "alice", "status": "graded", "score": 20.0, "max_score": 89.0},
            {"student": "bob", "status": "error", "errors": [error], "report": "reports/bob.json"},
            {"student": "carol", "status": "error", "errors": ["\n".join(f"line {i}" for i in range(20))],
             "report": "reports/carol.json"}]
    try:
        set_language("both")
        text = _console_summary(rows, Path("graded"))
        assert "エラー / error: bob: bob/ は演習ディレクトリではありません。" in text
        assert "    bob/ is not a workbook." in text  # the English half too (was cut)
        assert "line 5" in text and "line 6" not in text and "    ..." in text  # one more case: a long error
        set_language("en")
        text = _console_summary(rows, Path("graded"))
        assert "error: bob:" in text and not JAPANESE.search(text.replace("bob/ は演習ディレクトリではありません。", ""))
    finally:
        set_language(None)


def test_the_student_readme_gives_the_points_the_copy_grades(tmp_path):
    from autograder.classroom.release import student_readme, strip_hidden_tests
    from autograder.core.exercises import total_points

    tests = tmp_path / "tests"
    tests.mkdir()
    hidden_points = 0.0
    for path in sorted((REPO / "tests").glob("test_ex*.py")):
        text = path.read_text(encoding="utf-8")
        stripped, _ = strip_hidden_tests(text)
        (tests / path.name).write_text(stripped, encoding="utf-8")
        for node in ast.parse(text).body:  # the hidden tests' points, counted independently
            if isinstance(node, ast.FunctionDef) and any("mark.hidden" in ast.unparse(d) for d in node.decorator_list):
                task = next(d for d in node.decorator_list if "mark.task" in ast.unparse(d))
                hidden_points += next(ast.literal_eval(k.value) for k in task.keywords if k.arg == "points")
    total = total_points() - hidden_points  # each exercise's points, whatever they are
    assert f"| **total / 合計** | **{total:g}** |" in student_readme(REPO, tests)
    # one more case: a copy with one more visible test of 2 points says 2 more
    extra = tests / "test_ex1_vectors.py"
    extra.write_text(extra.read_text(encoding="utf-8") + (
        "\n\n@pytest.mark.task(\"analogy\", points=2)\ndef test_extra(exercise):\n    pass\n"), encoding="utf-8")
    readme = student_readme(REPO, tests)
    assert f"| **total / 合計** | **{total + 2:g}** |" in readme and "selftest" not in readme


def test_no_pass_mark_means_graded_not_passed():
    from autograder.apps.ci import classroom_result, gate_message

    def doc(passed: int, failed: int) -> dict:
        tests = [{"name": f"t{i}", "score": 1.0 if i < passed else 0.0, "max_score": 1.0,
                  "status": "passed" if i < passed else "failed", "output": "", "extra_data": {}}
                 for i in range(passed + failed)]
        return {"score": float(passed), "max_score": float(passed + failed), "tests": tests,
                "extra_data": {"exit_status": 0 if not failed else 1}}

    try:
        set_language("en")
        empty = doc(0, 89)  # the example: an empty submission, the template's default pass mark 0
        assert gate_message(empty, 0, fail_under=0) == "graded: 0/89 (no pass mark set)"
        assert classroom_result(empty, fail_under=0)["status"] == "fail"
        assert classroom_result(empty, never_fail=True)["status"] == "fail"
        # one more case: full marks are passed even without a pass mark; a pass mark is said as such
        full = doc(89, 0)
        assert classroom_result(full, fail_under=0)["status"] == "pass"
        half = doc(50, 39)
        assert gate_message(half, 0, fail_under=45) == "passed: 50/89 (pass mark 45)"
        assert gate_message(half, 1, fail_under=60) == "below the pass mark: 50/89 (pass mark 60)"
        assert classroom_result(half, fail_under=45)["status"] == "pass"
        assert gate_message(half, 1) == "some tests failed: 50/89 (rule: every test passes)"
        assert gate_message(half, 0, never_fail=True) == "graded: 50/89 (--never-fail)"
        set_language("ja")
        assert gate_message(empty, 0, fail_under=0) == "採点済み: 0/89 (合格点の設定なし)"
    finally:
        set_language(None)


# --- i11 newcomer trial: task names, the next step, bare hint, usage errors -------------------

def test_a_wrong_task_name_is_refused_before_anything_is_graded_or_written(tmp_path):
    from autograder.grading.workspace import grade

    root = make_workbook(tmp_path)
    first = run_cli(root, "check", "ex3", "--lang", "en")
    assert first.returncode == 1, first.stdout + first.stderr
    kept = {p: p.read_bytes() for p in (root / "reports" / "score.json", root / "reports" / "report.html",
                                        root / ".workbook" / "state.json")}
    # the trial's example: a typo graded nothing, said so in pytest's words and overwrote the reports
    typo = run_cli(root, "check", "ex3", "--task", "softmx")
    assert typo.returncode == 2 and "grading" not in typo.stdout, typo.stdout + typo.stderr
    assert "ex3_attention has no task 'softmx'. Did you mean softmax?" in typo.stderr
    assert "softmax のことですか" in typo.stderr and "scaled_dot_product_attention, attention_entropy" in typo.stderr
    # one more case of the kind: a task of another exercise, and the same check in watch and hint
    other = run_cli(root, "check", "ex1", "--task", "softmax", "--lang", "en")
    assert other.returncode == 2 and "ex1_vectors has no task 'softmax'" in other.stderr
    assert "cosine_similarity" in other.stderr and "Did you mean" not in other.stderr
    watch = run_cli(root, "watch", "ex3", "--task", "entropy", "--max-runs", "1", "--lang", "en")
    assert watch.returncode == 2 and "Did you mean attention_entropy?" in watch.stderr, watch.stdout + watch.stderr
    hint = run_cli(root, "hint", "ex3", "entropy", "--lang", "ja")
    assert hint.returncode == 2 and "attention_entropy のことですか" in hint.stderr
    assert all(p.read_bytes() == data for p, data in kept.items())
    # a grading run that selects no test (here: -k) never replaces the latest reports
    result = grade(root, root / "exercises", exercises=["ex3_attention"], score_path=root / "reports" / "score.json",
                   html_path=root / "reports" / "report.html", extra_args=["-k", "no_such_test"])
    assert result.returncode == 5 and not (result.document or {}).get("tests")
    assert all(p.read_bytes() == data for p, data in kept.items())
    assert not [p.name for p in (root / "reports").iterdir() if p.name.startswith(".grading")]


def test_next_puts_a_load_error_first_then_the_exercise_being_worked_on(tmp_path):
    root = make_workbook(tmp_path)
    assert run_cli(root, "check", "ex1", "--no-html").returncode == 1
    # the trial's example: a syntax error in ex3, and "next" still said "implement cosine_similarity"
    path = root / "exercises" / "ex3_attention.py"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines, "def broken(:"]) + "\n", encoding="utf-8")
    status = run_cli(root, "status", "--lang", "en")
    nxt = next(ln for ln in status.stdout.splitlines() if ln.startswith("next:"))
    assert nxt.startswith(f"next: ex3_attention: fix the syntax error in exercises/ex3_attention.py, line {len(lines) + 1}"), nxt
    # a bare `workbook hint` takes the exercise of that step
    hint = run_cli(root, "hint", "--lang", "en")
    assert hint.returncode == 0 and "hints of ex3_attention" in hint.stdout and "SyntaxError" in hint.stdout, hint.stderr
    # one more case of the kind: an import error (found by grading) comes before the exercise
    # edited last (ex4); once fixed, the exercise edited last is next, then the first unfinished
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ex2 = root / "exercises" / "ex2_transforms.py"
    stub2 = ex2.read_text(encoding="utf-8")
    ex2.write_text(stub2.replace("import numpy as np", "import numpy as np\nimport no_such_module", 1), encoding="utf-8")
    assert run_cli(root, "check", "ex2", "--no-html").returncode == 1
    ex4 = root / "exercises" / "ex4_gradient_descent.py"
    time.sleep(0.05)
    ex4.write_text(ex4.read_text(encoding="utf-8") + "\n# started\n", encoding="utf-8")
    nxt = next(ln for ln in run_cli(root, "status", "--lang", "en").stdout.splitlines() if ln.startswith("next:"))
    assert nxt.startswith("next: ex2_transforms: importing exercises/ex2_transforms.py fails"), nxt
    ex2.write_text(stub2, encoding="utf-8")
    status = run_cli(root, "status", "--lang", "en")
    nxt = next(ln for ln in status.stdout.splitlines() if ln.startswith("next:"))
    assert nxt == "next: ex4_gradient_descent: workbook check ex4_gradient_descent", status.stdout
    hint = run_cli(root, "hint", "--lang", "en")
    assert hint.returncode == 0 and "ex4_gradient_descent ›" in hint.stdout
    ex4.write_text(pristine_stub(root, "ex4_gradient_descent"), encoding="utf-8")  # back to untouched
    nxt = next(ln for ln in run_cli(root, "status", "--lang", "en").stdout.splitlines() if ln.startswith("next:"))
    assert nxt.startswith("next: ex2_transforms:"), nxt  # graded after ex1, so worked on last


def test_usage_errors_are_bilingual(tmp_path):
    root = make_workbook(tmp_path)
    # the trial's example was bare `workbook hint` (now valid); a missing argument elsewhere:
    missing = run_cli(root, "reset")
    assert missing.returncode == 2
    assert "必要な引数がありません: EXERCISE" in missing.stderr and "the following arguments are required" in missing.stderr
    # one more case: a bad value, in the language chosen on the same command line
    bad = run_cli(root, "hint", "ex3", "--level", "two", "--lang", "ja")
    assert bad.returncode == 2 and "--level の値 'two' は使えません" in bad.stderr and "invalid" not in bad.stderr, bad.stderr


def test_wrap_keeps_a_short_bracketed_expression_on_one_line():
    """A newcomer saw ``workbook hint`` break ``[-1,`` / ``1]`` over two lines."""
    text = ("cos の値は丸めで 1 をわずかに超えることがあります。np.clip で [-1, 1] に収めます。"
            "The value must lie in [-1, 1]; return the tuple (output, weights) as the chapter does.")
    for width in range(54, 100, 3):  # a bracket up to a third of the width stays whole
        out = wrap(text, width=width, indent="")
        assert "[-1, 1]" in out and "(output, weights)" in out, (width, out)
        assert "\u00a0" not in out
