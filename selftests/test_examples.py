"""A property test tries the same examples whatever code is loaded (autograder.grading.options).

Hypothesis 6.131+ also draws constants it reads from every module in ``sys.modules`` that is not
installed in site-packages: in local mode the student's files, in every mode the grader itself when the
workbook is installed editable. The same derandomized test then tried other examples in local mode than
in isolated mode (a submission with ``np.seterr(all="raise")`` at its top lost a point in local mode
only: selftests/honest/seterr_raise_at_import), and a submission could steer them with its constants.
"""

from __future__ import annotations

import importlib
import sys

from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from autograder.grading.options import _examples_from_the_tests_alone

#: Constants a submission's module could hold (in the strategy's range, none of Hypothesis's own).
CONSTANTS = [round(0.0137 * k + 0.000071 * k * k, 6) for k in range(1, 150)]


def _examples() -> list[float]:
    seen: list[float] = []

    @settings(derandomize=True, database=None, max_examples=200, phases=[Phase.generate], deadline=None)
    @given(st.floats(0.001, 9.0))
    def probe(x):
        seen.append(x)

    probe()
    return seen


def test_examples_do_not_depend_on_the_modules_loaded(tmp_path, monkeypatch):
    folder = tmp_path / "submission"  # (not a folder Hypothesis takes for tests)
    folder.mkdir()
    (folder / "lookup_table.py").write_text(f"TABLE = {CONSTANTS!r}\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(folder))
    undo = _examples_from_the_tests_alone()
    try:
        before = _examples()
        module = importlib.import_module("lookup_table")  # a submission's module, loaded between two tests
        assert _examples() == before
    finally:
        undo()
    try:
        # the mechanism is real: without the fix the module's constants are drawn
        assert set(_examples()) & set(CONSTANTS), "Hypothesis no longer draws local constants: review options.py"
    finally:
        sys.modules.pop(module.__name__, None)
