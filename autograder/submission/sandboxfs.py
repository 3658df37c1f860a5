"""How a worker is confined (the untrusted side of isolated grading, :mod:`autograder.submission.sandbox`):
its own namespaces and root file system when the grader is root (mounts, ``chroot``), or the
``bwrap`` command line that gives a fork server the same view when the grader is an ordinary user.
The trusted grader imports only :data:`HIDDEN_DIRS` and :func:`bwrap_command` from here."""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path

_libc = None


def new_namespaces() -> str | None:
    """Private mount, network and IPC namespaces for this worker; why that failed, or ``None``.

    What the worker may see is then set up by :func:`confine_fs` (``solutions/``, ``tests/``...
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
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC, _MS_REMOUNT, _MS_BIND, _MS_REC = 1, 2, 4, 8, 32, 4096, 16384
#: The flags of every place the worker can write, and of its copy of the submission: no device files,
#: no set-user-ID programs, and no native code (the kernel refuses to map a file there as executable:
#: a compiled module or library the submission brings or writes cannot be loaded, whatever the route)
_NO_EXEC = _MS_NOSUID | _MS_NODEV | _MS_NOEXEC

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
    for link, target in symlinks_on_the_way(read_only, bound):
        args += ["--symlink", target, link]
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


def symlinks_on_the_way(paths: list[str], bound: list[str]) -> list[tuple[str, str]]:
    """The symbolic links a worker needs to reach ``paths`` by the names the grader uses for them.

    Only real paths are bound into the worker's view (:func:`_outermost`), but the import path,
    ``sys.prefix`` and what libraries remember (a font file's path) may name them through a link: a
    ``.venv`` that links to a shared environment, a linked home folder. Without the link, a module
    the worker imports later is missing there and honest code fails only in isolated mode.

    Args:
        paths: absolute paths as the grader names them (:func:`read_only_paths`).
        bound: the real paths bound into the worker's view (links inside them exist there already).

    Returns:
        ``(link, target)`` pairs, outermost first: ``link`` is an absolute path outside ``bound``
        that is a symbolic link on the host, ``target`` what it reads (``os.readlink``). A link
        whose target is itself reached through a link brings that one too (at most 40 hops).
    """
    found: dict[str, str] = {}
    todo = [os.path.abspath(p) for p in paths if p and os.path.isabs(p)]
    hops = 0
    while todo and hops < 40 * max(1, len(paths)):
        hops += 1
        path = todo.pop()
        parts = path.strip("/").split("/")
        for i in range(1, len(parts) + 1):
            prefix = "/" + "/".join(parts[:i])
            if any(prefix == b or prefix.startswith(b.rstrip("/") + "/") for b in bound):
                break  # inside a bound tree: its links are there already
            if os.path.islink(prefix):
                if prefix not in found:
                    target = os.readlink(prefix)
                    found[prefix] = target
                    todo.append(os.path.normpath(os.path.join(os.path.dirname(prefix), target)))
                break  # what lies below is reached through the link's target
    return sorted(found.items(), key=lambda item: item[0].count("/"))


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    if _libc.mount(None if source is None else source.encode(), target.encode(),
                   None if fstype is None else fstype.encode(), flags,
                   None if data is None else data.encode()) != 0:
        raise OSError(ctypes.get_errno(), f"mount {source} on {target} failed")


def confine_fs(scratch: str, scratch_mb: int, hide: list[str], frozen: tuple[str, ...] = ()) -> list[str]:
    """Change root to a new file system that holds only what the worker needs. Returns problems.

    Inside the worker's private mount namespace (see :func:`new_namespaces`), a tmpfs on :data:`FS_ROOT`
    gets read-only bind mounts of :func:`_read_only_paths` and of the ``frozen`` folders (its copy
    of the submission: what the grader scanned is what runs, and one exercise cannot rewrite
    another's file), a size-limited tmpfs at ``scratch`` (``scratch_mb`` MiB: the worker's working
    folder; nothing it writes reaches the host's disk), ``/dev`` and ``/proc``, a small ``/tmp``
    and ``/dev/shm``, and the host's ``/bin``, ``/lib``... links (the copy, the scratch space, ``/tmp`` and
    ``/dev/shm`` mounted ``noexec``); every workbook found there has its
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
        _mount("tmpfs", new + "/tmp", "tmpfs", _NO_EXEC, "size=64m,mode=1777")
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
            _mount(None, new + path, None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY | _NO_EXEC)
        for link, target in symlinks_on_the_way(_read_only_paths(), read_only):
            if not os.path.lexists(new + link):  # the name the grader uses (a linked .venv) works here too
                os.makedirs(os.path.dirname(new + link), exist_ok=True)
                os.symlink(target, new + link)
        os.makedirs(new + scratch, exist_ok=True)
        _mount("tmpfs", new + scratch, "tmpfs", _NO_EXEC, f"size={max(1, scratch_mb)}m,mode=0777")
        if os.path.isdir(new + "/dev/shm"):  # the host's shared memory is not the worker's to fill
            _mount("tmpfs", new + "/dev/shm", "tmpfs", _NO_EXEC, "size=16m,mode=1777")
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
