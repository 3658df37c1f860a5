"""Isolated mode (--isolated): the reference gets full marks, the stubs 0; nothing but data crosses the boundary.

That honest and wrong code score the same as in local mode is checked by ``test_differential.py``.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from autograder.core.exercises import points
from conftest import EXERCISES_DIR, SOLUTIONS, make_submission, run_grader


def test_solutions_and_stubs_isolated(tmp_path):
    sol = run_grader(SOLUTIONS, tmp_path / "s", "--isolated")
    assert sol.returncode == 0, sol.output[-3000:]
    assert sol.exercise_scores() == points()
    # the README's numbers of hidden tests are those of the graded tests (a newcomer found them stale)
    hidden = sol.score["extra_data"]["hidden_tests"]
    readme = (SOLUTIONS.parent / "README.md").read_text(encoding="utf-8")
    assert f'"count": {hidden["count"]}, "points": {hidden["points"]:.1f},' in readme
    assert f'out of {sol.score["max_score"] - hidden["points"]:g} points (the {hidden["points"]:g} hidden' in readme
    assert f'{hidden["points"]:g} of the {sol.score["max_score"]:g} points' in readme
    stubs = run_grader(EXERCISES_DIR, tmp_path / "e", "--isolated")
    assert stubs.score["score"] == 0
    assert set(stubs.outcomes().values()) == {"not_implemented"}
    # the student's function is named, as in local mode
    assert any("not implemented: cosine_similarity" in t["output"] for t in stubs.score["tests"])


def test_codec_never_builds_objects():
    from autograder.submission.codec import ProtocolError, decode, encode

    buffers: list[bytes] = []
    value = {"a": [1, 2.5, float("nan")], 3: (np.arange(6.0).reshape(2, 3), np.float32(1.5), True, None, 1j)}
    back = decode(encode(value, buffers, lambda v, b: pytest.fail(repr(v))), buffers, lambda t: pytest.fail(repr(t)))
    assert back["a"][:2] == [1, 2.5] and np.isnan(back["a"][2])
    arr, scalar, flag, none, c = back[3]
    assert type(arr) is np.ndarray and arr.tolist() == [[0, 1, 2], [3, 4, 5]] and type(scalar) is np.float32
    assert flag is True and none is None and c == 1j
    # object dtypes and mismatched sizes are refused; float subclasses are not data
    with pytest.raises(ProtocolError):
        decode({"T": "nd", "dtype": "|O", "shape": [1], "b": 0}, [b"\0" * 8], lambda t: None)
    with pytest.raises(ProtocolError):
        decode({"T": "nd", "dtype": "<f8", "shape": [2], "b": 0}, [b"\0" * 8], lambda t: None)
    seen = []
    encode([type("F", (float,), {})(1.0)], [], lambda v, b: seen.append(v) or None)
    assert len(seen) == 1


def test_codec_carries_strings_and_dates_as_data():
    """A test's ``np.array(["the", "is", "a"])`` reached the submission as a callable reference to the
    grader, and a returned ``np.str_`` came back as a proxy (honest code lost points in isolated mode
    only; a newcomer helper's find). Strings, bytes and dates are data now; objects are not."""
    from autograder.submission.codec import ProtocolError, decode, encode

    no_fallback = lambda v, b: pytest.fail(f"sent as a reference: {v!r}")  # noqa: E731
    values = [np.array(["the", "is", "a"]), np.str_("queen"), np.bytes_(b"ab"), np.array([b"x", b"yz"]),
              np.array(["2024-01-01", "NaT"], dtype="datetime64[D]"), np.timedelta64(3, "s"),
              np.array([["a", "bb"], ["c", "d"]])[:, ::-1], np.array([], dtype="<U3"), np.array(["x"], dtype=">U2")]
    for value in values:
        buffers: list[bytes] = []
        back = decode(encode(value, buffers, no_fallback), buffers, lambda t: pytest.fail(repr(t)))
        assert type(back) is type(value) and back.dtype == value.dtype
        assert np.array_equal(back, value, equal_nan=False) or value.dtype.kind == "M"
    assert str(decode(encode(np.str_("queen"), b := [], no_fallback), b, None)) == "queen"
    # forged: a code point beyond Unicode's, an empty string dtype, an object array
    for dtype, data in (("<U1", b"\xff\xff\xff\x7f"), ("<U0", b""), ("|O", b"\0" * 8)):
        with pytest.raises(ProtocolError):
            decode({"T": "nd", "dtype": dtype, "shape": [1] if data else [0], "b": 0}, [data], lambda t: None)
    seen: list = []
    encode(np.array(["a", 1], dtype=object), [], lambda v, b: seen.append(v) or None)
    assert len(seen) == 1  # not data: its elements could be anything
    # a lone surrogate (bytes read with surrogateescape) in a message: sent as it is (red team round 11:
    # strict UTF-8 ended the worker at every such reply), Japanese text beside it too
    import socket

    from autograder.submission.codec import recv_message, send_message

    left, right = socket.socketpair()
    with left, right:
        text = "読めない [" + b"\xff".decode("utf-8", "surrogateescape") + "]"
        send_message(left, {"msg": text}, [])
        assert recv_message(right)[0] == {"msg": text}


def test_an_array_given_twice_arrives_once():
    """cross_entropy(p, p) with one array: the function gets one array, as in local mode (two arrays in
    the worker made an in-place log change only q there; red team round 5). Its bytes travel once."""
    from autograder.submission.codec import ProtocolError, decode, encode

    p, q = np.arange(3.0), np.ones(2)
    buffers: list[bytes] = []
    sent = encode([[p, p, {"q": q, "p": p}], {"also": q}], buffers, lambda v, b: pytest.fail(repr(v)), memo={})
    assert len(buffers) == 2
    (a, b, d), kw = decode(sent, buffers, lambda t: pytest.fail(repr(t)), seen=[])
    assert a is b is d["p"] and d["q"] is kw["also"] and a is not p and np.array_equal(a, p)
    for forged, seen in (({"T": "same", "i": 0}, []), ({"T": "same", "i": 0}, None), ({"T": "same", "i": "0"}, [a])):
        with pytest.raises(ProtocolError):
            decode(forged, [], lambda t: None, seen=seen)


@pytest.mark.parametrize("mode", ["local", "isolated"])
def test_reading_the_exercise_module_again_does_not_list_the_tests(mode, tmp_path, monkeypatch):
    """The exercise fixture asks for the module on every attribute read (~2,400 times a run): once
    loaded, the module is returned without listing tests/ again (which checking the exercise's
    name does; it cost ~1 s per isolated run)."""
    from autograder.core import exercises
    from autograder.submission.isolated import IsolatedSubmission
    from autograder.submission.loader import Submission
    from conftest import isolated_with

    text = (SOLUTIONS / "ex1_vectors.py").read_text(encoding="utf-8")
    listings: list = []
    real = exercises._listing
    with isolated_with(tmp_path, text) as target:
        if mode == "local":
            target = Submission(target.root)
        assert isinstance(target, Submission if mode == "local" else IsolatedSubmission)
        first = target.module("ex1_vectors")
        monkeypatch.setattr(exercises, "_listing", lambda tests: listings.append(tests) or real(tests))
        for _ in range(20):
            assert target.module("ex1_vectors") is first
        assert listings == []
        with pytest.raises(KeyError):  # a name that is not an exercise is still refused
            target.module("ex99_nothing")
        assert listings != []
        assert float(first.cosine_similarity(np.array([1.0, 0.0]), np.array([1.0, 0.0]))) == pytest.approx(1.0)


def test_a_linked_environment_grades_alike_in_both_modes(tmp_path):
    """Found by a newcomer and a red team alike: with ``.venv`` a symbolic link to a shared
    environment (``ln -s /shared/venv .venv``), the worker's view held only the real paths, so the
    import path named through the link did not exist there: a module the worker had not imported
    before (here ``networkx``, an unused import) failed with ModuleNotFoundError, and figures lost
    their font, in isolated mode only, with no error reported. The worker now gets the links too
    (:func:`autograder.submission.sandboxfs.symlinks_on_the_way`)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from conftest import REPO, make_submission

    linked = tmp_path / "linked-venv"
    linked.symlink_to(Path(sys.prefix), target_is_directory=True)
    python = linked / "bin" / Path(sys.executable).name
    sub = make_submission(tmp_path, {"ex1_vectors": (SOLUTIONS / "ex1_vectors.py").read_text(encoding="utf-8")
                                     + "\nimport networkx as _unused  # an honest, unused import\n"})
    env = dict(os.environ, PYTHONPATH=str(REPO), MPLBACKEND="Agg", WORKBOOK_LANG="both")
    env.pop("PYTEST_ADDOPTS", None)
    outcomes = {}
    for mode in ((), ("--isolated",)):
        score = tmp_path / f"score{len(mode)}.json"
        proc = subprocess.run([str(python), "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist",
                               f"--workbook={sub}", f"--score-report={score}", *mode, "tests/test_ex1_vectors.py"],
                              cwd=REPO, env=env, capture_output=True, text=True, timeout=600,
                              stdin=subprocess.DEVNULL)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
        doc = __import__("json").loads(score.read_text(encoding="utf-8"))
        outcomes[mode] = {t["name"]: t["status"] for t in doc["tests"]}
    assert set(outcomes[()].values()) == {"passed"} and outcomes[()] == outcomes[("--isolated",)]


def test_the_links_a_worker_needs_are_found_outside_what_is_bound(tmp_path):
    """A link to a link (a chain) brings both; a link inside a bound tree is there already."""
    from autograder.submission.sandboxfs import symlinks_on_the_way

    real = tmp_path / "real" / "env"
    (real / "lib").mkdir(parents=True)
    (tmp_path / "hop").symlink_to(real)
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "venv").symlink_to(tmp_path / "hop")
    found = symlinks_on_the_way([str(tmp_path / "home" / "venv" / "lib")], [str(real)])
    assert found == [(str(tmp_path / "hop"), str(real)), (str(tmp_path / "home" / "venv"), str(tmp_path / "hop"))]
    assert symlinks_on_the_way([str(tmp_path / "home" / "venv" / "lib")], [str(tmp_path)]) == []
    assert symlinks_on_the_way([str(real / "lib")], [str(real)]) == []


#: An exercise file that brings native code: a compiled helper module next to it (a copy of the
#: standard library's ``_bisect``, whose init function matches the file name), and a function that
#: writes a shared library into the temporary folder and loads it through numpy's ``ctypes``
#: (no forbidden name in the file) or as an extension module from there.
NATIVE_AT_IMPORT = "from ._bisect import bisect_left\n\ndef cosine_similarity(a, b):\n    return 1.0\n"
NATIVE_AT_CALL = '''
import importlib.util, os, shutil, tempfile
import os
from pathlib import Path

import numpy as np

def cosine_similarity(a, b):
    copy = os.path.join(tempfile.mkdtemp(), "_bisect.so")
    shutil.copy(importlib.util.find_spec("_bisect").origin, copy)
    if float(a[0]) > 0:
        np.ctypeslib.ctypes.CDLL(copy)
    else:
        importlib.util.module_from_spec(importlib.util.spec_from_file_location("_bisect", copy))
    return 1.0
'''


@pytest.mark.parametrize("mode", ["local", "isolated"])
def test_native_code_of_the_submission_is_never_loaded(mode, tmp_path):
    """A compiled module next to the exercises, or one the submission writes and loads at run time
    (ctypes or the import system), would run machine code no check sees. Refused in both modes with
    the same bilingual message (the grader's audit hook; in a root-confined worker the copy and every
    writable place are also ``noexec``); the interpreter's own extension modules still load. Local
    mode runs in a process of its own, prepared as ``pytest --workbook`` prepares (the hook stays)."""
    if mode == "isolated":
        _native_checks(mode, tmp_path)
        return
    import subprocess
    import sys

    code = ("import sys; from pathlib import Path; from autograder.checks import ruleguard; "
            "from autograder.checks.rules import all_forbidden; ruleguard.prepare(all_forbidden()); "
            "import test_isolated; test_isolated._native_checks('local', Path(sys.argv[1])); print('ok')")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SOLUTIONS.parent), str(SOLUTIONS.parent / "selftests")])}
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, env=env,
                         timeout=300)
    assert out.returncode == 0 and out.stdout.strip().endswith("ok"), out.stdout[-2000:] + out.stderr[-3000:]


def _native_checks(mode: str, tmp_path: Path) -> None:
    import importlib.util
    import shutil

    from autograder.submission.isolated import IsolatedSubmission
    from autograder.submission.loader import Submission

    lib = importlib.util.find_spec("_bisect").origin
    for name, text, native in (("a", NATIVE_AT_IMPORT, True), ("b", NATIVE_AT_CALL, False)):
        sub = tmp_path / name
        sub.mkdir()
        (sub / "ex1_vectors.py").write_text(text)
        if native:
            shutil.copy(lib, sub / os.path.basename(lib))
        target = Submission(sub) if mode == "local" else IsolatedSubmission(sub, call_timeout=30)
        try:
            if native:
                with pytest.raises(Exception) as caught:  # noqa: PT011 - the loader's failure type per mode
                    target.module("ex1_vectors")
                assert "Native code (a compiled extension module or shared library) cannot be loaded" in str(
                    caught.value) and "_bisect" in str(caught.value)
                assert "ネイティブコード" in str(caught.value)
                continue
            module = target.module("ex1_vectors")
            for first in (1.0, -1.0):  # ctypes, then the import system
                with pytest.raises(Exception) as caught:  # noqa: PT011
                    module.cosine_similarity(np.array([first, 0.0]), np.array([1.0, 0.0]))
                assert "cannot be loaded while grading" in str(caught.value), str(caught.value)[-600:]
            import lzma  # noqa: F401 - an extension module of the interpreter, not loaded before: allowed
        finally:
            if mode == "isolated":
                target.close()


def test_native_code_loads_without_the_grader(tmp_path):
    """The control of the test above: the same copies load in a plain interpreter."""
    import importlib.util
    import shutil
    import subprocess
    import sys

    lib = importlib.util.find_spec("_bisect").origin
    copy = tmp_path / os.path.basename(lib)
    shutil.copy(lib, copy)
    code = ("import ctypes, importlib.util, sys; ctypes.CDLL(sys.argv[1]); "
            "s = importlib.util.spec_from_file_location('_bisect', sys.argv[1]); "
            "m = importlib.util.module_from_spec(s); print(m.bisect_left([1, 2, 3], 2))")
    out = subprocess.run([sys.executable, "-c", code, str(copy)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1"


LOOP_IN_COSINE = (  # the reference, with cosine_similarity replaced by an endless loop (lines 5-6)
    "from ._ref_ex1_vectors import *  # noqa\n"
    "\n"
    "\n"
    "def cosine_similarity(a, b):\n"
    "    while True:\n"
    "        pass\n"
)


@pytest.mark.parametrize("mode", ["local", "isolated"])
def test_a_time_out_names_the_line_of_the_submission_in_both_modes(mode, tmp_path):
    """A newcomer's finding: local mode said "(ex1_vectors.py, line 250, in analogy)", batch and
    --isolated only "timed out". The worker writes its stacks (faulthandler) when the grader signals
    it, before it is killed."""
    sub = make_submission(tmp_path, replace={"ex1_vectors": LOOP_IN_COSINE})
    shutil.copy(SOLUTIONS / "ex1_vectors.py", sub / "_ref_ex1_vectors.py")
    run = run_grader(sub, tmp_path, "--workbook-timeout=1", "--task", "cosine_similarity", "--workbook-audience=instructor",
                     *(["--isolated"] if mode == "isolated" else []), timeout=600)
    hung = [t for t in run.score["tests"] if t["extra_data"]["task"] == "cosine_similarity"]
    assert hung and {t["extra_data"]["outcome"] for t in hung} == {"timeout"}, run.outcomes()
    for t in hung:  # the loop's line 5 or its body's line 6, wherever the limit found it
        assert re.search(r"\(ex1_vectors\.py, line [56], in cosine_similarity\)", t["output"]), t["output"][:600]


def test_stack_location_reads_only_the_submissions_frames_of_the_calling_thread():
    from autograder.submission.stacks import stack_location

    dump = (
        'Thread 0x00007f00aaaa (most recent call first):\n'
        '  File "/stage/submission/ex1_vectors.py", line 40 in helper_thread\n'
        '  File "/usr/lib/python3.11/threading.py", line 975 in run\n'
        '\n'
        'Current thread 0x00007f00bbbb (most recent call first):\n'
        '  File "/usr/lib/python3/numpy/core/fromnumeric.py", line 88 in _wrapreduction\n'
        '  File "/stage/submission/ex1_vectors.py", line 12 in norm\n'
        '  File "/stage/submission/ex1_vectors.py", line 7 in cosine_similarity\n'
        '  File "/repo/autograder/checks/ruleguard.py", line 900 in call_into\n'
        '  File "/repo/autograder/submission/sandboxserver.py", line 425 in serve\n'
    )
    assert stack_location(dump, "/stage/submission") == ("ex1_vectors.py", 12, "norm")
    # no thread in a call: any thread's innermost frame of the submission
    assert stack_location(dump.replace("call_into", "other"), "/stage/submission") == ("ex1_vectors.py", 40, "helper_thread")
    assert stack_location(dump, "/elsewhere") is None
    assert stack_location("garbage\n" * 5 + 'File "/stage/submission/x.py", line 1 in f', "/stage/submission") is None
    forged = 'Current thread 0x1 (most recent call first):\n  File "/stage/submission/../../etc/passwd", line 1 in f\n'
    assert stack_location(forged, "/stage/submission") is None


def test_graders_running_at_once_never_share_a_worker_uid(monkeypatch):
    """As root each worker runs as a uid of its grader's own (64 per grader, by pid): two graders
    whose pids differ by 100,000 (possible where pid_max is 4,194,304) got the same uids (red team
    round 9), and each would have counted the other's processes as its worker's."""
    from autograder.submission import isolated

    monkeypatch.setattr(isolated.os, "geteuid", lambda: 0)
    uids = {}
    for pid in (1234, 101_234, 4_001_234, 4_194_303):
        monkeypatch.setattr(isolated.os, "getpid", lambda pid=pid: pid)
        uids[pid] = {isolated._worker_uid()[0] for _ in range(64)}
    assert all(len(u) == 64 for u in uids.values())
    seen = [u for group in uids.values() for u in group]
    assert len(seen) == len(set(seen)), "two graders share a worker uid"
    assert max(seen) < 2**32 - 1


def test_sets_and_dicts_too_large_to_rebuild_safely_are_refused():
    """Red team round 10: a reply holding a set of 155,000 integers with one hash (k * (2**61 - 1)) made
    the grader's set() quadratic, one C call no time limit stops (pytest-timeout ended the run). At most
    MAX_HASHED_ITEMS items of a set, frozenset or dict are rebuilt; a larger one goes as an object."""
    from autograder.submission.codec import MAX_HASHED_ITEMS, ProtocolError, decode, encode

    colliding = [k * (2**61 - 1) for k in range(MAX_HASHED_ITEMS + 1)]
    assert len({hash(v) for v in colliding}) == 1
    for kind in ("set", "frozenset"):
        with pytest.raises(ProtocolError, match="more than"):
            decode({"T": kind, "v": colliding}, [], lambda obj: None)
    with pytest.raises(ProtocolError, match="more than"):
        decode({"T": "dict", "v": [[v, 0] for v in colliding]}, [], lambda obj: None)
    small = set(colliding[:100])
    assert decode(encode(small, [], None), [], lambda obj: None) == small
    handed = []
    encode(set(colliding), [], lambda value, buffers: handed.append(value) or {"T": "h", "id": 1})
    assert handed == [set(colliding)]


SHORT_LIVED_CHILDREN = '''
import os
import signal
import time


def cosine_similarity(a, b):
    """Starts N children that each burn 20 ms of CPU and are reaped by the kernel at once (SIGCHLD
    ignored: their times are not added to the parent's), at most 3 alive; returns N."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    started = 0
    try:
        for _ in range(int(a[0])):
            pid = getattr(os, "fo" + "rk")()
            if pid == 0:
                end = time.process_time() + 0.02
                while time.process_time() < end:
                    pass
                os._exit(0)
            started += 1
            time.sleep(0.005)
    finally:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    return float(started)
'''


def test_cpu_of_short_lived_reaped_children_is_counted_where_a_control_group_can_be_made(tmp_path):
    """Red team round 10: children living 20 ms and reaped at once were never seen by the worker's
    0.25 s look at its process tree (~15 % of their CPU counted: a 5 s limit fired after ~19 s of two
    busy cores). Where a control group can be made (root, or a delegated cgroup v2 subtree), the worker
    runs in one of its own, which counts ended processes too."""
    from autograder.submission import cgroups
    from autograder.submission.isolated import IsolatedSubmission

    group = cgroups.create()
    if group is None:
        pytest.skip("no control group can be made here (an ordinary user without delegation): README says what holds")
    group.remove()
    (tmp_path / "ex1_vectors.py").write_text(SHORT_LIVED_CHILDREN)
    target = IsolatedSubmission(tmp_path, call_timeout=60)
    try:
        module = target.module("ex1_vectors")
        assert target.worker is not None and target.worker.group is not None
        before = target.cpu_seconds()
        started = module.cosine_similarity(np.array([60.0]), np.array([1.0]))
        used = target.cpu_seconds() - before
        assert started == 60.0
        assert used >= 0.8 * started * 0.02, (used, started)  # each child burnt 20 ms of CPU
        path = target.worker.group.path
    finally:
        target.close()
    for _ in range(50):  # removed with the worker (once its processes have ended)
        cgroups._retry()
        if not path.exists():
            break
        import time

        time.sleep(0.1)
    assert not path.exists()


KEYRING_PROBE = '''
import subprocess
import sys

_CHILD = r"""
import ctypes, platform
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
nr = {"x86_64": 248, "aarch64": 217}[platform.machine()]
key = libc.syscall(nr, b"user", b"workbook-selftest-key", b"x", 1, ctypes.c_int(-4))
print(key, ctypes.get_errno())
"""


def cosine_similarity(a, b):
    """add_key from a child interpreter (the worker's own ctypes is refused): the errno, or minus the key."""
    out = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True, timeout=120)
    key, err = out.stdout.split()
    return float(err) if int(key) < 0 else -float(key)
'''


def test_a_worker_and_its_children_cannot_use_kernel_keyrings(tmp_path):
    """Red team round 11: kernel keyrings are shared by every uid and outlive processes (namespaces do
    not confine them): a test's hidden inputs saved in a key reached the student's page, and one
    student's code another's worker. A seccomp filter refuses add_key/request_key/keyctl (EPERM) to the
    worker and everything it starts, a new interpreter included (the audit hook does not reach it)."""
    import errno
    import platform

    from autograder.submission.isolated import IsolatedSubmission
    from autograder.submission.sandbox import KEYRING_SYSCALLS

    if platform.machine() not in KEYRING_SYSCALLS:
        pytest.skip(f"no filter on {platform.machine()} (README: what holds)")
    (tmp_path / "ex1_vectors.py").write_text(KEYRING_PROBE)
    target = IsolatedSubmission(tmp_path, call_timeout=120)
    try:
        got = target.module("ex1_vectors").cosine_similarity(np.array([1.0]), np.array([1.0]))
    finally:
        target.close()
    assert got == float(errno.EPERM), f"add_key gave key {-got:g} in the worker's child" if got < 0 else got
