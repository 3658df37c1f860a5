"""Strict comparisons for graded tests, with bilingual failure messages.

Every check verifies the *kind* of a value before its numbers: Python/NumPy type, shape (no
broadcasting), dtype kind and finiteness. Values are then compared by :mod:`numpy.testing`, on
plain float64 copies, so an object with a rigged ``__eq__`` can never pass. A failure raises
:class:`GradingFailure` whose message names the call, the expected and the actual value, the
largest absolute and relative error and the tolerance, in Japanese and English.
"""

from __future__ import annotations

import re
import types
from typing import Any

import numpy as np
from numpy.testing import assert_allclose as _assert_allclose  # bound now: later monkeypatching can't reach it

from .failure import convention_of  # noqa: F401  (autograder.grading.pertest reads it here)
from .failure import GradingFailure, convention, diagnose, fail
from .calls import _call_ja, _short, check_accepts, check_raises  # noqa: F401  (part of this module's API)
from .misconception import Misconception
from ..core.given import as_left  # noqa: F401  (graded tests: an argument as the function left it)
from ..core.i18n import english_does

__all__ = [
    "GradingFailure",
    "Misconception",
    "as_left",
    "check_accepts",
    "check_array",
    "check_count",
    "check_equal",
    "check_float",
    "check_raises",
    "check_type",
    "convention",
    "describe",
    "describe_argument",
    "describe_artist",
    "describe_call",
    "diagnose",
    "fail",
    "positions",
]

#: Arrays with more entries than this are summarised by NumPy (``...`` between the first and the
#: last :data:`_EDGEITEMS` entries of each axis), never cut as text.
_THRESHOLD = 36
_EDGEITEMS = 3


def _float_values(arrays: tuple) -> np.ndarray:
    """The finite real numbers in ``arrays`` (real and imaginary parts of complex entries)."""
    parts = []
    for arr in arrays:
        if isinstance(arr, np.ndarray) and type(arr) is np.ndarray and arr.dtype.kind in "fc":
            flat = arr.ravel()
            parts += [flat.real, flat.imag] if arr.dtype.kind == "c" else [flat]
    if not parts:
        return np.zeros(0)
    with np.errstate(all="ignore"):
        values = np.abs(np.concatenate([np.asarray(p, dtype=np.float64) for p in parts]))
    return values[np.isfinite(values)]


class NumberFormat:
    """One notation for all the numbers of a message: expected and actual print alike.

    Chooses scientific notation as NumPy does (largest value ≥ 1e8, smallest nonzero < 1e-4, or
    a ratio above 1000), but from the numbers of *all* the given arrays together, and prints at
    most ``digits`` significant digits (the shortest text that reads back the same value).
    """

    def __init__(self, *arrays: Any, digits: int = 8) -> None:
        values = _float_values(arrays)
        nonzero = values[values > 0]
        self.scientific = bool(nonzero.size) and bool(
            nonzero.max() >= 1e8 or nonzero.min() < 1e-4 or nonzero.max() / nonzero.min() > 1e3)
        self.digits = int(digits)
        self.same_length = False  # every number with exactly ``digits`` significant digits (trailing zeros kept)

    def number(self, value: Any) -> str:
        """One real or complex number in this notation."""
        if isinstance(value, (complex, np.complexfloating)):
            sign = "-" if value.imag < 0 or (value.imag == 0 and np.signbit(value.imag)) else "+"
            return f"{self.number(value.real)}{sign}{self.number(abs(value.imag))}j"
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (float, np.floating, int, np.integer)):
            return repr(value)
        if isinstance(value, (int, np.integer)):
            return str(int(value))
        fixed = self.same_length and bool(np.isfinite(value))
        if self.scientific:
            return np.format_float_scientific(value, precision=self.digits - 1, unique=not fixed, trim="k" if fixed else "0")
        if fixed:
            text = f"{float(value):#.{self.digits}g}"
            if "e" not in text:
                return text.rstrip(".")
        return np.format_float_positional(value, precision=self.digits, unique=True, fractional=False, trim="0")

    def array(self, value: np.ndarray, indent: str = "") -> str:
        """An array in this notation; a large one summarised with NumPy's ``...``, never cut.

        Lines after the first start with ``indent`` plus NumPy's own alignment.
        """
        return np.array2string(value, separator=", ", threshold=_THRESHOLD, edgeitems=_EDGEITEMS, max_line_width=100,
                               prefix=indent, formatter={"float_kind": self.number, "complex_kind": self.number})


def _index(idx: tuple) -> str:
    """An array index as a student writes it: ``3`` for a 1-D array, ``(1, 2)`` otherwise."""
    idx = tuple(int(i) for i in idx)
    return str(idx[0]) if len(idx) == 1 else str(idx)


def positions(mask: Any, limit: int = 5) -> tuple[str, str]:
    """Where ``mask`` is true, as (ja, en) text: ``"index (0, 2), (1, 1) (3 more)"``.

    A 1-D mask gives plain indices (``"index 0, 3"``), a 0-d mask an empty text (a scalar has no
    position).
    """
    mask = np.asarray(mask, dtype=bool)
    if mask.ndim == 0:
        return "", ""
    found = np.argwhere(mask)
    shown = ", ".join(_index(tuple(i)) for i in found[:limit])
    more = len(found) - limit
    return (f"位置 {shown}" + (f" ほか {more} か所" if more > 0 else ""),
            f"index {shown}" + (f" ({more} more)" if more > 0 else ""))


def describe(value: Any, fmt: NumberFormat | None = None) -> str:
    """Return a short, safe description of ``value`` (type, shape and dtype for arrays).

    Never calls a user-defined ``__repr__``/``__eq__`` of an unknown object beyond ``type()``.
    ``fmt`` prints the numbers (share one between values shown side by side); a large array is
    summarised by NumPy (``...``), never cut in the middle of a number.
    """
    if isinstance(value, np.ndarray) and type(value) is np.ndarray:
        head = f"ndarray(shape={value.shape}, dtype={value.dtype})"
        body = (fmt or NumberFormat(value)).array(value)
        if "\n" not in body:
            return f"{head} {body}"
        return f"{head}\n      " + (fmt or NumberFormat(value)).array(value, indent="      ")
    if fmt is not None and (type(value) is float or type(value) in _NUMPY_FLOATS):
        return f"{type(value).__name__} {fmt.number(value)}"
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


def describe_argument(value: Any) -> str:
    """A short description of one argument of a call, the same in every language and grading mode.

    Arrays and tensors by dtype and shape (a small array with its values), numbers and short
    strings by ``repr``, short lists/tuples of plain data by ``repr``, other containers by their
    length, functions by name and any other object by its type's name. Only ``type()`` and the
    attributes of NumPy arrays and torch tensors are read: never an unknown object's ``__repr__``.
    """
    kind = type(value)
    if kind is np.ndarray:
        if value.size <= 4 and value.ndim <= 2 and value.dtype.kind in "biufc":
            body = NumberFormat(value).array(value).replace("\n", "")
            return f"array({body})" if value.dtype == np.float64 else f"array({body}, dtype={value.dtype})"
        return f"<array shape {value.shape}, {value.dtype}>"
    if kind.__module__.startswith("torch") and kind.__name__ in ("Tensor", "Parameter"):
        return f"<tensor shape {tuple(value.shape)}, {value.dtype}>"
    if kind in (bool, int, float, complex, type(None)) or _is_numpy_scalar(value):
        text = repr(value.item() if _is_numpy_scalar(value) else value)
        return text if len(text) <= 40 else f"<{kind.__name__}>"
    if kind is str:
        return repr(value) if len(value) <= 40 else f"<str of {len(value)} characters>"
    if kind in (list, tuple, dict):
        text = _plain_repr(value)
        if text is not None and len(text) <= 60:
            return text
        noun = {list: "list", tuple: "tuple", dict: "dict"}[kind]
        return f"<{noun} of {len(value)} items>"
    if isinstance(value, (types.FunctionType, types.BuiltinFunctionType, types.MethodType)):
        return f"<function {value.__name__}>"
    return f"<{kind.__qualname__} object>"


def _plain_repr(value: Any, depth: int = 0) -> str | None:
    """``repr`` of plain nested data (numbers, strings, lists/tuples/dicts of them); None otherwise."""
    kind = type(value)
    if kind in (bool, int, float, type(None)) or kind is str and len(value) <= 40:
        return repr(value)
    if depth > 3 or kind not in (list, tuple, dict) or len(value) > 16:
        return None
    if kind is dict:
        items = [(_plain_repr(k, depth + 1), _plain_repr(v, depth + 1)) for k, v in value.items()]
        return None if any(None in kv for kv in items) else "{" + ", ".join(f"{k}: {v}" for k, v in items) + "}"
    parts = [_plain_repr(v, depth + 1) for v in value]
    if None in parts:
        return None
    inner = ", ".join(parts)
    return f"[{inner}]" if kind is list else f"({inner}{',' if len(parts) == 1 else ''})"


def describe_call(name: str, args: tuple, kwargs: dict, params: tuple[str, ...] = ()) -> str:
    """``name(p1=<array shape (2, 3), float64>, axis=-1)``: a call with its arguments described.

    Args:
        name: the function's name.
        args, kwargs: the arguments of the call.
        params: names of the positional parameters (from the submission's source), so that
            positional arguments are shown as ``name=value``; fewer names leave the rest unnamed.
    """
    shown = [f"{params[i]}={describe_argument(v)}" if i < len(params) else describe_argument(v)
             for i, v in enumerate(args)]
    shown += [f"{k}={describe_argument(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(shown)})"


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


def _worst(a: np.ndarray, e: np.ndarray, rtol: float, atol: float) -> tuple[tuple, int]:
    """(index of the entry furthest outside the tolerance, number of entries outside it)."""
    with np.errstate(all="ignore"):
        outside = ~np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
        diff = np.abs(a - e)
        ratio = np.where(np.isnan(a) != np.isnan(e), np.inf, diff / (atol + rtol * np.abs(e)))
        ratio = np.where(outside, np.nan_to_num(ratio, nan=np.inf, posinf=np.inf), -1.0)
    return np.unravel_index(int(np.argmax(ratio)), a.shape), int(outside.sum())


def _format_for(a: np.ndarray, e: np.ndarray, idx: tuple, *arrays: Any) -> NumberFormat:
    """One notation for ``arrays``, with enough digits (6 to 17) that the worst entry's expected
    and actual values read differently."""
    fmt = NumberFormat(*arrays, digits=6)
    while fmt.digits < 17 and fmt.number(a[idx]) == fmt.number(e[idx]):
        fmt.digits += 1
    # two numbers side by side: as many digits each (2.293591700 / 2.293591699, not 2.2935917 / 2.293591699)
    fmt.same_length = a.ndim == 0
    return fmt


def _value_mismatch(call: str, what: str, expected: Any, actual: Any, a: np.ndarray, e: np.ndarray,
                    rtol: float, atol: float) -> None:
    abs_err, rel_err = _errors(a, e)
    idx, n_out = _worst(a, e, rtol, atol)
    shown = [v for v in (expected, actual) if isinstance(v, np.ndarray)]
    fmt = _format_for(a, e, idx, *shown, a, e)
    where_ja = where_en = ""
    if a.ndim:
        pos_ja, pos_en = positions(np.arange(a.size).reshape(a.shape) == np.ravel_multi_index(idx, a.shape))
        where_ja = (f"\n  最も外れている要素: {pos_ja}、期待値 {fmt.number(e[idx])}、実際の値 {fmt.number(a[idx])} "
                    f"(許容誤差の外にあるのは {a.size} 要素中 {n_out} 要素)")
        where_en = (f"\n  worst entry: {pos_en}, expected {fmt.number(e[idx])}, actual {fmt.number(a[idx])} "
                    f"({n_out} of {a.size} entries are outside the tolerance)")
    fail(
        f"{_call_ja(call)} の{_what_ja(what)}が期待値と一致しません。\n"
        f"  期待値: {describe(expected, fmt)}\n  実際の値: {describe(actual, fmt)}{where_ja}\n"
        f"  最大絶対誤差 {abs_err:.3g}, 最大相対誤差 {rel_err:.3g} (許容誤差 rtol={rtol:g}, atol={atol:g})",
        f"{call}: {_what_en(what)} {english_does(_what_en(what))} not match the expected value.\n"
        f"  expected: {describe(expected, fmt)}\n  actual:   {describe(actual, fmt)}{where_en}\n"
        f"  max abs error {abs_err:.3g}, max rel error {rel_err:.3g} (tolerance rtol={rtol:g}, atol={atol:g})",
    )


_WHAT_JA = {
    "return value": "戻り値",
    "weights": "重み（weights）",
    "output": "出力（output）",
    "length of the returned tuple (output, weights)": "戻り値のタプル（output, weights）の長さ",
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
        fmt = NumberFormat(*(v for v in (expected, actual) if isinstance(v, np.ndarray)), a, e)
        pos_ja, pos_en = positions(bad)
        fail(
            f"{_call_ja(call)} の{_what_ja(what)}に有限でない値 (nan/inf) があります"
            f"{f' ({pos_ja})' if pos_ja else ''}。期待値のほうは有限です。\n"
            f"  期待値: {describe(expected, fmt)}\n  実際の値: {describe(actual, fmt)}",
            f"{call}: {_what_en(what)} contains non-finite values (nan/inf){f' at {pos_en}' if pos_en else ''}, "
            f"where the expected values are finite.\n"
            f"  expected: {describe(expected, fmt)}\n  actual:   {describe(actual, fmt)}",
        )
    try:
        _assert_allclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
    except AssertionError:
        _value_mismatch(call, what, expected, actual, a, e, rtol, atol)


def check_float(actual: Any, expected: float, *, call: str, rtol: float = 1e-9, atol: float = 0.0,
                what: str = "return value", misconceptions: Any = ()) -> None:
    """Check that ``actual`` is a real scalar float close to ``expected``.

    Args:
        actual: the student's value; must be a Python ``float`` or a NumPy floating scalar
            (``bool``, ``int``, arrays, tensors and float subclasses are rejected).
        expected: the oracle value (float; nan means nan is expected).
        call: the call as the student would write it, e.g. ``"cosine_similarity(a, b)"``.
        rtol, atol: tolerances of :func:`numpy.testing.assert_allclose`.
        what: what is being checked (shown in the message).
        misconceptions: ``Misconception.gives(value)`` pairs: known mistakes and what each gives
            for this input; the one ``actual`` equals is named in the failure (:class:`diagnose`).

    Raises:
        GradingFailure: wrong type, non-finite value, or a value outside the tolerance.
    """
    with diagnose(actual, expected, misconceptions, rtol=rtol, atol=atol):
        _check_float(actual, expected, call, rtol, atol, what)


def _check_float(actual: Any, expected: float, call: str, rtol: float, atol: float, what: str) -> None:
    if not _is_plain_float(actual):
        fail(
            f"{_call_ja(call)} の{_what_ja(what)}は float (または NumPy の浮動小数点スカラー) であるべきですが、"
            f"{describe(actual)} でした。",
            f"{call}: {_what_en(what)} must be a float (or a NumPy floating scalar), got {describe(actual)}.",
        )
    a = np.array(float.__float__(float(np.float64(actual))), dtype=np.float64)
    e = np.array(expected, dtype=np.float64)
    _allclose_or_fail(call, what, expected, actual, a, e, rtol, atol)


def check_array(actual: Any, expected: Any, *, call: str, rtol: float = 1e-9, atol: float = 0.0,
                dtype_kind: str = "f", what: str = "return value", misconceptions: Any = ()) -> None:
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
        misconceptions: ``Misconception.gives(value)`` pairs: known mistakes and what each gives
            for this input; the one ``actual`` equals is named in the failure (:class:`diagnose`).

    Raises:
        GradingFailure: wrong type, shape or dtype kind, non-finite entries where the oracle is
            finite, or values outside the tolerance.
    """
    with diagnose(actual, expected, misconceptions, rtol=rtol, atol=atol):
        _check_array(actual, expected, call, rtol, atol, dtype_kind, what)


def _check_array(actual: Any, expected: Any, call: str, rtol: float, atol: float, dtype_kind: str,
                 what: str) -> None:
    e = np.asarray(expected)
    if type(actual) is not np.ndarray:
        hint_ja = hint_en = ""
        if type(actual).__module__.startswith("torch"):
            hint_ja = " (torch.Tensor ではなく .detach().numpy() で NumPy 配列にしてください)"
            hint_en = " (return a NumPy array, e.g. tensor.detach().numpy(), not a torch.Tensor)"
        fail(
            f"{_call_ja(call)} の{_what_ja(what)}は numpy.ndarray であるべきですが、{describe(actual)} でした{hint_ja}。",
            f"{call}: {_what_en(what)} must be a numpy.ndarray, got {describe(actual)}{hint_en}.",
        )
    if actual.shape != e.shape:
        fail(
            f"{_call_ja(call)} の{_what_ja(what)}の形状が違います: 期待 {e.shape}, 実際 {actual.shape}。",
            f"{call}: {_what_en(what)} has the wrong shape: expected {e.shape}, got {actual.shape}.",
        )
    if actual.dtype.kind not in dtype_kind:
        fail(
            f"{_call_ja(call)} の{_what_ja(what)}の dtype が違います: 種類 {dtype_kind!r} が期待されますが {actual.dtype} でした。",
            f"{call}: {_what_en(what)} has dtype {actual.dtype}; expected dtype kind {dtype_kind!r}.",
        )
    if actual.dtype.kind == "b" or e.dtype.kind == "b":
        differ = actual.astype(bool) != e.astype(bool)
        if differ.any():
            pos_ja, pos_en = positions(differ)
            fail(
                f"{_call_ja(call)} の{_what_ja(what)}が期待値と一致しません"
                f"{f' ({pos_ja} が違います)' if pos_ja else ''}。\n  期待値: {describe(e)}\n  実際の値: {describe(actual)}",
                f"{call}: {_what_en(what)} {english_does(_what_en(what))} not match{f' (differs at {pos_en})' if pos_en else ''}.\n"
                f"  expected: {describe(e)}\n  actual:   {describe(actual)}",
            )
        return
    kind_c = "c" in dtype_kind
    target = np.complex128 if kind_c else np.float64
    a = np.array(actual, dtype=target, copy=True)
    _allclose_or_fail(call, what, e, actual, a, e.astype(target), rtol, atol)


def describe_artist(artist: Any) -> tuple[str, str]:
    """(ja, en) description of a figure artist a test counts: a line by its label and first
    points, an ``axline`` by two of its points, an Axes by its title."""
    fmt = NumberFormat(digits=4)
    point = lambda p: f"({', '.join(fmt.number(float(c)) for c in p)})"  # noqa: E731
    if hasattr(artist, "get_title") and hasattr(artist, "lines"):
        title = artist.get_title() or "".join(artist.get_title(loc) for loc in ("left", "right"))
        return (f"タイトル {title!r} の Axes" if title else "タイトルのない Axes",
                f"Axes titled {title!r}" if title else "Axes without a title")
    label = str(artist.get_label()) if hasattr(artist, "get_label") else ""
    label_ja, label_en = (f"ラベル {label!r} の", f"labelled {label!r}") if label and not label.startswith("_") \
        else ("ラベルのない", "without a label")
    if hasattr(artist, "get_xy1"):
        p1, p2 = artist.get_xy1(), artist.get_xy2()
        through = f"{point(p1)} と {point(p2)} を通る" if p2 is not None else f"{point(p1)} を通る傾き {artist.get_slope()} の"
        through_en = (f"through {point(p1)} and {point(p2)}" if p2 is not None
                      else f"through {point(p1)} with slope {artist.get_slope()}")
        return f"{label_ja} axline ({through}直線)", f"axline {label_en} ({through_en})"
    if hasattr(artist, "get_xydata"):
        xy = np.asarray(artist.get_xydata(), dtype=np.float64).reshape(-1, 2)
        first = ", ".join(point(p) for p in xy[:2]) + (", ..." if len(xy) > 2 else "")
        return f"{label_ja}線 ({len(xy)} 点: {first})", f"line {label_en} ({len(xy)} points: {first})"
    return f"{type(artist).__name__}", f"{type(artist).__name__}"


def check_count(items: list, expected: int, *, call: str, what: str, extra: list[int] | None = None,
                missing: list[tuple[str, str]] | None = None) -> None:
    """Check that ``items`` (lines, Axes... of a figure) number ``expected``; the message lists
    what was found, marks the items that match nothing expected, and names what is missing.

    Args:
        items: the artists found.
        expected: how many there should be.
        call, what: as for the other checks (``what`` names the items, e.g. "lines labelled 'eigen...'").
        extra: indices into ``items`` of those that match nothing the test expects.
        missing: (ja, en) descriptions of expected items that no item matches.

    Raises:
        GradingFailure: ``len(items) != expected``.
    """
    if len(items) == expected:
        return
    extra = set(extra or ())
    rows_ja, rows_en = [], []
    for i, item in enumerate(items[:12]):
        ja, en = describe_artist(item)
        rows_ja.append(f"\n    {i + 1}. {ja}{' ← 期待されるどれとも合いません' if i in extra else ''}")
        rows_en.append(f"\n    {i + 1}. {en}{'  <- matches nothing expected' if i in extra else ''}")
    if len(items) > 12:
        rows_ja.append(f"\n    ... ほか {len(items) - 12} 個")
        rows_en.append(f"\n    ... ({len(items) - 12} more)")
    miss_ja = "".join(f"\n    {ja}" for ja, _ in missing or ())
    miss_en = "".join(f"\n    {en}" for _, en in missing or ())
    fail(
        f"{_call_ja(call)} の{_what_ja(what)}の数が違います: 期待 {expected}, 実際 {len(items)}。"
        f"{chr(10) + '  見つかったもの:' if items else ''}{''.join(rows_ja)}"
        f"{chr(10) + '  見つからないもの:' + miss_ja if miss_ja else ''}",
        f"{call}: wrong number of {_what_en(what)}: expected {expected}, found {len(items)}."
        f"{chr(10) + '  found:' if items else ''}{''.join(rows_en)}"
        f"{chr(10) + '  missing:' + miss_en if miss_en else ''}",
    )


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
        f"{_call_ja(call)} の{_what_ja(what)}に予期しない型 {describe(value)} が含まれています。",
        f"{call}: {_what_en(what)} contains an unexpected type {describe(value)}.",
    )


def _same_shape_of_types(a: Any, e: Any) -> bool:
    if type(e) in (list, tuple):
        return type(a) is type(e) and len(a) == len(e) and all(map(_same_shape_of_types, a, e))
    if type(e) is dict:
        return type(a) is dict and a.keys() == e.keys() and all(_same_shape_of_types(a[k], e[k]) for k in e)
    return type(a) is type(e)


def check_equal(actual: Any, expected: Any, *, call: str, what: str = "return value",
                misconceptions: Any = ()) -> None:
    """Check exact equality of plain Python data (bool, int, str, None, lists/tuples/dicts of them).

    NumPy scalars count as the matching builtin (``numpy.bool_`` as ``bool``); the types must match
    after that (``True`` is not ``1``, a list is not a tuple). ``misconceptions``: as for
    :func:`check_array` (a misconception's value is compared exactly).

    Raises:
        GradingFailure: a type or a value differs.
    """
    with diagnose(actual, expected, misconceptions):
        _check_equal(actual, expected, call, what)


def _check_equal(actual: Any, expected: Any, call: str, what: str) -> None:
    a = _plain(actual, call, what)
    if not (_same_shape_of_types(a, expected) and a == expected):
        fail(
            f"{_call_ja(call)} の{_what_ja(what)}が期待値と一致しません。\n  期待値: {describe(expected)}\n  実際の値: {describe(actual)}",
            f"{call}: {_what_en(what)} {english_does(_what_en(what))} not match.\n  expected: {describe(expected)}\n  actual:   {describe(actual)}",
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
        # a subclass of a strict type is refused as well: say so (a dict subclass read as "must be dict")
        sub = any(isinstance(actual, t) for t in wanted if t in strict)
        fail(
            f"{_call_ja(call)} の{_what_ja(what)}は {names} であるべきですが、{describe(actual)} でした。"
            + (f"{names} のサブクラスではなく、{names} そのものを返してください。" if sub else ""),
            f"{call}: {_what_en(what)} must be {names}, got {describe(actual)}."
            + (f" Return a plain {names}, not a subclass of it." if sub else ""),
        )
