"""An exercise file of a submission: reading it safely (a regular file of bounded size) and the
messages of what went wrong with it (missing, a link outside the submission, an import error).
:mod:`.loader` imports exercises with them; the isolated worker's copy marks links that lead
outside with :data:`OUTSIDE_LINK`.
"""

from __future__ import annotations

import difflib
import errno
import os
import re
import stat
import traceback
from pathlib import Path

from .. import EXERCISES
from ..core.i18n import bilingual


def error_summary(message: str) -> str:
    """One line for a load error (the score table and the report's ``errors``), in every language shown.

    A one-line message per language ("ja\\nen") is joined with " / "; an import error (a header and
    the error line per language) gives its error line, which names the exception, file and line.
    """
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if len(lines) == 2:
        return " / ".join(lines)
    return lines[-1] if lines else ""


#: Largest exercise file the grader reads (the reference solutions are ~10-20 kB).
MAX_SOURCE_BYTES = 512 * 1024


def read_regular_file(path: Path, limit: int = MAX_SOURCE_BYTES) -> bytes:
    """The bytes of ``path`` if it is a regular file (after symbolic links) of at most ``limit`` bytes.

    Raises:
        OSError: missing, not a regular file (a FIFO, a device, a directory), or larger than ``limit``;
            ``strerror`` says which.
    """
    # O_NONBLOCK: a FIFO does not block the open (POSIX only); O_BINARY: no newline translation
    # (Windows only)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file / 通常のファイルではありません", str(path))
        if info.st_size > limit:
            raise OSError(errno.EFBIG, f"larger than {limit // 1024} kB / {limit // 1024} kB を超えています", str(path))
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise OSError(errno.EFBIG, f"larger than {limit // 1024} kB / {limit // 1024} kB を超えています", str(path))
        return b"".join(chunks)
    finally:
        os.close(fd)


#: Target of the link that stands, in an isolated worker's copy, for a link that led outside the
#: submission (:func:`autograder.submission.stage.stage_copy`).
OUTSIDE_LINK = "/nonexistent/workbook-link-outside-the-submission"


def _link_target(path: Path) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return ""


def notebook_beside(folder: Path, name: str) -> Path | None:
    """Exercise ``name`` kept as a notebook in ``folder`` (``name.ipynb``, or nbgrader's ``name/name.ipynb``),
    never through a symbolic link; else None (the batch grader converts such a notebook)."""
    for nb in (folder / f"{name}.ipynb", folder / name / f"{name}.ipynb"):
        if nb.is_file() and not nb.is_symlink() and not (nb.parent != folder and nb.parent.is_symlink()):
            return nb
    return None


def misnamed_exercise_files(folder: Path) -> list[tuple[str, str]]:
    """(file, the exercise file name it is meant to be) for the ``.py``/``.ipynb`` files of ``folder``
    whose name is close to an exercise's (``ex1_vectors (1).ipynb``, ``ex1_vector.py``), at most 3."""
    try:
        names = sorted(p.name for p in folder.iterdir() if p.suffix in (".py", ".ipynb"))
    except OSError:
        return []
    found = []
    for name in names:
        stem, suffix = name.rsplit(".", 1)
        bare = re.sub(r"\s*\(\d+\)$|[-_ ]?copy$|\s+\d+$", "", stem.strip(), flags=re.IGNORECASE)
        near = difflib.get_close_matches(bare, EXERCISES, n=1, cutoff=0.85)
        if near and f"{near[0]}.{suffix}" != name:
            found.append((name, f"{near[0]}.{suffix}"))
    return found[:3]


def missing_message(path: Path) -> str:
    """Why exercise file ``path`` cannot be read, with a near-miss hint (``ex1_vector.py``?)."""
    if path.is_dir():
        why_ja, why_en = f"{path.name} はディレクトリです", f"{path.name} is a directory"
    elif path.is_symlink() and _link_target(path) == OUTSIDE_LINK:
        why_ja, why_en = (f"{path.name} は提出物の外を指すシンボリックリンクです (隔離採点では提出物の中のファイルだけを読みます)",
                          f"{path.name} is a symbolic link to a file outside the submission (isolated grading reads "
                          f"only files inside the submission)")
    elif path.is_symlink():
        why_ja, why_en = f"{path.name} はリンク切れのシンボリックリンクです", f"{path.name} is a broken symbolic link"
    else:
        why_ja, why_en = f"{path.name} が提出物にありません", f"{path.name} is missing from the submission"
        notebook = notebook_beside(path.parent, path.stem)
        if notebook is not None:  # graded as a notebook by the batch grader only (newcomer helper: 1 vs 6 points)
            shown = notebook.relative_to(path.parent).as_posix()
            why_ja += (f" ({shown} はありますが、pytest はノートブックを読みません。一括採点 `workbook-batch` は"
                       f"変換して採点します。ここで採点するには `python -m autograder.course to-py {shown} {path.name}`)")
            why_en += (f" ({shown} is there, but pytest does not read notebooks; the batch grader `workbook-batch` "
                       f"converts and grades it; to grade it here: `python -m autograder.course to-py {shown} {path.name}`)")
    try:
        # another exercise's file is not a misspelling of this one (renaming it would lose that exercise)
        taken = {f"{name}.py" for name in EXERCISES}
        others = [p.name for p in path.parent.iterdir() if p.suffix == ".py" and p.name not in taken]
    except OSError:
        others = []
    near = difflib.get_close_matches(path.name, others, n=2, cutoff=0.6)
    hint_ja = f" (もしかして {', '.join(near)} ? ファイル名を {path.name} にしてください)" if near else ""
    hint_en = f" (did you mean {', '.join(near)}? name it {path.name})" if near else ""
    return bilingual(f"{why_ja}。この演習は 0 点です{hint_ja}。", f"{why_en}; this exercise scores 0{hint_en}.")


def _format_import_error(exc: BaseException, path: Path) -> str:
    if isinstance(exc, SyntaxError):
        return f"  SyntaxError: {exc.msg} ({Path(exc.filename or path).name}, line {exc.lineno})"
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(path)]
    where = f" ({path.name}, line {frames[-1].lineno})" if frames else ""
    text = str(exc) if not isinstance(exc, SystemExit) else f"sys.exit({exc.code!r}) at import time"
    return f"  {type(exc).__name__}: {text}{where}"[:1000]


def import_error_message(exc: BaseException, path: Path) -> str:
    """The bilingual message of exercise file ``path`` that raised ``exc`` when imported (every test
    of the exercise fails with it); a notebook export's ``get_ipython()`` gets a hint."""
    ipython = isinstance(exc, NameError) and getattr(exc, "name", None) == "get_ipython"
    line = _format_import_error(exc, path)
    return bilingual(
        f"{path.name} を読み込めませんでした (import 時のエラー)。この演習のテストはすべて失敗します:\n{line}" + (
            " (ノートブックを書き出した .py に残った IPython の記法 (get_ipython()、%matplotlib など) は "
            "Python では動きません。その行を消すか、.ipynb のまま提出してください)" if ipython else ""),
        f"{path.name} could not be imported; every test of this exercise fails:\n{line}" + (
            " (IPython syntax a notebook export kept, get_ipython() or %matplotlib, does not run in "
            "Python: delete those lines, or hand in the .ipynb)" if ipython else ""),
    )
