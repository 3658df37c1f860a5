"""Graded hints: the ``HINTS`` data that sits next to each exercise text.

Every exercise module (``solutions/<exercise>.py``, and so the generated stub in ``exercises/``)
ends with a module-level dict outside the solution regions::

    HINTS = {
        "softmax": [("レベル 1 (日本語)", "level 1 (English)"), ("レベル 2", "level 2"), ...],
        ...
    }

Level 1 points at the idea, level 2 at the method and the pitfalls the tests check, level 3 at
the shape of the code — never the full solution. ``workbook hint`` shows one more level each
time it is called. The hints are read *statically* (:mod:`ast`, no import), so a student's file
that does not run still gives its hints, and the student's code is never executed for them.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from ..core.i18n import bilingual


class HintsUnavailable(LookupError):
    """No ``HINTS`` could be read for an exercise (every candidate file is missing or broken)."""


@dataclass(frozen=True)
class Hints:
    """The hints of one exercise.

    Attributes:
        exercise: the exercise module name, e.g. ``"ex3_attention"``.
        tasks: task name → list of ``(ja, en)`` pairs, level 1 first (in file order).
        source: the file they were read from.
        warning: why an earlier candidate file was skipped (e.g. the student's file has a syntax
            error), or ``""``.
    """

    exercise: str
    tasks: dict[str, list[tuple[str, str]]]
    source: Path
    warning: str = ""


def parse_hints(source: str) -> dict[str, list[tuple[str, str]]]:
    """Read the module-level ``HINTS`` literal of a module's text.

    Args:
        source: the text of an exercise module.

    Returns:
        task → list of ``(ja, en)`` string pairs (empty dict if the module has no ``HINTS``).

    Raises:
        SyntaxError: the module does not parse.
        ValueError: ``HINTS`` is not a literal dict of task → list of (str, str) pairs.
    """
    tree = ast.parse(source)
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        if any(isinstance(t, ast.Name) and t.id == "HINTS" for t in targets) and node.value is not None:
            value = ast.literal_eval(node.value)
            if not isinstance(value, dict):
                raise ValueError("HINTS must be a dict")
            out: dict[str, list[tuple[str, str]]] = {}
            for task, levels in value.items():
                if not isinstance(task, str) or not isinstance(levels, list | tuple):
                    raise ValueError(f"HINTS[{task!r}] must be a list of (ja, en) pairs")
                pairs = []
                for level in levels:
                    if not (isinstance(level, tuple | list) and len(level) == 2 and all(isinstance(s, str) for s in level)):
                        raise ValueError(f"HINTS[{task!r}]: every level must be a (ja, en) pair of strings")
                    pairs.append((level[0], level[1]))
                out[task] = pairs
            return out
    return {}


def load_hints(exercise: str, candidates: list[Path]) -> Hints:
    """The hints of ``exercise`` from the first candidate file that has them.

    Args:
        exercise: the exercise module name.
        candidates: files to try in order, e.g. the student's ``exercises/<exercise>.py``, then a
            pristine copy of the stub, then ``solutions/<exercise>.py``.

    Returns:
        :class:`Hints` (``warning`` says why the student's file was skipped, if it was).

    Raises:
        HintsUnavailable: no candidate has a readable ``HINTS`` (the message is bilingual).
    """
    warning = ""
    for path in candidates:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        try:
            tasks = parse_hints(text)
        except SyntaxError as exc:
            if not warning:
                warning = bilingual(
                    f"{path.name} の {exc.lineno} 行目に構文エラーがあります (SyntaxError: {exc.msg})。"
                    "まずそこを直してください。ヒントは元の演習ファイルから読みました。",
                    f"{path.name}, line {exc.lineno}: SyntaxError: {exc.msg}. Fix that first; the hints "
                    "below come from the original exercise file.",
                )
            continue
        except ValueError:
            continue
        if tasks:
            return Hints(exercise, tasks, path, warning)
        if not warning:
            warning = bilingual(
                f"{path.name} に HINTS がありません (消されたようです)。元の演習ファイルから読みました。",
                f"{path.name} has no HINTS (deleted?); the hints come from the original exercise file.",
            )
    raise HintsUnavailable(bilingual(
        f"{exercise} のヒントが見つかりません ({', '.join(str(p) for p in candidates)})。",
        f"no hints found for {exercise} (looked in {', '.join(str(p) for p in candidates)}).",
    ))
