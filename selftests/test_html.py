"""The HTML report: points, messages, the student's figure beside the reference, Japanese text."""

from __future__ import annotations

import base64
import fcntl
import io
import json
import os
import re
import select
import shutil
import subprocess
import time
import types
from pathlib import Path

import pytest
from matplotlib.figure import Figure

from autograder.results.figures import FIGURES, FigureImage, draw, figure_png, setup_matplotlib
from autograder.results.htmlreport import render_html
from autograder.core.i18n import set_language
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


def test_a_figure_exception_whose_message_never_ends_is_named_within_the_bound():
    """The message of the student's exception is the student's code too, run after the figure's limit: a
    spinning ``__str__`` held ``workbook report --html --workbook DIR`` for ever (the kind of pertest's
    MessageTooSlow)."""
    spec = FIGURES["ex3_attention"]

    class Endless(ValueError):
        def __str__(self):
            while True:
                pass

    def raises(*a, **k):
        raise Endless()

    start = time.monotonic()
    error = draw(_module(plot_temperature_effect=raises), spec, timeout=0.5).error
    assert time.monotonic() - start < 60, "the message was not bounded"
    assert "plot_temperature_effect raised Endless, but its message (__str__...) could not be made within 10 s" in error
    assert "10 秒以内に作れませんでした" in error

    class SpinningName(type):  # the class's name read through a metaclass of the student's: not called
        @property
        def __name__(cls):
            while True:
                pass

    class Odd(ValueError, metaclass=SpinningName):
        pass

    def raises_odd(*a, **k):
        raise Odd("bad temperature")

    start = time.monotonic()
    assert "plot_temperature_effect raised Odd: bad temperature" in draw(_module(plot_temperature_effect=raises_odd), spec).error
    assert time.monotonic() - start < 60, "the class name was read through the metaclass"  # would never end; 60 s: a busy machine


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


# --- Japanese text of the page renders without a system Japanese font (headless Chromium) --------

#: Characters a Latin-only system has no glyph for: kana, CJK ideographs and punctuation, fullwidth forms.
CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class _Browser:
    """Headless Chromium driven through the DevTools protocol over a pipe (no network port),
    with a font configuration that holds only DejaVu (Latin): no system Japanese font."""

    def __init__(self, tmp: Path):
        import matplotlib

        latin = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
        tmp.mkdir(parents=True, exist_ok=True)
        conf = tmp / "fonts.conf"
        conf.write_text(
            '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
            f"<fontconfig><dir>{latin}</dir><cachedir>{tmp / 'fc-cache'}</cachedir></fontconfig>\n",
            encoding="utf-8")
        env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp), "FONTCONFIG_FILE": str(conf),
               "XDG_CONFIG_HOME": str(tmp / "config"), "XDG_CACHE_HOME": str(tmp / "cache")}
        low_r, self._to_browser = os.pipe()
        self._from_browser, low_w = os.pipe()
        # the browser's ends above fd 4 (so that moving them to fds 3 and 4 cannot clash), not inherited
        to_browser, from_browser_w = (fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (low_r, low_w))
        os.close(low_r)
        os.close(low_w)

        def child_fds():  # the browser reads commands on fd 3 and writes replies on fd 4
            os.dup2(to_browser, 3)
            os.dup2(from_browser_w, 4)

        self.proc = subprocess.Popen(
            [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             "--hide-scrollbars", "--no-first-run", "--mute-audio", f"--user-data-dir={tmp / 'profile'}",
             "about:blank"],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=child_fds, close_fds=False)  # fds 3 and 4 stay open; every other one is close-on-exec
        os.close(to_browser)
        os.close(from_browser_w)
        self._buffer = b""
        self._next = 0
        self.session = ""

    def send(self, method: str, session: str | None = None, **params):
        self._next += 1
        message = {"id": self._next, "method": method, "params": params}
        if session if session is not None else self.session:
            message["sessionId"] = session if session is not None else self.session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            while b"\0" not in self._buffer:
                ready, _, _ = select.select([self._from_browser], [], [], 60)
                chunk = os.read(self._from_browser, 1 << 20) if ready else b""
                assert chunk, "Chromium closed the DevTools pipe"
                self._buffer += chunk
            raw, self._buffer = self._buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self._next:
                assert "error" not in reply, (method, reply["error"])
                return reply["result"]
        raise TimeoutError(method)

    def open(self, url: str, width: int = 1100) -> None:
        target = self.send("Target.createTarget", session="", url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", session="", targetId=target, flatten=True)["sessionId"]
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=800, deviceScaleFactor=1, mobile=False)
        self.send("Page.navigate", url=url)
        # the page is loaded, its fonts are ready and every <details> is open (their text is laid out too)
        self.send("Runtime.evaluate", awaitPromise=True, expression=(
            "new Promise(r => { const go = () => document.fonts.ready.then(() => {"
            " document.querySelectorAll('details').forEach(d => d.open = true);"
            " requestAnimationFrame(() => requestAnimationFrame(() => r(true))); });"
            " if (document.readyState === 'complete') go(); else addEventListener('load', go); })"))

    def screenshot(self, path: Path) -> bytes:
        metrics = self.send("Page.getLayoutMetrics")["cssContentSize"]
        shot = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                         clip={"x": 0, "y": 0, "width": metrics["width"], "height": metrics["height"], "scale": 1})
        data = base64.b64decode(shot["data"])
        path.write_bytes(data)
        return data

    def japanese_glyphs(self) -> tuple[int, list[str]]:
        """(Japanese characters laid out on the page, the texts of elements where some of them
        came from a font that has no glyph for them: tofu).

        ``CSS.getPlatformFontsForNode`` names the fonts that rendered an element's own text and how
        many glyphs each gave. The only font here with Japanese glyphs is the page's embedded one
        (a web font, ``isCustomFont``), so every Japanese character must be one of its glyphs.
        """
        self.send("DOM.enable")
        self.send("CSS.enable")
        root = self.send("DOM.getDocument", depth=-1)["root"]
        checked, tofu = 0, []
        stack = [root]
        while stack:
            node = stack.pop()
            children = node.get("children", [])
            stack.extend(children)
            if node.get("nodeType") != 1 or node.get("nodeName") in ("TITLE", "STYLE", "SCRIPT", "HEAD"):
                continue
            own = "".join(c.get("nodeValue", "") for c in children if c.get("nodeType") == 3)
            wanted = len(CJK.findall(own))
            if not wanted:
                continue
            fonts = self.send("CSS.getPlatformFontsForNode", nodeId=node["nodeId"])["fonts"]
            embedded = sum(f["glyphCount"] for f in fonts if f.get("isCustomFont"))
            checked += wanted
            if embedded < wanted:
                tofu.append(f"<{node['nodeName'].lower()}> {own.strip()[:60]!r}: {fonts}")
        return checked, tofu

    def close(self) -> None:
        try:
            self.send("Browser.close", session="")
        except (AssertionError, OSError, TimeoutError):
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)


@pytest.fixture
def browser(tmp_path):
    if _chromium() is None:
        if os.environ.get("CI"):
            pytest.fail("headless Chromium is needed for this test (apt-get install chromium; .ci/run installs it)")
        pytest.skip("no headless Chromium (apt-get install chromium)")
    b = _Browser(tmp_path / "chromium")
    yield b
    b.close()


def _ex2_raising_in_japanese() -> str:
    """The submission of :func:`_ex2_with_mistakes` whose ``apply_transform`` raises with a Japanese
    message (fullwidth characters too): the page shows text that only the student wrote."""
    src = _ex2_with_mistakes()
    marker = "def apply_transform("
    head, tail = src.split(marker, 1)
    body_start = tail.index('"""', tail.index('"""') + 3) + 3
    return (head + marker + tail[:body_start]
            + '\n    raise ValueError("行列の形が違います（２×２ではありません）: 固有値を求められない")\n'
            + tail[body_start:].replace("return (A @ P) * 1.01\n", "return A @ P\n", 1))


def test_japanese_text_of_the_page_renders_without_a_system_japanese_font(tmp_path, browser):
    """The page embeds the figures' font (a subset of IPAexGothic): in a browser whose system has
    only a Latin font, every Japanese character of the page — headings, tables, the failure
    messages in monospace, text only the student's code wrote — is drawn from it, never as □."""
    sub = make_submission(tmp_path, replace={"ex2_transforms": _ex2_raising_in_japanese()})
    out = tmp_path / "report.html"
    run = run_grader(sub, tmp_path, "--exercise", "ex2_transforms", f"--html-report={out}")
    assert run.returncode == 1 and out.exists(), run.output
    page = out.read_text(encoding="utf-8")
    assert "行列の形が違います（２×２ではありません）" in page
    faces = re.findall(r"@font-face \{[^}]*\}", page)
    assert len(faces) == 1 and "data:font/woff2;base64," in faces[0], faces
    assert len(faces[0]) < 60_000, "a subset, not the 6 MB font"

    browser.open(out.as_uri())
    checked, tofu = browser.japanese_glyphs()
    shot = browser.screenshot(tmp_path / "report.png")
    assert checked > 150, checked
    assert not tofu, "\n".join(tofu[:10])
    assert shot.startswith(b"\x89PNG") and len(shot) > 50_000

    # the check is real: the same page without the embedded font shows boxes in this browser
    bare = tmp_path / "bare.html"
    bare.write_text(page.replace(faces[0], ""), encoding="utf-8")
    browser.open(bare.as_uri())
    checked_bare, tofu_bare = browser.japanese_glyphs()
    assert checked_bare == checked and len(tofu_bare) > 10, tofu_bare
    assert browser.screenshot(tmp_path / "bare.png") != shot


def test_embedded_font_is_a_subset_of_exactly_the_page_characters():
    from fontTools.ttLib import TTFont

    from autograder.results.htmlreport import EMBEDDED_FONT, embedded_font_css, page_characters

    page = ('<html><head><title>題名</title><style>body { color: red }</style></head><body>'
            '<h1>採点 &amp; 点数</h1><img alt="図の説明" src="data:image/png;base64,QUJD"><pre>x = 1 → 終了</pre>'
            '</body></html>')
    chars = page_characters(page)
    assert set(chars) >= set("題名採点&数図の説明x=1→終了") and not set(chars) & set("<>{}"), chars
    css = embedded_font_css(chars)
    assert f'font-family: "{EMBEDDED_FONT}"' in css
    data = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)\)", css).group(1))
    font = TTFont(io.BytesIO(data))
    cmap = set(chr(c) for c in font.getBestCmap())
    assert cmap == {c for c in chars if ord(c) > 0x7E}, sorted(cmap ^ set(chars))
    assert embedded_font_css("ASCII only") == ""
    assert embedded_font_css(chars) == css, "the same page gets the same bytes"
    # red team round 11: 9,600 distinct CJK characters printed in failing tests' output made the grader
    # subset the whole font for the page (13 s a page); beyond MAX_EMBEDDED_CHARACTERS, the first ones
    # in page order are embedded (the grader's own text comes first), ASCII always
    from autograder.results.htmlreport import MAX_EMBEDDED_CHARACTERS

    flood = "".join(chr(0x4E00 + i) for i in range(MAX_EMBEDDED_CHARACTERS + 500))
    page = f"<h1>採点結果 score</h1><pre>{flood}</pre>"
    kept = page_characters(page, limit=MAX_EMBEDDED_CHARACTERS)
    assert len([c for c in kept if ord(c) > 0x7E]) == MAX_EMBEDDED_CHARACTERS
    assert set("採点結果score") <= set(kept) and chr(0x4E00 + MAX_EMBEDDED_CHARACTERS + 499) not in kept
    assert page_characters(page) == "".join(sorted(set("採点結果 score" + flood)))  # no limit: every one


# --- pages made from a batch report (python -m autograder.htmlreport REPORT.json) -----------------

def _batch_report(submission: Path | None, kind: str = "dir", exercises: tuple[str, ...] = ("ex2_transforms",)) -> dict:
    """A batch report (as ``graded/reports/<student>.json``) of a submission whose tasks are not implemented."""
    tests, summaries = [], []
    for name in exercises:
        spec = FIGURES[name]
        tests.append({"name": f"{name} › {spec.task} › test_x", "score": 0.0, "max_score": 2.0, "status": "failed",
                      "output": "not implemented", "extra_data": {"exercise": name, "task": spec.task,
                                                                  "outcome": "not_implemented", "nodeid": "t::x"}})
        summaries.append({"exercise": name, "score": 0.0, "max_score": 2.0, "tests_passed": 0, "tests_total": 1,
                          "tasks": [{"task": spec.task, "score": 0.0, "max_score": 2.0}]})
    extra: dict = {"target": str(submission or ""), "partial": False, "errors": [], "exercises": summaries,
                   "hidden_tests": {"audience": "instructor"}}
    if submission is not None:
        extra["batch"] = {"student": "alice", "submission": str(submission), "kind": kind, "fingerprint": "x"}
    return {"score": 0.0, "max_score": 2.0 * len(exercises), "tests": tests, "extra_data": extra}


def test_a_batch_page_for_the_student_names_the_student_not_the_instructors_folder(tmp_path):
    """The newcomer helper: the page to hand out said "target: /tmp/.../submissions/charlie"."""
    from autograder.results.htmlreport import html_page

    doc = _batch_report(tmp_path / "private" / "submissions" / "alice")
    student = html_page(doc, audience="student")
    assert "<code>alice</code>" in student and "private" not in student
    assert str(tmp_path / "private") in html_page(doc, audience="instructor")  # the instructor's own copy


def test_a_file_that_cannot_be_loaded_is_one_card_not_one_per_test():
    """The newcomer helper: a syntax error was shown 17 times on a student's page, each with a hint."""
    from autograder.core.i18n import set_language
    from autograder.results.htmlreport import html_page

    error = "ex1_vectors.py の 162 行目に構文エラーがあります / ex1_vectors.py, line 162: SyntaxError"
    tests = [{"name": f"ex1_vectors › {task} › test_{i}", "score": 0.0, "max_score": 1.0, "status": "failed",
              "output": error, "extra_data": {"exercise": "ex1_vectors", "task": task, "outcome": "import_error",
                                              "nodeid": f"t::{i}"}}
             for i, task in enumerate(["cosine_similarity", "cosine_similarity", "analogy"])]
    doc = {"score": 0.0, "max_score": 3.0, "tests": tests, "extra_data": {"exercises": [
        {"exercise": "ex1_vectors", "score": 0.0, "max_score": 3.0, "tests_passed": 0, "tests_total": 3,
         "tasks": [{"task": "cosine_similarity", "score": 0.0, "max_score": 2.0},
                   {"task": "analogy", "score": 0.0, "max_score": 1.0}]}]}}
    try:
        set_language("both")
        page = html_page(doc, audience="student")
    finally:
        set_language(None)
    assert page.count("SyntaxError") == 1 and "The file could not be loaded" in page and "3 tests, 3 points" in page
    assert "workbook hint" not in page


def _page_from_report(tmp_path: Path, doc: dict, *args: str) -> str:
    from autograder.apps.htmlreport import main

    report = tmp_path / "alice.json"
    report.write_text(json.dumps(doc), encoding="utf-8")
    out = tmp_path / "alice.html"
    try:
        set_language("both")
        assert main([str(report), "--out", str(out), *args]) == 0
    finally:
        set_language(None)
    return out.read_text(encoding="utf-8")


def _needs_sandbox():
    from autograder.submission.confinement import confinement

    if confinement().kind == "none":
        pytest.skip("no sandbox for the isolated worker on this machine")


def test_page_from_a_batch_report_draws_the_submission_it_names(tmp_path):
    """The trial: alice handed in ex2_transforms.py (a stub); the page said "no submission given"."""
    _needs_sandbox()
    alice = tmp_path / "submissions" / "alice"
    alice.mkdir(parents=True)
    shutil.copy(Path(__file__).resolve().parents[1] / "exercises" / "ex2_transforms.py", alice)
    page = _page_from_report(tmp_path, _batch_report(alice))
    assert "no submission given" not in page and "提出物がありません" not in page
    assert "not implemented: plot_transform" in page  # her figure function, called
    assert len(_pngs(page)) == 1, "the reference figure, from the repository's solutions/ by default"
    assert "no reference figure" not in page


def test_page_from_a_batch_report_of_a_zip_draws_both_figures(tmp_path):
    """Another submission of the kind: a zip (extracted as the batch grader does), with a working figure."""
    _needs_sandbox()
    import zipfile

    bob = tmp_path / "submissions" / "bob.zip"
    bob.parent.mkdir(parents=True)
    with zipfile.ZipFile(bob, "w") as zf:
        zf.write(SOLUTIONS / "ex3_attention.py", "bob-work/ex3_attention.py")
    page = _page_from_report(tmp_path, _batch_report(bob, "zip", ("ex3_attention",)))
    images = _pngs(page)
    assert len(images) == 2 and all(len(img) > 5000 for img in images), "bob's figure and the reference"
    assert 'class="missing"' not in page


_SLOW_TO_RENDER = """

_drawn = plot_transform


def plot_transform(M, ax=None):  # returns at once; Agg takes ~25 s per line to render it (80 dpi)
    import numpy as _np

    fig = _drawn(M, ax)
    rng = _np.random.default_rng(0)
    for _ in range(4):
        fig.axes[0].plot(rng.uniform(-3, 3, 200_000), rng.uniform(-3, 3, 200_000), "-", linewidth=500)
    return fig
"""


@pytest.mark.parametrize("kind", ["slow_to_render", "slow_import"])
def test_the_page_bounds_what_the_submission_makes_it_do_import_and_rendering_included(tmp_path, monkeypatch, kind):
    """Red team round 10: the student's page (``batch --pages``, ``workbook report --html``) imported the
    exercise and rendered the returned figure outside the figure's time limit, in the grader: a
    module-level sleep held it 131 s, a figure of a few lines 500 points wide kept Agg busy ~25 s per
    line (uninterruptible C). The import, the call and the rendering now run in the sandboxed worker
    within the limit; an honest exercise beside it is drawn as before."""
    _needs_sandbox()
    from autograder.results import figures
    from autograder.submission.isolated import IsolatedSubmission

    src = (SOLUTIONS / "ex2_transforms.py").read_text(encoding="utf-8")
    if kind == "slow_to_render":
        src += _SLOW_TO_RENDER
    else:  # a module-level wait (the old page waited it out, then drew a figure)
        src = src.replace("import numpy as np\n", "import numpy as np\nimport time\ntime.sleep(90)\n", 1)
        assert "time.sleep(90)" in src
    sub = make_submission(tmp_path, replace={"ex2_transforms": src})
    monkeypatch.setattr(figures, "FIGURE_TIMEOUT", 8.0)  # (the honest ex3 figure beside it must fit on a busy machine)
    isolated = IsolatedSubmission(sub)
    try:
        found = figures.collect_figures({"extra_data": {"exercises": [{"exercise": "ex2_transforms"},
                                                                      {"exercise": "ex3_attention"}]}},
                                        isolated, None)
    finally:
        isolated.close()
    slow, honest = found["ex2_transforms"][0], found["ex3_attention"][0]
    assert slow.png is None and "plot_transform did not finish within 8 s" in slow.error, slow
    assert "8 秒以内に終わりませんでした" in slow.error
    assert honest.error == "" and honest.png is not None and honest.png.startswith(b"\x89PNG") and len(honest.png) > 5000


def test_a_figure_drawn_in_the_worker_is_the_figure_drawn_in_the_grader(tmp_path):
    """The student's figure of an isolated page is rendered in the worker now: the same picture as the
    in-process drawing of the same code (local ``workbook report --html``), text and Japanese font included."""
    _needs_sandbox()
    import numpy as np
    from PIL import Image

    from autograder.results import figures
    from autograder.submission.isolated import IsolatedSubmission
    from autograder.submission.loader import ExerciseHandle, Submission

    sub = make_submission(tmp_path, replace={"ex2_transforms": _ex2_with_mistakes()})  # a Japanese title
    spec = FIGURES["ex2_transforms"]
    local = figures.draw(ExerciseHandle(Submission(sub), "ex2_transforms"), spec)
    isolated = IsolatedSubmission(sub)
    try:
        remote = figures.draw_isolated(isolated, "ex2_transforms", spec)
    finally:
        isolated.close()
    assert local.png and remote.png, (local.error, remote.error)
    a, b = (np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float) for png in (local.png, remote.png))
    assert a.shape == b.shape
    assert np.abs(a - b).mean() < 1.0, "the same figure, pixel for pixel up to anti-aliasing"
    assert not [w for w in remote.warnings if "missing" in w], remote.warnings


def test_page_says_why_a_figure_is_absent_and_which_option_draws_it(tmp_path):
    # a report that names no submission (not from the batch grader)
    page = _page_from_report(tmp_path, _batch_report(None))
    assert "no submission given" not in page
    assert "Figures are drawn from the submission: pass --workbook DIR." in page
    assert "図は提出物から描きます: --workbook DIR を指定してください。" in page
    # a batch report whose submission has been moved away since
    gone = tmp_path / "moved" / "carol"
    page = _page_from_report(tmp_path, _batch_report(gone))
    assert f"the submission the score report names, {gone}, is not there" in page
    assert "pass --workbook DIR" in page and "--workbook DIR を指定してください" in page
    # --workbook draws it (in this process)
    gone.mkdir(parents=True)
    shutil.copy(SOLUTIONS / "ex2_transforms.py", gone)
    page = _page_from_report(tmp_path, _batch_report(tmp_path / "elsewhere"), "--workbook", str(gone))
    assert len(_pngs(page)) == 2 and 'class="missing"' not in page


# --- no label followed by nothing, in any language ----------------------------------------------

#: a label (``ヒント:``, ``Hint:``) with nothing after it: before " / " or " · ", at the end of a text, or a
#: bilingual pair with an empty half (`` / `` at either end)
_EMPTY_LABEL = re.compile(r"[:：]\s*(?:[/·]\s|$)|^\s*/\s|\s/\s*$")


def _label_faults(page: str) -> list[str]:
    """Lines of the page's visible text (outside <pre>, which holds test output) with an empty label."""
    body = re.sub(r"<style>.*?</style>|<pre>.*?</pre>|<title>.*?</title>", "\n", page, flags=re.S)
    body = re.sub(r"</(?:li|div|h\d|th|td|tr|p|figcaption|summary|footer|pre)>|<br>", "\n", body)
    text = re.sub(r"<[^>]+>", "", body)
    import html as _html

    return [line for line in _html.unescape(text).splitlines() if _EMPTY_LABEL.search(line.strip())]


def _page_with_every_label(target: str) -> str:
    doc = _batch_report(None, exercises=("ex2_transforms", "ex3_attention"))
    doc["extra_data"]["target"] = target
    doc["extra_data"]["errors"] = ["ex1_vectors.py is missing"]
    doc["tests"].append({"name": "ex3_attention › softmax › test_y", "score": 0.0, "max_score": 1.0, "status": "failed",
                         "output": "expected: 1\n", "extra_data": {"exercise": "ex3_attention", "task": "softmax",
                                                                   "outcome": "failed", "nodeid": "t::y",
                                                                   "hidden": True}})
    doc["tests"].append({"name": "ex3_attention › scaled › test_z", "score": 0.0, "max_score": 1.0, "status": "failed",
                         "output": "boom", "extra_data": {"exercise": "ex3_attention", "task": "scaled",
                                                          "outcome": "error", "nodeid": "t::z"}})
    glyphs = FigureImage(png=b"\x89PNG\r\n\x1a\n" + b"0" * 20, warnings=["Glyph 21464 missing from font(s) DejaVu Sans."])
    figures = {"ex2_transforms": (FigureImage(error="not implemented"), glyphs),
               "ex3_attention": (glyphs, FigureImage(error="no reference figure"))}
    return render_html(doc, figures, generated_at="2026-01-01", audience="instructor")


@pytest.mark.parametrize("lang", ["ja", "en", "both"])
def test_no_label_is_followed_by_nothing(lang):
    """The trial: "2 テスト、2 点。ヒント:  / 2 tests, 2 points. Hint: workbook hint ..." (the command
    only in the English half); also the header's target label with an empty target."""
    try:
        set_language(lang)
        page = _page_with_every_label("/subs/alice")
        assert not _label_faults(page), _label_faults(page)
        cmd = "workbook hint ex2_transforms plot_transform"
        hint = {"ja": "ヒント: ", "en": "Hint: ", "both": "ヒント / Hint: "}[lang]
        assert f"{hint}<code>{cmd}</code>" in page
        page = _page_with_every_label("")  # a report without a target: no "対象 / target:" at all
        assert not _label_faults(page), _label_faults(page)
    finally:
        set_language(None)
    # the check is real: it finds the trial's line
    assert _label_faults("<li>2 テスト、2 点。ヒント:  / 2 tests, 2 points. Hint: <code>cmd</code></li>")
    assert _label_faults('<div class="meta">対象 / target: <code></code> · workbook 0.1</div>')
    assert not _label_faults('<div class="meta">対象 / target: <code>alice</code> · workbook 0.1</div>')
