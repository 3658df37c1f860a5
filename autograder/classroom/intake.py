"""One student's submission as handed in, made ready for grading (the batch grader's intake).

The unit is a :class:`Job` (found by :func:`discover`); :func:`prepare` turns it into a folder laid
out like ``exercises/``. Used by :mod:`autograder.classroom.batch` and by the HTML report command
(which reads a batch report's submission the same way).

``SUBMISSIONS`` holds one submission per student, in any mix of:

* a directory laid out like ``exercises/`` (``SUBMISSIONS/alice/ex1_vectors.py`` ...); the
  workbook may lie one or two folders deeper (``SUBMISSIONS/alice/project/exercises/``);
* a zip file of such a directory (``SUBMISSIONS/bob.zip``), e.g. of a whole project folder:
  ``.py`` and ``.ipynb`` files are extracted (and data files within a budget:
  :class:`~autograder.classroom.files.DataBudget`), never from ``.git/``, ``__pycache__/``,
  ``__MACOSX/``, virtual environments, ``node_modules/`` or other hidden or junk folders
  (:data:`JUNK_DIRS`); a backslash separates folders too (Windows PowerShell's Compress-Archive) and
  names not marked UTF-8 are read as Shift_JIS (Japanese Windows); no absolute paths, drive
  letters, ``..`` or links; the number and size of the files kept are limited, and so is what
  is actually read (zip bombs);
* an nbgrader ``submitted/`` tree (``SUBMISSIONS/submitted/<student>/<exercise>/<exercise>.ipynb``,
  or ``SUBMISSIONS`` itself being that ``submitted/`` directory).

An exercise handed in as a notebook (``ex5_backprop.ipynb``, or nbgrader's
``ex5_backprop/ex5_backprop.ipynb``, next to ``.py`` files of the others or not) is converted
with :func:`autograder.classroom.course.notebook_to_py` (read, never executed, here); when there is also an
``ex5_backprop.py``, that is graded and the report says so.

The student id is the folder's name (a zip's without ``.zip``) as given, in Unicode NFC
(``山田太郎``), in the reports, the gradebook and on the console; report files get a name safe on
every file system (:func:`report_stem`). Two submissions that map to one id (``alice/`` and
``alice.zip``, or NFC and NFD spellings of one name) are not graded: each gets an error row
naming both, and the rest of the class is graded.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import shutil
import stat
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import EXERCISES
from ..submission.exercisefiles import misnamed_exercise_files, notebook_beside
from .files import (MAX_ZIP_BYTES, MAX_ZIP_FILES, DataBudget, both_languages, data_file, is_env, path_text, skipped_dir,
                    zip_members)

#: Longest stem of a report file name, in UTF-8 bytes (file systems allow 255 for a name).
MAX_STEM_BYTES = 100


def student_id(name: str) -> str:
    """The student id of a submission named ``name`` (a folder, or a zip's name without ``.zip``).

    The name as given, in Unicode NFC: ``山田太郎`` stays ``山田太郎``, and the same name typed on
    macOS (NFD) and on Windows (NFC) is one id. A name that is not UTF-8 is read as Shift_JIS.
    """
    return unicodedata.normalize("NFC", path_text(name))


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
    student = path_text(student)
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
        return self.label or path_text(self.path.name)

    @property
    def report_name(self) -> str:
        """The stem of its report files (``reports/<stem>.json``, ``logs/<stem>.txt``)."""
        return self.file_stem or report_stem(self.student)


def _has_exercises(path: Path) -> bool:
    return any((path / f"{name}.py").is_file() or notebook_beside(path, name) for name in EXERCISES)


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
        label = path_text(path.relative_to(root).as_posix()) + ("" if kind == "zip" else "/")
        found.setdefault(student_id(name), []).append(Job(student_id(name), kind, path, label=label))

    nbgrader_only = root.name == "submitted" and not _has_exercises(root)
    for entry in sorted(root.iterdir()):
        if skipped_dir(entry.name) or entry.resolve() in skip:
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
        elif entry.is_file() and _other_archive(entry.name) and not nbgrader_only:
            # a submission in a format not read: an error row that says so, never silently no row
            suffix = _other_archive(entry.name)
            sid, label = student_id(entry.name[:-len(suffix)]), path_text(entry.relative_to(root).as_posix())
            found.setdefault(sid, []).append(Job(sid, "zip", entry, label=label, problem=both_languages(
                f"{label} は {suffix} 形式のため読めません。フォルダか .zip で提出してください",
                f"{label}: a {suffix} archive is not read; hand in a folder or a .zip")))
        elif entry.is_file() and not nbgrader_only and _loose_exercise_file(entry.name):
            # one student's exercise file on its own (an LMS download such as
            # carol_12345_67890_ex1_vectors.ipynb): an error row, never silently no row (red team round 12)
            sid, label = student_id(entry.name.split("_", 1)[0]), path_text(entry.relative_to(root).as_posix())
            found.setdefault(sid, []).append(Job(sid, "zip", entry, label=label, problem=_loose_file_message(
                label, f"{sid}/{_loose_exercise_file(entry.name)}{entry.suffix}")))
    jobs = []
    for sid, group in found.items():
        if len(group) == 1:
            jobs.extend(group)
            continue
        problem = _same_id_message(sid, group)
        # each gets a report file of its own (named after the submission), so neither hides the other
        jobs.extend(replace(j, problem=problem, file_stem=report_stem(f"{sid} ({j.label.rstrip('/')})")) for j in group)
    return sorted(jobs, key=lambda j: (j.student, j.label))


def _loose_exercise_file(name: str) -> str:
    """The exercise of file ``name`` if it is one exercise's file with a student's id before it
    (``<id>_..._<exercise>.py`` or ``.ipynb``, as LMS downloads name them), else ""."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or suffix.lower() not in ("py", "ipynb"):
        return ""
    return next((e for e in EXERCISES if stem.endswith("_" + e) and len(stem) > len(e) + 1), "")


def _loose_file_message(label: str, where: str) -> str:
    return both_languages(
        f"{label} は学生のフォルダや .zip に入っていない 1 つのファイルのため、採点していません。学生ごとのフォルダ "
        f"({where} のように) か .zip に入れてください。LMS からダウンロードしたノートブックは "
        f"`nbgrader zip_collect` で集められます (README「nbgrader での採点」)",
        f"{label} is a file on its own, not in a student's folder or .zip: not graded. Put it in a folder per "
        f"student (as {where}) or a .zip; notebooks downloaded from an LMS can be collected with "
        f"`nbgrader zip_collect` (README, \"nbgrader course\")")


#: Archive formats handed in by mistake (only .zip is read): each gets an error row.
OTHER_ARCHIVES = (".tar.gz", ".tar.bz2", ".tar.xz", ".tgz", ".tbz2", ".txz", ".tar", ".7z", ".rar", ".gz", ".bz2",
                  ".xz", ".lzh")


def _other_archive(name: str) -> str:
    """The archive suffix of file ``name`` (``.tar.gz``...) if it is one that is not read, else ""."""
    lower = name.lower()
    return next((s for s in OTHER_ARCHIVES if lower.endswith(s) and len(lower) > len(s)), "")


def _same_id_message(sid: str, group: list[Job]) -> str:
    shown = ", ".join(j.label for j in group)
    spelled = ""
    if len({j.label for j in group}) < len(group) or any(j.label != unicodedata.normalize("NFC", j.label)
                                                          for j in group):
        forms = ", ".join(ascii(j.label) for j in group)
        spelled = (f" (見た目が同じ名前の Unicode の NFC/NFD の違い: {forms})",
                   f" (the same name in Unicode NFC and NFD spellings, e.g. one copied from a Mac: {forms})")
    ja_extra, en_extra = spelled or ("", "")
    return both_languages(
        f"学生 ID「{sid}」の提出物が {len(group)} つあります: {shown}{ja_extra}。どれを採点すべきか決められないため、"
        "どれも採点していません。1 つだけ残して、もう一度実行してください",
        f"{len(group)} submissions map to the student id {sid!r}: {shown}{en_extra}; none of them was graded. "
        "Keep one and run the batch again")


def _safe_extract(zip_path: Path, dest: Path, label: str = "", *, max_files: int = MAX_ZIP_FILES,
                  max_bytes: int = MAX_ZIP_BYTES, data: DataBudget | None = None) -> int:
    """Extract :func:`zip_members` of ``zip_path`` into the empty folder ``dest``; returns how many.

    Raises:
        ValueError: the archive is refused, or a file cannot be written (the message names the zip,
            never ``dest``).
        zipfile.BadZipFile: not a zip file, or a corrupt one.
    """
    label = label or path_text(zip_path.name)
    members = zip_members(zip_path, label, max_files=max_files, max_bytes=max_bytes, data=data)
    for name, data in members.items():
        target = dest.joinpath(*name.split("/"))
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        except OSError as exc:
            raise ValueError(both_languages(
                f"{label}: {name!r} を展開できません ({exc.strerror or type(exc).__name__})",
                f"{label}: cannot extract {name!r} ({exc.strerror or type(exc).__name__})")) from None
    return len(members)


def _subdirs(path: Path) -> list[Path]:
    """Sub-folders that may hold a workbook: no link (to solutions/ or a classmate), no junk."""
    try:
        return [p for p in sorted(path.iterdir()) if p.is_dir() and not p.is_symlink()
                and not skipped_dir(p.name) and not is_env(p)]
    except OSError:
        return []


def _find_workbook(base: Path, label: str = "") -> Path:
    """``base`` or the one folder up to two levels below it that holds the exercise files
    (``exN_*.py``, or as notebooks ``exN_*.ipynb`` / nbgrader's ``exN_*/exN_*.ipynb``); the
    shallowest wins. Symbolic links and junk folders (:data:`JUNK_DIRS`) are not looked into.

    Raises:
        ValueError: none, or several at the same depth (the message names ``label``).
    """
    label = label or path_text(base.name)
    level = [base]
    misnamed: list[str] = []  # a download's "ex1_vectors (1).ipynb": said in the message below
    for depth in range(3):
        if depth:
            level = [sub for p in level for sub in _subdirs(p)]
        misnamed += [f"{path_text((p / have).relative_to(base).as_posix())} -> {want}"
                     for p in level for have, want in misnamed_exercise_files(p)]
        found = [p for p in level if _has_exercises(p)]
        if len(found) == 1:
            return found[0]
        if found:
            where = ", ".join(f"{label.rstrip('/')}/{path_text(p.relative_to(base).as_posix())}/" for p in found)
            raise ValueError(both_languages(
                f"{label} には演習ファイルのあるフォルダが複数あります ({where})。どれを採点すべきか決められません。1 つにしてください",
                f"{label} holds several workbooks ({where}); it is not clear which one to grade: hand in one"))
    expected = ", ".join(f"{n}.py" for n in EXERCISES)
    renamed = ", ".join(misnamed[:3])
    raise ValueError(both_languages(
        f"{label} は演習ディレクトリではありません: {expected} (またはノートブック .ipynb) がこのフォルダにも "
        "2 階層下までのフォルダにもありません (シンボリックリンクはたどりません)" + (
            f"。名前を直せば採点できるファイル: {renamed}" if misnamed else ""),
        f"{label} is not a workbook: none of {expected} (or the same names as .ipynb notebooks) is in it or in a "
        "folder up to two levels below (symbolic links are not followed)" + (
            f"; files to rename: {renamed}" if misnamed else "")))


def _copy_kept(src: Path, dest: Path, label: str, data: DataBudget) -> None:
    """Copy the ``.py`` files of a submission folder, and its data files within ``data`` (its junk
    folders left out; symbolic links copied as links, not followed, as the isolated worker's copy
    does; special files skipped)."""
    dest.mkdir(parents=True, exist_ok=True)
    count = total = 0
    for folder, dirs, files in os.walk(src):
        here = Path(folder)
        dirs[:] = [d for d in dirs if not skipped_dir(d) and not is_env(here / d)]  # links to folders: not followed
        for name in sorted(files):
            code = name.endswith(".py") and not name.startswith(".")
            if not code and not data_file(name):
                continue
            source, target = here / name, dest / (here / name).relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            mode = source.lstat().st_mode
            if stat.S_ISLNK(mode):
                os.symlink(os.readlink(source), target)
            elif stat.S_ISREG(mode) and not code:
                if data.take(source.relative_to(src).as_posix(), source.lstat().st_size):
                    shutil.copyfile(source, target)
            elif stat.S_ISREG(mode):
                count, total = count + 1, total + source.lstat().st_size
                if count > MAX_ZIP_FILES or total > MAX_ZIP_BYTES:
                    raise ValueError(both_languages(
                        f"{label}: .py ファイルが多すぎるか大きすぎます (上限 {MAX_ZIP_FILES} 個、{MAX_ZIP_BYTES} バイト)",
                        f"{label}: too many or too large .py files (at most {MAX_ZIP_FILES} files, "
                        f"{MAX_ZIP_BYTES} bytes)"))
                shutil.copyfile(source, target)


def _convert_notebook(notebook: Path, exercise: str, shown: str) -> str:
    """The module text of a notebook (read, never executed: :func:`autograder.classroom.course.notebook_to_py`).

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
            return notebook_to_py(nbformat.reads(data.decode("utf-8-sig"), as_version=4), exercise)
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
        raise ValueError(both_languages(
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
    #: the exercises of those notebooks: each stands as a module whose import fails with the
    #: problem (:func:`_unconverted_module`), so the exercise is graded (0 points, the reason in
    #: its feedback) and counts as handed in, never as missing
    unconverted: list[str] = field(default_factory=list)


def _has_junk(path: Path) -> bool:
    """``path`` holds a folder the isolated worker's copy would copy in vain (a virtual
    environment, ``node_modules``...; it leaves out ``__pycache__`` and ``.git`` itself)."""
    try:
        return any(p.is_dir() and p.name not in ("__pycache__", ".git") and (skipped_dir(p.name) or is_env(p))
                   for p in path.iterdir())
    except OSError:
        return False


def prepare(job: Job, staging: Path) -> Prepared:
    """A folder laid out like ``exercises/`` for ``job`` (extracted/copied into ``staging`` if need be).

    A zip is extracted (:func:`_safe_extract`); the workbook is found up to two folders deep
    (:func:`_find_workbook`). An exercise handed in only as a notebook (``ex5_backprop.ipynb``,
    or nbgrader's ``ex5_backprop/ex5_backprop.ipynb``) is converted to ``ex5_backprop.py``; when
    both exist the ``.py`` is graded and a note says so, unless the ``.py`` is the stub exactly as
    given (the work is then in the notebook, which is graded). A folder is graded in place, unless a
    notebook must be converted or it holds junk (a virtual environment, ``.git``...): then its
    ``.py`` files are copied into ``staging`` first.

    Raises:
        ValueError: an unsafe or unreadable zip, or no workbook (the message names the submission
            as it is in SUBMISSIONS, never ``staging``).
    """
    staged = origin = None
    base = job.path
    budget = DataBudget()
    if job.kind == "zip":
        staged = staging / "submission"
        staged.mkdir(parents=True)
        try:
            _safe_extract(job.path, staged, job.shown, data=budget)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
            raise ValueError(both_languages(f"{job.shown} は zip ファイルとして読めません ({exc})",
                                   f"{job.shown}: not a readable zip file ({exc})")) from None
        base, origin = staged, job.path
    root = _find_workbook(base, job.shown)

    def inside(path: Path) -> str:  # a file of the submission, as messages name it
        return f"{job.shown.rstrip('/')}/{path_text(path.relative_to(base).as_posix())}"

    notes: list[str] = []
    convert: dict[str, Path] = {}
    for name in EXERCISES:
        notebook = notebook_beside(root, name)
        if notebook is None:
            continue
        shown = inside(notebook)
        if os.path.lexists(root / f"{name}.py"):
            py = inside(root / f"{name}.py")
            if _untouched_stub(root / f"{name}.py", name):  # the work is in the notebook (newcomer helper:
                # `workbook reset` made the stub again next to it, and the notebook's work scored 0)
                notes.append(both_languages(
                    f"{py} は配布時のままの雛形なので、{shown} を採点しました",
                    f"{py} is the stub as it was given, unchanged: {shown} was graded instead"))
                convert[name] = notebook
                continue
            notes.append(both_languages(
                f"{py} と {shown} の両方があります。{name}.py を採点しました (ノートブックは使っていません)",
                f"both {py} and {shown} were handed in: {name}.py was graded (the notebook was not used)"))
        else:
            convert[name] = notebook
    target = root
    if staged is None and (convert or _has_junk(root) or path_text(root) != str(root)):
        # a copy of its .py and data files: converted notebooks are added to it, never to the student's folder
        staged, origin = staging / "submission", root
        _copy_kept(root, staged, job.shown, budget)
        target = staged
    if budget.note(job.shown):
        notes.append(budget.note(job.shown))
    problems: list[str] = []
    unconverted: list[str] = []
    for name, notebook in convert.items():
        shown = inside(notebook)
        try:
            (target / f"{name}.py").write_text(_convert_notebook(notebook, name, shown), encoding="utf-8")
        except ValueError as exc:
            problems.append(str(exc))
            unconverted.append(name)
            (target / f"{name}.py").write_text(_unconverted_module(str(exc)), encoding="utf-8")
            continue
        notes.append(both_languages(f"{shown} を {name}.py に変換し、Jupyter と同じくセルごとに実行して採点しました "
                                    f"(ノートブックに保存された出力は読んでいません)",
                                    f"{shown} was converted to {name}.py and graded, its cells run one by one as "
                                    f"Jupyter runs them (outputs saved in the notebook were not read)"))
    return Prepared(target, staged, origin, notes, problems, unconverted)


def _untouched_stub(path: Path, name: str) -> bool:
    """Whether ``path`` (a regular file, not a link) holds exercise ``name``'s stub exactly as given."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > 512 * 1024:
            return False
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    from .stubs import is_pristine_stub  # (nbgrader's import: only when a notebook sits next to a .py)

    return is_pristine_stub(name, text)


def _unconverted_module(problem: str) -> str:
    """The module that stands for a notebook that could not be converted (in the staged copy, never
    in the student's folder): its import fails with ``problem``, so the exercise scores 0 with the
    reason in its feedback, and the submission is graded like one whose other files are fine (red
    team round 9: a submission of one UTF-16 notebook was an error row, "not a workbook")."""
    return ("# Stands for a notebook that could not be converted (autograder.classroom.intake).\n"
            f"raise ImportError({problem!r})\n")

