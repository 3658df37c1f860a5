""""From scratch" rules: library calls a task may not use, found by reading the submission's code.

An exercise such as "implement scaled dot-product attention from scratch" is pointless if the
answer calls ``torch.nn.functional.scaled_dot_product_attention``. Each :class:`FromScratchRule`
names forbidden dotted names (a module forbids everything in it) and forbidden method names; the
plugin fails every test of the rule's tasks when the submission's source refers to one of them.
The exercises declare their rules (``RULES`` in their graded tests, :mod:`autograder.core.scratch`);
:data:`RULES` here is all of them.

The scan is static (:mod:`ast`): imports and their aliases (``import torch.nn.functional as F``,
``from scipy.special import softmax as s``), attribute chains (``F.softmax``), method calls on any
object (``t.softmax(-1)``) and ``importlib.import_module``/``__import__`` with a literal name. It
cannot see through ``getattr`` with computed strings: the run-time check
(:mod:`autograder.checks.ruleguard`) sees every call while the task's code runs, whatever name led to it.
The scan stays as the fast, precise message for the common case, and it rejects anywhere in the
submission the names that code needs to turn the run-time check off (:data:`TAMPER_NAMES`).
"""

from __future__ import annotations

import ast
import functools
import importlib.util
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from .compare import GradingFailure
from ..core.exercises import ExerciseError, declared_rules
from ..core.i18n import bilingual
from ..core.scratch import FromScratchRule

__all__ = ["FromScratchRule", "ForbiddenCall", "RULES", "TAMPER_NAMES", "TAMPER_ATTRIBUTES", "Violation",
           "catalogue_key", "all_catalogue_keys", "all_forbidden", "find_violations", "find_tampering",
           "tamper_message", "rules_for"]


class ForbiddenCall(GradingFailure):
    """A task's code uses a library call that the task forbids."""


class _Rules(Sequence):
    """Every exercise's rules, read when used (:data:`RULES`)."""

    def __getitem__(self, index):
        return declared_rules()[index]

    def __len__(self) -> int:
        return len(declared_rules())

    def __iter__(self) -> Iterator[FromScratchRule]:
        return iter(declared_rules())

    def __repr__(self) -> str:
        return repr(declared_rules())


#: The rules of every exercise, as the exercises declare them (the ``RULES`` constant of each
#: graded test module, :mod:`autograder.core.scratch`): a live, read-only sequence. Every rule reads
#: only the task's own function and the module functions it calls, so a library call in one
#: function costs only the tasks that use it (and a self-check under ``if __name__ ==
#: "__main__":`` costs nothing).
RULES: Sequence[FromScratchRule] = _Rules()

#: Names that turn the run-time check off or reach into the grader (profile and trace hooks, torch's
#: function-mode stack, frames, the garbage collector's object lists, ctypes, the grader's own
#: package). Used anywhere in a submission, they cost every "from scratch" task.
TAMPER_NAMES = (
    "sys.setprofile", "sys.settrace", "sys.getprofile", "sys.gettrace", "sys.call_tracing", "sys.monitoring",
    "sys._getframe", "sys._current_frames", "threading.setprofile", "threading.settrace",
    "threading.setprofile_all_threads", "threading.settrace_all_threads", "threading._profile_hook",
    "threading._trace_hook", "_thread", "ctypes", "gc.get_objects", "gc.get_referrers", "gc.get_referents",
    "inspect.currentframe", "inspect.stack", "inspect.getouterframes", "inspect.trace", "inspect.getinnerframes",
    "traceback.walk_stack", "traceback.walk_tb", "torch._C", "torch.overrides",
    "torch.utils._python_dispatch", "autograder", "sys.modules", "sys.path", "sys.meta_path", "sys.path_hooks",
    "importlib.util", "importlib.machinery", "importlib.abc", "runpy", "marshal", "zipimport", "types.CodeType",
    "builtins.exec", "builtins.eval", "builtins.compile", "exec", "eval", "compile",
    # code run later or by another route, out of the run-time check's sight (see .tampering)
    "sys.addaudithook", "signal.signal", "signal.setitimer", "signal.alarm", "signal.pthread_kill", "gc.enable",
    "torch.jit", "torch.library",
)
#: Names under :data:`TAMPER_NAMES` a submission may use: the chapter's data the exercises hand out
#: (``from autograder.data import load_word_vectors``, as ex1's docstring shows), which holds nothing
#: of the grader.
TAMPER_ALLOWED = ("autograder.data",)
#: Attribute names with the same purpose, on any object: the ways to a frame of the grader, to a
#: function's globals, writing a closure's cells (reading ``__closure__`` to rebuild a function is
#: allowed), giving code another file name (``code.replace(co_filename=...)``: the run-time
#: check knows the submission's code by its file), and reading a code object's constants (the
#: entry marks the grader compiles into the submission's functions are constants there, bound
#: methods of the check itself: ``f.__code__.co_consts[0].__self__`` is the check).
TAMPER_ATTRIBUTES = frozenset({
    "f_back", "tb_frame", "gi_frame", "cr_frame", "ag_frame", "cell_contents", "_profile_hook", "_trace_hook",
    "__globals__", "co_filename", "co_consts", "f_globals", "f_locals", "f_builtins",
})


def catalogue_key(exercise: str, task: str) -> tuple[tuple[str, ...], tuple[str, ...], bool] | None:
    """What the run-time check watches for ``task``: (forbidden names, forbidden methods, no
    overloading), or None when no rule applies. A plain tuple, so it can be sent to a worker."""
    rules = rules_for(exercise, task)
    if not rules:
        return None
    return (tuple(sorted({f for r in rules for f in r.forbidden})),
            tuple(sorted({m for r in rules for m in r.forbidden_methods})),
            any(r.no_overloading for r in rules))


def all_catalogue_keys() -> list[tuple]:
    """:func:`catalogue_key` of every rule-bound task."""
    return sorted({catalogue_key(r.exercise, t) for r in RULES for t in r.tasks})


def all_forbidden() -> tuple[str, ...]:
    """Every forbidden dotted name of every rule (what :func:`autograder.checks.ruleguard.prepare` needs).

    Empty when the exercises cannot be discovered: grading stops at discovery then, with a report
    that says why, before any submission code runs."""
    try:
        return tuple(sorted({f for r in RULES for f in r.forbidden}))
    except (ExerciseError, OSError):
        return ()


@dataclass(frozen=True)
class Violation:
    """One forbidden reference found in a submission."""

    name: str
    line: int
    file: str = ""  # a module of the submission the task's code reaches, e.g. "_helper.py"

    def message(self, filename: str) -> str:
        """Bilingual message naming the forbidden call and where it is (``filename`` unless the
        call is in another module of the submission)."""
        filename = self.file or filename
        return bilingual(
            f"{filename} の {self.line} 行目で {self.name} を使っています。この課題では使えません。"
            "ライブラリに頼らず自分で実装してください。",
            f"{filename}, line {self.line}: {self.name} is not allowed in this task; implement it "
            "from scratch instead of calling a library.",
        )


def _aliases(tree: ast.AST) -> dict[str, str]:
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    names[a.asname] = a.name
                else:
                    top = a.name.split(".")[0]
                    names[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                names[a.asname or a.name] = f"{node.module}.{a.name}"
    return names


def _dotted(node: ast.AST, aliases: dict[str, str]) -> str | None:
    if isinstance(node, ast.Name):
        return aliases.get(node.id)
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value, aliases)
        return f"{base}.{node.attr}" if base else None
    return None


def _is_forbidden(name: str, forbidden: tuple[str, ...]) -> bool:
    return any(name == f or name.startswith(f + ".") for f in forbidden)


def _definitions(tree: ast.Module) -> dict[str, ast.AST]:
    """Module-level functions and methods (one class level deep), by qualified name."""
    defs: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            defs[node.name] = node
        elif isinstance(node, ast.Assign | ast.AnnAssign):  # f = lambda ...: ..., f = other
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and node.value is not None:
                    defs[target.id] = node.value
        elif isinstance(node, ast.ClassDef):
            # a later class of the same name (``class Net(Net): backward = other``) is what runs:
            # its methods and class-level assignments replace the earlier ones, the rest stay
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    defs[f"{node.name}.{item.name}"] = item
                elif isinstance(item, ast.Assign | ast.AnnAssign) and item.value is not None:
                    for target in item.targets if isinstance(item, ast.Assign) else [item.target]:
                        if isinstance(target, ast.Name):
                            defs[f"{node.name}.{target.id}"] = item.value
    return defs


def _scopes(tree: ast.Module, functions: tuple[str, ...]) -> list[ast.AST]:
    """The named functions plus every module function/method they call, transitively.

    A call ``helper(...)`` follows a module-level ``def helper``; ``self.m(...)`` inside a method
    of class ``C`` follows ``C.m``. So a forbidden call cannot hide in a helper.
    """
    if not functions:
        return [tree]
    defs = _definitions(tree)
    classes = {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
    # a class reached from another module (``from ._vec import Vec``): all of its methods
    todo = [q for q in functions if q in defs] + [d for q in functions if q in classes for d in defs
                                                  if d.startswith(q + ".")]
    seen: set[str] = set()
    while todo:
        qual = todo.pop()
        if qual in seen:
            continue
        seen.add(qual)
        cls = qual.split(".")[0] + "." if "." in qual else None
        for node in ast.walk(defs[qual]):
            if isinstance(node, ast.Name) and node.id in defs:
                todo.append(node.id)
            elif (cls and isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                  and node.value.id in ("self", "cls") and cls + node.attr in defs):
                todo.append(cls + node.attr)
            elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                  and f"{node.value.id}.{node.attr}" in defs):  # Helper.method(...)
                todo.append(f"{node.value.id}.{node.attr}")
    return [defs[q] for q in sorted(seen)]


def find_violations(source: str, rule: FromScratchRule,
                    read_module: Callable[[str], str | None] | None = None) -> list[Violation]:
    """Return the forbidden references of ``rule`` in ``source`` (sorted by line, unique).

    Every test of a task asks the same question of the same text, so the answer is computed once
    per (source, rule) and kept (a small LRU cache; the result depends on nothing else).

    With ``read_module``, code the task's functions reach in other modules of the submission is
    read too: a name imported by a relative import (``from ._helper import g``, ``from . import
    _helper`` then ``_helper.g``) and used in a scanned function, and a task function that is not
    defined in the file but imported (``from ._helper import manual_grad`` or
    ``from ._helper import *``). Those functions are scanned by the same rule, in their module,
    up to :data:`MAX_MODULE_DEPTH` modules deep.

    Args:
        source: the text of a submitted exercise module.
        rule: the rule to apply.
        read_module: ``read_module("_helper")`` -> the text of the submission's ``_helper.py``
            (``None`` when there is no such readable file).

    Returns:
        A list of :class:`Violation` (empty when the code follows the rule, or does not parse:
        a syntax error is reported by the import instead).
    """
    found = list(_find_violations(source, rule))
    if read_module is None:
        return found
    seen = {("", rule.functions)}
    todo = [(module, functions, 1) for module, functions in _reached_elsewhere(source, rule.functions)]
    while todo:
        module, functions, depth = todo.pop(0)
        if (module, functions) in seen or depth > MAX_MODULE_DEPTH:
            continue
        seen.add((module, functions))
        text = read_module(module)
        if text is None:
            continue
        sub = FromScratchRule(rule.exercise, rule.tasks, rule.forbidden, rule.forbidden_methods, functions)
        found += [Violation(v.name, v.line, f"{module.replace('.', '/')}.py") for v in _find_violations(text, sub)]
        todo += [(m, f, depth + 1) for m, f in _reached_elsewhere(text, functions)]
    return found


#: How many modules deep :func:`find_violations` follows the task's code into the submission.
MAX_MODULE_DEPTH = 3


@functools.lru_cache(maxsize=64)
def _reached_elsewhere(source: str, functions: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(module, functions) of the submission that ``functions`` of ``source`` use via relative imports."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return ()
    names: dict[str, tuple[str, str]] = {}  # local name -> (module, name there)
    modules: dict[str, str] = {}  # local name -> module
    stars: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            for a in node.names:
                if node.module is None:
                    modules[a.asname or a.name] = a.name
                elif a.name == "*":
                    stars.append(node.module)
                else:
                    names[a.asname or a.name] = (node.module, a.name)
    if not (names or modules or stars):
        return ()
    wanted: dict[str, set[str]] = {}
    defs = _definitions(tree)
    for qual in functions or ():
        head, _, rest = qual.partition(".")
        if qual in defs:
            continue
        if head in names:  # the task's function (or its class) is imported from another module
            module, there = names[head]
            wanted.setdefault(module, set()).add(there + ("." + rest if rest else ""))
        else:
            for module in stars:
                wanted.setdefault(module, set()).add(qual)
    for scope in _scopes(tree, functions):
        for node in ast.walk(scope):
            if isinstance(node, ast.Name) and node.id in names:
                module, there = names[node.id]
                wanted.setdefault(module, set()).add(there)
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules:
                wanted.setdefault(modules[node.value.id], set()).add(node.attr)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in names:
                module, there = names[node.value.id]  # Vec.cosine(...) with Vec from ._vec
                wanted.setdefault(module, set()).add(f"{there}.{node.attr}")
    return tuple((m, tuple(sorted(f))) for m, f in sorted(wanted.items()))


@functools.lru_cache(maxsize=64)
def _find_violations(source: str, rule: FromScratchRule) -> tuple[Violation, ...]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return ()
    aliases = _aliases(tree)
    own = set(_definitions(tree)) | {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
    # the submission's own modules (`from . import _mylib`): `_mylib.softmax(...)` is its own code
    own |= {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level
            for a in n.names}
    seen: set[tuple[str, int]] = set()
    # `from scipy.special import *` anywhere brings forbidden names in unseen
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and any(a.name == "*" for a in node.names) and any(
                f.startswith(node.module + ".") or f == node.module for f in rule.forbidden):
            seen.add((f"from {node.module} import *", node.lineno))
    for scope in _scopes(tree, rule.functions):
        inner = {id(n.value) for n in ast.walk(scope) if isinstance(n, ast.Attribute)}
        for node in ast.walk(scope):
            if id(node) in inner:
                continue  # part of a longer chain: report the whole chain once
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
            elif isinstance(node, ast.Attribute):
                dotted = _dotted(node, aliases)
                if dotted:
                    names = [dotted]
                elif node.attr in rule.forbidden_methods and not (
                    isinstance(node.value, ast.Name) and (node.value.id in ("self", "cls") or node.value.id in own)
                ):
                    names = [f".{node.attr}()"]  # a method of a library object, e.g. tensor.softmax
                if dotted and node.attr in rule.forbidden_methods and not _is_forbidden(dotted, rule.forbidden):
                    names.append(f".{node.attr}()")
            elif isinstance(node, ast.Name) and node.id in aliases:
                names = [aliases[node.id]]
            elif isinstance(node, ast.Call):
                func = _dotted(node.func, aliases) or getattr(node.func, "id", "")
                args = node.args
                if func in ("exec", "eval", "compile", "builtins.exec", "builtins.eval"):
                    names = [f"{func.split('.')[-1]}()"]  # code in strings cannot be checked
                elif func in ("importlib.import_module", "__import__") and args and \
                        isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
                    names = _imported_name(args)
                elif func == "getattr" and len(args) >= 2 and isinstance(args[1], ast.Constant) \
                        and isinstance(args[1].value, str):
                    base = _dotted(args[0], aliases)
                    if base:
                        names = [f"{base}.{args[1].value}"]
                    elif args[1].value in rule.forbidden_methods:
                        names = [f".{args[1].value}()"]
            elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) \
                    and isinstance(node.slice.value, str) and isinstance(node.value, ast.Attribute) \
                    and node.value.attr == "__dict__":
                base = _dotted(node.value.value, aliases)
                if base:
                    names = [f"{base}.{node.slice.value}"]
            elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) \
                    and isinstance(node.slice.value, str) and _dotted(node.value, aliases) == "sys.modules":
                names = [node.slice.value]  # sys.modules["torch"]
            for name in names:
                if name.startswith(".") or name.endswith("()") or _is_forbidden(name, rule.forbidden):
                    seen.add((name, getattr(node, "lineno", 0)))
    return tuple(Violation(n, line) for n, line in sorted(seen, key=lambda t: (t[1], t[0])))


def _imported_name(args: list) -> list[str]:
    """The module ``importlib.import_module(NAME[, PACKAGE])`` loads when NAME is a literal: a
    relative name against a literal package (``(".functional", "torch.nn")``), and none against the
    submission's own (``(".ex1_vectors", __package__)``: its own module, which scored every task 0
    as a tampering name; found by an honest-code helper)."""
    name = args[0].value
    if not name.startswith("."):
        return [name]
    if len(args) > 1 and isinstance(args[1], ast.Constant) and isinstance(args[1].value, str):
        try:
            return [importlib.util.resolve_name(name, args[1].value)]
        except (ImportError, ValueError):
            return []
    return []


@functools.lru_cache(maxsize=64)
def find_tampering(source: str) -> tuple[Violation, ...]:
    """Uses of :data:`TAMPER_NAMES` and :data:`TAMPER_ATTRIBUTES` anywhere in one module's ``source``.

    Honest solutions of these exercises need none of them; code that does can turn the run-time
    check off, so every "from scratch" task of the submission fails with these lines named.

    Returns:
        The uses, sorted by line (empty when there is none, or the text does not parse).
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return ()
    # code under `if __name__ == "__main__":` never runs when the grader imports the module
    tree.body = [n for n in tree.body if not _is_main_guard(n)]
    aliases = _aliases(tree)
    inner = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    seen: set[tuple[str, int]] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in ("exec", "eval", "compile"):
                names.append(f"{func.id}()")  # code the grader cannot read, under any file name
            names += [f".{k.arg}" for k in node.keywords if k.arg in TAMPER_ATTRIBUTES]
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [f"{node.module}.{a.name}" for a in node.names]
            if not any(a.startswith(node.module + ".") for a in TAMPER_ALLOWED):  # (`from autograder import data`)
                names.insert(0, node.module)
        elif isinstance(node, ast.Attribute):
            if node.attr in TAMPER_ATTRIBUTES:
                names = [f".{node.attr}"]
            elif id(node) not in inner:
                names = [_dotted(node, aliases) or ""]
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "getattr" and len(node.args) >= 2 \
                and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
            base = _dotted(node.args[0], aliases)
            attr = node.args[1].value
            names = [f".{attr}"] if attr in TAMPER_ATTRIBUTES else [f"{base}.{attr}"] if base else []
        elif isinstance(node, ast.Call) and (_dotted(node.func, aliases) or getattr(node.func, "id", "")) in (
                "importlib.import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            names = _imported_name(node.args)
        for name in names:
            if name.startswith(".") or name.endswith("()") or (
                    _is_forbidden(name, TAMPER_NAMES) and not _is_forbidden(name, TAMPER_ALLOWED)):
                seen.add((name, getattr(node, "lineno", 0)))
    return tuple(Violation(n, line) for n, line in sorted(seen, key=lambda t: (t[1], t[0])))


def _is_main_guard(node: ast.AST) -> bool:
    """``if __name__ == "__main__":`` at module level."""
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) \
        and test.left.id == "__name__" and len(test.comparators) == 1 \
        and isinstance(test.comparators[0], ast.Constant) and test.comparators[0].value == "__main__"


def tamper_message(found: list[Violation]) -> str:
    """The bilingual message for uses found by :func:`find_tampering` (``Violation.file`` set)."""
    lines = ", ".join(f"{v.file}:{v.line} ({v.name.lstrip('.')})" for v in found[:8])
    more_ja = f" (ほかに {len(found) - 8} 件)" if len(found) > 8 else ""
    more_en = f" (and {len(found) - 8} more)" if len(found) > 8 else ""
    names = {v.name.lstrip(".") for v in found}
    # the common honest case: a helper module next to the exercise, found through sys.path (helper-53)
    path_ja = ("同じフォルダーのヘルパーモジュールは sys.path を変えずに `from . import mylib` で読み込めます。"
               if any(n == "sys.path" or n.startswith("sys.path.") for n in names) else "")
    path_en = (" A helper module in the same folder is imported with `from . import mylib`, without changing sys.path."
               if path_ja else "")
    return bilingual(
        f"提出コードが採点器の実行時チェックを止められる機能を使っています: {lines}{more_ja}。"
        f"「自分で実装」課題はすべて 0 点になります (これらの機能は演習には不要です)。{path_ja}",
        f"the submission uses what can turn off the grader's run-time check: {lines}{more_en}. Every "
        f"\"from scratch\" task scores 0 (the exercises need none of these).{path_en}",
    )


def rules_for(exercise: str, task: str) -> list[FromScratchRule]:
    """The rules that apply to ``task`` of ``exercise``."""
    return [r for r in RULES if r.exercise == exercise and task in r.tasks]
