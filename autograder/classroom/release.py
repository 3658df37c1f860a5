"""``workbook release DIR``: a student copy of the workbook — no solutions, no hidden tests.

What the copy holds: the grader (``autograder/``), the graded tests without the tests marked
``@pytest.mark.hidden``, the stubs generated from ``solutions/`` (``exercises/``), the pristine
stubs again in ``autograder/data/stubs/`` (for ``workbook reset``), the reference figures as PNG
in ``autograder/data/figures/`` (for the HTML report), ``docs/ERRATA.md``, a student ``README.md``
(``templates/student/README.md`` with the copy's points and tests filled in, never the instructor's),
``pyproject.toml``, ``constraints.txt``, the student's scripts (``STUDENT_SCRIPTS``: set-up and
grading; never the instructor's self-test, batch or mutation scripts), the CI
workflow from ``templates/github/workflows/grade.yml`` installed as
``.github/workflows/grade.yml``, a ``.gitignore``, and the release record
``workbook-release.json``: the digest of the copy's grader and graded tests as written
(:mod:`autograder.results.digest`), which the copy's score reports and CI compare with. What it never holds: ``solutions/``,
``selftests/``, ``course/``, ``.ci/``, reports, state, ``.git``.

Checks (``verify=True``): before anything is written, the reference solutions must score full
marks on every graded test (hidden ones included); after writing, in the copy, its own tests
must give the reference full marks and the stubs 0 (every test "not implemented"), the digest in
its score report must equal the release record, and no
``### BEGIN SOLUTION`` marker nor hidden test may be left. A directory that exists and is not
empty is refused.
"""

from __future__ import annotations

import ast
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from .. import __version__
from ..core.exercises import names
from ..core.i18n import bilingual
from ..results.digest import RELEASE_RECORD, write_release_record
from .stubs import MANIFEST, _digest, make_stub
from ..grading.workspace import WorkbookError, grade

WORKFLOW_TEMPLATE = Path("templates") / "github" / "workflows" / "grade.yml"
#: What a student copy takes from ``scripts/`` (an allow-list: an instructor's new script — the
#: mutation-testing one quotes the solution markers — never ends up in a student's hands).
STUDENT_SCRIPTS = ("_env.sh", "setup.sh", "grade.sh")
README_TEMPLATE = Path("templates") / "student" / "README.md"

#: Words of the instructor's workbook that a student copy's README never mentions.
INSTRUCTOR_ONLY = ("selftest", "solutions/", "course/", "selftests/", "nbgrader", "hidden test", "非公開テスト")

STUDENT_GITIGNORE = """\
.venv/
__pycache__/
*.egg-info/
.pytest_cache/
.hypothesis/
reports/
.workbook/
*.py.bak
# `workbook reset` keeps your earlier version as exercises/<exercise>.py.bak-YYYYmmdd-HHMMSS
*.py.bak-*
"""


def strip_hidden_tests(source: str) -> tuple[str, int]:
    """Remove the test functions decorated with ``pytest.mark.hidden`` from a test module.

    The decorators, the function and the comment lines directly above it are removed; helpers
    stay (a strategy used only by a hidden test is harmless).

    Args:
        source: the text of a graded test module.

    Returns:
        (the new text, the number of tests removed).
    """
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    drop: list[tuple[int, int]] = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if not any(ast.unparse(d).startswith("pytest.mark.hidden") for d in node.decorator_list):
            continue
        start = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
        while start > 0 and lines[start - 1].lstrip().startswith("#"):
            start -= 1
        drop.append((start, node.end_lineno))
    for start, end in reversed(drop):
        del lines[start:end]
    text = "".join(lines)
    while "\n\n\n\n" in text:
        text = text.replace("\n\n\n\n", "\n\n\n")
    return text, len(drop)


def _say(out: TextIO, ja: str, en: str) -> None:
    print(bilingual(ja, en), file=out, flush=True)


def _full_marks(result) -> bool:
    doc = result.document
    return result.returncode == 0 and doc is not None and bool(doc["tests"]) and doc["score"] == doc["max_score"]


def release(root: Path, directory: Path, *, verify: bool = True, out: TextIO = sys.stdout) -> int:
    """Write a student copy of the workbook at ``root`` into ``directory``.

    Args:
        root: the instructor's workbook (with ``solutions/``).
        directory: a new or empty directory.
        verify: run the grading checks (module doc).
        out: where progress is written.

    Returns:
        0 on success, 1 if a check failed after the copy was written (the copy is left for
        inspection).

    Raises:
        WorkbookError: ``directory`` exists and is not empty, ``root`` has no ``solutions/``, or
            the reference solutions do not pass every test (nothing is written then).
    """
    directory = directory.expanduser().resolve()
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise WorkbookError(bilingual(
            f"{directory} は空ではありません。新しいディレクトリか空のディレクトリを指定してください (何も書いていません)。",
            f"{directory} is not empty; give a new or empty directory (nothing was written).",
        ))
    solutions = root / "solutions"
    if not solutions.is_dir() or not all((solutions / f"{name}.py").is_file() for name in names(root / "tests")):
        raise WorkbookError(bilingual(f"{solutions} に参考解答がありません。", f"no reference solutions in {solutions}."))
    if root.resolve() in directory.parents or directory == root.resolve():
        raise WorkbookError(bilingual("ワークブックの中には書き出せません。", "cannot release into the workbook itself."))

    with tempfile.TemporaryDirectory(prefix="workbook-release-") as tmp:
        if verify:
            _say(out, "1/3 参考解答をすべてのテスト (非公開テストを含む) で採点しています ...",
                 "1/3 grading the reference solutions with every test (hidden ones included) ...")
            result = grade(root, solutions, score_path=Path(tmp) / "reference.json")
            if not _full_marks(result):
                doc = result.document or {}
                raise WorkbookError(bilingual(
                    f"参考解答が満点ではありません ({doc.get('score')}/{doc.get('max_score')}, 終了コード "
                    f"{result.returncode})。テストか解答を直してください (何も書いていません)。",
                    f"the reference solutions do not get full marks ({doc.get('score')}/{doc.get('max_score')}, exit "
                    f"code {result.returncode}); fix the tests or the solutions (nothing was written).",
                ) + "\n" + result.output[-3000:])

        _say(out, f"2/3 {directory} に書き出しています ...", f"2/3 writing {directory} ...")
        removed = _write_copy(root, directory)
        _say(out, f"    非公開テスト {removed} 個を除きました。", f"    left out {removed} hidden tests.")

        if not verify:
            return 0
        _say(out, "3/3 コピーを確認しています (参考解答は満点、ひな形は 0 点) ...",
             "3/3 checking the copy (reference: full marks, stubs: 0) ...")
        problems = _leaks(directory)
        ref = grade(directory, solutions, score_path=Path(tmp) / "copy-reference.json")
        if not _full_marks(ref):
            problems.append(bilingual("コピーのテストで参考解答が満点になりません。", "the copy's tests do not give the reference full marks.")
                            + "\n" + ref.output[-2000:])
        if ref.document is not None:
            problems += _readme_problems(directory, float(ref.document["max_score"]))
        recorded = ref.document.get("extra_data", {}).get("grader_digest", {}) if ref.document else {}
        if recorded.get("status") != "as_released":
            problems.append(bilingual(
                f"コピーの採点レポートのダイジェストが {RELEASE_RECORD} と一致しません ({recorded.get('status')}: "
                f"{recorded.get('changed')})。",
                f"the digest in the copy's score report does not match {RELEASE_RECORD} ({recorded.get('status')}: "
                f"{recorded.get('changed')})."))
        stubs = grade(directory, directory / "exercises", score_path=Path(tmp) / "copy-stubs.json")
        doc = stubs.document
        outcomes = {t["extra_data"]["outcome"] for t in (doc or {}).get("tests", [])}
        if doc is None or doc["score"] != 0 or outcomes != {"not_implemented"}:
            problems.append(bilingual(f"コピーのひな形が 0 点になりません ({outcomes})。",
                                      f"the copy's stubs do not score 0 ({outcomes}).") + "\n" + stubs.output[-2000:])
        if problems:
            for problem in problems:
                print(problem, file=out)
            _say(out, f"確認に失敗しました。{directory} を調べてください。", f"checks failed; inspect {directory}.")
            return 1
        visible = len(ref.document["tests"])
        _say(out, f"完了: {directory} (テスト {visible} 個、参考解答 {ref.document['score']:g}/{ref.document['max_score']:g}、"
             "ひな形 0 点)。",
             f"done: {directory} ({visible} tests; reference {ref.document['score']:g}/{ref.document['max_score']:g}, "
             "stubs 0).")
    return 0


def _copytree(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.bak", ".pytest_cache"))


def _write_copy(root: Path, directory: Path) -> int:
    """Write every file of the student copy; returns the number of hidden tests left out."""
    from ..results.figures import FIGURES, reference_figure, setup_matplotlib

    directory.mkdir(parents=True, exist_ok=True)
    _copytree(root / "autograder", directory / "autograder")
    for stale in ("stubs", "figures"):
        shutil.rmtree(directory / "autograder" / "data" / stale, ignore_errors=True)
    removed = 0
    (directory / "tests").mkdir()
    for path in sorted((root / "tests").iterdir()):
        if path.is_dir():
            continue
        if path.suffix == ".py":
            text, n = strip_hidden_tests(path.read_text(encoding="utf-8"))
            removed += n
            (directory / "tests" / path.name).write_text(text, encoding="utf-8")
        else:
            shutil.copy2(path, directory / "tests" / path.name)
    exercises = directory / "exercises"
    kept = directory / "autograder" / "data" / "stubs"
    exercises.mkdir()
    kept.mkdir(parents=True)
    manifest = {}
    for name in names(root / "tests"):
        stub = make_stub((root / "solutions" / f"{name}.py").read_text(encoding="utf-8"))
        (exercises / f"{name}.py").write_text(stub, encoding="utf-8")
        (kept / f"{name}.py").write_text(stub, encoding="utf-8")
        manifest[name] = _digest(stub)
    import json

    (exercises / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    figures = directory / "autograder" / "data" / "figures"
    figures.mkdir(parents=True)
    setup_matplotlib()
    for name, spec in FIGURES.items():
        image = reference_figure(spec, root / "solutions")
        if image.png is not None:
            (figures / f"{name}.png").write_bytes(image.png)
    (directory / "docs").mkdir()
    if (root / "docs" / "ERRATA.md").is_file():
        shutil.copy2(root / "docs" / "ERRATA.md", directory / "docs" / "ERRATA.md")
    for name in ("pyproject.toml", "constraints.txt"):
        if (root / name).is_file():
            shutil.copy2(root / name, directory / name)
    (directory / "README.md").write_text(student_readme(root, directory / "tests"), encoding="utf-8")
    if (root / "scripts").is_dir():
        (directory / "scripts").mkdir()
        for name in STUDENT_SCRIPTS:
            if (root / "scripts" / name).is_file():
                shutil.copy2(root / "scripts" / name, directory / "scripts" / name)
    workflow = root / WORKFLOW_TEMPLATE
    if workflow.is_file():
        (directory / ".github" / "workflows").mkdir(parents=True)
        shutil.copy2(workflow, directory / ".github" / "workflows" / "grade.yml")
    (directory / ".gitignore").write_text(STUDENT_GITIGNORE, encoding="utf-8")
    write_release_record(directory, version=__version__)  # last: the digest of the copy as written
    return removed


def student_readme(root: Path, tests: Path) -> str:
    """The student copy's README (``templates/student/README.md``), with the points and tests of
    the copy's own graded tests (``tests``, hidden tests left out), computed, never written by hand.

    ``pyproject.toml`` names ``README.md`` as the package's readme, so the copy always has one.
    ``$torch_pin`` is the torch pin of ``constraints.txt`` (the Linux set-up without bash installs it
    from the PyTorch CPU wheel index first).
    """
    from string import Template

    from ..core.tasks import tasks_of

    rows, total, count = [], 0.0, 0
    for name in names(tests):
        path = tests / f"test_{name}.py"
        tasks = tasks_of(name, path)
        points = sum(t.points for t in tasks)
        total += points
        count += sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("def test"))
        rows.append(f"| `{name}` | {points:g} | {', '.join(f'`{t.name}`' for t in tasks)} |")
    template = root / README_TEMPLATE
    text = template.read_text(encoding="utf-8") if template.is_file() else "# Workbook\n\n$exercise_rows\n| **total** | **$total** | $tests tests |\n"
    pins = (root / "constraints.txt").read_text(encoding="utf-8").splitlines() if (root / "constraints.txt").is_file() else []
    torch_pin = next((line.strip() for line in pins if line.strip().startswith("torch==")), "torch")
    return Template(text).substitute(exercise_rows="\n".join(rows), total=f"{total:g}", tests=count, torch_pin=torch_pin)


def _readme_problems(directory: Path, max_score: float) -> list[str]:
    """What is wrong with the copy's README: an instructor-only word, or a total that is not the
    copy's maximum score."""
    text = (directory / "README.md").read_text(encoding="utf-8")
    problems = [f"README.md mentions {word!r}" for word in INSTRUCTOR_ONLY if word.lower() in text.lower()]
    if f"**{max_score:g}**" not in text:
        problems.append(f"README.md does not give the copy's total of {max_score:g} points")
    return problems


def _grader_source(relative: Path) -> bool:
    """A module of the grader package (it names the markers), not one of its data files (stubs)."""
    return relative.parts[0] == "autograder" and relative.parts[1:2] != ("data",)


def _leaks(directory: Path) -> list[str]:
    """Solution regions, hidden tests or instructor-only directories left in the copy."""
    problems = []
    for forbidden in ("solutions", "selftests", "course", ".ci"):
        if (directory / forbidden).exists():
            problems.append(f"{forbidden}/ is in the copy")
    for path in directory.rglob("*.py"):
        text = path.read_text(encoding="utf-8", errors="replace")
        if "### BEGIN SOLUTION" in text and not _grader_source(path.relative_to(directory)):
            problems.append(f"{path.relative_to(directory)} still has a solution region")
        if path.parent.name == "tests" and "mark.hidden" in text.replace("pytest.mark.hidden  #", ""):
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, ast.FunctionDef) and any(
                        ast.unparse(d).startswith("pytest.mark.hidden") for d in node.decorator_list):
                    problems.append(f"{path.relative_to(directory)}::{node.name} is a hidden test")
    return problems
