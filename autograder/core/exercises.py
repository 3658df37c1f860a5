"""The workbook's exercises, discovered from the graded tests: nothing under ``autograder/`` lists them.

An exercise is one unit, named ``ex<N>_<name>`` (``ex3_attention``; lowercase, digits and ``_``):

* ``tests/test_<exercise>.py`` — its graded tests, with ``pytestmark =
  pytest.mark.exercise("<exercise>")``, a module constant ``TITLE = ("日本語", "English")`` (the
  score table and reports show it) and a ``pytest.mark.task(name, points=P)`` on every test: the
  exercise is worth the sum of its tests' points (:mod:`autograder.tasks` reads them statically,
  hidden tests included); optionally a module constant ``RULES``, its "from scratch" rules
  (:mod:`autograder.core.scratch`), and ``FIGURE``, its figure in the HTML report
  (:mod:`autograder.results.figures`);
* ``solutions/<exercise>.py`` in the instructor's repository (the stub ``exercises/<exercise>.py``
  and the notebook ``course/source/<exercise>/<exercise>.ipynb`` are generated from it).

Exercises are in the order of their number (``ex10_...`` after ``ex9_...``).

Where discovery reads: the graded tests directory, :func:`autograder.paths.tests_dir`
(``$WORKBOOK_TESTS_DIR``, else ``tests/`` beside the ``autograder`` package being run), the one
thing every place that grades has:

* the repository: ``tests/``, checked against ``solutions/`` (an exercise with tests and no
  solution, or the other way round, is an error), unless it is a student copy;
* a student copy (``workbook release``): its own ``tests/``, without the hidden tests, so an
  exercise is worth its visible points there; it has no ``solutions/``;
* the nbgrader course: the graded cells grade through :mod:`autograder.incell`, which reads the
  workbook's ``tests/`` (or ``$WORKBOOK_TESTS_DIR``);
* batch and isolated grading: the coordinator, in the repository. The sandboxed worker cannot see
  ``tests/``: the coordinator passes it the names it discovered (:func:`pin`).

Inconsistent files raise :class:`ExerciseError` with a message in Japanese and English, naming
every problem found. :data:`EXERCISES` and :data:`TITLES` are live views: they are discovered when
first read (never when imported) and again whenever a graded test file or the list of solutions
changes.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .i18n import bilingual
from .paths import RELEASE_RECORD, tests_dir
from .scratch import FromScratchRule, constant_value, read_rules
from .tasks import Task, tasks_in

#: An exercise's name: ``ex<number>_<words>``.
NAME = re.compile(r"ex(?P<number>[1-9][0-9]*)_(?P<words>[a-z][a-z0-9]*(?:_[a-z0-9]+)*)")


class ExerciseError(ValueError):
    """The exercises' files are inconsistent (the message is bilingual and names each problem)."""


@dataclass(frozen=True)
class Exercise:
    """One exercise, as its graded tests describe it."""

    name: str
    number: int
    title: tuple[str, str]
    tasks: tuple[Task, ...]
    tests: Path
    #: its "from scratch" rules (the test module's ``RULES``, :mod:`autograder.core.scratch`)
    rules: tuple[FromScratchRule, ...] = ()
    #: its figure in the HTML report, ``(task, function, call)`` (the test module's ``FIGURE``,
    #: :mod:`autograder.results.figures`), or None
    figure: tuple[str, str, str] | None = None

    @property
    def points(self) -> float:
        """What the exercise is worth: the sum of its tests' points."""
        return float(sum(t.points for t in self.tasks))


def sort_key(name: str) -> tuple[int, str]:
    """Order of exercises: by number (``ex10_x`` after ``ex9_y``), then by name; other names last."""
    m = NAME.fullmatch(name)
    return (int(m["number"]) if m else 1 << 30, name)


def _literal(node: ast.AST | None):
    try:
        return ast.literal_eval(node) if node is not None else None
    except ValueError:
        return None


def _module_constants(tree: ast.Module) -> dict[str, ast.AST]:
    return {t.id: node.value for node in tree.body if isinstance(node, ast.Assign)
            for t in node.targets if isinstance(t, ast.Name)}


def _exercise_marks(value: ast.AST | None) -> list[str | None]:
    """The names given to ``pytest.mark.exercise(...)`` in a ``pytestmark`` value."""
    items = value.elts if isinstance(value, ast.List | ast.Tuple) else [value]
    return [_literal(v.args[0]) if v.args else None for v in items
            if isinstance(v, ast.Call) and ast.unparse(v.func) == "pytest.mark.exercise"]


def _read(name: str, path: Path, problems: list[tuple[str, str]]) -> Exercise | None:
    """The exercise of graded test file ``path``; its problems are appended to ``problems``."""
    where = f"{path.parent.name}/{path.name}"
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (OSError, SyntaxError, ValueError) as exc:
        problems.append((f"{where} を読めません: {exc}", f"{where} cannot be read: {exc}"))
        return None
    constants = _module_constants(tree)
    marks = _exercise_marks(constants.get("pytestmark"))
    if marks != [name]:
        problems.append((
            f"{where} に pytestmark = pytest.mark.exercise({name!r}) がありません (見つかったもの: {marks})。",
            f"{where} lacks pytestmark = pytest.mark.exercise({name!r}) (found: {marks})."))
    title = _literal(constants.get("TITLE"))
    if not (isinstance(title, tuple) and len(title) == 2 and all(isinstance(t, str) and t.strip() for t in title)):
        problems.append((
            f"{where} に演習の題名 TITLE = (\"日本語の題名\", \"English title\") がありません。",
            f"{where} lacks the exercise's title TITLE = (\"日本語の題名\", \"English title\")."))
        title = ("", "")
    try:
        tasks = tasks_in(tree, path)
    except (ValueError, SyntaxError) as exc:
        problems.append((f"{where}: 課題の配点が読めません ({exc})。pytest.mark.task(\"課題名\", points=正の数) が要ります。",
                         f"{where}: cannot read the tasks' points ({exc}); each test needs "
                         "pytest.mark.task(\"task\", points=<positive number>)."))
        return None
    bad = [t.name for t in tasks if not isinstance(t.points, float) or t.points <= 0]
    if not tasks or bad:
        problems.append((f"{where}: 配点が正の数でない課題があるか、採点テストがありません ({bad})。",
                         f"{where}: a task has no positive points, or there is no graded test ({bad})."))
    number = int(NAME.fullmatch(name)["number"])  # type: ignore[index]
    task_names = {t.name for t in tasks}
    rules = read_rules(name, constants.get("RULES"), constants, task_names, where, problems)
    figure = _figure(constants, task_names, where, problems)
    return Exercise(name, number, title, tuple(tasks), path, rules, figure)


def _figure(constants: dict[str, ast.AST], tasks: set[str], where: str,
            problems: list[tuple[str, str]]) -> tuple[str, str, str] | None:
    """``(task, function, call)`` of the test module's ``FIGURE`` dict, read statically (its
    ``args`` and ``kwargs`` may be any objects: :mod:`autograder.results.figures` imports them)."""
    node = constants.get("FIGURE")
    if node is None:
        return None
    fields: dict[str, object] = {}
    if isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and key.value in ("task", "function", "call"):
                try:
                    fields[key.value] = constant_value(value, constants)
                except (ValueError, TypeError, SyntaxError):
                    pass
    fields.setdefault("function", fields.get("task"))
    if not (isinstance(fields.get("task"), str) and fields["task"] in tasks and all(isinstance(fields.get(k), str) and fields[k] for k in ("function", "call"))):
        shape = '{"task": ..., "function": ..., "call": ..., "args": (...), "kwargs": {...}}'
        problems.append((
            f"{where}: FIGURE は辞書 {shape} にしてください (task はこの演習の課題名、function は図の関数名、"
            "call はレポートに表示する呼び出し)。",
            f"{where}: FIGURE must be a dict {shape} (task: one of the exercise's tasks, function: the figure "
            "function, call: the call as the report shows it)."))
        return None
    return (str(fields["task"]), str(fields["function"]), str(fields["call"]))


_cache: dict[Path, tuple[tuple, tuple[Exercise, ...] | ExerciseError]] = {}


def _listing(tests: Path) -> tuple[tuple, list[Path], list[str]]:
    """The graded test files, the solutions' names, and a key that changes when either does."""
    if not tests.is_dir():
        raise FileNotFoundError(bilingual(f"採点テストのディレクトリ {tests} がありません。",
                                          f"graded tests directory {tests} not found."))
    with os.scandir(tests) as entries:
        files = sorted((e for e in entries if e.name.startswith("test_ex") and e.name.endswith(".py") and e.is_file()),
                       key=lambda e: e.name)
    key = tuple((e.name, e.stat().st_mtime_ns, e.stat().st_size) for e in files)
    try:
        with os.scandir(tests.parent / "solutions") as entries:
            solutions = sorted(e.name[:-3] for e in entries if e.name.startswith("ex") and e.name.endswith(".py"))
    except (FileNotFoundError, NotADirectoryError):
        solutions = []
    copy = (tests.parent / RELEASE_RECORD).is_file()
    return (*key, *solutions, copy), [Path(e.path) for e in files], solutions


def discover(tests: Path | None = None) -> tuple[Exercise, ...]:
    """The exercises whose graded tests are in ``tests`` (default :func:`autograder.paths.tests_dir`),
    in order of their number.

    Raises:
        ExerciseError: no exercise, a test file named otherwise than ``test_ex<N>_<name>.py``, two
            exercises with one number, a test module without its ``exercise`` mark or ``TITLE``, a
            test without a task and positive points, or (where ``solutions/`` is beside ``tests/``)
            an exercise with tests and no solution or the other way round.
        FileNotFoundError: ``tests`` does not exist (bilingual, from :func:`tests_dir`).
    """
    tests = tests or tests_dir()
    key, files, solutions = _listing(tests)
    cached = _cache.get(tests)
    if cached is None or cached[0] != key:
        cached = _cache[tests] = (key, _discover(tests, files, solutions))
    if isinstance(cached[1], ExerciseError):
        raise ExerciseError(str(cached[1]))
    return cached[1]


def _discover(tests: Path, files: list[Path], solutions: list[str]) -> tuple[Exercise, ...] | ExerciseError:
    problems: list[tuple[str, str]] = []
    found: dict[str, Exercise] = {}
    for path in files:
        name = path.stem[len("test_"):]
        if not NAME.fullmatch(name):
            problems.append((f"tests/{path.name}: 演習名は ex<番号>_<英小文字の名前> にしてください (例 test_ex6_scalar.py)。",
                             f"tests/{path.name}: an exercise is named ex<number>_<lowercase name> "
                             "(e.g. test_ex6_scalar.py)."))
            continue
        exercise = _read(name, path, problems)
        if exercise is not None:
            found[name] = exercise
    numbers: dict[int, list[str]] = {}
    for exercise in found.values():
        numbers.setdefault(exercise.number, []).append(exercise.name)
    for number, names in sorted(numbers.items()):
        if len(names) > 1:
            problems.append((f"番号 {number} の演習が複数あります: {', '.join(sorted(names))}。",
                             f"several exercises have number {number}: {', '.join(sorted(names))}."))
    if (tests.parent / "solutions").is_dir() and not (tests.parent / RELEASE_RECORD).is_file():  # not a student copy
        named = {path.stem[len("test_"):] for path in files}
        for name in sorted(named - set(solutions), key=sort_key):
            problems.append((f"tests/test_{name}.py に対応する参考解答 solutions/{name}.py がありません。",
                             f"tests/test_{name}.py has no reference solution solutions/{name}.py."))
        for name in sorted(set(solutions) - named, key=sort_key):
            problems.append((f"solutions/{name}.py に対応する採点テスト tests/test_{name}.py がありません。",
                             f"solutions/{name}.py has no graded tests tests/test_{name}.py."))
    if not files:
        problems.append((f"{tests} に採点テスト (test_ex<番号>_<名前>.py) がありません。",
                         f"no graded tests (test_ex<number>_<name>.py) in {tests}."))
    if problems:
        return ExerciseError(bilingual(
            "演習のファイルが揃っていません (docs/authoring.md の「演習を追加する」を参照):\n"
            + "\n".join(f"- {ja}" for ja, _ in problems),
            "the exercises' files do not agree (see \"Add an exercise\" in docs/authoring.md):\n"
            + "\n".join(f"- {en}" for _, en in problems)))
    return tuple(sorted(found.values(), key=lambda e: sort_key(e.name)))


def names(tests: Path | None = None) -> tuple[str, ...]:
    """The exercise names, in order (see :func:`discover`)."""
    return tuple(e.name for e in discover(tests))


def resolve(name: str, known: tuple[str, ...] | None = None) -> str | None:
    """The exercise a user means by ``name``: ``ex3_attention``, ``ex3``, ``3`` or a path like
    ``exercises/ex3_attention.py``; None if none (``known``: the names, default :func:`names`)."""
    key = Path(name).stem if name.endswith(".py") else name
    for ex in names() if known is None else known:
        if key == ex or key == ex.split("_")[0] or key == ex[2:].split("_")[0]:
            return ex
    return None


def get(name: str, tests: Path | None = None) -> Exercise:
    """The exercise ``name``.

    Raises:
        KeyError: no such exercise.
    """
    for exercise in discover(tests):
        if exercise.name == name:
            return exercise
    raise KeyError(name)


def points(tests: Path | None = None) -> dict[str, float]:
    """What each exercise is worth, ``{exercise: points}`` in order (see :func:`discover`)."""
    return {e.name: e.points for e in discover(tests)}


def total_points(tests: Path | None = None, *, default: float | None = None) -> float:
    """Full marks of the workbook: the points of every exercise's tests. ``default`` (if given)
    is returned when the exercises cannot be discovered (a report of that very error)."""
    try:
        return float(sum(e.points for e in discover(tests)))
    except (ExerciseError, OSError):
        if default is None:
            raise
        return default


def uniform_points() -> float:
    """The points of every exercise, when they are all worth the same (``POINTS_PER_EXERCISE``).

    Raises:
        ExerciseError: the exercises are worth different points (use ``get(name).points``).
    """
    points = {e.points for e in discover()}
    if len(points) != 1:
        raise ExerciseError(bilingual(
            f"演習ごとの配点が異なります ({sorted(points)}): autograder.core.exercises.get(名前).points を使ってください。",
            f"the exercises are worth different points ({sorted(points)}): use autograder.core.exercises.get(name).points."))
    points_value = points.pop()
    return int(points_value) if points_value == int(points_value) else points_value


_pinned: tuple[str, ...] | None = None
_pinned_rules: tuple[FromScratchRule, ...] = ()


def pinned() -> list[dict]:
    """What a process that cannot see ``tests/`` needs of the exercises, as plain data for
    :func:`pin`: each exercise's name and "from scratch" rules, in order."""
    if _pinned is not None:  # a process that was given them passes them on
        return [{"name": n, "rules": [r.to_data() for r in _pinned_rules if r.exercise == n]} for n in _pinned]
    return [{"name": e.name, "rules": [r.to_data() for r in e.rules]} for e in discover()]


def pin(exercises: Sequence[str | Mapping]) -> None:
    """Fix :data:`EXERCISES` (and :func:`declared_rules`) of this process: the sandboxed worker
    cannot see ``tests/``, so the coordinator that discovered them passes on :func:`pinned`'s
    data (``spec["exercises"]``; plain names pin the names alone)."""
    global _pinned, _pinned_rules
    _pinned = tuple(e if isinstance(e, str) else str(e["name"]) for e in exercises)
    _pinned_rules = tuple(FromScratchRule.from_data(r) for e in exercises if not isinstance(e, str)
                          for r in e.get("rules", ()))


def declared_rules() -> tuple[FromScratchRule, ...]:
    """Every exercise's "from scratch" rules, in exercise order then declaration order (pinned
    ones in a process that cannot see ``tests/``, see :func:`pin`).

    Raises:
        ExerciseError, FileNotFoundError: as :func:`discover`.
    """
    if _pinned is not None:
        return _pinned_rules
    return tuple(r for e in discover() for r in e.rules)


class _Names(Sequence):
    """The exercise names, in order, discovered when read (:data:`EXERCISES`)."""

    def _names(self) -> tuple[str, ...]:
        return _pinned if _pinned is not None else names()

    def __getitem__(self, index):
        return self._names()[index]

    def __len__(self) -> int:
        return len(self._names())

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __contains__(self, name: object) -> bool:
        return name in self._names()

    def __eq__(self, other: object) -> bool:
        return tuple(self) == (tuple(other) if isinstance(other, Sequence) and not isinstance(other, str) else other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._names())


class _Titles(Mapping):
    """Exercise → (Japanese title, English title), discovered when read (:data:`TITLES`)."""

    def _titles(self) -> dict[str, tuple[str, str]]:
        return {e.name: e.title for e in discover()}

    def __getitem__(self, name: str) -> tuple[str, str]:
        return self._titles()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._titles())

    def __len__(self) -> int:
        return len(self._titles())


#: The exercise names of the workbook, in order of their number (a live, read-only sequence).
EXERCISES: Sequence[str] = _Names()

#: The exercises' titles, ``{exercise: (ja, en)}`` (a live, read-only mapping).
TITLES: Mapping[str, tuple[str, str]] = _Titles()
