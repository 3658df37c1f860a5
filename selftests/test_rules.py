"""Unit tests of the "from scratch" scanner (autograder.checks.rules)."""

from __future__ import annotations

from autograder.checks.rules import RULES, FromScratchRule, find_violations, rules_for

ATTENTION = FromScratchRule("ex3_attention", ("t",), rules_for("ex3_attention", "softmax")[0].forbidden, forbidden_methods=("softmax", "log_softmax"))


def names(source: str, rule: FromScratchRule = ATTENTION) -> list[str]:
    return [v.name for v in find_violations(source, rule)]


def test_aliases_and_attribute_chains_are_resolved():
    src = (
        "import torch.nn.functional as F\n"
        "from scipy.special import softmax as sm\n"
        "import scipy\n"
        "def f(x):\n"
        "    return F.softmax(x, -1), sm(x), scipy.special.softmax(x)\n"
    )
    assert names(src) == ["scipy.special.softmax", "scipy.special.softmax", "torch.nn.functional.softmax"]


def test_method_call_and_dynamic_import_are_found():
    src = (
        "import importlib\n"
        "def f(t):\n"
        "    m = importlib.import_module('sklearn.utils')\n"
        "    s = importlib.import_module('scipy.special').softmax\n"
        "    return t.softmax(-1), __import__('jax')\n"
    )
    assert names(src) == ["sklearn.utils", ".softmax()", ".softmax()", "jax"]


def test_relative_dynamic_import_is_resolved_against_its_package():
    """A relative name against a literal package is that module; against the submission's own
    package it is its own module (an honest helper import scored every task 0 as tampering)."""
    from autograder.checks.rules import find_tampering

    own = "import importlib\ndef f(x):\n    return importlib.import_module('.ex1_vectors', __package__)\n"
    assert names(own) == [] and find_tampering(own) == ()
    library = "import importlib\ndef f(x):\n    return importlib.import_module('.utils', 'sklearn')\n"
    assert names(library) == ["sklearn.utils"]


def test_own_implementation_is_allowed():
    src = (
        "import numpy as np\n"
        "def softmax(x, axis=-1, temperature=1.0):\n"
        "    z = x / temperature\n"
        "    e = np.exp(z - z.max(axis=axis, keepdims=True))\n"
        "    return e / e.sum(axis=axis, keepdims=True)\n"
        "def attention(q, k, v):\n"
        "    return softmax(q @ k.T) @ v\n"
    )
    assert names(src) == []


def test_function_scoped_rule_only_reads_those_functions():
    rule = FromScratchRule("ex5_backprop", ("t",), ("torch",), functions=("Net.backward",))
    src = (
        "import torch\n"
        "class Net:\n"
        "    def backward(self):\n"
        "        return torch.autograd.grad\n"
        "def autograd_gradients():\n"
        "    return torch.tensor(1.0)\n"
    )
    assert [(v.name, v.line) for v in find_violations(src, rule)] == [("torch.autograd.grad", 4)]


def test_syntax_error_gives_no_violation_and_rules_lookup():
    assert names("def f(:\n") == []
    assert [r.functions for r in rules_for("ex3_attention", "softmax")] == [("softmax",)]
    assert len(rules_for("ex3_attention", "attention_entropy")) == 2
    assert rules_for("ex2_transforms", "apply_transform") == []


def test_message_is_bilingual():
    (v,) = find_violations("from scipy.special import softmax\n", ATTENTION)
    msg = v.message("ex3_attention.py")
    assert "line 1" in msg and "1 行目" in msg and "scipy.special.softmax" in msg


BACKWARD = next(r for r in RULES if r.exercise == "ex5_backprop" and r.tasks == ("backward",))


def test_forbidden_call_hidden_in_a_helper_or_method_is_found():
    src = (
        "import torch\n"
        "def autograd_gradients(net, x, t):\n"
        "    return torch.autograd.grad\n"
        "class TwoLayerNet:\n"
        "    def backward(self, t):\n"
        "        return self._helper(t)\n"
        "    def _helper(self, t):\n"
        "        return autograd_gradients(self, None, t)\n"
    )
    assert [(v.name, v.line) for v in find_violations(src, BACKWARD)] == [("torch.autograd.grad", 3)]


def test_backprop_rules_allow_numpy_backward():
    src = (
        "import numpy as np\nimport torch\n"
        "class TwoLayerNet:\n"
        "    def backward(self, t):\n"
        "        return {'W1': np.outer(self.g, self.x)}\n"
        "def autograd_gradients(net, x, t):\n"
        "    return torch.tensor(x, dtype=torch.float64, requires_grad=True)\n"
    )
    assert find_violations(src, BACKWARD) == []


def test_library_call_costs_only_the_tasks_that_use_it():
    src = (
        "import numpy as np\n"
        "from scipy.special import softmax as ref\n"
        "def softmax(x, axis=-1, temperature=1.0):\n"
        "    return ref(x / temperature, axis=axis)\n"
        "def scaled_dot_product_attention(Q, K, V, mask=None, temperature=1.0):\n"
        "    w = softmax(Q @ K.T)\n"
        "    return w @ V, w\n"
        "def attention_entropy(w):\n"
        "    return -(w * np.log(w)).sum(-1)\n"
        "if __name__ == '__main__':\n"
        "    print(ref([1.0, 2.0]))\n"
    )
    lost = {task for rule in RULES if rule.exercise == "ex3_attention"
            for task in rule.tasks if find_violations(src, rule)}
    assert lost == {"softmax", "scaled_dot_product_attention"}
    (v,) = find_violations(src, rules_for("ex3_attention", "softmax")[0])
    assert (v.name, v.line) == ("scipy.special.softmax", 4)


def test_function_bound_by_assignment_is_scanned():
    src = "from scipy.spatial import distance\ncosine_similarity = lambda a, b: 1 - distance.cosine(a, b)\n"
    (v,) = find_violations(src, rules_for("ex1_vectors", "cosine_similarity")[0])
    assert v.name == "scipy.spatial.distance.cosine"


def test_evasions_with_literal_strings_and_star_imports_are_found():
    rule = rules_for("ex3_attention", "softmax")[0]
    cases = {
        "from scipy.special import *\ndef softmax(x, axis=-1, temperature=1.0):\n    return x\n": "from scipy.special import *",
        "import scipy.special as ss\ndef softmax(x, axis=-1, temperature=1.0):\n    return ss.__dict__['softmax'](x)\n": "scipy.special.softmax",
        "import scipy.special as ss\ndef softmax(x, axis=-1, temperature=1.0):\n    return getattr(ss, 'softmax')(x)\n": "scipy.special.softmax",
        "def softmax(x, axis=-1, temperature=1.0):\n    exec('from scipy.special import softmax as s')\n    return x\n": "exec()",
        "import torch\nclass _H:\n    @staticmethod\n    def go(x):\n        return torch.softmax(x, -1)\n"
        "def softmax(x, axis=-1, temperature=1.0):\n    return _H.go(x)\n": "torch.softmax",
    }
    for src, expected in cases.items():
        assert expected in [v.name for v in find_violations(src, rule)], src


def test_own_helper_class_with_a_softmax_method_is_allowed():
    src = (
        "import numpy as np\n"
        "class _Num:\n"
        "    @staticmethod\n"
        "    def softmax(z):\n"
        "        e = np.exp(z - z.max(-1, keepdims=True))\n"
        "        return e / e.sum(-1, keepdims=True)\n"
        "def softmax(x, axis=-1, temperature=1.0):\n"
        "    return _Num.softmax(x / temperature)\n"
    )
    assert find_violations(src, rules_for("ex3_attention", "softmax")[0]) == []


BACKPROP = rules_for("ex5_backprop", "manual_grad")[0]
HELPER_AUTODIFF = (
    "import torch\n"
    "def g(x, y):\n"
    "    t = torch.tensor(x, requires_grad=True)\n"
    "    return torch.autograd.grad((t * t).sum(), t)[0].numpy()\n"
)
HELPER_NUMPY = "import numpy as np\ndef manual_grad(x, y):\n    return 2 * np.asarray(x)\n"


def _reader(modules: dict[str, str]):
    return modules.get


def test_forbidden_call_in_another_module_of_the_submission_is_found():
    """Code the task reaches through a relative import is scanned in its own file."""
    via_name = "from ._helper import g\ndef manual_grad(x, y):\n    return g(x, y)\n"
    via_module = "from . import _helper as h\ndef manual_grad(x, y):\n    return h.g(x, y)\n"
    via_star = "from ._helper import *\n"  # manual_grad itself is defined in _helper
    star_helper = HELPER_AUTODIFF + "def manual_grad(x, y):\n    return g(x, y)\n"
    for src, helper in ((via_name, HELPER_AUTODIFF), (via_module, HELPER_AUTODIFF), (via_star, star_helper)):
        found = find_violations(src, BACKPROP, _reader({"_helper": helper}))
        assert found and all(v.file == "_helper.py" for v in found), (src, found)
        assert "torch" in {v.name.split(".")[0] for v in found}
        assert "_helper.py" in found[0].message("ex5_backprop.py")
    # two modules deep
    chain = {"_a": "from ._b import g\ndef f(x, y):\n    return g(x, y)\n", "_b": HELPER_AUTODIFF}
    src = "from ._a import f\ndef manual_grad(x, y):\n    return f(x, y)\n"
    assert {v.file for v in find_violations(src, BACKPROP, _reader(chain))} == {"_b.py"}


def test_from_scratch_code_in_another_module_and_unused_imports_are_allowed():
    assert find_violations("from ._helper import *\n", BACKPROP, _reader({"_helper": HELPER_NUMPY})) == []
    # a torch helper the task's function never uses costs nothing; a missing module is no violation
    src = "from ._helper import g\nimport numpy as np\ndef manual_grad(x, y):\n    return 2 * np.asarray(x)\n"
    assert find_violations(src, BACKPROP, _reader({"_helper": HELPER_AUTODIFF})) == []
    assert find_violations("from ._nothing import manual_grad\n", BACKPROP, _reader({})) == []


def test_library_functions_under_other_names_are_forbidden_like_the_originals():
    """Found by a red-team helper: ``scipy.special.cython_special.entr`` is ``scipy.special.entr``
    under another module (:data:`autograder.core.scratch.LIBRARY_ALIASES`), the correlation
    distance of ``scipy.spatial.distance`` is a library correlation (ex7), and ``xlogy`` has
    0 log 0 = 0 built in (ex3's entropy, as in ex6)."""
    for exercise, task in (("ex3_attention", "attention_entropy"), ("ex6_probability", "kl_divergence")):
        entropy = f"from scipy.special import cython_special as cs\ndef {task}(p):\n    return -sum(cs.entr(v) for v in p)\n"
        rule = next(r for r in rules_for(exercise, task) if "scipy.special.entr" in r.forbidden)
        assert "scipy.special.cython_special.entr" in rule.forbidden
        assert names(entropy, rule) == ["scipy.special.cython_special.entr"]
    correlation = ("from scipy.spatial.distance import cdist\n"
                   "def correlation_matrix(X):\n    return 1 - cdist(X.T, X.T, 'correlation')\n")
    assert names(correlation, rules_for("ex7_layernorm", "correlation_matrix")[0]) == ["scipy.spatial.distance.cdist"]
    xlogy = "from scipy.special import xlogy\ndef attention_entropy(p):\n    return -xlogy(p, p).sum(-1)\n"
    assert "scipy.special.xlogy" in [n for r in rules_for("ex3_attention", "attention_entropy") for n in names(xlogy, r)]


def test_the_tamper_message_tells_how_to_import_a_helper_without_sys_path():
    """A beginner's ``sys.path.insert(0, folder); import plotutil`` zeroes every "from scratch" task (the
    check could be turned off through it): the message says how to import a helper instead (helper-53);
    other tampering gets no such hint."""
    from dataclasses import replace

    from autograder.checks.rules import find_tampering, tamper_message

    found = [replace(v, file="ex2_transforms.py") for v in find_tampering(
        "import os, sys\nsys.path.insert(0, os.path.dirname(__file__))\nimport plotutil\n")]
    assert [(v.name, v.line) for v in found] == [("sys.path.insert", 2)], found
    text = tamper_message(found)
    assert "ex2_transforms.py:2" in text and "`from . import mylib`" in text and "sys.path を変えずに" in text
    other = [replace(v, file="ex1_vectors.py") for v in find_tampering("import sys\nsys.setprofile(None)\n")]
    assert other and "from . import" not in tamper_message(other)


def test_the_chapter_data_the_exercises_hand_out_is_no_tampering():
    """The newcomer instructor (helper-62): ex1's docstring shows ``from autograder.data import
    load_word_vectors``; a student who wrote it at module level (or a notebook cell of it) lost every
    "from scratch" task of every exercise, 100 -> 22 of 180 in the batch. ``autograder.data`` holds
    only the chapter's data; the rest of the grader's package is still flagged, however imported."""
    from autograder.checks.rules import find_tampering

    def flagged(source):
        return [v.name for v in find_tampering(source)]

    for honest in ("from autograder.data import load_word_vectors\nwv = load_word_vectors()\n",
                   "import autograder.data\nwv = autograder.data.load_word_vectors()\n",
                   "import autograder.data as data\nwv = data.load_word_vectors()\n",
                   "from autograder import data\nwv = data.load_word_vectors()\n"):
        assert flagged(honest) == [], honest
    assert flagged("import autograder.data\nautograder.checks.ruleguard.GUARD.armed = False\n") == [
        "autograder.checks.ruleguard.GUARD.armed"]
    assert flagged("from autograder import checks\n") == ["autograder.checks"]
    assert flagged("import autograder\n") == ["autograder"]
    assert flagged("from autograder.datasets import x\n") == ["autograder.datasets", "autograder.datasets.x"]
    assert flagged("from autograder.data import load_word_vectors as f\ng = f.__globals__\n") == [".__globals__"]
