"""Where a worker's code was when its test ran out of time: the stacks a worker writes with
:mod:`faulthandler` when the grader signals it (``SIGUSR1``), read back from its output log.

Local mode names the line of a time-out from the traceback of the exception the limit raised in
the student's code; in isolated mode the limit stops the grader's wait, so the worker is asked for
its stacks just before it is killed. The dump is the untrusted worker's output: it is only parsed,
bounded and used for the message, never for a score.
"""

from __future__ import annotations

import re
from pathlib import Path

_FRAME = re.compile(r'^\s*File "(?P<file>[^"\n]{1,500})", line (?P<line>\d{1,9}) in (?P<name>[\w.<>]{1,200})\s*$')

#: The worker's functions that call into the submission (:mod:`autograder.checks.ruleguard`).
ENTRY_FUNCTIONS = ("call_into", "own_values_call")


def stack_location(dump: str, root: str) -> tuple[str, int, str] | None:
    """(file name, line, function) of the innermost frame under folder ``root`` in a
    :mod:`faulthandler` dump of a worker's threads.

    Args:
        dump: the text the worker wrote (``Current thread 0x… (most recent call first):`` and
            ``Thread 0x…`` sections of ``File "…", line N in NAME`` lines); anything else is ignored.
        root: the worker's copy of the submission (only its files are named).

    Returns:
        The innermost frame in the submission's files of the thread that runs the grader's call
        (one with a frame of :data:`ENTRY_FUNCTIONS`), else of any thread; ``None`` if no frame is
        under ``root``. The file is named without its folder.
    """
    prefix = root.rstrip("/") + "/"
    sections: list[list[tuple[str, int, str]]] = []
    for line in dump.splitlines():
        if line.startswith(("Thread 0x", "Current thread 0x")):
            sections.append([])
            continue
        match = _FRAME.match(line)
        if match and sections:
            sections[-1].append((match["file"], int(match["line"]), match["name"]))
    entered = [frames for frames in sections if any(name in ENTRY_FUNCTIONS for _, _, name in frames)]
    for frames in entered + sections:
        for file, line, name in frames:  # most recent call first
            if file.startswith(prefix) and ".." not in file:
                return Path(file).name, line, name
    return None


def dump_complete(text: str) -> bool:
    """True once ``text`` holds the stack of the thread that runs the grader's call."""
    return any(f" in {name}" in text for name in ENTRY_FUNCTIONS)
