"""Generate the student stubs ``exercises/*.py`` from the reference ``solutions/*.py``.

The solutions are the single source: every part a student writes is wrapped in nbgrader's
``### BEGIN SOLUTION`` / ``### END SOLUTION`` markers, and nbgrader's own ``ClearSolutions``
preprocessor replaces each region with a stub that raises ``NotImplementedError``.

Usage::

    python -m autograder.stubs            # write exercises/*.py (refuses to overwrite student work)
    python -m autograder.stubs --check    # exit 1 if exercises/ is not what the solutions give
    python -m autograder.stubs --force    # overwrite even edited stubs (a .bak copy is kept)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from pathlib import Path

import nbformat
from nbgrader.preprocessors import ClearSolutions

from ..core.exercises import names
from ..core.i18n import bilingual

CODE_STUB = "# YOUR CODE HERE / ここにコードを書いてください\nraise NotImplementedError()"
_HEADER = (
    "# このファイルは演習用のひな形です。関数の中身を書いてください。\n"
    "# Exercise stub: fill in the function bodies. (generated from solutions/ by `python -m autograder.stubs`)\n"
)
MANIFEST = ".stubs-manifest.json"


def make_stub(solution_source: str) -> str:
    """Return the stub text for one solution module.

    Args:
        solution_source: the text of a ``solutions/*.py`` file.

    Returns:
        The module text with each solution region replaced by ``raise NotImplementedError()``.

    Raises:
        RuntimeError: unbalanced or nested ``### BEGIN SOLUTION`` markers (from nbgrader).
        ValueError: the module has no solution region at all.
    """
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"language": "python", "name": "python3", "display_name": "Python 3"}
    nb.cells.append(nbformat.v4.new_code_cell(solution_source))
    clear = ClearSolutions(code_stub={"python": CODE_STUB}, enforce_metadata=False)
    nb, _ = clear.preprocess(nb, {})
    out = nb.cells[0].source
    if out == solution_source:
        raise ValueError("no '### BEGIN SOLUTION' region found")
    return _HEADER + out.rstrip("\n") + "\n"


def pristine_stub(name: str) -> str | None:
    """The code every student was given for exercise ``name``: the stub generated from
    ``solutions/``, or the copy a released workbook keeps in ``autograder/data/stubs/``; None with
    neither."""
    from ..core.paths import REPO_ROOT

    solution = REPO_ROOT / "solutions" / f"{name}.py"
    kept = REPO_ROOT / "autograder" / "data" / "stubs" / f"{name}.py"
    try:
        if solution.is_file():
            return make_stub(solution.read_text(encoding="utf-8"))
        if kept.is_file():
            return kept.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return None


def is_pristine_stub(name: str, text: str) -> bool:
    """Whether ``text`` is exercise ``name``'s stub as given (line endings and trailing blanks aside)."""
    stub = pristine_stub(name)
    norm = lambda t: [line.rstrip() for line in t.replace("\r\n", "\n").strip().splitlines()]  # noqa: E731
    return stub is not None and norm(stub) == norm(text)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def generate(root: Path, *, check: bool = False, force: bool = False, out=sys.stdout) -> int:
    """Write (or with ``check`` verify) ``exercises/<name>.py`` for every exercise.

    A stub is overwritten only if it is missing, unchanged since it was last generated (its hash
    is in ``exercises/.stubs-manifest.json``), or ``force`` is given; with ``force`` the old file
    is first copied to ``<name>.py.bak``. Student work is never silently lost.

    Returns:
        Process exit status: 0 on success, 1 if ``check`` found a stale stub or a file was kept.
    """
    sol_dir, ex_dir = root / "solutions", root / "exercises"
    ex_dir.mkdir(exist_ok=True)
    manifest_path = ex_dir / MANIFEST
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    status = 0
    tests = root / "tests"
    for name in names(tests if tests.is_dir() else None):  # discovered from the graded tests (autograder.core.exercises)
        src = sol_dir / f"{name}.py"
        if not src.exists():
            print(f"skip {name}: {src} does not exist", file=out)
            continue
        stub = make_stub(src.read_text(encoding="utf-8"))
        dst = ex_dir / f"{name}.py"
        current = dst.read_text(encoding="utf-8") if dst.exists() else None
        if current == stub:
            manifest[name] = _digest(stub)
            continue
        if check:
            print(f"stale: {dst} differs from the stub generated from {src}", file=out)
            status = 1
            continue
        edited = current is not None and manifest.get(name) != _digest(current)
        if edited and not force:
            print(bilingual(
                f"{dst} は編集されているため上書きしません (--force で上書き, .bak に退避)。",
                f"kept {dst}: it has been edited (use --force to overwrite; a .bak copy is kept).",
            ), file=out)
            status = 1
            continue
        if edited:
            shutil.copy2(dst, dst.with_suffix(".py.bak"))
        dst.write_text(stub, encoding="utf-8")
        manifest[name] = _digest(stub)
        print(f"wrote {dst}", file=out)
    if not check:
        manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.stubs", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="repository root (default: .)")
    parser.add_argument("--check", action="store_true", help="only verify that exercises/ is up to date")
    parser.add_argument("--force", action="store_true", help="overwrite edited stubs (keeps a .bak copy)")
    args = parser.parse_args(argv)
    return generate(args.root, check=args.check, force=args.force)


if __name__ == "__main__":
    sys.exit(main())
