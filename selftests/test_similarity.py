"""Code similarity across a class (workbook-batch --similarity): copies are flagged however they
are disguised, independent answers and the untouched stub are not, and no score changes."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import EXERCISES_DIR, REPO, SOLUTIONS

from autograder import EXERCISES
from autograder.classroom.similarity import (THRESHOLD, html_page, pristine_stubs, similar_pairs,
                                             write_similarity)

HONEST_EX1 = REPO / "selftests" / "honest" / "closures_and_generators" / "ex1_vectors.py"


def _renamed(source: str) -> str:
    """A copy disguised: local names renamed, comments added, blank lines changed."""
    renamed = re.sub(r"\b(result|norm|out|scores|weights|values)\b", lambda m: m.group(1)[::-1] + "_x", source)
    commented = "\n".join(line + ("  # mine" if line.strip().startswith("return") else "")
                           for line in renamed.splitlines())
    return commented.replace("\n\n", "\n\n\n") + "\n"


def _reordered(source: str) -> str:
    """A copy disguised the other way: the top-level functions in reverse order."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    funcs = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    first = min(n.lineno - 1 - len(n.decorator_list) for n in funcs)
    blocks = ["".join(lines[n.lineno - 1 - len(n.decorator_list):n.end_lineno]) for n in funcs]
    rest = [ln for i, ln in enumerate(lines[first:], first)
            if not any(n.lineno - 1 - len(n.decorator_list) <= i < n.end_lineno for n in funcs)]
    return "".join(lines[:first]) + "\n\n".join(reversed(blocks)) + "\n" + "".join(rest)


def _solution(name: str) -> str:
    return (SOLUTIONS / f"{name}.py").read_text(encoding="utf-8")


def test_copies_are_flagged_independent_work_and_the_stub_are_not():
    stubs = pristine_stubs()
    assert set(stubs) == set(EXERCISES)
    codes = {
        "alice": {name: _solution(name) for name in EXERCISES},
        "bob": {name: _renamed(_solution(name)) for name in EXERCISES},
        "carol": {"ex1_vectors": HONEST_EX1.read_text(encoding="utf-8")},
        "dan": {name: (EXERCISES_DIR / f"{name}.py").read_text(encoding="utf-8") for name in EXERCISES},
        "erin": {"ex1_vectors": _reordered(_solution("ex1_vectors"))},
    }
    pairs = similar_pairs(codes, stubs)
    found = {(p.exercise, p.students) for p in pairs}
    expected = {(name, ("alice", "bob")) for name in EXERCISES} | {
        ("ex1_vectors", ("alice", "erin")), ("ex1_vectors", ("bob", "erin"))}
    assert found == expected
    for pair in pairs:
        assert min(pair.similarity) >= THRESHOLD and pair.shared >= 150
        assert pair.slices[0] and pair.slices[1]
    # carol wrote ex1 her own way: far below the rule, though both are correct
    carol = similar_pairs({"alice": codes["alice"], "carol": codes["carol"]}, stubs, threshold=0.01, min_shared=0)
    assert carol and max(carol[0].similarity) < 0.5
    # the stub alone shares nothing once the stub is boilerplate
    assert similar_pairs({"dan": codes["dan"], "dan2": dict(codes["dan"])}, stubs, threshold=0.01, min_shared=0) == []


def test_page_escapes_what_students_wrote_and_marks_the_shared_code():
    evil = '<script>alert(1)</script>'
    codes = {evil: {"ex1_vectors": _solution("ex1_vectors") + f"\n# {evil}\n"},
             "bob": {"ex1_vectors": _renamed(_solution("ex1_vectors"))}}
    pairs = similar_pairs(codes, pristine_stubs())
    assert [p.students for p in pairs] == [(evil, "bob")]
    page = html_page(pairs, codes, threshold=THRESHOLD, min_shared=150)
    assert evil not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<mark>") >= 2 and "点数は変わりません" in page and "no score changes" in page


def test_batch_flags_a_copy_handed_in_as_a_zip_and_changes_no_score(tmp_path):
    subs = tmp_path / "class"
    shutil.copytree(SOLUTIONS, subs / "alice", ignore=shutil.ignore_patterns("__pycache__"))
    with zipfile.ZipFile(subs / "bob.zip", "w") as zf:  # bob's copy, one folder deep, disguised
        for name in EXERCISES:
            zf.writestr(f"work/{name}.py", _renamed(_solution(name)))
    shutil.copytree(EXERCISES_DIR, subs / "dan", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=str(REPO), MPLBACKEND="Agg")
    args = ["--exercise", "ex1_vectors", "--no-hidden"]
    proc = subprocess.run([sys.executable, "-m", "autograder.batch", str(subs), "--out", str(out), "--jobs", "2",
                           "--no-progress", "--similarity", *args], env=env, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"code similarity: {len(EXERCISES)} pairs flagged" in proc.stdout
    data = json.loads((out / "similarity.json").read_text(encoding="utf-8"))
    assert [(p["exercise"], p["students"]) for p in data["pairs"]] == [(n, ["alice", "bob"]) for n in EXERCISES]
    assert data["students"] == 3 and data["threshold"] == THRESHOLD
    page = (out / "similarity.html").read_text(encoding="utf-8")
    assert page.count("<section>") == len(EXERCISES) and "alice ↔ bob" in page
    # the class report lists the pairs and links to them
    report = (out / "class.html").read_text(encoding="utf-8")
    assert 'id="similarity"' in report and 'href="similarity.html"' in report
    assert report.count("alice ↔ bob") == len(EXERCISES)
    # flagged, not penalised: both keep the full score of ex1, the stub gets none
    book = {r["student"]: r for r in json.loads((out / "gradebook.json").read_text(encoding="utf-8"))["students"]}
    assert book["alice"]["exercises"]["ex1_vectors"] == book["bob"]["exercises"]["ex1_vectors"] > 0
    assert book["dan"]["exercises"]["ex1_vectors"] == 0
    # written without grading again: the same report
    before = (out / "similarity.json").read_bytes()
    write_similarity(subs, out)
    assert (out / "similarity.json").read_bytes() == before
