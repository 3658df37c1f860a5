"""The tasks of an exercise, read statically from the ``task`` markers of its graded tests.

A light module (only :mod:`ast`): the student's commands (``workbook check / hint / status``)
use it without importing the course tools (nbgrader, Jupyter), which also need POSIX modules.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from .paths import tests_file


@dataclass(frozen=True)
class Task:
    """A task of an exercise, read from the graded tests' markers."""

    name: str
    points: float
    hidden_tests: int


def tasks_of(exercise: str, path: Path | None = None) -> list[Task]:
    """The tasks of ``exercise`` in test order, with points, read statically from its test module.

    Reads ``@pytest.mark.task("name", points=N)`` and ``@pytest.mark.hidden`` decorators.

    Raises:
        ValueError: a test function has no ``task`` marker with a literal name and points.
    """
    path = path or tests_file(exercise)
    return tasks_in(ast.parse(path.read_text(encoding="utf-8")), path)


def tasks_in(tree: ast.Module, path: Path) -> list[Task]:
    """The tasks of the parsed test module ``tree`` (read from ``path``), as :func:`tasks_of`."""
    order: dict[str, list[float]] = {}
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef) or not node.name.startswith("test"):
            continue
        task, points, hidden = None, None, False
        for deco in node.decorator_list:
            call = deco if isinstance(deco, ast.Call) else None
            target = ast.unparse(call.func if call else deco)
            if target == "pytest.mark.task" and call and call.args:
                task = ast.literal_eval(call.args[0])
                points = next((ast.literal_eval(k.value) for k in call.keywords if k.arg == "points"), None)
            elif target == "pytest.mark.hidden":
                hidden = True
        if task is None or points is None:
            raise ValueError(f"{path.name}::{node.name} has no pytest.mark.task(name, points=...)")
        entry = order.setdefault(task, [0.0, 0])
        entry[0] += points
        entry[1] += hidden
    return [Task(name, float(p), int(h)) for name, (p, h) in order.items()]
