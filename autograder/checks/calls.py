"""Checks of a call as a whole, for graded tests: that it raises (:func:`check_raises`) or that it
returns (:func:`check_accepts`), and the texts of a call that every check's message shares
(:func:`_short`, :func:`_call_ja`). :mod:`autograder.checks.compare` re-exports the checks (graded
tests import them from :mod:`autograder.compare`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .failure import GradingFailure, fail

_MAX_REPR = 600


def _short(text: str) -> str:
    """``text`` cut to about :data:`_MAX_REPR` characters at a separator, never inside a number or a word."""
    if len(text) <= _MAX_REPR:
        return text
    cut = max(text.rfind(sep, 0, _MAX_REPR - 5) for sep in (", ", " ", "\n"))
    return text[: cut if cut > _MAX_REPR // 2 else _MAX_REPR - 5].rstrip(", ") + " ..."


def _call_ja(call: str) -> str:
    """``call`` for a Japanese sentence: its ``  # note`` (the inputs, in English) in parentheses,
    ``softmax(x)（x: 4x3 float32 score matrix）``, not a code comment in mid-sentence."""
    code, sep, note = call.partition("  # ")
    return f"{code}（{note.strip()}）" if sep else code


def check_raises(exc_types: type[BaseException] | tuple[type[BaseException], ...], func: Callable[..., Any],
                 *args: Any, call: str, match: str | None = None, **kwargs: Any) -> BaseException:
    """Check that ``func(*args, **kwargs)`` raises one of ``exc_types``.

    ``NotImplementedError`` from a stub propagates unchanged (so the test counts as not
    implemented).

    Args:
        exc_types: the accepted exception type(s).
        func: the student's callable.
        call: the call as the student would write it.
        match: optional regular expression that must be found (``re.search``) in ``str(exc)``.

    Returns:
        The exception raised.

    Raises:
        GradingFailure: nothing was raised, another exception was raised, or ``match`` failed.
    """
    types = exc_types if isinstance(exc_types, tuple) else (exc_types,)
    names = " / ".join(t.__name__ for t in types)
    try:
        func(*args, **kwargs)
    except NotImplementedError:
        if NotImplementedError in types:
            raise GradingFailure("NotImplementedError is not a valid expected error") from None
        raise
    except types as exc:
        if match is not None and not re.search(match, str(exc)):
            fail(
                f"{_call_ja(call)} は {type(exc).__name__} を送出しましたが、メッセージ {str(exc)!r} に {match!r} が含まれていません。",
                f"{call} raised {type(exc).__name__}, but its message {str(exc)!r} does not contain {match!r}.",
            )
        return exc
    except Exception as exc:  # noqa: BLE001 - reported to the student
        fail(
            f"{_call_ja(call)} は {names} を送出すべきですが、{type(exc).__name__}: {_short(str(exc))} を送出しました。",
            f"{call} should raise {names}, but raised {type(exc).__name__}: {_short(str(exc))}.",
        )
    fail(
        f"{_call_ja(call)} は {names} を送出すべきですが、例外を送出せずに値を返しました。",
        f"{call} should raise {names}, but returned normally.",
    )
    raise AssertionError("unreachable")


def check_accepts(func: Callable[..., Any], *args: Any, call: str, **kwargs: Any) -> Any:
    """Call ``func(*args, **kwargs)`` with valid input, in a test of its input checks, and return its result.

    Rejecting bad input earns points only for a function that also works on good input: an
    input-check test makes one such call and checks the result (``check_float``...). A function
    that raises whatever it is given fails here. ``NotImplementedError`` from a stub propagates
    unchanged (so the test counts as not implemented), as do the grader's own failures.

    Args:
        func: the student's callable.
        call: the call as the student would write it.

    Returns:
        What ``func`` returned.

    Raises:
        GradingFailure: ``func`` raised an exception (other than ``NotImplementedError``).
    """
    try:
        return func(*args, **kwargs)
    except (NotImplementedError, GradingFailure):
        raise
    except Exception as exc:  # noqa: BLE001 - reported to the student
        fail(
            f"{_call_ja(call)} は正しい入力なのに {type(exc).__name__}: {_short(str(exc))} を送出しました。"
            f"不正な入力を拒む検査は、正しい入力で値を返す関数にだけ点が付きます。",
            f"{call} raised {type(exc).__name__}: {_short(str(exc))} on valid input. Rejecting bad input earns "
            f"points only for a function that returns a value for good input.",
        )
