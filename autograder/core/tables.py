"""Text cells of the CSV files an instructor opens in a spreadsheet (gradebooks, item tables).

A student chooses the name of their folder or archive, so a student id such as
``=HYPERLINK("http://…")`` or ``@SUM(1)`` would be run as a formula when Excel, LibreOffice or
Google Sheets opens ``gradebook.csv`` ("CSV injection", OWASP). :func:`spreadsheet_text` makes
such a text cell start with ``'``, which spreadsheets show as text; the JSON files keep every value
as it was.
"""

from __future__ import annotations

from typing import Any

#: First characters that make a spreadsheet read a cell as a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def spreadsheet_text(value: Any) -> Any:
    """``value`` as a CSV cell that a spreadsheet never runs as a formula.

    Args:
        value: a cell. Numbers (``int``, ``float``; scores are never text) and ``None`` are returned
            unchanged; a ``str`` starting with one of :data:`FORMULA_STARTS` gets a leading ``'``.

    Returns:
        The cell to write (``"=1+1"`` → ``"'=1+1"``, ``"山田"`` → ``"山田"``, ``-0.5`` → ``-0.5``).
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
