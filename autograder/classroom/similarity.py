"""Code similarity across a class: pairs of submissions, per exercise, for a human to look at.

The code of each exercise as it was graded (a notebook converted, the workbook found inside a zip:
:func:`autograder.classroom.intake.prepare`) is fingerprinted with copydetect (winnowing over
pygments tokens with names normalised and comments dropped, so renaming variables or
reformatting changes nothing), with the code the stub gives every student (signatures,
docstrings, hints) removed as boilerplate. Two submissions are flagged for an exercise when each
one's own code is mostly shared with the other (both similarity ratios at least ``threshold``) and
they share at least ``min_shared`` characters of it in copydetect's normalised form (names
become ``V``/``F``, literals kept, spaces and comments dropped: ``return a @ b`` is ``returnV@V``) (short answers, which honest students write alike,
are not flagged). The report only flags: it never changes a score.

Outputs (written by :mod:`autograder.classroom.batch` with ``--similarity``): ``OUT/similarity.json``
and ``OUT/similarity.html`` (each flagged pair's two codes side by side, the shared parts marked).
"""

from __future__ import annotations

import contextlib
import html
import io
import logging
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from .. import EXERCISES
from ..results.htmlreport import finish_page, page_head
from ..results.report import write_json
from .content import materialise, read_submission
from .intake import Job, discover, prepare
from .stubs import pristine_stub

#: copydetect's noise threshold (characters of normalised code per k-gram) and winnowing window: its defaults.
NOISE_K = 25
WINDOW = 1
#: Default flagging rule (see the module docstring).
THRESHOLD = 0.8
MIN_SHARED = 150
#: Pairs whose fingerprints overlap less than ``PREFILTER * threshold`` of the smaller set are not
#: compared exactly (a copy shares nearly all of them; the margin keeps every flagged pair).
PREFILTER = 0.5


@dataclass(frozen=True)
class Pair:
    """Two submissions whose code for ``exercise`` is unusually similar.

    Attributes:
        exercise: the exercise's name.
        students: the two student ids, in class order.
        similarity: for each student, the share (0..1) of their own (normalised) code found in the other's.
        shared: how many characters of the first one's own code, in copydetect's normalised form, the
            second one shares.
        slices: for each student, the ``(start, end)`` character spans of their code that are shared.
    """

    exercise: str
    students: tuple[str, str]
    similarity: tuple[float, float]
    shared: int
    slices: tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]

    def to_data(self) -> dict[str, Any]:
        return {"exercise": self.exercise, "students": list(self.students),
                "similarity": [round(s, 3) for s in self.similarity], "shared": self.shared}


def _fingerprint(code: str, boilerplate: Iterable[int] = ()) -> Any:
    from copydetect import CodeFingerprint

    # copydetect logs a warning for code too short to fingerprint; that is an answer, not a problem
    logging.getLogger().disabled, previous = True, logging.getLogger().disabled
    try:
        return CodeFingerprint("code.py", NOISE_K, WINDOW, boilerplate=list(boilerplate),
                               language="python", fp=io.StringIO(code))
    finally:
        logging.getLogger().disabled = previous


def pristine_stubs(exercises: Iterable[str] = EXERCISES) -> dict[str, str]:
    """The code every student was given, per exercise (:func:`.stubs.pristine_stub`); an exercise
    with no stub is left out (nothing is then removed as boilerplate)."""
    found = {name: pristine_stub(name) for name in exercises}
    return {name: text for name, text in found.items() if text is not None}


def graded_code(job: Job) -> dict[str, str]:
    """The code of each exercise of ``job`` as the grader reads it (exercise -> source text);
    exercises missing or unreadable are left out, and a submission that cannot be read gives ``{}``."""
    content = read_submission(job)
    if content.problem:
        return {}
    scratch = Path(tempfile.mkdtemp(prefix="workbook-similarity-"))
    try:
        given, staging = materialise(content, scratch / "submission"), scratch / "staging"
        staging.mkdir()
        with contextlib.suppress(ValueError, OSError):
            prepared = prepare(Job(content.student, "dir", given, label=content.shown), staging)
            target = prepared.target
            code = {}
            for name in EXERCISES:
                path = target / f"{name}.py"
                if path.is_file() and not path.is_symlink() and name not in prepared.unconverted:
                    code[name] = path.read_text(encoding="utf-8", errors="replace")
            return code
        return {}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def similar_pairs(codes: dict[str, dict[str, str]], stubs: dict[str, str], *,
                  threshold: float = THRESHOLD, min_shared: int = MIN_SHARED) -> list[Pair]:
    """Flag pairs of students whose code for an exercise is unusually similar.

    Args:
        codes: student id -> exercise -> code (:func:`graded_code`).
        stubs: exercise -> the code given to everyone (:func:`pristine_stubs`), removed first.
        threshold: both students' similarity ratios must reach it (0..1).
        min_shared: least number of shared characters of the students' own code (normalised).

    Returns:
        The flagged pairs, per exercise in exercise order, most similar first.

    Raises:
        ValueError: ``threshold`` outside (0, 1] or ``min_shared`` negative.
    """
    from copydetect import compare_files

    if not 0 < threshold <= 1 or min_shared < 0:
        raise ValueError(f"threshold must be in (0, 1] and min_shared >= 0, got {threshold}, {min_shared}")
    pairs: list[Pair] = []
    for name in EXERCISES:
        boiler = _fingerprint(stubs[name]).hashes if name in stubs else ()
        prints = {s: _fingerprint(c[name], boiler) for s, c in codes.items() if c.get(name, "").strip()}
        found = []
        for a, b in _candidates(prints, threshold * PREFILTER):
            fa, fb = prints[a], prints[b]
            shared, (sa, sb), (slices_a, slices_b) = compare_files(fa, fb)
            if shared >= min_shared and min(sa, sb) >= threshold:
                found.append(Pair(name, (a, b), (float(sa), float(sb)), int(shared),
                                  (_spans(slices_a), _spans(slices_b))))
        pairs += sorted(found, key=lambda p: (-min(p.similarity), p.students))
    return pairs


def _candidates(prints: dict[str, Any], share: float) -> Iterator[tuple[str, str]]:
    """Pairs (in class order) whose fingerprints overlap in at least ``share`` of the smaller
    set: a sparse students x fingerprints matrix times its transpose counts every pair's shared
    fingerprints at once, so only these few pairs get copydetect's exact (and slower) comparison."""
    import numpy as np
    import scipy.sparse as sp

    names = [s for s, fp in prints.items() if len(fp.hashes)]
    if len(names) < 2:
        return
    sets = [np.unique(np.fromiter(prints[s].hashes, dtype=np.int64)) for s in names]
    every = np.concatenate(sets)
    vocab, columns = np.unique(every, return_inverse=True)
    rows = np.repeat(np.arange(len(names)), [len(s) for s in sets])
    matrix = sp.csr_matrix((np.ones(len(every), dtype=np.int32), (rows, columns)), shape=(len(names), len(vocab)))
    counts = sp.triu(matrix @ matrix.T, k=1).tocoo()
    sizes = [len(s) for s in sets]
    for i, j, common in sorted(zip(counts.row.tolist(), counts.col.tolist(), counts.data.tolist())):
        if common >= share * min(sizes[i], sizes[j]):
            yield names[i], names[j]


def _spans(slices: Any) -> tuple[tuple[int, int], ...]:
    if len(slices) == 0 or len(slices[0]) == 0:
        return ()
    return tuple((int(s), int(e)) for s, e in zip(slices[0], slices[1]))


def _marked(code: str, spans: Iterable[tuple[int, int]]) -> str:
    """``code`` as HTML, the shared spans in ``<mark>``."""
    out, at = [], 0
    for start, end in sorted(spans):
        start = max(start, at)
        if end <= start:
            continue
        out += [html.escape(code[at:start]), "<mark>", html.escape(code[start:end]), "</mark>"]
        at = end
    out.append(html.escape(code[at:]))
    return "".join(out)


def _sections(pairs: list[Pair], codes: dict[str, dict[str, str]]) -> Iterator[str]:
    for pair in pairs:
        a, b = pair.students
        sa, sb = (f"{100 * s:.0f}%" for s in pair.similarity)
        yield (f'<section><h2>{html.escape(pair.exercise)}: {html.escape(a)} ↔ {html.escape(b)}</h2>'
               f'<p>共有部分 (正規化後の文字数) / shared (characters, normalised): {pair.shared}; {html.escape(a)} のコードの {sa} / {sa} of '
               f'{html.escape(a)}\'s code, {html.escape(b)} のコードの {sb} / {sb} of {html.escape(b)}\'s code</p>'
               '<div class="side">'
               f'<div><h3>{html.escape(a)}</h3><pre>{_marked(codes[a][pair.exercise], pair.slices[0])}</pre></div>'
               f'<div><h3>{html.escape(b)}</h3><pre>{_marked(codes[b][pair.exercise], pair.slices[1])}</pre></div>'
               '</div></section>')


def html_page(pairs: list[Pair], codes: dict[str, dict[str, str]], *, threshold: float, min_shared: int) -> str:
    """The similarity report: one self-contained HTML page, both languages, every text escaped."""
    intro = (f"<p>各演習について、配布コード (スタブ) を除いた自分のコードの {100 * threshold:.0f}% 以上を互いに"
             f"共有し、共有部分が (名前を V/F に置き換え空白とコメントを除いた形で) {min_shared} 文字以上ある提出物の組です。変数名の変更や書式の違いは同じと"
             "みなします。これは人が確かめるための一覧で、点数は変わりません。</p>"
             f"<p>Pairs of submissions that share, for an exercise, at least {100 * threshold:.0f}% of each one's own "
             f"code (the code given in the stub left out), at least {min_shared} characters of it once names become V/F "
             "and spaces and comments are dropped; renamed variables "
             "and formatting count as the same. It is a list for a person to look at: no score changes.</p>")
    body = "".join(_sections(pairs, codes)) or "<p>該当する組はありません。/ No pair was flagged.</p>"
    # the HTML report's head and its embedded Japanese font subset: no tofu where no Japanese font is installed
    parts = page_head("コードの類似 / Code similarity")
    parts.append(f"<h1>コードの類似 / Code similarity</h1>{intro}{body}</body></html>")
    return finish_page(parts, _CSS)


_CSS = ('body{font-family:"Hiragino Sans","Noto Sans CJK JP","IPAexGothic","Yu Gothic","Meiryo",sans-serif,'
        '"Workbook IPAexGothic";margin:1.5em;max-width:110em}'
        ".side{display:grid;grid-template-columns:1fr 1fr;gap:1em}"
        "pre{background:#f6f8fa;padding:.6em;overflow:auto;font-size:12px;white-space:pre-wrap;"
        'font-family:ui-monospace,"Noto Sans Mono CJK JP",monospace,"Workbook IPAexGothic"}'
        "mark{background:#ffe08a}section{border-top:1px solid #ccc;margin-top:1.5em}")


def report_data(pairs: list[Pair], students: int, *, threshold: float, min_shared: int) -> dict[str, Any]:
    """``similarity.json``: the rule used and the flagged pairs (without the code)."""
    return {"threshold": threshold, "min_shared": min_shared, "students": students,
            "tool": "copydetect", "noise_k": NOISE_K, "window": WINDOW,
            "pairs": [p.to_data() for p in pairs]}


def write_similarity(submissions: Path, out: Path, *, threshold: float = THRESHOLD,
                     min_shared: int = MIN_SHARED) -> list[Pair]:
    """Compare the code of every submission in ``submissions`` (found as the batch finds them;
    ``out`` excluded) and write ``out/similarity.json`` and ``out/similarity.html``.

    Submissions that cannot be read, or share their student id with another, are left out (the
    gradebook already lists them as errors). Scores and reports are not touched.

    Returns:
        The flagged pairs (:func:`similar_pairs`).

    Raises:
        ValueError: a bad ``threshold`` or ``min_shared``.
        OSError: ``out`` cannot be written.
    """
    jobs = [job for job in discover(submissions, exclude=(out,)) if not job.problem]
    codes = {job.student: graded_code(job) for job in jobs}
    pairs = similar_pairs(codes, pristine_stubs(), threshold=threshold, min_shared=min_shared)
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "similarity.json", report_data(pairs, len(codes), threshold=threshold, min_shared=min_shared))
    page = out / "similarity.html"
    tmp = page.with_name(f".{page.name}.tmp")
    tmp.write_text(html_page(pairs, codes, threshold=threshold, min_shared=min_shared), encoding="utf-8")
    tmp.replace(page)
    return pairs
