"""Process settings: the end-of-test snapshot (GlobalState) and a module's import settings share
one implementation (autograder.submission.settings)."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import torch

from autograder.submission import settings
from autograder.submission.guard import GlobalState


@pytest.fixture
def clean_settings():
    saved = (sys.getrecursionlimit(), np.geterr(), np.get_printoptions(), torch.get_default_dtype())
    yield
    sys.setrecursionlimit(saved[0])
    np.seterr(**saved[1])
    np.set_printoptions(**saved[2])
    torch.set_default_dtype(saved[3])


def _change_all() -> None:
    sys.setrecursionlimit(sys.getrecursionlimit() + 777)
    np.seterr(all="raise")
    np.set_printoptions(precision=2)
    torch.set_default_dtype(torch.float64)


def test_a_test_end_puts_every_setting_back(clean_settings):
    limit, precision = sys.getrecursionlimit(), np.get_printoptions()["precision"]
    state = GlobalState()
    _change_all()
    state.restore()
    assert sys.getrecursionlimit() == limit  # lowered again at a test's end
    assert np.geterr()["under"] == "ignore" and np.geterr()["divide"] == "warn"
    assert np.get_printoptions()["precision"] == precision == 8
    assert torch.get_default_dtype() == torch.float32


def test_a_setting_that_cannot_be_put_back_does_not_keep_the_others(clean_settings):
    saved = settings.current()
    errors = np.geterr()
    _change_all()
    broken = {**saved, "torch_dtype": torch.int64}  # torch refuses it
    with pytest.raises((TypeError, ValueError)):
        settings.put_back(broken)
    assert sys.getrecursionlimit() == saved["recursion"]
    assert np.geterr() == errors and np.get_printoptions()["precision"] == 8


def test_import_settings_are_taken_back_and_entered_once_per_test(clean_settings):
    before = settings.current()
    torch.set_default_dtype(torch.float64)
    np.seterr(over="raise")
    sys.setrecursionlimit(before["recursion"] - 100)  # lowered by the module: never applied lower
    changed = settings.taken_back(before)
    assert set(changed) == {"torch_dtype", "np_err", "recursion"}
    assert torch.get_default_dtype() == torch.float32 and np.geterr()["over"] == "warn"
    assert sys.getrecursionlimit() == before["recursion"]

    saved = settings.enter(changed)  # a call of the exercise's code
    assert torch.get_default_dtype() == torch.float64 and np.geterr()["over"] == "raise"
    assert sys.getrecursionlimit() == before["recursion"]  # only ever raised
    np.seterr(divide="raise")  # what the call itself changes goes with it
    settings.leave(saved)  # the test's own code runs under the grader's settings again
    assert torch.get_default_dtype() == torch.float32 and np.geterr()["over"] == "warn"
    assert np.geterr()["divide"] == "warn"
    token = settings.enter({})  # nothing to put in place: the test's settings are still kept
    assert np.geterr()["over"] == "warn"
    settings.leave(token)
    assert settings._TEST_SIDE == [] and settings.leave(None) is None


def _np_err(**kwargs) -> object:
    """NumPy's error state with ``kwargs`` (as :func:`settings.current` holds it); the present one kept."""
    old = np.seterr(**kwargs)
    try:
        return settings.current()["np_err"]
    finally:
        np.seterr(**old)


def test_a_test_function_runs_under_the_test_settings(clean_settings):
    """The test's gradient, called by a submission whose import set np.seterr(all="raise"), runs under
    the test's settings of its thread (in isolated mode it runs in the grader or in the worker's
    wrapper). torch's default dtype is the process's: it stays the submission's (red team round 7:
    switching it gave float32 tensors to another thread of the submission now and then)."""
    def test_grad(x):
        return np.geterr()["under"], np.get_printoptions()["precision"], torch.get_default_dtype()

    wrapped = settings.on_test_side(test_grad)
    assert wrapped.__name__ == "test_grad" and wrapped(1) == ("ignore", 8, torch.float32)  # no call in progress
    np.set_printoptions(precision=3)
    printing = settings.current()["np_print"]
    np.set_printoptions(precision=8)
    token = settings.enter({"np_err": _np_err(under="raise"), "np_print": printing, "torch_dtype": torch.float64})
    try:
        assert np.geterr()["under"] == "raise"  # the submission's code runs under its import settings
        assert wrapped(1) == ("ignore", 8, torch.float64)  # the test's function under the test's (dtype: the process's)
        assert np.geterr()["under"] == "raise" and np.get_printoptions()["precision"] == 3
        assert torch.get_default_dtype() == torch.float64
        np.seterr(over="raise")  # set by the submission while it runs: still the test's settings inside
        assert wrapped(1)[0] == "ignore" and np.geterr()["over"] == "raise"
    finally:
        settings.leave(token)
    assert np.geterr()["under"] == "ignore" and np.geterr()["over"] == "warn" and torch.get_default_dtype() == torch.float32
    assert np.get_printoptions()["precision"] == 8


def test_numpys_settings_are_read_and_set_without_numpys_python_code(clean_settings):
    """Red team round 7: np.geterr/np.seterr (bound by the grader at import) read the module global
    ``_get_extobj_dict`` at each call; a submission rebound it to a chain of C callables that ran a
    forbidden function each time the grader read the settings, between its call and the test's checks,
    unwatched. The grader reads and sets NumPy's context variables through their own C methods."""
    import numpy._core._ufunc_config as ufunc_config
    import numpy._core.arrayprint as arrayprint

    called = []
    saved = (ufunc_config._get_extobj_dict, ufunc_config._make_extobj, arrayprint.format_options)
    def planted(*args, **kwargs):
        called.append(args)
        raise AssertionError("NumPy's Python code ran")

    raising = _np_err(under="raise")
    ufunc_config._get_extobj_dict = ufunc_config._make_extobj = planted
    arrayprint.format_options = type("Planted", (), {"get": planted, "set": planted})()
    try:
        state = GlobalState()
        token = settings.enter({"np_err": raising})
        settings.on_test_side(lambda: None)()
        settings.leave(token)
        changed = settings.taken_back(settings.current())
        state.restore()
    finally:
        ufunc_config._get_extobj_dict, ufunc_config._make_extobj, arrayprint.format_options = saved
    assert called == [] and changed == {}
    # the options the submission's code changes in place are not the saved ones
    before = settings.current()
    np.set_printoptions(precision=4)
    sys.modules["numpy._core.printoptions"].format_options.get()["precision"] = 2
    settings.put_back(before)
    assert np.get_printoptions()["precision"] == 8 and before["np_print"]["precision"] == 8


def test_test_functions_are_wrapped_and_the_submissions_are_not(tmp_path):
    own_file = tmp_path / "ex4_gradient_descent.py"
    space: dict = {}
    exec(compile("def students(x):\n    return x\n", str(own_file), "exec"), space)
    leaf = settings.test_functions(lambda filename: filename == str(own_file))

    def tests(x):
        return x

    assert leaf(space["students"]) is space["students"]  # runs where the submission runs
    for given in (tests, np.exp, len, [].append):
        assert leaf(given) is not given and leaf(given).__wrapped__ is given
    for data in (3, "text", np.ones(2), None):
        assert leaf(data) is data



SCALE = np.array([2.0, 3.0])  # module-level data a portable test function reads


def test_a_portable_test_function_is_given_with_copies_of_the_tests_data():
    """Local mode gives a portable function as the isolated worker gets it: its closure, defaults and
    the module-level names it reads hold copies (zeroing the Hessian of a property test's gradient in
    its closure gave a point in local mode only: red team round 6, case closure_data_zeroed)."""
    from autograder.portable import portable

    h = np.eye(2)

    @portable
    def q_grad(x, offset=np.zeros(2)):
        return h @ (np.asarray(x) - offset) * SCALE

    given = settings.test_functions(lambda filename: False)(q_grad)
    inner = given.__wrapped__  # what the submission can reach
    inner.__closure__[0].cell_contents[...] = 0.0
    inner.__defaults__[0][...] = 9.0
    inner.__globals__["SCALE"][...] = 0.0
    assert np.array_equal(h, np.eye(2)) and np.array_equal(q_grad.__defaults__[0], np.zeros(2))
    assert np.array_equal(SCALE, [2.0, 3.0])
    assert set(inner.__globals__) == {"__builtins__", "__name__", "np", "SCALE"}  # not the test module's namespace
    assert list(q_grad([1.0, 1.0])) == [2.0, 3.0]  # the test's own function, untouched
    assert "np" not in inner.__globals__ or inner.__globals__["np"] is np  # modules are shared, data is not


def test_the_data_of_a_detached_function_is_not_what_as_left_reports():
    """as_left(x) is the copy of x given as an argument, also when a portable function given in the
    same call holds x in its closure (that one is the function's own copy)."""
    from autograder.core.given import as_left, forget, protect
    from autograder.portable import portable

    x = np.array([1.0, 2.0])

    @portable
    def shifted(z):
        return np.asarray(z) - x

    args, _ = protect((x, shifted), {}, settings.test_functions(lambda filename: False))
    args[0][0] = 5.0  # the submission changes its argument in place
    try:
        assert as_left(x) is args[0] and as_left(x)[0] == 5.0 and x[0] == 1.0
    finally:
        forget()
