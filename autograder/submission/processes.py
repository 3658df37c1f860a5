"""Processes read from Linux's ``/proc``: the process table that counts an isolated worker's CPU time
(:class:`autograder.submission.worker.Worker`), and the processes of the submission that are
running, for the run-time check of the "from scratch" rules.

The check watches the calls made in the process that runs the submission (and its threads), and a
process started while a rule-bound test runs is a violation there. A process started at another
time — during a test of a task without rules, or by an earlier test — is beyond its sight: a
helper process started by ex2's ``apply_transform`` served ``scipy.special.softmax`` over a pipe
to ex3's ``softmax``, full marks in every mode (red team round 8). So when a rule-bound test
starts, no process the submission started may still be running.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..checks.hits import STARTED_EARLIER, Hit

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def process_stat(pid: int | str) -> tuple[int, float, bytes] | None:
    """(parent pid, CPU seconds, command name) of process ``pid`` from ``/proc/PID/stat``
    (world-readable); the CPU time counts its threads and the children it waited for. None if gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            head, tail = fh.read().rsplit(b")", 1)
        fields = tail.split()
        return int(fields[1]), sum(int(v) for v in fields[11:15]) / _CLOCK_TICKS, head.split(b"(", 1)[1]
    except (OSError, IndexError, ValueError):
        return None


_PROMPT = threading.Lock()
_prompt_depth = 0
_prompt_saved = 0.0


@contextmanager
def prompt_gil(interval: float = 1e-5) -> Iterator[None]:
    """Switch threads within ``interval`` seconds while the block runs (``sys.setswitchinterval``).

    A look at the process table makes a few system calls per process; each lets go of the GIL, and
    while another thread computes, getting it back waits for the switch interval (5 ms by default):
    a scan of ~70 processes took 0.1-1.1 s instead of 1.5 ms, so the CPU limit of the grader's
    watcher thread fired late while the test thread computed (the scan is the watcher's). Nested and
    concurrent uses restore the interval once, when the last ends. Only for the grader's side of
    isolated grading, where no code of the submission runs in the process.
    """
    global _prompt_depth, _prompt_saved
    with _PROMPT:
        if _prompt_depth == 0:
            _prompt_saved = sys.getswitchinterval()
            sys.setswitchinterval(min(interval, _prompt_saved))
        _prompt_depth += 1
    try:
        yield
    finally:
        with _PROMPT:
            _prompt_depth -= 1
            if _prompt_depth == 0:
                sys.setswitchinterval(_prompt_saved)


def process_table() -> dict[int, tuple[int, float, bytes]]:
    """pid -> :func:`process_stat` of every process."""
    table = {}
    for name in os.listdir("/proc"):
        if name.isdigit() and (info := process_stat(name)) is not None:
            table[int(name)] = info
    return table


def host_pid(ns_pid: int, ancestor: int) -> int | None:
    """The host's pid of the process that is ``ns_pid`` in a PID namespace below process ``ancestor``."""
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/status", encoding="ascii", errors="replace") as fh:
                status = dict(line.split(":", 1) for line in fh.read().splitlines() if ":" in line)
            ids = status.get("NSpid", "").split()
            if len(ids) < 2 or int(ids[-1]) != ns_pid:
                continue
            pid = int(entry.name)
            for _ in range(8):  # the sandbox's processes descend from the bwrap we started
                with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
                    ppid = next(int(line.split()[1]) for line in fh if line.startswith("PPid:"))
                if ppid == ancestor:
                    return int(entry.name)
                pid = ppid
        except (OSError, ValueError, StopIteration):
            continue
    return None


def process_state(pid: int | str, tid: int | str | None = None) -> str | None:
    """The state letter of process ``pid`` (``R``, ``S``, ``Z``...; of its thread ``tid`` if given),
    None when it is gone."""
    path = f"/proc/{pid}/stat" if tid is None else f"/proc/{pid}/task/{tid}/stat"
    try:
        with open(path, "rb") as fh:
            tail = fh.read().rsplit(b")", 1)[1]
        return tail.split()[0].decode("ascii", "replace")
    except (OSError, IndexError):
        return None


_ENDED = (None, "Z", "X", "x")


def able_to_run(pid: int) -> bool:
    """Whether process ``pid`` still has a thread that can run. ``/proc/PID/stat`` gives the state
    of its main thread only: a process whose main thread ended (``pthread_exit``) shows ``Z`` while
    its other threads run on (red team round 9: such a helper served ``scipy.special.softmax`` to a
    rule-bound task unseen), so a zombie's threads are looked at too."""
    state = process_state(pid)
    if state not in _ENDED:
        return True
    if state is None:
        return False
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return False
    return any(process_state(pid, tid) not in _ENDED for tid in tids)


def running(pids: list[int] | set[int]) -> list[int]:
    """Those of ``pids`` that are processes still able to run: not gone, and not zombies whose
    every thread has ended (:func:`able_to_run`)."""
    return sorted(p for p in pids if able_to_run(p))


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
