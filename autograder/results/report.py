"""Score reports: the terminal table and the JSON results file (Gradescope's results.json schema).

The plugin turns each graded test into a :class:`TestResult`; this module only aggregates and
formats them, so the same results give the same report every run (only ``execution_time``
varies).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import EXERCISES, __version__
from ..core.exercises import TITLES, sort_key, total_points  # noqa: F401  (TITLES: read by cli, ci, htmlreport)
from ..core.i18n import bilingual, get_language, pad

#: Outcome kinds of one graded test.
OUTCOMES = ("passed", "failed", "not_implemented", "import_error", "timeout", "forbidden_call", "error", "skipped")

#: Who reads what a run prints: a ``student`` sees at most the name, points and pass/fail of a
#: hidden test; an ``instructor`` sees everything (``--workbook-audience``).
AUDIENCES = ("student", "instructor")

#: Gradescope visibility values a hidden test may get in the score report (``--hidden-visibility``).
HIDDEN_VISIBILITIES = ("hidden", "after_due_date", "after_published")

#: The default visibility of hidden tests: students see them once the instructor publishes grades.
DEFAULT_HIDDEN_VISIBILITY = "after_published"

#: Japanese and English labels of the outcomes (terminal, CLI and HTML report).
OUTCOME_LABELS = {
    "passed": ("合格", "passed"),
    "failed": ("不合格", "failed"),
    "not_implemented": ("未実装", "not implemented"),
    "import_error": ("ファイルなし・読み込みエラー", "missing file or import error"),
    "timeout": ("時間切れ", "timed out"),
    "forbidden_call": ("禁止された関数", "forbidden call"),
    "error": ("エラー", "error"),
    "skipped": ("スキップ", "skipped"),
}


@dataclass
class TestResult:
    """The graded result of one test (plain data only)."""

    nodeid: str
    exercise: str
    task: str
    name: str
    description: str
    points: float
    outcome: str = "error"
    output: str = ""
    hidden: bool = False
    #: ``{"id", "ja", "en"}`` of the known mistake a failed test recognised (autograder.checks.misconception)
    misconception: dict[str, str] | None = None

    @property
    def score(self) -> float:
        """Points earned: all of them if passed, none otherwise."""
        return self.points if self.outcome == "passed" else 0.0


@dataclass
class ExerciseSummary:
    """Points of one exercise."""

    exercise: str
    score: float = 0.0
    max_score: float = 0.0
    passed: int = 0
    total: int = 0
    tasks: dict[str, list[float]] = field(default_factory=dict)


def withheld_message() -> str:
    """What a student is shown instead of a hidden test's message (bilingual)."""
    return bilingual(
        "非公開テストです。失敗の内容 (入力、期待値、出力) は表示されません。",
        "hidden test: its failure details (inputs, expected values, output) are not shown.",
    )


def is_hidden(test: dict[str, Any]) -> bool:
    """Whether a test entry of a score report is a hidden test (``extra_data.hidden``, or a
    Gradescope visibility other than ``visible``)."""
    return bool(test.get("extra_data", {}).get("hidden")) or test.get("visibility", "visible") != "visible"


def report_audience(document: dict[str, Any]) -> str:
    """The audience a score report was made for (``extra_data.hidden_tests.audience``); a report
    that does not say is taken as made for a student."""
    audience = (document.get("extra_data", {}).get("hidden_tests") or {}).get("audience")
    return audience if audience in AUDIENCES else "student"


def shown_misconception(test: dict[str, Any], audience: str) -> dict[str, str] | None:
    """A failed test entry's ``extra_data.misconception`` (``{"id", "ja", "en"}``) as ``audience``
    may see it: None for a hidden test shown to a student, or when none was recognised."""
    if audience != "instructor" and is_hidden(test):
        return None
    found = (test.get("extra_data") or {}).get("misconception")
    return found if isinstance(found, dict) and {"id", "ja", "en"} <= found.keys() else None


def misconception_lines(test: dict[str, Any], audience: str) -> list[str]:
    """The lines naming a test's recognised misconception ("考えられる誤解: …" / "likely
    misconception: …", in the language in force), or [] (see :func:`shown_misconception`)."""
    found = shown_misconception(test, audience)
    if found is None:
        return []
    return bilingual(f"考えられる誤解: {found['ja']}", f"likely misconception: {found['en']}").splitlines()


def output_below_misconception(test: dict[str, Any], audience: str) -> str:
    """:func:`shown_output` for a surface that shows :func:`misconception_lines` above it: the
    message without its own "考えられる誤解" / "likely misconception" lines (said once, on top)."""
    output = shown_output(test, audience)
    if shown_misconception(test, audience) is None:
        return output
    prefixes = ("考えられる誤解: ", "likely misconception: ")
    return "\n".join(line for line in output.splitlines() if not line.lstrip().startswith(prefixes))


def shown_name(test: dict[str, Any], audience: str) -> str:
    """A test entry's ``name`` (``"exercise › task › test_name: description"``) as ``audience`` may
    see it: a hidden test's description (what it checks, e.g. "H(p, q) >= H(p) ...") is left out
    for a student, who is shown a hidden test's name, points and pass/fail only."""
    name = str(test.get("name", ""))
    if audience != "instructor" and is_hidden(test):
        head, sep, last = name.rpartition(" › ")
        return head + sep + last.split(": ", 1)[0]
    return name


def shown_output(test: dict[str, Any], audience: str) -> str:
    """A test entry's ``output`` as ``audience`` may see it: a hidden test's is withheld from a student."""
    if audience != "instructor" and is_hidden(test):
        return withheld_message() if test.get("status") != "passed" else ""
    return test.get("output") or ""


def summarize(results: list[TestResult]) -> list[ExerciseSummary]:
    """Aggregate test results per exercise (in workbook order) and per task (in test order)."""
    by_ex: dict[str, ExerciseSummary] = {}
    for r in results:
        s = by_ex.setdefault(r.exercise, ExerciseSummary(r.exercise))
        s.score += r.score
        s.max_score += r.points
        s.total += 1
        s.passed += r.outcome == "passed"
        task = s.tasks.setdefault(r.task, [0.0, 0.0])
        task[0] += r.score
        task[1] += r.points
    return sorted(by_ex.values(), key=lambda s: sort_key(s.exercise))


def _fmt(x: float) -> str:
    return f"{x:g}" if x != int(x) else str(int(x))


def score_table(results: list[TestResult], target: str, *, partial: bool = False, mode: str = "local") -> str:
    """The plain-text score table printed after every run (``partial``: only some tests were run;
    ``mode``: ``"local"`` or ``"isolated"``, the latter is named in the header).

    Column headers and titles follow the language setting (:func:`autograder.core.i18n.get_language`).
    """
    rows = summarize(results)
    note = f"  ({bilingual('一部のみ採点', 'partial run', sep=' / ')})" if partial else ""
    if mode == "isolated":
        note += f"  [{bilingual('隔離モード', 'isolated mode', sep=' / ')}]"
    lang = get_language()
    head = ("演習", "得点", "満点", "合格テスト") if lang == "ja" else ("exercise", "points", "max", "tests passed")
    lines = [
        f"{bilingual('採点結果', 'Workbook score', sep=' / ')} — {'対象' if lang == 'ja' else 'target'}: {target}{note}",
        f"{pad(head[0], 22)} {pad(head[1], 7, right=True)} {pad(head[2], 5, right=True)}  {head[3]}",
    ]
    for s in rows:
        ja, en = TITLES.get(s.exercise, ("", ""))
        lines.append(f"{s.exercise:<22} {_fmt(s.score):>7} {_fmt(s.max_score):>5}  {s.passed}/{s.total}   "
                     f"{bilingual(ja, en, sep=' / ')}")
    total = sum(s.score for s in rows)
    max_total = sum(s.max_score for s in rows)
    passed = sum(s.passed for s in rows)
    count = sum(s.total for s in rows)
    label = "合計" if lang == "ja" else "total"
    lines.append(f"{pad(label, 22)} {_fmt(total):>7} {_fmt(max_total):>5}  {passed}/{count}")
    return "\n".join(lines)


def build_results(results: list[TestResult], *, target: str, execution_time: float,
                  errors: list[str] | None = None, exit_status: int | None = None,
                  partial: bool = False, mode: str = "local", confinement: str | None = None,
                  grader_digest: dict[str, Any] | None = None, audience: str = "student",
                  hidden_visibility: str = DEFAULT_HIDDEN_VISIBILITY,
                  missing: list[str] | None = None) -> dict[str, Any]:
    """Build the results document (Gradescope results.json schema, plus ``extra_data``).

    Args:
        results: graded tests, in collection order.
        target: the graded directory as given by the user.
        execution_time: seconds for the whole run.
        errors: run-level problems (collection errors, no tests collected, a crash).
        missing: graded exercises whose file the submission does not have (``extra_data.missing``:
            a batch's LMS export leaves a student empty, not 0, when it lacks every graded one).
        exit_status: pytest's exit status, when known.
        partial: only some of the workbook's tests were selected (an exercise, a task, ``-k``).
        mode: ``"local"`` (the submission ran in the grader's process) or ``"isolated"``
            (``--isolated``: in a sandboxed worker); recorded as ``extra_data.mode``.
        confinement: isolated mode: how the worker was confined (``"root namespaces"``,
            ``"namespaces via bwrap"`` or ``"none: resource limits only"``); ``extra_data.confinement``.
        grader_digest: the digest of the grader and graded tests that ran, and how it compares
            with the release record (:func:`autograder.results.digest.report_field`);
            ``extra_data.grader_digest``.
        audience: ``"student"`` (the default): a hidden test's ``output`` is replaced by
            :func:`withheld_message`; ``"instructor"``: kept whole (batch grading).
        hidden_visibility: the Gradescope visibility of hidden tests (one of
            :data:`HIDDEN_VISIBILITIES`); visible tests are ``"visible"``.

    Returns:
        A JSON-serialisable dict: ``score``, ``max_score``, ``execution_time``, ``output``,
        ``visibility``, ``tests[]`` (``name``, ``number``, ``score``, ``max_score``, ``status``,
        ``output``, ``tags``, ``visibility``, ``extra_data``) and ``extra_data`` (per-exercise and
        per-task points, target, versions, errors, and ``hidden_tests``: ``count``, ``points``,
        ``visibility``, ``audience`` and ``output`` — ``"kept"`` or ``"withheld"``).

    Raises:
        ValueError: an unknown ``audience`` or ``hidden_visibility``.
    """
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {AUDIENCES}, not {audience!r}")
    if hidden_visibility not in HIDDEN_VISIBILITIES:
        raise ValueError(f"hidden_visibility must be one of {HIDDEN_VISIBILITIES}, not {hidden_visibility!r}")
    summaries = summarize(results)
    numbers: dict[str, int] = {}
    tests = []
    for r in results:
        ex_index = sort_key(r.exercise)[0] if r.exercise in EXERCISES else 0  # ex6_scalar: 6
        numbers[r.exercise] = numbers.get(r.exercise, 0) + 1
        name = f"{r.exercise} › {r.task} › {r.name}"
        if r.description:
            name += f": {r.description}"
        tests.append({
            "name": name,
            "number": f"{ex_index}.{numbers[r.exercise]}",
            "score": r.score,
            "max_score": r.points,
            "status": "passed" if r.outcome == "passed" else "failed",
            "output": r.output,
            "output_format": "text",
            "tags": [r.exercise, r.task],
            "visibility": hidden_visibility if r.hidden else "visible",
            "extra_data": {"nodeid": r.nodeid, "exercise": r.exercise, "task": r.task, "outcome": r.outcome,
                           "hidden": r.hidden},
        })
        if r.misconception and r.outcome == "failed" and not (r.hidden and audience == "student"):
            tests[-1]["extra_data"]["misconception"] = dict(r.misconception)
        tests[-1]["output"] = shown_output(tests[-1], audience)
        tests[-1]["name"] = shown_name(tests[-1], audience)
    max_score = float(sum(s.max_score for s in summaries)) or total_points(default=0.0)
    errors = list(errors or [])
    output = score_table(results, target, partial=partial, mode=mode)
    if errors:
        output += "\n\n" + "\n".join(errors)
    return results_document(
        score=float(sum(s.score for s in summaries)),
        max_score=max_score,
        execution_time=round(execution_time, 3),
        output=output,
        tests=tests,
        extra_data={
            "workbook_version": __version__,
            "target": target,
            "exit_status": exit_status,
            "partial": partial,
            "mode": mode,
            **({"confinement": confinement} if confinement else {}),
            **({"grader_digest": grader_digest} if grader_digest else {}),
            "hidden_tests": {
                "count": sum(r.hidden for r in results),
                "points": float(sum(r.points for r in results if r.hidden)),
                "visibility": hidden_visibility,
                "audience": audience,
                "output": "kept" if audience == "instructor" else "withheld",
            },
            "errors": errors,
            **({"missing": list(missing)} if missing else {}),
            "exercises": [
                {
                    "exercise": s.exercise,
                    "title_ja": TITLES.get(s.exercise, ("", ""))[0],
                    "title_en": TITLES.get(s.exercise, ("", ""))[1],
                    "score": s.score,
                    "max_score": s.max_score,
                    "tests_passed": s.passed,
                    "tests_total": s.total,
                    "tasks": [{"task": t, "score": v[0], "max_score": v[1]} for t, v in s.tasks.items()],
                }
                for s in summaries
            ],
        },
    )


def results_document(*, score: float, max_score: float, execution_time: float, output: str,
                     tests: list[dict[str, Any]], extra_data: dict[str, Any]) -> dict[str, Any]:
    """The top level of a score report (Gradescope ``results.json``): every report is made here.

    Args:
        score, max_score: points (float).
        execution_time: seconds.
        output: the score table (plain text).
        tests: the per-test entries.
        extra_data: the workbook's own fields (see ``schemas/results.schema.json``).
    """
    return {
        "score": score,
        "max_score": max_score,
        "execution_time": execution_time,
        "output": output,
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": extra_data,
    }


def write_json(path: Path, document: dict[str, Any]) -> None:
    """Write ``document`` to ``path`` atomically (a temporary file, then a rename).

    Text the student's code produced may hold lone surrogates; they are written as ``\\udcff``
    escapes instead of failing the report.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    try:
        tmp.write_bytes(text.encode("utf-8", errors="backslashreplace"))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def not_implemented_lines(results: list[TestResult]) -> list[str]:
    """One line per task with tests that failed as "not implemented", in test order:
    ``ex1_vectors › analogy: 未実装 / not implemented yet (0/5 点 / points)``."""
    tasks: dict[tuple[str, str], list[TestResult]] = {}
    for r in results:
        tasks.setdefault((r.exercise, r.task), []).append(r)
    lines = []
    for (exercise, task), tests in tasks.items():
        todo = [r for r in tests if r.outcome == "not_implemented"]
        if not todo:
            continue
        points = sum(r.points for r in tests)
        if len(todo) == len(tests):
            text = bilingual(f"未実装 (0/{points:g} 点)", f"not implemented yet (0/{points:g} points)", sep=" / ")
        else:
            lost = sum(r.points for r in todo)
            text = bilingual(f"テスト {len(todo)}/{len(tests)} 個が未実装 ({lost:g} 点)",
                             f"{len(todo)} of {len(tests)} tests not implemented yet ({lost:g} points)", sep=" / ")
        lines.append(f"  {exercise} › {task}: {text}")
    return lines
