""""From scratch" rules as an exercise declares them: the ``RULES`` constant of its graded tests.

A task such as "implement softmax yourself" forbids some library calls. The exercise says which,
in its graded test module (read statically, like ``TITLE``, by :mod:`autograder.core.exercises`)::

    FORBIDDEN_COSINE = ("scipy.spatial.distance", "torch.nn.functional.cosine_similarity")
    RULES = [
        {"task": "cosine_similarity", "forbidden": FORBIDDEN_COSINE},
        {"task": "backward", "function": "TwoLayerNet.backward", "forbidden": ("torch",),
         "no_overloading": True},
    ]

Each entry is one :class:`FromScratchRule` of one task:

* ``task`` — a task of the exercise (its tests fail on a violation);
* ``forbidden`` — dotted names; a name or anything under it is forbidden;
* ``function`` — the qualified name of the function whose code (and what it calls) is read;
  the task's name when left out;
* ``forbidden_methods`` — attribute names forbidden on any object (``"softmax"`` catches
  ``tensor.softmax(-1)``), default none;
* ``no_overloading`` — the task's code may not use a class of the submission that overloads
  arithmetic operators (an autodiff engine of its own), default ``False``.

Values are literals, names of other module constants (so a list of names is written once) and
``+`` of tuples or lists. How rules are applied: :mod:`autograder.checks.rules` (static scan) and
:mod:`autograder.checks.ruleguard` (run-time check).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FromScratchRule:
    """Forbidden calls for some tasks of one exercise.

    Attributes:
        exercise: exercise module name, e.g. ``"ex3_attention"``.
        tasks: the tasks whose tests fail on a violation.
        forbidden: dotted names; a name or anything under it is forbidden
            (``"scipy.spatial.distance"`` forbids ``scipy.spatial.distance.cosine``).
        forbidden_methods: attribute names forbidden on any object but ``self``/``cls`` (e.g.
            ``"softmax"`` catches ``tensor.softmax(-1)``).
        functions: qualified names (``"manual_grad"``, ``"TwoLayerNet.backward"``) whose bodies are
            scanned; empty means the whole module.
        no_overloading: no automatic differentiation of the submission's own either: a class of
            the submission that overloads an arithmetic operator (``__add__``, ``__mul__``... as
            micrograd's ``Value`` does) must not be used by the task's code.
    """

    exercise: str
    tasks: tuple[str, ...]
    forbidden: tuple[str, ...]
    forbidden_methods: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()
    no_overloading: bool = False

    def to_data(self) -> dict[str, Any]:
        """The rule as plain data (lists, strings, a bool), e.g. for a worker's spec."""
        return {"exercise": self.exercise, "tasks": list(self.tasks), "forbidden": list(self.forbidden),
                "forbidden_methods": list(self.forbidden_methods), "functions": list(self.functions),
                "no_overloading": self.no_overloading}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> FromScratchRule:
        """The rule of :meth:`to_data`'s ``data``."""
        return cls(str(data["exercise"]), tuple(data["tasks"]), tuple(data["forbidden"]),
                   tuple(data.get("forbidden_methods", ())), tuple(data.get("functions", ())),
                   bool(data.get("no_overloading", False)))


def constant_value(node: ast.AST | None, constants: dict[str, ast.AST], _seen: frozenset[str] = frozenset()) -> Any:
    """The value of a module constant's expression, evaluated without running the module.

    Literals (:func:`ast.literal_eval`), names of other module constants (``constants``, name →
    expression) and ``+`` of two tuples or two lists.

    Raises:
        ValueError: anything else (a call, an unknown name, a cycle of names).
    """
    if node is None:
        raise ValueError("no value")
    if isinstance(node, ast.Name):
        if node.id not in constants or node.id in _seen:
            raise ValueError(f"{node.id} is not a module constant")
        return constant_value(constants[node.id], constants, _seen | {node.id})
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = constant_value(node.left, constants, _seen), constant_value(node.right, constants, _seen)
        if type(left) is not type(right) or not isinstance(left, tuple | list):
            raise ValueError("+ joins two tuples or two lists only")
        return left + right
    if isinstance(node, ast.Tuple | ast.List):
        items = [constant_value(e, constants, _seen) for e in node.elts]
        return tuple(items) if isinstance(node, ast.Tuple) else items
    if isinstance(node, ast.Dict):
        if any(k is None for k in node.keys):
            raise ValueError("no ** in a declaration")
        return {constant_value(k, constants, _seen): constant_value(v, constants, _seen)
                for k, v in zip(node.keys, node.values, strict=True)}
    return ast.literal_eval(node)


_KEYS = {"task", "forbidden", "function", "forbidden_methods", "no_overloading"}

#: Modules of a library that offer its public functions again under other names: a function
#: forbidden under the first prefix is forbidden under each of the others too.
#: ``scipy.special.cython_special.entr`` is ``scipy.special.entr`` as a Cython function (which no
#: profile hook sees: :func:`autograder.checks.visibility.wrap_invisible` wraps it);
#: ``torch._C._special.special_entr`` is what ``torch.special.entr`` calls.
LIBRARY_ALIASES: dict[str, tuple[str, ...]] = {
    "scipy.special.": ("scipy.special.cython_special.",),
    "torch.special.": ("torch._C._special.special_",),
    # torch.nn.functional's functions call C twins of the same name (torch.cosine_embedding_loss,
    # torch.layer_norm, torch._C._nn.linear...): found by a red-team helper
    "torch.nn.functional.": ("torch.", "torch._C._nn."),
}
#: Forbidden along with any ``torch.`` name: ``torch.ops.aten.*`` reaches every torch operation.
TORCH_OPS = ("torch.ops", "torch._ops")


def with_aliases(forbidden: tuple[str, ...]) -> tuple[str, ...]:
    """``forbidden`` and the same functions under :data:`LIBRARY_ALIASES`, with :data:`TORCH_OPS` when
    a torch name is forbidden (order kept, no repeats).

    >>> with_aliases(("scipy.special.entr", "torch.special.entr"))[2:]
    ('scipy.special.cython_special.entr', 'torch._C._special.special_entr', 'torch.ops', 'torch._ops')
    """
    names = dict.fromkeys(forbidden)
    for name in forbidden:
        for prefix, others in LIBRARY_ALIASES.items():
            rest = name[len(prefix):]
            if name.startswith(prefix) and rest and "." not in rest:
                names.update(dict.fromkeys(other + rest for other in others))
        if name.startswith("torch."):  # ("torch" itself holds them)
            names.update(dict.fromkeys(TORCH_OPS))
    return tuple(names)


def _names(value: Any) -> bool:
    return isinstance(value, tuple | list) and all(isinstance(v, str) and v for v in value)


def read_rules(exercise: str, node: ast.AST | None, constants: dict[str, ast.AST], tasks: set[str],
               where: str, problems: list[tuple[str, str]]) -> tuple[FromScratchRule, ...]:
    """The rules declared by ``RULES`` (expression ``node``; None: the exercise has none).

    A malformed declaration appends a ``(ja, en)`` problem to ``problems`` and yields no rule.
    """
    if node is None:
        return ()
    try:
        entries = constant_value(node, constants)
    except (ValueError, TypeError, SyntaxError) as exc:
        problems.append((f"{where}: RULES を読めません ({exc})。値はリテラルとモジュールの定数だけで書いてください。",
                         f"{where}: RULES cannot be read ({exc}); write it with literals and module constants only."))
        return ()
    if not isinstance(entries, list | tuple):
        entries = [entries]
    rules = []
    for entry in entries:
        bad = _entry_problem(entry, tasks)
        if bad:
            problems.append((f"{where}: RULES の項目 {entry!r} が正しくありません: {bad[0]}。",
                             f"{where}: the RULES entry {entry!r} is wrong: {bad[1]}."))
            continue
        rules.append(FromScratchRule(exercise, (entry["task"],), with_aliases(tuple(entry["forbidden"])),
                                     tuple(entry.get("forbidden_methods", ())),
                                     (entry.get("function", entry["task"]),),
                                     bool(entry.get("no_overloading", False))))
    return tuple(rules)


def _entry_problem(entry: Any, tasks: set[str]) -> tuple[str, str] | None:
    """Why one ``RULES`` entry is wrong (ja, en), or None."""
    if not isinstance(entry, dict):
        return ("辞書ではありません", "it is not a dict")
    if set(entry) - _KEYS:
        unknown = ", ".join(sorted(map(str, set(entry) - _KEYS)))
        return (f"知らないキー {unknown} があります", f"unknown key(s) {unknown}")
    if entry.get("task") not in tasks:
        return (f"task はこの演習の課題名のどれか ({', '.join(sorted(tasks))}) です",
                f"task must be one of the exercise's tasks ({', '.join(sorted(tasks))})")
    if not _names(entry.get("forbidden")) or not _names(entry.get("forbidden_methods", ())):
        return ("forbidden と forbidden_methods は名前 (文字列) の並びです",
                "forbidden and forbidden_methods are sequences of names (strings)")
    if not isinstance(entry.get("function", ""), str) or not entry.get("function", entry["task"]):
        return ("function は関数の名前 (\"TwoLayerNet.backward\" など) です",
                "function is a function's qualified name (such as \"TwoLayerNet.backward\")")
    if not isinstance(entry.get("no_overloading", False), bool):
        return ("no_overloading は True か False です", "no_overloading is True or False")
    return None
