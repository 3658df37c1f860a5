"""A failed graded check and what its message says besides the values: the convention the test
relies on (:class:`convention`) and the known mistake the student's value is (:class:`diagnose`).

Part of :mod:`autograder.checks.compare` (which re-exports every public name here; graded tests
import them from ``autograder.compare``).
"""

from __future__ import annotations

from typing import Any

from ..core.i18n import bilingual
from .misconception import Misconception, match


class GradingFailure(AssertionError):
    """A graded check failed; ``str(exc)`` is the bilingual message shown to the student.

    ``ja`` and ``en`` hold the two halves when the failure was raised by :func:`fail` (so a
    :func:`convention` can add its line to each half). ``misconception`` is the
    :class:`Misconception` the student's value was recognised as (:func:`diagnose`), or None.
    """

    ja: str | None = None
    en: str | None = None
    misconception: Misconception | None = None


def fail(ja: str, en: str, *, misconception: Misconception | None = None) -> None:
    """Fail the current graded test with a message in Japanese (``ja``) and English (``en``).

    Args:
        ja, en: the message in each language.
        misconception: the known mistake the student's value was recognised as (recorded on the
            test as ``extra_data.misconception``); its line is expected to be in ``ja``/``en``
            already (:func:`diagnose` adds it).

    Raises:
        GradingFailure: always.
    """
    exc = GradingFailure(bilingual(ja, en))
    exc.ja, exc.en = ja, en
    exc.misconception = misconception
    raise exc


class diagnose:  # noqa: N801 - used like contextlib.suppress
    """Name a known mistake when the enclosed checks of ``actual`` fail::

        with diagnose(got, oracle, [SCALE_BY_D_MODEL.gives(oracle_with_sqrt_d_model)], rtol=1e-10):
            check_array(got, oracle, call=...)   # or several checks of the same value

    If a :class:`GradingFailure` leaves the block and ``actual`` equals the value one of the
    misconceptions gives (while that value differs from ``expected``: no false diagnosis, see
    :func:`autograder.checks.misconception.match`), the failure is raised again with the line
    "考えられる誤解: …" / "likely misconception: …" after the first line of each half and with
    ``misconception`` set. Anything else passes unchanged. ``check_array``, ``check_float`` and
    ``check_equal`` take ``misconceptions=`` and do this themselves.

    Args:
        actual: the student's value.
        expected: the oracle's value for the same input.
        misconceptions: ``(Misconception, value)`` pairs (:meth:`Misconception.gives`).
        rtol, atol: the tolerances of the checks inside.
    """

    def __init__(self, actual: Any, expected: Any, misconceptions: Any, *, rtol: float = 1e-9,
                 atol: float = 0.0) -> None:
        self.actual, self.expected, self.alternatives = actual, expected, list(misconceptions or ())
        self.rtol, self.atol = rtol, atol

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type | None, exc: BaseException | None, tb: Any) -> bool:
        if not isinstance(exc, GradingFailure) or exc.misconception is not None or not self.alternatives:
            return False
        try:
            found = match(self.actual, self.expected, self.alternatives, rtol=self.rtol, atol=self.atol)
        except TypeError:
            raise  # a mistake in the graded test (alternatives not made by Misconception.gives)
        except Exception:  # noqa: BLE001 - an odd value (nested 10,000 deep...) is simply not diagnosed
            found = None
        if found is None:
            return False
        line_ja, line_en = found.lines_for_message()
        ja, en = (exc.ja, exc.en) if exc.ja is not None and exc.en is not None else (str(exc), str(exc))
        fail(_after_first_line(ja, line_ja), _after_first_line(en, line_en), misconception=found)
        return False


def _after_first_line(text: str, line: str) -> str:
    head, _, tail = text.partition("\n")
    return f"{head}\n{line}" + (f"\n{tail}" if tail else "")


class convention:  # noqa: N801 - used like contextlib.suppress
    """Name a convention that decides the enclosed checks (ReLU'(0) = 0, a sign or an order) in
    their failure messages, not only in the test's name::

        with convention("ReLU'(0) = 0 (torch と同じ)", "ReLU'(0) = 0 (as in torch)"):
            check_array(...)

    A :class:`GradingFailure` raised inside gets the line "このテストが前提とする規約: …" /
    "the convention this test relies on: …" (in each language's half of the message). An
    exception of the student's code passes unchanged and the convention is remembered for it
    (:func:`convention_of`), so the message the grader makes of it names the convention too.
    One object can be used any number of times (a module-level constant shared by several tests).
    """

    def __init__(self, ja: str, en: str) -> None:
        self.ja, self.en = ja, en

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type | None, exc: BaseException | None, tb: Any) -> bool:
        if kind is None or not issubclass(kind, Exception):
            return False
        if kind is not GradingFailure:
            record = _UNDER_CONVENTION[0]
            if not isinstance(exc, GradingFailure) and (record is None or record[0] is not exc):
                _UNDER_CONVENTION[0] = (exc, self.ja, self.en)
            return False
        line_ja, line_en = _convention_lines(self.ja, self.en)
        found = exc.misconception  # type: ignore[union-attr]
        if exc.ja is not None and exc.en is not None:  # type: ignore[union-attr]
            fail(f"{exc.ja}\n{line_ja}", f"{exc.en}\n{line_en}", misconception=found)  # type: ignore[union-attr]
        fail(f"{exc}\n{line_ja}", f"{exc}\n{line_en}", misconception=found)
        return False


#: (exception, ja, en): the latest exception that left a :class:`convention` block (innermost wins).
_UNDER_CONVENTION: list = [None]


def convention_of(exc: BaseException) -> tuple[str, str] | None:
    """The (ja, en) lines naming the convention whose block ``exc`` was raised in, or None."""
    record = _UNDER_CONVENTION[0]
    if record is None or record[0] is not exc:
        return None
    return _convention_lines(record[1], record[2])


def _convention_lines(ja: str, en: str) -> tuple[str, str]:
    return f"  このテストが前提とする規約: {ja}", f"  the convention this test relies on: {en}"
