"""The HTML report: points, messages, the student's figure beside the reference, Japanese text."""

from __future__ import annotations

import base64
import re
import time
import types
from pathlib import Path

import pytest
from matplotlib.figure import Figure

from autograder.htmlreport import FIGURES, FigureImage, draw, figure_png, render_html, setup_matplotlib
from autograder.i18n import set_language
from conftest import SOLUTIONS, make_submission, make_workbook, run_cli, run_grader

PNG = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"')
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _pngs(page: str) -> list[bytes]:
    return [base64.b64decode(m) for m in PNG.findall(page)]


def _ex2_with_mistakes() -> str:
    src = (SOLUTIONS / "ex2_transforms.py").read_text(encoding="utf-8")
    src = src.replace("return A @ P\n", "return (A @ P) * 1.01\n")
    # a student who labels the figure in Japanese (as the chapter does)
    src = src.replace('ax.set_title(f"M = [[', 'ax.set_title(f"変換行列 M = [[')
    assert "変換行列" in src and "* 1.01" in src
    return src


def test_pytest_run_writes_an_html_report_with_both_figures(tmp_path):
    sub = make_submission(tmp_path, replace={"ex2_transforms": _ex2_with_mistakes()})
    out = tmp_path / "out" / "report.html"
    run = run_grader(sub, tmp_path, "--exercise", "ex2_transforms", f"--html-report={out}")
    assert run.returncode == 1, run.output
    assert run.score is not None and out.exists(), run.output
    assert "HTML report" in run.output
    page = out.read_text(encoding="utf-8")
    assert '<section id="ex2_transforms">' in page and 'id="ex1_vectors"' not in page
    assert f"{run.score['score']:g} / 20" in page
    # the failure message (call, expected, actual) of every failing test is on the page
    for test in run.score["tests"]:
        if test["status"] == "failed":
            assert test["output"].splitlines()[0].replace("<", "&lt;").replace(">", "&gt;")[:60] in page.replace("&#x27;", "'")
    assert "workbook hint ex2_transforms apply_transform" in page
    images = _pngs(page)
    assert len(images) == 2, "the student's figure and the reference figure"
    assert all(img.startswith(b"\x89PNG\r\n\x1a\n") and len(img) > 5000 for img in images)
    assert images[0] != images[1]  # the student's title differs
    assert "Your figure" in page and "参考解答の図" in page and "plot_transform([[2, 1], [1, 2]])" in page
    assert "glyphs missing" not in page, "the Japanese title must render with a Japanese font"


def test_html_report_in_one_language(tmp_path):
    sub = make_submission(tmp_path, replace={"ex2_transforms": _ex2_with_mistakes()})
    out = tmp_path / "en.html"
    run = run_grader(sub, tmp_path, "--exercise", "ex2_transforms", f"--html-report={out}", "--lang", "en")
    page = out.read_text(encoding="utf-8")
    text = re.sub(r"<style>.*?</style>|<[^>]+>", " ", page, flags=re.S)
    assert "Your figure" in text and "Failing tests" in text
    assert not JAPANESE.search(text), JAPANESE.findall(text)[:20]
    assert run.score is not None


def _module(**funcs) -> types.SimpleNamespace:
    return types.SimpleNamespace(**funcs)


def test_figure_problems_become_messages_not_crashes():
    spec = FIGURES["ex3_attention"]

    def not_done(*a, **k):
        raise NotImplementedError()

    def broken(*a, **k):
        raise ValueError("bad logits")

    def hangs(*a, **k):
        while True:
            pass

    assert "not implemented: plot_temperature_effect" in draw(_module(plot_temperature_effect=not_done), spec).error
    assert "ValueError: bad logits" in draw(_module(plot_temperature_effect=broken), spec).error
    assert "did not return a matplotlib.figure.Figure" in draw(_module(plot_temperature_effect=lambda *a: None), spec).error
    start = time.monotonic()
    slow = draw(_module(plot_temperature_effect=hangs), spec, timeout=0.5)
    assert "did not finish within 0.5 s" in slow.error and time.monotonic() - start < 5
    assert "plot_temperature_effect" in draw(_module(), spec).error  # missing function
    good = draw(_module(plot_temperature_effect=lambda logits, temps: Figure()), spec)
    assert good.png is not None and good.error == ""


def test_japanese_text_in_figures_uses_a_japanese_font():
    import matplotlib

    setup_matplotlib()
    fig = Figure(figsize=(3, 2))
    ax = fig.add_subplot()
    ax.set_title("温度の効果 (ソフトマックス)")
    ax.set_xlabel("ロジット")
    png, found = figure_png(fig)
    assert png.startswith(b"\x89PNG") and not [w for w in found if "missing" in w], found
    # the check is real: a Latin-only font reports the missing glyphs
    with matplotlib.rc_context({"font.family": "DejaVu Sans"}):
        fig = Figure(figsize=(3, 2))
        fig.add_subplot().set_title("温度の効果")
        _, found = figure_png(fig)
    assert any("missing from font" in w for w in found), found


def test_render_html_escapes_student_text_and_follows_the_language():
    doc = {
        "score": 1.0, "max_score": 2.0,
        "tests": [
            {"name": "ex1_vectors › analogy › test_a", "score": 0.0, "max_score": 1.0, "status": "failed",
             "output": "<script>alert('x')</script> 期待値 / expected",
             "extra_data": {"exercise": "ex1_vectors", "task": "analogy", "outcome": "failed", "nodeid": "t::a"}},
            {"name": "ex1_vectors › analogy › test_b", "score": 1.0, "max_score": 1.0, "status": "passed",
             "output": "", "extra_data": {"exercise": "ex1_vectors", "task": "analogy", "outcome": "passed"}},
        ],
        "extra_data": {"target": "exercises", "partial": True, "errors": [], "exercises": [
            {"exercise": "ex1_vectors", "score": 1.0, "max_score": 2.0, "tests_passed": 1, "tests_total": 2,
             "tasks": [{"task": "analogy", "score": 1.0, "max_score": 2.0}]}]},
    }
    figures = {"ex1_vectors": (FigureImage(error="<b>no</b>"), FigureImage(png=b"\x89PNG\r\n\x1a\n" + b"0" * 20))}
    try:
        set_language("ja")
        page = render_html(doc)
        assert "<script>alert" not in page and "&lt;script&gt;" in page
        assert "失敗したテスト" in page and "Failing tests" not in page and "合計" in page
        set_language("en")
        page = render_html(doc)
        assert "Failing tests" in page and "失敗したテスト" not in page
        assert "workbook hint ex1_vectors analogy" in page
        set_language("both")
        page = render_html(doc)
        assert "失敗したテスト / Failing tests" in page
    finally:
        set_language(None)
    assert figures  # (figures of exercises without a FigureSpec are ignored by render_html)


def test_workbook_report_merges_the_latest_results_and_uses_stored_reference_figures(tmp_path):
    root = make_workbook(tmp_path, solved=("ex1_vectors",), with_solutions=False)
    stored = root / "autograder" / "data" / "figures"
    stored.mkdir(parents=True)
    reference_png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
    (stored / "ex3_attention.png").write_bytes(reference_png)
    for exercise in ("ex1", "ex3"):
        proc = run_cli(root, "check", exercise, "--no-html")
        assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    proc = run_cli(root, "report", "--out", "reports/all.html", "--lang", "en")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    page = (root / "reports" / "all.html").read_text(encoding="utf-8")
    assert 'id="ex1_vectors"' in page and 'id="ex3_attention"' in page and 'id="ex2_transforms"' not in page
    assert "20 / 20" in page and "0 / 20" in page and "Total: 20 / 40" in page
    assert "Tasks not implemented yet" in page and "workbook hint ex3_attention softmax" in page
    assert "not implemented: plot_temperature_effect" in page  # the stub's figure
    assert reference_png in _pngs(page)  # no solutions/ in a student copy: the stored reference figure
