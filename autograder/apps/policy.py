"""The documented exit-code policy of ``workbook check`` and ``workbook ci`` (pass mark, never-fail).

Shared by :mod:`autograder.apps.cli` and :mod:`autograder.apps.ci`, neither of which imports the other for it.
"""

from __future__ import annotations

from typing import Any

#: pytest exit codes of a run that completed (tests passed, or some failed); others mean grading did not finish.
COMPLETED = (0, 1)


def policy_exit(document: dict[str, Any] | None, *, returncode: int | None = None, fail_under: float | None = None,
                never_fail: bool = False) -> int:
    """The exit code of the documented policy.

    Args:
        document: the JSON score report (None: missing or unreadable).
        returncode: pytest's exit code when known (else ``extra_data.exit_status`` is used).
        fail_under: pass mark in points (None: every graded test must pass).
        never_fail: always 0.

    Returns:
        0 — passed (score ≥ ``fail_under``; all tests passed when ``fail_under`` is None; or
        ``never_fail``); 1 — below the pass mark / some test failed; 2 — grading did not
        complete (no report, pytest interrupted or a usage/internal error).
    """
    if never_fail:
        return 0
    if document is None:
        return 2
    status = returncode if returncode is not None else document.get("extra_data", {}).get("exit_status")
    if status is not None and int(status) not in COMPLETED:
        return 2
    if not document.get("tests"):
        return 2
    score = float(document.get("score", 0.0))
    if fail_under is not None:
        return 0 if score >= fail_under else 1
    return 0 if score >= float(document.get("max_score", 0.0)) else 1
