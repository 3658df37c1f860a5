"""Peak memory of making the class report (a script, not a test):
``python benchmarks/class_report_memory.py [--n 100 1000] [--report PATH]``.

The class report (``OUT/class.html``, ``OUT/items.csv``) is the last thing the batch coordinator
makes. For each N this script builds an OUT folder of N students, each with a copy of one results
document (default: the reference solutions graded once in local mode, every exercise; ``--report``
names another) and a gradebook of N rows, then runs
``python -m autograder.batch --class-report OUT`` as a subprocess and reads the child's peak
resident memory (``ru_maxrss`` from ``os.wait4`` of that child: its own peak; Linux reports kB).

It prints, per N, the peak in MB and, against the smallest N of the same run (the baseline), the
growth per student; and it sets that growth against the memory one results document takes once
read (``tracemalloc`` of ``json.loads`` of it here). A ratio well below 1 means the reports are not
held together (one at a time); about 1 or more means every student's report is kept until the end.
Record the figures and the machine in docs/benchmarks.md.
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
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PY = sys.executable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_grading import stop_cleanly_on_sigterm  # noqa: E402


def solutions_report(work: Path) -> Path:
    """The reference solutions graded once in local mode; the path of their results document."""
    report = work / "solutions.json"
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=str(REPO))
    subprocess.run([PY, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--workbook={REPO / 'solutions'}",
                    f"--score-report={report}", f"--json-report-file={work / 'raw.json'}"],
                   cwd=REPO, env=env, check=False, capture_output=True)
    if not report.is_file():
        sys.exit("grading the reference solutions wrote no report")
    return report


def build(out: Path, n: int, doc: dict) -> None:
    """OUT with N students, each with a copy of ``doc``, and their gradebook."""
    (out / "reports").mkdir(parents=True)
    text = json.dumps(doc, ensure_ascii=False)
    exercises = {e["exercise"]: e["score"] for e in doc.get("extra_data", {}).get("exercises", [])}
    rows = []
    for i in range(n):
        student = f"s{i:05d}"
        (out / "reports" / f"{student}.json").write_text(text, encoding="utf-8")
        rows.append({"student": student, "kind": "folder", "status": "graded", "score": doc.get("score"),
                     "max_score": doc.get("max_score"), "partial": False, "exercises": exercises,
                     "report": f"reports/{student}.json", "submission": student, "errors": [], "notes": []})
    (out / "gradebook.json").write_text(json.dumps({"students": rows}), encoding="utf-8")


def peak_mb(out: Path) -> float:
    """Peak resident memory (MB) of ``python -m autograder.batch --class-report OUT``."""
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=str(REPO))
    log = out.parent / f"{out.name}.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen([PY, "-m", "autograder.batch", "--class-report", str(out)], cwd=REPO, env=env,
                                stdout=sink, stderr=subprocess.STDOUT)
        try:
            _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak (ru_maxrss, kB on Linux)
        except BaseException:  # Ctrl-C, SIGTERM: the class report stops before its folder is removed
            proc.terminate()
            proc.wait()
            raise
    code = os.waitstatus_to_exitcode(status)
    if code != 0 or not (out / "class.html").is_file():
        sys.exit(f"the class report failed (exit {code}): {log.read_text(errors='replace')[-2000:]}")
    return usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[100, 1000], help="class sizes (default 100 1000)")
    parser.add_argument("--report", type=Path, help="a results document to copy (default: grade solutions/)")
    args = parser.parse_args()
    sizes = sorted(set(args.n))
    stop_cleanly_on_sigterm()
    work = Path(tempfile.mkdtemp(prefix="class-report-memory-"))
    try:
        report = args.report or solutions_report(work)
        text = report.read_text(encoding="utf-8")
        tracemalloc.start()
        doc = json.loads(text)
        one = tracemalloc.get_traced_memory()[0] / 2**20
        tracemalloc.stop()
        print(f"machine: {platform.platform()}, Python {platform.python_version()}; one report: "
              f"{len(doc.get('tests', []))} tests, {len(text) / 1024:.0f} KB of JSON, {one:.2f} MB once read")
        results = []
        for n in sizes:
            out = work / f"out-{n}"
            build(out, n, doc)
            results.append((n, peak_mb(out)))
            shutil.rmtree(out)
            print(f"N={n}: peak {results[-1][1]:.1f} MB", flush=True)
        (n0, m0) = results[0]
        print()
        print(f"N      peak MB   growth per student (MB, vs N={n0})   ÷ one report once read")
        for n, m in results:
            per = (m - m0) / (n - n0) if n != n0 else 0.0
            print(f"{n:<6} {m:8.1f}   {per:10.4f}{'':27}{per / one if one else 0:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
