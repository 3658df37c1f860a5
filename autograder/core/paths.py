"""Where the workbook's files are (graded tests, solutions, course directory)."""

from __future__ import annotations

import os
from pathlib import Path

from .i18n import bilingual

#: The repository root of an editable install (``pip install -e .``).
REPO_ROOT = Path(__file__).resolve().parents[2]


#: The file at a released student copy's root recording what it held (see :mod:`autograder.results.digest`).
RELEASE_RECORD = "workbook-release.json"


def tests_dir() -> Path:
    """The directory of the graded tests: ``$WORKBOOK_TESTS_DIR`` or ``<repo>/tests``.

    Raises:
        FileNotFoundError: the directory does not exist (the workbook was installed without its
            repository; set WORKBOOK_TESTS_DIR).
    """
    path = Path(os.environ.get("WORKBOOK_TESTS_DIR", REPO_ROOT / "tests"))
    if not path.is_dir():
        raise FileNotFoundError(bilingual(
            f"採点テストのディレクトリ {path} がありません。環境変数 WORKBOOK_TESTS_DIR で指定してください。",
            f"graded tests directory {path} not found; set WORKBOOK_TESTS_DIR to the workbook's tests/.",
        ))
    return path


def tests_file(exercise: str) -> Path:
    """The graded test module of ``exercise`` (``tests/test_<exercise>.py``)."""
    return tests_dir() / f"test_{exercise}.py"
