"""Hooks the workbook's pytest plugin publishes, for course-specific changes without new options.

A course implements them in a pytest plugin of its own: a ``conftest.py`` beside the graded tests,
a module given with ``-p my_course_hooks`` (also to ``workbook-batch ... --pytest-args`` or
``scripts/grade.sh``), or a ``pytest11`` entry point of an installed package. pytest calls every
implementation; pluggy checks their argument names against the specifications below.

コース固有の変更 (遅延提出の減点、LMS 用の列など) は、オプションを増やす代わりにここで公開する
pytest フックで行います。例: docs/examples/late_penalty.py。
"""

from __future__ import annotations

from typing import Any

import pluggy
import pytest

hookspec = pluggy.HookspecMarker("pytest")


@hookspec
def pytest_workbook_results(results: dict[str, Any], config: pytest.Config) -> None:
    """Change the results document of a grading run before anything is written from it.

    Called once per run, after every test is scored and before the JSON score report
    (``--score-report``), the HTML report and the batch gradebook row are written from it; the
    terminal table is drawn from the tests and says when the document's score differs from it.
    Change ``results`` in place: e.g. lower ``results["score"]`` for a late submission and say why
    under ``results["extra_data"]`` (a key of the course's own, such as ``"late_penalty"``), or add
    columns an LMS needs there. Keep it valid against ``autograder/schemas/results.schema.json``
    (``score`` between 0 and ``max_score``; ``tests`` as they are).

    Args:
        results: the results document (Gradescope's ``results.json`` layout with ``extra_data``,
            see :func:`autograder.results.report.build_results`); ``extra_data.target`` names the
            graded folder, ``extra_data.mode`` is ``local`` or ``isolated``.
        config: the pytest config of the run (options of the course's own plugin included).

    An exception raised here is not caught: the run fails rather than write a report the course
    did not mean.
    """
