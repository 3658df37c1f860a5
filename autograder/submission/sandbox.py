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
  bwrap"), the fork server itself was started by :func:`autograder.submission.sandboxfs.bwrap_command`
  in a bubblewrap sandbox
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

This module is the fork server and a worker's set-up; the request loop is in
:mod:`autograder.submission.sandboxserver`, the confinement (mounts, ``chroot``, the ``bwrap``
command line) in :mod:`autograder.submission.sandboxfs`.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import faulthandler
import gc
import getpass
import io
import os
import resource
import signal
import socket
import sys
import tempfile
from pathlib import Path

from ..checks import ruleguard
from ..checks.rules import all_catalogue_keys, all_forbidden
from ..core.exercises import pin
from . import sandboxfs
from .codec import Closed, recv_message, send_message
from .guard import GlobalState
from .sandboxfs import confine_fs, new_namespaces
from .sandboxserver import WorkerServer

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


def _vm_size() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


#: Per machine: (the kernel's audit architecture, the numbers of add_key, request_key and keyctl).
KEYRING_SYSCALLS = {"x86_64": (0xC000003E, (248, 249, 250)), "aarch64": (0xC00000B7, (217, 218, 219))}


def deny_keyrings() -> bool:
    """Refuse the kernel's key-management system calls (``add_key``, ``request_key``, ``keyctl``) to this
    process and everything it starts, with ``EPERM``: a seccomp filter, which no process can remove.

    Kernel keyrings are not confined by the mount, network, IPC or PID namespaces of a root-confined
    worker, and keys outlive the processes that made them: red team round 11 saved a test's hidden
    inputs in a key and read them back on the student's page (a later worker, another uid), and one
    student's code in another's worker. Nothing the workbook's libraries do needs keys. Also refused:
    system calls of another architecture's calling convention (i386's ``int 0x80``, x32), which would
    reach the same calls under other numbers. Needs ``PR_SET_NO_NEW_PRIVS`` first (set by the caller).

    Returns:
        True when the filter is in place; False on a machine or kernel without it (the README says so).
    """
    import platform

    found = KEYRING_SYSCALLS.get(platform.machine())
    if found is None:
        return False
    arch, (add_key, request_key, keyctl) = found
    load, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06  # BPF_LD|W|ABS, BPF_JMP|JEQ|K, BPF_JMP|JGE|K, BPF_RET|K
    allow, refuse = 0x7FFF0000, 0x00050000 | errno.EPERM  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO
    program = [
        (load, 0, 0, 4),             # 0: seccomp_data.arch
        (jeq, 1, 0, arch),           # 1: this machine's convention: on to 3
        (ret, 0, 0, refuse),         # 2: another convention
        (load, 0, 0, 0),             # 3: seccomp_data.nr
        (jge, 4, 0, 0x40000000),     # 4: x32 (x86_64 only): refused
        (jeq, 3, 0, add_key),        # 5
        (jeq, 2, 0, request_key),    # 6
        (jeq, 1, 0, keyctl),         # 7
        (ret, 0, 0, allow),          # 8
        (ret, 0, 0, refuse),         # 9
    ]

    class SockFilter(ctypes.Structure):
        _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(SockFilter))]

    filters = (SockFilter * len(program))(*[SockFilter(*item) for item in program])
    fprog = SockFprog(len(program), ctypes.cast(filters, ctypes.POINTER(SockFilter)))
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(22, 2, ctypes.byref(fprog), 0, 0) == 0  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER
    except Exception:  # noqa: BLE001 - no seccomp here
        return False


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
        problem = new_namespaces()
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
    log_read: int | None = None
    if log_path is not None:
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
        # the server forwards what is written there with its replies: opened now, while the
        # worker still sees the file and may read it (before chroot and the change of uid)
        log_read = os.open(log_path, os.O_RDONLY | os.O_CLOEXEC)
        # a test out of time: the grader signals the worker before killing it, and the stacks it
        # writes name the line in the time-out's message, as local mode's traceback does (stacks.py)
        faulthandler.register(signal.SIGUSR1, file=2, all_threads=True, chain=False)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    scratch = Path(spec.get("scratch") or root.parent)
    # the run-time check of the rules, set up before any submission code runs in this worker, and
    # before the worker loses the view of the file system (what it imports, it imports now)
    ruleguard.prepare(all_forbidden(), all_catalogue_keys())
    if confine:
        names = sorted({Path(p).name for p in spec["hide"]})
        problems = confine_fs(str(scratch), int(limits.get("scratch_mb", 128)), names, frozen=(str(root),))
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
    deny_keyrings()
    # the working folder is the scratch space: a student's savefig("x.png") or open("out.txt", "w")
    # works there (and is thrown away), as it does in local mode's throwaway folder
    os.chdir(scratch)
    home = str(scratch)
    os.environ.update(HOME=home, TMPDIR=home, MPLCONFIGDIR=home, MPLBACKEND="Agg")
    # tempfile keeps the folder it found first: a library imported by the fork server may have asked
    # already, under the grader's TMPDIR (the batch's private folder, which the worker cannot write)
    tempfile.tempdir = home
    sys.path[:] = [p for p in sys.path if p not in ("", ".", os.getcwd())]
    try:
        import torch

        torch.set_num_threads(1)
    except Exception:  # noqa: BLE001
        pass
    server = WorkerServer(sock, root, Path(spec["original"]), log_read)
    sys.stdout, sys.stderr = server.stdout.stream, server.stderr.stream
    sys.stdin = _no_input()
    server.baseline = GlobalState()
    gc.freeze()  # the grader's objects (and the fork server's imports) out of every collection, as in local mode
    try:
        server.serve()
    finally:
        os._exit(0)


# --- the fork server -----------------------------------------------------------------------------

def _no_input() -> object:
    """What ``sys.stdin`` is during a test in local mode (pytest's capture: reading raises ``OSError``),
    so that code reading input behaves the same in both modes (an empty stream raised ``EOFError``
    here, which honest code catching ``EOFError`` took for an answer: full marks isolated only)."""
    try:
        from _pytest.capture import DontReadFromInput
    except ImportError:  # pragma: no cover - pytest is the grader's own dependency
        return io.StringIO("")
    return DontReadFromInput()


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

    try:  # workers (same uid in a bubblewrap sandbox) can neither ptrace nor read the memory of this process
        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0
    except Exception:  # noqa: BLE001
        pass

    if not os.environ.keys() & {"LOGNAME", "USER", "LNAME", "USERNAME"}:
        # getpass.getuser() reads these, else the password database, where a worker's uid is not
        with contextlib.suppress(KeyError, OSError):
            os.environ["LOGNAME"] = getpass.getuser()  # the grader's name, as local mode gives
    # the empty folder each worker mounts its own root file system on (read by sandboxfs.confine_fs)
    sandboxfs.FS_ROOT = tempfile.mkdtemp(prefix="workbook-fsroot-")
    os.chmod(sandboxfs.FS_ROOT, 0o755)
    try:
        _forkserver_loop(ctrl_fd, spawned)
    except (Closed, OSError):
        pass
    kill_all()
    try:
        os.rmdir(sandboxfs.FS_ROOT)
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
    gc.collect()
    gc.freeze()  # the imports' objects: never traversed by a worker's collections (nor copied on write)
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
            send_message(ctrl, {"op": "spawned", "pid": pid, "seq": header.get("seq")}, [])
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
            send_message(ctrl, {"op": "killed", "seq": header.get("seq")}, [])
        elif op == "exit":
            return


if __name__ == "__main__":
    forkserver_main(int(sys.argv[1]))
