"""Mutation testing (scripts/mutation.py, cosmic-ray): a small fixed sample, fast enough for CI.

The full run (every mutant of every SOLUTION region; about an hour on 2 cores) is recorded in
docs/mutation.md. Here a few mutants of the kinds the issue found unpunished (no rescaling of M,
v not normalised, a figure that re-checks another task) are run through cosmic-ray and the graded
tests, and each must be killed.
"""

from __future__ import annotations

import importlib.util
import sys

import pytest

from conftest import REPO

pytest.importorskip("cosmic_ray")

_spec = importlib.util.spec_from_file_location("mutation", REPO / "scripts" / "mutation.py")
mutation = importlib.util.module_from_spec(_spec)
sys.modules["mutation"] = mutation
_spec.loader.exec_module(mutation)


def test_solution_regions_are_the_lines_between_the_markers():
    text = "a = 1\n    ### BEGIN SOLUTION\n    x = 2\n    y = 3\n    ### END SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n"
    assert mutation.solution_regions(text) == [(3, 4)]
    solution = (REPO / "solutions" / "ex2_transforms.py").read_text(encoding="utf-8").splitlines()
    regions = mutation.solution_regions("\n".join(solution))
    assert len(regions) == 8
    inside = {n for a, b in regions for n in range(a, b + 1)}
    assert not any("HINTS" in solution[n - 1] or '"""' in solution[n - 1] for n in inside)


def test_fold_takes_rerun_outcomes_and_the_current_equivalents():
    earlier = [{"key": "k1", "outcome": "killed"}, {"key": "k2", "outcome": "survived"},
               {"key": "k3", "outcome": "survived"}, {"key": "k4", "outcome": "equivalent", "reason": "old"},
               {"key": "k5", "outcome": "survived"}]
    again = [{"key": "k2", "outcome": "killed"}, {"key": "k3", "outcome": "survived"},
             {"key": "k9", "outcome": "killed"}]
    folded = mutation.fold(earlier, again, {"k3": "same values"})
    assert [(r["key"], r["outcome"], r.get("reason")) for r in folded] == [
        ("k1", "killed", None), ("k2", "killed", None), ("k3", "equivalent", "same values"),
        ("k4", "survived", None), ("k5", "survived", None)]
    total, rate = mutation.totals([{**r, "exercise": "ex"} for r in folded])
    assert total == {"killed": 2, "incompetent": 0, "survived": 2, "equivalent": 1} and rate == 0.5


# (exercise, operator, a piece of the original line): each selects one or two mutants.
SAMPLE = [
    # real_eigenpairs / preserves_direction without the rescaling of M (section 1 of issue 11)
    ("ex2_transforms", "core/ReplaceBinaryOperator_Div_Mul", "A = A / m"),
    # preserves_direction with v not normalised: u = x * norm
    ("ex2_transforms", "core/ReplaceBinaryOperator_Div_Mul", "u = x / norm"),
    # the descending order of the eigenvalues (trace >= 0 -> trace < 0 swaps the roots' formulas)
    ("ex2_transforms", "core/ReplaceComparisonOperator_GtE_Lt", "if trace >= 0.0:"),
]


def test_fixed_sample_of_mutants_is_killed(tmp_path):
    def only(operator: str, line: str) -> bool:
        return any(operator == op and piece in line for _, op, piece in SAMPLE)

    records = mutation.run_exercise("ex2_transforms", only=only, workdir=tmp_path, equivalent={})
    ran = {(r["operator"], piece) for r in records for _, op, piece in SAMPLE
           if r["operator"] == op and piece in r["original"]}
    assert ran == {(op, piece) for _, op, piece in SAMPLE}, records
    survivors = [r for r in records if r["outcome"] not in ("killed", "incompetent")]
    assert not survivors, survivors
