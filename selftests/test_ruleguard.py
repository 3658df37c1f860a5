"""The run-time check of the "from scratch" rules (autograder.checks.ruleguard), on its own.

A "submission" here is a module written to a temporary folder; the check counts a call as the
submission's when a frame of that folder is on the stack (or the call runs in a thread started
during the watch). Every case runs both ways the check learns that such a frame appeared: the
trace hook (code compiled as usual: notebooks) and the entry marks the grader compiles into a
submission's files (autograder.checks.visibility); the outcomes must be the same.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch

from autograder.checks import ruleguard
from autograder.checks.rules import all_forbidden, catalogue_key, find_tampering
from conftest import load_student_module

SOFTMAX = ruleguard.catalogue(catalogue_key("ex3_attention", "softmax"))
ENTROPY = ruleguard.catalogue(catalogue_key("ex3_attention", "attention_entropy"))
BACKWARD = ruleguard.catalogue(catalogue_key("ex5_backprop", "backward"))


@pytest.fixture(scope="module", autouse=True)
def prepared():
    ruleguard.prepare(all_forbidden())


MARKED = {"marks": True, "trace": False}


@pytest.fixture(params=sorted(MARKED), autouse=True)
def way(request):
    """How the check learns that the submission's code runs: entry marks ("marks") or the trace hook."""
    global _FAST
    _FAST = MARKED[request.param]
    yield request.param
    _FAST = False


_FAST = False


def _student(tmp_path: Path, code: str):
    """Import ``code`` as a module of a submission in ``tmp_path`` (with the entry marks when the
    case runs that way); returns (module, owns)."""
    path = tmp_path / f"sub_{abs(hash(code))}.py"
    path.write_text(textwrap.dedent(code), encoding="utf-8")
    module = load_student_module(path, _FAST)
    root = str(tmp_path)
    return module, (lambda filename: filename.startswith(root))


def _watch(catalogue, owns, root, call):
    ruleguard.start(catalogue, owns, root, fast=_FAST)
    try:
        call()
    finally:
        hits = ruleguard.stop()
    return hits


def test_forbidden_call_by_any_path_is_seen_with_file_and_line(tmp_path):
    mod, owns = _student(tmp_path, """
        import importlib, sys
        import numpy as np

        def direct(x):
            return sys.modules["to" + "rch"].softmax(x, 0)

        def through_map(x):
            lib = importlib.import_module("to" + "rch")
            return list(map(getattr(lib, "soft" + "max"), [x], [0]))[0]

        def method(x):
            return getattr(x, "soft" + "max")(0)

        def honest(x):
            e = np.exp(x - x.max())
            return e / e.sum()
        """)
    x = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    for func, line in ((mod.direct, 6), (mod.through_map, 10), (mod.method, 13)):
        hits = _watch(SOFTMAX, owns, tmp_path, lambda: func(x))
        assert hits, func.__name__
        assert {(h.kind, h.line) for h in hits} == {("forbidden", line)}, hits
        assert all(h.file.startswith("sub_") and "softmax" in h.name for h in hits)
    assert _watch(SOFTMAX, owns, tmp_path, lambda: mod.honest(np.arange(3.0))) == []


def test_the_tests_own_calls_are_not_counted(tmp_path):
    _, owns = _student(tmp_path, "X = 1\n")
    x = torch.tensor([1.0, 2.0])
    hits = _watch(BACKWARD, owns, tmp_path, lambda: (torch.softmax(x, 0), torch.nn.functional.softmax(x, 0),
                                                    x.requires_grad_().sum().backward()))
    assert hits == []


def test_a_ufunc_no_hook_sees_is_wrapped(tmp_path):
    import scipy.special

    mod, owns = _student(tmp_path, """
        import importlib
        E = getattr(importlib.import_module("scipy." + "special"), "en" + "tr")

        def entropy(p):
            return sum(map(E, p))
        """)
    # the wrapper computes entr and gives no way to the raw ufunc
    assert not isinstance(scipy.special.entr, np.ufunc) and not hasattr(scipy.special.entr, "__wrapped__")
    assert scipy.special.entr(0.5) == pytest.approx(-0.5 * np.log(0.5))
    hits = _watch(ENTROPY, owns, tmp_path, lambda: mod.entropy([0.25, 0.75]))
    assert [(h.kind, h.name, h.line) for h in hits] == [("forbidden", "scipy.special.entr", 6)]


def test_threads_processes_and_tampering(tmp_path):
    mod, owns = _student(tmp_path, """
        import importlib, os
        from concurrent.futures import ThreadPoolExecutor

        _sp = importlib.import_module("scipy." + "special")

        def in_thread(x):
            with ThreadPoolExecutor(1) as pool:
                return pool.submit(getattr(_sp, "soft" + "max"), x).result()

        def fork():
            pid = os.fork()
            if pid == 0:
                os._exit(0)
            os.waitpid(pid, 0)

        def off():
            s = importlib.import_module("s" + "ys")
            hook = s.getprofile()
            getattr(s, "set" + "profile")(None)
            getattr(s, "set" + "profile")(hook)
        """)
    hits = _watch(SOFTMAX, owns, tmp_path, lambda: mod.in_thread(np.arange(3.0)))
    assert [(h.kind, h.name, h.file) for h in hits] == [("forbidden", "scipy.special.softmax", "")]
    assert "スレッド" in hits[0].message() and "thread started by the submission" in hits[0].message()
    hits = _watch(SOFTMAX, owns, tmp_path, mod.fork)
    assert [(h.kind, h.name, h.line) for h in hits] == [("process", "os.fork", 12)]
    hits = _watch(SOFTMAX, owns, tmp_path, mod.off)
    assert ("tamper", "sys.setprofile", 20) in {(h.kind, h.name, h.line) for h in hits}
    assert sys.getprofile() is None and sys.gettrace() is None  # the check is off after stop()


def test_own_arithmetic_operators_count_only_where_autodiff_is_forbidden(tmp_path):
    mod, owns = _student(tmp_path, """
        class Value:
            def __init__(self, v):
                self.v = v

            def __mul__(self, other):
                return Value(self.v * other.v)

        def square(x):
            return (Value(x) * Value(x)).v
        """)
    hits = _watch(BACKWARD, owns, tmp_path, lambda: mod.square(3.0))
    assert [(h.kind, h.name, h.line) for h in hits] == [("overloading", "Value.__mul__", 10)]
    assert "micrograd" in hits[0].message()
    assert _watch(SOFTMAX, owns, tmp_path, lambda: mod.square(3.0)) == []


def test_static_tamper_names():
    found = find_tampering("import sys\nimport ctypes\nf = sys._getframe().f_back\nsys.modules['x']\n"
                           "rebuilt = g.__closure__\nexec('1')\nc = code.replace(co_filename='numpy.py')\n"
                           "guard = f.__code__.co_consts[0].__self__\n"
                           "if __name__ == '__main__':\n    import autograder\n")
    assert [(v.name, v.line) for v in found] == [
        ("ctypes", 2), (".f_back", 3), ("sys._getframe", 3), ("sys.modules", 4), ("exec()", 6), (".co_filename", 7),
        (".co_consts", 8)]
    assert find_tampering("import numpy as np\nimport re\nnp.linalg.norm([1])\nre.compile('a')\n") == ()
    # a red-team helper reached the grader's module from frames given by traceback.walk_stack
    found = find_tampering("import traceback\nfor f, _ in traceback.walk_stack(None):\n    g = f.f_globals\n")
    assert [(v.name, v.line) for v in found] == [("traceback.walk_stack", 2), (".f_globals", 3)]


def test_one_message_per_call_with_all_its_lines():
    from autograder.grading.plugin import _hits_message
    from autograder.checks.ruleguard import END_OF_TEST, Hit

    text = _hits_message([Hit("overloading", "V.__add__", "ex5_backprop.py", 28),
                          Hit("overloading", "V.__add__", "ex5_backprop.py", 29),
                          Hit("tamper", "sys.settrace", END_OF_TEST, 0)])
    assert text.count("V.__add__") == 2  # once per language
    assert "ex5_backprop.py, lines 28, 29:" in text and "ex5_backprop.py の 28, 29 行目" in text
    assert "checked at the end of the test: the grader's run-time check had been turned off (sys.settrace)" in text
    many = _hits_message([Hit("forbidden", f"torch.f{i}", "ex5_backprop.py", i) for i in range(7)])
    assert "torch.f4" in many and "torch.f5" not in many  # the first five calls, then how many more
    assert many.endswith("(ほかに 2 件の違反があります / and 2 more violations)")


def test_code_the_test_drives_later_is_watched(tmp_path):
    """A generator expression the test consumes (each of its loops), one a finalizer drives after the
    submission's function returned (red-team finding), a lambda, module code imported while the test
    runs: each runs the submission's code with none of its frames below."""
    mod, owns = _student(tmp_path, """
        import collections, importlib, weakref
        _sp = importlib.import_module("scipy." + "special")
        F = getattr(_sp, "soft" + "max")

        class _Token:
            pass

        def lazy(xs):
            return (y for y in map(F, xs))

        def nested(xs):
            return (F(x) if i else None for x in xs for i in range(2))

        def after_return(xs, out):
            steps = (out.append(F(x)) if i else None for x in xs for i in range(2))
            weakref.finalize(_Token(), collections.deque, steps, 0)

        by_lambda = lambda x: F(x)
        """)
    xs = [np.arange(3.0)] * 2
    for call, line in ((lambda: list(mod.lazy(xs)), 10), (lambda: list(mod.nested(xs)), 13),
                       (lambda: mod.after_return(xs, []), 16), (lambda: mod.by_lambda(xs[0]), 19)):
        hits = _watch(SOFTMAX, owns, tmp_path, call)
        assert [(h.kind, h.name, h.line) for h in hits] == [("forbidden", "scipy.special.softmax", line)]
    gen = mod.nested(xs)
    next(gen)  # started outside the watch: only its resumption is watched
    hits = _watch(SOFTMAX, owns, tmp_path, lambda: next(gen))
    assert [(h.kind, h.line) for h in hits] == [("forbidden", 13)]
    hits = _watch(SOFTMAX, owns, tmp_path, lambda: _student(tmp_path, """
        import importlib
        TABLE = getattr(importlib.import_module("scipy." + "special"), "soft" + "max")([1.0, 2.0])
        """))
    assert [(h.kind, h.line) for h in hits] == [("forbidden", 3)]


def test_only_the_submissions_code_runs_with_hooks(tmp_path):
    """The test's own work runs without the trace hook when the code carries the marks (the point of
    them: hypothesis and the oracles at full speed); the submission's code runs with the profile hook."""
    mod, owns = _student(tmp_path, """
        import sys

        def hooks():
            return sys.gettrace(), sys.getprofile()
        """)
    seen = {}

    def test_body():
        seen["test"] = (sys.gettrace(), sys.getprofile())
        seen["submission"] = mod.hooks()
        seen["after"] = (sys.gettrace(), sys.getprofile())

    assert _watch(SOFTMAX, owns, tmp_path, test_body) == []
    assert seen["submission"][1] is not None
    if _FAST:
        assert seen["test"] == seen["after"] == (None, None)
    else:
        assert seen["test"][0] is not None


def test_taking_the_torch_mode_off_or_rewriting_code_is_tampering(tmp_path):
    """Red-team findings: the torch function mode popped through a C callable (no hook sees the call)
    is found when the submission's code ends; rewriting a code object (its marks, its file name) is
    seen when it happens."""
    mod, owns = _student(tmp_path, """
        import functools, importlib
        _t = importlib.import_module("to" + "rch")

        def pop_mode(x):
            functools.partial(getattr(getattr(_t, "_" + "C"), "_pop_torch_function_" + "stack"))()
            return list(map(functools.partial(getattr(_t, "soft" + "max"), dim=0), [x]))[0]

        def helper():
            return 1

        def rewrite():
            helper.__code__ = helper.__code__.replace(co_name="other")
        """)
    hits = _watch(SOFTMAX, owns, tmp_path, lambda: mod.pop_mode(torch.arange(3.0)))
    assert ("tamper", "torch function or dispatch mode") in {(h.kind, h.name) for h in hits}
    hits = _watch(SOFTMAX, owns, tmp_path, mod.rewrite)
    assert [(h.kind, h.name, h.line) for h in hits] == [("tamper", "code.replace", 13)]


def test_a_generators_finally_after_the_function_returned_is_watched(tmp_path):
    """Red-team finding: a generator closed when the function's frame goes runs its `finally` with
    no frame of the submission below. Such a file gets no marks and is watched with the trace hook."""
    path = tmp_path / "sub_gen.py"
    path.write_text(textwrap.dedent("""
        import importlib
        import numpy as np
        F = getattr(importlib.import_module("scipy." + "special"), "soft" + "max")

        def softmax(z):
            out = np.empty_like(z)

            def fill():
                try:
                    yield
                finally:
                    out[...] = F(z)
            g = fill()
            next(g)
            return out
        """), encoding="utf-8")
    assert not ruleguard.compile_submission(path.read_text(encoding="utf-8"), str(path))[1]
    mod = load_student_module(path, False)
    root = str(tmp_path)
    ruleguard.start(SOFTMAX, lambda filename: filename.startswith(root), tmp_path, fast=False)
    try:
        out = mod.softmax(np.arange(3.0))
    finally:
        hits = ruleguard.stop()
    assert np.allclose(out.sum(), 1.0)
    assert [(h.kind, h.line) for h in hits] == [("forbidden", 13)]


def test_torchs_own_dispatch_is_not_tampering(tmp_path):
    """Red-team finding (honest code, isolated mode only): torch.norm and other torch functions
    written in Python take the torch function mode off its stack while the mode runs
    (handle_torch_function); that is torch's machinery, not the submission's. Doing it oneself is."""
    mod, owns = _student(tmp_path, """
        import importlib
        import torch

        def norms(x):
            return torch.norm(x), torch.nn.functional.normalize(x, dim=0), torch.linalg.norm(x)

        def own_pop(x):
            with getattr(importlib.import_module("torch.over" + "rides"), "_pop_mode_temp" + "orarily")():
                return x * 2
        """)
    x = torch.tensor([3.0, 4.0], dtype=torch.float64)
    assert _watch(SOFTMAX, owns, tmp_path, lambda: mod.norms(x)) == []
    hits = _watch(SOFTMAX, owns, tmp_path, lambda: mod.own_pop(x))
    assert ("tamper", "torch.overrides._pop_mode_temporarily", 9) in {(h.kind, h.name, h.line) for h in hits}


def test_what_the_grader_calls_runs_watched_even_without_marks(tmp_path):
    """Red-team round 2: code without marks made at run time (codeop, FunctionType, partials, ...)
    and hidden where no scan looks. A call the grader makes into the submission (the `exercise`
    fixture's calls; every request in the isolated worker) keeps the hooks on all along."""
    path = tmp_path / "sub_unmarked.py"
    path.write_text(textwrap.dedent("""
        import importlib
        F = getattr(importlib.import_module("scipy." + "special"), "soft" + "max")

        def hidden(x):
            return F(x)
        """), encoding="utf-8")
    mod = load_student_module(path, False)  # as if made without marks
    root = str(tmp_path)
    ruleguard.start(SOFTMAX, lambda filename: filename.startswith(root), tmp_path, fast=True)
    try:
        pinned = ruleguard.pin()
        try:
            mod.hidden(np.arange(3.0))
        finally:
            if pinned:
                ruleguard.unpin()
        assert sys.gettrace() is None and sys.getprofile() is None  # off again after the call
    finally:
        hits = ruleguard.stop()
    assert pinned and [(h.kind, h.line) for h in hits] == [("forbidden", 6)]


def test_the_submissions_function_in_torchs_dispatch_runs_watched(tmp_path):
    """Red-team round 2: the submission's function given to torch's handle_torch_function runs while
    torch has taken the mode off its stack; the mode puts itself back for it. Leaving the mode through
    its own __exit__ is tampering."""
    mod, owns = _student(tmp_path, """
        import functools, importlib
        _t = importlib.import_module("to" + "rch")
        _o = importlib.import_module("torch.over" + "rides")

        def _inside(t, axis):
            return list(map(functools.partial(getattr(_t, "soft" + "max"), dim=axis), [t]))[0]

        def via_dispatch(t):
            return _o.handle_torch_function(_inside, (t,), t, 0)

        def leave_mode(t):
            mode = _o._get_current_function_mode_stack()[-1]
            _o.TorchFunctionMode.__exit__(mode, None, None, None)
            try:
                return _inside(t, 0)
            finally:
                mode.__enter__()
        """)
    t = torch.arange(3.0, dtype=torch.float64)
    hits = _watch(SOFTMAX, owns, tmp_path, lambda: mod.via_dispatch(t))
    assert ("forbidden", 7) in {(h.kind, h.line) for h in hits}
    hits = _watch(SOFTMAX, owns, tmp_path, lambda: mod.leave_mode(t))
    assert "tamper" in {h.kind for h in hits}


def test_torch_functions_routed_through_VF_are_not_the_softmax_family(tmp_path):
    """Honest code (red-team round 2): torch.einsum, split, norm and broadcast_tensors go through
    torch._VF; only the softmax family there is forbidden in ex3 / ex6."""
    mod, owns = _student(tmp_path, """
        import importlib
        import torch

        def scores(q, k):
            a, b = torch.broadcast_tensors(q, k)
            return torch.einsum("ij,kj->ik", a, b), torch.split(a, 1), torch.norm(a), torch.tensordot(a, b)

        def private(x):
            return getattr(getattr(torch, "_" + "VF"), "_safe_" + "softmax")(x, 0)
        """)
    x = torch.ones(2, 2, dtype=torch.float64)
    assert _watch(SOFTMAX, owns, tmp_path, lambda: mod.scores(x, x)) == []
    hits = _watch(SOFTMAX, owns, tmp_path, lambda: mod.private(x))  # the function, and the operation it runs
    assert [(h.kind, h.name, h.line) for h in hits] == [("forbidden", "torch._safe_softmax", 10), (
        "forbidden", "torch.ops.aten._safe_softmax (an operation run by torch)", 10)]


def test_torch_C_nn_forbids_its_softmax_and_attention_kernels_not_its_layers(tmp_path):
    """Honest code: F.linear, F.gelu and F.pad are torch._C._nn functions, allowed in ex3 / ex6's
    rule-bound tasks; torch._C._nn's attention and cross-entropy, and torch's private attention
    kernels (they return the attention weights, a softmax), are not."""
    mod, owns = _student(tmp_path, """
        import torch
        import torch.nn.functional as F

        def layers(x, w):
            return F.gelu(F.linear(F.pad(x, (0, 1)), w))

        def weights(q):
            return torch._scaled_dot_product_attention_math(q, q, q)[1]

        def through_cross_entropy(x):
            return torch._C._nn.cross_entropy_loss(x, torch.zeros(len(x), dtype=torch.long))
        """)
    x, w = torch.ones(2, 2, dtype=torch.float64), torch.ones(2, 3, dtype=torch.float64)
    assert _watch(SOFTMAX, owns, tmp_path, lambda: mod.layers(x, w)) == []
    logits = ruleguard.catalogue(catalogue_key("ex6_probability", "cross_entropy_from_logits"))
    assert _watch(logits, owns, tmp_path, lambda: mod.layers(x, w)) == []
    q = torch.ones(1, 2, 2, dtype=torch.float64)
    hits = _watch(SOFTMAX, owns, tmp_path, lambda: mod.weights(q))  # the kernel, and the softmax it runs
    assert [(h.kind, h.name, h.line) for h in hits] == [("forbidden", "torch._scaled_dot_product_attention_math", 9), (
        "forbidden", "torch.ops.aten._safe_softmax (an operation run by torch)", 9)]
    for catalogue in (SOFTMAX, logits):
        hits = _watch(catalogue, owns, tmp_path, lambda: mod.through_cross_entropy(x))
        assert [(h.kind, h.name, h.line) for h in hits][:2] == [("forbidden", "torch._C._nn.cross_entropy_loss", 12), (
            "forbidden", "torch.ops.aten._log_softmax (an operation run by torch)", 12)]
    mha = ruleguard.catalogue(catalogue_key("ex9_multihead", "multi_head_attention"))
    hits = _watch(mha, owns, tmp_path, lambda: mod.weights(q))
    assert [(h.kind, h.name) for h in hits] == [("forbidden", "torch._scaled_dot_product_attention_math")]


#: Code of a submission: endless recursion, and a library softmax reached by computed names.
_RECURSION = """
        import importlib

        def _deep(n):
            return _deep(n + 1)

        def _library_softmax(x):
            return getattr(importlib.import_module("scipy." + "special"), "soft" + "max")(x)

"""


def test_a_hook_python_removes_is_reported_as_lost_not_as_tampering(tmp_path):
    """CPython unsets a profile or trace function that raises (``profile_trampoline`` in
    sysmodule.c): at the recursion limit the call of the hook itself raises RecursionError.
    The code that runs after that is not watched (here: a library softmax). The check reports the
    lost hook (kind LOST: the plugin fails that test, not the task), also when the grader pinned
    the hooks around the call (found in this session: the end of the pin put the hook back and
    nothing was reported, in both grading modes). Bounded recursion loses nothing."""
    from autograder.checks.hits import END_OF_TEST, LOST

    mod, owns = _student(tmp_path, _RECURSION + """
        def past_the_recursion_limit(x):
            try:
                _deep(0)
            except RecursionError:
                pass
            return _library_softmax(x)

        def bounded_recursion(x, depth=50):
            return x / x.sum() if depth == 0 else bounded_recursion(x, depth - 1)
        """)
    x = np.arange(3.0)

    def pinned(func):
        def call():
            pinned_now = ruleguard.pin()  # as the grader does around a call (marks only)
            try:
                func(x)
            finally:
                if pinned_now:
                    ruleguard.unpin()
        return call

    for func in (mod.past_the_recursion_limit,):
        for call in (lambda: func(x), pinned(func)):
            hits = _watch(SOFTMAX, owns, tmp_path, call)
            assert LOST in {h.kind for h in hits}, (func.__name__, hits)
            assert all(h.kind in (LOST, "forbidden") for h in hits), hits  # never called tampering
            lost = next(h for h in hits if h.kind == LOST)
            assert lost.file == END_OF_TEST and lost.name in ("sys.setprofile", "sys.settrace")
            assert sys.getprofile() is None and sys.gettrace() is None  # the check is off after stop()
    message = lost.message()
    assert "RecursionError" in message and "再帰" in message and "this test fails" in message
    assert _watch(SOFTMAX, owns, tmp_path, lambda: mod.bounded_recursion(x)) == []
    assert _watch(SOFTMAX, owns, tmp_path, pinned(mod.bounded_recursion)) == []


_ODD_CLASSES = """
        import threading

        RAN_IN_THE_HOOK = []

        class _OddClass(list):  # isinstance() reads __class__
            @property
            def __class__(self):
                RAN_IN_THE_HOOK.append("__class__")
                raise LookupError("no class")

        class _Meta(type):  # what naming a method or keying a cache by its class could run
            @property
            def __module__(cls):
                RAN_IN_THE_HOOK.append("__module__")
                raise LookupError("no module")

            def __hash__(cls):
                RAN_IN_THE_HOOK.append("__hash__")
                return 12345

            def __eq__(cls, other):
                RAN_IN_THE_HOOK.append("__eq__")
                return cls is other

        class _OddMeta(list, metaclass=_Meta):
            pass

        def odd_but_honest(x):
            _OddClass().append(1)
            _OddMeta().append(1)
            return x / x.sum()

        def odd_then_library(x):
            _OddMeta().append(1)
            return _library_softmax(x)

        def odd_in_a_thread(x):
            out = []
            def work():
                _OddMeta().append(2)
                out.append(_library_softmax(x))
            t = threading.Thread(target=work)
            t.start()
            t.join()
            return out[0]
"""


def test_the_hook_never_runs_code_of_the_submission(tmp_path):
    """Python reports no call made inside a profile hook, so code of the submission run by the
    hook's own work is unwatched. Found by red-team helpers: a ``__class__`` property read by
    ``isinstance``, a metaclass ``__module__`` property read to name a method (raising there made
    Python remove the hook, unnoticed in a thread) and a metaclass ``__hash__`` run by a cache
    lookup keyed by the class (it computed a library softmax unseen: full marks in both modes). The
    check reads classes through ``type``'s own getters and keys its caches by ``id``: none of that
    code runs, honest odd classes cost nothing, and the library call after them is seen (in a
    thread too)."""
    mod, owns = _student(tmp_path, _RECURSION + _ODD_CLASSES)
    x = np.arange(3.0)
    name = Path(mod.__file__).name
    assert _watch(SOFTMAX, owns, tmp_path, lambda: mod.odd_but_honest(x)) == []
    for func in (mod.odd_then_library, mod.odd_in_a_thread):
        hits = _watch(SOFTMAX, owns, tmp_path, lambda: func(x))
        assert {(h.kind, h.file) for h in hits} == {("forbidden", name)}, hits
    assert mod.RAN_IN_THE_HOOK == []


_CRAFTED_CODE = """
        import types

        class _Name(str):  # what a code object's names may be: a str subclass with its own methods
            def __hash__(self):
                RAN_IN_THE_HOOK.append("name __hash__")
                return str.__hash__(self)

            def __eq__(self, other):
                RAN_IN_THE_HOOK.append("name __eq__")
                return str.__eq__(self, other)

            def startswith(self, *args):
                RAN_IN_THE_HOOK.append("name startswith")
                return str.startswith(self, *args)

        class _Constant:  # a code object's hash and == read its constants
            def __hash__(self):
                RAN_IN_THE_HOOK.append("constant __hash__")
                return 1

            def __eq__(self, other):
                RAN_IN_THE_HOOK.append("constant __eq__")
                return self is other

        def _plain(x):
            return x / x.sum()

        def _calls_library(x):
            return _library_softmax(x)

        def _craft(func, **fields):
            return types.FunctionType(func.__code__.replace(**fields), func.__globals__)

        def _made(**fields):
            return _craft(_plain, **fields), _craft(_calls_library, **fields)

        CRAFTED = {
            "file name": _made(co_filename=_Name(__file__)),
            "function name": _made(co_name=_Name("__add__"), co_qualname=_Name("softmax")),
            "constant": (_craft(_plain, co_consts=_plain.__code__.co_consts + (_Constant(),)),
                         _craft(_calls_library, co_consts=_calls_library.__code__.co_consts + (_Constant(),))),
        }
"""


def test_code_the_submission_made_runs_none_of_its_objects_inside_the_hook(tmp_path):
    """Another case of "the hook runs the submission's code": Python lets a code object carry a
    ``str`` subclass as its file name or name and any object among its constants, and a code
    object's hash and ``==`` read those. The check looked such code up in dicts keyed by code
    object or file name inside the hook (where Python reports no call), so its methods ran there,
    unwatched. Now those caches are keyed by ``id`` and names are read as exact ``str``: none of
    it runs, honest code made that way costs nothing, and a library call from it is seen at the
    submission's file."""
    mod, owns = _student(tmp_path, _RECURSION + "        RAN_IN_THE_HOOK = []\n" + _CRAFTED_CODE)
    x = np.arange(1.0, 4.0)
    name = Path(mod.__file__).name
    for kind, (honest, library) in mod.CRAFTED.items():
        for catalogue in (SOFTMAX, BACKWARD):  # BACKWARD forbids operator overloading too
            assert _watch(catalogue, owns, tmp_path, lambda: honest(x)) == [], kind
        hits = _watch(SOFTMAX, owns, tmp_path, lambda: library(x))
        assert {(h.kind, h.file) for h in hits} == {("forbidden", name)}, (kind, hits)
        assert mod.RAN_IN_THE_HOOK == [], kind


def test_each_wrapped_library_function_is_named_as_itself(tmp_path):
    """Functions no profile hook sees (ufuncs, Cython functions) are replaced by one wrapper each,
    known by its code object. Code objects compare equal whatever their file name, so the wrappers
    of ``scipy.special.entr`` (a ufunc) and ``scipy.special.cython_special.entr`` (a Cython function)
    were one key, and both calls were reported under one name. Each is named as itself now."""
    from autograder.checks import visibility

    mod, owns = _student(tmp_path, """
        import importlib

        def _entr(module, v):
            return getattr(importlib.import_module(module), "en" + "tr")(v)

        def by_ufunc(v):
            return _entr("scipy." + "special", v)

        def by_cython(v):
            return _entr("scipy.special." + "cython_special", v)
    """)
    codes = [code for code, dotted in visibility.WRAPPED.values() if dotted.endswith(".entr")]
    assert len(codes) == 2 and codes[0] == codes[1]  # why the wrappers are known by id
    for func, dotted in ((mod.by_ufunc, "scipy.special.entr"), (mod.by_cython, "scipy.special.cython_special.entr")):
        hits = _watch(ENTROPY, owns, tmp_path, lambda: func(0.5))
        assert [(h.kind, h.name) for h in hits] == [("forbidden", dotted)], hits


def test_an_exception_inside_the_hook_is_caught_the_hook_stays_and_the_test_fails(tmp_path):
    """Python removes a profile hook that raises, and in a thread the submission started nobody
    would notice: the hook catches any Exception of its own work (here injected: a catalogue that
    fails on ``list.append``), stays on (the later library softmax is seen, in the thread too), and
    the call it could not classify fails the test (LOST, at the submission's line: not the task)."""
    from autograder.checks.hits import LOST, UNREADABLE_NAME

    class Failing:
        def __init__(self, catalogue):
            self._catalogue = catalogue

        def c_name(self, func):
            if getattr(func, "__name__", "") == "append":
                raise LookupError("cannot classify")
            return self._catalogue.c_name(func)

        def __getattr__(self, attr):
            return getattr(self._catalogue, attr)

    mod, owns = _student(tmp_path, _RECURSION + _ODD_CLASSES)
    x = np.arange(3.0)
    name = Path(mod.__file__).name
    lines = Path(mod.__file__).read_text().splitlines()
    for func, line in ((mod.odd_then_library, "    _OddMeta().append(1)"),
                       (mod.odd_in_a_thread, "        _OddMeta().append(2)")):
        hits = _watch(Failing(SOFTMAX), owns, tmp_path, lambda: func(x))
        number = len(lines) - lines[::-1].index(line)  # the last such line: in func
        assert (LOST, UNREADABLE_NAME, name, number) in {(h.kind, h.name, h.file, h.line) for h in hits}, \
            hits
        assert "forbidden" in {h.kind for h in hits}, hits  # the hook stayed on: the softmax is seen
        assert sys.getprofile() is None and sys.gettrace() is None
    message = next(h for h in hits if h.kind == LOST).message()
    assert "例外" in message and "could not tell whether a call" in message and "This test fails" in message


def test_a_thread_that_reaches_the_recursion_limit_is_given_up_not_left_unwatched(tmp_path):
    """The hole the README named: in a thread the submission starts, a RecursionError caught there
    made Python remove that thread's hook, and what the thread did next (a library softmax) was
    neither watched nor reported (Python 3.11 cannot read another thread's hook). The hook now
    counts the thread's depth and gives the thread up first (LOST: the test fails, not the task).
    A thread given up that still runs costs every later rule-bound test; once it has ended, nothing
    is left. Threads of ordinary depth lose nothing. Another case of the kind: a recursion limit
    lowered under the thread's stack (``sys.setrecursionlimit``) inside the thread."""
    import threading

    from autograder.checks.hits import END_OF_TEST, LOST

    mod, owns = _student(tmp_path, _RECURSION + """
        import sys, threading

        def _in_thread(work):
            out = []
            t = threading.Thread(target=lambda: out.append(work()))
            t.start()
            t.join()
            return out[0]

        def past_the_limit_in_a_thread(x):
            def work():
                try:
                    _deep(0)
                except RecursionError:
                    pass
                return _library_softmax(x)
            return _in_thread(work)

        def limit_lowered_in_a_thread(x):
            def work():
                limit = sys.getrecursionlimit()
                sys.setrecursionlimit(20)
                try:
                    _deep(0)
                except RecursionError:
                    pass
                sys.setrecursionlimit(limit)
                return _library_softmax(x)
            return _in_thread(work)

        def bounded_in_a_thread(x, depth=100):
            def down(n):
                return x / x.sum() if n == 0 else down(n - 1)
            return _in_thread(lambda: down(depth))

        release = threading.Event()

        def _stays(started):
            try:
                _deep(0)
            except RecursionError:
                pass
            started.set()
            release.wait(60)

        def leaves_a_thread_running():
            started = threading.Event()
            threading.Thread(target=_stays, args=(started,), daemon=True).start()
            started.wait(60)
        """)
    x = np.arange(3.0)
    for func in (mod.past_the_limit_in_a_thread, mod.limit_lowered_in_a_thread):
        hits = _watch(SOFTMAX, owns, tmp_path, lambda: func(x))
        assert (LOST, "threading.setprofile", END_OF_TEST, 0) in {(h.kind, h.name, h.file, h.line) for h in hits}, \
            (func.__name__, hits)
        assert all(h.kind in (LOST, "forbidden") for h in hits), hits
    message = next(h for h in hits if h.kind == LOST).message()
    assert "スレッド" in message and "a thread your code started" in message and "This test fails" in message
    assert _watch(SOFTMAX, owns, tmp_path, lambda: mod.bounded_in_a_thread(x)) == []
    # given up in one test and still running: the next rule-bound test fails too; then no more
    hits = _watch(SOFTMAX, owns, tmp_path, mod.leaves_a_thread_running)
    assert LOST in {h.kind for h in hits}
    assert [h.kind for h in _watch(SOFTMAX, owns, tmp_path, lambda: None)] == [LOST]
    mod.release.set()
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and thread.daemon:
            thread.join(10)
    assert _watch(SOFTMAX, owns, tmp_path, lambda: None) == []


def test_the_graders_own_time_limit_thread_is_never_given_up(tmp_path):
    """The per-test time limit's watcher thread (guard.Deadline) is the grader's: it is started
    without the check's thread hook, so a low recursion limit (a submission may set one at import;
    selftests/test_grading.py's sets 60) never makes the check give it up as a submission's thread
    near the limit, which would fail later rule-bound tests of honest code. Here its clock reads
    go as deep as the margin while the limit is as low as the stack allows."""
    import time

    from autograder.submission.guard import Deadline

    frame, used = sys._getframe(), 0
    while frame is not None:
        frame, used = frame.f_back, used + 1
    reads = []

    def deep_clock(n=used + 40):  # past the margin of the limit below, short of the limit itself
        if n:
            return deep_clock(n - 1)
        reads.append(1)
        return 0.0

    assert ruleguard.GUARD._threads_given_up() is None  # none left by earlier tests
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(used + ruleguard.THREAD_MARGIN + 30)
    try:
        with Deadline(5.0, extra_cpu=deep_clock):
            deadline = time.monotonic() + 10
            while len(reads) < 3 and time.monotonic() < deadline:
                time.sleep(0.01)
            assert len(reads) >= 3
            assert ruleguard.GUARD.lost_threads == set()
    finally:
        sys.setrecursionlimit(limit)


def test_a_recursion_limit_lowered_below_the_stack_does_not_cost_honest_code(tmp_path):
    """selftests/test_grading.py's submission sets ``sys.setrecursionlimit(60)`` at import: the
    first call of the hook would reach that limit and Python would remove it (LOST). The check
    makes room for itself when a test starts (HEADROOM frames above the stack); the grader restores
    the limit after the test."""
    mod, owns = _student(tmp_path, """
        import numpy as np

        def honest(x):
            return x / np.sqrt(np.sum(x * x))
        """)
    frame, used = sys._getframe(), 0
    while frame is not None:
        frame, used = frame.f_back, used + 1
    limit = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(used + 20)
        assert _watch(SOFTMAX, owns, tmp_path, lambda: mod.honest(np.arange(1.0, 4.0))) == []
        assert sys.getrecursionlimit() >= used + ruleguard.HEADROOM
    finally:
        sys.setrecursionlimit(limit)


def test_a_task_name_bound_to_a_library_function_is_the_submissions_call(tmp_path):
    """Found by a red-team helper: ``attention_entropy = functools.partial(scipy.stats.entropy,
    axis=-1)`` runs no code of the submission, so no frame of it was on the stack and the library
    call was not counted (2 of 3 points in every mode). The grader calls a task through
    :func:`ruleguard.call_into`; what runs under it with no frame of the submission in between is
    the submission's (named as the task's object). A partial of the submission's own function
    costs nothing, and neither does the test's own call of the library (its oracle)."""
    import scipy.stats

    from autograder.checks.hits import TASK_OBJECT

    mod, owns = _student(tmp_path, """
        import functools, importlib
        import numpy as np

        attention_entropy = functools.partial(getattr(importlib.import_module("scipy." + "stats"),
                                                      "entr" + "opy"), axis=-1)

        def _own(weights, axis):
            p = np.asarray(weights, dtype=float)
            logs = np.log(np.where(p > 0, p, 1.0))
            return -(p * logs).sum(axis=axis)

        own_partial = functools.partial(_own, axis=-1)
        """)
    x = np.array([[0.5, 0.5], [1.0, 0.0]])

    def as_the_grader(func):
        def call():
            pinned = ruleguard.pin()
            try:
                return ruleguard.call_into(func, (x,), {})
            finally:
                if pinned:
                    ruleguard.unpin()
        return call

    hits = _watch(ENTROPY, owns, tmp_path, as_the_grader(mod.attention_entropy))
    assert {(h.kind, h.file) for h in hits} == {("forbidden", TASK_OBJECT)}, hits
    assert hits[0].name == "scipy.stats.entropy" and "task's name" in hits[0].message()
    assert _watch(ENTROPY, owns, tmp_path, as_the_grader(mod.own_partial)) == []
    assert _watch(ENTROPY, owns, tmp_path, lambda: scipy.stats.entropy(x, axis=-1)) == []


def test_the_arguments_of_a_call_into_the_submission_live_until_the_check_stops(tmp_path):
    """Found by a red-team helper: a finaliser the submission attached to the test's argument
    (``weakref.finalize`` with C callables only) ran when the test dropped the argument, after the
    call returned and the check went off, and filled the returned array with a library softmax
    (local mode; red-team case ``finalizer_after_return``). The arguments now live until the
    check stops, after the test's comparisons."""
    import weakref

    mod, owns = _student(tmp_path, "def task(a):\n    return 1\n")
    fired = []

    class Arg:
        pass

    arg = Arg()
    weakref.finalize(arg, fired.append, "late")
    ruleguard.start(SOFTMAX, owns, tmp_path, fast=_FAST)
    try:
        assert ruleguard.call_into(mod.task, (arg,), {}) == 1
        del arg
        assert fired == []  # kept while the check is on
    finally:
        ruleguard.stop()
    assert fired == ["late"]


_LATER = """
        import gc, importlib, signal, sys, weakref
        from collections import deque
        from functools import partial
        from itertools import chain
        import numpy as np

        _lib = getattr(importlib.import_module("scipy." + "special"), "soft" + "max")
        KEPT = []

        class _Box:
            pass

        def _job(out, x):  # C callables only: no frame of the submission when it runs
            return chain(map(np.copyto, [out], map(_lib, [x])))

        def fill_at_gc(x):
            out = np.zeros_like(x)
            box = _Box()
            box.me = box  # a cycle: freed by the garbage collector, whenever it runs next
            weakref.finalize(box, deque, _job(out, x), 0)
            return out

        def first(x):
            out = np.zeros_like(x)
            KEPT[:] = [weakref.ref(out)]
            return out

        def fill_when_dropped(x):  # when the test drops the result of first(), fill this one
            out = np.zeros_like(x)
            weakref.finalize(KEPT[0](), deque, _job(out, x), 0)
            return out

        def collect():
            gc.collect()

        def audit_hook(x):
            sys.addaudithook(partial(deque, _job(np.zeros_like(x), x), 0))
            return x

        def alarm(x):
            signal.setitimer(signal.ITIMER_REAL, 0)
            return x

        def scripted(x):
            torch = importlib.import_module("to" + "rch")
            try:
                torch.jit.script(lambda t: t)
            except Exception:  # what TorchScript makes of this file does not matter here
                pass
            return x
"""


def test_code_made_to_run_after_the_call_runs_watched_or_is_refused(tmp_path):
    """Found by a red-team helper: callbacks made of C callables only (no frame of the submission)
    that Python runs after the submission's call returned, during the test's own code: a finaliser
    of a garbage cycle, a weakref callback on a result the test drops, an audit hook, a signal
    timer; and TorchScript, which runs torch operations where the torch function mode sees none.
    Automatic garbage collection now runs only while the submission's code runs (watched), what the
    test's calls took and gave lives until the check stops, audit hooks are refused, and the rest is
    reported as tampering."""
    mod, owns = _student(tmp_path, _LATER)
    x = np.array([1.0, 2.0, 3.0])
    name = Path(mod.__file__).name

    def gc_after_return():
        out = ruleguard.call_into(mod.fill_at_gc, (x,), {})
        assert not __import__("gc").isenabled()  # the test's own code: no automatic collection
        garbage = [[[]] for _ in range(50_000)]  # would have run a collection (and the finaliser)
        del garbage
        assert not out.any()  # the finaliser has not filled it in during the test's code
        ruleguard.call_into(mod.collect, (), {})  # it runs at the next collection, watched

    hits = _watch(SOFTMAX, owns, tmp_path, gc_after_return)
    assert {(h.kind, h.name, h.file) for h in hits} == {("forbidden", "scipy.special.softmax", name)}, hits

    def result_dropped():
        out = ruleguard.call_into(mod.first, (x,), {})
        out = ruleguard.call_into(mod.fill_when_dropped, (x,), {})  # drops the first result
        assert not out.any()  # the first result is kept until the check stops

    hits = _watch(SOFTMAX, owns, tmp_path, result_dropped)  # the fill ran when the check released the
    assert [(h.kind, h.name) for h in hits] == [("forbidden", "scipy.special.softmax")], hits  # first result: seen
    for func, tamper in ((mod.audit_hook, "sys.addaudithook"), (mod.alarm, "signal.setitimer"),
                         (mod.scripted, "torch.jit.script (TorchScript)")):
        hits = _watch(SOFTMAX, owns, tmp_path, lambda: ruleguard.call_into(func, (x,), {}))
        assert ("tamper", tamper, name) in {(h.kind, h.name, h.file) for h in hits}, hits
    assert __import__("gc").isenabled()
    events = []
    sys.addaudithook(events.append)  # refused: the grader's own hook added no later one
    sys.audit("workbook.selftest")
    assert events == []


_BY_WHOM = """
        import ast, builtins, collections, copy, dataclasses, functools, gc, importlib, timeit, typing
        import numpy as np

        def library_uses(x):  # timeit turns the collector back on, dataclasses run exec: their own use
            timeit.timeit(lambda: None, number=1)
            dataclasses.make_dataclass("Point", ["x", "y"])
            collections.namedtuple("Pair", "a b")(1, 2)  # eval
            ast.parse("y = 1")  # compile
            typing.get_type_hints(typing.NamedTuple("T", [("a", "int")]))  # eval of a forward reference
            return x

        def trampolined(x):  # a library function that calls what it is given (red team)
            code = getattr(copy, "_recon" + "struct")(None, None, getattr(builtins, "com" + "pile"),
                                                       ("y = 1", np.__file__, "exec"))
            return x

        def own_use(x):
            list(map(gc.enable, [None][:0]))  # nothing called: no hit
            getattr(builtins, "ex" + "ec")("y = 1", {})  # run-time code, under a name of its choosing
            return x

        class Net:
            def __init__(self):
                self.alias = self.backward  # its own method under another name: honest

            def backward(self, x):
                return x

        def honest_net():
            return Net()

        def replaced_net():
            net = Net()
            net.backward = functools.partial(getattr(importlib.import_module("scipy." + "special"), "soft" + "max"))
            return net

        def replaced_artist():
            from matplotlib.figure import Figure
            fig = Figure()
            bar, = fig.add_subplot().bar([0], [0.0])
            bar.get_height = functools.partial(float, 0.5)
            return fig
"""


def test_who_calls_a_run_time_code_function_and_methods_replaced_on_returned_objects(tmp_path):
    """Found by a red-team helper: ``gc.enable`` counted as tampering also when ``timeit`` (a
    library, on the submission's behalf) called it; ``exec`` of code compiled under numpy's file name,
    reached by a computed name, made a method no frame of which is the submission's, and a method
    replaced on a returned object (``net.backward = partial(...)``, a bar's ``get_height``) runs when
    the test calls it, out of sight. Such functions count when the submission's own code calls them;
    methods replaced by what is no function of the submission are reported when the call returns."""
    mod, owns = _student(tmp_path, _BY_WHOM)
    name = Path(mod.__file__).name
    x = np.arange(3.0)
    assert _watch(SOFTMAX, owns, tmp_path, lambda: ruleguard.call_into(mod.library_uses, (x,), {})) == []
    hits = _watch(SOFTMAX, owns, tmp_path, lambda: ruleguard.call_into(mod.own_use, (x,), {}))
    assert [(h.kind, h.name, h.file) for h in hits] == [("tamper", "builtins.exec", name)], hits
    hits = _watch(SOFTMAX, owns, tmp_path, lambda: ruleguard.call_into(mod.trampolined, (x,), {}))
    assert [(h.kind, h.name, h.file) for h in hits] == [("tamper", "builtins.compile", name)], hits
    assert "makes code from text or bytes" in hits[0].message()
    assert _watch(SOFTMAX, owns, tmp_path, lambda: ruleguard.call_into(mod.honest_net, (), {})) == []
    for func, replaced in ((mod.replaced_net, "Net.backward"), (mod.replaced_artist, "Rectangle.get_height")):
        hits = _watch(SOFTMAX, owns, tmp_path, lambda: ruleguard.call_into(func, (), {}))
        assert [(h.kind, h.name) for h in hits] == [("tamper", replaced + " (replaced on the object)")], hits
        assert "returned" in hits[0].message()
    # NumPy keeps the class's own value on the instance (MaskedArray._baseclass): nothing replaced
    # (an honest masked array returned was reported as tampering, helper-53); a method replaced is
    import functools

    from autograder.checks.tampering import replaced_methods

    masked = np.ma.masked_array(np.eye(2), mask=[[0, 1], [0, 0]])
    assert replaced_methods((masked,), lambda code: False) == []
    masked.filled = functools.partial(np.zeros, 2)
    assert replaced_methods((masked,), lambda code: False) == ["MaskedArray.filled"]


def test_a_frame_is_trusted_for_its_file_only_when_it_runs_code_that_file_holds():
    """Found by a red-team session: code made under a library's file name (compile through a
    trampoline, ``code.replace`` through ``functools.partial``) passed as the library's own frame,
    which the check trusts for torch's mode handling and kernel registrations, the import system and
    threading. :func:`genuine` compares a code object with what its file compiles to."""
    import contextlib
    import copy
    import functools
    import importlib._bootstrap as bootstrap
    import threading

    import torch
    import torch.overrides

    from autograder.checks.genuine import genuine, library_call

    for real in (torch.overrides.handle_torch_function, torch.library.Library.impl, bootstrap._find_and_load,
                 threading.Thread.start, contextlib.contextmanager, copy.deepcopy, genuine):
        assert genuine(real.__code__), real
    nested = torch.overrides.handle_torch_function.__code__
    helper = next(c for c in contextlib.contextmanager.__code__.co_consts if type(c) is type(nested))
    assert genuine(helper)  # a function defined inside another one
    forged = compile("def handle_torch_function(*a):\n    return a\n", torch.overrides.__file__, "exec")
    relabelled = functools.partial(_bare.__code__.replace, co_filename=torch.overrides.__file__,
                                   co_name="handle_torch_function", co_qualname="handle_torch_function")()
    shifted = nested.replace(co_consts=nested.co_consts + ("extra",))  # the same bytecode, other constants
    for fake in (forged, forged.co_consts[0], relabelled, shifted, compile("1", "<string>", "eval"), None, "code"):
        assert not genuine(fake), fake
    # a C function called by library code that names it, not by code that calls what it is given:
    # the frame of os.walk (a frozen module's generator) names os.scandir, not exec
    import os
    walk = os.walk(".").gi_frame
    assert library_call(walk, os.scandir) and not library_call(walk, exec) and not library_call(None, exec)


def test_only_the_graders_own_code_is_remembered_as_the_graders(tmp_path):
    """warm_grader remembers the grader's code objects by identity (for a worker that cannot read the
    grader's files). A module that claims a file of the grader (``__file__`` set by the submission) adds
    none of its functions; the grader's own functions and the methods dataclasses made for its classes
    are remembered; a module object already looked at is not read again (one dictionary lookup)."""
    import sys
    import types

    from autograder.checks import genuine
    from autograder.checks.ruleguard import Hit

    claimed = types.ModuleType("claims_to_be_the_grader")
    exec(compile("def helper(x):\n    return x\n", str(tmp_path / "student.py"), "exec"), claimed.__dict__)
    claimed.__file__ = str(Path(genuine.__file__).with_name("planted.py"))
    sys.modules[claimed.__name__] = claimed
    try:
        genuine.warm_grader()
        assert genuine._grader_codes.get(id(claimed.helper.__code__)) is None
        assert genuine._grader_codes.get(id(genuine.warm_grader.__code__)) is genuine.warm_grader.__code__
        assert genuine._grader_codes.get(id(Hit.__eq__.__code__)) is Hit.__eq__.__code__  # dataclasses' own
        assert genuine._looked_at.get(claimed.__name__) is claimed
    finally:
        del sys.modules[claimed.__name__]


def _bare(*a):
    return a


_SWITCHED_FROM_C = """
        import functools, importlib
        import torch

        _C = getattr(torch, "_" + "C")

        def modes_off_from_c(x):  # no Python frame of the submission's calls the C functions
            off = functools.partial(getattr(_C, "_pop_torch" + "_function_stack"))()
            try:
                return x
            finally:
                functools.partial(getattr(_C, "_push_on_torch" + "_function_stack"), off)()

        def as_enter(x):  # the C function as a context manager's __enter__ (called by `with`)
            Off = type("Off", (), {"__enter__": getattr(_C, "Disable" + "TorchFunction"), "__exit__": lambda *a: None})
            with Off():
                pass
            return x

        def torch_prints(x):  # torch's own printing takes its modes off and puts them back
            print(torch.ones(2) * 2)
            return x
"""


def test_torch_mode_switches_called_from_c_are_seen(tmp_path):
    """Found by a red-team helper: torch's mode-stack C functions called from C (functools.partial, a
    C function as ``__enter__``) made no profile event; the modes came off around a forbidden call
    and went back unseen. They are visible wrappers in every module now; torch's own use is excused
    as before, and the check itself calls the originals."""
    from autograder.checks.visibility import SWITCH_ORIGINALS

    mod, owns = _student(tmp_path, _SWITCHED_FROM_C)
    assert torch._C._pop_torch_function_stack is not SWITCH_ORIGINALS["_pop_torch_function_stack"]
    x = np.arange(3.0)
    for func, name in ((mod.modes_off_from_c, "torch._C._pop_torch_function_stack"),
                       (mod.as_enter, "torch._C.DisableTorchFunction")):
        hits = _watch(SOFTMAX, owns, tmp_path, lambda: ruleguard.call_into(func, (x,), {}))
        assert ("tamper", name) in {(h.kind, h.name) for h in hits}, hits
    assert _watch(SOFTMAX, owns, tmp_path, lambda: ruleguard.call_into(mod.torch_prints, (x,), {})) == []


def test_the_scan_for_replaced_methods_reads_figures_without_making_ticks():
    """The scan of what a call returned walks a figure's artists as ``findobj`` does, but an Axis's
    ticks only where they exist (``findobj`` makes them: ~10 ms per Axes at every return), and still
    finds a method replaced on a tick that exists, a bar or the figure itself."""
    import functools

    import matplotlib.pyplot as plt

    from autograder.checks.tampering import replaced_methods

    fig, (left, right) = plt.subplots(1, 2)
    try:
        bars = left.bar([0, 1], [1.0, 2.0])

        def ticks() -> list[int]:
            return [len(vars(axis).get(name, ())) for ax in (left, right) for axis in (ax.xaxis, ax.yaxis)
                    for name in ("majorTicks", "minorTicks")]

        before = ticks()
        assert replaced_methods((fig,), lambda code: True) == []
        assert ticks() == before
        tick = right.xaxis.get_major_ticks()[0]  # made by the test's own reading
        tick.get_loc = functools.partial(float, 1.0)
        bars[1].get_height = functools.partial(float, 3.0)
        fig.get_figwidth = functools.partial(float, 4.0)
        found = replaced_methods((fig,), lambda code: True)
        assert sorted(found) == ["Figure.get_figwidth", "Rectangle.get_height", "XTick.get_loc"], found
        assert ticks()[:4] == before[:4]  # the left Axes, which the test did not read
        # a class made for an artist (red team): its C callables and foreign functions count, the
        # submission's own methods (here: any code counts as the submission's) do not
        from matplotlib.patches import Rectangle

        bars[0].__class__ = type("Bar", (Rectangle,), {"get_width": staticmethod(functools.partial(float, 2.0))})
        assert "Bar.get_width" in replaced_methods((fig,), lambda code: True)
        bars[0].__class__ = type("Bar", (Rectangle,), {"get_width": lambda self: 2.0})
        assert "Bar.get_width" not in replaced_methods((fig,), lambda code: True)
        assert "Bar.get_width" in replaced_methods((fig,), lambda code: False)  # no code of the submission's
    finally:
        plt.close(fig)


def test_library_kernels_are_seen_as_operations_by_name_family(tmp_path):
    """Library kernels reached by computed names: ex6's cross-entropy through
    ``torch._C._nn.cross_entropy_loss`` (a red-team finding, 20/20: the kernel was forbidden in ex3 and
    ex6's logits task only), and ex3's softmax through the sparse kernel, which the dispatch mode sees
    as ``aten::_sparse_softmax`` (operation names are matched by word, not exactly); ordinary
    operations (exp, log, sum) count in neither."""
    import torch

    mod, owns = _student(tmp_path, """
        import importlib
        import torch

        def kernel(logq, p):
            ce = getattr(importlib.import_module("torch." + "_" + "C._nn"), "cross_entropy" + "_loss")
            return ce(logq, p, None, 2, -100, 0.0)

        def sparse(x):
            return getattr(getattr(torch, "spar" + "se"), "soft" + "max")(x.to_sparse(), 0).to_dense()

        def plain(x):
            return (torch.exp(x) * torch.log(x)).sum()
        """)
    entropy = ruleguard.catalogue(catalogue_key("ex6_probability", "cross_entropy"))
    p = torch.tensor([0.25, 0.75], dtype=torch.float64)
    hits = _watch(entropy, owns, tmp_path, lambda: mod.kernel(torch.log(p), p))
    # with probabilities as targets torch turns cross_entropy_loss into products and sums before the
    # dispatch mode: the kernel's name is what counts here
    assert "torch._C._nn.cross_entropy_loss" in {h.name for h in hits}, hits
    hits = _watch(SOFTMAX, owns, tmp_path, lambda: mod.sparse(p))
    assert "torch.ops.aten._sparse_softmax (an operation run by torch)" in {h.name for h in hits}, hits
    for catalogue in (entropy, SOFTMAX):
        assert _watch(catalogue, owns, tmp_path, lambda: mod.plain(p)) == []


def test_what_autograd_calls_back_inside_the_submissions_backward_is_watched(tmp_path):
    """Code given to autograd earlier runs inside ``backward`` / ``autograd.grad`` from C++, while
    torch has the function mode off (it handles that call): a pre-hook of C callables put on
    ``grad_fn`` through ``map`` (found reading, 20/20 before) and a saved-tensor unpack hook (the
    same kind) computed the cosine similarity unseen (a composite: the dispatch mode sees only its
    parts). The mode now stays on inside every call it watches (a custom operator's Python kernel, the
    same kind, is caught by its name already: ``torch._ops`` is forbidden with torch's functions);
    an honest backward gives no hit, and torch's own re-entry of the mode is not tampering."""
    import torch

    mod, owns = _student(tmp_path, """
        import functools
        import torch

        def prehook(x):
            leaf = torch.zeros((), dtype=x.dtype, requires_grad=True)
            out = leaf * 1.0
            it = map(lambda s: (s,), map(getattr(torch, "cosine" + "_similarity"), [x], [x + 1.0], [0]))
            list(map(out.grad_fn.register_prehook, [functools.partial(next, it)]))
            out.backward()
            return leaf.grad

        def unpack(x):
            leaf = torch.zeros((), dtype=x.dtype, requires_grad=True)
            with torch.autograd.graph.saved_tensors_hooks(
                    id, functools.partial(next, map(getattr(torch, "cosine" + "_similarity"), [x], [x + 1.0], [0]))):
                out = leaf.exp()
            return torch.autograd.grad(out, leaf)[0]

        def honest(x):
            leaf = x.clone().requires_grad_(True)
            y = leaf + 1.0
            (leaf @ y / (leaf.norm() * y.norm())).backward()
            return leaf.grad
        """)
    x = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    cosine = ruleguard.catalogue(catalogue_key("ex1_vectors", "cosine_similarity"))
    want = torch.cosine_similarity(x, x + 1.0, 0)
    for attack in (mod.prehook, mod.unpack):
        assert torch.allclose(attack(x), want)  # the attack works when nothing watches
        hits = _watch(cosine, owns, tmp_path, lambda attack=attack: attack(x))
        assert "torch.nn.functional.cosine_similarity" in {h.name for h in hits}, (attack, hits)
        assert not [h for h in hits if h.kind == "tamper"], hits
    assert _watch(cosine, owns, tmp_path, lambda: mod.honest(x)) == []


_RACE = r"""
import sys, threading
from autograder.checks import ruleguard

inside, done = threading.Event(), threading.Event()

def slow(event, args):  # another thread's install lets go of the GIL in its audit hooks, as ours do
    if event in ("sys.setprofile", "sys.settrace") and threading.current_thread().name == "other":
        inside.set()
        done.wait(60)  # until the main thread's call has been made (no timing involved)

sys.addaudithook(slow)

def hook(*args):
    return None

for name, setter, getter, own in (("profile", sys.setprofile, sys.getprofile, ruleguard._setprofile),
                                  ("trace", sys.settrace, sys.gettrace, ruleguard._settrace)):
    for who, call in (("bare", setter), ("check", own)):
        inside.clear()
        done.clear()
        other = threading.Thread(target=setter, args=(None,), name="other")
        other.start()
        inside.wait()
        try:
            call(hook)
            print(name, who, getter() is hook)
        except RuntimeError as error:
            print(name, who, error)
        done.set()
        other.join()
        setter(None)
"""


def test_a_hook_is_installed_while_another_thread_installs_one():
    """CPython 3.11 refuses ``sys.setprofile``/``settrace`` while any thread's call of it runs its audit
    hooks (one flag per process): a thread starting during a test (pytest-timeout's timer puts on
    threading's profile hook, the check's) made the check's own switch raise "Cannot install a profile
    function while another profile function is being installed" in the test's thread, and the test
    failed (about once per clean-clone CI run, in a different test each time). The check installs
    its hooks again when refused."""
    import subprocess

    from conftest import REPO

    run = subprocess.run([sys.executable, "-c", _RACE], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    lines = dict((" ".join(line.split()[:2]), line.split(None, 2)[2]) for line in run.stdout.splitlines())
    assert lines["profile check"] == "True" and lines["trace check"] == "True", run.stdout
    if sys.version_info[:2] == (3, 11):  # the scenario is real here: a bare call is refused
        assert "being installed" in lines["profile bare"] and "being installed" in lines["trace bare"], run.stdout
