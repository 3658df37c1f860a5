"""Misconceptions: wrong answers the grader recognises and names in its failure message.

A graded test declares, next to its oracle, what a known mistake would give *for the same input*
(the misconception applied to the test's own oracle, never read from a solution)::

    SOFTMAX_WHOLE_MATRIX = Misconception(
        "softmax_whole_matrix", task="softmax", lines=(850, 854), errata=True,
        ja="あなたの重みは行列全体で正規化した softmax と一致します: 各行の和が 1 になるように正規化します",
        en="your weights equal a softmax over the whole matrix: each row must sum to 1")

    check_array(got, oracle, call="softmax(x)",
                misconceptions=[SOFTMAX_WHOLE_MATRIX.gives(oracle_over_whole_matrix)])

When the check fails and the student's value equals the misconception's value (same type, shape
and the check's own tolerance), the failure message gets one more line in each language and the
failure carries ``{"id", "ja", "en"}`` (:attr:`GradingFailure.misconception
<autograder.checks.compare.GradingFailure>`), which the score report records as
``extra_data.misconception`` of the test. A misconception whose value cannot be told apart from
the correct one for that input (``T = 1``: dividing and multiplying agree) is never named: no
false diagnosis. The catalogue of an exercise is the module-level ``MISCONCEPTIONS`` list of its
graded tests (docs/authoring.md).

Chapter section: all of them (the chapter's own mistakes are listed in docs/ERRATA.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Misconception", "match"]

_ID = re.compile(r"[a-z][a-z0-9_]*\Z")


@dataclass(frozen=True)
class Misconception:
    """One known mistake of a task.

    Attributes:
        id: stable identifier (lowercase letters, digits, ``_``), e.g. ``"scale_by_sqrt_d_model"``;
            recorded in the score report and counted by the class report.
        task: the task whose tests may name it.
        ja, en: what the student's answer shows and what is right instead, one sentence each
            (Japanese, English), addressed to the student.
        lines: the chapter lines (first, last) the mistake comes from, or None when it is a
            common mistake the chapter does not make.
        errata: whether docs/ERRATA.md lists it.

    Raises:
        ValueError: a malformed id, an empty text, or lines that are not (first <= last).
    """

    id: str
    task: str
    ja: str
    en: str
    lines: tuple[int, int] | None = None
    errata: bool = False

    def __post_init__(self) -> None:
        if not _ID.match(self.id):
            raise ValueError(f"misconception id {self.id!r}: use lowercase letters, digits and _")
        if not self.ja.strip() or not self.en.strip() or not self.task:
            raise ValueError(f"misconception {self.id!r}: task, ja and en must not be empty")
        if self.lines is not None and not (len(self.lines) == 2 and 0 < self.lines[0] <= self.lines[1]):
            raise ValueError(f"misconception {self.id!r}: lines must be (first, last), got {self.lines!r}")

    def gives(self, value: Any) -> tuple[Misconception, Any]:
        """``(self, value)``: what this mistake returns for the input of the check it is passed to."""
        return (self, value)

    def source(self) -> tuple[str, str]:
        """Where it comes from, (ja, en): ``"本文 850–854 行、ERRATA"`` / ``"chapter lines 850-854, ERRATA"``;
        ``("", "")`` for a common mistake the chapter does not make."""
        if self.lines is None:
            return "", ""
        first, last = self.lines
        span_ja = f"{first}" if first == last else f"{first}–{last}"
        span_en = f"line {first}" if first == last else f"lines {first}-{last}"
        errata_ja, errata_en = ("、docs/ERRATA.md", ", docs/ERRATA.md") if self.errata else ("", "")
        return f"本文 {span_ja} 行{errata_ja}", f"chapter {span_en}{errata_en}"

    def record(self) -> dict[str, str]:
        """The score report's ``extra_data.misconception``: ``{"id", "ja", "en"}`` (texts with their source)."""
        src_ja, src_en = self.source()
        return {"id": self.id,
                "ja": f"{self.ja} ({src_ja})" if src_ja else self.ja,
                "en": f"{self.en} ({src_en})" if src_en else self.en}

    def lines_for_message(self) -> tuple[str, str]:
        """The line added to each half of a failure message."""
        rec = self.record()
        return f"  考えられる誤解: {rec['ja']}", f"  likely misconception: {rec['en']}"


def _close(actual: Any, value: Any, rtol: float, atol: float) -> bool:
    """Whether ``actual`` equals ``value`` as a check with these tolerances would accept it.

    ``value`` a NumPy array or scalar, or a float: ``actual`` must be an ndarray or a real/complex
    scalar of the same shape, close within (rtol, atol) (booleans: equal). Other plain data (int,
    bool, str, None, lists, tuples, dicts): equal with the same types, NumPy scalars counting as
    the builtin (as :func:`autograder.checks.compare.check_equal`). Never calls the student's
    objects' methods.
    """
    if type(value) is np.ndarray or type(value) is float or isinstance(value, np.generic):
        if not (type(actual) is np.ndarray or type(actual) is float or isinstance(actual, np.generic)):
            return False
        a, v = np.asarray(actual), np.asarray(value)
        if a.shape != v.shape or a.dtype.kind not in "biufc" or v.dtype.kind not in "biufc":
            return False
        if a.dtype.kind == "b" or v.dtype.kind == "b":
            return a.dtype.kind == v.dtype.kind == "b" and bool(np.array_equal(a, v))
        target = np.complex128 if "c" in (a.dtype.kind, v.dtype.kind) else np.float64
        return bool(np.allclose(a.astype(target), v.astype(target), rtol=rtol, atol=atol, equal_nan=True))
    return _plain_equal(_plain(actual), value)


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if type(value) in (list, tuple):
        return type(value)(_plain(v) for v in value)
    if type(value) is dict:
        return {_plain(k): _plain(v) for k, v in value.items()}
    return value


def _plain_equal(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if type(b) in (list, tuple):
        return len(a) == len(b) and all(_plain_equal(x, y) for x, y in zip(a, b))
    if type(b) is dict:
        return a.keys() == b.keys() and all(_plain_equal(a[k], b[k]) for k in b)
    return type(b) in (bool, int, str, type(None)) and bool(a == b)


def match(actual: Any, expected: Any, alternatives: Any, *, rtol: float = 1e-9, atol: float = 0.0
          ) -> Misconception | None:
    """The first misconception among ``alternatives`` (pairs from :meth:`Misconception.gives`) whose
    value ``actual`` equals, provided that value differs from ``expected`` (else the mistake
    cannot be told apart for this input and nothing is named); None otherwise.

    Args:
        actual: the student's value (any object; only inspected as plain data).
        expected: the oracle's value for the same input.
        alternatives: iterable of ``(Misconception, value)``.
        rtol, atol: the tolerances of the failed check. The mistake is told apart from the right
            answer with these; ``actual`` matches the mistake's value within at least 1e-9 relative
            (values computed in another order match) and must then lie at least ten times nearer to
            it than to ``expected``. (With 1e-9 for both, ``-Σ p log(q + 1e-10)``, 3e-10 off the right
            value, failed a check of 1e-12 and was never named: a newcomer helper's find.)

    Raises:
        TypeError: an alternative is not a ``(Misconception, value)`` pair (a mistake in the test).
    """
    wide = max(rtol, 1e-9)
    expected = _oracle(expected)
    for pair in alternatives or ():
        if not (isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], Misconception)):
            raise TypeError(f"misconceptions= takes Misconception.gives(value) pairs, got {pair!r}")
        m, value = pair[0], _oracle(pair[1])
        if _close(value, expected, rtol, atol) or _close(expected, value, rtol, atol):
            continue  # this input cannot tell the mistake from the right answer
        if _close(actual, value, rtol, atol) or (_close(actual, value, wide, atol) and _nearer(actual, value, expected)):
            return m
    return None


def _nearer(actual: Any, value: Any, expected: Any) -> bool:
    """Whether numeric ``actual`` is at least ten times nearer to ``value`` than to ``expected``
    (largest absolute difference; False for anything else)."""
    try:
        a, v, e = (np.asarray(x) for x in (actual, value, expected))
        if a.shape != v.shape or a.shape != e.shape or any(x.dtype.kind not in "iufc" for x in (a, v, e)):
            return False
        target = np.complex128 if "c" in (a.dtype.kind, v.dtype.kind, e.dtype.kind) else np.float64
        a, v, e = (x.astype(target) for x in (a, v, e))
        with np.errstate(all="ignore"):
            to_value, to_expected = np.nanmax(np.abs(a - v), initial=0.0), np.nanmax(np.abs(a - e), initial=0.0)
        return bool(np.isfinite(to_expected) and 10 * to_value <= to_expected)
    except (TypeError, ValueError):
        return False


def _oracle(expected: Any) -> Any:
    """The oracle's value as a student's value is compared with it (a list of floats as an array)."""
    if type(expected) in (list, tuple):
        try:
            arr = np.asarray(expected)
        except Exception:  # noqa: BLE001
            return expected
        return arr if arr.dtype.kind in "fc" else expected
    return expected
