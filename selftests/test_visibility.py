"""Entry marks (autograder.checks.visibility, autograder.submission.marked): the submission's code
compiled with them behaves exactly as without them, and the grader knows when code lacks them.

The run-time check itself, with and without marks, is tested in test_ruleguard.py.
"""

from __future__ import annotations

import os
import py_compile
import sys
import textwrap
import traceback
import types
from pathlib import Path

import pytest

from autograder.checks import ruleguard
from autograder.submission.loader import Submission
from conftest import load_student_module

PROGRAM = '''\
"""Module docstring."""
from __future__ import annotations

TOTAL = 0


def documented(x):
    """Doubles x."""
    global TOTAL
    TOTAL += x
    return 2 * x


def fails(x):
    y = x + 1
    raise ValueError(f"bad {y}")


square = lambda v: v * v  # noqa: E731


def lazy(xs):
    return (x + 1 for x in xs if x % 2 == 0)


def pairs(n):
    return list((i, j) for i in range(n) for j in range(i) if (i + j) % 2)


class Shape:
    """A class."""

    def __init__(self, n):
        self.n = n

    @property
    def area(self):
        return self.n ** 2
'''


def _load(source: str, marked: bool, path: Path) -> types.ModuleType:
    path.write_text(source, encoding="utf-8")
    return load_student_module(path, marked)


def _behaviour(mod: types.ModuleType) -> dict:
    out: dict = {"doc": (mod.__doc__, mod.documented.__doc__, mod.Shape.__doc__, mod.square.__doc__)}
    out["documented"] = (mod.documented(3), mod.TOTAL)
    try:
        mod.fails(1)
    except ValueError as exc:
        frames = traceback.extract_tb(exc.__traceback__)
        out["traceback"] = [(Path(f.filename).name, f.lineno, f.name, f.line) for f in frames[1:]]
    out["square"] = mod.square(7)
    out["lazy"] = list(mod.lazy(range(6)))
    out["pairs"] = mod.pairs(5)
    with pytest.raises(TypeError):
        mod.lazy(5)  # a generator expression over a non-iterable fails where it is made, as without marks
    out["area"] = mod.Shape(3).area
    out["lines"] = (mod.documented.__code__.co_firstlineno, mod.fails.__code__.co_firstlineno)
    return out


def test_marked_code_behaves_as_written(tmp_path):
    (tmp_path / "plain").mkdir()
    (tmp_path / "marked").mkdir()
    plain = _behaviour(_load(PROGRAM, False, tmp_path / "plain" / "prog.py"))
    marked = _behaviour(_load(PROGRAM, True, tmp_path / "marked" / "prog.py"))
    assert marked == plain
    assert plain["traceback"] == [("prog.py", 16, "fails", 'raise ValueError(f"bad {y}")')]
    assert plain["lazy"] == [1, 3, 5] and plain["pairs"] == [(1, 0), (2, 1), (3, 0), (3, 2), (4, 1), (4, 3)]
    assert plain["doc"] == ("Module docstring.", "Doubles x.", "A class.", None)


def test_marks_are_constants_of_the_code_not_names(tmp_path):
    """A submission cannot rebind a mark: it is the function object itself in the code's constants."""
    mod = _load(PROGRAM, True, tmp_path / "m.py")
    consts = mod.documented.__code__.co_consts
    assert any(getattr(c, "__func__", None) is ruleguard._Guard.enter for c in consts)
    assert not any(name.startswith("\x00") for name in mod.documented.__code__.co_names)


@pytest.mark.parametrize("text", [
    "def gen():\n    try:\n        yield 1\n    finally:\n        pass\n",
    "def gen(it):\n    yield from it\n",
    "f = lambda: (yield)\n",
    "async def co():\n    return 1\n",
    "async def co(x):\n    await x\n",
])
def test_code_that_can_resume_past_every_mark_gets_none(text):
    """A generator function or a coroutine runs code on close/throw/delegation that no mark precedes
    (red-team finding: a `finally` after the function returned): such a file is watched the slow way."""
    code, marked = ruleguard.compile_submission(text, "gen.py")
    assert not marked
    assert isinstance(code, types.CodeType)


def test_invalid_source_raises_the_usual_syntax_error(tmp_path):
    with pytest.raises(SyntaxError) as marked:
        ruleguard.compile_submission("def f(:\n    pass\n", "bad.py")
    with pytest.raises(SyntaxError) as plain:
        compile("def f(:\n    pass\n", "bad.py", "exec")
    assert (marked.value.lineno, marked.value.msg) == (plain.value.lineno, plain.value.msg)


def _submission(tmp_path: Path, files: dict[str, str]) -> Submission:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return Submission(tmp_path)


def test_helper_modules_are_marked_and_nothing_is_written(tmp_path):
    sub = _submission(tmp_path, {
        "ex1_vectors.py": "from ._helper import twice\nfrom ._pkg.inner import half\n",
        "_helper.py": "def twice(x):\n    return 2 * x\n",
        "_pkg/__init__.py": "",
        "_pkg/inner.py": "def half(x):\n    return x / 2\n",
    })
    mod = sub.module("ex1_vectors")
    assert mod.twice(2) == 4 and mod.half(2) == 1
    assert any(getattr(c, "__func__", None) is ruleguard._Guard.enter for c in mod.twice.__code__.co_consts)
    assert sub._marks.all_marked()
    assert not [p for p in tmp_path.rglob("__pycache__")]  # the submission folder is left as it was


def test_code_without_marks_makes_the_check_watch_the_slow_way(tmp_path):
    """A module the grader could not compile with marks (here a .pyc without its source) switches the
    submission to the trace hook: the marks are a way to be fast, never a way around the check."""
    legacy = tmp_path / "_legacy.py"
    legacy.write_text("def g():\n    return 1\n", encoding="utf-8")
    py_compile.compile(str(legacy), cfile=str(tmp_path / "_legacy.pyc"))
    os.remove(legacy)
    sub = _submission(tmp_path, {"ex1_vectors.py": "from ._legacy import g\n"})
    assert sub.module("ex1_vectors").g() == 1
    assert not sub._marks.all_marked()
    assert f"{sub.package}._legacy" in sub._marks.unmarked
    sys.modules.pop(f"{sub.package}._legacy", None)


def test_the_finder_forgets_submissions_that_are_gone(tmp_path):
    """A grader process sees one submission after another in a batch: none stays registered."""
    import gc

    from autograder.submission.marked import _FINDER

    sub = _submission(tmp_path, {"ex1_vectors.py": "X = 1\n"})
    assert _FINDER.marks.get(sub.package) is sub._marks
    package = sub.package
    del sub
    gc.collect()
    assert package not in _FINDER.marks


@pytest.mark.parametrize("case", ["plain_loader", "rewritten_code", "method_from_plain_loader", "callable_object"])
def test_functions_without_marks_in_the_namespace_make_the_check_watch_the_slow_way(tmp_path, case):
    """Red-team findings (a helper executed by a loader of the standard library, which never enters
    sys.modules; a function whose code was rewritten without its marks) and one more of the kind (a
    class's method and an object's __call__ from such a helper): the test could call them with no
    marked frame below, so the submission is watched with the trace hook."""
    plain = "import importlib.machinery, os, types\n" \
            "_p = types.ModuleType('_plain')\n" \
            "importlib.machinery.SourceFileLoader('_plain', os.path.join(os.path.dirname(__file__), '_plain.py'))" \
            ".exec_module(_p)\n"
    text = {
        "plain_loader": plain + "softmax = _p.softmax\n",
        "rewritten_code": "def softmax(x):\n    return x\n\nsoftmax.__code__ = softmax.__code__.replace(co_consts=(None,))\n",
        "method_from_plain_loader": plain + "class Attn:\n    pass\n\nAttn.forward = _p.softmax\n",
        "callable_object": plain + "class _S:\n    pass\n\n_S.__call__ = _p.softmax\nsoftmax = _S()\n",
    }[case]
    sub = _submission(tmp_path, {"ex3_attention.py": text, "_plain.py": "def softmax(x):\n    return x\n"})
    sub.module("ex3_attention")
    assert not sub._marks.all_marked()


def test_honest_namespaces_keep_the_fast_way(tmp_path):
    sub = _submission(tmp_path, {"ex3_attention.py": textwrap.dedent("""
        import functools
        import numpy as np

        class Attn:
            scale = staticmethod(lambda d: 1 / np.sqrt(d))

            @property
            def heads(self):
                return 2

            @classmethod
            def make(cls):
                return cls()

        def softmax(x, axis=-1):
            e = np.exp(x - np.max(x, axis=axis, keepdims=True))
            return e / e.sum(axis=axis, keepdims=True)

        row_softmax = functools.partial(softmax, axis=1)
        RNG = np.random.default_rng(0)
        """)})
    sub.module("ex3_attention")
    assert sub._marks.all_marked()


def test_marking_a_helper_imported_under_the_import_watch_is_no_violation(tmp_path):
    """The grader binds the marks into a helper's code (code.replace) while the exercise's import is
    watched: that is not the submission rewriting code (a redteam run of 5bd2e73 showed it was)."""
    from autograder.checks.rules import all_forbidden

    ruleguard.prepare(all_forbidden())
    sub = _submission(tmp_path, {
        "ex1_vectors.py": "from ._helper import twice\n",
        "_helper.py": "def twice(x):\n    return 2 * x\n",
    })
    saved, ruleguard.GUARD.import_hits = ruleguard.GUARD.import_hits, []
    try:
        assert sub.module("ex1_vectors").twice(2) == 4
        assert ruleguard.GUARD.import_hits == []
    finally:
        ruleguard.GUARD.import_hits = saved
