"""A fresh unprivileged uid for each isolated worker when the grader runs as root (isolated mode).

Each worker's processes are told apart by their uid (its CPU time, the processes it started earlier),
so graders running at once must never hand out the same one.
"""

from __future__ import annotations

import os


def worker_uid() -> tuple[int | None, int | None]:
    """A fresh unprivileged uid/gid for a worker when running as root (else None: no drop).

    64 per grader process, by its pid: graders running at once never share one (the worker's CPU
    time and the check of processes started earlier count every process of its uid). The pid is
    taken modulo Linux's largest ``pid_max`` (2**22), not a smaller number (red team round 9: with
    ``% 100000``, graders whose pids differ by 100,000, possible where ``pid_max`` is 4,194,304,
    got the same uids); 2e9 + 2**22 * 64 stays below the largest uid."""
    if os.geteuid() != 0:
        return None, None
    base = int(os.environ.get("WORKBOOK_SANDBOX_UID_BASE", "2000000000"))
    uid = base + (os.getpid() % PID_MAX_LIMIT) * 64 + next(_UID_COUNTER) % 64
    return uid, uid


#: Linux's largest possible pid_max (PID_MAX_LIMIT on 64-bit systems)
PID_MAX_LIMIT = 4_194_304


def _counter():
    n = 0
    while True:
        n += 1
        yield n


_UID_COUNTER = _counter()
