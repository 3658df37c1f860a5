"""What the CI helpers (:mod:`autograder.apps.ci`) share: reading a JSON score report, the
exit-code policy with the pass mark, and whether the grader and graded tests that ran are the
released ones (``gate``'s exit code 3; see :mod:`autograder.apps.ci` for the rules)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..core.i18n import bilingual
from ..results.digest import RELEASE_RECORD, verdict
from .policy import policy_exit


class CIError(RuntimeError):
    """A CI helper could not do its job (bad input, git failure)."""


def load_report(path: Path) -> dict[str, Any] | None:
    """The JSON score report at ``path`` (None if it is missing or not a score report)."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) and "score" in doc and "tests" in doc else None


def fmt(x: float) -> str:
    """Points as the reports show them (``7``, ``2.5``)."""
    return f"{x:g}"


def exercise_rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The per-exercise summaries of a score report."""
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
    score = f"{fmt(doc['score'])}/{fmt(doc['max_score'])}"
    if never_fail or (fail_under is not None and fail_under <= 0):
        why = ("--never-fail", "--never-fail") if never_fail else ("合格点の設定なし", "no pass mark set")
        return t(f"採点済み: {score} ({why[0]})", f"graded: {score} ({why[1]})")
    if fail_under is not None:
        mark = fmt(fail_under)
        return (t(f"合格: {score} (合格点 {mark})", f"passed: {score} (pass mark {mark})") if code == 0 else
                t(f"合格点に届きません: {score} (合格点 {mark})", f"below the pass mark: {score} (pass mark {mark})"))
    return (t(f"合格: すべてのテストに合格 ({score})", f"passed: every test passed ({score})") if code == 0 else
            t(f"不合格のテストがあります: {score} (基準: すべてのテストに合格)",
              f"some tests failed: {score} (rule: every test passes)"))

