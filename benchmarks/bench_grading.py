"""Benchmark of grading speed (a script, not a test): ``python benchmarks/bench_grading.py [--n 200]``.

Prints three ratios measured in the same run on the same machine:

1. a student's full ``pytest`` (local mode, the reference solutions) vs
   ``python -c "import torch, numpy, scipy, matplotlib"`` — target ≤ 1.5×;
2. batch grading (``python -m autograder.batch``, isolated mode, all cores) of N generated
   submissions (mixed right / wrong / hanging) vs ``nbgrader autograde`` of the same N as notebooks
   — target ≥ 10× faster, with identical scores (checked per student and exercise);
3. per-submission overhead of isolated mode beyond the tests' own compute: (isolated − local) wall
   time of one full graded run of the reference solutions in a warm grader process (imports and
   the fork server already there, on a CPU of its own: as in batch grading), local and isolated
   runs alternated, the median of the paired differences — target ≤ 0.2 s. The cold figure (a new
   pytest process each time) is printed too.

``--unpinned-too`` also measures #3 with the grader not pinned to a CPU, and grades the batch a
second time with the graders not pinned (``WORKBOOK_PIN_CPUS=0``,
:func:`autograder.classroom.unit.claim_cpu`), and prints that ratio.
``--skip-batch`` measures #1 and #3 only. ``--skip-nbgrader`` leaves out the nbgrader half (it takes about N × 5 kernel starts, i.e. hours
for N = 200 on 2 cores). ``--nbgrader-sample K`` runs ``nbgrader autograde`` on the first K of the
N students only (the same mix of right / wrong / hanging), compares their scores, and compares the
per-submission times (nbgrader autograde handles one notebook at a time, so its time grows
linearly with N; the printed ratio says it is extrapolated).

Both sides run with bytecode caching as a student's machine has it (``PYTHONDONTWRITEBYTECODE`` is
removed from the environment) after one warm-up run.
Record the printed figures and the machine in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from autograder import EXERCISES  # noqa: E402

PY = sys.executable
ENV = dict(os.environ, PYTHONPATH=str(REPO), MPLBACKEND="Agg",
           PATH=f"{Path(PY).parent}{os.pathsep}{os.environ.get('PATH', '')}")
ENV.pop("PYTEST_ADDOPTS", None)
ENV.pop("PYTHONDONTWRITEBYTECODE", None)

HANG = "\n\ndef cosine_similarity_matrix(A, B):\n    while True:\n        pass\n"
WRONG = ("\n\ndef softmax(x, axis=-1, temperature=1.0):\n"
         "    x = np.asarray(x, dtype=np.float64) / temperature\n"
         "    e = np.exp(x - np.max(x))\n    return e / np.sum(e)\n")


def timed(cmd: list[str], cwd: Path = REPO, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       stdin=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def student_copy_run() -> tuple[float, str]:
    """Median seconds of ``python -m pytest`` in a released student copy (``workbook release``: no
    hidden tests) with the reference answers in its ``exercises/``, after a warm-up run; and the
    copy's "N passed" line."""
    import io

    from autograder.classroom.release import release

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "copy"
        release(REPO, copy, verify=False, out=io.StringIO())
        for source in (REPO / "solutions").glob("ex*.py"):
            shutil.copy(source, copy / "exercises" / source.name)
        cmd = [PY, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        warm = subprocess.run(cmd, cwd=copy, env=ENV, capture_output=True, text=True, check=False)
        summary = next((line for line in reversed(warm.stdout.splitlines()) if " passed" in line), "?")
        return timed(cmd, cwd=copy), summary.strip("= ").split(" in ")[0]


def _override(base: str, extra: str) -> str:
    from autograder.classroom.course import _chunk_name, _split_module

    _, chunks = _split_module(base)
    _, new = _split_module("import numpy as np\n" + extra)
    replace = {_chunk_name(c): c for c in new if _chunk_name(c) != "setup"}
    return "\n\n\n".join(replace.get(_chunk_name(c), c) for c in chunks) + "\n"


def make_submissions(root: Path, n: int) -> dict[str, dict[str, str]]:
    """N students: 1/2 right, 1/4 wrong softmax (ex3), 1/4 hanging cosine_similarity_matrix (ex1)."""
    sol = {e: (REPO / "solutions" / f"{e}.py").read_text(encoding="utf-8") for e in EXERCISES}
    students = {}
    for i in range(n):
        answers = dict(sol)
        if i % 4 == 1:
            answers["ex3_attention"] = _override(sol["ex3_attention"], WRONG)
        elif i % 4 == 3:
            answers["ex1_vectors"] = _override(sol["ex1_vectors"], HANG)
        name = f"student{i:03d}"
        students[name] = answers
        d = root / name
        d.mkdir(parents=True)
        for e, text in answers.items():
            (d / f"{e}.py").write_text(text, encoding="utf-8")
    return students


def nbgrader_run(students: dict[str, dict[str, str]], work: Path, timeout: float) -> tuple[float, dict]:
    import nbformat

    from autograder.classroom.course import _chunk_name, _split_module, generate

    course = work / "course"
    generate(course, out=open(os.devnull, "w"))
    for e in EXERCISES:
        subprocess.run([PY, "-m", "nbgrader", "generate_assignment", e, "--force"], cwd=course, env=ENV,
                       capture_output=True, check=True)
    for student, answers in students.items():
        for e, text in answers.items():
            nb = nbformat.read(course / "release" / e / f"{e}.ipynb", as_version=4)
            _, chunks = _split_module(text)
            by_name = {_chunk_name(c): c for c in chunks}
            for cell in nb.cells:
                meta = cell.metadata.get("nbgrader", {})
                if meta.get("solution") and meta["grade_id"].removeprefix("answer_") in by_name:
                    cell.source = by_name[meta["grade_id"].removeprefix("answer_")]
            dest = course / "submitted" / student / e / f"{e}.ipynb"
            dest.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, dest)
    env = dict(ENV, WORKBOOK_TIMEOUT=f"{timeout:g}")
    start = time.perf_counter()
    for e in EXERCISES:
        subprocess.run([PY, "-m", "nbgrader", "autograde", e, "--force"], cwd=course, env=env,
                       capture_output=True, check=True)
    elapsed = time.perf_counter() - start
    from nbgrader.api import Gradebook

    scores: dict = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in students:
            for e in EXERCISES:
                sub = gb.find_submission_notebook(e, e, student)
                scores[(student, e)] = float(sum(g.score for g in sub.grades if g.name.startswith("test_")))
    return elapsed, scores


OVERHEAD_SCRIPT = r"""
import io, contextlib, json, sys, tempfile, time
import pytest
from autograder.classroom.unit import _Closer, claim_cpu
from autograder.core.paths import tests_dir
tmp = tempfile.mkdtemp()
# "pinned": on a CPU of its own, as a batch grader is (warm_grader_process); the fork server and
# its workers, started later, inherit it
cpu = claim_cpu(tmp) if sys.argv[2] == "pinned" else None
def run(isolated, out):
    args = [str(tests_dir()), "-q", "-p", "no:cacheprovider", "--workbook=solutions", f"--score-report={out}"]
    if isolated:
        args.append("--isolated")
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        start = time.perf_counter()
        pytest.main(args, plugins=[_Closer()])
        return time.perf_counter() - start
run(False, tmp + "/w.json"); run(True, tmp + "/w.json")   # warm up: imports, fork server
rounds = int(sys.argv[1])
local, iso = [], []
for _ in range(rounds):  # alternated: a machine whose speed drifts during the runs affects both alike
    local.append(run(False, tmp + "/l.json"))
    iso.append(run(True, tmp + "/i.json"))
print(json.dumps({"local": local, "isolated": iso, "cpu": cpu}))
"""


def overhead(rounds: int = 3, pinned: bool = True) -> tuple[float, float, float]:
    """One graded run in a warm grader process, local and isolated runs alternated: the median
    local time, the median isolated time and the median of the paired differences. ``pinned``: the
    process takes a CPU of its own first, as the batch's graders do."""
    proc = subprocess.run([PY, "-c", OVERHEAD_SCRIPT, str(rounds), "pinned" if pinned else "free"], cwd=REPO,
                          env=ENV, capture_output=True, text=True, check=True)
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    paired = statistics.median(i - loc for loc, i in zip(data["local"], data["isolated"]))
    return statistics.median(data["local"]), statistics.median(data["isolated"]), paired


def stop_cleanly_on_sigterm() -> None:
    """Make SIGTERM (``kill``, a CI's time-out) end the script like Ctrl-C: the running command is
    stopped and the scratch folder removed (by default SIGTERM ends Python without its ``finally``)."""
    def _exit(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _exit)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200, help="generated submissions (default 200)")
    parser.add_argument("--timeout", type=float, default=2.0, help="per-test time limit in both graders")
    parser.add_argument("--jobs", type=int, default=None, help="batch graders (default: all cores)")
    parser.add_argument("--skip-nbgrader", action="store_true")
    parser.add_argument("--skip-batch", action="store_true", help="measure #1 and #3 only (no batch, no nbgrader)")
    parser.add_argument("--rounds", type=int, default=5, help="warm runs per mode for #3 (median; default 5)")
    parser.add_argument("--unpinned-too", action="store_true",
                        help="also measure #3 with the grader not pinned to a CPU, and grade the batch a second "
                             "time with WORKBOOK_PIN_CPUS=0 (graders not pinned)")
    parser.add_argument("--nbgrader-sample", type=int, default=None, metavar="K",
                        help="nbgrader autograde on the first K students only (default: all N)")
    args = parser.parse_args()
    stop_cleanly_on_sigterm()
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")

    with tempfile.TemporaryDirectory() as tmp:  # warm-up: bytecode caches
        subprocess.run([PY, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--workbook=solutions",
                        f"--score-report={tmp}/w.json"], cwd=REPO, env=ENV, capture_output=True, check=False)
    t_import = timed([PY, "-c", "import torch, numpy, scipy, matplotlib"])
    with tempfile.TemporaryDirectory() as tmp:
        t_local = timed([PY, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--workbook=solutions",
                         f"--score-report={tmp}/a.json"])
        t_iso = timed([PY, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--workbook=solutions", "--isolated",
                       f"--score-report={tmp}/b.json"])
    t_copy, copy_tests = student_copy_run()
    warm_local, warm_iso, paired = overhead(args.rounds)
    print(f"1. import torch+numpy+scipy+matplotlib: {t_import:.2f} s; full student pytest: {t_local:.2f} s; "
          f"ratio {t_local / t_import:.2f}x (target <= 1.5x)")
    print(f"1b. the same in a student's released copy ({copy_tests}, no hidden tests; the reference answers in "
          f"exercises/; plain `python -m pytest`): {t_copy:.2f} s; ratio {t_copy / t_import:.2f}x")
    print(f"3. per submission in a warm grader on a CPU of its own (as in batch grading): isolated {warm_iso:.2f} s vs local "
          f"{warm_local:.2f} s (medians): overhead {paired:+.2f} s (median of {args.rounds} alternated pairs; "
          f"target <= 0.2 s); "
          f"cold single run (new pytest process, fork server start included): isolated {t_iso:.2f} s vs local "
          f"{t_local:.2f} s")
    if args.unpinned_too:
        free_local, free_iso, free_paired = overhead(args.rounds, pinned=False)
        print(f"3b. the same with the grader not pinned to a CPU: isolated {free_iso:.2f} s vs local {free_local:.2f} s: "
              f"overhead {free_paired:+.2f} s")
    if args.skip_batch:
        return 0

    work = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        students = make_submissions(work / "subs", args.n)

        def batch(out: str, env: dict) -> tuple[float, dict]:
            start = time.perf_counter()
            cmd = [PY, "-m", "autograder.batch", str(work / "subs"), "--out", str(work / out), "--no-progress",
                   "--timeout", f"{args.timeout:g}"] + (["--jobs", str(args.jobs)] if args.jobs else [])
            subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, check=False)
            seconds = time.perf_counter() - start
            book = json.loads((work / out / "gradebook.json").read_text(encoding="utf-8"))
            return seconds, {(r["student"], e): float(r["exercises"].get(e, 0.0)) for r in book["students"]
                             for e in EXERCISES}

        t_batch, batch_scores = batch("out", ENV)
        per = t_batch / args.n
        print(f"2a. batch grading of {args.n} submissions: {t_batch:.1f} s ({per:.2f} s per submission)")
        if args.unpinned_too:
            t_free, free_scores = batch("out-unpinned", dict(ENV, WORKBOOK_PIN_CPUS="0"))
            print(f"2c. the same batch with graders not pinned to CPUs (WORKBOOK_PIN_CPUS=0): {t_free:.1f} s "
                  f"({t_free / args.n:.2f} s per submission); pinned is {t_free / t_batch:.2f}x as fast; "
                  f"identical scores: {free_scores == batch_scores}")
        if not args.skip_nbgrader:
            k = min(args.nbgrader_sample or args.n, args.n)
            sample = dict(list(students.items())[:k])
            t_nb, nb_scores = nbgrader_run(sample, work, args.timeout)
            diff = {key: (batch_scores.get(key), v) for key, v in nb_scores.items() if batch_scores.get(key) != v}
            same = not diff and len(nb_scores) == k * len(EXERCISES)
            per_nb = t_nb / k
            how = "measured" if k == args.n else f"extrapolated from {k} students: nbgrader grades one notebook at a time"
            print(f"2b. nbgrader autograde of {k} of the same submissions: {t_nb:.1f} s ({per_nb:.2f} s per submission); "
                  f"per submission batch is {per_nb / per:.1f}x faster (target >= 10x; {how}); "
                  f"identical scores for those {k}: {same}" + ("" if same else f" differences: {list(diff.items())[:5]}"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
