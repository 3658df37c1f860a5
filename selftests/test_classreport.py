"""The class report (issue 14 section 3): OUT/class.html and OUT/items.csv from a batch's reports."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from autograder.core.i18n import set_language
from autograder.results.classreport import class_report_files, render_class_html
from autograder.results.classstats import class_stats, items_csv, message_pattern
from conftest import REPO, SOLUTIONS
from test_html import CJK, browser  # noqa: F401  (the headless Chromium fixture)

EVIL = "<script>alert(1)</script>"
MISCONCEPTION = {"id": "cosine_without_norms", "ja": "内積のままです: ノルムで割ります", "en": "a plain dot product: divide by the norms"}


def _test(task: str, name: str, points: float, outcome: str = "passed", output: str = "", number: str = "1.1") -> dict:
    return {"name": f"ex1_vectors › {task} › {name}: 説明 / description", "number": number,
            "score": points if outcome == "passed" else 0.0, "max_score": points,
            "status": "passed" if outcome == "passed" else "failed", "output": output,
            "extra_data": {"nodeid": f"tests/test_ex1_vectors.py::{name}", "exercise": "ex1_vectors", "task": task,
                           "outcome": outcome, "hidden": False}}


def _doc(tests: list[dict]) -> dict:
    score = sum(t["score"] for t in tests)
    return {"score": score, "max_score": 3.0, "tests": tests,
            "extra_data": {"exercises": [{"exercise": "ex1_vectors", "score": score, "max_score": 3.0}]}}


def _class() -> tuple[dict, dict]:
    """Four students by hand: all correct, two wrong alike with other numbers (one of them with an id
    and a message that are HTML), one whose grading failed; a rule violation and a timeout."""
    wrong = "cosine_similarity([{}, 2.0]) の戻り値が期待値と一致しません。\n  期待値: float {}"
    docs = {
        "reports/alice.json": _doc([_test("cos", "test_a", 1), _test("cos", "test_b", 2, number="1.2")]),
        "reports/bob.json": _doc([_test("cos", "test_a", 1, "failed", wrong.format("1.5", "0.96")),
                                  _test("cos", "test_b", 2, "timeout", "時間切れ (3 秒) \udcff", number="1.2")]),
        "reports/evil.json": _doc([_test("cos", "test_a", 1, "failed", wrong.format("-3e+200", "1.0") + EVIL),
                                   _test("cos", "test_b", 2, "forbidden_call",
                                         "ex1_vectors.py の 12 行目で scipy.spatial.distance を使っています。",
                                         number="1.2")]),
        "reports/zed.json": {"score": 0.0, "max_score": 3.0, "tests": [], "extra_data": {"errors": ["boom"]}},
    }
    # bob's and the evil one's first failures were recognised as one misconception
    docs["reports/bob.json"]["tests"][0]["extra_data"]["misconception"] = dict(MISCONCEPTION)
    docs["reports/evil.json"]["tests"][0]["extra_data"]["misconception"] = dict(MISCONCEPTION, en=MISCONCEPTION["en"] + EVIL)
    rows = [{"student": s, "status": "graded", "score": docs[f"reports/{r}.json"]["score"], "max_score": 3.0,
             "exercises": {"ex1_vectors": docs[f"reports/{r}.json"]["score"]}, "report": f"reports/{r}.json"}
            for s, r in (("alice", "alice"), ("bob", "bob"), (EVIL, "evil"))]
    rows[1]["errors"] = ["ex3_attention: SyntaxError: invalid syntax (ex3_attention.py, line 162)"]  # bob
    rows.append({"student": "zed", "status": "error", "score": None, "max_score": 3.0, "exercises": {},
                 "report": "reports/zed.json", "errors": ["boom <b>"]})
    return {"students": rows}, docs


def test_a_bilingual_message_shows_its_english_first_line_too():
    """An English-only instructor read only the Japanese first lines (newcomer helper)."""
    from autograder.results.classstats import english_pattern

    message = ("softmax(x) の戻り値が期待値と違います (最大絶対誤差 0.5)。\n  期待値: [0.1, 0.9]\n  実際の値: [nan, inf]\n"
               "  [True, False]\nsoftmax(x): the return value differs from the expected one (max abs error 0.5).\n"
               "  expected: [0.1, 0.9]")
    assert english_pattern(message) == "softmax(x): the return value differs from the expected one (max abs error #)."
    assert english_pattern("softmax(x): wrong\nmore words here") == ""  # not bilingual: the first line is English
    assert english_pattern("時間切れです (制限 2 秒)") == ""


def test_messages_group_by_first_line_with_numbers_masked():
    assert message_pattern("\n  f([1.5, -2e-3], x1) gave 0x7fab12 and nan\nmore") == "f([#, #], x1) gave # and nan"
    assert message_pattern("ex1_vectors.py の 371 行目で float64") == "ex1_vectors.py の # 行目で float64"
    assert message_pattern("時間切れ (3秒、371行目)") == "時間切れ (#秒、#行目)"
    assert message_pattern("version 1.2.3 of x2, -0.5e-3.") == "version 1.2.3 of x2, #."
    # shapes of any rank make one group (a newcomer saw one mistake split over four rows)
    assert message_pattern("f(Q, K)  # Q: 5x6, K: 2x4x5 float32") == message_pattern("f(Q, K)  # Q: 2x3, K: 7x6 float32") \
        == "f(Q, K)  # Q: #x#, K: #x# float32"
    assert message_pattern("") == ""


def test_class_numbers_csv_and_escaping_from_hand_made_reports():
    book, docs = _class()
    stats = class_stats(book, docs)
    assert [r["student"] for r in stats.rows] == [EVIL, "alice", "bob", "zed"]
    assert stats.totals == [0.0, 3.0, 0.0] and stats.total_max == 3.0  # zed's failed grading is no 0
    assert [stats.rows[i]["student"] for i in stats.errors] == ["zed"]
    task = stats.tasks[0]
    assert (task.task, task.students, task.passed, task.points) == ("cos", 3, 1, [0.0, 3.0, 0.0])
    assert stats.test_passed == {"tests/test_ex1_vectors.py::test_a": 1, "tests/test_ex1_vectors.py::test_b": 1}
    assert stats.test_graded["tests/test_ex1_vectors.py::test_a"] == 3
    groups = stats.failures[("ex1_vectors", "cos")]
    top = groups[0]  # bob's and the evil one's: other numbers, one mistake
    assert top.pattern == "cosine_similarity([#, #]) の戻り値が期待値と一致しません。" and top.students == [EVIL, "bob"]
    assert len(groups) == 3 and top.outcomes == ["failed"]
    assert [g.outcomes for g in groups[1:]] == [["forbidden_call"], ["timeout"]]
    assert stats.timeouts == [("bob", "tests/test_ex1_vectors.py::test_b")]
    assert [g.students for g in stats.violations[("ex1_vectors", "cos")]] == [[EVIL]]
    [named] = stats.misconceptions[("ex1_vectors", "cos")]
    assert (named.id, named.students, named.tests) == ("cosine_without_norms", [EVIL, "bob"],
                                                      ["tests/test_ex1_vectors.py::test_a"])
    table = list(csv.reader(io.StringIO(items_csv(stats))))
    assert table[0] == ["student", "status", "score", "tests/test_ex1_vectors.py::test_a",
                        "tests/test_ex1_vectors.py::test_b"]
    assert table[1:] == [[EVIL, "graded", "0", "0", "0"], ["alice", "graded", "3", "1", "2"],
                         ["bob", "graded", "0", "0", "0"], ["zed", "error", "", "", ""]]
    set_language("both")
    try:
        page = render_class_html(stats, pages={"pages/alice.html"})
    finally:
        set_language(None)
    assert EVIL not in page and "<b>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="pages/alice.html"' in page and 'href="pages/bob.html"' not in page
    assert 'href="reports/zed.json"' in page
    assert "禁止された関数 / forbidden call" in page and "時間切れ / timed out" in page  # the groups' outcomes
    # a graded student with a file that could not be loaded is listed with the error (newcomer helper)
    problems = page.split('id="problems"', 1)[1].split("</section>", 1)[0]
    flawed = problems.split("Graded, with problems in their files", 1)[1].split("</table>", 1)[0]
    assert "(1)" in flawed and "bob" in flawed and "SyntaxError: invalid syntax (ex3_attention.py, line 162)" in flawed
    section = page.split('id="misconceptions"', 1)[1].split("</section>", 1)[0]
    assert "cosine_without_norms" in section and "2 (67%)" in section and "内積のままです" in section
    assert "非公開テスト" in page and "hidden tests" in page  # the page says it is the instructor's
    assert "<script" not in page.lower() and "http" not in page  # self-contained, nothing to run or fetch
    assert "@font-face" in page  # the Japanese font is embedded even with bob's undecodable byte (a lone surrogate)


def _run(subs: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO), MPLBACKEND="Agg", WORKBOOK_LANG="both")
    return subprocess.run(
        [sys.executable, "-m", "autograder.batch", str(subs), "--out", str(out), "--jobs", "2", "--timeout", "3",
         "--no-progress", *extra], cwd=REPO, env=env, capture_output=True, text=True, timeout=900,
        stdin=subprocess.DEVNULL)


def test_batch_writes_the_class_report_and_it_renders(tmp_path, browser):  # noqa: F811
    """A real batch of four: all correct, one wrong in one task, one using a forbidden library, one
    whose grading failed (its id is HTML); then the page in headless Chromium without a Japanese
    system font, and --class-report remakes the files without grading."""
    subs, out = tmp_path / "class", tmp_path / "out"
    source = (SOLUTIONS / "ex1_vectors.py").read_text()
    for name, extra in (("alice", ""), ("bob", "\n_orig = cosine_similarity\n\ndef cosine_similarity(a, b):\n"
                                                "    return 0.9 * _orig(a, b)\n"),
                        ("carol", "\ndef cosine_similarity(a, b):\n    from scipy.spatial import distance\n"
                                  "    return 1.0 - distance.cosine(a, b)\n")):
        (subs / name).mkdir(parents=True)
        (subs / name / "ex1_vectors.py").write_text(source + "\n" + extra)
    bad = "<img src=x onerror=alert(1)>"
    with zipfile.ZipFile(subs / f"{bad}.zip", "w") as zf:
        zf.writestr("../escape.py", "x = 1\n")
    done = _run(subs, out, "--pages", "--task", "cosine_similarity", "--task", "cosine_similarity_matrix",
                "--no-hidden")
    assert done.returncode == 1, done.stderr  # one error row
    with open(out / "items.csv", encoding="utf-8-sig", newline="") as fh:
        table = {r["student"]: r for r in csv.DictReader(fh)}
    assert (out / "items.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    cos = [k for k in table["alice"] if "::test_cosine_" in k]
    matrix = [k for k in table["alice"] if "::test_matrix_" in k]
    assert len(cos) == 6 and len(matrix) == 4
    assert table[bad]["score"] == "" and all(table[bad][k] == "" for k in cos + matrix)
    assert table["alice"]["score"] == "12" and all(float(table["alice"][k]) > 0 for k in cos + matrix)
    # bob: 0.9 × cosine fails every cosine test, the one of bad inputs too (its valid call is checked:
    # rejecting bad input earns points only for a function that works); his matrix is his own and right
    assert [table["bob"][k] for k in cos] == ["0", "0", "0", "0", "0", "0"]
    assert all(table["bob"][k] == table["alice"][k] for k in matrix)
    assert all(table["carol"][k] == "0" for k in cos) and table["carol"]["score"] == "5"
    page = (out / "class.html").read_text(encoding="utf-8")
    assert bad not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "33% (1/3)" in page  # cosine_similarity: alice alone passed every test
    assert "100% (3/3)" in page  # cosine_similarity_matrix
    assert 'href="pages/bob.html"' in page and 'href="reports/carol.json"' in page
    assert page.count("scipy.spatial.distance") >= 2  # carol's violation, grouped
    # remade from the documents alone: the same table, the same page but for nothing
    items = (out / "items.csv").read_bytes()
    (out / "class.html").unlink()
    (out / "items.csv").unlink()
    again = subprocess.run([sys.executable, "-m", "autograder.batch", "--class-report", str(out)], cwd=REPO,
                           env=dict(os.environ, PYTHONPATH=str(REPO), WORKBOOK_LANG="both"),
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert (out / "items.csv").read_bytes() == items and (out / "class.html").read_text(encoding="utf-8") == page
    assert class_report_files(out)["class.html"] == page
    # an option it cannot honour (the reports' language is fixed) is refused, not ignored (newcomer helper)
    refused = subprocess.run([sys.executable, "-m", "autograder.batch", "--class-report", str(out), "--lang", "en"],
                             cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)), capture_output=True, text=True,
                             timeout=300)
    assert refused.returncode == 2 and "--class-report OUT takes no submissions folder" in refused.stderr, refused.stderr
    browser.open((out / "class.html").as_uri())
    checked, tofu = browser.japanese_glyphs()
    shot = browser.screenshot(tmp_path / "class.png")
    if os.environ.get("CLASSREPORT_SHOT"):  # to look at it
        shutil.copy(tmp_path / "class.png", os.environ["CLASSREPORT_SHOT"])
    assert checked > 200 and not tofu, tofu[:5]
    assert len(CJK.findall(page)) > 200
    from PIL import Image

    image = Image.open(io.BytesIO(shot)).convert("L")
    assert image.height > 1500  # histograms, tables: not a blank or cut page
    dark = sum(image.histogram()[:128])
    assert dark > 0.01 * image.width * image.height, dark
    assert json.loads((out / "gradebook.json").read_text(encoding="utf-8"))["students"]


def test_the_class_numbers_read_one_report_at_a_time(tmp_path):
    """A class of thousands: the coordinator's memory grew by each student's whole report when the
    class report was made at the end of a batch (~0.12 MB per student in the scale curve). The
    numbers are made reading one report at a time, and keep none (only each row's points per
    test, for items.csv); the report read from disk is the same as the one from documents."""
    import gc
    import weakref
    from collections.abc import Mapping

    from autograder.results.classreport import read_class

    class Doc(dict):  # a results document that can be watched with a weak reference
        pass

    book, docs = _class()
    alive: list[weakref.ref] = []
    most = 0

    class Reading(Mapping):
        def __iter__(self):
            return iter(docs)

        def __len__(self):
            return len(docs)

        def __getitem__(self, rel):
            nonlocal most
            gc.collect()
            most = max(most, sum(r() is not None for r in alive))
            doc = Doc(json.loads(json.dumps(docs[rel])))
            alive.append(weakref.ref(doc))
            return doc

    stats = class_stats(book, Reading())
    gc.collect()
    # read once each; when one is read, only the one before may still be held (by a loop variable)
    assert len(alive) == len(book["students"]) and most <= 1
    assert all(r() is None for r in alive)  # nor by the numbers
    assert items_csv(stats) == items_csv(class_stats(book, docs))
    # from disk: the same numbers and CSV as from the documents
    for rel, doc in docs.items():
        (tmp_path / rel).parent.mkdir(exist_ok=True)
        (tmp_path / rel).write_text(json.dumps(doc), encoding="utf-8")
    (tmp_path / "gradebook.json").write_text(json.dumps(book), encoding="utf-8")
    read_book, reports, _ = read_class(tmp_path)
    assert sorted(reports) == sorted(docs) and reports["reports/bob.json"] == docs["reports/bob.json"]
    assert reports.get("reports/nobody.json") is None
    assert items_csv(class_stats(read_book, reports)) == items_csv(stats)


def test_the_class_report_memory_benchmark_runs(tmp_path):
    """benchmarks/class_report_memory.py (its figures are recorded in docs/benchmarks.md) on a small
    class: it builds the folders, runs the class report and prints its table; no figure is asserted."""
    book, docs = _class()
    report = tmp_path / "report.json"
    report.write_text(json.dumps(docs["reports/alice.json"]), encoding="utf-8")
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "class_report_memory.py"), "--n", "3", "8",
                           "--report", str(report)], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("machine: ") and "2 tests" in lines[0]
    assert [line.split()[0] for line in lines if line.startswith(("3 ", "8 "))] == ["3", "8"]
