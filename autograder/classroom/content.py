"""A submission as data: what the unit of grading work receives (:mod:`autograder.classroom.unit`).

The batch coordinator reads each submission on its own machine (:func:`read_submission`) and hands
the grader the files themselves, never a path: a grader process of the local pool, or a worker of
any other executor on another machine, writes them into a private temporary folder
(:func:`materialise`) and grades that. What is read follows the intake's rules
(:mod:`autograder.classroom.intake`): the ``.py`` and ``.ipynb`` files of the submission, and the
data files next to them within :class:`~autograder.classroom.files.DataBudget`, outside hidden and
junk folders (:data:`~autograder.classroom.files.JUNK_DIRS`) and virtual environments;
a zip's entries through the same safety checks as before (no absolute paths, ``..``, links,
encrypted entries; bounded number and size of the files kept, zip bombs stopped).

Symbolic links in a folder: one that leads to a file inside the submission is read as that file;
one that leads outside it (to ``solutions/``, a classmate's folder) or nowhere is kept as a link to
nowhere (:data:`autograder.submission.loader.OUTSIDE_LINK`), so that grading says so, exactly as
isolated mode's own copy does (:func:`autograder.submission.stage.stage_copy`). Links to
folders are not followed.
"""

from __future__ import annotations

import os
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..submission.loader import OUTSIDE_LINK
from .files import (MAX_DATA_BYTES, MAX_ZIP_BYTES, MAX_ZIP_FILES, DataBudget, both_languages, data_file, is_env, kept_file,
                    path_text, skipped_dir, zip_members)
from .intake import Job


@dataclass(frozen=True)
class SubmissionContent:
    """One student's submission as data (picklable; nothing in it refers to the coordinator's disk).

    Attributes:
        student: the student id (:func:`autograder.classroom.intake.student_id`).
        kind: ``"dir"``, ``"zip"`` or ``"nbgrader"``: how it was handed in.
        shown: how messages name it (``bob.zip``, ``alice/``).
        origin: the submission's path on the coordinator, as text: the report's ``target`` and what
            the grader's temporary paths are replaced by in the report and log.
        files: relative POSIX path (from the submission's top: the folder, or the zip's root) ->
            the file's bytes: ``.py`` and ``.ipynb`` files, and data files within the budget.
        notes: what the report says about how it was read (data files left out), bilingual.
        outside_links: relative paths of symbolic links that lead outside the submission or nowhere.
        problem: why it could not be read (an unsafe or corrupt zip, too many files, an unreadable
            folder), bilingual; the unit then makes an error report from it. Empty when readable.
        fingerprint: what the report depends on (:func:`autograder.classroom.batch.fingerprint`),
            stored in the report so that a later run can reuse it.
    """

    student: str
    kind: str
    shown: str
    origin: str
    files: dict[str, bytes] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    outside_links: tuple[str, ...] = ()
    problem: str = ""
    fingerprint: str = ""

    @property
    def size(self) -> int:
        """Bytes of file content it carries."""
        return sum(len(b) for b in self.files.values())


def read_submission(job: Job, *, fingerprint: str = "") -> SubmissionContent:
    """Read ``job``'s submission into a :class:`SubmissionContent` (never raises).

    Args:
        job: the submission as found by :func:`autograder.classroom.intake.discover`.
        fingerprint: stored in the content (see :attr:`SubmissionContent.fingerprint`).

    Returns:
        The content; when it cannot be read, one with :attr:`~SubmissionContent.problem` set and no
        files (the message names the submission as it is in SUBMISSIONS).
    """
    base = dict(student=job.student, kind=job.kind, shown=job.shown, origin=path_text(job.path),
                fingerprint=fingerprint)
    budget = DataBudget()
    try:
        if job.kind == "zip":
            try:
                files = zip_members(job.path, job.shown, data=budget)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
                raise ValueError(both_languages(f"{job.shown} は zip ファイルとして読めません ({exc})",
                                                f"{job.shown}: not a readable zip file ({exc})")) from None
            links: list[str] = []
        else:
            files, links = _read_folder(job.path, job.shown, budget)
        note = budget.note(job.shown)
        return SubmissionContent(**base, files=files, outside_links=tuple(links), notes=(note,) if note else ())
    except ValueError as exc:
        return SubmissionContent(**base, problem=str(exc))
    except OSError as exc:
        return SubmissionContent(**base, problem=both_languages(
            f"{job.shown} を読めませんでした ({exc.strerror or exc})",
            f"could not read the submission {job.shown} ({exc.strerror or exc})"))


def _read_folder(root: Path, label: str, budget: DataBudget) -> tuple[dict[str, bytes], list[str]]:
    """The kept files of folder ``root`` and its links that lead outside it (see the module docstring).

    Raises:
        ValueError: more than :data:`~autograder.classroom.files.MAX_ZIP_FILES` files or
            :data:`~autograder.classroom.files.MAX_ZIP_BYTES` bytes kept.
        OSError: ``root`` cannot be listed.
    """
    real_root = root.resolve(strict=True)
    files: dict[str, bytes] = {}
    links: list[str] = []
    count = total = 0
    os.listdir(root)  # an unreadable folder is an error of the submission, not an empty one
    for folder, dirs, names in os.walk(root):  # links to folders: not followed
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not skipped_dir(d) and not is_env(here / d))
        for name in sorted(names):
            code = kept_file(name)
            if not code and not data_file(name):
                continue
            path = here / name
            rel = path.relative_to(root).as_posix()
            try:
                mode = path.lstat().st_mode
                if stat.S_ISLNK(mode):
                    target = path.resolve(strict=True)
                    if not target.is_relative_to(real_root) or not target.is_file():
                        links.append(rel)
                        continue
                    mode = target.stat().st_mode
                if not stat.S_ISREG(mode):
                    continue  # FIFOs, devices, sockets
                if not code and not budget.take(rel, path.stat().st_size):  # a data file: within its budget
                    continue
                data = path.read_bytes()
            except (OSError, RuntimeError):
                if path.is_symlink():  # broken, or a loop
                    links.append(rel)
                continue  # unreadable: grading says the file is missing
            if not code:
                files[os.fsdecode(rel)] = data[:MAX_DATA_BYTES]  # its size as read, whatever stat said
                continue
            count, total = count + 1, total + len(data)
            if count > MAX_ZIP_FILES or total > MAX_ZIP_BYTES:
                raise ValueError(both_languages(
                    f"{label}: .py / .ipynb ファイルが多すぎるか大きすぎます (上限 {MAX_ZIP_FILES} 個、{MAX_ZIP_BYTES} バイト)",
                    f"{label}: too many or too large .py / .ipynb files (at most {MAX_ZIP_FILES} files, "
                    f"{MAX_ZIP_BYTES} bytes)"))
            files[os.fsdecode(rel)] = data
    return files, links


def _relative(rel: str) -> PurePosixPath:
    path = PurePosixPath(rel)
    if path.is_absolute() or not path.parts or any(p in ("", ".", "..") for p in path.parts) or "\0" in rel:
        raise ValueError(f"not a relative path inside the submission: {rel!r}")
    return path


def materialise(content: SubmissionContent, dest: Path) -> Path:
    """Write ``content``'s files into the new folder ``dest``; returns ``dest``.

    Links that led outside the submission become links to nowhere
    (:data:`autograder.submission.loader.OUTSIDE_LINK`).

    Raises:
        ValueError: a path in ``content`` is not relative or climbs out (``..``).
        OSError: ``dest`` exists or cannot be written.
    """
    dest.mkdir(parents=True)
    for rel, data in content.files.items():
        target = dest.joinpath(*_relative(rel).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    for rel in content.outside_links:
        target = dest.joinpath(*_relative(rel).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not os.path.lexists(target):
            os.symlink(OUTSIDE_LINK, target)
    return dest
