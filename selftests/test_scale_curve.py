"""Smoke test of ``benchmarks/scale_curve.py`` (issue 14, section 2: the scale curve of batch grading).

The script runs end to end on a tiny class (N = 2 and 4, two exercises, one grader) with the local
pool, and with a Dask ``LocalCluster`` when the [dask] extra is installed: it exits 0, prints a
row per (executor, N) with the sanity check passed, and writes the same measurements as JSON. No
timing is asserted (the machine may be busy); the recorded curve is in docs/benchmarks.md.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys

import pytest

from conftest import REPO

SCRIPT = REPO / "benchmarks" / "scale_curve.py"


def _curve(tmp_path, executor: str) -> tuple[str, dict]:
    out_json = tmp_path / "curve.json"
    env = dict(os.environ, PYTHONPATH=str(REPO), MPLBACKEND="Agg")
    env.pop("PYTEST_ADDOPTS", None)
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--n", "2", "4", "--executor", executor, "--timeout", "2", "--jobs", "1",
         "--exercise", "ex1_vectors", "--exercise", "ex3_attention", "--no-warmup", "--out-json", str(out_json)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "coord. peak RSS MB" in output and "s/sub ÷ smallest N" in output, output
    for n in (2, 4):
        row = re.search(rf"^{executor}\s+{n}\s+(\S+)\s+(\S+)\s.*\sok$", proc.stdout, re.M)
        assert row, f"no row for {executor} N={n}:\n{output}"
        assert float(row[1]) > 0 and float(row[2]) > 0
    data = json.loads(out_json.read_text(encoding="utf-8"))
    assert sorted((r["executor"], r["n"]) for r in data["results"]) == [(executor, 2), (executor, 4)], data
    assert all(r["exit_code"] == 0 and not r["problems"] for r in data["results"]), data
    if sys.platform.startswith("linux"):  # the coordinator's VmHWM; "n/a" elsewhere
        assert all(r["peak_rss_mb"] and r["peak_rss_mb"] > 0 for r in data["results"]), data
    assert [r["kinds"] for r in data["results"]][-1] == {"right": 2, "wrong": 1, "hang": 1}, data
    return proc.stdout, data


def test_scale_curve_with_the_local_pool(tmp_path):
    _curve(tmp_path, "local")


def test_scale_curve_with_a_dask_local_cluster(tmp_path):
    if importlib.util.find_spec("distributed") is None:
        pytest.skip("the [dask] extra (distributed) is not installed: the Dask half of the curve is not run")
    _curve(tmp_path, "dask")


def test_the_table_compares_each_size_with_the_smallest_and_dask_with_local():
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        from scale_curve import table
    finally:
        sys.path.remove(str(SCRIPT.parent))
    rows = [{"executor": e, "n": n, "wall_s": w, "per_submission_s": w / n, "peak_rss_mb": m, "problems": []}
            for e, n, w, m in [("local", 10, 20.0, 100.0), ("local", 20, 36.0, 110.0),
                               ("dask", 10, 30.0, None), ("dask", 20, 50.0, None)]]
    text = table(rows)
    assert re.search(r"^local\s+20\s+36\.0\s+1\.800\s+0\.90\s+1\.600\s+110\.0\s+1\.10\s+ok$", text, re.M), text
    assert re.search(r"^dask\s+10\s+30\.0\s+3\.000\s+1\.00\s+n/a\s+n/a\s+n/a\s+ok$", text, re.M), text
    assert "N=20: dask 2.500 s / local 1.800 s = 1.39x" in text, text
