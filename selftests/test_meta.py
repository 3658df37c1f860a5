"""The grader's own structure (docs/architecture.md): every module imports on its own, no import
cycles, the layers of pyproject.toml's import-linter contracts hold (as pytest's testing/test_meta.py
imports every module of pytest on its own)."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import grimp

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "autograder"

_IMPORT_EACH = r"""
import importlib, json, sys, traceback
failed = {}
for name in json.loads(sys.argv[1]):
    for loaded in [m for m in sys.modules if m == "autograder" or m.startswith("autograder.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except BaseException:  # noqa: BLE001 - reported by name
        failed[name] = traceback.format_exc(limit=3)
print(json.dumps(failed))
"""


def grader_modules() -> list[str]:
    """Every module and package of ``autograder``, found on disk (nothing imported)."""
    return ["autograder", *sorted(m.name for m in pkgutil.walk_packages([str(PACKAGE)], "autograder."))]


def test_every_module_imports_on_its_own():
    """Each module, imported first in a fresh ``autograder`` (the rest cleared from sys.modules),
    imports: no module leans on another having been imported before it."""
    names = grader_modules()
    assert {"autograder.compare", "autograder.incell", "autograder.grading.plugin",
            "autograder.submission.sandbox"} <= set(names)
    done = subprocess.run([sys.executable, "-c", _IMPORT_EACH, json.dumps(names)], cwd=REPO, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    failed = json.loads(done.stdout.strip().splitlines()[-1])
    assert failed == {}, "\n".join(f"{name}:\n{tb}" for name, tb in failed.items())


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` (module -> modules it imports), or None."""
    state: dict[str, int] = {}
    for start in sorted(graph):
        if start in state:
            continue
        state[start] = 1
        path, todo = [start], [iter(sorted(graph[start]))]
        while todo:
            nxt = next(todo[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                todo.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                todo.append(iter(sorted(graph[nxt])))
    return None


def test_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycles():
    """No cycle between the grader's modules, counting imports inside functions too (grimp sees
    every import statement): a lazy import may defer loading, never hide a cycle."""
    graph = grimp.build_graph("autograder", cache_dir=None)
    edges = {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    assert len(edges) == len(grader_modules())
    assert _cycle(edges) is None, " -> ".join(_cycle(edges))


def test_layers_contract():
    """pyproject.toml's import-linter contracts (the layers of docs/architecture.md) are kept."""
    done = subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--config", "pyproject.toml", "--no-cache"],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_plugin_registers_the_hooks_of_its_modules():
    """pytest registers the hooks and fixtures that the entry-point module's namespace holds: every
    ``pytest_*`` hook and fixture defined in a module of ``autograder.grading`` is imported into
    ``autograder.grading.plugin`` (a hook left in its own module would silently never run)."""
    import importlib
    import inspect

    plugin = importlib.import_module("autograder.grading.plugin")
    missing = []
    for name in grader_modules():
        if not name.startswith("autograder.grading.") or name in (plugin.__name__, "autograder.grading.hookspecs"):
            continue
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            defined_here = inspect.isfunction(value) and value.__module__ == name and attr.startswith("pytest_")
            fixture = getattr(value, "_fixture_function_marker", None) is not None and \
                getattr(getattr(value, "_fixture_function", None), "__module__", None) == name
            if (defined_here or fixture) and getattr(plugin, attr, None) is not value:
                missing.append(f"{name}.{attr}")
    assert missing == []
    assert {"exercise", "pytest_configure", "pytest_runtest_call", "pytest_sessionfinish"} <= set(vars(plugin))


#: Modules allowed past about 500 lines, each at most its size now. ``cohesive``: one thing, better
#: read whole (a module that grows past 500 lines otherwise is split along its seams, issue 13).
LONG_MODULES = {
    "autograder/checks/compare.py": (577, "cohesive: the comparison checks and the messages they share"),
    "autograder/checks/ruleguard.py": (730, "cohesive: the run-time watcher of the rules (hooks that work together)"),
    "autograder/submission/loader.py": (585, "cohesive: the loader seam (local submissions, handles, recorded calls)"),
}
LONG = 500


def test_modules_stay_short():
    """No module of the grader grows past about 500 lines unless listed above (and then no further)."""
    too_long = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(REPO).as_posix()
        lines = len(path.read_text(encoding="utf-8").splitlines())
        limit = LONG_MODULES.get(rel, (LONG, ""))[0]
        if lines > limit + 20 * (rel not in LONG_MODULES):
            too_long[rel] = lines
    assert too_long == {}, f"split these along their seams (docs/architecture.md): {too_long}"


def test_the_readme_table_names_every_task_the_grader_reports():
    """A newcomer could not find ``forward``/``backward`` (ex5) and ``validates_covariance`` (ex8)
    of the score table in the README's table of exercises."""
    from autograder.core.exercises import EXERCISES
    from autograder.core.tasks import tasks_of

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = {}
    for exercise in EXERCISES:
        row = next((line for line in readme.splitlines() if line.startswith(f"| `{exercise}` |")), "")
        absent = [t.name for t in tasks_of(exercise) if f"`{t.name}`" not in row]
        if absent:
            missing[exercise] = absent
    assert missing == {}
