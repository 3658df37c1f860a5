"""No free points for input checks: a function that rejects everything, or that rejects bad input
correctly but never returns a value for good input, scores 0 in every task.

An input-check test ("bad input raises ValueError") also makes one valid call of the function it
checks, through ``check_accepts``, and checks its value (docs/authoring.md).
"""

from __future__ import annotations

import ast
import re

from autograder import EXERCISES
from conftest import EXERCISES_DIR, SOLUTIONS, run_grader

#: Every stub's ``raise NotImplementedError()`` becomes this: one exception that is every type an
#: input-check test expects, with the arguments in its message (so that many ``match=`` patterns pass).
REFUSE = 'raise _Refuse(" ".join(map(str, locals().values())) + " " + repr(locals()))'
REFUSE_CLASS = "\n\nclass _Refuse(ValueError, TypeError, KeyError, RuntimeError):\n    pass\n"


def _all_zero(run) -> dict[str, dict[str, tuple[float, float]]]:
    """The tasks that scored points, by exercise (empty when every task of every exercise scored 0)."""
    scored = {name: {task: s for task, s in run.task_scores(name).items() if s[0] != 0} for name in EXERCISES}
    return {name: tasks for name, tasks in scored.items() if tasks}


def test_a_submission_that_refuses_everything_scores_zero(tmp_path):
    sub = tmp_path / "refuse"
    sub.mkdir()
    for name in EXERCISES:
        text = (EXERCISES_DIR / f"{name}.py").read_text(encoding="utf-8")
        text, n = re.subn(r"raise NotImplementedError\(\)", lambda _: REFUSE, text)
        assert n, name
        (sub / f"{name}.py").write_text(text + REFUSE_CLASS, encoding="utf-8")
    run = run_grader(sub, tmp_path, "--workbook-audience=instructor")
    assert run.score is not None, run.output
    assert _all_zero(run) == {}, run.output
    assert run.score["score"] == 0


_GIVE_UP = "raise NotImplementedError()"


def _give_up_at_returns(node: ast.AST) -> None:
    """Each ``return`` in ``node``'s statements (not in the functions defined inside) becomes ``raise
    NotImplementedError()``."""
    for _, value in ast.iter_fields(node):
        statements = value if isinstance(value, list) else []
        for i, item in enumerate(statements):
            if isinstance(item, ast.Return):
                statements[i] = ast.copy_location(ast.parse(_GIVE_UP).body[0], item)
            elif isinstance(item, ast.AST) and not isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                                     ast.Lambda, ast.ClassDef)):
                _give_up_at_returns(item)


def _validates_then_gives_up(source: str) -> str:
    """``source`` (a reference solution) with each public function and method keeping its input
    checks and everything else, but raising ``NotImplementedError()`` where it would return."""
    tree = ast.parse(source)
    for node in tree.body:
        methods = node.body if isinstance(node, ast.ClassDef) and not node.name.startswith("_") else []
        for func in [node, *methods]:
            if isinstance(func, ast.FunctionDef) and not func.name.startswith("_"):
                _give_up_at_returns(func)
                func.body.append(ast.parse(_GIVE_UP).body[0])
    return ast.unparse(ast.fix_missing_locations(tree))


def test_input_checks_without_a_working_function_score_zero(tmp_path):
    """The reference solutions' own input checks, kept whole, in functions that never return a
    value: the input-check tests' valid call raises ``NotImplementedError``, so they count as not
    implemented, like every other test."""
    sub = tmp_path / "validates"
    sub.mkdir()
    for name in EXERCISES:
        text = _validates_then_gives_up((SOLUTIONS / f"{name}.py").read_text(encoding="utf-8"))
        assert _GIVE_UP in text, name
        (sub / f"{name}.py").write_text(text, encoding="utf-8")
    run = run_grader(sub, tmp_path, "--workbook-audience=instructor")
    assert run.score is not None, run.output
    assert _all_zero(run) == {}, run.output
    assert run.score["score"] == 0
    assert set(run.outcomes().values()) <= {"not_implemented", "failed"}
