"""A control group per isolated worker, to count the CPU time of every process it starts.

The worker's CPU time is otherwise read from ``/proc`` (:meth:`.worker.Worker.cpu`: the worker
itself at every look, its whole process tree every 0.25 s). A child that lives a few milliseconds
and is reaped at once (``SIGCHLD`` ignored: the kernel then drops its times instead of adding them
to the parent's) is never seen there: red team round 10 burnt two cores for ~19 s with 20 ms
children against a 5 s limit. A control group counts every process that was ever in it, ended
ones included, and a process cannot leave it without write access to the cgroup file system,
which the confined worker does not see.

Linux only, and only where this process may create a control group next to its own (as root, or
with a delegated cgroup v2 subtree): cgroup v2's ``cpu.stat`` (``usage_usec``, present without the
cpu controller), else cgroup v1's ``cpuacct.usage``. Elsewhere :func:`create` returns None and the
``/proc`` reading alone counts (README, "Confinement": what holds without one).
"""

from __future__ import annotations

import atexit
import itertools
import os
from pathlib import Path

_names = itertools.count(1)
#: Name of a worker's group: PREFIX, the grader's process id, "-", a number.
PREFIX = "workbook-worker-"
_swept = False
#: Groups whose removal failed (a process of them was still ending): tried again later and at exit.
_left: list[Path] = []


def _location() -> tuple[Path, str] | None:
    """(the directory of this process's own control group, the file that counts CPU time in it)."""
    try:
        mounts = Path("/proc/self/mountinfo").read_text().splitlines()
        own = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    v2 = next((line.split(":", 2)[2] for line in own if line.startswith("0::")), None)
    v1 = next((line.split(":", 2)[2] for line in own
               if "cpuacct" in line.split(":", 2)[1].split(",")), None) if len(own) else None
    for kind, path, file in (("cgroup2", v2, "cpu.stat"), ("cgroup", v1, "cpuacct.usage")):
        if path is None:
            continue
        for line in mounts:
            fields = line.split()
            try:
                dash = fields.index("-")
            except ValueError:
                continue
            if fields[dash + 1] != kind or (kind == "cgroup" and "cpuacct" not in fields[dash + 3].split(",")):
                continue
            root, mount = fields[3], fields[4]
            rel = os.path.relpath(path, root) if path.startswith(root) else None
            if rel is None or rel.startswith(".."):
                continue  # our group is outside what this mount shows
            folder = Path(mount) / rel if rel != "." else Path(mount)
            if (folder / file).is_file() or kind == "cgroup2":
                return folder, file
    return None


class CpuGroup:
    """One worker's control group (:func:`create`)."""

    def __init__(self, path: Path, file: str) -> None:
        self.path = path
        self.file = file

    def add(self, pid: int) -> bool:
        """Move process ``pid`` (all its threads) into the group; False if that is not allowed."""
        try:
            (self.path / "cgroup.procs").write_text(f"{pid}\n")
            return True
        except OSError:
            return False

    def seconds(self) -> float | None:
        """CPU seconds used by every process that has been in the group, ended ones included; None
        if the group cannot be read."""
        try:
            text = (self.path / self.file).read_text()
        except OSError:
            return None
        if self.file == "cpuacct.usage":
            return int(text.strip() or 0) / 1e9
        for line in text.splitlines():
            if line.startswith("usage_usec "):
                return int(line.split()[1]) / 1e6
        return None

    def remove(self) -> None:
        """Delete the group (it must be empty: the worker's processes killed); tried again later if
        a process of it is still ending."""
        try:
            self.path.rmdir()
        except FileNotFoundError:
            pass
        except OSError:
            _left.append(self.path)


def create() -> CpuGroup | None:
    """A new, empty control group next to this process's own, or None where none can be made
    (not Linux, no cgroup file system, no permission: an ordinary user without delegation)."""
    _retry()
    found = _location()
    if found is None:
        return None
    parent, file = found
    global _swept
    if not _swept:  # the empty groups of a grader that was killed before it could remove them
        _swept = True
        _sweep(parent)
    path = parent / f"{PREFIX}{os.getpid()}-{next(_names)}"
    try:
        path.mkdir()
    except OSError:
        return None
    group = CpuGroup(path, file)
    if group.seconds() is None:
        group.remove()
        return None
    return group


def _sweep(parent: Path) -> None:
    try:
        entries = [e for e in parent.iterdir() if e.name.startswith(PREFIX)]
    except OSError:
        return
    for entry in entries:
        try:
            pid = int(entry.name[len(PREFIX):].split("-")[0])
            os.kill(pid, 0)  # its grader still runs
        except ProcessLookupError:
            try:
                entry.rmdir()
            except OSError:
                pass
        except (ValueError, OSError):
            continue


def _retry() -> None:
    for path in list(_left):
        try:
            path.rmdir()
            _left.remove(path)
        except FileNotFoundError:
            _left.remove(path)
        except OSError:
            pass


atexit.register(_retry)
