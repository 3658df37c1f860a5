"""The untrusted side of isolated grading: a fork server and the worker that runs student code.

The trusted grader (:mod:`autograder.submission.isolated`) starts one *fork server* per grading process
(``python -m autograder.sandbox FD``). The fork server imports NumPy, SciPy, torch, Matplotlib
and common standard modules once, then forks one *worker* per submission on request, so a worker
starts in milliseconds with everything already imported. Only the trusted grader holds the fork
server's control socket (a socket pair, never a listening socket).

A worker, before it runs any student code:

* starts its own session (process group) and, when the grader runs as root ("root
  namespaces"), private mount, network and IPC namespaces and a root file system of its own
  (``chroot``) that holds only the system directories, the Python installation, the import path,
  the grader package ``autograder/`` and its own copy of the submission (read-only), a ``/proc``
  that shows only its own processes, with any other workbook's ``solutions/``, ``tests/``... hidden
  under empty read-only tmpfs mounts; a worker whose file system cannot be confined this way
  exits before running any student code. When the grader is an ordinary user ("namespaces via
  bwrap"), the fork server itself was started by :func:`bwrap_command` in a bubblewrap sandbox
  made for one submission, which gives the same view;
* sets resource limits: address space, CPU time, file size, number of processes, no core files;
* sends file-descriptor output (1 and 2) to a capped log file, and captures ``sys.stdout`` /
  ``sys.stderr`` in bounded buffers that are returned with every reply;
* works in a size-limited scratch folder (a tmpfs; ``HOME`` and ``TMPDIR`` too) and, when root,
  drops to an unprivileged uid of its own (so it can neither read the grader's files nor signal
  other workers).

Then it serves requests over its socket (:mod:`autograder.submission.codec` messages: import an exercise,
call a function or method, read an attribute...). Objects that are not plain data stay in the
worker and are referred to by handle ids; a returned figure is sent as a plain description
(:mod:`autograder.submission.figdesc`).
"""

from __future__ import annotations

import builtins
import ctypes
import hashlib
import io
import os
import resource
import signal
import socket
import sys
import threading
import traceback
from pathlib import Path
from typing import Any

from ..checks import ruleguard
from .codec import Closed, decode, encode, recv_message, send_message
from ..checks.rules import all_catalogue_keys, all_forbidden
from ..core.exercises import pin

PRELOAD = (
    "math", "cmath", "random", "statistics", "fractions", "decimal", "itertools", "functools",
    "collections", "collections.abc", "heapq", "bisect", "copy", "dataclasses", "typing", "re", "json",
    "string", "textwrap", "warnings", "numbers", "operator", "time", "datetime", "io", "pathlib",
    "contextlib", "enum", "abc", "inspect", "traceback", "pprint", "array", "struct", "unicodedata",
    "csv", "subprocess", "shutil", "tempfile", "pickle", "signal", "threading", "queue", "locale",
    "numpy", "numpy.linalg", "numpy.random", "numpy.testing", "numpy.polynomial",
    "scipy", "scipy.special", "scipy.linalg", "scipy.spatial", "scipy.spatial.distance", "scipy.stats",
    "scipy.optimize", "scipy.integrate",
    "torch", "torch.nn", "torch.nn.functional", "torch.autograd", "torch.func",
    "matplotlib", "matplotlib.pyplot", "matplotlib.patches", "matplotlib.lines", "matplotlib.colors",
    "matplotlib.cm", "matplotlib.ticker", "matplotlib.collections", "matplotlib.contour",
    "matplotlib.figure", "matplotlib.axes", "matplotlib.gridspec", "matplotlib.text",
    "matplotlib_fontja",
    "autograder.submission.loader", "autograder.submission.figdesc",
)

#: Capture limit per stream between two replies (characters).
MAX_OUTPUT = 64 * 1024

_BUILTIN_EXCEPTIONS = {name: obj for name, obj in vars(builtins).items()
                       if isinstance(obj, type) and issubclass(obj, BaseException)}


# --- output capture ------------------------------------------------------------------------------

class _Capped(io.TextIOBase):
    """A text stream that keeps the first MAX_OUTPUT characters written since the last drain."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.parts: list[str] = []
        self.size = 0
        self.dropped = 0
        self.buffer = _CappedBytes(self)

    def writable(self) -> bool:
        return True

    def write(self, s: Any) -> int:
        if not isinstance(s, str):
            raise TypeError(f"write() argument must be str, not {type(s).__name__}")
        s = str.__str__(s)
        room = MAX_OUTPUT - self.size
        if room > 0:
            self.parts.append(s[:room])
            self.size += min(len(s), room)
        self.dropped += max(0, len(s) - max(room, 0))
        return len(s)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def drain(self) -> str:
        text = "".join(self.parts)
        if self.dropped:
            text += f"\n... ({self.dropped} characters dropped / {self.dropped} 文字を省略)\n"
        self.parts, self.size, self.dropped = [], 0, 0
        return text


class _CappedBytes:
    def __init__(self, text: _Capped) -> None:
        self._text = text

    def write(self, b: Any) -> int:
        data = bytes(b)
        self._text.write(data.decode("utf-8", errors="replace"))
        return len(data)

    def flush(self) -> None:
        pass


# --- the worker ----------------------------------------------------------------------------------

class _TrustedRef:
    """A callable living in the grader (e.g. a gradient function a test passes in)."""

    __slots__ = ("_server", "_id", "__weakref__")

    def __init__(self, server: "WorkerServer", ident: int) -> None:
        self._server = server
        self._id = ident

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._server.request({"op": "call", "cb": self._id}, args, kwargs)

    def __repr__(self) -> str:
        return f"<grader callable #{self._id}>"


class RemoteError(Exception):
    """An exception raised by the grader while running a callback (seen by student code)."""


class WorkerServer:
    """Serves the grader's requests on ``sock`` for the submission copy at ``root``."""

    def __init__(self, sock: socket.socket, root: Path, original: Path, log_path: Path | None) -> None:
        from .loader import Submission

        self.baseline: GlobalState | None = None  # taken once the worker's streams are in place
        self.sock = sock
        self.root = root
        self.original = original
        self.submission = Submission(root)
        self.handles: dict[int, Any] = {}
        self.by_obj: dict[int, int] = {}
        self.next_id = 1
        self.fig_tokens: dict[int, int] = {}
        self.axes_args: list[tuple[int, Any]] = []
        self.socket_lock = threading.RLock()
        self.reply_figures: dict[int, Any] = {}  # pyplot figures described in the reply being made
        self.arg_figures: dict[int, int] = {}  # pyplot number -> token of a figure mirroring a test's Axes
        self.next_rid = 1
        self.log_path = log_path
        self.log_pos = 0
        self.stdout = _Capped("<stdout>")
        self.stderr = _Capped("<stderr>")

    # encoding ------------------------------------------------------------------------------------
    def _fallback(self, value: Any, buffers: list[bytes]) -> Any:
        from matplotlib.axes import Axes
        from matplotlib.figure import Figure

        from .figdesc import describe_figure

        if isinstance(value, Figure):
            token = self.fig_tokens.get(id(value))
            if token is not None:
                return {"T": "figref", "id": token}
            num = _pyplot_number(value)
            if num is not None:  # a pyplot figure: the grader keeps a pyplot mirror of it
                self.reply_figures[num] = value
                return {"T": "pfig", "num": num}
            return {"T": "fig", "d": encode(describe_figure(value), buffers, self._no_handles)}
        if isinstance(value, Axes) and value.figure is not None:
            fig = value.figure
            index = list(fig.axes).index(value) if value in fig.axes else 0
            token = self.fig_tokens.get(id(fig))
            if token is not None:
                return {"T": "axref", "id": token, "i": index}
            return {"T": "axes", "fig": self._fallback(fig, buffers), "i": index}
        if isinstance(value, _TrustedRef):
            return {"T": "cb", "id": value._id}
        hid = self.by_obj.get(id(value))
        if hid is None:
            hid = self.next_id
            self.next_id += 1
            self.handles[hid] = value
            self.by_obj[id(value)] = hid
        t = type(value)
        return {"T": "h", "id": hid, "mod": str(getattr(t, "__module__", "?"))[:100],
                "name": str(getattr(t, "__qualname__", "?"))[:100], "callable": callable(value)}

    @staticmethod
    def _no_handles(value: Any, buffers: list[bytes]) -> Any:
        return None

    def encode_all(self, value: Any) -> tuple[Any, list[bytes]]:
        buffers: list[bytes] = []
        return encode(value, buffers, self._fallback), buffers

    def _tags(self, obj: dict) -> Any:
        kind = obj.get("T")
        if kind == "h":
            return self.handles[obj["id"]]
        if kind == "cb":
            return _TrustedRef(self, int(obj["id"]))
        if kind == "axarg":
            import matplotlib.pyplot as plt

            n = max(1, min(int(obj.get("n", 1)), 64))
            fig = plt.figure()  # a pyplot figure, like the test's own (plt.subplots)
            axes = [fig.add_subplot(1, n, k + 1) for k in range(n)]
            self.fig_tokens[id(fig)] = int(obj["id"])
            self.axes_args.append((int(obj["id"]), fig))
            self.arg_figures[fig.number] = int(obj["id"])
            return axes[max(0, min(int(obj.get("i", 0)), n - 1))]
        raise ValueError(f"unknown tag {kind!r}")

    def decode(self, obj: Any, buffers: list[bytes]) -> Any:
        return decode(obj, buffers, self._tags)

    # requests ------------------------------------------------------------------------------------
    def _drain_output(self) -> dict:
        out = {"stdout": self.stdout.drain(), "stderr": self.stderr.drain()}
        if self.log_path is not None:
            try:
                with open(self.log_path, "rb") as fh:
                    fh.seek(self.log_pos)
                    data = fh.read(MAX_OUTPUT)
                    self.log_pos = fh.tell()
                if data:
                    out["stderr"] += data.decode("utf-8", errors="replace")
            except OSError:
                pass
        return out

    def reply(self, rid: int, *, ok: Any = None, exc: BaseException | None = None, extra: dict | None = None) -> None:
        header: dict[str, Any] = {"op": "reply", "rid": rid}
        payload = dict(extra or {})
        if exc is None:
            payload["ok"] = ok
        try:
            header["p"], buffers = self.encode_all(payload)
            self._attach_figures(header, buffers)
        except BaseException as err:  # noqa: BLE001 - a value that cannot even be described
            header["p"], buffers, exc = {"T": "dict", "v": []}, [], err
            self.reply_figures = {}
        if exc is not None:
            header["exc"] = self.describe_exception(exc)
        header["out"] = self._drain_output()
        send_message(self.sock, header, buffers)

    def _attach_figures(self, header: dict, buffers: list[bytes]) -> None:
        """Describe, in ``header["figs"]``, the pyplot figures the message opened or refers to."""
        from .figdesc import describe_figure

        try:
            figures = [[num, describe_figure(fig)] for num, fig in sorted(self.reply_figures.items()) if fig is not None]
        finally:
            self.reply_figures = {}
        if figures:
            header["figs"] = encode(figures, buffers, self._no_handles)

    def describe_exception(self, exc: BaseException) -> dict:
        from .loader import ExerciseUnavailable

        try:
            msg = str(exc)[:4000]
        except BaseException:  # noqa: BLE001
            msg = "<the exception's message could not be shown>"
        if isinstance(exc, ExerciseUnavailable):
            return {"name": "ExerciseUnavailable", "module": "autograder.submission.loader", "bases": [], "msg": msg, "frames": []}
        if isinstance(exc, SystemExit):
            msg = f"sys.exit({exc.code!r}) was called" if not msg else f"sys.exit({msg}) was called"
        bases = [c.__name__ for c in type(exc).__mro__ if _BUILTIN_EXCEPTIONS.get(c.__name__) is c]
        frames = []
        root = str(self.root)
        for fr in traceback.extract_tb(exc.__traceback__):
            if fr.filename.startswith(root + os.sep):
                frames.append([str(self.original / os.path.relpath(fr.filename, root)), fr.lineno or 0, fr.name])
        return {"name": type(exc).__qualname__[:100], "module": str(type(exc).__module__)[:100], "bases": bases,
                "msg": msg, "frames": frames[-20:]}

    def request(self, header: dict, args: tuple, kwargs: dict) -> Any:
        """Call back into the grader and serve its requests until the answer arrives.

        Student code may call a grader callable from several threads at once (a thread pool over
        learning rates): one call at a time holds the socket, from its request to its reply (and
        serves the grader's nested requests meanwhile); the other threads wait for their turn.
        """
        with self.socket_lock:
            rid = self.next_rid
            self.next_rid += 1
            header = dict(header, rid=rid)
            header["args"], buffers = self.encode_all([list(args), kwargs])
            self._attach_figures(header, buffers)
            header["out"] = self._drain_output()
            send_message(self.sock, header, buffers)
            return self.serve(until=rid)

    def serve(self, until: int | None = None) -> Any:
        while True:
            try:
                header, buffers = recv_message(self.sock)
            except Closed:
                os._exit(0)
            if header.get("op") == "reply":
                if header.get("rid") != until:
                    continue
                if "exc" in header:
                    e = header["exc"]
                    cls = next((_BUILTIN_EXCEPTIONS[b] for b in e.get("bases") or []
                                if b in _BUILTIN_EXCEPTIONS and issubclass(_BUILTIN_EXCEPTIONS[b], Exception)),
                               RemoteError)
                    raise cls(f"{e.get('name')}: {e.get('msg')}")
                return self.decode(header.get("p"), buffers).get("ok")
            self.handle(header, buffers)

    def handle(self, header: dict, buffers: list[bytes]) -> None:
        rid = header.get("rid", 0)
        for hid in header.get("release") or []:
            obj = self.handles.pop(hid, None)
            if obj is not None:
                self.by_obj.pop(id(obj), None)
        op = header.get("op")
        outer = self.axes_args  # a request nested in a callback has its own Axes arguments
        self.axes_args = []
        figures_before = _pyplot_numbers()
        try:
            try:
                args, kwargs = self.decode(header.get("args", [[], {}]), buffers)
                watched = _arrays_in(args, kwargs)
                result = self.dispatch(op, header, args, kwargs)
            except BaseException as exc:  # noqa: BLE001 - everything the student's code raises is reported
                self.reply(rid, exc=exc, extra=self._after_call(locals().get("watched", []), figures_before))
                return
            self.reply(rid, ok=result, extra=self._after_call(watched, figures_before))
        finally:
            self.axes_args = outer

    def _after_call(self, watched: list, figures_before: set[int]) -> dict:
        from .figdesc import describe_figure

        extra: dict[str, Any] = {}
        changed = []
        for path, arr, before in watched:
            try:
                if arr.tobytes() != before:
                    changed.append([path, arr])
            except Exception:  # noqa: BLE001
                pass
        if changed:
            extra["mutated"] = changed
        if self.axes_args:
            extra["axes"] = [[token, describe_figure(fig)] for token, fig in self.axes_args]
        # pyplot state as the test sees it in local mode: figures the call opened (and left open)
        # get a pyplot mirror in the grader; figures it closed are closed there too
        now = _pyplot_numbers()
        self.reply_figures = {n: _pyplot_figure(n) for n in sorted(now - figures_before - set(self.arg_figures))}
        closed = sorted(figures_before - now)
        if closed:
            extra["closed_figures"] = [[n, self.arg_figures.get(n)] for n in closed]
        return extra

    def dispatch(self, op: str, header: dict, args: list, kwargs: dict) -> Any:
        if op == "import":
            name = str(header["name"])
            module = self.submission.module(name)
            # the digest of the text it ran: the grader's static scan must have read the same text
            text = self.submission.source(name) or ""
            return {"names": {k: v for k, v in vars(module).items() if not k.startswith("_")},
                    "sha256": hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()}
        if op == "rulecheck":  # the run-time check of the "from scratch" rules, for one test
            forbidden, methods, no_overloading = header["key"]
            key = (tuple(map(str, forbidden)), tuple(map(str, methods)), bool(no_overloading))
            ruleguard.start(ruleguard.catalogue(key), self.submission.owns, self.submission.root)
            return None
        if op == "rulecheck_stop":
            return [[h.kind, h.name, h.file, h.line] for h in ruleguard.stop()]
        if op == "ping":
            return "pong"
        if op == "restore":  # the end of a test: undo process-wide changes, as local mode does
            if self.baseline is not None:
                self.baseline.restore()
            self.baseline = GlobalState()
            # figures do not outlive the test that made them (local mode closes the grader's own)
            plt = sys.modules.get("matplotlib.pyplot")
            if plt is not None:
                plt.close("all")
            self.fig_tokens.clear()
            self.arg_figures.clear()
            return None
        target = self.handles[int(header["h"])]
        if op == "call":
            return target(*args, **kwargs)
        if op == "getattr":
            return getattr(target, str(header["name"]))
        if op == "setattr":
            setattr(target, str(header["name"]), args[0])
            return None
        if op == "getitem":
            return target[args[0]]
        if op == "len":
            return len(target)
        if op == "list":
            out = []
            for item in target:
                out.append(item)
                if len(out) > 100_000:
                    break
            return out
        if op in ("float", "int", "index", "bool", "str", "repr"):
            fn = {"float": float, "int": int, "index": lambda v: v.__index__(), "bool": bool, "str": str,
                  "repr": repr}[op]
            value = fn(target)
            return value[:10_000] if isinstance(value, str) else value
        if op == "contains":
            return args[0] in target
        raise ValueError(f"unknown operation {op!r}")


from .guard import GlobalState  # noqa: E402 - after the worker's own definitions


def _pyplot_numbers() -> set[int]:
    """Numbers of the open pyplot figures (none if pyplot was never imported)."""
    plt = sys.modules.get("matplotlib.pyplot")
    return set(plt.get_fignums()) if plt is not None else set()


def _pyplot_figure(num: int) -> Any:
    plt = sys.modules["matplotlib.pyplot"]
    manager = plt._pylab_helpers.Gcf.figs.get(num)  # noqa: SLF001 - no public lookup without creating one
    return manager.canvas.figure if manager is not None else None


def _pyplot_number(fig: Any) -> int | None:
    """The pyplot number of ``fig`` if it is an open pyplot figure (``plt.figure()``), else None."""
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None:
        return None
    for num, manager in list(plt._pylab_helpers.Gcf.figs.items()):  # noqa: SLF001
        if manager.canvas.figure is fig:
            return num
    return None


def _arrays_in(args: Any, kwargs: Any) -> list:
    """(path, array, bytes) for every ndarray argument, at most two containers deep."""
    import numpy as np

    found = []

    def walk(value: Any, path: list, depth: int) -> None:
        if type(value) is np.ndarray:
            found.append((path, value, value.tobytes()))
        elif depth < 3 and type(value) in (list, tuple):
            for i, v in enumerate(value):
                walk(v, path + [i], depth + 1)
        elif depth < 3 and type(value) is dict:
            for k, v in value.items():
                if type(k) in (str, int):
                    walk(v, path + [k], depth + 1)

    walk(list(args), ["a"], 0)
    walk(kwargs, ["k"], 0)
    return found


# --- process set-up ------------------------------------------------------------------------------

_libc = None


def _new_namespaces() -> str | None:
    """Private mount, network and IPC namespaces for this worker; why that failed, or ``None``.

    What the worker may see is then set up by :func:`_confine` (``solutions/``, ``tests/``...
    are hidden there, in the worker's own root file system).
    """
    global _libc
    _libc = _libc or ctypes.CDLL(None, use_errno=True)
    if _libc.unshare(0x00020000 | 0x40000000 | 0x08000000) != 0:  # CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC
        return f"unshare failed (errno {ctypes.get_errno()})"
    if _libc.mount(b"none", b"/", None, _MS_REC | (1 << 18), None) != 0:  # MS_PRIVATE
        return f"mount --make-rprivate failed (errno {ctypes.get_errno()})"
    return None


# mount(2) flags
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_REMOUNT, _MS_BIND, _MS_REC = 1, 2, 4, 32, 4096, 16384

#: The empty directory each worker mounts its own root file system on (made by the fork server).
FS_ROOT: str | None = None


#: The workbook's folders a worker must never see (hidden in any workbook found in its view).
HIDDEN_DIRS = ("solutions", "tests", "selftests", "course", ".git", "reports", "benchmarks")
_REPO = str(Path(__file__).resolve().parents[2])


def read_only_paths(search_path: list[str]) -> list[str]:
    """What a worker may read: the system, the Python installation and import path (``search_path``,
    the fork server's ``sys.path``), and of this repository only the grader package ``autograder/``
    (never the repository's root, its solutions, tests or anything else kept next to them).
    """
    paths = ["/usr", "/etc", "/sys", sys.base_prefix, sys.prefix, sys.exec_prefix, os.path.join(_REPO, "autograder")]
    for p in search_path:
        if not p or not os.path.isabs(p):
            continue
        real = os.path.realpath(p)
        # "/": the fork server's working folder; the repository: its grader package only
        if real in ("/", _REPO) or any(real == os.path.join(_REPO, d) or real.startswith(os.path.join(_REPO, d) + "/")
                                       for d in HIDDEN_DIRS):
            continue
        paths.append(p)
    return paths


def _read_only_paths() -> list[str]:
    return read_only_paths(sys.path)


def bwrap_command(bwrap: str, *, search_path: list[str], frozen: list[str], scratch: str, scratch_mb: int,
                  log: str, disable_userns: bool = False) -> list[str]:
    """The ``bwrap`` command line that confines a fork server and its workers (the grader is not root).

    bubblewrap gives the unprivileged process its own user, mount, PID, IPC, network and UTS
    namespaces and a new root file system holding only: read-only binds of
    :func:`read_only_paths` and of ``frozen`` (the submission's copy), a size-limited tmpfs at
    ``scratch`` (``scratch_mb`` MiB, the worker's working folder), the log file ``log``, fresh
    ``/proc`` and ``/dev``, a small ``/tmp`` and ``/dev/shm``. Any workbook found in that view
    has its :data:`HIDDEN_DIRS` covered by empty read-only tmpfs. When the grader ends, so does
    every process in the sandbox (``--die-with-parent`` and the PID namespace).
    """
    # --as-pid-1: the fork server is the init of the PID namespace, which its workers cannot kill
    args = [bwrap, "--unshare-user", "--unshare-ipc", "--unshare-pid", "--as-pid-1", "--unshare-net", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session"]
    if disable_userns:
        args.append("--disable-userns")
    read_only = read_only_paths(search_path)
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        host = "/" + name
        if os.path.islink(host):
            args += ["--symlink", os.readlink(host), host]
        elif os.path.isdir(host):
            read_only.append(host)
    own = [os.path.realpath(p) for p in (*frozen, scratch, log)]
    bound = [p for p in _outermost(read_only) if not any(q == p or q.startswith(p.rstrip("/") + "/") for q in own)]
    # mounts are made in this order: /tmp first, so that binds of paths below it (a workbook or
    # an import path under /tmp) stay visible on top of it
    args += ["--proc", "/proc", "--dev", "/dev", "--size", str(16 << 20), "--tmpfs", "/dev/shm",
             "--size", str(64 << 20), "--tmpfs", "/tmp"]
    for path in bound:
        if path not in ("/proc", "/dev", "/tmp"):
            args += ["--ro-bind", path, path]
    for path in frozen:
        args += ["--ro-bind", path, path]
    args += ["--size", str(max(1, scratch_mb) << 20), "--tmpfs", scratch, "--bind", log, log]
    for path in bound:  # another workbook in view (e.g. on the import path): its solutions and tests hidden
        if os.path.isdir(os.path.join(path, "autograder")):
            for name in HIDDEN_DIRS:
                target = os.path.join(path, name)
                if os.path.isdir(target):
                    args += ["--tmpfs", target, "--remount-ro", target]
    # the sandbox's own root (a tmpfs with no size limit, holding the mount points) is read-only:
    # the scratch space, /tmp and /dev/shm are the only places a worker can write
    return args + ["--remount-ro", "/", "--chdir", "/"]


def _outermost(paths: list[str]) -> list[str]:
    """Real, existing, de-duplicated paths, leaving out those inside another one of them."""
    real = sorted({os.path.realpath(p) for p in paths if os.path.exists(p)})
    kept: list[str] = []
    for p in real:
        if not any(p == k or p.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(p)
    return kept


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    if _libc.mount(None if source is None else source.encode(), target.encode(),
                   None if fstype is None else fstype.encode(), flags,
                   None if data is None else data.encode()) != 0:
        raise OSError(ctypes.get_errno(), f"mount {source} on {target} failed")


def _confine(scratch: str, scratch_mb: int, hide: list[str], frozen: tuple[str, ...] = ()) -> list[str]:
    """Change root to a new file system that holds only what the worker needs. Returns problems.

    Inside the worker's private mount namespace (see :func:`_new_namespaces`), a tmpfs on :data:`FS_ROOT`
    gets read-only bind mounts of :func:`_read_only_paths` and of the ``frozen`` folders (its copy
    of the submission: what the grader scanned is what runs, and one exercise cannot rewrite
    another's file), a size-limited tmpfs at ``scratch`` (``scratch_mb`` MiB: the worker's working
    folder; nothing it writes reaches the host's disk), ``/dev`` and ``/proc``, a small ``/tmp``
    and ``/dev/shm``, and the host's ``/bin``, ``/lib``... links; every workbook found there has its
    ``hide`` directories (``solutions/``, ``tests/``...) covered by empty read-only tmpfs. Nothing
    else of the machine (other copies of the workbook, home directories, the grader's reports,
    other students' copies) exists after ``chroot``.
    """
    if FS_ROOT is None or not os.path.isdir(FS_ROOT):
        return ["no root directory for the worker's file system"]
    new = FS_ROOT
    try:
        _mount("tmpfs", new, "tmpfs", _MS_NOSUID | _MS_NODEV, "size=1m,mode=0755")
        for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
            host = "/" + name
            if os.path.islink(host):
                os.symlink(os.readlink(host), os.path.join(new, name))
        # /tmp first: the worker's own copy lives under the host's /tmp and is bound over it below
        os.makedirs(new + "/tmp", exist_ok=True)
        _mount("tmpfs", new + "/tmp", "tmpfs", _MS_NOSUID | _MS_NODEV, "size=64m,mode=1777")
        own = [os.path.realpath(p) for p in (*frozen, scratch)]
        # never a folder that holds the new root or the copies (the fork server's sys.path[0]
        # is its cwd, "/"; a PYTHONPATH of /tmp would bring in every other worker's copy)
        read_only = _outermost([p for p in _read_only_paths() if os.path.exists(p) and not any(
            (q + "/").startswith(os.path.realpath(p).rstrip("/") + "/") for q in [os.path.realpath(new), *own])])
        for path, flags in [(p, _MS_RDONLY) for p in read_only] + [("/dev", 0)]:
            target = new + path
            if os.path.isdir(path):
                os.makedirs(target, exist_ok=True)
            else:
                os.makedirs(os.path.dirname(target), exist_ok=True)
                open(target, "a").close()
            _mount(path, target, None, _MS_BIND | _MS_REC)
            if flags & _MS_RDONLY:
                _mount(None, target, None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY | _MS_NOSUID)
        # a /proc that shows the worker only its own processes (each worker has a uid of its own)
        os.makedirs(new + "/proc", exist_ok=True)
        _mount("proc", new + "/proc", "proc", _MS_NOSUID | _MS_NODEV | 8, "hidepid=invisible")  # 8: MS_NOEXEC
        for path in frozen:
            os.makedirs(new + path, exist_ok=True)
            _mount(path, new + path, None, _MS_BIND | _MS_REC)
            _mount(None, new + path, None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY | _MS_NOSUID)
        os.makedirs(new + scratch, exist_ok=True)
        _mount("tmpfs", new + scratch, "tmpfs", _MS_NOSUID | _MS_NODEV, f"size={max(1, scratch_mb)}m,mode=0777")
        if os.path.isdir(new + "/dev/shm"):  # the host's shared memory is not the worker's to fill
            _mount("tmpfs", new + "/dev/shm", "tmpfs", _MS_NOSUID | _MS_NODEV, "size=16m,mode=1777")
        # a workbook (this one, or another copy on the import path), also one inside a bound folder
        for path in sorted({os.path.realpath(p) for p in _read_only_paths()}):
            if os.path.isdir(os.path.join(new + path, "autograder")):
                for name in hide:
                    target = os.path.join(new + path, name)
                    if os.path.isdir(target):
                        _mount("tmpfs", target, "tmpfs", 1 | 2 | 4 | 8, "size=4k,mode=0555")
        os.chroot(new)
        os.chdir("/")
    except OSError as exc:
        return [f"confining the worker's file system failed: {exc}"]
    return []


def _vm_size() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run_worker(sock: socket.socket, spec: dict) -> None:
    """Set up the sandbox described by ``spec`` in this (forked) process and serve requests."""
    os.setsid()
    try:  # under memory pressure the kernel kills a worker, never the grader
        Path("/proc/self/oom_score_adj").write_text("1000")
    except OSError:
        pass
    root = Path(spec["root"])
    pin(spec["exercises"])  # discovered by the grader: tests/ is out of the worker's view
    uid, gid = spec.get("uid"), spec.get("gid")
    # "root": the worker confines itself (namespaces, chroot, its own uid); "bwrap": the fork server
    # already runs in a bubblewrap sandbox made for this submission
    confine = spec.get("confinement") == "root" and bool(spec.get("hide")) and os.geteuid() == 0
    if confine:
        problem = _new_namespaces()
        if problem is not None:  # the grader found namespaces working: never run unconfined instead
            os.write(2, f"cannot confine the worker: {problem}\n".encode())
            os._exit(71)
    limits = spec.get("limits", {})
    mem = int(limits.get("memory_mb", 2048)) * 1024 * 1024
    cpu = int(limits.get("cpu_s", 600))
    fsize = int(limits.get("file_mb", 16)) * 1024 * 1024
    for res, value in ((resource.RLIMIT_AS, _vm_size() + mem if mem > 0 else -1),
                       (resource.RLIMIT_CPU, cpu),
                       (resource.RLIMIT_FSIZE, fsize),
                       (resource.RLIMIT_CORE, 0)):
        if value is None or value < 0:
            continue
        try:
            resource.setrlimit(res, (value, value))
        except (ValueError, OSError):
            pass
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    log_path = Path(spec["log"]) if spec.get("log") else None
    if log_path is not None:
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    scratch = Path(spec.get("scratch") or root.parent)
    # the run-time check of the rules, set up before any submission code runs in this worker, and
    # before the worker loses the view of the file system (what it imports, it imports now)
    ruleguard.prepare(all_forbidden(), all_catalogue_keys())
    if confine:
        names = sorted({Path(p).name for p in spec["hide"]})
        problems = _confine(str(scratch), int(limits.get("scratch_mb", 128)), names, frozen=(str(root),))
        if problems:  # never run student code with the grader's whole file system in view
            os.write(2, ("\n".join(problems) + "\n").encode())
            os._exit(71)
    drop = uid is not None and os.geteuid() == 0
    # processes are counted per uid (as root, the worker's own) or per user namespace (bwrap's)
    if drop or spec.get("confinement") == "bwrap":
        nproc = int(limits.get("processes", 64))
        try:
            resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
        except (ValueError, OSError):
            pass
    if drop:
        os.setgroups([])
        os.setgid(int(gid))
        os.setuid(int(uid))
    try:  # no setuid binaries, no ptrace of others
        ctypes.CDLL(None).prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS
    except Exception:  # noqa: BLE001
        pass
    # the working folder is the scratch space: a student's savefig("x.png") or open("out.txt", "w")
    # works there (and is thrown away), as it does in local mode's throwaway folder
    os.chdir(scratch)
    home = str(scratch)
    os.environ.update(HOME=home, TMPDIR=home, MPLCONFIGDIR=home, MPLBACKEND="Agg")
    sys.path[:] = [p for p in sys.path if p not in ("", ".", os.getcwd())]
    try:
        import torch

        torch.set_num_threads(1)
    except Exception:  # noqa: BLE001
        pass
    server = WorkerServer(sock, root, Path(spec["original"]), log_path)
    sys.stdout, sys.stderr = server.stdout, server.stderr
    sys.stdin = io.StringIO("")
    server.baseline = GlobalState()
    try:
        server.serve()
    finally:
        os._exit(0)


# --- the fork server -----------------------------------------------------------------------------

def _kill_uid(uid: int) -> None:
    """Kill every process of ``uid`` (forks a helper that takes that uid and signals -1)."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            _kill_all_others()
        finally:
            os._exit(0)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def _kill_all_others() -> None:
    """Freeze, then kill, every process this one may signal but itself (``kill(-1)``): all of a
    worker uid's processes, or, inside a submission's PID namespace, whatever its workers left
    behind. A fork bomb replaces every killed process at once: stopped processes cannot fork (and
    the process limit keeps new ones from appearing), so all are frozen first, then killed."""
    for sig in (signal.SIGSTOP,) * 8 + (signal.SIGKILL,) * 3:
        try:
            os.kill(-1, sig)
        except ProcessLookupError:
            break


def forkserver_main(ctrl_fd: int) -> None:
    """Preload modules, then fork workers on the grader's requests (control socket ``ctrl_fd``).

    When the grader goes away (its end of the socket closes, even in the middle of a reply), every
    worker is killed and the fork server exits quietly.
    """
    spawned: list[tuple[int, int | None]] = []

    def kill_all() -> None:
        # the grader is gone (even killed): no worker or process of a worker may outlive it
        for pid, uid in spawned:
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            if uid is not None and os.geteuid() == 0:
                _kill_uid(uid)

    global FS_ROOT
    import tempfile

    try:  # workers (same uid in a bubblewrap sandbox) can neither ptrace nor read the memory of this process
        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0
    except Exception:  # noqa: BLE001
        pass

    FS_ROOT = tempfile.mkdtemp(prefix="workbook-fsroot-")
    os.chmod(FS_ROOT, 0o755)
    try:
        _forkserver_loop(ctrl_fd, spawned)
    except (Closed, OSError):
        pass
    kill_all()
    try:
        os.rmdir(FS_ROOT)
    except OSError:
        pass
    os._exit(0)


def _forkserver_loop(ctrl_fd: int, spawned: list[tuple[int, int | None]]) -> None:
    import importlib
    import warnings

    os.environ.setdefault("MPLBACKEND", "Agg")
    warnings.filterwarnings("ignore")
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - optional modules
            pass
    import matplotlib

    matplotlib.use("Agg", force=True)
    warnings.resetwarnings()
    warnings.simplefilter("ignore", ResourceWarning)  # Python's default; resetwarnings() dropped it
    ctrl = socket.socket(fileno=ctrl_fd)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped automatically
    # As the init of a bubblewrap PID namespace, a signal from a worker reaches this process only
    # if it has a handler: none (SIGKILL and SIGSTOP from inside never reach an init).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    send_message(ctrl, {"op": "ready", "pid": os.getpid()}, [])
    while True:
        header, _ = recv_message(ctrl)  # Closed when the grader has gone: the caller cleans up
        op = header.get("op")
        if op == "spawn":
            parent_end, child_end = socket.socketpair()
            pid = os.fork()
            if pid == 0:
                try:
                    ctrl.close()
                    parent_end.close()
                    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                    run_worker(child_end, header["spec"])
                finally:
                    os._exit(70)
            child_end.close()
            uid = header["spec"].get("uid")
            spawned.append((pid, None if uid is None else int(uid)))
            send_message(ctrl, {"op": "spawned", "pid": pid}, [])
            socket.send_fds(ctrl, [b"F"], [parent_end.fileno()])
            parent_end.close()
        elif op == "kill":
            pid, uid = header.get("pid"), header.get("uid")
            if uid is not None and os.geteuid() == 0:
                _kill_uid(int(uid))
            for fn, arg in ((os.killpg, pid), (os.kill, pid)):
                try:
                    fn(int(arg), signal.SIGKILL)
                except (ProcessLookupError, PermissionError, TypeError, ValueError):
                    pass
            if os.getpid() == 1:  # the init of this submission's own PID namespace (bubblewrap):
                _kill_all_others()  # every other process in it is the student's
            send_message(ctrl, {"op": "killed"}, [])
        elif op == "exit":
            return


if __name__ == "__main__":
    forkserver_main(int(sys.argv[1]))
