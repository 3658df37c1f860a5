"""The HTML report: points, messages and, for figure tasks, the student's figure beside the reference.

Written by the pytest plugin at the end of a run (``--html-report=PATH``, from the same results
document as the JSON report) and by ``workbook report`` (``python -m autograder.htmlreport``).
The page is one self-contained file (CSS inline, figures embedded as base64 PNG), in the language
in force (:mod:`autograder.core.i18n`).

Figures come from :mod:`autograder.results.figures` (:data:`autograder.results.figures.FIGURES`:
the ``FIGURE`` each exercise declares in its graded tests).


The page's own text uses the same font wherever the reader's system has no Japanese font: a
subset of IPAexGothic holding exactly the non-ASCII characters of the page (fontTools' subsetter,
WOFF2 when ``brotli`` is installed, else TrueType) is embedded as a base64 ``@font-face``
(:func:`embedded_font_css`), listed after the system's Japanese fonts, so the page stays one
"""

from __future__ import annotations

import base64
import html
import io
import re
import warnings
from pathlib import Path
from typing import Any

from .. import __version__
from ..core.i18n import bilingual, get_language
from .figures import FigureImage, collect_figures, figure_call
from .report import OUTCOME_LABELS, TITLES, is_hidden, output_below_misconception, report_audience, shown_misconception, \
    shown_name

#: The family name of the font subset embedded in the page (IPAexGothic, as in the figures).
EMBEDDED_FONT = "Workbook IPAexGothic"


# --- the page ---------------------------------------------------------------------------------

def _t(ja: str, en: str) -> str:
    return html.escape(bilingual(ja, en, sep=" / "))


def _fmt(x: float) -> str:
    return f"{x:g}"



_CSS = """
:root { --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --line: #d0d7de; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", "Hiragino Sans", "Noto Sans CJK JP", "Noto Sans JP",
  "IPAexGothic", "Yu Gothic", "Meiryo", sans-serif, "Workbook IPAexGothic"; color: #1f2328; background: #fff; line-height: 1.55; }
header { padding: 20px 32px 16px; border-bottom: 1px solid var(--line); background: var(--soft); }
header h1 { margin: 0 0 6px; font-size: 22px; }
.meta { color: #59636e; font-size: 13px; }
.total { display: flex; align-items: center; gap: 16px; margin-top: 10px; font-size: 18px; font-weight: 600; }
.bar { flex: 0 0 260px; height: 10px; border-radius: 5px; background: #e6e9ed; overflow: hidden; }
.bar > span { display: block; height: 100%; background: var(--ok); }
.bar.low > span { background: var(--bad); } .bar.mid > span { background: #d4a72c; }
nav { display: flex; flex-wrap: wrap; gap: 8px; padding: 12px 32px; border-bottom: 1px solid var(--line); }
nav a { text-decoration: none; color: inherit; border: 1px solid var(--line); border-radius: 16px; padding: 2px 12px;
  font-size: 13px; }
nav a.done { border-color: var(--ok); color: var(--ok); }
main { padding: 8px 32px 32px; max-width: 1280px; }
section { border-bottom: 1px solid var(--line); padding: 18px 0 22px; }
h2 { font-size: 18px; margin: 0 0 4px; display: flex; gap: 12px; align-items: baseline; flex-wrap: wrap; }
h2 .score { font-size: 15px; padding: 1px 10px; border-radius: 12px; color: #fff; background: var(--bad); }
h2 .score.ok { background: var(--ok); }
h3 { font-size: 15px; margin: 18px 0 6px; }
table { border-collapse: collapse; font-size: 14px; margin-top: 6px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 14px 4px 0; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.ok { color: var(--ok); } .bad { color: var(--bad); }
.test { border: 1px solid var(--line); border-left: 4px solid var(--bad); border-radius: 6px; margin: 10px 0;
  padding: 8px 12px; }
.test .name { font-weight: 600; font-size: 14px; }
.test.todo { border-left-color: #8c959f; } .test.todo ul { margin: 6px 0 2px; padding-left: 20px; font-size: 14px; }
.tag { display: inline-block; font-size: 12px; border-radius: 10px; padding: 0 8px; margin-left: 6px;
  background: #ffebe9; color: var(--bad); font-weight: 500; }
pre { background: var(--soft); border-radius: 6px; padding: 8px 10px; margin: 6px 0 0; overflow-x: auto;
  font-size: 12.5px; white-space: pre-wrap; word-break: break-word;
  font-family: ui-monospace, "SFMono-Regular", "Noto Sans Mono CJK JP", "Menlo", "Consolas", monospace,
  "Workbook IPAexGothic"; }
.hint { font-size: 13px; color: #59636e; margin-top: 4px; }
.misconception { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: 6px 10px; margin: 6px 0 0;
  font-size: 14px; }
.misconception b { margin-right: 6px; }
code { font-family: ui-monospace, "Noto Sans Mono CJK JP", monospace, "Workbook IPAexGothic"; font-size: 13px; background: var(--soft);
  padding: 1px 4px; border-radius: 4px; }
.figs { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; margin-top: 8px; }
.figs.wide { grid-template-columns: minmax(0, 1fr); }
figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 8px; background: #fff; }
figure img { width: 100%; height: auto; display: block; }
figcaption { font-size: 13px; color: #59636e; margin-bottom: 6px; }
figure .missing { padding: 24px 12px; color: var(--bad); background: #fff8f7; border-radius: 4px; font-size: 14px;
  white-space: pre-wrap; }
.warn { color: var(--warn); font-size: 12px; margin-top: 4px; }
details summary { cursor: pointer; font-size: 14px; color: #59636e; margin-top: 10px; }
ul.passed { font-size: 13px; color: #59636e; margin: 6px 0; }
.errors { border: 1px solid var(--bad); background: #fff8f7; border-radius: 6px; padding: 8px 12px; margin-top: 14px; }
footer { color: #59636e; font-size: 12px; padding: 0 32px 24px; }
"""


def font_file() -> Path | None:
    """The TrueType file of the figures' Japanese font (matplotlib-fontja's IPAexGothic), or None."""
    try:
        import matplotlib_fontja
    except ImportError:  # pragma: no cover - a dependency of the package
        return None
    fonts = Path(matplotlib_fontja.__file__).resolve().parent / "fonts"
    found = sorted(fonts.glob("ipaexg*.ttf")) or sorted(fonts.glob("*.ttf"))
    return found[0] if found else None


#: Most characters beyond ASCII whose glyphs a page embeds, the first ones in page order (a full page of
#: the chapter's nine exercises uses well under 1,000; red team round 11 printed 9,600 distinct CJK
#: characters in failing tests' output, and subsetting the whole font took 13 s of the grader per page).
MAX_EMBEDDED_CHARACTERS = 2000


def page_characters(page: str, limit: int | None = None) -> str:
    """The distinct characters a reader can see on ``page`` (text and attribute values, not tags,
    CSS or embedded data), sorted; with ``limit``, only the first ``limit`` beyond ASCII in page order
    (ASCII is always kept)."""
    text = re.sub(r"<style>.*?</style>|data:[^\"']*", " ", page, flags=re.S)
    visible = re.findall(r">([^<]*)<|\b(?:alt|title)=\"([^\"]*)\"", text)
    found = dict.fromkeys(html.unescape("".join(a + b for a, b in visible)))
    if limit is not None:
        wide = [c for c in found if ord(c) > 0x7E][:limit]
        found = dict.fromkeys([c for c in found if ord(c) <= 0x7E] + wide)
    return "".join(sorted(found))


def embedded_font_css(characters: str, *, family: str = EMBEDDED_FONT) -> str:
    """An ``@font-face`` rule that embeds the subset of IPAexGothic holding the non-ASCII
    ``characters`` (ASCII is in every system font), as base64 WOFF2 (TrueType without ``brotli``).

    Returns:
        The CSS rule; "" when there is nothing to embed (no non-ASCII character, or the font or
        fontTools is missing: the page then relies on the system's fonts).
    """
    # a lone surrogate (undecodable bytes of a student's output) has no glyph and no encoding
    wanted = "".join(c for c in characters if ord(c) > 0x7E and not 0xD800 <= ord(c) <= 0xDFFF)
    path = font_file()
    if not wanted or path is None:
        return ""
    try:
        from fontTools import subset
    except ImportError:  # pragma: no cover - fontTools comes with matplotlib
        return ""
    try:
        import brotli  # noqa: F401  (fontTools' WOFF2 writer needs it)

        flavor, mime, fmt = "woff2", "font/woff2", "woff2"
    except ImportError:
        flavor, mime, fmt = None, "font/ttf", "truetype"
    options = subset.Options()
    options.flavor = flavor
    options.hinting = False  # browsers do not need TrueType hinting; a third of the size
    options.desubroutinize = True
    options.notdef_outline = True
    try:
        font = subset.load_font(str(path), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=wanted)
        subsetter.subset(font)
        buf = io.BytesIO()
        subset.save_font(font, buf, options)
    except Exception as exc:  # noqa: BLE001 - a page without the font beats no page
        warnings.warn(f"the Japanese font could not be embedded in the HTML report: {exc}", stacklevel=2)
        return ""
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (f'@font-face {{ font-family: "{family}"; font-style: normal; '
            f'src: url(data:{mime};base64,{data}) format("{fmt}"); }}')


def _bar(score: float, max_score: float, *, width: str = "") -> str:
    frac = 0.0 if not max_score else max(0.0, min(1.0, score / max_score))
    level = "" if frac >= 0.8 else ("mid" if frac >= 0.4 else "low")
    style = f' style="flex-basis:{width}"' if width else ""
    return f'<div class="bar {level}"{style}><span style="width:{frac * 100:.1f}%"></span></div>'


def _aspect(png: bytes) -> float:
    """Width / height of a PNG, read from its IHDR chunk (1.0 if unreadable)."""
    if len(png) < 24 or png[:8] != b"\x89PNG\r\n\x1a\n":
        return 1.0
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    return width / height if height else 1.0


def _img(image: FigureImage, alt: str) -> str:
    if image.png is None:
        return f'<div class="missing">{html.escape(image.error)}</div>'
    data = base64.b64encode(image.png).decode("ascii")
    out = f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'
    glyphs = [w for w in image.warnings if "Glyph" in w or "missing from" in w]
    if glyphs:
        out += f'<div class="warn">{_t("フォントにない文字があります", "glyphs missing from the font")}: ' \
               f'{html.escape("; ".join(glyphs[:3]))}</div>'
    return out


def render_html(document: dict[str, Any], figures: dict[str, tuple[FigureImage, FigureImage]] | None = None,
                *, generated_at: str | None = None, audience: str | None = None) -> str:
    """The report page for a results document.

    Args:
        document: the JSON score report (Gradescope results.json schema with ``extra_data``).
        figures: exercise → (student, reference) figures (see :func:`collect_figures`).
        generated_at: a timestamp shown in the header (default: none).
        audience: ``"student"``: a hidden test shows only its name, points and pass/fail, even
            when the document holds its message (an instructor's report); ``"instructor"``:
            everything the document holds. Default: the audience the document was made for
            (:func:`autograder.results.report.report_audience`).

    Returns:
        The HTML text (UTF-8, self-contained).
    """
    figures = figures or {}
    audience = audience or report_audience(document)
    extra = document.get("extra_data", {})
    summaries = extra.get("exercises", [])
    tests = document.get("tests", [])
    score, max_score = float(document.get("score", 0.0)), float(document.get("max_score", 0.0))
    graded_at = extra.get("graded_at", {})
    parts = page_head(f"{_t('採点レポート', 'Workbook report')} — {html.escape(_fmt(score))}/{html.escape(_fmt(max_score))}")
    w = parts.append
    w("<header>")
    w(f"<h1>{_t('Transformer の数学 演習ワークブック — 採点レポート', 'Transformer-math workbook — grading report')}</h1>")
    meta = []
    target = extra.get("target")
    batch = extra.get("batch")
    if target and audience == "student" and isinstance(batch, dict) and batch.get("student"):
        # a page of the batch to hand out: the student's id, not where the instructor keeps the submissions
        target = batch["student"]
    if target:  # a label is never shown with nothing after it
        meta.append(f"{_t('対象', 'target')}: <code>{html.escape(str(target))}</code>")
    if generated_at:
        meta.append(f"{_t('作成', 'generated')}: {html.escape(generated_at)}")
    if extra.get("partial"):
        meta.append(_t("一部のみ採点", "partial run"))
    meta.append(f"workbook {html.escape(str(extra.get('workbook_version', __version__)))}")
    w(f'<div class="meta">{" · ".join(meta)}</div>')
    w(f'<div class="total"><span>{_t("合計", "Total")}: {_fmt(score)} / {_fmt(max_score)} '
      f'{_t("点", "points")}</span>{_bar(score, max_score)}</div>')
    w("</header>")
    if summaries:
        w("<nav>")
        for s in summaries:
            done = s["score"] == s["max_score"] and s["max_score"] > 0
            w(f'<a class="{"done" if done else ""}" href="#{html.escape(s["exercise"])}">{html.escape(s["exercise"])} '
              f'{_fmt(s["score"])}/{_fmt(s["max_score"])}</a>')
        w("</nav>")
    w("<main>")
    errors = extra.get("errors", [])
    if errors:
        w(f'<div class="errors"><strong>{_t("採点の問題", "grading problems")}</strong>')
        for err in errors:
            w(f"<pre>{html.escape(err)}</pre>")
        w("</div>")
    for s in summaries:
        name = s["exercise"]
        ja, en = TITLES.get(name, (s.get("title_ja", ""), s.get("title_en", "")))
        ok = s["score"] == s["max_score"] and s["max_score"] > 0
        w(f'<section id="{html.escape(name)}">')
        w(f'<h2><span>{html.escape(name)} — {html.escape(bilingual(ja, en, sep=" / "))}</span>'
          f'<span class="score {"ok" if ok else ""}">{_fmt(s["score"])} / {_fmt(s["max_score"])}</span></h2>')
        sub = f'{_t("合格テスト", "tests passed")}: {s["tests_passed"]}/{s["tests_total"]}'
        if name in graded_at:
            sub += f' · {_t("採点", "graded")}: {html.escape(str(graded_at[name]))}'
        w(f'<div class="meta">{sub}</div>')
        w(f'<table><tr><th>{_t("課題", "task")}</th><th>{_t("得点", "points")}</th><th></th></tr>')
        for task in s.get("tasks", []):
            t_ok = task["score"] == task["max_score"]
            mark = '<span class="ok">✓</span>' if t_ok else '<span class="bad">✗</span>'
            w(f'<tr><td>{mark} <code>{html.escape(task["task"])}</code></td>'
              f'<td class="num">{_fmt(task["score"])}/{_fmt(task["max_score"])}</td>'
              f'<td>{_bar(task["score"], task["max_score"], width="120px")}</td></tr>')
        w("</table>")
        ex_tests = [t for t in tests if t.get("extra_data", {}).get("exercise") == name]
        failing = [t for t in ex_tests if t.get("status") != "passed"]
        passing = [t for t in ex_tests if t.get("status") == "passed"]
        if failing:
            w(f"<h3>{_t('失敗したテスト', 'Failing tests')} ({len(failing)})</h3>")
            hinted: set[str] = set()
            # a stub fails every test of a task the same way: one line per task, not one card per test
            todo: dict[str, list[dict[str, Any]]] = {}
            for t in failing:
                if t.get("extra_data", {}).get("outcome") == "not_implemented":
                    todo.setdefault(t["extra_data"].get("task", ""), []).append(t)
            if todo:
                w('<div class="test todo"><div class="name">'
                  f'{_t("未実装の課題", "Tasks not implemented yet")}<span class="tag">{_t("未実装", "not implemented")}</span></div><ul>')
                for task, items in todo.items():
                    pts = sum(float(t.get("max_score", 0)) for t in items)
                    cmd = f"<code>workbook hint {html.escape(name)} {html.escape(task)}</code>"
                    # the label and its command stay together: never "ヒント:  / ... Hint: cmd"
                    text = _t(f"{len(items)} テスト、{_fmt(pts)} 点。", f"{len(items)} test{'' if len(items) == 1 else 's'}, {_fmt(pts)} point{'' if pts == 1 else 's'}.")
                    w(f'<li><code>{html.escape(task)}</code> — {text} {_t("ヒント", "Hint")}: {cmd}</li>')
                    hinted.add(task)
                w("</ul></div>")
            # a file that cannot be loaded (a syntax error) fails every test the same way: one card
            unloaded = [t for t in failing if t.get("extra_data", {}).get("outcome") == "import_error"]
            outputs = {output_below_misconception(t, audience) for t in unloaded}
            if len(unloaded) > 1 and len(outputs) == 1:
                pts = sum(float(t.get("max_score", 0)) for t in unloaded)
                w(f'<div class="test"><div class="name">{_t("ファイルを読み込めません", "The file could not be loaded")}'
                  f'<span class="tag">{_t(*OUTCOME_LABELS["import_error"])}</span>'
                  f'<span class="meta"> ({_t(f"{len(unloaded)} テスト、{_fmt(pts)} 点", f"{len(unloaded)} tests, {_fmt(pts)} points")})'
                  '</span></div>')
                shown = outputs.pop()
                if shown:
                    w(f"<pre>{html.escape(shown)}</pre>")
                w("</div>")
                hinted.update(t.get("extra_data", {}).get("task", "") for t in unloaded)
            else:
                unloaded = []
            for t in failing:
                if t.get("extra_data", {}).get("outcome") == "not_implemented" or any(t is u for u in unloaded):
                    continue
                ed = t.get("extra_data", {})
                label_ja, label_en = OUTCOME_LABELS.get(ed.get("outcome", "failed"), ("不合格", "failed"))
                test_name = shown_name(t, audience).split(" › ", 2)[-1]
                hidden = is_hidden(t)
                w('<div class="test">')
                w(f'<div class="name">{html.escape(ed.get("task", ""))} › {html.escape(test_name)}'
                  f'<span class="tag">{_t(label_ja, label_en)}</span>'
                  + (f'<span class="tag">{_t("非公開テスト", "hidden test")}</span>' if hidden else "")
                  + f'<span class="meta"> ({_fmt(t.get("max_score", 0))} {_t("点", "pt")})</span></div>')
                found = shown_misconception(t, audience)
                if found is not None:
                    w(f'<div class="misconception" data-misconception="{html.escape(found["id"])}">'
                      f'<b>{_t("考えられる誤解", "Likely misconception")}</b><br>'
                      + "<br>".join(html.escape(x) for x in bilingual(found["ja"], found["en"]).splitlines()) + "</div>")
                output = output_below_misconception(t, audience)
                if output:
                    w(f"<pre>{html.escape(output)}</pre>")
                task = ed.get("task", "")
                if task and task not in hinted and not (hidden and audience != "instructor"):
                    hinted.add(task)
                    w(f'<div class="hint">{_t("ヒント", "hint")}: <code>workbook hint {html.escape(name)} '
                      f'{html.escape(task)}</code></div>')
                w("</div>")
        if passing:
            w(f"<details><summary>{_t('合格したテスト', 'Passing tests')} ({len(passing)})</summary><ul class=\"passed\">")
            for t in passing:
                w(f"<li>✓ {html.escape(t['name'])}</li>")
            w("</ul></details>")
        if name in figures:
            student, reference = figures[name]
            w(f"<h3>{_t('図', 'Figure')}: <code>{html.escape(figure_call(name))}</code></h3>")
            wide = any(_aspect(img.png) > 1.8 for img in (student, reference) if img.png)
            w(f'<div class="figs{" wide" if wide else ""}">')
            w(f'<figure><figcaption>{_t("あなたの図", "Your figure")}</figcaption>{_img(student, "student figure")}</figure>')
            w(f'<figure><figcaption>{_t("参考解答の図", "Reference figure")}</figcaption>'
              f'{_img(reference, "reference figure")}</figure>')
            w("</div>")
        w("</section>")
    if not summaries:
        w(f"<p>{_t('採点されたテストがありません。', 'no graded tests.')}</p>")
    w("</main>")
    w(f"<footer>{_t('このページは採点結果 JSON から作られています。', 'Made from the JSON score report.')} "
      f"{_t('図は同じ引数で呼んだあなたの関数と参考解答の関数の出力です。', 'Figures: your function and the reference function, called with the same arguments.')}"
      "</footer>")
    w("</body></html>")
    return finish_page(parts, _CSS)


def page_head(title: str) -> list[str]:
    """The lines of a page up to ``<body>``, in the language in force, titled ``title`` (HTML);
    the line at :data:`STYLE_AT` is left empty for :func:`finish_page`."""
    lang = get_language()
    return ["<!DOCTYPE html>", f'<html lang="{"en" if lang == "en" else "ja"}"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">', f"<title>{title}</title>",
            "", "</head><body>"]


#: Where :func:`page_head` leaves room for the style sheet.
STYLE_AT = 4


def finish_page(parts: list[str], css: str) -> str:
    """The page of ``parts`` (begun by :func:`page_head`) as one text, its style sheet ``css`` written
    last, with the font subset of the page's own characters (:func:`embedded_font_css`)."""
    font_face = embedded_font_css(page_characters("\n".join(parts), limit=MAX_EMBEDDED_CHARACTERS))
    parts[STYLE_AT] = f"<style>{font_face}{css}</style>"
    return "\n".join(parts) + "\n"


def html_page(document: dict[str, Any], *, submission: Any = None, reference: Path | None = None,
              generated_at: str | None = None, audience: str | None = None) -> str:
    """Draw the figures and return the report page as HTML text (see :func:`write_html` for the arguments)."""
    import datetime as _dt

    if generated_at is None:
        generated_at = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()
    figures = collect_figures(document, submission, reference)
    return render_html(document, figures, generated_at=generated_at, audience=audience)


def write_html(path: Path, document: dict[str, Any], *, submission: Any = None, reference: Path | None = None,
               generated_at: str | None = None, audience: str | None = None) -> Path:
    """Draw the figures and write the report to ``path`` (atomically).

    Args:
        path: the HTML file to write (parent directories are created).
        document: the results document.
        submission: see :func:`collect_figures`.
        reference: the reference solutions' directory (missing: stored PNGs are used).
        generated_at: the header's timestamp (default: now, UTC).
        audience: who reads the page (see :func:`render_html`).

    Returns:
        ``path``.
    """
    import os

    text = html_page(document, submission=submission, reference=reference, generated_at=generated_at,
                     audience=audience)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path
