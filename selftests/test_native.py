"""Where native code may be loaded from while grading (autograder.checks.native)."""

from __future__ import annotations

import sys


def test_a_library_on_the_import_path_may_load_native_code(tmp_path, monkeypatch):
    """torch installed outside the environment and put on the import path (PYTHONPATH, a .pth file,
    a cluster's environment modules): its extension modules are the installation's, not the
    submission's (every test file failed at collection, blaming the student; newcomer helper)."""
    from autograder.checks.native import installed_roots

    library = tmp_path / "opt" / "lib" / "python3.11" / "site-packages"
    other = tmp_path / "mylibs"
    library.mkdir(parents=True)
    other.mkdir()
    monkeypatch.setattr(sys, "path", [*sys.path, str(library), str(other)])
    roots = installed_roots()
    assert str(library.resolve()) + "/" in roots
    assert str(other.resolve()) + "/" not in roots
