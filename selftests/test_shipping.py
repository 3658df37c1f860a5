"""Portable test functions run in the isolated worker (issue 14 §2): ``@portable`` functions are sent
as code and run next to the student's code, as in local mode, instead of thousands of round trips
to the grader; everything else a test passes in is still called back. Marking never changes a
result, and a hidden test's functions stay in the grader unless marked ``in_hidden_tests=True``.
"""

from __future__ import annotations

import os
import threading

import numpy as np
import pytest
from scipy import special

from autograder.portable import is_portable, portable
from autograder.submission.shipping import build_callback, build_function, callback_tag, function_tag
from conftest import isolated_with

STUDENT = '''
import os


def call(f, *args, **kwargs):
    return f(*args, **kwargs)


def same(f, g):
    return f is g


def pid():
    return os.getpid()


def raises(f):
    try:
        f(None)
    except TypeError as exc:
        return "TypeError: " + str(exc)
    return "nothing raised"
'''

SCALE = np.array([1.0, 2.0, 4.0])
LOCK = threading.Lock()  # not data: a function that reads it cannot be sent


@portable
def _double(x):
    return 2.0 * np.asarray(x, dtype=np.float64)


@portable
def _weighted(x, offset=1.0, *, power=2):
    """Reads module data, another portable function, a stdlib module, a SciPy module, defaults."""
    total = float(np.sum(SCALE * (_double(x) + offset) ** power))
    return total, os.getpid(), float(special.expit(0.0)), [k * k for k in range(3)]


def _scaler(k):
    @portable
    def scaled(x):
        return k * np.asarray(x)  # a closure
    return scaled


@portable
def _locked(x):
    with LOCK:
        return float(np.sum(x)), os.getpid()


@portable(in_hidden_tests=True)
def _anywhere(x):
    return os.getpid()


@portable
def _float_of(x):
    return float(x)


@pytest.fixture
def isolated(tmp_path):
    with isolated_with(tmp_path, STUDENT) as target:
        yield target


def _in_test(isolated, hidden=False):
    isolated.begin_test(hidden=hidden)
    return isolated.module("ex1_vectors")


def test_a_portable_function_runs_in_the_worker_with_what_it_reads(isolated):
    module = _in_test(isolated)
    worker = module.pid()
    assert worker != os.getpid()
    x = [1.0, -2.0, 0.5]
    total, where, half, squares = module.call(_weighted, x, 0.5, power=3)
    assert where == worker  # it ran in the worker, not here
    assert total == _weighted(x, 0.5, power=3)[0] == float(np.sum(SCALE * (2.0 * np.array(x) + 0.5) ** 3))
    assert half == 0.5 and squares == [0, 1, 4]
    np.testing.assert_array_equal(module.call(_scaler(3.0), x), 3.0 * np.array(x))
    assert module.same(_weighted, _weighted)  # one function per test in the worker, as in local mode
    isolated.end_test()


def test_what_cannot_be_sent_is_called_back_with_the_same_result(isolated):
    module = _in_test(isolated)
    worker = module.pid()
    assert module.call(_locked, [1.0, 2.0]) == (3.0, os.getpid())  # reads a lock: ran here
    assert module.call(lambda v: (v + 1, os.getpid()), 1) == (2, os.getpid())  # not marked: ran here
    assert module.call(_anywhere, 0) == worker
    isolated.end_test()


def test_a_hidden_test_sends_only_what_is_marked_for_hidden_tests(isolated):
    module = _in_test(isolated, hidden=True)
    worker = module.pid()
    assert module.call(_weighted, [0.0, 0.0, 0.0])[1] == os.getpid()  # called back: its code stays here
    assert module.call(_anywhere, 0) == worker
    isolated.end_test()
    # outside a test (e.g. the report's figures) nothing is sent
    module = isolated.module("ex1_vectors")
    assert module.call(_anywhere, 0) == os.getpid()


def test_an_error_in_a_portable_function_reaches_the_student_code_as_in_local_mode(isolated):
    module = _in_test(isolated)
    expected = None
    try:
        _float_of(None)
    except TypeError as exc:
        expected = "TypeError: " + str(exc)
    assert module.raises(_float_of) == expected
    isolated.end_test()


def test_the_description_is_data_and_makes_the_same_function():
    buffers: list[bytes] = []
    tag = function_tag(_weighted, buffers, 7)
    assert tag is not None and tag["T"] == "fn" and tag["id"] == 7 and tag["qual"] == "_weighted"
    built = build_function(tag, list(buffers), lambda t: pytest.fail(f"unexpected tag {t}"))
    assert built is not _weighted and built.__qualname__ == "_weighted"
    assert built([1.0, 2.0, 3.0]) == _weighted([1.0, 2.0, 3.0])
    assert built([1.0, 2.0, 3.0], 2.0, power=1) == _weighted([1.0, 2.0, 3.0], 2.0, power=1)
    # what cannot be sent leaves the message as it was
    before = list(buffers)
    assert function_tag(_locked, buffers, 8) is None and buffers == before
    assert function_tag(lambda v: v, buffers, 9) is None and buffers == before
    assert function_tag(_weighted, buffers, 10, hidden=True) is None and buffers == before


def test_portable_marks_plain_functions_only():
    assert is_portable(_weighted) and not is_portable(_weighted, hidden=True)
    assert is_portable(_anywhere, hidden=True)
    assert not is_portable(lambda v: v) and not is_portable(print)
    for wrong in (print, np.sum, str, _weighted.__call__):
        with pytest.raises(TypeError, match="plain Python function"):
            portable(wrong)


def test_a_called_back_function_looks_like_the_tests_own_in_the_worker():
    """A test's function that stays in the grader reaches the worker as a function with its name and
    parameters: honest code that names ``grad.__name__`` in a message, checks
    ``inspect.signature(f)`` or deep-copies it scored 18-19 of 20 isolated, 20 locally (a bare proxy)."""
    import copy
    import inspect
    import json

    calls = []

    def loss_of(z, scale=2.0, *, name="mse"):  # (not portable: it records its calls)
        calls.append(z)
        return scale * z

    tag = json.loads(json.dumps(callback_tag(loss_of, 7)))  # plain data on the wire
    stand_in = build_callback(lambda args, kwargs: ("called", args, kwargs), tag)
    assert tag["id"] == 7 and stand_in.__name__ == "loss_of" and inspect.isroutine(stand_in)
    assert str(inspect.signature(stand_in)) == str(inspect.signature(loss_of)) == "(z, scale=2.0, *, name='mse')"
    assert copy.deepcopy(stand_in) is stand_in and stand_in(3, name="x") == ("called", (3,), {"name": "x"})
    odd = build_callback(lambda args, kwargs: None, {"T": "cb", "id": 1, "name": 5, "params": [["not a name", 0, False, None]]})
    assert callable(odd) and list(inspect.signature(odd).parameters) == ["args", "kwargs"]  # malformed: no signature
    assert callback_tag(len, 2)["name"] == "len" and calls == []
