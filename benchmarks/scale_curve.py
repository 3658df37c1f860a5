"""Scale curve of batch grading (a script, not a test):
``python benchmarks/scale_curve.py [--n 50 200 1000] [--executor local dask] [--timeout 2] [--jobs J]
[--out-json PATH] [--exercise NAME] [--no-warmup] [--keep]``.

For each executor (``local``: the batch's own process pool; ``dask``: ``--dask`` without an
address, i.e. a Dask ``LocalCluster`` of ``--jobs`` processes started by the batch) and each N, it
generates N distinct submissions (the generator of ``bench_grading.py``: ½ right, ¼ wrong softmax,
¼ hanging ``cosine_similarity_matrix``; each student's files carry a comment with the student's
name, so no two submissions have the same content), runs
``python -m autograder.batch SUBS --out OUT --no-progress --timeout T --jobs J [--dask]`` as a
subprocess into a fresh OUT folder, and measures, in the same run on the same machine:

1. the wall time of the whole command (start-up, grading, gradebook and class report) and the
   seconds per submission; the flatness figure is the ratio of the seconds per submission at this
   N to the seconds per submission at the smallest N of the same executor (≤ ~1.1: flat; the fixed
   start-up cost, spread over more submissions, pushes it below 1). The marginal cost
   (wall(N) − wall(previous N)) / (N − previous N) is printed too: it has no fixed cost in it;
2. the coordinator's peak memory: ``VmHWM`` of the batch process itself (the coordinator; with
   ``--dask`` the ``LocalCluster``'s scheduler runs in it too), read from ``/proc/<pid>/status``
   every 0.2 s until it exits — its grader processes / Dask workers and their sandboxed workers
   are children and are not counted. Linux only: elsewhere it prints "n/a". Its ratio to the
   smallest N of the same executor says whether it grows with the class (bounded: ≈ 1);
3. the per-submission time of ``dask`` over ``local`` at each N (both executors measured).

It also checks (sanity, not timing) that every submission has a row in ``OUT/gradebook.json``
with status "graded", that the right ones have full marks, and that every wrong (resp. hanging)
one lost points in ex3_attention (resp. ex1_vectors) only, all by the same amount.

Runs go N by N, both executors at each N (so that they see the same machine load); one untimed
warm-up batch of a single submission per executor comes first (bytecode caches, the first
``LocalCluster``). Each measurement is printed as soon as it is made, and written to
``--out-json`` after each run. Record the figures and the machine in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_grading import ENV, PY, REPO, make_submissions, stop_cleanly_on_sigterm  # noqa: E402

from autograder import EXERCISES  # noqa: E402

POLL = 0.2
KINDS = {0: "right", 1: "wrong", 2: "right", 3: "hang"}  # by i % 4, as in make_submissions
AFFECTED = {"wrong": "ex3_attention", "hang": "ex1_vectors"}


def generate(root: Path, n: int) -> dict[str, str]:
    """N distinct submissions in ``root``; returns {student: kind}."""
    students = make_submissions(root, n)
    for name in students:
        for path in (root / name).glob("*.py"):
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(f"\n# submission of {name}\n")
    return {name: KINDS[i % 4] for i, name in enumerate(students)}


def _hwm_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def run_batch(subs: Path, out: Path, executor: str, timeout: float, jobs: int,
              exercises: list[str] = ()) -> tuple[float, float | None, int, str]:
    """Run the batch command; returns (wall seconds, coordinator peak RSS in MB or None, exit code, output)."""
    cmd = [PY, "-m", "autograder.batch", str(subs), "--out", str(out), "--no-progress", "--timeout", f"{timeout:g}",
           "--jobs", str(jobs)] + (["--dask"] if executor == "dask" else [])
    cmd += [a for e in exercises for a in ("--exercise", e)]
    log = out.parent / f"{out.name}.log"
    linux = sys.platform.startswith("linux")
    peak = 0
    with open(log, "w+", encoding="utf-8", errors="replace") as fh:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=REPO, env=ENV, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            while proc.poll() is None:
                if linux:
                    peak = max(peak, _hwm_kb(proc.pid) or 0)
                time.sleep(POLL)
        except BaseException:
            proc.terminate()
            proc.wait()
            raise
        wall = time.perf_counter() - start
        fh.seek(0)
        output = fh.read()
    return wall, (peak / 1024 if linux and peak else None), proc.returncode, output


def sanity(out: Path, kinds: dict[str, str]) -> list[str]:
    """What is wrong with OUT/gradebook.json for these students (empty: all as expected)."""
    try:
        book = json.loads((out / "gradebook.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"no gradebook.json: {exc}"]
    rows = {r["student"]: r for r in book["students"]}
    problems = [f"{s}: no row" for s in kinds if s not in rows]
    problems += [f"{s}: status {rows[s]['status']}" for s in kinds if s in rows and rows[s]["status"] != "graded"]
    if problems:
        return problems
    right = [rows[s] for s, k in kinds.items() if k == "right"]
    problems += [f"{r['student']}: {r['score']} of {r['max_score']}" for r in right if r["score"] != r["max_score"]]
    if problems or not right:
        return problems
    full = right[0]["exercises"]  # the exercises graded (all, or those of --exercise)
    graded = list(full)
    for kind, exercise in AFFECTED.items():
        if exercise not in graded:
            continue
        lost = set()
        for s in (s for s, k in kinds.items() if k == kind):
            ex = rows[s]["exercises"]
            others = [e for e in graded if e != exercise and ex.get(e) != full.get(e)]
            if others or not ex.get(exercise, 0) < full.get(exercise, 0):
                problems.append(f"{s} ({kind}): {ex} vs full marks {full}")
            lost.add(full.get(exercise, 0) - ex.get(exercise, 0))
        if len(lost) > 1:
            problems.append(f"{kind} submissions lost different points in {exercise}: {sorted(lost)}")
    return problems


def _f(x: float | None, fmt: str) -> str:
    return "n/a" if x is None else format(x, fmt)


def table(results: list[dict]) -> str:
    head = ["executor", "N", "wall s", "s/sub", "s/sub ÷ smallest N", "marginal s/sub", "coord. peak RSS MB",
            "RSS ÷ smallest N", "sanity"]
    lines = []
    for executor in dict.fromkeys(r["executor"] for r in results):
        mine = sorted((r for r in results if r["executor"] == executor), key=lambda r: r["n"])
        base = mine[0]
        prev = None
        for r in mine:
            marginal = (r["wall_s"] - prev["wall_s"]) / (r["n"] - prev["n"]) if prev else None
            rss_ratio = r["peak_rss_mb"] / base["peak_rss_mb"] if r["peak_rss_mb"] and base["peak_rss_mb"] else None
            lines.append([executor, str(r["n"]), f"{r['wall_s']:.1f}", f"{r['per_submission_s']:.3f}",
                          f"{r['per_submission_s'] / base['per_submission_s']:.2f}", _f(marginal, ".3f"),
                          _f(r["peak_rss_mb"], ".1f"), _f(rss_ratio, ".2f"),
                          "ok" if not r["problems"] else f"{len(r['problems'])} problems"])
            prev = r
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(head)]
    fmt = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    text = [fmt(head), fmt(["-" * w for w in widths])] + [fmt(line) for line in lines]
    by = {(r["executor"], r["n"]): r for r in results}
    pairs = [n for n in sorted({r["n"] for r in results}) if ("local", n) in by and ("dask", n) in by]
    if pairs:
        text.append("")
        text.append("dask vs local, seconds per submission:")
        for n in pairs:
            d, lo = by[("dask", n)]["per_submission_s"], by[("local", n)]["per_submission_s"]
            text.append(f"  N={n}: dask {d:.3f} s / local {lo:.3f} s = {d / lo:.2f}x")
    return "\n".join(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[50, 200, 1000], help="class sizes (default 50 200 1000)")
    parser.add_argument("--executor", nargs="+", choices=["local", "dask"], default=["local", "dask"],
                        help="local process pool and/or Dask LocalCluster (default both)")
    parser.add_argument("--timeout", type=float, default=2.0, help="per-test time limit (default 2)")
    parser.add_argument("--jobs", type=int, default=None, help="graders / Dask workers (default: all cores)")
    parser.add_argument("--out-json", type=Path, default=None, help="also write the measurements as JSON here")
    parser.add_argument("--exercise", action="append", default=[], choices=list(EXERCISES), metavar="NAME",
                        help="grade only this exercise (repeatable; passed on to the batch): for a quick smoke run "
                             "only, the recorded curve grades everything")
    parser.add_argument("--no-warmup", action="store_true", help="leave out the untimed warm-up batches")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (submissions, OUT, logs)")
    args = parser.parse_args(argv)
    if any(n < 1 for n in args.n) or (args.jobs is not None and args.jobs < 1):
        parser.error("--n values and --jobs must be >= 1")
    ns = sorted(set(args.n))
    stop_cleanly_on_sigterm()
    executors = list(dict.fromkeys(args.executor))
    jobs = args.jobs or os.cpu_count() or 1
    linux = sys.platform.startswith("linux")
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"jobs {jobs}, per-test limit {args.timeout:g} s; "
          f"exercises: {', '.join(args.exercise) if args.exercise else 'all'}; coordinator memory: "
          + ("VmHWM from /proc/<pid>/status" if linux else "n/a (needs Linux /proc)"), flush=True)
    work = Path(tempfile.mkdtemp(prefix="scale-curve-"))
    results: list[dict] = []
    failed = False
    try:
        generate(work / "warmup-subs", 1)
        for executor in executors if not args.no_warmup else ():
            wall, _, code, output = run_batch(work / "warmup-subs", work / f"warmup-{executor}", executor,
                                              args.timeout, jobs, args.exercise)
            print(f"warm-up {executor}: {wall:.1f} s, exit {code}", flush=True)
            if code != 0:
                print(output[-3000:], file=sys.stderr)
                return 1
        for n in ns:
            subs = work / f"subs-{n}"
            kinds = generate(subs, n)
            for executor in executors:
                out = work / f"out-{executor}-{n}"
                wall, peak, code, output = run_batch(subs, out, executor, args.timeout, jobs, args.exercise)
                problems = sanity(out, kinds)
                if code != 0:
                    problems.insert(0, f"exit code {code}")
                r = {"executor": executor, "n": n, "wall_s": wall, "per_submission_s": wall / n,
                     "peak_rss_mb": peak, "exit_code": code, "problems": problems,
                     "kinds": {k: list(kinds.values()).count(k) for k in ("right", "wrong", "hang")}}
                results.append(r)
                print(f"measured {executor} N={n}: {wall:.1f} s, {wall / n:.3f} s per submission, coordinator "
                      f"peak {_f(peak, '.1f')} MB, sanity {'ok' if not problems else problems[:5]}", flush=True)
                if problems:
                    failed = True
                    print(output[-3000:], file=sys.stderr)
                if args.out_json:
                    args.out_json.write_text(json.dumps({"machine": platform.platform(), "cores": os.cpu_count(),
                                                         "jobs": jobs, "timeout": args.timeout,
                                                         "exercises": args.exercise or list(EXERCISES),
                                                         "results": results},
                                                        indent=2), encoding="utf-8")
            if not args.keep:
                shutil.rmtree(subs, ignore_errors=True)
                for executor in executors:
                    shutil.rmtree(work / f"out-{executor}-{n}", ignore_errors=True)
    finally:
        if args.keep:
            print(f"scratch kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print(table(results))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
