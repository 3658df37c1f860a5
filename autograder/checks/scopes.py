"""Two scopes of the run-time check of the rules (:mod:`.ruleguard`): a step of a generator
expression of the submission, and the submission's import."""

from __future__ import annotations

import _thread
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .hits import LOST

__all__ = ["Armed", "ImportWatch"]

# taken before any submission code runs, as in .ruleguard
_getframe = sys._getframe
_get_ident = _thread.get_ident


class Armed:
    """The iterator of a generator expression of the submission: arms the check before each step."""

    __slots__ = ("guard", "it")

    def __init__(self, guard: Any, it: Any) -> None:
        self.guard, self.it = guard, it

    def __iter__(self) -> "Armed":
        return self

    def __next__(self) -> Any:
        guard = self.guard
        if guard.fast and not guard.armed and _get_ident() == guard.thread:
            guard._arm(_getframe(1))
        return next(self.it)


class ImportWatch:
    """The scope of a submission's import: watched for processes, raw threads and tampering with
    ``catalogue`` (one that forbids nothing); what it finds counts against every later test."""

    def __init__(self, guard: Any, catalogue: Any, owns: Callable[[str], bool], root: Path | None) -> None:
        self.guard, self.catalogue, self.owns, self.root = guard, catalogue, owns, root
        self.active = False

    def __enter__(self) -> None:
        # only where the check is set up (a grading run), and never inside a watched test
        if self.guard.prepared and self.guard.catalogue is None:
            saved = self.guard.import_hits
            self.guard.import_hits = []
            self.guard.start(self.catalogue, self.owns, self.root)
            self.guard.import_hits = saved
            self.active = True

    def __exit__(self, *exc: Any) -> None:
        if self.active:
            hits = [h for h in self.guard.stop() if h.kind in ("process", "tamper", LOST)]
            self.guard.import_hits = list(dict.fromkeys(self.guard.import_hits + hits))[:20]
