"""The student's figure on their HTML page, rendered in the worker (both ends of isolated mode).

``batch --pages`` and ``workbook report --html`` of an isolated report show the figure a student's
figure function returns. Rendering is work the submission chooses (a figure of a few wide lines of
many points kept Agg busy ~25 s a line: red team round 10), so it happens in the sandboxed worker,
under its limits and the page's time limit (:func:`autograder.results.figures.draw_isolated`); the
grader receives PNG bytes and checks them (:data:`PNG_SIGNATURE`, :data:`MAX_PNG_BYTES`). This module
imports nothing of the grader's trusted side: the worker imports it.
"""

from __future__ import annotations

import io
import sys
import warnings
from typing import Any

#: What a PNG file starts with, and the largest one the worker may send for the HTML page (the
#: chapter's figures take 20-60 KB at the page's resolution).
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_PNG_BYTES = 8 * 2**20


def png_of(fig: Any, *, dpi: float) -> tuple[bytes, list[str]]:
    """Render a ``matplotlib.figure.Figure`` to PNG (white background).

    Returns:
        (PNG bytes, the distinct messages of warnings raised while drawing, at most 20 of 500
        characters; a glyph missing from the font shows up here).

    Raises:
        Exception: whatever matplotlib raises for a figure it cannot draw.
    """
    buf = io.BytesIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    found: list[str] = []
    for item in caught[:1000]:
        text = str(item.message)[:500]
        if "non-interactive" not in text and text not in found and len(found) < 20:
            found.append(text)
    return buf.getvalue(), found


def render_png(value: Any, dpi: Any) -> dict:
    """The picture of a figure function's return value for the student's HTML page (``batch --pages``,
    ``workbook report --html`` of an isolated report), drawn here, under the worker's limits: rendering is
    work the submission chooses (a figure of a few lines can take Agg minutes), so the grader never
    renders the student's figure itself (red team round 10). Every pyplot figure is closed afterwards.

    Returns:
        ``{"png": PNG bytes, "warnings": [messages]}`` for a ``matplotlib.figure.Figure``, else
        ``{"type": the returned value's type name}``.
    """
    from matplotlib.figure import Figure

    try:
        if not isinstance(value, Figure):
            return {"type": str(type(value).__name__)[:200]}
        png, found = png_of(value, dpi=float(dpi))
        return {"png": png, "warnings": found}
    finally:
        plt = sys.modules.get("matplotlib.pyplot")
        if plt is not None:
            plt.close("all")


class NotAPicture(Exception):
    """What the worker sent for the page is not a PNG image of at most :data:`MAX_PNG_BYTES`."""


def checked_reply(reply: Any) -> tuple[bytes | None, str, list[str]]:
    """The grader's reading of a :func:`render_png` reply: (PNG bytes, "", warnings raised while
    rendering) for a figure, (None, the returned value's type name, []) for anything else.

    Raises:
        NotAPicture: the reply is not a description, or its image not a PNG of at most :data:`MAX_PNG_BYTES`.
    """
    if not isinstance(reply, dict):
        raise NotAPicture("the worker's answer to a figure request is not a description")
    png = reply.get("png")
    if png is None:
        returned = reply.get("type")
        return None, returned if isinstance(returned, str) else "?", []
    if type(png) is not bytes or not png.startswith(PNG_SIGNATURE) or len(png) > MAX_PNG_BYTES:
        raise NotAPicture(f"the worker's figure is not a PNG image (or larger than {MAX_PNG_BYTES // 2**20} MiB)")
    found = reply.get("warnings")
    return png, "", [w for w in found if type(w) is str][:20] if type(found) is list else []
