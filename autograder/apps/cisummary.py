"""What CI shows of a score report: the job summary (Markdown) and GitHub Classroom's
autograding-reporter result (see :mod:`autograder.apps.ci` for the rules of both)."""

from __future__ import annotations

import base64
import json
from typing import Any

from .. import EXERCISES
from ..core.i18n import bilingual
from ..results.digest import RELEASE_RECORD
from ..results.report import TITLES, report_audience, shown_name, shown_output
from .cihistory import sparkline
from .cireport import MODIFIED_EXIT, exercise_rows, fmt, gate_exit, has_pass_mark, integrity, integrity_message, policy


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
    lines = [f"## {t('採点結果', 'Workbook score')}: {fmt(score)} / {fmt(max_score)}", ""]
    check = integrity(doc, release)
    said, files = integrity_message(check)
    mark = {"as_released": ":white_check_mark:", "modified": ":warning:"}.get(check["status"], ":grey_question:")
    lines.append(f"{mark} **{said}**" if check["status"] == "modified" else f"{mark} {said}")
    if files:
        lines += [""] + [f"- `{name}`" for name in files]
    if (doc.get("extra_data", {}).get("hidden_tests") or {}).get("audience") == "student":
        # a student's run: "as released" is about the grader, not a grade (newcomer instructor)
        lines += ["", t("この点数は自己確認用のフィードバックです。正式な成績は教員の採点 (非公開テストを含む) で決まります。",
                        "This score is feedback for you; the official grade comes from the instructor's grading "
                        "(hidden tests included).")]
    lines.append("")
    lines.append(f"| {t('演習', 'exercise')} | {t('得点', 'points')} | {t('満点', 'max')} | "
                 f"{t('合格テスト', 'tests passed')} | {t('未完了の課題', 'tasks to finish')} |")
    lines.append("| --- | ---: | ---: | ---: | --- |")
    for ex in exercise_rows(doc):
        ja, en = TITLES.get(ex["exercise"], ("", ""))
        todo = [f"`{task['task']}` {fmt(task['score'])}/{fmt(task['max_score'])}"
                for task in ex.get("tasks", []) if task["score"] < task["max_score"]]
        mark = ":white_check_mark:" if ex["score"] == ex["max_score"] and ex["max_score"] else ":x:"
        lines.append(f"| {mark} `{ex['exercise']}` {bilingual(ja, en, sep=' / ')} | {fmt(ex['score'])} | "
                     f"{fmt(ex['max_score'])} | {ex['tests_passed']}/{ex['tests_total']} | {', '.join(todo) or '—'} |")
    lines.append(f"| **{t('合計', 'total')}** | **{fmt(score)}** | **{fmt(max_score)}** | "
                 f"{sum(e['tests_passed'] for e in exercise_rows(doc))}/{sum(e['tests_total'] for e in exercise_rows(doc))} | |")
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
                     f"({t(f'直近 {len(recent)} 回', f'last {len(recent)} run' + ('' if len(recent) == 1 else 's'))})")
        lines += ["", f"| {t('日時', 'time')} | commit | {t('得点', 'points')} | "
                  + " | ".join(f"`{e}`" for e in EXERCISES) + " |",
                  "| --- | --- | ---: | " + " | ".join("---:" for _ in EXERCISES) + " |"]
        for r in recent[-5:]:
            per = r.get("exercises", {})
            lines.append(f"| {r.get('time', '')} | `{str(r.get('commit') or '')[:7]}` | "
                         f"{fmt(float(r.get('score', 0)))} | " + " | ".join(
                             fmt(float(per[e])) if e in per else "—" for e in EXERCISES) + " |")
    lines += ["", t("詳細は成果物 (artifact) の report.html (図つき) と score.json にあります。",
                    "Details: report.html (with figures) and score.json in the run's artifacts."), ""]
    return "\n".join(lines)

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
            "name": shown_name(t, report_audience(doc)),
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


def encode_result(result: dict[str, Any]) -> str:
    """Base64 of the compact JSON (what the reporter decodes)."""
    return base64.b64encode(json.dumps(result, ensure_ascii=False).encode("utf-8")).decode("ascii")
