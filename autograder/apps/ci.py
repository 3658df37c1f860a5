"""CI helpers for a student's or a course's repository (``workbook COMMAND`` or ``python -m autograder.ci``).

All of them read the JSON score report that grading wrote (``reports/score.json``)::

    ci-summary REPORT [--history FILE]       Markdown score table (append it to $GITHUB_STEP_SUMMARY)
    badge REPORT --out FILE [--label L]      shields.io endpoint JSON ({"schemaVersion": 1, ...})
    history REPORT --file FILE [--badge F] [--push BRANCH] [--remote R]
                                             append a record (commit, time, points per exercise) to a
                                             JSON-lines file; with --push also commit it (and the
                                             badge) to BRANCH of the remote, never touching the work tree
    classroom REPORT [--fail-under N | --never-fail] [--allow-modified] [--release FILE]
                     [--github-output NAME]
                                             GitHub Classroom autograding-reporter result (base64 JSON)
    gate REPORT [--fail-under N | --never-fail] [--allow-modified] [--release FILE]
                                             exit code by the course's policy

Exit-code policy (``gate``, and ``workbook check``): 0 = passed (score ≥ N with ``--fail-under N``;
every test passed without it; always with ``--never-fail``); 1 = below the pass mark; 2 = grading
did not complete (no or unreadable report, pytest interrupted, usage or internal error). So a
course chooses "fail the job below N points" (``--fail-under N``), "fail only when grading
breaks" (``--fail-under 0``) or "never fail" (``--never-fail``).

Grader and tests as released (``gate``, ``classroom``, ``ci-summary``): the score report records
the digest of the grader and graded tests that ran and the release record's
(:mod:`autograder.results.digest`). When they differ, ``gate`` prints "modified grader / tests: score not
authoritative" with the files, and exits **3** (after 2, before 1: a changed grader makes the
pass mark meaningless), unless ``--allow-modified`` (say it, keep the policy's code) or
``--never-fail``; ``classroom`` then reports ``status: "fail"`` the same way. Without a release
record (or a report without a digest) they say "cannot verify" and never fail for it.
``--release FILE`` compares with that release record instead of the one the report holds (an
instructor checking a student's report against their own copy of the record).

GitHub Classroom: ``classroom`` prints what ``classroom-resources/autograding-grading-reporter``
reads from ``<RUNNER>_RESULTS``: base64 of ``{"version": 1, "status": "pass"|"fail"|"error",
"max_score": M, "tests": [{"name", "status", "score", "message", "test_code", "filename",
"line_no", "duration"}]}``, one entry per graded test, ``score`` = the points earned. The
reporter records the sum of the tests' ``score`` out of ``max_score``; it fails its step when
``status`` is ``fail``. ``status`` is ``pass`` only when something was passed: the course's pass
mark (``--fail-under N``, N > 0), or, without one (0, the template's default, or
``--never-fail``), every test; an empty submission is never ``pass``. The template runs the
reporter with ``continue-on-error``, so its status never fails the job by itself: the pass-mark
step (``gate``) does. ``gate`` says "passed" only against a pass mark (or every test passing);
with none it says "graded: 0/89 (no pass mark set)".
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from .. import EXERCISES
from ..results.digest import RELEASE_RECORD, read_release_record, verdict
from ..core.i18n import bilingual
from .policy import policy_exit
from ..results.report import TITLES, report_audience, shown_output
from ..grading.workspace import now_iso

#: The file names used on the history branch.
HISTORY_NAME = "history.jsonl"
BADGE_NAME = "badge.json"


class CIError(RuntimeError):
    """A CI helper could not do its job (bad input, git failure)."""


def load_report(path: Path) -> dict[str, Any] | None:
    """The JSON score report at ``path`` (None if it is missing or not a score report)."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) and "score" in doc and "tests" in doc else None


def _fmt(x: float) -> str:
    return f"{x:g}"


def _exercises(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return doc.get("extra_data", {}).get("exercises", [])


def policy(doc: dict[str, Any] | None, *, fail_under: float | None = None, never_fail: bool = False) -> int:
    """The documented exit code for a report (see the module doc)."""
    return policy_exit(doc, fail_under=fail_under, never_fail=never_fail)


# --- grader and tests as released -------------------------------------------------------------

#: ``gate``'s exit code when the grader or the graded tests differ from the release.
MODIFIED_EXIT = 3


def integrity(doc: dict[str, Any] | None, release: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """Were the grader and the graded tests of a report the released ones?

    Args:
        doc: the score report (None: no report, nothing to say).
        release: a release record's digest (:func:`autograder.results.digest.read_release_record`) to
            compare with; None: the one the report holds (``extra_data.grader_digest.release``).

    Returns:
        None without a report, else :func:`autograder.results.digest.verdict`'s ``{"status", "changed"}``
        plus ``digest`` (the report's combined digest, or None).
    """
    if doc is None:
        return None
    field = doc.get("extra_data", {}).get("grader_digest")
    field = field if isinstance(field, dict) else None
    expected = release if release is not None else (field or {}).get("release")
    result = verdict(field, expected)
    result["digest"] = (field or {}).get("combined")
    return result


def integrity_message(check: dict[str, Any] | None) -> tuple[str, list[str]]:
    """The plain statement of :func:`integrity` and the changed files (both in the language in force).

    Returns:
        (one line, e.g. "modified grader: score not authoritative", the changed files, each
        ``path (changed|added|removed)``); ("", []) without a report.
    """
    t = lambda ja, en: bilingual(ja, en, sep=" / ")  # noqa: E731
    if check is None:
        return "", []
    status = check["status"]
    if status == "as_released":
        return t(f"採点器と採点テストは配布時のままです (sha256 {check['digest'][:12]})",
                 f"grader and tests as released (sha256 {check['digest'][:12]})"), []
    if status == "no_release_record":
        return t(f"配布記録 ({RELEASE_RECORD}) がないため、採点器と採点テストが配布時のままか確認できません",
                 f"no release record: cannot verify the grader and tests ({RELEASE_RECORD})"), []
    if status == "no_digest":
        return t("採点レポートに採点器のダイジェストがないため、配布時のままか確認できません",
                 "no grader digest in the score report: cannot verify the grader and tests"), []
    grader, tests = check["changed"]["grader"], check["changed"]["tests"]
    which_ja = "採点器と採点テスト" if grader and tests else "採点器" if grader else "採点テスト"
    which_en = "grader and tests" if grader and tests else "grader" if grader else "tests"
    return t(f"{which_ja}が変更されています: この点数は正式な成績ではありません",
             f"modified {which_en}: score not authoritative"), [*grader, *tests]


def _modified(check: dict[str, Any] | None) -> bool:
    return check is not None and check["status"] == "modified"


def gate_exit(doc: dict[str, Any] | None, *, fail_under: float | None = None, never_fail: bool = False,
              allow_modified: bool = False, release: dict[str, Any] | None = None) -> int:
    """``workbook gate``'s exit code: :func:`policy`, and 3 for a modified grader (module doc)."""
    code = policy(doc, fail_under=fail_under, never_fail=never_fail)
    if code == 2 or never_fail or allow_modified:
        return code
    return MODIFIED_EXIT if _modified(integrity(doc, release)) else code


# --- summary ----------------------------------------------------------------------------------

SPARK = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float], top: float) -> str:
    """A one-line chart of ``values`` (0 … ``top``) with block characters."""
    if not values or top <= 0:
        return ""
    return "".join(SPARK[min(len(SPARK) - 1, max(0, int(round(v / top * (len(SPARK) - 1)))))] for v in values)


def read_history(path: Path | None) -> list[dict[str, Any]]:
    """The records of a history file (JSON lines; unreadable lines are skipped)."""
    if path is None:
        return []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    out = []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            out.append(record)
    return out


def summary_markdown(doc: dict[str, Any] | None, *, history: list[dict[str, Any]] | None = None,
                     release: dict[str, Any] | None = None) -> str:
    """The job summary: whether the grader was the released one, a Markdown table of points per
    exercise, the failing tasks and the trend.

    Args:
        doc: the score report (None: a message that grading produced no report).
        history: score-history records, oldest first (the last ones are charted).
        release: a release record's digest to compare with (default: the report's; see :func:`integrity`).

    Returns:
        Markdown text (GitHub-flavoured), in the language in force.
    """
    t = lambda ja, en: bilingual(ja, en, sep=" / ")  # noqa: E731
    if doc is None:
        return f"## {t('採点結果', 'Workbook score')}\n\n:x: {t('採点レポートがありません (採点が完了しませんでした)。', 'no score report: grading did not complete.')}\n"
    score, max_score = float(doc["score"]), float(doc["max_score"])
    lines = [f"## {t('採点結果', 'Workbook score')}: {_fmt(score)} / {_fmt(max_score)}", ""]
    check = integrity(doc, release)
    said, files = integrity_message(check)
    mark = {"as_released": ":white_check_mark:", "modified": ":warning:"}.get(check["status"], ":grey_question:")
    lines.append(f"{mark} **{said}**" if check["status"] == "modified" else f"{mark} {said}")
    if files:
        lines += [""] + [f"- `{name}`" for name in files]
    lines.append("")
    lines.append(f"| {t('演習', 'exercise')} | {t('得点', 'points')} | {t('満点', 'max')} | "
                 f"{t('合格テスト', 'tests passed')} | {t('未完了の課題', 'tasks to finish')} |")
    lines.append("| --- | ---: | ---: | ---: | --- |")
    for ex in _exercises(doc):
        ja, en = TITLES.get(ex["exercise"], ("", ""))
        todo = [f"`{task['task']}` {_fmt(task['score'])}/{_fmt(task['max_score'])}"
                for task in ex.get("tasks", []) if task["score"] < task["max_score"]]
        mark = ":white_check_mark:" if ex["score"] == ex["max_score"] and ex["max_score"] else ":x:"
        lines.append(f"| {mark} `{ex['exercise']}` {bilingual(ja, en, sep=' / ')} | {_fmt(ex['score'])} | "
                     f"{_fmt(ex['max_score'])} | {ex['tests_passed']}/{ex['tests_total']} | {', '.join(todo) or '—'} |")
    lines.append(f"| **{t('合計', 'total')}** | **{_fmt(score)}** | **{_fmt(max_score)}** | "
                 f"{sum(e['tests_passed'] for e in _exercises(doc))}/{sum(e['tests_total'] for e in _exercises(doc))} | |")
    errors = doc.get("extra_data", {}).get("errors", [])
    if errors:
        lines += ["", f"**{t('採点の問題', 'grading problems')}**", ""]
        lines += [f"- {e.splitlines()[-1][:300]}" for e in errors]
    if doc.get("extra_data", {}).get("partial"):
        lines += ["", t("(一部のみ採点)", "(partial run)")]
    if history:
        recent = history[-20:]
        lines += ["", f"### {t('得点の推移', 'Score history')}", ""]
        top = max(float(r.get("max_score") or 0) for r in recent) or max_score
        lines.append(f"`{sparkline([float(r.get('score', 0)) for r in recent], top)}`  "
                     f"({t(f'直近 {len(recent)} 回', f'last {len(recent)} runs')})")
        lines += ["", f"| {t('日時', 'time')} | commit | {t('得点', 'points')} | "
                  + " | ".join(f"`{e}`" for e in EXERCISES) + " |",
                  "| --- | --- | ---: | " + " | ".join("---:" for _ in EXERCISES) + " |"]
        for r in recent[-5:]:
            per = r.get("exercises", {})
            lines.append(f"| {r.get('time', '')} | `{str(r.get('commit') or '')[:7]}` | "
                         f"{_fmt(float(r.get('score', 0)))} | " + " | ".join(
                             _fmt(float(per[e])) if e in per else "—" for e in EXERCISES) + " |")
    lines += ["", t("詳細は成果物 (artifact) の report.html (図つき) と score.json にあります。",
                    "Details: report.html (with figures) and score.json in the run's artifacts."), ""]
    return "\n".join(lines)


# --- badge ------------------------------------------------------------------------------------

def badge(doc: dict[str, Any] | None, *, label: str = "workbook") -> dict[str, Any]:
    """A shields.io endpoint badge (``https://img.shields.io/endpoint?url=...``).

    Returns:
        ``{"schemaVersion": 1, "label", "message": "73 / 100", "color"}``; colour by the share of
        points (≥ 90 % brightgreen, ≥ 70 % green, ≥ 50 % yellow, ≥ 25 % orange, else red; grey
        without a report).
    """
    if doc is None:
        return {"schemaVersion": 1, "label": label, "message": "no report", "color": "lightgrey"}
    score, max_score = float(doc["score"]), float(doc["max_score"])
    share = score / max_score if max_score else 0.0
    color = ("brightgreen" if share >= 0.9 else "green" if share >= 0.7 else "yellow" if share >= 0.5
             else "orange" if share >= 0.25 else "red")
    return {"schemaVersion": 1, "label": label, "message": f"{_fmt(score)} / {_fmt(max_score)}", "color": color}


# --- history ----------------------------------------------------------------------------------

def _git(*args: str, cwd: Path | None = None, input: str | None = None, check: bool = True) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise CIError(f"git {' '.join(args)} failed: {proc.stderr.strip()}")
    return proc.stdout.strip() if proc.returncode == 0 else ""


def history_record(doc: dict[str, Any], *, commit: str | None = None, time: str | None = None) -> dict[str, Any]:
    """One score-history record.

    Returns:
        ``{"commit", "time", "ref", "run_id", "score", "max_score", "exercises": {exercise:
        points}, "partial", "exit_status"}``; ``commit`` defaults to ``$GITHUB_SHA``, else
        ``git rev-parse HEAD``; ``time`` to now (UTC, ISO 8601).
    """
    if commit is None:
        commit = os.environ.get("GITHUB_SHA") or _git("rev-parse", "HEAD", check=False) or None
    extra = doc.get("extra_data", {})
    return {
        "commit": commit,
        "time": time or now_iso(),
        "ref": os.environ.get("GITHUB_REF"),
        "run_id": os.environ.get("GITHUB_RUN_ID"),
        "score": float(doc["score"]),
        "max_score": float(doc["max_score"]),
        "exercises": {e["exercise"]: float(e["score"]) for e in extra.get("exercises", [])},
        "partial": bool(extra.get("partial")),
        "exit_status": extra.get("exit_status"),
    }


def push_history(record: dict[str, Any], *, branch: str, remote: str = "origin", badge_json: str | None = None,
                 cwd: Path | None = None, attempts: int = 3) -> str:
    """Append ``record`` to ``history.jsonl`` on ``branch`` of ``remote`` (created if missing).

    Uses git plumbing (``hash-object``, ``mktree``, ``commit-tree``, ``push``): the work tree, the
    index and HEAD are never touched. A push rejected by a concurrent run is retried from a fresh
    fetch, up to ``attempts`` times.

    Returns:
        The full history text now on the branch.

    Raises:
        CIError: git failed (no remote, no permission to push, ...).
    """
    env_ident = {
        "GIT_AUTHOR_NAME": os.environ.get("GIT_AUTHOR_NAME", "github-actions[bot]"),
        "GIT_AUTHOR_EMAIL": os.environ.get("GIT_AUTHOR_EMAIL", "41898282+github-actions[bot]@users.noreply.github.com"),
    }
    env_ident["GIT_COMMITTER_NAME"] = os.environ.get("GIT_COMMITTER_NAME", env_ident["GIT_AUTHOR_NAME"])
    env_ident["GIT_COMMITTER_EMAIL"] = os.environ.get("GIT_COMMITTER_EMAIL", env_ident["GIT_AUTHOR_EMAIL"])
    line = json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
    tracking = f"refs/workbook/{branch}"
    last_error = ""
    for _ in range(attempts):
        fetched = subprocess.run(["git", "fetch", "--quiet", remote, f"+refs/heads/{branch}:{tracking}"],
                                 cwd=cwd, capture_output=True, text=True)
        parent = _git("rev-parse", "--verify", "--quiet", tracking, cwd=cwd, check=False) if fetched.returncode == 0 else ""
        old = _git("show", f"{parent}:{HISTORY_NAME}", cwd=cwd, check=False) + "\n" if parent else ""
        text = (old.rstrip("\n") + "\n" if old.strip() else "") + line
        entries: dict[str, str] = {}
        if parent:
            for row in _git("ls-tree", parent, cwd=cwd).splitlines():
                meta, name = row.split("\t", 1)
                entries[name] = meta
        for name, content in ((HISTORY_NAME, text), (BADGE_NAME, badge_json)):
            if content is None:
                continue
            blob = _git("hash-object", "-w", "--stdin", cwd=cwd, input=content)
            entries[name] = f"100644 blob {blob}"
        tree = _git("mktree", cwd=cwd, input="".join(f"{meta}\t{name}\n" for name, meta in sorted(entries.items())))
        message = f"workbook history: {str(record.get('commit') or '')[:12]} {_fmt(record['score'])}/{_fmt(record['max_score'])}"
        args = ["commit-tree", tree, "-m", message] + (["-p", parent] if parent else [])
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env={**os.environ, **env_ident})
        if proc.returncode != 0:
            raise CIError(f"git commit-tree failed: {proc.stderr.strip()}")
        commit = proc.stdout.strip()
        pushed = subprocess.run(["git", "push", "--quiet", remote, f"{commit}:refs/heads/{branch}"],
                                cwd=cwd, capture_output=True, text=True)
        if pushed.returncode == 0:
            return text
        last_error = pushed.stderr.strip()
    raise CIError(f"git push to {remote} {branch} failed: {last_error}")


# --- GitHub Classroom -------------------------------------------------------------------------

def classroom_result(doc: dict[str, Any] | None, *, fail_under: float | None = None, never_fail: bool = False,
                     allow_modified: bool = False, release: dict[str, Any] | None = None) -> dict[str, Any]:
    """The autograding-reporter result (see the module doc); ``status`` follows :func:`gate_exit`.

    When the grader or tests differ from the release, or there is no release record to compare
    with, one more entry (0 points, ``status: "fail"``) says so in its name and lists the files
    in its message; the reporter shows it with the tests.
    """
    if doc is None:
        return {"version": 1, "status": "error", "max_score": 0, "tests": [{
            "name": "workbook", "status": "error", "score": 0, "line_no": 0, "duration": 0,
            "message": "no score report: grading did not complete", "test_code": "", "filename": ""}]}
    code = gate_exit(doc, fail_under=fail_under, never_fail=never_fail, allow_modified=allow_modified,
                     release=release)
    tests = []
    for t in doc.get("tests", []):
        ed = t.get("extra_data", {})
        tests.append({
            "name": t["name"],
            "status": "pass" if t.get("status") == "passed" else "fail",
            "score": float(t.get("score", 0.0)),
            "message": shown_output(t, report_audience(doc))[:2000],  # hidden tests: no message for students
            "test_code": ed.get("nodeid", ""),
            "filename": f"exercises/{ed.get('exercise', '')}.py" if ed.get("exercise") else "",
            "line_no": 0,
            "duration": 0,
        })
    check = integrity(doc, release)
    if check["status"] != "as_released":
        said, files = integrity_message(check)
        tests.append({"name": said, "status": "fail", "score": 0.0, "line_no": 0, "duration": 0,
                      "message": "\n".join([said, *files]), "test_code": "workbook gate", "filename": RELEASE_RECORD})
    if code in (0, 1) and not has_pass_mark(fail_under, never_fail):
        # no pass mark: nothing was passed; the suite passes only when every test did
        code = policy(doc)
    return {"version": 1, "status": {0: "pass", 1: "fail", MODIFIED_EXIT: "fail"}.get(code, "error"),
            "max_score": float(doc.get("max_score", 0.0)), "tests": tests}


def has_pass_mark(fail_under: float | None, never_fail: bool = False) -> bool:
    """Whether the course set a pass mark: ``--fail-under N`` with N > 0 (0, the template's default,
    and ``--never-fail`` mean "grade only"; without ``--fail-under`` every test must pass)."""
    return not never_fail and fail_under is not None and fail_under > 0


def gate_message(doc: dict[str, Any] | None, code: int, *, fail_under: float | None = None,
                 never_fail: bool = False) -> str:
    """What ``workbook gate`` says about the score: "passed" only against a pass mark the course
    set (or every test passing); with no pass mark (0, the default, or ``--never-fail``) the
    submission is "graded", never "passed"."""
    t = lambda ja, en: bilingual(ja, en, sep=" / ")  # noqa: E731
    if doc is None or code == 2:
        return t("採点が完了しませんでした (レポートなし・中断・エラー)",
                 "grading did not complete (no report, interrupted or an error)")
    score = f"{_fmt(doc['score'])}/{_fmt(doc['max_score'])}"
    if never_fail or (fail_under is not None and fail_under <= 0):
        why = ("--never-fail", "--never-fail") if never_fail else ("合格点の設定なし", "no pass mark set")
        return t(f"採点済み: {score} ({why[0]})", f"graded: {score} ({why[1]})")
    if fail_under is not None:
        mark = _fmt(fail_under)
        return (t(f"合格: {score} (合格点 {mark})", f"passed: {score} (pass mark {mark})") if code == 0 else
                t(f"合格点に届きません: {score} (合格点 {mark})", f"below the pass mark: {score} (pass mark {mark})"))
    return (t(f"合格: すべてのテストに合格 ({score})", f"passed: every test passed ({score})") if code == 0 else
            t(f"不合格のテストがあります: {score} (基準: すべてのテストに合格)",
              f"some tests failed: {score} (rule: every test passes)"))


def encode_result(result: dict[str, Any]) -> str:
    """Base64 of the compact JSON (what the reporter decodes)."""
    return base64.b64encode(json.dumps(result, ensure_ascii=False).encode("utf-8")).decode("ascii")


# --- command line -----------------------------------------------------------------------------

def _write_output(name: str, value: str) -> None:
    path = os.environ.get("GITHUB_OUTPUT")
    if not path:
        raise CIError("GITHUB_OUTPUT is not set (--github-output works in GitHub Actions)")
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"{name}={value}\n")


def _annotate(level: str, text: str) -> None:
    if os.environ.get("GITHUB_ACTIONS") == "true":
        print(f"::{level}::{text.replace(chr(10), ' ')}")


def main(argv: list[str] | None = None) -> int:
    """``python -m autograder.ci COMMAND ...`` (also ``workbook COMMAND ...``)."""
    parser = argparse.ArgumentParser(prog="workbook", description="CI helpers / CI 用のコマンド")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_)
        p.add_argument("report", type=Path, help="the JSON score report (reports/score.json)")
        return p

    def add_release(p: argparse.ArgumentParser) -> None:
        p.add_argument("--release", type=Path, metavar="FILE",
                       help=f"compare with this release record ({RELEASE_RECORD}) instead of the report's")

    p = add("ci-summary", "Markdown summary")
    p.add_argument("--history", type=Path, help="a history file (JSON lines) to chart")
    add_release(p)
    p = add("badge", "shields.io endpoint JSON")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--label", default="workbook")
    p = add("history", "append a score-history record")
    p.add_argument("--file", type=Path, required=True, help="the local history file (JSON lines)")
    p.add_argument("--push", metavar="BRANCH", help="also commit the history (and --badge) to this branch")
    p.add_argument("--remote", default="origin")
    p.add_argument("--badge", type=Path, help="a badge JSON to store on the branch too")
    p.add_argument("--commit", help="the graded commit (default: $GITHUB_SHA or HEAD)")
    for name in ("classroom", "gate"):
        p = add(name, "GitHub Classroom result" if name == "classroom" else "exit code by policy")
        group = p.add_mutually_exclusive_group()
        group.add_argument("--fail-under", type=float, metavar="N")
        group.add_argument("--never-fail", action="store_true")
        p.add_argument("--allow-modified", action="store_true",
                       help="a grader or tests that differ from the release are reported, not failed (exit 3)")
        add_release(p)
        if name == "classroom":
            p.add_argument("--github-output", metavar="NAME", help="write NAME=<base64> to $GITHUB_OUTPUT")
    args = parser.parse_args(argv)
    doc = load_report(args.report)

    try:
        release = None
        if getattr(args, "release", None) is not None:
            release = read_release_record(args.release)
            if release is None:
                raise CIError(f"{args.release}: not a release record ({RELEASE_RECORD})")
        if args.command == "ci-summary":
            sys.stdout.write(summary_markdown(doc, history=read_history(args.history), release=release))
            return 0
        if args.command == "badge":
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(badge(doc, label=args.label), ensure_ascii=False) + "\n", encoding="utf-8")
            print(f"{args.out}: {badge(doc, label=args.label)['message']}")
            return 0
        if args.command == "history":
            if doc is None:
                print(bilingual("採点レポートがないので履歴に追加しません。", "no score report: no history record."),
                      file=sys.stderr)
                return 2
            record = history_record(doc, commit=args.commit)
            old = args.file.read_text(encoding="utf-8") if args.file.is_file() else ""
            text = (old.rstrip("\n") + "\n" if old.strip() else "") + json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
            status = 0
            if args.push:
                badge_json = args.badge.read_text(encoding="utf-8") if args.badge and args.badge.is_file() else None
                try:
                    text = push_history(record, branch=args.push, remote=args.remote, badge_json=badge_json)
                except CIError as exc:  # the local file still gets the record
                    warning = bilingual(f"履歴をブランチ {args.push} に保存できませんでした: {exc}",
                                        f"could not store the history on branch {args.push}: {exc}", sep=" / ")
                    print(warning, file=sys.stderr)
                    _annotate("warning", warning)
                    status = 1
            args.file.parent.mkdir(parents=True, exist_ok=True)
            args.file.write_text(text, encoding="utf-8")
            print(f"{args.file}: {len(text.splitlines())} " + bilingual("件", "records", sep=" / ")
                  + (f" ({args.remote} {args.push})" if args.push and not status else ""))
            return status
        if args.command == "classroom":
            encoded = encode_result(classroom_result(doc, fail_under=args.fail_under, never_fail=args.never_fail,
                                                     allow_modified=args.allow_modified, release=release))
            if args.github_output:
                _write_output(args.github_output, encoded)
            else:
                print(encoded)
            return 0
        if args.command == "gate":
            code = policy(doc, fail_under=args.fail_under, never_fail=args.never_fail)
            final = gate_exit(doc, fail_under=args.fail_under, never_fail=args.never_fail,
                              allow_modified=args.allow_modified, release=release)
            text = gate_message(doc, code, fail_under=args.fail_under, never_fail=args.never_fail)
            print(text)
            _annotate("notice" if code == 0 else "error", text)
            check = integrity(doc, release)
            said, files = integrity_message(check)
            if said:
                print("\n".join([said, *(f"  {name}" for name in files)]))
                if final == MODIFIED_EXIT:
                    print(bilingual(f"終了コード {MODIFIED_EXIT}: 採点器か採点テストが配布時と違います "
                                    "(--allow-modified を付けると、これでは失敗にしません)",
                                    f"exit code {MODIFIED_EXIT}: the grader or tests differ from the release "
                                    "(with --allow-modified this is not a failure)", sep=" / "))
                level = "notice" if check["status"] == "as_released" else "error" if final == MODIFIED_EXIT else "warning"
                _annotate(level, " ".join([said, *files]))
            return final
    except CIError as exc:
        print(f"workbook {args.command}: {exc}", file=sys.stderr)
        return 2
    return 2


if __name__ == "__main__":
    sys.exit(main())
