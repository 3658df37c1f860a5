"""A course plugin: a late penalty and an LMS column, through the workbook's published hook.

Use it with ``-p late_penalty`` (this folder on ``PYTHONPATH``), or copy it into a ``conftest.py``
beside the graded tests::

    PYTHONPATH=docs/examples pytest -p late_penalty --deadline 2026-12-01T23:59 --submitted-at 2026-12-03T10:00
    PYTHONPATH=docs/examples workbook-batch SUBMISSIONS --out OUT -p late_penalty --deadline ...  # passed to pytest

Each started day after the deadline costs 10 % of the score (at most 50 %); the report says so under
``extra_data.late_penalty`` and carries the LMS section under ``extra_data.lms``.
遅延 1 日ごとに得点の 10 % を減点する (最大 50 %) コース用プラグインの例です。
"""

from __future__ import annotations

import math
from datetime import datetime

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("late-penalty", "course: late penalty")
    group.addoption("--deadline", help="the deadline, ISO 8601 (e.g. 2026-12-01T23:59)")
    group.addoption("--submitted-at", help="when the submission was handed in, ISO 8601 (from the LMS)")
    group.addoption("--lms-section", default="", help="the LMS section to record in the report")


def pytest_workbook_results(results: dict, config: pytest.Config) -> None:
    deadline, submitted = config.getoption("deadline"), config.getoption("submitted_at")
    extra = results["extra_data"]
    if config.getoption("lms_section"):
        extra["lms"] = {"section": config.getoption("lms_section")}
    if not deadline or not submitted:
        return
    late = datetime.fromisoformat(submitted) - datetime.fromisoformat(deadline)
    days = max(0, math.ceil(late.total_seconds() / 86400))
    factor = max(0.5, 1.0 - 0.1 * days)
    before = results["score"]
    results["score"] = round(before * factor, 2)
    extra["late_penalty"] = {"days_late": days, "factor": factor, "score_before": before,
                             "ja": f"{days} 日遅れの提出: 得点 × {factor:g}",
                             "en": f"handed in {days} day(s) late: score × {factor:g}"}
