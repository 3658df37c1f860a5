"""The stub generator: nbgrader's ClearSolutions, and it never loses a student's work."""

from __future__ import annotations

import io
import shutil

import pytest

from autograder.classroom.stubs import generate, make_stub
from conftest import REPO


def test_make_stub_replaces_solution_regions_keeping_indentation():
    src = 'def f(x):\n    """Doc."""\n    ### BEGIN SOLUTION\n    return x + 1\n    ### END SOLUTION\n'
    stub = make_stub(src)
    assert "return x + 1" not in stub
    assert "    raise NotImplementedError()" in stub and '"""Doc."""' in stub


def test_make_stub_rejects_unbalanced_or_missing_regions():
    with pytest.raises(RuntimeError):
        make_stub("### BEGIN SOLUTION\nx = 1\n")
    with pytest.raises(ValueError):
        make_stub("x = 1\n")


def test_generate_never_overwrites_edited_stubs(tmp_path):
    shutil.copytree(REPO / "solutions", tmp_path / "solutions")
    assert generate(tmp_path, out=io.StringIO()) == 0
    target = tmp_path / "exercises" / "ex1_vectors.py"
    target.write_text(target.read_text() + "\n# my work\n")
    buf = io.StringIO()
    assert generate(tmp_path, out=buf) == 1
    assert "my work" in target.read_text() and "kept" in buf.getvalue()
    assert generate(tmp_path, force=True, out=io.StringIO()) == 0
    assert "my work" in (tmp_path / "exercises" / "ex1_vectors.py.bak").read_text()
    assert "my work" not in target.read_text()
