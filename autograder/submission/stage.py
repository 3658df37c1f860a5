"""The isolated worker's copy of a submission (made once, before any of its code runs): regular
files and folders copied, links inside the submission followed, links that lead outside replaced
by a link to nowhere, bounded in files and bytes.
"""

from __future__ import annotations

import os
import shutil
import stat
import unicodedata
from pathlib import Path

from .exercisefiles import OUTSIDE_LINK
from .remote import MAX_STAGE_BYTES, MAX_STAGE_FILES


_SKIPPED_NAMES = frozenset({"__pycache__", ".git"})


def stage_copy(source: Path, dest: Path) -> list[str]:
    """Copy submission ``source`` to ``dest`` for the worker, as the grader sees it; returns notes.

    The worker's copy lives at another path (and, as root, in a file system of its own), so a
    symbolic link is replaced by what it leads to when that is inside the submission (an
    absolute link ``ex5_backprop.py -> /path/to/submission/src/ex5_backprop.py`` is honest and
    must work), and by a link to nowhere (:data:`OUTSIDE_LINK`) when it leads outside the
    submission or nowhere: the grader never copies, and the worker never reads, a file outside
    the submission (a link to ``solutions/``). FIFOs, devices and sockets, ``__pycache__``,
    ``.git`` and ``*.pyc`` are left out; at most :data:`MAX_STAGE_FILES` files and
    :data:`MAX_STAGE_BYTES` bytes are copied (links to folders count what they lead to, so a
    link loop ends there too). Files are read-only for everyone but the grader. A name spelled in
    Unicode NFD (a file made on a Mac: ``données.csv`` as ``donne\u0301es.csv``) is also found under its
    NFC spelling, the one code typed anywhere holds: macOS finds either, Linux only the bytes given
    (red team round 12: a Mac student's data file was "not found", 0 points).

    Raises:
        OSError: ``dest`` cannot be written.
    """
    real_root = source.resolve()
    notes: list[str] = []
    budget = {"files": MAX_STAGE_FILES, "bytes": MAX_STAGE_BYTES}

    def copy_dir(src: Path, dst: Path, depth: int) -> None:
        os.mkdir(dst, 0o755)
        try:
            entries = sorted(os.scandir(src), key=lambda e: e.name)
        except OSError:
            return
        names = {e.name for e in entries}
        for entry in entries:
            name = entry.name
            nfc = unicodedata.normalize("NFC", name)
            if nfc != name and nfc not in names and name not in _SKIPPED_NAMES:
                names.add(nfc)
                os.symlink(name, dst / nfc)  # a link to the copy beside it, inside the worker's copy
            if name in _SKIPPED_NAMES or name.endswith(".pyc"):
                continue
            here, there = Path(entry.path), dst / name
            if entry.is_symlink():
                try:
                    target = here.resolve(strict=True)
                    inside = target == real_root or target.is_relative_to(real_root)
                except (OSError, RuntimeError):
                    target, inside = None, False
                if target is None or not inside or target == real_root:
                    os.symlink(OUTSIDE_LINK, there)
                    notes.append(f"{here.relative_to(source)}: a link that leads outside the submission (not copied)")
                    continue
                here = target
            try:
                mode = os.stat(here).st_mode
            except OSError:
                continue
            if stat.S_ISDIR(mode):
                if depth >= 16:
                    notes.append(f"{here.relative_to(real_root) if here.is_relative_to(real_root) else name}: "
                                 f"folders nested too deep (not copied)")
                    continue
                copy_dir(here, there, depth + 1)
            elif stat.S_ISREG(mode):
                size = os.stat(here).st_size
                if budget["files"] <= 0 or size > budget["bytes"]:
                    notes.append(f"{name}: the submission is larger than {MAX_STAGE_FILES} files or "
                                 f"{MAX_STAGE_BYTES >> 20} MiB (not copied)")
                    continue
                budget["files"] -= 1
                budget["bytes"] -= size
                shutil.copyfile(here, there)
                os.chmod(there, 0o444)

    copy_dir(source, dest, 0)
    return notes
