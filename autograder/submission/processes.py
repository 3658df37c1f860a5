"""Processes of the submission that are running (Linux ``/proc``), for the run-time check of the
"from scratch" rules.

The check watches the calls made in the process that runs the submission (and its threads), and a
process started while a rule-bound test runs is a violation there. A process started at another
time — during a test of a task without rules, or by an earlier test — is beyond its sight: a
helper process started by ex2's ``apply_transform`` served ``scipy.special.softmax`` over a pipe
to ex3's ``softmax``, full marks in every mode (red team round 8). So when a rule-bound test
starts, no process the submission started may still be running.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..checks.hits import STARTED_EARLIER, Hit


def process_state(pid: int) -> str | None:
    """The state letter of process ``pid`` (``R``, ``S``, ``Z``...), None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            tail = fh.read().rsplit(b")", 1)[1]
        return tail.split()[0].decode("ascii", "replace")
    except (OSError, IndexError):
        return None


def running(pids: list[int] | set[int]) -> list[int]:
    """Those of ``pids`` that are processes still able to run (not gone, not zombies)."""
    return sorted(p for p in pids if process_state(p) not in (None, "Z", "X", "x"))


def children(pid: int) -> list[int]:
    """The running children of process ``pid`` (of any of its threads); empty where ``/proc`` does
    not say (not Linux)."""
    found: set[int] = set()
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    for tid in tasks:
        try:
            text = Path(f"/proc/{pid}/task/{tid}/children").read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError):
            continue
        found.update(int(p) for p in text.split() if p.isdigit())
    return running(found)


def started_earlier(count: int) -> list[Hit]:
    """The violation of a rule-bound test that starts while ``count`` processes of the submission run."""
    if count <= 0:
        return []
    return [Hit("process", str(count), STARTED_EARLIER, 0)]
