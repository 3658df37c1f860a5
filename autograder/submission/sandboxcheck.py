"""``workbook-batch --check-sandbox`` (and ``python -m autograder.isolated``): check the isolated
workers' confinement on this machine as a hostile submission would test it.
"""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile
import time
from pathlib import Path

from ..core.paths import REPO_ROOT
from .confinement import confinement
from .isolated import IsolatedSubmission


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
    # a kernel key, made by a child process (the worker refuses ctypes to the submission's own code) in
    # its own process keyring, which ends with it: keys are shared by every uid and outlive processes,
    # so a key would carry data from one worker to the next
    found["keyring"] = None
    number = {"x86_64": 248, "aarch64": 217}.get(__import__("platform").machine())  # add_key
    if number is not None:
        code = ("import ctypes; libc = ctypes.CDLL(None, use_errno=True); libc.syscall.restype = ctypes.c_long; "
                f"print(libc.syscall(ctypes.c_long({number}), b'user', b'workbook-sandbox-check', b'x', "
                "ctypes.c_size_t(1), ctypes.c_int(-2)))")  # -2: KEY_SPEC_PROCESS_KEYRING
        try:
            made = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
            found["keyring"] = int(made.stdout.strip()) >= 0
        except (OSError, ValueError, subprocess.SubprocessError):
            pass  # not tried: said so
    with open("scratch-check.txt", "w") as fh:  # the working folder is writable
        fh.write("ok")
    return found
'''


def check_sandbox() -> tuple[bool, list[str]]:
    """Check the isolated workers' confinement on this machine, as a hostile submission would test it.

    A probe submission runs in a real worker and tries to read the reference solutions, the
    graded tests and the grader's home folder, to write into the grader's home, the repository
    and the host's ``/tmp``, to connect to a port this process listens on (loopback) and to store a
    kernel key (x86_64 and aarch64), and counts the processes it can see; it must be able to write
    to its own working folder.

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
        (found["keyring"] is not True, "cannot store a kernel key (add_key refused)" + (
            "" if found["keyring"] is not None else ": could not be tried here"), "カーネルのキーを作れない"),
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
