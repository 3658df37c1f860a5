"""The submission's own values (autograder.ownvalues): called twice through the exercise fixture's
own-values call, accepted only when they come out the same."""

from __future__ import annotations

import numpy as np

from autograder.ownvalues import own_array, own_result


class _Fixture:
    """Stands for the exercise fixture's RecordedCall: own values go through ``_own_call``."""

    def __init__(self, values):
        self.values, self.calls = list(values), 0

    def _own_call(self, *args, **kwargs):
        self.calls += 1
        value = self.values.pop(0)
        if isinstance(value, Exception):
            raise value
        return value

    def __call__(self, *args, **kwargs):  # the test's ordinary call: never used for own values
        raise AssertionError("own values are taken through _own_call")


def test_an_own_value_is_one_the_function_gives_again():
    same = _Fixture([np.array([0.5, 0.5]), np.array([0.5, 0.5])])
    assert np.array_equal(own_array(same, shape=(2,)), [0.5, 0.5]) and same.calls == 2
    # a value left behind by the function under test, given once, then the function's own
    echo = _Fixture([np.zeros(2), np.array([0.2, 0.8])])
    assert own_array(echo, shape=(2,)) is None and echo.calls == 2
    assert own_result(_Fixture([(np.eye(2), 1.0), (np.eye(2), 1.0)])) is not None
    assert own_result(_Fixture([(np.eye(2), 1.0), (np.eye(2), 2.0)])) is None
    assert own_result(_Fixture([np.array([np.nan]), np.array([np.nan])])) is not None  # NaN is NaN
    assert own_result(_Fixture([np.zeros(2), np.zeros(2, dtype=np.float32)])) is None  # another dtype
    assert own_result(_Fixture([ValueError("no"), np.zeros(2)])) is None


def test_a_plain_function_is_called_once():
    calls = []
    assert own_result(lambda: calls.append(1) or 3.0) == 3.0 and calls == [1]
