"""Digests of the grader and the graded tests: was a score given by the grader as released?

A student copy grades itself with the grader (``autograder/``) and the graded tests (``tests/``)
that live in the student's own repository, where the student can edit them. So every score
report records, in ``extra_data.grader_digest``, what actually graded it, and ``workbook release``
writes what the copy held when it was released into :data:`RELEASE_RECORD` at the copy's root.
The CI helpers (:mod:`autograder.apps.ci`) compare the two.

What is hashed (SHA-256; every file as ``relative/path`` + the SHA-256 of its content, sorted by
path, so the digest does not depend on where the checkout is):

* ``grader``: every file of the ``autograder`` package the plugin was imported from, except
  ``__pycache__/`` and ``*.egg-info/`` folders, and ``data/stubs/`` and ``data/figures/`` of a
  student copy (the pristine stubs for ``workbook reset`` and the reference figures of the HTML
  report: they take no part in grading). Paths are ``autograder/...``.
* ``tests``: the test modules pytest collected, every ``conftest.py`` pytest loaded, and the pytest
  configuration file it used (for ``pyproject.toml``, only its ``[tool.pytest.ini_options]`` table,
  as canonical JSON, named ``pyproject.toml[tool.pytest.ini_options]``; any other ini file whole).
  Paths are relative to pytest's root directory.
* ``combined``: the SHA-256 of both.

Text files (``.py``, ``.json``, ``.toml``, ``.ini``, ``.cfg``, ``.txt``) are hashed with CRLF line
ends turned into LF, so a Windows checkout (``core.autocrlf``) gives the same digest; other files
byte for byte. Hashing the whole grader and tests takes a few milliseconds.

What a digest does not prove: the student controls the repository, so the digest file, the
check, the workflow and the report itself can all be edited too. A match says "nobody changed
the grader by accident or casually"; the authoritative grade is the instructor's own batch
grading, with the instructor's copy of the grader and tests (which can also compare the digests
of the reports it collects with its own release record).
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..core.paths import RELEASE_RECORD

#: The hash function of every digest.
ALGORITHM = "sha256"

#: The release record at the root of a student copy (``workbook release`` writes it) is
#: :data:`autograder.core.paths.RELEASE_RECORD`.


#: Folders of the grader package (relative to it) that take no part in grading.
GRADER_EXCLUDED = ("data/stubs", "data/figures")

#: Files hashed as text (CRLF → LF).
TEXT_SUFFIXES = frozenset({".py", ".json", ".toml", ".ini", ".cfg", ".txt"})

#: The pytest ini table in ``pyproject.toml``.
PYPROJECT_TABLE = "[tool.pytest.ini_options]"

#: The package directory of the grader that is running.
PACKAGE_DIR = Path(__file__).resolve().parents[1]  # autograder/


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digest(path: Path) -> str:
    """The SHA-256 (hex) of a file's content; text files with CRLF line ends turned into LF."""
    data = Path(path).read_bytes()
    if Path(path).suffix in TEXT_SUFFIXES:
        data = data.replace(b"\r\n", b"\n")
    return _sha(data)


def combine(files: dict[str, str]) -> str:
    """One SHA-256 (hex) over ``{relative path: file digest}``, in path order."""
    return _sha("".join(f"{name}\0{files[name]}\n" for name in sorted(files)).encode("utf-8"))


def _relative(path: Path, root: Path) -> str:
    return Path(os.path.relpath(Path(path).resolve(), Path(root).resolve())).as_posix()


def grader_files(package_dir: Path = PACKAGE_DIR) -> dict[str, str]:
    """``{"autograder/<path>": digest}`` for every file of the grader package (see the module doc)."""
    package_dir = Path(package_dir)
    files: dict[str, str] = {}
    for here, dirs, names in os.walk(package_dir):
        rel_dir = Path(here).relative_to(package_dir).as_posix()
        dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.endswith(".egg-info")
                         and (f"{rel_dir}/{d}" if rel_dir != "." else d) not in GRADER_EXCLUDED)
        for name in names:
            path = Path(here) / name
            if path.is_file():
                files[f"autograder/{path.relative_to(package_dir).as_posix()}"] = file_digest(path)
    return dict(sorted(files.items()))


def ini_entry(inipath: Path | None, rootpath: Path) -> tuple[str, str] | None:
    """The pytest configuration file as a ``(name, digest)`` entry of the tests (None: no file)."""
    if inipath is None or not Path(inipath).is_file():
        return None
    name = _relative(inipath, rootpath)
    if Path(inipath).name == "pyproject.toml":
        try:
            table = tomllib.loads(Path(inipath).read_text(encoding="utf-8")).get("tool", {}).get("pytest", {}).get(
                "ini_options", {})
        except (OSError, ValueError):
            return name, file_digest(inipath)
        canonical = json.dumps(table, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return name + PYPROJECT_TABLE, _sha(canonical.encode("utf-8"))
    return name, file_digest(inipath)


def tests_files(rootpath: Path, modules: Iterable[Path], conftests: Iterable[Path],
                inipath: Path | None) -> dict[str, str]:
    """``{relative path: digest}`` of the graded tests: test modules, conftest files, ini file."""
    files = {_relative(p, rootpath): file_digest(p) for p in [*modules, *conftests] if Path(p).is_file()}
    entry = ini_entry(inipath, rootpath)
    if entry is not None:
        files[entry[0]] = entry[1]
    return dict(sorted(files.items()))


def make_digest(grader: dict[str, str], tests: dict[str, str]) -> dict[str, Any]:
    """The digest record: ``{"algorithm", "grader", "tests", "combined", "files": {"grader", "tests"}}``."""
    g, t = combine(grader), combine(tests)
    return {
        "algorithm": ALGORITHM,
        "grader": g,
        "tests": t,
        "combined": _sha(f"grader {g}\ntests {t}\n".encode("ascii")),
        "files": {"grader": dict(grader), "tests": dict(tests)},
    }


def run_digest(config: Any, modules: Iterable[Path]) -> dict[str, Any]:
    """The digest of what grades this pytest run.

    Args:
        config: the ``pytest.Config`` (its root path, ini file and loaded conftest modules).
        modules: the paths of the test modules pytest collected.
    """
    conftests = []
    for plugin in config.pluginmanager.get_plugins():
        path = getattr(plugin, "__file__", None)
        if path and Path(path).name == "conftest.py":
            conftests.append(Path(path))
    return make_digest(grader_files(), tests_files(config.rootpath, modules, conftests, config.inipath))


def _pytest_ini(root: Path) -> dict[str, Any]:
    try:
        return tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    except (OSError, ValueError, KeyError):
        return {}


def tree_digest(root: Path) -> dict[str, Any]:
    """The digest a full grading run in the workbook at ``root`` records, read from the files alone.

    The same files as :func:`run_digest` for ``pytest`` run in ``root`` with its
    ``pyproject.toml``: ``root/autograder``; the modules matching ``python_files`` (default
    ``test_*.py``, ``*_test.py``) under ``testpaths`` (default ``tests``); the ``conftest.py``
    files of ``root`` and of every folder from there down to a test module; the ini table.
    """
    root = Path(root).resolve()
    ini = _pytest_ini(root)
    patterns = ini.get("python_files", ["test_*.py", "*_test.py"])
    patterns = patterns.split() if isinstance(patterns, str) else list(patterns)
    modules: set[Path] = set()
    for top in ini.get("testpaths", ["tests"]):
        for pattern in patterns:
            modules.update(p for p in (root / top).rglob(pattern)
                           if p.is_file() and not any(part.startswith((".", "__pycache__"))
                                                      for part in p.relative_to(root).parts[:-1]))
    folders = {root}
    for module in modules:
        folders.update(parent for parent in module.parents if root in parent.parents)
    conftests = [folder / "conftest.py" for folder in folders]
    inipath = root / "pyproject.toml" if (root / "pyproject.toml").is_file() else None
    return make_digest(grader_files(root / "autograder"), tests_files(root, sorted(modules), conftests, inipath))


def release_record(root: Path, *, version: str) -> dict[str, Any]:
    """The release record of the workbook at ``root`` (what :data:`RELEASE_RECORD` holds)."""
    return {"format": 1, "workbook_version": version, "grader_digest": tree_digest(root)}


def write_release_record(root: Path, *, version: str) -> Path:
    """Write :data:`RELEASE_RECORD` into ``root`` (a student copy as released); returns its path."""
    path = Path(root) / RELEASE_RECORD
    path.write_text(json.dumps(release_record(root, version=version), indent=2, sort_keys=True) + "\n",
                    encoding="utf-8")
    return path


def read_release_record(path: Path) -> dict[str, Any] | None:
    """The digest stored in a release record (None: no file, or not a release record)."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    digest = doc.get("grader_digest") if isinstance(doc, dict) else None
    if not isinstance(digest, dict) or not all(isinstance(digest.get(k), str) for k in ("grader", "tests", "combined")):
        return None
    return digest


def changes(actual: dict[str, Any], expected: dict[str, Any]) -> dict[str, list[str]]:
    """Which files differ between two digests.

    Returns:
        ``{"grader": [...], "tests": [...]}``: each entry ``path (changed|added|removed)``, by path;
        a part whose per-file list is missing but whose digest differs gets ``["(digest differs)"]``.
    """
    out: dict[str, list[str]] = {}
    for part in ("grader", "tests"):
        if actual.get(part) == expected.get(part):
            out[part] = []
            continue
        mine = (actual.get("files") or {}).get(part)
        theirs = (expected.get("files") or {}).get(part)
        if not isinstance(mine, dict) or not isinstance(theirs, dict):
            out[part] = ["(digest differs)"]
            continue
        rows = []
        for name in sorted(set(mine) | set(theirs)):
            if name not in theirs:
                rows.append(f"{name} (added)")
            elif name not in mine:
                rows.append(f"{name} (removed)")
            elif mine[name] != theirs[name]:
                rows.append(f"{name} (changed)")
        out[part] = rows or ["(digest differs)"]
    return out


def verdict(actual: dict[str, Any] | None, expected: dict[str, Any] | None) -> dict[str, Any]:
    """Compare the digest of a run with the release's.

    Returns:
        ``{"status", "changed"}``: ``status`` is ``"as_released"``, ``"modified"``,
        ``"no_release_record"`` (nothing to compare with) or ``"no_digest"`` (the report holds
        no digest); ``changed`` = :func:`changes` when modified, else empty lists.
    """
    none = {"grader": [], "tests": []}
    if not isinstance(actual, dict) or not isinstance(actual.get("combined"), str):
        return {"status": "no_digest", "changed": none}
    if not isinstance(expected, dict):
        return {"status": "no_release_record", "changed": none}
    if actual.get("combined") == expected.get("combined"):
        return {"status": "as_released", "changed": none}
    return {"status": "modified", "changed": changes(actual, expected)}


def report_field(config: Any, modules: Iterable[Path]) -> dict[str, Any]:
    """``extra_data.grader_digest`` of a run's score report.

    The digest of this run (:func:`run_digest`), the digest in the release record at pytest's
    root (``release``: ``{"grader", "tests", "combined", "files"}``, or None without a record),
    and the verdict (``status``, ``changed``; see :func:`verdict`).
    """
    digest = run_digest(config, modules)
    expected = read_release_record(Path(config.rootpath) / RELEASE_RECORD)
    release = None if expected is None else {k: expected.get(k) for k in ("grader", "tests", "combined", "files")}
    return {**digest, "release_record": RELEASE_RECORD, "release": release, **verdict(digest, expected)}
