"""Which files make a submission, and reading a zip of them safely.

The rules the batch grader applies to every submission, folder or zip alike: ``.py`` and
``.ipynb`` files are kept (:func:`kept_file`), never from hidden or junk folders
(:data:`JUNK_DIRS`, :func:`skipped_dir`) or Python environments (:func:`is_env`), at most
:data:`MAX_ZIP_FILES` files and :data:`MAX_ZIP_BYTES` bytes (more is refused); other files next to
them (data a student's code reads, :func:`data_file`) are kept too, up to :data:`MAX_DATA_FILES`
files and :data:`MAX_DATA_BYTES` bytes, the rest left out with a note: the same submission graded
with ``--isolated`` reads its data files, and so must the batch. :func:`zip_members` reads a zip with
these rules into memory, refusing unsafe archives. Used by :mod:`autograder.classroom.intake`
(a submission made ready for grading) and :mod:`autograder.classroom.content` (its content read
into memory); messages for the instructor are in both languages (:func:`both_languages`).
"""

from __future__ import annotations

import os
import re
import stat
import zipfile
from pathlib import Path

#: What a submission is made of: only these files are read from a zip (or copied from a folder).
KEPT_SUFFIXES = (".py", ".ipynb")
#: Folders that never hold a workbook: caches, package folders, macOS metadata. Hidden folders
#: (``.git``, ``.venv``, ``.ipynb_checkpoints``, ``.idea``...) and metadata files (:func:`junk_file`)
#: are skipped too.
JUNK_DIRS = frozenset({"__pycache__", "__MACOSX", "node_modules", "site-packages", "dist-packages", "venv"})
#: A folder holding one of these is a Python environment, whatever its name: skipped whole.
ENV_MARKERS = ("pyvenv.cfg", "conda-meta")
#: Limits of what is KEPT from one zip (or copied from one folder): number of files, bytes.
MAX_ZIP_FILES = 200
MAX_ZIP_BYTES = 50 * 1024 * 1024
#: Limits of the other files kept (:func:`data_file`): beyond them a file is left out, with a note.
MAX_DATA_FILES = 50
MAX_DATA_BYTES = 8 * 1024 * 1024
#: Entries a zip may list at all (the ignored ones are listed, never extracted).
MAX_ZIP_ENTRIES = 100_000
def both_languages(ja: str, en: str) -> str:
    """An instructor-facing message in Japanese and English, whatever the language setting."""
    return f"{ja} / {en}"


def path_text(name: str | Path) -> str:
    """A file name or path as text: a component whose bytes are not UTF-8 (a Shift_JIS name
    unpacked on Linux) is read as Shift_JIS (cp932) when it can be, else shown with ``\\xNN``."""
    parts = []
    for part in str(name).split("/"):
        try:
            part.encode("utf-8")
        except UnicodeEncodeError:
            raw = os.fsencode(part)
            try:
                part = raw.decode("cp932")
            except UnicodeDecodeError:
                part = raw.decode("utf-8", errors="backslashreplace")
        parts.append(part)
    return "/".join(parts)


def skipped_dir(name: str) -> bool:
    return name.startswith(".") or name in JUNK_DIRS


def kept_file(name: str) -> bool:
    """A file of this name can be part of a workbook (``.py``, ``.ipynb``, not hidden)."""
    return not name.startswith(".") and name.lower().endswith(KEPT_SUFFIXES)


#: Compiled code is never data: bytecode, and native libraries (a Python extension module next to the
#: exercises would be imported as the submission's code and run where no check can see it).
NOT_DATA = (".pyc", ".pyo", ".so", ".pyd", ".dll", ".dylib")


def junk_file(name: str) -> bool:
    """A file of this name is an operating system's metadata, never a submission's (macOS ``.DS_Store``,
    ``._*`` resource forks, Windows ``Thumbs.db`` / ``desktop.ini``)."""
    return name in (".DS_Store", "Thumbs.db", "desktop.ini") or name.startswith("._")


def data_file(name: str) -> bool:
    """A file of this name is data next to a workbook (not code, not compiled code, no metadata).

    A hidden file (``.settings.json``) is data too: the code reads it in local and ``--isolated``
    mode, so the batch keeps it (red team round 8: a student's code reading one scored 20 with
    ``--isolated`` and 0 in the batch, which had left it out without a note)."""
    lower = name.lower()
    return not junk_file(name) and not kept_file(name) and not lower.endswith(NOT_DATA) and ".so." not in lower


class DataBudget:
    """What is left of :data:`MAX_DATA_FILES` / :data:`MAX_DATA_BYTES` for one submission; the
    files left out are listed in :meth:`note`."""

    def __init__(self) -> None:
        self.files, self.bytes, self.left_out = MAX_DATA_FILES, MAX_DATA_BYTES, []

    def take(self, name: str, size: int) -> bool:
        """Whether the data file ``name`` of ``size`` bytes is kept (and counted)."""
        if self.files <= 0 or size > self.bytes:
            self.left_out.append(name)
            return False
        self.files, self.bytes = self.files - 1, self.bytes - size
        return True

    def note(self, label: str) -> str | None:
        """The bilingual note of the files left out, or None."""
        if not self.left_out:
            return None
        shown = ", ".join(path_text(n) for n in self.left_out[:5]) + (" ..." if len(self.left_out) > 5 else "")
        return both_languages(
            f"{label}: .py / .ipynb 以外のファイル {len(self.left_out)} 個を採点用にコピーしていません "
            f"(上限 {MAX_DATA_FILES} 個、{MAX_DATA_BYTES >> 20} MiB): {shown}",
            f"{label}: {len(self.left_out)} file(s) other than .py / .ipynb not copied for grading "
            f"(at most {MAX_DATA_FILES} files, {MAX_DATA_BYTES >> 20} MiB): {shown}")


def is_env(path: Path) -> bool:
    return any(os.path.lexists(path / marker) for marker in ENV_MARKERS)


def _entry_name(info: zipfile.ZipInfo) -> str:
    """A zip entry's path with ``/`` separators.

    ``\\`` is a separator too (Windows PowerShell's Compress-Archive writes ``work\\ex1_vectors.py``),
    and a name not flagged as UTF-8 is read as UTF-8 if it is, else as Shift_JIS (cp932, what
    Japanese Windows writes), not as cp437: a Shift_JIS byte 0x5C inside ``表`` or ``ソ`` is then
    part of the character, not a separator.
    """
    name = info.orig_filename
    if not info.flag_bits & 0x800:
        raw = name.encode("cp437")
        for encoding in ("utf-8", "cp932"):
            try:
                name = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    return name.replace("\\", "/")


def zip_members(zip_path: Path, label: str = "", *, max_files: int = MAX_ZIP_FILES,
                max_bytes: int = MAX_ZIP_BYTES, data: DataBudget | None = None) -> dict[str, bytes]:
    """Read what can be part of a workbook: regular ``.py`` and ``.ipynb`` files, outside the
    junk folders (caches, ``.git``, virtual environments, ``node_modules``, ``__MACOSX``, hidden
    folders; see :data:`JUNK_DIRS`) and metadata files (:func:`junk_file`) left out; other files are
    data (:func:`data_file`) within ``data``.

    The whole archive is refused when an entry has an absolute path, a drive letter (``C:``), a
    ``..`` or a NUL byte, when two kept entries have the same path (``a\\b.py`` and ``a/b.py`` too:
    which one to grade is ambiguous), when a kept entry is a symbolic link, is encrypted or names an NTFS
    stream (``:``), and when what is kept exceeds ``max_files`` files or ``max_bytes`` bytes
    (declared sizes are checked first; reading stops as soon as the actual bytes exceed them).

    Args:
        zip_path: the zip file.
        label: how messages name the zip (default: its file name).
        max_files, max_bytes: limits of what is kept.
        data: with a budget, other files (:func:`data_file`) are kept too, as long as it lasts (the
            rest listed in it); without, only ``.py`` and ``.ipynb`` files.

    Returns:
        Each kept entry's path (``/``-separated, without ``.``/empty parts) -> its bytes, in the
        archive's order.

    Raises:
        ValueError: the archive is refused (the message names it).
        zipfile.BadZipFile: not a zip file, or a corrupt one.
    """
    label = label or path_text(zip_path.name)

    def refuse(ja: str, en: str) -> ValueError:
        return ValueError(both_languages(f"{label}: {ja}", f"{label}: {en}"))

    with zipfile.ZipFile(zip_path) as zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise refuse(f"項目が {len(infos)} 個あり多すぎます (上限 {MAX_ZIP_ENTRIES})",
                         f"{len(infos)} entries, more than {MAX_ZIP_ENTRIES}")
        entries = []
        for info in infos:
            name = _entry_name(info)
            parts = tuple(p for p in name.split("/") if p not in ("", "."))
            if name.startswith("/") or "\0" in name or re.match(r"[A-Za-z]:", name) or ".." in parts:
                raise refuse(f"安全でないパス {name!r} (絶対パス・ドライブ名・..) があるため展開しません",
                             f"unsafe path {name!r} (absolute, a drive letter or ..): nothing extracted")
            if parts and not name.endswith("/") and not info.external_attr & 0x10:  # 0x10: MS-DOS folder
                entries.append((info, name, parts))
        envs = {parts[:i] for _, _, parts in entries for i, p in enumerate(parts) if i and p in ENV_MARKERS}
        kept, extra = [], []
        for info, name, parts in entries:
            folders = parts[:-1]
            if any(skipped_dir(p) for p in folders) or any(folders[:i] in envs for i in range(1, len(folders) + 1)):
                continue
            if not kept_file(parts[-1]):
                if data is not None and data_file(parts[-1]) and not stat.S_ISLNK(info.external_attr >> 16) \
                        and ":" not in name and not info.flag_bits & 0x1 and data.take("/".join(parts), info.file_size):
                    extra.append((info, name, parts))
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                raise refuse(f"シンボリックリンク {name!r} があるため展開しません", f"symbolic link {name!r}: nothing extracted")
            if ":" in name:
                raise refuse(f"ファイル名に : を含む {name!r} があるため展開しません", f"{name!r} has a ':' in its name: nothing extracted")
            if info.flag_bits & 0x1:
                raise refuse(f"{name!r} がパスワードで暗号化されています。パスワードなしの zip にしてください",
                             f"{name!r} is encrypted (password-protected); hand in a zip without a password")
            kept.append((info, name, parts))
        if len(kept) > max_files:
            raise refuse(f".py / .ipynb ファイルが {len(kept)} 個あり多すぎます (上限 {max_files})",
                         f"more than {max_files} .py / .ipynb files ({len(kept)}) outside caches and environments")
        if sum(info.file_size for info, _, _ in kept) > max_bytes:
            raise refuse(f".py / .ipynb ファイルが展開後 {max_bytes} バイトを超えます",
                         f".py / .ipynb files of more than {max_bytes} bytes uncompressed")
        seen: set[str] = set()
        for _, name, parts in kept + extra:  # (Python's zipfile appends a second entry of a name; unzip asks)
            path = "/".join(parts)
            if path in seen:
                raise refuse(f"{path!r} という項目が 2 つあり、どちらを採点すべきか分からないため展開しません。1 つだけの zip にしてください",
                             f"two entries named {path!r}: which one to grade is ambiguous, nothing extracted; "
                             f"hand in a zip with one")
            seen.add(path)
        total = 0
        members: dict[str, bytes] = {}
        max_bytes += MAX_DATA_BYTES if extra else 0  # the data files' own budget, checked above
        for info, name, parts in kept + extra:
            chunks = []
            with zf.open(info) as src:
                written = 0
                while chunk := src.read(1 << 16):
                    written += len(chunk)
                    total += len(chunk)
                    if written > info.file_size or total > max_bytes:  # the declared sizes lied
                        raise refuse(
                            f"{name!r} の中身が宣言された大きさを超えます (zip 爆弾?)。展開を止めました",
                            f"{name!r} holds more bytes than it declares (a zip bomb?); extraction stopped")
                    chunks.append(chunk)
            members["/".join(parts)] = b"".join(chunks)
        return members
