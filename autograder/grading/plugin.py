"""The pytest plugin that turns the graded tests into scores (entry point ``pytest11: workbook``).

Graded mode is on when the ini option ``workbook_grading`` is true (the repository's
``pyproject.toml`` sets it) or ``--workbook`` is given. In graded mode the plugin

* picks the target (``--workbook``: ``exercises`` by default, ``solutions``, or any directory laid
  out like ``exercises/``) and gives tests the ``exercise`` fixture, the only way to reach the code
  under test (:mod:`autograder.submission.loader`);
* reads the ``exercise`` and ``task(name, points=...)`` markers of every test;
* applies the "from scratch" rules (:mod:`autograder.checks.rules`) before each test;
* makes the run deterministic and headless (derandomized hypothesis profile, matplotlib Agg,
  figures closed after each test) and gives each test a time limit (pytest-timeout);
* prints a score table and writes the JSON score report (``--score-report``) and
  pytest-json-report's raw report, even when tests crash.

The plugin's code is in three modules, whose hooks and fixture are imported here (pytest registers
what this module's namespace holds): :mod:`autograder.grading.options` (options, set-up, the
``exercise`` fixture), :mod:`autograder.grading.pertest` (one test: rules, limits, failure messages)
and :mod:`autograder.grading.collect` (the selection, the results, the reports).
"""

from __future__ import annotations

import pytest

from . import hookspecs
from .collect import (MAX_CAPTURE, pytest_collection_finish, pytest_collection_modifyitems, pytest_deselected,
                      pytest_make_collect_report, pytest_runtest_makereport, pytest_sessionfinish,
                      pytest_terminal_summary)
from .options import (AUDIENCE_ENV, BACKSTOP_TIMEOUT, DEFAULT_TIMEOUT, exercise, graded_submission, pytest_addoption,
                      pytest_configure, pytest_report_header)
from .pertest import MAX_FAILURE_MESSAGE, _hits_message, pytest_runtest_call, pytest_runtest_teardown

__all__ = ["AUDIENCE_ENV", "BACKSTOP_TIMEOUT", "DEFAULT_TIMEOUT", "MAX_CAPTURE", "MAX_FAILURE_MESSAGE", "_hits_message",
           "exercise", "graded_submission", "pytest_addhooks", "pytest_addoption", "pytest_collection_finish",
           "pytest_collection_modifyitems", "pytest_configure", "pytest_deselected", "pytest_make_collect_report",
           "pytest_report_header", "pytest_runtest_call", "pytest_runtest_makereport", "pytest_runtest_teardown",
           "pytest_sessionfinish", "pytest_terminal_summary"]


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    """Publish the workbook's hooks (:mod:`autograder.grading.hookspecs`) for course plugins."""
    pluginmanager.add_hookspecs(hookspecs)
