"""The fork server: one ``python -m autograder.submission.sandbox`` process per grading process,
with NumPy, torch, Matplotlib... preloaded, that forks a worker for each submission
(:class:`autograder.submission.worker.Worker` talks to it; :mod:`autograder.submission.sandbox`
is its other end).
"""

from __future__ import annotations

import atexit
import json
import os
import socket
import subprocess
import sys
import threading
import time

from .codec import Closed, ProtocolError, Timeout, recv_message, send_message
from ..core.i18n import get_language
from ..core.paths import REPO_ROOT


#: Environment variables the fork server (and so student code) gets; everything else is dropped.
_ENV_KEPT = frozenset({"PATH", "HOME", "LANG", "LANGUAGE", "TZ", "PYTHONPATH", "PYTHONHASHSEED", "VIRTUAL_ENV",
                       "TMPDIR", "TERM", "USER", "LOGNAME", "USERNAME", "LNAME"})  # getpass.getuser() reads the last four

class ForkServer:
    """A ``python -m autograder.sandbox`` process with NumPy, torch, Matplotlib... preloaded.

    Raises:
        RuntimeError: the fork server did not start.
    """

    def __init__(self, wrapper: list[str] | None = None) -> None:
        ours, theirs = socket.socketpair()
        env = fork_server_environment()
        if wrapper:  # in the sandbox only /tmp and the workers' scratch space are writable
            env.update(HOME="/tmp", MPLCONFIGDIR="/tmp", XDG_CACHE_HOME="/tmp")
        self.proc = subprocess.Popen(
            [*(wrapper or []), sys.executable, "-m", "autograder.submission.sandbox", str(theirs.fileno())],
            pass_fds=[theirs.fileno()], env=env, cwd="/", stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.wrapped = bool(wrapper)
        theirs.close()
        self.sock = ours
        self.lock = threading.Lock()
        self.seq = 0  # the number of the last request (_ask)
        self.spawning: dict[int, int | None] = {}  # spawn requests not answered yet: number -> uid
        self.ready = False  # the preload runs while pytest collects the tests

    def _wait_ready(self) -> None:
        if self.ready:
            return
        try:
            header, _ = recv_message(self.sock, time.monotonic() + 120)
        except (Timeout, Closed, ProtocolError) as exc:
            self.proc.kill()
            raise RuntimeError(f"the grading fork server did not start: {exc!r}") from None
        if header.get("op") != "ready":
            raise RuntimeError("the grading fork server did not start")
        self.ready = True

    def spawn(self, spec: dict) -> tuple[int, socket.socket]:
        """Fork a worker for ``spec``; returns its pid and the socket to talk to it.

        Raises:
            RuntimeError: the fork server did not start.
            Timeout: it did not answer within a minute.
        """
        with self.lock:
            self._wait_ready()
            header, fd = self._ask({"op": "spawn", "spec": spec}, time.monotonic() + 60)
        return int(header["pid"]), socket.socket(fileno=fd)

    #: Seconds a kill waits for the fork server's answer (then the grader goes on; the kill still happens).
    KILL_WAIT = 30.0

    def kill(self, pid: int, uid: int | None) -> None:
        """Kill worker ``pid``, its process group and (as root) every process of ``uid``."""
        with self.lock:
            try:
                self._wait_ready()
                self._ask({"op": "kill", "pid": pid, "uid": uid}, time.monotonic() + self.KILL_WAIT)
            except (Timeout, Closed, ProtocolError, OSError, RuntimeError):
                pass  # (its late answer is skipped by the next request: _ask)

    def _ask(self, header: dict, deadline: float) -> tuple[dict, int | None]:
        """Send one request and read its answer (and the socket a ``spawn`` sends with it).

        Every request carries a number the fork server sends back. An answer to an earlier request
        that was given up (a kill whose answer took longer than its wait on a busy machine) is
        skipped here, so it is never taken for this request's; a late spawn's worker is killed.
        """
        self.seq += 1
        if header["op"] == "spawn":  # (a late answer's worker is killed as this one would be)
            self.spawning[self.seq] = header["spec"].get("uid")
        send_message(self.sock, {**header, "seq": self.seq}, [])
        while True:
            reply, _ = recv_message(self.sock, deadline)
            fd = None
            if reply.get("op") == "spawned":  # its socket follows, sent right after (read at once: in step)
                _, fds, _, _ = socket.recv_fds(self.sock, 1, 1)
                fd = fds[0] if fds else None
            uid = self.spawning.pop(reply.get("seq"), None) if fd is not None else None
            if reply.get("seq") == self.seq:
                if reply.get("op") == "spawned" and fd is None:
                    raise ProtocolError("the fork server sent no socket with the worker")
                return reply, fd
            if fd is not None:  # a worker nobody waits for any more
                os.close(fd)
                stale = reply.get("pid")
                if type(stale) is int:
                    send_message(self.sock, {"op": "kill", "pid": stale, "uid": uid, "seq": 0}, [])

    def close(self) -> None:
        try:
            send_message(self.sock, {"op": "exit"}, [])
        except (Closed, OSError):
            pass
        self.sock.close()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


_FORKSERVER: ForkServer | None = None
_FORKSERVER_PID = 0


def fork_server_environment() -> dict[str, str]:
    """The fork server's environment: an allowlist of the grader's (no CI tokens or credentials)."""
    env = {k: v for k, v in os.environ.items() if k in _ENV_KEPT or k.startswith(("LC_", "WORKBOOK_"))}
    env.update(MPLBACKEND="Agg", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               MKL_NUM_THREADS="1", NUMEXPR_NUM_THREADS="1", PYTHONDONTWRITEBYTECODE="1")
    # the worker's messages (a missing file, an import error) in the grader's language, also when
    # it was chosen with --lang rather than the environment
    env["WORKBOOK_LANG"] = get_language()
    path = [str(REPO_ROOT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(path))
    return env


def fork_server() -> ForkServer:
    """The process's fork server (started on first use, stopped at exit)."""
    global _FORKSERVER, _FORKSERVER_PID
    if _FORKSERVER is None or _FORKSERVER_PID != os.getpid() or _FORKSERVER.proc.poll() is not None:
        _FORKSERVER = ForkServer()
        _FORKSERVER_PID = os.getpid()
        atexit.register(_FORKSERVER.close)
    return _FORKSERVER


_SEARCH_PATH: list[str] | None = None


def fork_server_search_path() -> list[str]:
    """The fork server's ``sys.path`` (what a bubblewrap sandbox must show it), asked once."""
    global _SEARCH_PATH
    if _SEARCH_PATH is None:
        done = subprocess.run([sys.executable, "-c", "import json, sys; print(json.dumps(sys.path))"],
                              env=fork_server_environment(), cwd="/", capture_output=True, text=True, timeout=60)
        _SEARCH_PATH = [p for p in json.loads(done.stdout) if isinstance(p, str)] if done.returncode == 0 else []
    return _SEARCH_PATH
