"""Unit tests of autograder.compare: strict kinds first, then values; bilingual messages."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from autograder.compare import GradingFailure, check_array, check_equal, check_float, check_raises, check_type


class AlwaysEqual:
    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


class RiggedFloat(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


def failure(fn, *args, **kwargs) -> str:
    with pytest.raises(GradingFailure) as info:
        fn(*args, **kwargs)
    return str(info.value)


def test_check_float_accepts_python_and_numpy_floats():
    check_float(0.5, 0.5, call="f()")
    check_float(np.float64(0.5), 0.5, call="f()")
    check_float(np.float32(0.5), 0.5, call="f()")


@pytest.mark.parametrize("bad", [True, 1, np.array(0.5), [0.5], AlwaysEqual(), RiggedFloat(0.1), torch.tensor(0.5), "0.5"])
def test_check_float_rejects_other_kinds(bad):
    msg = failure(check_float, bad, 0.5, call="cosine_similarity(a, b)")
    assert "cosine_similarity(a, b)" in msg and "float" in msg


def test_check_float_message_has_errors_and_tolerance_in_both_languages():
    msg = failure(check_float, 0.6, 0.5, call="f(x)", rtol=1e-9)
    assert "期待値" in msg and "expected" in msg
    assert "max abs error 0.1" in msg and "最大絶対誤差 0.1" in msg
    assert "rtol=1e-09" in msg


def test_check_float_nan_where_finite_expected():
    assert "nan/inf" in failure(check_float, float("nan"), 0.5, call="f()")


def test_check_array_no_broadcasting_and_strict_type():
    expected = np.zeros((2, 3))
    assert "shape" in failure(check_array, np.zeros((1, 3)), expected, call="g()")
    assert "numpy.ndarray" in failure(check_array, [[0.0] * 3] * 2, expected, call="g()")
    msg = failure(check_array, torch.zeros(2, 3, requires_grad=True), expected, call="g()")
    assert "torch" in msg
    assert "numpy.ndarray" in failure(check_array, np.ma.zeros((2, 3)), expected, call="g()")
    assert "dtype" in failure(check_array, np.zeros((2, 3), dtype=object), expected, call="g()")
    assert "dtype" in failure(check_array, np.zeros((2, 3), dtype=np.int64), expected, call="g()")
    check_array(np.zeros((2, 3)), expected, call="g()")


def test_check_array_object_array_with_rigged_eq_fails():
    arr = np.array([AlwaysEqual(), AlwaysEqual()], dtype=object)
    assert "dtype" in failure(check_array, arr, np.ones(2), call="g()")


def test_check_array_values_and_inf():
    msg = failure(check_array, np.array([1.0, 2.5]), np.array([1.0, 2.0]), call="g()", rtol=1e-6)
    assert "max rel error 0.25" in msg
    assert "nan/inf" in failure(check_array, np.array([1.0, np.inf]), np.array([1.0, 2.0]), call="g()")
    check_array(np.array([1.0, np.inf]), np.array([1.0, np.inf]), call="g()")


def test_check_array_bool_kind():
    check_array(np.array([True, False]), np.array([True, False]), call="m()", dtype_kind="b")
    assert "does not match" in failure(check_array, np.array([True, True]), np.array([True, False]), call="m()", dtype_kind="b")


def test_check_equal_types_matter():
    check_equal(np.bool_(True), True, call="p()")
    check_equal([("queen", 1)], [("queen", 1)], call="p()")
    failure(check_equal, 1, True, call="p()")
    failure(check_equal, ["a"], ("a",), call="p()")
    failure(check_equal, AlwaysEqual(), True, call="p()")


def test_check_type():
    check_type(3.0, float, call="h()")
    assert "float" in failure(check_type, "x", float, call="h()")


def test_check_raises():
    def raises_value_error():
        raise ValueError("zero vector")

    exc = check_raises(ValueError, raises_value_error, call="c()", match="zero")
    assert isinstance(exc, ValueError)
    assert "returned normally" in failure(check_raises, ValueError, lambda: 1, call="c()")
    assert "raised ZeroDivisionError" in failure(check_raises, ValueError, lambda: 1 / 0, call="c()")
    assert "does not contain" in failure(check_raises, ValueError, raises_value_error, call="c()", match="length")

    def stub():
        raise NotImplementedError()

    with pytest.raises(NotImplementedError):
        check_raises(ValueError, stub, call="c()")
