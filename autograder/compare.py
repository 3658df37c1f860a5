"""Strict comparisons for graded tests, with bilingual failure messages.

Every check verifies the *kind* of a value before its numbers: Python/NumPy type, shape (no
broadcasting), dtype kind and finiteness. Values are then compared by :mod:`numpy.testing`, on
plain float64 copies, so an object with a rigged ``__eq__`` can never pass. A failure raises
:class:`GradingFailure` whose message names the call, the expected and the actual value, the
largest absolute and relative error and the tolerance, in Japanese and English.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.testing import assert_allclose as _assert_allclose  # bound now: later monkeypatching can't reach it

from .i18n import bilingual

__all__ = [
    "GradingFailure",
    "check_array",
    "check_equal",
    "check_float",
    "check_raises",
    "check_type",
    "describe",
    "fail",
]

_MAX_REPR = 600


class GradingFailure(AssertionError):
    """A graded check failed; ``str(exc)`` is the bilingual message shown to the student."""


def fail(ja: str, en: str) -> None:
    """Fail the current graded test with a message in Japanese (``ja``) and English (``en``).

    Raises:
        GradingFailure: always.
    """
    raise GradingFailure(bilingual(ja, en))


def _short(text: str) -> str:
    return text if len(text) <= _MAX_REPR else text[: _MAX_REPR - 5] + " ..."


def describe(value: Any) -> str:
    """Return a short, safe description of ``value`` (type, shape and dtype for arrays).

    Never calls a user-defined ``__repr__``/``__eq__`` of an unknown object beyond ``type()``.
    """
    if isinstance(value, np.ndarray) and type(value) is np.ndarray:
        with np.printoptions(precision=10, threshold=20, edgeitems=3, linewidth=100):
            body = np.array2string(value, separator=", ")
        return _short(f"ndarray(shape={value.shape}, dtype={value.dtype}) {body}")
    if type(value) in (bool, int, float, complex, str, type(None)) or _is_numpy_scalar(value):
        return _short(f"{type(value).__name__} {value!r}")
    if type(value) in (list, tuple):
        inner = ", ".join(describe(v) for v in list(value)[:6])
        more = ", ..." if len(value) > 6 else ""
        return _short(f"{type(value).__name__}[{inner}{more}]")
    mod = re.sub(r"^_workbook_target_[0-9a-f]+\.", "", str(type(value).__module__))
    name = type(value).__qualname__
    shape = getattr(value, "shape", None) if mod.startswith(("torch", "numpy")) else None
    extra = f" shape={tuple(shape)}" if shape is not None else ""
    return f"<{mod}.{name}{extra}>"


#: NumPy's own scalar types, compared by identity (a subclass can fake ``__module__``).
_NUMPY_SCALARS = frozenset(t for t in np.sctypeDict.values() if isinstance(t, type) and issubclass(t, np.generic))
_NUMPY_FLOATS = frozenset(t for t in _NUMPY_SCALARS if issubclass(t, np.floating))


def _is_numpy_scalar(value: Any) -> bool:
    return type(value) in _NUMPY_SCALARS


def _is_plain_float(value: Any) -> bool:
    return type(value) is float or type(value) in _NUMPY_FLOATS


def _errors(actual: np.ndarray, expected: np.ndarray) -> tuple[float, float]:
    """Largest absolute and relative error over finite entries (0.0 when none)."""
    with np.errstate(all="ignore"):
        diff = np.abs(actual - expected)
        finite = np.isfinite(diff)
        if not finite.any():
            return 0.0, 0.0
        abs_err = float(np.max(diff[finite]))
        denom = np.abs(expected)
        rel = np.where(denom > 0, diff / np.where(denom > 0, denom, 1.0), np.where(diff > 0, np.inf, 0.0))
        rel_err = float(np.max(rel[finite]))
    return abs_err, rel_err


def _value_mismatch(call: str, what: str, expected: Any, actual: Any, a: np.ndarray, e: np.ndarray,
                    rtol: float, atol: float) -> None:
    abs_err, rel_err = _errors(a, e)
    fail(
        f"{call} の{_what_ja(what)}が期待値と一致しません。\n"
        f"  期待値: {describe(expected)}\n  実際の値: {describe(actual)}\n"
        f"  最大絶対誤差 {abs_err:.3g}, 最大相対誤差 {rel_err:.3g} (許容誤差 rtol={rtol:g}, atol={atol:g})",
        f"{call}: {_what_en(what)} does not match the expected value.\n"
        f"  expected: {describe(expected)}\n  actual:   {describe(actual)}\n"
        f"  max abs error {abs_err:.3g}, max rel error {rel_err:.3g} (tolerance rtol={rtol:g}, atol={atol:g})",
    )


_WHAT_JA = {
    "return value": "戻り値",
    "weights": "重み (weights)",
    "output": "出力 (output)",
    "length of the returned tuple (output, weights)": "戻り値のタプル (output, weights) の長さ",
}


_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def _what_split(what: str) -> tuple[str, str] | None:
    """``"english / 日本語"`` (how graded tests name a value in both languages) → (ja, en)."""
    if " / " in what:
        en, ja = what.rsplit(" / ", 1)
        if _JAPANESE.search(ja) and not _JAPANESE.search(en):
            return ja, en
    return None


def _what_ja(what: str) -> str:
    """The Japanese name of ``what``; an English-only description is quoted with 「」."""
    pair = _what_split(what)
    if pair:
        return f"「{pair[0]}」"
    return _WHAT_JA.get(what, f"「{_what_en(what)}」")


def _what_en(what: str) -> str:
    """The English name of ``what`` (the English half of ``"english / 日本語"``)."""
    pair = _what_split(what)
    return pair[1] if pair else what


def _allclose_or_fail(call: str, what: str, expected: Any, actual: Any, a: np.ndarray, e: np.ndarray,
                      rtol: float, atol: float) -> None:
    finite_expected = np.isfinite(e)
    bad = finite_expected & ~np.isfinite(a)
    if bad.any():
        fail(
            f"{call} の{_what_ja(what)}に有限でない値 (nan/inf) があります (位置 {np.argwhere(bad)[:3].tolist()})。\n"
            f"  期待値: {describe(expected)}\n  実際の値: {describe(actual)}",
            f"{call}: {_what_en(what)} contains non-finite values (nan/inf) at {np.argwhere(bad)[:3].tolist()}.\n"
            f"  expected: {describe(expected)}\n  actual:   {describe(actual)}",
        )
    try:
        _assert_allclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
    except AssertionError:
        _value_mismatch(call, what, expected, actual, a, e, rtol, atol)


def check_float(actual: Any, expected: float, *, call: str, rtol: float = 1e-9, atol: float = 0.0,
                what: str = "return value") -> None:
    """Check that ``actual`` is a real scalar float close to ``expected``.

    Args:
        actual: the student's value; must be a Python ``float`` or a NumPy floating scalar
            (``bool``, ``int``, arrays, tensors and float subclasses are rejected).
        expected: the oracle value (float; nan means nan is expected).
        call: the call as the student would write it, e.g. ``"cosine_similarity(a, b)"``.
        rtol, atol: tolerances of :func:`numpy.testing.assert_allclose`.
        what: what is being checked (shown in the message).

    Raises:
        GradingFailure: wrong type, non-finite value, or a value outside the tolerance.
    """
    if not _is_plain_float(actual):
        fail(
            f"{call} の{_what_ja(what)}は float (または NumPy の浮動小数点スカラー) であるべきですが、"
            f"{describe(actual)} でした。",
            f"{call}: {_what_en(what)} must be a float (or a NumPy floating scalar), got {describe(actual)}.",
        )
    a = np.array(float.__float__(float(np.float64(actual))), dtype=np.float64)
    e = np.array(expected, dtype=np.float64)
    _allclose_or_fail(call, what, expected, actual, a, e, rtol, atol)


def check_array(actual: Any, expected: Any, *, call: str, rtol: float = 1e-9, atol: float = 0.0,
                dtype_kind: str = "f", what: str = "return value") -> None:
    """Check that ``actual`` is a ``numpy.ndarray`` of the expected shape, dtype kind and values.

    Args:
        actual: the student's value; must be exactly a ``numpy.ndarray`` (not a list, a tensor,
            a matrix or a masked array).
        expected: array-like oracle value; its shape is required exactly (no broadcasting).
        call: the call as the student would write it.
        rtol, atol: tolerances of :func:`numpy.testing.assert_allclose` (ignored for bool arrays,
            which must be equal).
        dtype_kind: the allowed ``dtype.kind`` letters, e.g. ``"f"`` (float), ``"fc"``, ``"b"``,
            ``"iu"``.
        what: what is being checked (shown in the message).

    Raises:
        GradingFailure: wrong type, shape or dtype kind, non-finite entries where the oracle is
            finite, or values outside the tolerance.
    """
    e = np.asarray(expected)
    if type(actual) is not np.ndarray:
        hint_ja = hint_en = ""
        if type(actual).__module__.startswith("torch"):
            hint_ja = " (torch.Tensor ではなく .detach().numpy() で NumPy 配列にしてください)"
            hint_en = " (return a NumPy array, e.g. tensor.detach().numpy(), not a torch.Tensor)"
        fail(
            f"{call} の{_what_ja(what)}は numpy.ndarray であるべきですが、{describe(actual)} でした{hint_ja}。",
            f"{call}: {_what_en(what)} must be a numpy.ndarray, got {describe(actual)}{hint_en}.",
        )
    if actual.shape != e.shape:
        fail(
            f"{call} の{_what_ja(what)}の形状が違います: 期待 {e.shape}, 実際 {actual.shape}。",
            f"{call}: {_what_en(what)} has the wrong shape: expected {e.shape}, got {actual.shape}.",
        )
    if actual.dtype.kind not in dtype_kind:
        fail(
            f"{call} の{_what_ja(what)}の dtype が違います: 種類 {dtype_kind!r} が期待されますが {actual.dtype} でした。",
            f"{call}: {_what_en(what)} has dtype {actual.dtype}; expected dtype kind {dtype_kind!r}.",
        )
    if actual.dtype.kind == "b" or e.dtype.kind == "b":
        if not np.array_equal(actual.astype(bool), e.astype(bool)):
            fail(
                f"{call} の{_what_ja(what)}が期待値と一致しません。\n  期待値: {describe(e)}\n  実際の値: {describe(actual)}",
                f"{call}: {_what_en(what)} does not match.\n  expected: {describe(e)}\n  actual:   {describe(actual)}",
            )
        return
    kind_c = "c" in dtype_kind
    target = np.complex128 if kind_c else np.float64
    a = np.array(actual, dtype=target, copy=True)
    _allclose_or_fail(call, what, e, actual, a, e.astype(target), rtol, atol)


def _plain(value: Any, call: str, what: str) -> Any:
    """Convert NumPy scalars to Python builtins; reject objects that are not plain data."""
    if type(value) in (bool, int, float, str, type(None)):
        return value
    if _is_numpy_scalar(value):
        return value.item()
    if type(value) in (list, tuple):
        return type(value)(_plain(v, call, what) for v in value)
    if type(value) is dict:
        return {_plain(k, call, what): _plain(v, call, what) for k, v in value.items()}
    fail(
        f"{call} の{_what_ja(what)}に予期しない型 {describe(value)} が含まれています。",
        f"{call}: {_what_en(what)} contains an unexpected type {describe(value)}.",
    )


def _same_shape_of_types(a: Any, e: Any) -> bool:
    if type(e) in (list, tuple):
        return type(a) is type(e) and len(a) == len(e) and all(map(_same_shape_of_types, a, e))
    if type(e) is dict:
        return type(a) is dict and a.keys() == e.keys() and all(_same_shape_of_types(a[k], e[k]) for k in e)
    return type(a) is type(e)


def check_equal(actual: Any, expected: Any, *, call: str, what: str = "return value") -> None:
    """Check exact equality of plain Python data (bool, int, str, None, lists/tuples/dicts of them).

    NumPy scalars count as the matching builtin (``numpy.bool_`` as ``bool``); the types must match
    after that (``True`` is not ``1``, a list is not a tuple).

    Raises:
        GradingFailure: a type or a value differs.
    """
    a = _plain(actual, call, what)
    if not (_same_shape_of_types(a, expected) and a == expected):
        fail(
            f"{call} の{_what_ja(what)}が期待値と一致しません。\n  期待値: {describe(expected)}\n  実際の値: {describe(actual)}",
            f"{call}: {_what_en(what)} does not match.\n  expected: {describe(expected)}\n  actual:   {describe(actual)}",
        )


def check_type(actual: Any, types: type | tuple[type, ...], *, call: str, what: str = "return value") -> None:
    """Check ``isinstance(actual, types)``; for ndarray, tuple, list and dict the type must be exact.

    (A subclass of ``numpy.ndarray`` or ``tuple`` can fake its shape, length or items.)

    Raises:
        GradingFailure: ``actual`` is not an instance of ``types``.
    """
    wanted = types if isinstance(types, tuple) else (types,)
    strict = (np.ndarray, tuple, list, dict)
    if not (any(type(actual) is t for t in wanted) or any(isinstance(actual, t) for t in wanted if t not in strict)):
        names = " / ".join(t.__name__ for t in (types if isinstance(types, tuple) else (types,)))
        fail(
            f"{call} の{_what_ja(what)}は {names} であるべきですが、{describe(actual)} でした。",
            f"{call}: {_what_en(what)} must be {names}, got {describe(actual)}.",
        )


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
                f"{call} は {type(exc).__name__} を送出しましたが、メッセージ {str(exc)!r} に {match!r} が含まれていません。",
                f"{call} raised {type(exc).__name__}, but its message {str(exc)!r} does not contain {match!r}.",
            )
        return exc
    except Exception as exc:  # noqa: BLE001 - reported to the student
        fail(
            f"{call} は {names} を送出すべきですが、{type(exc).__name__}: {_short(str(exc))} を送出しました。",
            f"{call} should raise {names}, but raised {type(exc).__name__}: {_short(str(exc))}.",
        )
    fail(
        f"{call} は {names} を送出すべきですが、何も送出せずに終了しました。",
        f"{call} should raise {names}, but returned normally.",
    )
    raise AssertionError("unreachable")

