"""The submission a ``--workbook`` value names: the local loader or the isolated worker.

Above both :mod:`autograder.submission.loader` (the student's code in this process) and
:mod:`autograder.submission.isolated` (in a sandboxed worker), so neither imports the other's
caller. The isolated side is imported only when asked for (local grading, which students use,
imports nothing of it).
"""

from __future__ import annotations

from pathlib import Path

from .loader import NamespaceSubmission, NotAWorkbookError, Submission


def open_target(value: str | Path, *, isolated: bool = False, call_timeout: float | None = None):
    """The submission a ``--workbook`` value names: a directory, or ``namespace:<key>``.

    Args:
        value: the ``--workbook`` value.
        isolated: run the directory's code in a sandboxed worker process
            (:class:`autograder.submission.isolated.IsolatedSubmission`) instead of this process.
        call_timeout: isolated mode: seconds one call may take (default: 10).

    Returns:
        A :class:`Submission`, :class:`NamespaceSubmission` or ``IsolatedSubmission``.

    Raises:
        NotAWorkbookError: the directory is not a workbook, or a namespace is combined with
            ``isolated``.
    """
    if isinstance(value, str) and value.startswith("namespace:"):
        if isolated:
            raise NotAWorkbookError("--isolated grades a directory, not a notebook namespace")
        return NamespaceSubmission(value.removeprefix("namespace:"))
    if isolated:
        from .isolated import IsolatedSubmission  # lazy: local grading never loads the isolated side

        return IsolatedSubmission(Path(value), call_timeout=call_timeout)
    return Submission(Path(value))
