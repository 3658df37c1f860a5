"""Mutation testing of the graded tests with cosmic-ray: does every wrong solution lose points?

For each exercise, cosmic-ray mutates a scratch copy of ``solutions/<exercise>.py`` (only the
lines of its ``### BEGIN SOLUTION`` / ``### END SOLUTION`` regions: given code, docstrings and
``HINTS`` are what students receive, not what they write) and runs that exercise's graded tests
against each mutant, as a student's submission: ``pytest tests/test_<exercise>.py -x
--workbook=<scratch dir>`` with a per-test limit. A mutant is *killed* when a graded test fails
(or it cannot even be imported), *survived* otherwise. A surviving mutant listed in
``scripts/mutation_equivalent.json`` is *equivalent*: it computes the same results as the
solution for every input the exercise text allows, and the file says why.

    .venv/bin/python scripts/mutation.py                       # every exercise, every mutant (about an hour on 2 cores)
    .venv/bin/python scripts/mutation.py --exercise ex2 --sample 20 --seed 1
    .venv/bin/python scripts/mutation.py --record docs/mutation-results.json
    .venv/bin/python scripts/mutation.py --rerun docs/mutation-results.json   # only the earlier survivors
    .venv/bin/python scripts/mutation.py --rerun docs/mutation-full-run.json --update   # and fold them in

Exit code 0 when every surviving mutant is listed as equivalent, 1 otherwise. ``--record`` writes
the per-mutant results (operator, line, mutated code, outcome); docs/mutation.md summarises them.
The self-test ``selftests/test_mutation.py`` runs a small fixed sample.

cosmic-ray 用の突然変異テスト: 解答の SOLUTION 部分を 1 か所ずつ書き換え、その演習の採点テストが
失敗する (変異体を「殺す」) かを調べます。
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EQUIVALENT_FILE = REPO / "scripts" / "mutation_equivalent.json"

sys.path.insert(0, str(REPO))
from autograder.core.exercises import EXERCISES  # noqa: E402  (discovered from tests/)

#: Operators left out: bitwise and shift operators replacing arithmetic (``a + b`` -> ``a << b``)
#: raise TypeError on floats, so their mutants die on the first call and only cost time; the
#: remaining binary-operator replacements (+ - * / // % **) are kept.
EXCLUDED_OPERATORS = (
    r"core/ReplaceBinaryOperator_.*_(RShift|LShift|BitOr|BitAnd|BitXor)$",
    r"core/ReplaceBinaryOperator_(RShift|LShift|BitOr|BitAnd|BitXor)_.*",
)

_BEGIN = re.compile(r"^\s*### BEGIN SOLUTION\s*$")
_END = re.compile(r"^\s*### END SOLUTION\s*$")


def solution_regions(text: str) -> list[tuple[int, int]]:
    """1-based inclusive line ranges strictly inside each SOLUTION region."""
    regions, start = [], None
    for number, line in enumerate(text.splitlines(), start=1):
        if _BEGIN.match(line):
            start = number + 1
        elif _END.match(line) and start is not None:
            if number - 1 >= start:
                regions.append((start, number - 1))
            start = None
    return regions


def _toml_str(value: str) -> str:
    return json.dumps(value)   # a JSON string is a valid TOML basic string


def write_config(work: Path, exercise: str, *, per_test_limit: float, timeout: float) -> Path:
    """cosmic-ray's configuration for one exercise in ``work`` (module copied to work/sub/)."""
    module = f"sub/{exercise}.py"
    text = (work / module).read_text(encoding="utf-8")
    ranges = [f"{a}-{b}" for a, b in solution_regions(text)]
    test_command = " ".join([
        sys.executable, "-m", "pytest", str(REPO / "tests" / f"test_{exercise}.py"),
        "-x", "-q", "-p", "no:cacheprovider", "--no-header", "-o", "addopts=",
        f"--rootdir={REPO}", f"-c {REPO / 'pyproject.toml'}",
        f"--workbook={work / 'sub'}", f"--workbook-timeout={per_test_limit:g}",
        f"--score-report={work / 'score.json'}", f"--json-report-file={work / 'pytest-report.json'}",
    ])
    config = "\n".join([
        "[cosmic-ray]",
        f"module-path = {_toml_str(module)}",
        f"timeout = {timeout:g}",
        "excluded-modules = []",
        f"test-command = {_toml_str(test_command)}",
        "",
        "[cosmic-ray.distributor]",
        'name = "local"',
        "",
        "[cosmic-ray.filters.operators-filter]",
        "exclude-operators = [" + ", ".join(_toml_str(e) for e in EXCLUDED_OPERATORS) + "]",
        "",
        "[cosmic-ray.filters.line-filter.lines]",
        f"{_toml_str(module)} = [" + ", ".join(_toml_str(r) for r in ranges) + "]",
        "",
    ])
    path = work / "cosmic-ray.toml"
    path.write_text(config, encoding="utf-8")
    return path


def _tool(name: str) -> str:
    exe = Path(sys.executable).with_name(name)
    return str(exe) if exe.exists() else name


def _run(args: list[str], cwd: Path) -> None:
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")


def _mutated_line(diff: str) -> str:
    """The first added line of a unified diff, stripped (the mutant's code)."""
    for line in (diff or "").splitlines():
        if line.startswith("+") and not line.startswith("+++"):
            return line[1:].strip()
    return ""


def mutant_key(exercise: str, operator: str, original: str, mutated: str) -> str:
    """A key that survives edits elsewhere in the file: exercise, operator, original and mutated line."""
    return f"{exercise} | {operator} | {original} | {mutated}"


def prepare(exercise: str, work: Path, *, sample: int | None, seed: int, only: Callable[[str, str], bool] | None,
            per_test_limit: float, timeout: float) -> tuple[Path, Path]:
    """Copy the module, write the configuration, make the session and skip what is not run."""
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    (work / "sub").mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "solutions" / f"{exercise}.py", work / "sub" / f"{exercise}.py")
    config = write_config(work, exercise, per_test_limit=per_test_limit, timeout=timeout)
    session = work / "session.sqlite"
    _run([_tool("cosmic-ray"), "init", str(config), str(session), "--force"], work)
    _run([_tool("cr-filter-lines"), "--config", str(config), str(session)], work)
    _run([_tool("cr-filter-operators"), str(session), str(config)], work)
    lines = (work / "sub" / f"{exercise}.py").read_text(encoding="utf-8").splitlines()
    with use_db(str(session), WorkDB.Mode.open) as db:
        pending = sorted(db.pending_work_items, key=lambda item: item.job_id)
        keep = pending
        if only is not None:
            keep = [item for item in pending
                    if only(item.mutations[0].operator_name, lines[item.mutations[0].start_pos[0] - 1].strip())]
        if sample is not None and sample < len(keep):
            keep = random.Random(seed).sample(keep, sample)
        kept = {item.job_id for item in keep}
        skipped = [item.job_id for item in pending if item.job_id not in kept]
        if skipped:
            db.set_multiple_results(skipped, WorkResult(worker_outcome=WorkerOutcome.SKIPPED,
                                                        output="not in this run's sample"))
    return config, session


def collect(exercise: str, session: Path, equivalent: dict[str, str]) -> list[dict]:
    """One record per mutant that ran: where, what, and the outcome."""
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome, WorkerOutcome

    lines = (session.parent / "sub" / f"{exercise}.py").read_text(encoding="utf-8").splitlines()
    records = []
    with use_db(str(session), WorkDB.Mode.open) as db:
        for item, result in db.completed_work_items:
            if result.worker_outcome == WorkerOutcome.SKIPPED:
                continue
            mutation = item.mutations[0]
            original = lines[mutation.start_pos[0] - 1].strip()
            mutated = _mutated_line(result.diff)
            key = mutant_key(exercise, mutation.operator_name, original, mutated)
            if result.test_outcome == TestOutcome.SURVIVED:
                outcome = "equivalent" if key in equivalent else "survived"
            elif result.test_outcome == TestOutcome.INCOMPETENT:
                outcome = "incompetent"      # the mutant could not run at all: killed
            else:
                outcome = "killed"
            records.append({
                "exercise": exercise, "operator": mutation.operator_name, "occurrence": mutation.occurrence,
                "line": mutation.start_pos[0], "original": original, "mutated": mutated, "outcome": outcome,
                "worker": str(result.worker_outcome), "key": key,
                **({"reason": equivalent[key]} if outcome == "equivalent" else {}),
            })
    return sorted(records, key=lambda r: (r["line"], r["operator"], r["occurrence"]))


def baseline(config: Path, work: Path) -> None:
    """The unmutated copy must pass every graded test, or every mutant would count as killed."""
    import shlex

    from cosmic_ray.config import load_config

    proc = subprocess.run(shlex.split(load_config(str(config)).test_command), cwd=work, capture_output=True,
                          text=True)
    if proc.returncode != 0:
        raise SystemExit(f"baseline: the unmutated solution fails its graded tests:\n{proc.stdout[-3000:]}")


def run_exercise(exercise: str, *, sample: int | None = None, seed: int = 0,
                 only: Callable[[str, str], bool] | None = None,
                 per_test_limit: float = 5.0, timeout: float = 300.0, workdir: Path | None = None,
                 equivalent: dict[str, str] | None = None) -> list[dict]:
    """Mutate ``solutions/<exercise>.py`` and grade every (sampled) mutant; the records of the run.

    ``only(operator, original_line)`` selects the mutants to run (before ``sample``)."""
    equivalent = load_equivalent() if equivalent is None else equivalent
    with tempfile.TemporaryDirectory(prefix=f"mutation-{exercise}-") as tmp:
        work = Path(workdir or tmp) / exercise
        if work.exists():
            shutil.rmtree(work)
        work.mkdir(parents=True)
        config, session = prepare(exercise, work, sample=sample, seed=seed, only=only,
                                  per_test_limit=per_test_limit, timeout=timeout)
        baseline(config, work)
        _run([_tool("cosmic-ray"), "exec", str(config), str(session)], work)
        return collect(exercise, session, equivalent)


def load_equivalent() -> dict[str, str]:
    data = json.loads(EQUIVALENT_FILE.read_text(encoding="utf-8"))
    return {entry["key"]: entry["reason"] for entry in data["equivalent"]}


def summary(records: list[dict]) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {}
    for r in records:
        row = table.setdefault(r["exercise"], {"killed": 0, "incompetent": 0, "survived": 0, "equivalent": 0})
        row[r["outcome"]] += 1
    return table


def totals(records: list[dict]) -> tuple[dict[str, int], float]:
    """Counts over all exercises, and the share of non-equivalent mutants killed."""
    table = summary(records)
    total = {k: sum(row[k] for row in table.values()) for k in ("killed", "incompetent", "survived", "equivalent")}
    non_equivalent = total["killed"] + total["incompetent"] + total["survived"]
    return total, (total["killed"] + total["incompetent"]) / non_equivalent if non_equivalent else 1.0


def write_record(path: Path, records: list[dict], *, sample: int | None, seed: int) -> None:
    total, rate = totals(records)
    head = json.dumps({"summary": summary(records), "total": total, "killed_rate": rate,
                       "sample_per_exercise": sample, "seed": seed}, ensure_ascii=False, indent=1)
    rows = ",\n  ".join(json.dumps(r, ensure_ascii=False) for r in records)   # one mutant per line
    path.write_text(head[:-2] + ',\n "mutants": [\n  ' + rows + "\n ]\n}\n", encoding="utf-8")


def fold(earlier: list[dict], again: list[dict], equivalent: dict[str, str]) -> list[dict]:
    """``earlier`` with the outcomes of a re-run (``again``, matched by key) and of the current list of
    equivalent mutants: what a full run would record now, without running the killed mutants again.

    A mutant killed earlier stays killed (tests are only added); a re-run mutant takes its new outcome."""
    newer = {r["key"]: r for r in again}
    folded = []
    for r in earlier:
        r = dict(newer.get(r["key"], r))
        if r["outcome"] in ("survived", "equivalent"):
            r.pop("reason", None)
            r["outcome"] = "equivalent" if r["key"] in equivalent else "survived"
            if r["outcome"] == "equivalent":
                r["reason"] = equivalent[r["key"]]
        folded.append(r)
    return folded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--exercise", action="append", help="ex2, ex2_transforms... (repeatable; default all)")
    parser.add_argument("--sample", type=int, help="run N mutants per exercise, drawn with --seed")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-test-limit", type=float, default=5.0, help="CPU seconds per graded test")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per mutant (the whole test file)")
    parser.add_argument("--workdir", type=Path, help="keep cosmic-ray's sessions here (default: a temp dir)")
    parser.add_argument("--record", type=Path, help="write the per-mutant results (JSON) here")
    parser.add_argument("--rerun", type=Path, help="run only the mutants that survived in this earlier record")
    parser.add_argument("--update", action="store_true",
                        help="with --rerun: write the earlier record back with the re-run's outcomes folded in")
    args = parser.parse_args(argv)
    only = None
    if args.rerun:
        earlier = json.loads(args.rerun.read_text(encoding="utf-8"))["mutants"]
        again = {(r["exercise"], r["operator"], r["original"]) for r in earlier if r["outcome"] == "survived"}
        args.exercise = sorted({e for e, _, _ in again}) or ["none"]

    names = EXERCISES
    if args.exercise:
        names = tuple(n for n in EXERCISES if any(n == e or n.split("_")[0] == e for e in args.exercise))
    records: list[dict] = []
    for name in names:
        print(f"{name}: mutating the SOLUTION regions ...", flush=True)
        if args.rerun:
            only = lambda op, line, name=name: (name, op, line) in again  # noqa: E731
        got = run_exercise(name, sample=args.sample, seed=args.seed, only=only, per_test_limit=args.per_test_limit,
                           timeout=args.timeout, workdir=args.workdir)
        records += got
        print(f"{name}: {summary(got).get(name, {})}", flush=True)
        if args.record:   # after each exercise, so a long run keeps what it has done
            write_record(args.record, records, sample=args.sample, seed=args.seed)
        for r in got:
            if r["outcome"] == "survived":
                print(f"  survived: line {r['line']} {r['operator']}: {r['original']}  ->  {r['mutated']}")
    if args.update and args.rerun:
        whole = json.loads(args.rerun.read_text(encoding="utf-8"))
        records = fold(whole["mutants"], records, load_equivalent())
        write_record(args.rerun, records, sample=whole.get("sample_per_exercise"), seed=whole.get("seed", 0))
        print(f"{args.rerun}: updated with the re-run")
    total, rate = totals(records)
    print(f"total: {total}; killed {100 * rate:.1f} % of the non-equivalent mutants")
    return 0 if total["survived"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
