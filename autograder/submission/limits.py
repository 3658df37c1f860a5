"""The bounds of a graded test's time, and the grader's clean-up no time-out may cut short.

:class:`autograder.submission.guard.Deadline` stops a test at its CPU limit or, whatever its CPU
time, at the wall-clock backstop (:func:`wall_backstop`); the isolated worker's restore after a
test has its own bound (:func:`restore_wall`); pytest-timeout, which ends the whole run, is set
above the longest a test can hold the grader (:func:`longest_test`). :class:`shielded` marks the
grader's clean-up after a failed call, which a repeated time-out must not interrupt.
"""

from __future__ import annotations

import threading

#: The wall-clock backstop of a per-test limit, as a multiple of the limit (CPU seconds).
WALL_FACTOR = 6.0


def wall_backstop(seconds: float) -> float:
    """Wall-clock seconds a test may run before it is stopped whatever its CPU time (``WALL_FACTOR`` x)."""
    return seconds * WALL_FACTOR


def restore_wall(seconds: float) -> float:
    """Wall-clock seconds the isolated worker's restore after a test may take (``seconds``: the
    per-test limit), reply included: the limit, at least 10 s. Honest code's restore takes
    milliseconds; one that takes longer costs a new worker for the next test, never points."""
    return max(float(seconds), 10.0)


def longest_test(seconds: float) -> float:
    """The longest wall-clock time one graded test can hold the grader with a per-test limit of
    ``seconds``: twice the backstop (:class:`~autograder.submission.guard.Deadline` forgives up to one backstop of waiting for a
    CPU), the failure message made from the student's exception and the restore after it (each
    bounded by :func:`restore_wall`) and a minute for asking where a timed-out
    worker was, killing it and the test's own fixtures. pytest-timeout, which ends the whole run, is
    set above this (:mod:`autograder.grading.options`)."""
    return 2 * wall_backstop(seconds) + 2 * restore_wall(seconds) + 60.0


#: Depth of the main thread's :class:`shielded` sections (the grader's own clean-up after a failed call).
_shield_depth = 0


def shielding() -> bool:
    """Whether the main thread is in the grader's clean-up (:class:`shielded`)."""
    return _shield_depth > 0


class shielded:
    """The grader's clean-up after a call of the submission failed or timed out (ask the isolated
    worker where its code was, kill it): a :class:`~autograder.submission.guard.Deadline` that fires again meanwhile (it repeats
    every second until the test ends) is dropped, not raised there. Raised inside the clean-up it cut
    it short: the worker of a timed-out call was left running, and the next request (the restore
    after the test) waited up to its wall-clock bound for the student's code to return (found with
    the red-team case nice_run_delay: 44 s instead of 6 s per test, now and then). A dropped time-out
    comes again a second later if the test goes on. Counts in the main thread only, where a
    :class:`~autograder.submission.guard.Deadline` interrupts; a no-op elsewhere.
    """

    def __enter__(self) -> "shielded":
        global _shield_depth
        self.counted = threading.current_thread() is threading.main_thread()
        if self.counted:
            _shield_depth += 1
        return self

    def __exit__(self, *exc: object) -> None:
        global _shield_depth
        if self.counted:
            _shield_depth -= 1


class RestoreTooSlow(BaseException):
    """The isolated worker's restore after a test took longer than :func:`restore_wall` (the
    worker is replaced)."""


class MessageTooSlow(BaseException):
    """Making a failure message from the student's exception (its ``__str__``, its attributes) took
    longer than :func:`restore_wall` (:mod:`autograder.grading.pertest`)."""


def type_name(exc: BaseException) -> str:
    """The exception's class name (at most 100 characters), read past any metaclass of the student's."""
    try:
        name = type.__dict__["__name__"].__get__(type(exc))
        return name[:100] if type(name) is str else "?"
    except Exception:  # noqa: BLE001
        return "?"


__all__ = ["WALL_FACTOR", "MessageTooSlow", "RestoreTooSlow", "longest_test", "restore_wall", "shielded", "shielding",
           "type_name", "wall_backstop"]
