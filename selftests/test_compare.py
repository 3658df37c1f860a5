"""Unit tests of autograder.checks.compare: strict kinds first, then values; bilingual messages."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from autograder.checks.compare import (GradingFailure, check_accepts, check_array, check_equal, check_float,
                                      check_raises, check_type)


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
    # a subclass of dict, list, tuple or ndarray is refused too, and the message says so (helper-53)
    grads = type("Grads", (dict,), {})(W1=1.0)
    text = failure(check_type, grads, dict, call="backward(t)")
    assert "must be dict, got" in text and "not a subclass of it" in text and "dict そのもの" in text
    assert "subclass" not in failure(check_type, [1.0], dict, call="backward(t)")


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


def test_check_accepts():
    """The valid call of an input-check test: its value, or a failure naming the exception it raised."""
    assert check_accepts(lambda a, b=0: a + b, 1, b=2, call="c(1, b=2)") == 3
    message = failure(check_accepts, lambda: 1 / 0, call="c()")
    assert "c() raised ZeroDivisionError" in message and "on valid input" in message and "正しい入力" in message

    def stub():
        raise NotImplementedError()

    with pytest.raises(NotImplementedError):  # counted as not implemented, as with check_raises
        check_accepts(stub, call="c()")

    def graders_own():
        raise GradingFailure("worker crashed")

    with pytest.raises(GradingFailure, match="worker crashed"):  # the grader's failures pass unchanged
        check_accepts(graders_own, call="c()")


# --- issue 11, section 3: failure messages that point at the fix ------------------------------------

from autograder.checks.compare import check_count, convention, convention_of, describe_argument, describe_call  # noqa: E402
from autograder.core.i18n import set_language  # noqa: E402
from conftest import SOLUTIONS, run_grader  # noqa: E402


@pytest.fixture
def english():
    set_language("en")
    yield
    set_language(None)


def test_big_array_is_summarised_never_cut_and_names_the_worst_entry(english):
    """Issue: arrays cut at 600 characters mid-number, expected fixed and actual scientific. Both
    now print in one notation, summarised by NumPy's '...', with the worst entry's index."""
    expected = np.arange(400.0).reshape(20, 20) / 7
    actual = expected.copy()
    actual[3, 4] += 1e-3
    actual[5, 5] = 1e-9  # a tiny value: NumPy alone would print actual in scientific, expected in fixed notation
    msg = failure(check_array, actual, expected, call="f(x)", rtol=1e-9)
    assert "..." in msg and "worst entry: index (5, 5), expected 1.5e+01, actual 1.0e-09" in msg, msg
    assert "2 of 400 entries are outside the tolerance" in msg
    exp_part, act_part = msg.split("expected:", 1)[1].split("actual:", 1)
    sci = lambda text: "e+" in text or "e-" in text  # noqa: E731
    assert sci(exp_part) == sci(act_part.split("worst entry")[0]), msg  # one notation for both
    for number in re.findall(r"[-+]?\d[\d.e+-]*", msg):  # every number is a whole number
        float(number.rstrip("."))
    for line in msg.splitlines():
        assert not line.rstrip().endswith((" ...", "-", "e")) or line.strip() in ("...,",), line


def test_worst_entry_uses_enough_digits_and_a_1d_index(english):
    """Invented case: values equal to six digits still read differently at the worst entry."""
    msg = failure(check_array, np.array([1.0, 0.3150000001]), np.array([1.0, 0.315]), call="g()", rtol=1e-12)
    assert "worst entry: index 1, expected 0.315, actual 0.3150000001 (1 of 2 entries" in msg, msg
    ja = failure(check_float, 0.6, 0.5, call="f(x)")  # a scalar has no position
    assert "worst entry" not in ja


@pytest.mark.parametrize("actual, where", [
    (np.array([1.0, np.nan, np.inf, 2.0, np.nan, np.nan, np.nan, np.nan]), "at index 1, 2, 4, 5, 6 (1 more)"),
    (np.array([[1.0, 2.0, np.nan], [4.0, np.inf, 6.0]]), "at index (0, 2), (1, 1),"),
])
def test_nan_positions_are_readable_indices(english, actual, where):
    """Issue: NaN positions printed as "at [[]]" or "[[0], [1], [2]]"."""
    msg = failure(check_array, actual, np.ones(actual.shape), call="h()")
    assert where in msg and "[[0]" not in msg and "[[]]" not in msg, msg
    scalar = failure(check_float, float("nan"), 1.0, call="z()")
    assert "[[]]" not in scalar and "at index" not in scalar


def test_bool_arrays_say_where_they_differ(english):
    """Invented case of the same kind: a boolean result names the entries that differ."""
    msg = failure(check_array, np.array([True, False, True, False]), np.array([True, True, True, True]),
                  call="m()", dtype_kind="b")
    assert "(differs at index 1, 3)" in msg, msg


def test_figure_counts_name_the_extra_and_missing_lines(english):
    """Issue: "expected 3, found 5" does not say which lines are extra."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    try:
        ax.plot([0.0, 1.0, 2.0], [0.0, 0.5, 1.0], label="start (0, 0)")
        ax.plot([5.0, 4.0], [5.0, 4.5])
        ax.axline((0.0, 0.0), (1.0, 2.0), label="eigen 1")
        msg = failure(check_count, ax.lines, 2, call="plot()", what="lines", extra=[1],
                      missing=[("開始点 (4, 6) からの軌跡", "the trajectory from (4, 6)")])
        assert "expected 2, found 3" in msg
        assert "1. line labelled 'start (0, 0)' (3 points: (0.0, 0.0), (1.0, 0.5), ...)" in msg, msg
        assert "2. line without a label (2 points: (5.0, 5.0), (4.0, 4.5))  <- matches nothing expected" in msg
        assert "3. axline labelled 'eigen 1' (through (0.0, 0.0) and (1.0, 2.0))" in msg
        assert "missing:\n    the trajectory from (4, 6)" in msg
        # invented case: panels (Axes) are named by their titles
        fig.add_subplot(2, 2, 4).set_title("T = 5")
        assert "2. Axes titled 'T = 5'" in failure(check_count, fig.axes, 1, call="p()", what="panels")
    finally:
        plt.close(fig)


def test_convention_is_named_in_the_message_in_both_languages():
    """Issue: ReLU'(0) = 0 decided a test but was named only in the test's name."""
    relu = convention("ReLU'(0) = 0 (torch と同じ約束)", "ReLU'(0) = 0 (the convention torch uses)")
    set_language("both")
    try:
        for _ in range(2):  # one object serves many tests
            msg = failure(lambda: relu.__enter__() or relu.__exit__(*_raised(check_array, np.ones(2), np.zeros(2),
                                                                                 call="backward(t)")))
            ja, en = msg.split("backward(t): ")
            assert ja.rstrip().endswith("このテストが前提とする規約: ReLU'(0) = 0 (torch と同じ約束)"), msg
            assert en.rstrip().endswith("the convention this test relies on: ReLU'(0) = 0 (the convention torch uses)")
    finally:
        set_language(None)
    # invented case: the student's own exception raised under a convention is remembered for the message
    with pytest.raises(ValueError) as info:
        with relu:
            raise ValueError("shapes (2,) and (3,) not aligned")
    assert convention_of(info.value)[1].endswith("ReLU'(0) = 0 (the convention torch uses)")
    assert convention_of(ValueError("another")) is None


def _raised(fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except GradingFailure as exc:
        return type(exc), exc, exc.__traceback__
    raise AssertionError("no failure")


def test_arguments_are_described_by_shape_dtype_or_small_value():
    assert describe_call("softmax", (np.ones((2, 3)),), {"axis": -1}, ("x", "axis")) == \
        "softmax(x=<array shape (2, 3), float64>, axis=-1)"
    assert describe_argument(np.array([[2.0, 1.0], [1.0, 2.0]])) == "array([[2.0, 1.0], [1.0, 2.0]])"
    assert describe_argument(torch.zeros(2, 3)) == "<tensor shape (2, 3), torch.float32>"
    assert describe_argument([(-0.5, 6), (4.5, 0)]) == "[(-0.5, 6), (4.5, 0)]"
    assert describe_argument(list(range(100))) == "<list of 100 items>"
    assert describe_argument(AlwaysEqual()) == "<AlwaysEqual object>"  # never the object's own repr


def _broken_submission(tmp_path):
    """softmax raises NumPy's "axes don't match array" (the issue's example); TwoLayerNet.forward
    raises for a batch (a method call, which no fixture wraps); backward takes ReLU'(0) = 1."""
    sub = tmp_path / "submission"
    sub.mkdir()
    for path in SOLUTIONS.glob("ex*.py"):
        text = path.read_text(encoding="utf-8")
        if path.stem == "ex3_attention":
            at = text.index("### BEGIN SOLUTION\n", text.index("def softmax(")) + len("### BEGIN SOLUTION\n")
            text = text[:at] + "    x = np.transpose(np.asarray(x, dtype=float), (1, 0))\n" + text[at:]
        if path.stem == "ex5_backprop":
            at = text.index("### BEGIN SOLUTION\n", text.index("    def forward(")) + len("### BEGIN SOLUTION\n")
            text = text[:at] + "        x = x.reshape(7, -1) if np.ndim(x) == 2 else x\n" + text[at:]
            text = text.replace("dZ1 = dA1 * (Z1 > 0)", "dZ1 = dA1 * (Z1 >= 0)")
        (sub / path.name).write_text(text, encoding="utf-8")
    return sub


def _outputs(run) -> dict[str, str]:
    assert run.score is not None, run.output
    return {t["extra_data"]["nodeid"].split("::")[-1]: t["output"] for t in run.score["tests"]}


def test_exception_message_names_the_call_and_inputs_in_local_and_isolated_mode(tmp_path):
    """Issue: "an exception was raised: ValueError: axes don't match array (ex3_attention.py, line
    123)" lost the call and its inputs. Now the call, its arguments' shapes/dtypes, the student's
    line, and (for a method) the test's own call are named, identically in both modes."""
    sub = _broken_submission(tmp_path)
    args = ("--task", "softmax", "--task", "forward", "--task", "backward")
    local = _outputs(run_grader(sub, tmp_path / "local", *args))
    isolated = _outputs(run_grader(sub, tmp_path / "isolated", *args, "--isolated"))
    assert local == isolated
    msg = local["test_softmax_temperature_chapter_logits"]
    assert "softmax(x=<array shape (5,), float64>, temperature=0.1) raised ValueError: axes don't match array " \
           "(ex3_attention.py, line " in msg, msg
    assert "softmax(x=<array shape (5,), float64>, temperature=0.1) を呼ぶと例外が発生しました: ValueError" in msg
    # invented case: a method of an object the test made (no fixture call to record)
    msg = local["test_forward_batch"]
    assert "forward raised ValueError: cannot reshape array of size 15" in msg, msg
    assert "the test's call: net.forward(X.copy()) (test_ex5_backprop.py, line" in msg
    assert "forward の実行中に例外が発生しました" in msg and "テストの呼び出し: net.forward(X.copy())" in msg
    # the convention that decides a test is in its message
    msg = local["test_backward_relu_at_zero"]
    assert "the convention this test relies on: ReLU'(0) = 0" in msg and "このテストが前提とする規約: ReLU'(0) = 0" in msg
    assert "worst entry: index (0, 0), expected 0.0, actual -0.65625" in msg, msg


def test_two_floats_side_by_side_have_as_many_digits():
    """2.2935917 next to 2.293591699 read as the same number to a newcomer helper: both with the
    digits that tell them apart, trailing zeros kept."""
    from autograder.compare import check_float

    for expected, actual, shown in ((2.2935917, 2.293591699, ("2.293591700", "2.293591699")),
                                    (0.693147181, 0.69314718, ("0.693147181", "0.693147180"))):
        with pytest.raises(AssertionError) as info:
            check_float(actual, expected, call="f()", rtol=1e-12)
        lines = str(info.value).splitlines()
        assert f"  expected: float {shown[0]}" in lines and f"  actual:   float {shown[1]}" in lines, lines
