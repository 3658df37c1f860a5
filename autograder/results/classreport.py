"""The class report: ``OUT/class.html`` and ``OUT/items.csv``, made from what a batch wrote.

After a batch (:mod:`autograder.classroom.batch`) the coordinator writes both files; ``workbook-batch
--class-report OUT`` makes them again from ``OUT/gradebook.json`` and ``OUT/reports/*.json``
without grading anyone. The page is for the instructor: it shows hidden tests' messages, which
students never see, and says so at the top. It is one self-contained file (CSS inline,
histograms as base64 PNG drawn with Matplotlib and the Japanese font of
:mod:`autograder.results.figures`, the page's Japanese text in an embedded font subset as in
:mod:`autograder.results.htmlreport`), in the language in force (:mod:`autograder.core.i18n`).

It shows: the score distribution per exercise and in total, the pass rate per task and per test,
the most frequent failure messages per task (grouped by
:func:`autograder.results.classstats.message_pattern`: first line, numbers masked) with how
many students hit each, tests that ran past their time limit, "from scratch" rule violations,
students whose grading failed (no score: empty, never 0) and a table of every student with links
to their report (``reports/<stem>.json``) and page (``pages/<stem>.html``, when ``--pages`` made it).
Everything taken from submissions (student ids, messages) is escaped.
"""

from __future__ import annotations

import base64
import html
import json
import urllib.parse
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from .. import __version__
from ..core.i18n import bilingual, get_language
from .classstats import ClassStats, Group, class_stats, items_csv
from .figures import figure_png, setup_matplotlib
from .htmlreport import _CSS, finish_page, page_head
from .report import OUTCOME_LABELS

#: Failure message groups shown per task (the others are counted).
TOP_MESSAGES = 5
#: Timed-out tests listed (the others are counted).
MAX_ROWS = 200

_CLASS_CSS = """
.note { border: 1px solid #d4a72c; background: #fff8c5; border-radius: 6px; padding: 8px 12px; margin: 12px 0;
  font-size: 14px; }
.hists { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 12px; margin-top: 8px; }
.rate { display: inline-block; width: 120px; height: 10px; border-radius: 5px; background: #e6e9ed; overflow: hidden;
  vertical-align: middle; }
.rate > span { display: block; height: 100%; background: var(--ok); }
td.msg { max-width: 720px; word-break: break-word; font-size: 13px; }
td.msg code { white-space: pre-wrap; }
.students td, .students th { font-size: 13px; padding-right: 10px; word-break: keep-all; }
.students th { vertical-align: bottom; }
.students td.num { white-space: nowrap; }
section { overflow-x: auto; }  /* a wide table (many exercises, long names) scrolls in its section, not the page */
.empty { color: #8c959f; }
"""


def _t(ja: str, en: str) -> str:
    return html.escape(bilingual(ja, en, sep=" / "))


def _e(text: Any) -> str:
    return html.escape(str(text))


def _fmt(x: float) -> str:
    return f"{x:g}"


def _pct(num: int, den: int) -> str:
    return f"{100 * num / den:.0f}%" if den else "—"


def _rate(num: int, den: int) -> str:
    frac = num / den if den else 0.0
    return (f'<span class="rate"><span style="width:{100 * frac:.1f}%"></span></span> '
            f"{_pct(num, den)} ({num}/{den})")


def histogram_png(scores: list[float], max_score: float, title: str) -> bytes:
    """A histogram of ``scores`` (points from 0 to ``max_score``) as PNG bytes.

    One bar per point when ``max_score`` is at most 20 (scores are whole points there), else 10
    bins. Axis labels are in the language in force; ``title`` is drawn as given.

    Raises:
        Exception: whatever Matplotlib raises for a figure it cannot draw.
    """
    setup_matplotlib()
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4.0, 2.6))
    ax = fig.subplots()
    top = max(max_score, max(scores, default=0.0), 1.0)
    if top <= 20:
        bins = [x - 0.5 for x in range(int(top) + 2)]
    else:
        bins = [top * k / 10 for k in range(11)]
    ax.hist(scores, bins=bins, color="#1a7f37", edgecolor="white")
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(bilingual("得点", "points", sep=" / "), fontsize=9)
    ax.set_ylabel(bilingual("人数", "students", sep=" / "), fontsize=9)
    ax.yaxis.get_major_locator().set_params(integer=True)
    if top <= 20:
        ax.xaxis.get_major_locator().set_params(integer=True)
    ax.tick_params(labelsize=8)
    fig.tight_layout()
    png, _ = figure_png(fig, dpi=80)
    return png


def _img(png: bytes, alt: str) -> str:
    return f'<img alt="{_e(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}">'


def _href(path: str) -> str:
    """A relative link to ``path`` (a file under OUT) as an attribute value."""
    return _e(urllib.parse.quote(path))


def page_of(report: str) -> str:
    """The student's page that goes with a report path: ``reports/x.json`` → ``pages/x.html``."""
    return str(PurePosixPath("pages") / (PurePosixPath(report).stem + ".html"))


def _groups_table(groups: list[Group], graded: int, w) -> None:
    w(f'<table><tr><th>{_t("人数", "students")}</th><th>{_t("メッセージ (数字は #)", "message (numbers as #)")}</th>'
      f'<th>{_t("学生", "students")}</th></tr>')
    for g in groups[:TOP_MESSAGES]:
        who = ", ".join(g.students[:8]) + (" …" if len(g.students) > 8 else "")
        example = f'<br><span class="meta">{_t("例", "e.g.")}: <code>{_e(g.example)}</code></span>' \
            if g.example != g.pattern else ""
        tags = "".join(f'<span class="tag">{_t(*OUTCOME_LABELS[o])}</span>' for o in g.outcomes
                       if o != "failed" and o in OUTCOME_LABELS)
        w(f'<tr><td class="num">{len(g.students)} ({_pct(len(g.students), graded)})</td>'
          f'<td class="msg"><code>{_e(g.pattern) or _t("(メッセージなし)", "(no message)")}</code>{tags}'
          + (f'<br><code>{_e(g.english)}</code>' if g.english and get_language() != "ja" else "") + f'{example}'
          f'<br><span class="meta">{_t("テスト", "tests")}: {_e(", ".join(t.split("::")[-1] for t in g.tests))}'
          f'</span></td><td class="msg">{_e(who)}</td></tr>')
    if len(groups) > TOP_MESSAGES:
        rest = len(groups) - TOP_MESSAGES
        w(f'<tr><td colspan="3" class="meta">{_t(f"ほかに {rest} 種類のメッセージ", f"{rest} other message" + ("" if rest == 1 else "s"))}</td></tr>')
    w("</table>")


def _histograms(stats: ClassStats, w) -> None:
    w(f'<section id="scores"><h2>{_t("得点分布", "Score distribution")}</h2>')
    graded = len(stats.totals)
    if not graded:
        w(f'<p>{_t("採点できた学生がいません。", "no student was graded.")}</p></section>')
        return
    mean = sum(stats.totals) / graded
    w(f'<div class="meta">{_t("採点できた学生", "students graded")}: {graded} · {_t("平均", "mean")} '
      f'{mean:.1f} / {_fmt(stats.total_max)}</div><div class="hists">')
    panels = [(bilingual("合計", "total", sep=" / "), stats.totals, stats.total_max)]
    panels += [(ex, stats.exercise_scores[ex], stats.exercise_max[ex]) for ex in stats.exercises]
    for title, scores, top in panels:
        w(f"<figure>{_img(histogram_png(scores, top, title), title)}</figure>")
    w("</div></section>")


def _pass_rates(stats: ClassStats, w) -> None:
    w(f'<section id="tasks"><h2>{_t("課題ごとの合格率", "Pass rate per task")}</h2>')
    w(f'<div class="meta">{_t("合格: その課題のテストにすべて合格した学生", "passed: every test of the task passed")}</div>')
    w(f'<table><tr><th>{_t("課題", "task")}</th><th>{_t("合格率", "pass rate")}</th>'
      f'<th>{_t("平均点", "mean points")}</th></tr>')
    for t in stats.tasks:
        mean = sum(t.points) / len(t.points) if t.points else 0.0
        w(f'<tr><td><code>{_e(t.exercise)} › {_e(t.task)}</code></td><td>{_rate(t.passed, t.students)}</td>'
          f'<td class="num">{mean:.2f} / {_fmt(t.max_score)}</td></tr>')
    w("</table>")
    w(f'<details><summary>{_t("テストごとの合格率", "Pass rate per test")} ({len(stats.columns)})</summary>')
    w(f'<table><tr><th>{_t("テスト", "test")}</th><th>{_t("点", "points")}</th><th>{_t("合格率", "pass rate")}</th></tr>')
    for c in stats.columns:
        w(f'<tr><td><code>{_e(c.exercise)} › {_e(c.task)} › {_e(c.name.split(": ", 1)[0])}</code></td>'
          f'<td class="num">{_fmt(c.max_score)}</td><td>{_rate(stats.test_passed[c.key], stats.test_graded[c.key])}</td></tr>')
    w("</table></details></section>")


def _failures(stats: ClassStats, w) -> None:
    w(f'<section id="failures"><h2>{_t("よくある失敗メッセージ", "Most frequent failure messages")}</h2>')
    how = _t("課題ごとに、メッセージの最初の行 (数字を # に置き換えたもの) でまとめ、その失敗をした学生の人数を数えています。",
             "Per task, messages are grouped by their first line with every number replaced by #; "
             "the count is of students who hit it.")
    w(f'<div class="meta">{how}</div>')
    if not stats.failures:
        w(f'<p>{_t("失敗したテストはありません。", "no test failed.")}</p>')
    graded = len(stats.totals)
    for (exercise, task), groups in stats.failures.items():
        w(f"<h3><code>{_e(exercise)} › {_e(task)}</code></h3>")
        _groups_table(groups, graded, w)
    w("</section>")


def _misconceptions(stats: ClassStats, w) -> None:
    w(f'<section id="misconceptions"><h2>{_t("誤解の診断", "Misconceptions")}</h2>')
    how = _t("不合格のテストが、学生の値を既知の誤解 (本文の誤りなど) の値と一致すると判定した件数です。",
             "How many students' failed tests found their value equal to what a known mistake (often the "
             "chapter's own) gives.")
    w(f'<div class="meta">{how}</div>')
    if not stats.misconceptions:
        w(f'<p>{_t("誤解と判定された失敗はありません。", "no failure was recognised as a known misconception.")}</p></section>')
        return
    graded = len(stats.totals)
    w(f'<table><tr><th>{_t("課題", "task")}</th><th>{_t("人数", "students")}</th>'
      f'<th>{_t("誤解", "misconception")}</th><th>{_t("学生", "students")}</th></tr>')
    for (exercise, task), counts in stats.misconceptions.items():
        for m in counts:
            who = ", ".join(m.students[:8]) + (" …" if len(m.students) > 8 else "")
            w(f'<tr><td><code>{_e(exercise)} › {_e(task)}</code></td>'
              f'<td class="num">{len(m.students)} ({_pct(len(m.students), graded)})</td>'
              f'<td class="msg"><code>{_e(m.id)}</code><br>{_e(bilingual(m.ja, m.en, sep=" / "))}'
              f'<br><span class="meta">{_t("テスト", "tests")}: {_e(", ".join(t.split("::")[-1] for t in m.tests))}</span></td>'
              f'<td class="msg">{_e(who)}</td></tr>')
    w("</table></section>")


def _problems(stats: ClassStats, w) -> None:
    w(f'<section id="problems"><h2>{_t("時間切れ・採点エラー・ルール違反", "Timeouts, grading errors, rule violations")}</h2>')
    w(f'<h3>{_t("時間切れ", "Timeouts")} ({len(stats.timeouts)})</h3>')
    if stats.timeouts:
        w(f'<table><tr><th>{_t("学生", "student")}</th><th>{_t("テスト", "test")}</th></tr>')
        for student, key in stats.timeouts[:MAX_ROWS]:
            w(f"<tr><td>{_e(student)}</td><td><code>{_e(key)}</code></td></tr>")
        if len(stats.timeouts) > MAX_ROWS:
            rest = len(stats.timeouts) - MAX_ROWS
            w(f'<tr><td colspan="2" class="meta">{_t(f"ほかに {rest} 件 (items.csv と各学生のレポートにあります)", f"{rest} more (in items.csv and the reports)")}</td></tr>')
        w("</table>")
    else:
        w(f'<p class="empty">{_t("なし", "none")}</p>')
    w(f'<h3>{_t("採点できなかった学生 (得点は空欄、0 点ではありません)", "Grading failed (no score: empty, not 0)")}'
      f" ({len(stats.errors)})</h3>")
    if stats.errors:
        w(f'<table><tr><th>{_t("学生", "student")}</th><th>{_t("理由", "why")}</th><th></th></tr>')
        for i in stats.errors:
            row = stats.rows[i]
            why = (row.get("errors") or [bilingual("レポートを読めません", "report unreadable", sep=" / ")])[0]
            w(f'<tr><td>{_e(row.get("student", ""))}</td><td class="msg"><code>{_e(why)}</code></td>'
              f'<td><a href="{_href(str(row.get("report", "")))}">JSON</a></td></tr>')
        w("</table>")
    else:
        w(f'<p class="empty">{_t("なし", "none")}</p>')
    # graded, with problems in their files (a syntax error, a missing file: that exercise scores 0)
    flawed = [i for i, row in enumerate(stats.rows) if stats.graded[i] and row.get("errors")]
    w(f'<h3>{_t("採点したがファイルに問題のある学生 (その演習は 0 点)", "Graded, with problems in their files (those exercises score 0)")}'
      f" ({len(flawed)})</h3>")
    if flawed:
        w(f'<table><tr><th>{_t("学生", "student")}</th><th>{_t("問題", "problem")}</th><th></th></tr>')
        for i in flawed[:MAX_ROWS]:
            row = stats.rows[i]
            problems = [str(e) for e in row.get("errors") or []]
            more = _t(f" (ほかに {len(problems) - 1} 件)", f" ({len(problems) - 1} more)") if len(problems) > 1 else ""
            w(f'<tr><td>{_e(row.get("student", ""))}</td><td class="msg"><code>{_e(problems[0][:1500])}</code>{more}</td>'
              f'<td><a href="{_href(str(row.get("report", "")))}">JSON</a></td></tr>')
        w("</table>")
    else:
        w(f'<p class="empty">{_t("なし", "none")}</p>')
    count = len({s for groups in stats.violations.values() for g in groups for s in g.students})
    w(f'<h3>{_t("「自分で実装」ルール違反", "“From scratch” rule violations")} ({count})</h3>')
    if not stats.violations:
        w(f'<p class="empty">{_t("なし", "none")}</p>')
    for (exercise, task), groups in stats.violations.items():
        w(f"<h3><code>{_e(exercise)} › {_e(task)}</code></h3>")
        _groups_table(groups, len(stats.totals), w)
    w("</section>")


def _students(stats: ClassStats, pages: set[str], w) -> None:
    w(f'<section id="students"><h2>{_t("学生一覧", "Students")} ({len(stats.rows)})</h2>')
    head = "".join(f"<th>{_e(ex).replace('_', '_<wbr>')}</th>" for ex in stats.exercises)  # (may break after _)
    w(f'<table class="students"><tr><th>{_t("学生", "student")}</th><th>{_t("状態", "status")}</th>'
      f'<th>{_t("合計", "total")}</th>{head}<th>{_t("時間切れ", "timeouts")}</th>'
      f'<th>{_t("違反", "violations")}</th><th>{_t("レポート", "report")}</th></tr>')
    timeouts: dict[str, int] = {}
    for student, _ in stats.timeouts:
        timeouts[student] = timeouts.get(student, 0) + 1
    violators = {s for groups in stats.violations.values() for g in groups for s in g.students}
    for i, row in enumerate(stats.rows):
        graded = stats.graded[i]
        student, report = str(row.get("student", "")), str(row.get("report", ""))
        status = _t("採点済み", "graded") if graded else f'<span class="bad">{_t("エラー", "error")}</span>'
        score = f'{_fmt(float(row.get("score") or 0.0))} / {_fmt(float(row.get("max_score") or 0.0))}' if graded else ""
        exercises = row.get("exercises") or {}
        cells = "".join(f'<td class="num">{_fmt(float(exercises[ex])) if graded and ex in exercises else ""}</td>'
                        for ex in stats.exercises)
        links = f'<a href="{_href(report)}">JSON</a>'
        if page_of(report) in pages:
            links += f' · <a href="{_href(page_of(report))}">HTML</a>'
        w(f'<tr><td>{_e(student)}</td><td>{status}</td><td class="num">{score}</td>{cells}'
          f'<td class="num">{timeouts.get(student, "") if graded else ""}</td>'
          f'<td>{"✗" if student in violators else ""}</td><td>{links}</td></tr>')
    w("</table></section>")


def _similarity(data: dict[str, Any], w) -> None:
    """The pairs ``similarity.json`` flagged (:mod:`autograder.classroom.similarity`), linking to the
    page that shows their codes side by side."""
    pairs = [p for p in data.get("pairs", []) if isinstance(p, dict) and len(p.get("students", [])) == 2]
    w(f'<section id="similarity"><h2>{_t("コードの類似", "Code similarity")} ({len(pairs)})</h2>')
    share = data.get("threshold", "")
    intro = _t(f"配布コードを除いた自分のコードの {_e(share)} 以上を互いに共有する組です。点数は変わりません。",
               f"Pairs sharing at least {_e(share)} of each one’s own code (the stub left out); no score changes.")
    link = _t("で 2 つのコードを並べて見られます。", "shows the two codes side by side.")
    w(f'<p>{intro} <a href="similarity.html">similarity.html</a> {link}</p>')
    if not pairs:
        w(f"<p>{_t('該当する組はありません。', 'No pair was flagged.')}</p></section>")
        return
    w(f"<table><tr><th>{_t('演習', 'exercise')}</th><th>{_t('学生', 'students')}</th>"
      f"<th>{_t('共有の割合', 'shared')}</th></tr>")
    for p in pairs:
        a, b = p["students"]
        shares = " / ".join(f"{100 * float(s):.0f}%" for s in p.get("similarity", []))
        w(f"<tr><td>{_e(p.get('exercise', ''))}</td><td>{_e(a)} ↔ {_e(b)}</td><td>{_e(shares)}</td></tr>")
    w("</table></section>")


def render_class_html(stats: ClassStats, *, pages: set[str] = frozenset(), generated_at: str | None = None,
                      similarity: dict[str, Any] | None = None) -> str:
    """The class report page.

    Args:
        stats: the class (:func:`autograder.results.classstats.class_stats`).
        pages: the students' pages that exist, as paths relative to OUT (``pages/<stem>.html``).
        generated_at: a timestamp shown in the header (default: none).
        similarity: ``similarity.json`` of the batch when ``--similarity`` made it (its pairs are listed).

    Returns:
        The HTML text (self-contained: no external resource).
    """
    parts = page_head(_t("クラスの採点結果", "Class report"))
    w = parts.append
    w("<header>")
    w(f"<h1>{_t('Transformer の数学 演習ワークブック — クラスの採点結果', 'Transformer-math workbook — class report')}</h1>")
    meta = [f"{_t('学生', 'students')}: {len(stats.rows)}", f"{_t('採点できた', 'graded')}: {len(stats.totals)}",
            f"{_t('採点エラー', 'grading failed')}: {len(stats.errors)}"]
    if generated_at:
        meta.append(f"{_t('作成', 'generated')}: {_e(generated_at)}")
    meta.append(f"workbook {_e(__version__)}")
    w(f'<div class="meta">{" · ".join(meta)}</div></header>')
    nav = [("scores", _t("得点分布", "scores")), ("tasks", _t("合格率", "pass rates")),
           ("failures", _t("失敗メッセージ", "failures")), ("misconceptions", _t("誤解", "misconceptions")),
           ("problems", _t("時間切れ・エラー・違反", "timeouts, errors, violations")),
           ("students", _t("学生一覧", "students"))]
    if similarity is not None:
        nav.append(("similarity", _t("コードの類似", "similarity")))
    w("<nav>" + "".join(f'<a href="#{a}">{label}</a>' for a, label in nav) + "</nav><main>")
    note = _t("教員用です。学生には見せない非公開テストのメッセージも含みます。このページは学生に配らないでください。",
              "For the instructor: this page shows the messages of hidden tests, which students never see. "
              "Do not hand it out.")
    w(f'<div class="note">{note}</div>')
    _histograms(stats, w)
    _pass_rates(stats, w)
    _failures(stats, w)
    _misconceptions(stats, w)
    _problems(stats, w)
    _students(stats, pages, w)
    if similarity is not None:
        _similarity(similarity, w)
    w("</main>")
    w(f"<footer>{_t('gradebook.json と reports/*.json から作られています。', 'Made from gradebook.json and reports/*.json.')} "
      f"{_t('学生×テストの表は items.csv にあります。', 'The student × test table is items.csv.')}</footer>")
    w("</body></html>")
    return finish_page(parts, _CSS + _CLASS_CSS)


class ReportFiles(Mapping):
    """Each gradebook row's ``report`` path → its results document, read from disk each time it is
    asked for and not kept (``None`` when it cannot be read, is not a JSON object, or lies outside
    ``out``): the class report reads a class of any size one report at a time."""

    def __init__(self, out: Path, paths: list[str]) -> None:
        self.out, self.paths = out, dict.fromkeys(paths)

    def __getitem__(self, rel: str) -> dict[str, Any] | None:
        if rel not in self.paths:
            raise KeyError(rel)
        path = (self.out / rel).resolve()
        if not rel or not path.is_relative_to(self.out):
            return None
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return doc if isinstance(doc, dict) else None

    def __iter__(self) -> Iterator[str]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)


def read_class(out: Path) -> tuple[dict[str, Any], ReportFiles, set[str]]:
    """Read what a batch wrote into ``out``.

    Returns:
        (``gradebook.json``, each row's ``report`` path → its document or ``None`` when it cannot be
        read or lies outside ``out`` (a :class:`ReportFiles`: read when asked for), the students'
        pages that exist as paths relative to ``out``).

    Raises:
        FileNotFoundError: ``out/gradebook.json`` does not exist (no batch ran there).
        ValueError: it is not a gradebook (not JSON, or without ``students``).
    """
    out = Path(out).resolve()
    try:
        book = json.loads((out / "gradebook.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"{out / 'gradebook.json'} がありません (採点済みのフォルダを指定してください) / "
                                f"{out / 'gradebook.json'} does not exist: give a folder a batch graded into") from None
    if not isinstance(book, dict) or not isinstance(book.get("students"), list):
        raise ValueError(f"{out / 'gradebook.json'} is not a gradebook / 成績表ではありません")
    paths = [str(row.get("report", "")) if isinstance(row, dict) else "" for row in book["students"]]
    pages = {page_of(rel) for rel in paths
             if rel and (out / rel).resolve().is_relative_to(out) and (out / page_of(rel)).resolve().is_file()}
    return book, ReportFiles(out, paths), pages


def class_report_files(out: Path, *, generated_at: str | None = None) -> dict[str, str]:
    """The class report of the batch graded into ``out``: ``{"class.html": page, "items.csv": csv}``
    (the CSV with a byte order mark, like ``gradebook.csv``, so that Excel reads it as UTF-8).

    Raises:
        FileNotFoundError, ValueError: see :func:`read_class`.
    """
    book, reports, pages = read_class(out)
    stats = class_stats(book, reports)
    try:
        similarity = json.loads((Path(out) / "similarity.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        similarity = None
    if not isinstance(similarity, dict):
        similarity = None
    return {"class.html": render_class_html(stats, pages=pages, generated_at=generated_at, similarity=similarity),
            "items.csv": "\ufeff" + items_csv(stats)}
