"""The isolated worker's mechanisms, tested directly (issue 9): the copy the worker runs, figure
descriptions that are never cut, pyplot state, thread-safe callbacks, bounded grader memory, and no
state of one submission left in the grader for the next.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder.submission.figdesc import MAX_LINES, FigureTooLarge, build_figure, describe_figure
from autograder.submission.loader import OUTSIDE_LINK
from conftest import SOLUTIONS, isolated_with

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


# --- the worker's copy ----------------------------------------------------------------------------

def test_stage_copy_finds_a_mac_file_name_under_the_spelling_code_types(tmp_path):
    """Red team round 12: a data file zipped on a Mac has an NFD name (``donne\u0301es.csv``); the
    student's code opens ``données.csv`` (NFC), which macOS finds and Linux did not (0 points)."""
    import unicodedata

    from autograder.submission.stage import stage_copy

    sub = tmp_path / "sub"
    (sub / unicodedata.normalize("NFD", "データ")).mkdir(parents=True)
    (sub / unicodedata.normalize("NFD", "données.csv")).write_text("1,2\n", encoding="utf-8")
    (sub / unicodedata.normalize("NFD", "データ") / "x.txt").write_text("x", encoding="utf-8")
    (sub / "café.txt").write_text("nfc", encoding="utf-8")  # both spellings handed in: each its own
    (sub / unicodedata.normalize("NFD", "café.txt")).write_text("nfd", encoding="utf-8")
    dest = tmp_path / "dest"
    stage_copy(sub, dest)
    assert (dest / "données.csv").read_text(encoding="utf-8") == "1,2\n"
    assert (dest / unicodedata.normalize("NFD", "données.csv")).read_text(encoding="utf-8") == "1,2\n"
    assert (dest / "データ" / "x.txt").read_text(encoding="utf-8") == "x"
    assert (dest / "café.txt").read_text(encoding="utf-8") == "nfc"
    assert (dest / unicodedata.normalize("NFD", "café.txt")).read_text(encoding="utf-8") == "nfd"


def test_stage_copy_follows_links_inside_the_submission_only(tmp_path):
    from autograder.submission.stage import stage_copy

    sub = tmp_path / "sub"
    (sub / "src").mkdir(parents=True)
    (sub / "src" / "ex5_backprop.py").write_text("X = 5\n")
    (sub / "ex5_backprop.py").symlink_to(sub / "src" / "ex5_backprop.py")  # absolute, inside
    (sub / "ex1_vectors.py").symlink_to("src/ex5_backprop.py")  # relative, inside
    (sub / "ex3_attention.py").symlink_to(SOLUTIONS / "ex3_attention.py")  # outside
    (sub / "ex4_gradient_descent.py").symlink_to(sub / "missing.py")  # nowhere
    (sub / "loop").symlink_to(sub)  # a folder link back to the submission
    os.mkfifo(sub / "pipe")
    (sub / "__pycache__").mkdir()
    (sub / "__pycache__" / "x.pyc").write_bytes(b"\0")
    dest = tmp_path / "stage"
    notes = stage_copy(sub, dest)
    assert (dest / "ex5_backprop.py").read_text() == "X = 5\n" and not (dest / "ex5_backprop.py").is_symlink()
    assert (dest / "ex1_vectors.py").read_text() == "X = 5\n"
    for name in ("ex3_attention.py", "ex4_gradient_descent.py", "loop"):
        assert os.readlink(dest / name) == OUTSIDE_LINK, name
    assert not (dest / "pipe").exists() and not (dest / "__pycache__").exists()
    assert any("ex3_attention.py" in n for n in notes)
    assert not os.access(dest / "ex5_backprop.py", os.W_OK) or os.geteuid() == 0


def test_a_link_outside_the_submission_is_named_as_such(tmp_path):
    from autograder.submission.loader import Submission

    sub = tmp_path / "sub"
    sub.mkdir()
    shutil.copy(SOLUTIONS / "ex1_vectors.py", sub)
    (sub / "ex2_transforms.py").symlink_to(OUTSIDE_LINK)
    with pytest.raises(Exception, match="outside the submission"):
        Submission(sub).module("ex2_transforms")


# --- figure descriptions ------------------------------------------------------------------------

def test_thousands_of_markers_do_not_hide_the_graded_lines():
    fig, ax = plt.subplots()
    try:
        for x in np.linspace(-1, 5, 50):
            for y in np.linspace(-1, 7, 40):
                ax.plot([x], [y], "o", markersize=1, color="0.8")  # 2,000 one-point lines first
        paths = [np.column_stack([np.linspace(0, 1, 51), np.linspace(k, k + 1, 51)]) for k in range(3)]
        for k, p in enumerate(paths):
            ax.plot(p[:, 0], p[:, 1], "-", label=f"start {k}")
        ax.axline((0, 0), slope=2.0)
        ax.plot([2.0], [3.0], "*", color="red")
        back = build_figure(describe_figure(fig))
    finally:
        plt.close(fig)
    lines = back.axes[0].lines
    assert len(lines) == 2000 + 3 + 1 + 1
    multi = [line for line in lines if type(line).__name__ == "Line2D" and len(line.get_xydata()) > 1]
    assert len(multi) == 3
    for line, p in zip(multi, paths):
        np.testing.assert_array_equal(line.get_xydata(), p)
    assert [line.get_label() for line in multi] == ["start 0", "start 1", "start 2"]
    assert type(lines[2003]).__name__ == "AxLine"  # drawing order is kept
    np.testing.assert_array_equal(lines[-1].get_xydata(), [[2.0, 3.0]])
    assert lines[-1].get_marker() == "*"


def test_a_figure_too_large_to_describe_fails_clearly_never_cut():
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.add_subplot()
    ax.plot(np.zeros((1, MAX_LINES + 1)), np.zeros((1, MAX_LINES + 1)))
    with pytest.raises(FigureTooLarge, match="too many lines"):
        describe_figure(fig)


def test_line_collection_segments_survive():
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.add_subplot()
    segments = [np.array([[i, 0.0], [i, 1.0], [i + 0.5, 2.0]]) for i in range(3000)]
    ax.add_collection(LineCollection(segments))
    back = build_figure(describe_figure(fig)).axes[0].collections[0]
    got = back.get_segments()
    assert len(got) == 3000
    np.testing.assert_array_equal(got[2999], segments[2999])


# --- a worker, in this process ------------------------------------------------------------------

CALLBACKS = '''
from concurrent.futures import ThreadPoolExecutor
import matplotlib.pyplot as plt
import numpy as np

def cosine_similarity(a, b):
    # a callable from the grader, called from 8 threads at once
    with ThreadPoolExecutor(max_workers=8) as pool:
        return sum(pool.map(a, range(64)))

def cosine_similarity_matrix(A, B):
    plt.figure()
    plt.plot([0, 1], [1, 0], label="new")
    open("scratch.txt", "w").write("ok")
    return plt.gcf()

def analogy(word_vectors, a, b, c, *, topn=1, exclude_inputs=True):
    for _ in range(300):
        print("x" * 4000)
    return [type(f"T{i}", (), {})() for i in range(1500)]
'''


@pytest.fixture
def isolated(tmp_path):
    with isolated_with(tmp_path, CALLBACKS) as target:
        yield target


def test_callbacks_from_many_threads_each_get_their_own_reply(isolated):
    module = isolated.module("ex1_vectors")
    isolated.begin_test()
    assert module.cosine_similarity(lambda k: k * k, None) == sum(k * k for k in range(64))
    isolated.end_test()


def test_a_figure_opened_by_the_call_is_in_our_pyplot_state_until_the_test_ends(isolated):
    module = isolated.module("ex1_vectors")
    isolated.begin_test()
    before = plt.get_fignums()
    fig = module.cosine_similarity_matrix(None, None)  # writes a file into its working folder: allowed
    try:
        assert plt.get_fignums() == before + [fig.number]  # a pyplot mirror, the returned figure itself
        assert plt.gcf() is fig
        assert [line.get_label() for line in fig.axes[0].lines] == ["new"]
    finally:
        plt.close("all")
        isolated.end_test()
    # the worker closed its figures at the end of the test: the next one starts with none
    isolated.begin_test()
    fig2 = module.cosine_similarity_matrix(None, None)
    assert len(fig2.axes) == 1 and len(fig2.axes[0].lines) == 1
    plt.close("all")
    isolated.end_test()


def test_what_a_submission_leaves_in_the_grader_is_bounded_and_dropped(isolated, capsys):
    import autograder.submission.codec
    import autograder.submission.isolated
    import autograder.submission.remote
    import autograder.submission.worker

    def containers():  # the grader's own (Python's __warningregistry__ appears when any warning is
        # attributed to a module's code, e.g. a ResourceWarning at a collection: seen once in CI)
        return {(m.__name__, k): len(v) for m in (autograder.submission.isolated, autograder.submission.codec, autograder.submission.remote,
                                                   autograder.submission.worker)
                for k, v in vars(m).items() if isinstance(v, (dict, list, set)) and k != "__warningregistry__"}

    before = containers()
    module = isolated.module("ex1_vectors")
    isolated.begin_test()
    objects = module.analogy(None, "a", "b", "c")
    out = capsys.readouterr().out
    assert len(objects) == 1500
    # 1.2 MB printed: the grader keeps at most its per-test allowance of it (forged output frames
    # that bypass the worker's own cap: red-team case forged_frames_flood)
    assert 60_000 < len(out) <= autograder.submission.remote.MAX_OUTPUT_PER_TEST + 200
    assert len(isolated.worker.proxy_types) <= 1000  # per worker, bounded
    isolated.end_test()
    packages = [isolated._local.package, isolated._staged.package]  # this submission's module entries
    assert all(k in sys.modules for k in packages)
    isolated.close()
    assert not any(k in sys.modules for k in packages)
    assert containers() == before  # no module-level cache of the grader grew


# --- confinement -----------------------------------------------------------------------------------

def _run(*args: str, env_extra: dict | None = None):
    import subprocess

    from conftest import REPO

    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run([sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=600)


def test_the_sandbox_check_passes_here_and_says_which_confinement():
    """A probe submission tries to read solutions, tests and the home folder, write outside its
    scratch space, reach a port on this machine and see other processes: none of it works."""
    from autograder.submission.confinement import confinement

    if confinement().kind == "none":
        pytest.skip(f"no sandbox on this machine: {confinement().detail}")
    done = _run("-m", "autograder.isolated")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("[ok]") == 9 and "[NO]" not in done.stdout
    assert "[ok] カーネルのキーを作れない / cannot store a kernel key (add_key refused)" in done.stdout
    assert confinement().label in done.stdout


def test_bubblewrap_confinement_holds_for_the_same_probe():
    """The sandbox an ordinary user's grader gets, tried here by asking for it (WORKBOOK_SANDBOX=bwrap)."""
    from autograder.submission.confinement import bwrap_binary

    if bwrap_binary() is None:
        pytest.skip("no bwrap binary")
    done = _run("-m", "autograder.isolated", env_extra={"WORKBOOK_SANDBOX": "bwrap"})
    assert "namespaces via bwrap" in done.stdout, done.stdout + done.stderr
    assert done.returncode == 0 and "[NO]" not in done.stdout, done.stdout + done.stderr


def test_without_a_sandbox_isolated_grading_refuses_unless_told(tmp_path):
    env = {"WORKBOOK_SANDBOX": "none"}
    check = _run("-m", "autograder.isolated", env_extra=env)
    assert check.returncode == 1 and "none: resource limits only" in check.stdout and "[NO]" in check.stdout
    refused = _run("-m", "pytest", "--workbook=solutions", "--isolated", f"--score-report={tmp_path}/r.json",
                   "--exercise", "ex1_vectors", "-p", "no:cacheprovider", env_extra=env)
    assert refused.returncode == 4, refused.stdout + refused.stderr
    assert "--no-sandbox" in refused.stderr and "サンドボックス" in refused.stderr
    import json

    doc = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert doc["score"] == 0 and doc["extra_data"]["confinement"] == "none: resource limits only"
    assert any("--no-sandbox" in e for e in doc["extra_data"]["errors"])
    allowed = _run("-m", "pytest", "--workbook=solutions", "--isolated", "--no-sandbox", f"--score-report={tmp_path}/a.json",
                   "--task", "cosine_similarity", "-p", "no:cacheprovider", env_extra=env)
    assert allowed.returncode == 0, allowed.stdout[-2000:]
    assert "none: resource limits only" in allowed.stdout
    doc = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert doc["extra_data"]["confinement"] == "none: resource limits only" and doc["score"] == doc["max_score"]


def test_a_buffer_referred_to_twice_is_refused():
    """A forged message cannot make the receiver hold N copies of one buffer it received once."""
    from autograder.submission.codec import ProtocolError, decode

    ref = {"T": "nd", "dtype": "<f8", "shape": [4], "b": 0}
    buffers = [bytes(32)]
    with pytest.raises(ProtocolError, match="more than once"):
        decode([ref, ref], buffers, lambda t: None)
    assert decode([ref], [bytes(32)], lambda t: None)[0].tolist() == [0.0] * 4


FD_OUTPUT = '''
import os


def loud(x):
    os.write(2, "fd-level 出力\\n".encode())  # below sys.stderr: a C extension or a child process writes so
    return x


def quiet(x):
    return x


def crash(x):
    os._exit(3)
'''


def test_file_descriptor_output_reaches_the_test_once_also_after_a_restart(tmp_path, capsys):
    """What the student's code writes to file descriptors 1 and 2 is shown like its print() output
    (pytest shows both in local mode), in every confinement; a worker started after a crash does
    not send its predecessor's output again."""
    from autograder.submission.remote import WorkerCrashed

    with isolated_with(tmp_path, FD_OUTPUT) as target:
        module = target.module("ex1_vectors")
        target.begin_test()
        assert module.loud(1) == 1
        assert capsys.readouterr().err.count("fd-level 出力") == 1
        with pytest.raises(WorkerCrashed):
            module.crash(0)
        target.end_test()
        target.begin_test()
        module = target.module("ex1_vectors")  # a new worker
        assert module.quiet(2) == 2 and module.loud(3) == 3
        assert capsys.readouterr().err.count("fd-level 出力") == 1
        target.end_test()


def test_a_rebuilt_figure_looks_like_the_original():
    """Found by a newcomer: in handed-out pages the student's figure from an isolated run (rebuilt
    from its description) lacked the grid, drew ``axhline``/``axvline`` as short data lines,
    placed ``transform=ax.transAxes`` texts in data coordinates and lost alpha and font sizes, so
    identical code looked wrong next to the reference. What a test reads is unchanged."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from autograder.submission.figdesc import build_figure, describe_figure

    fig = Figure()
    ax = fig.add_subplot()
    ax.axhline(0, color="k", lw=0.8)
    ax.axvline(0.5, color="k", lw=0.8)
    ax.grid(True, alpha=0.3)
    ax.plot([0, 2], [0, 1], label="image", alpha=0.6, zorder=3)
    ax.text(0.05, 0.95, "H = 1.23 nats", transform=ax.transAxes, ha="left", va="top", fontsize=9)
    ax.legend(fontsize=8)
    new = build_figure(describe_figure(fig)).axes[0]
    hline, vline, image = new.lines
    assert hline.get_transform() == new.get_yaxis_transform() and vline.get_transform() == new.get_xaxis_transform()
    assert image.get_transform() == new.transData and image.get_alpha() == 0.6 and image.get_zorder() == 3
    np.testing.assert_array_equal(hline.get_xydata(), ax.lines[0].get_xydata())  # what tests read
    (text,) = new.texts
    assert text.get_transform() == new.transAxes and (text.get_fontsize(), text.get_ha(), text.get_va()) == (9, "left", "top")
    assert all(g.get_visible() for g in new.get_xgridlines()) and new.get_xgridlines()[0].get_alpha() == 0.3
    assert new.get_legend().get_texts()[0].get_fontsize() == 8


def test_describing_a_figure_makes_no_ticks_and_still_reads_the_grid():
    """Describing a figure read its grid through ``get_xgridlines()``, which makes a tick for every
    tick location: most of the cost of describing the chapter's figures in the worker (under the
    rule check's hooks too). The grid is read from the axis' tick settings and the ticks that exist
    now; a grid switched on line by line, on one axis only, or off, is still described as it is."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from autograder.submission.figdesc import describe_axes

    fig = Figure()
    on, by_line, off = fig.subplots(1, 3)
    on.grid(True, axis="y", alpha=0.25)
    for line in by_line.get_xgridlines():  # visible lines, the axis' setting untouched
        line.set_visible(True)
        line.set_alpha(0.5)
    for ax in (on, by_line, off):
        ax.plot([0, 10], [0, 5])
    made = [len(vars(axis).get("majorTicks", ())) for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)]
    described = [describe_axes(ax) for ax in fig.axes]
    assert [len(vars(axis).get("majorTicks", ())) for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)] == made
    assert [(d["grid"], d["grid_alpha"]) for d in described] == [([False, True], 0.25), ([True, False], 0.5),
                                                                  ([False, False], None)]


def test_a_thread_the_worker_limit_refuses_is_explained(monkeypatch):
    """``RuntimeError: can't start new thread`` in the worker comes from its limit on processes and
    threads (RLIMIT_NPROC), which local mode does not have: the message says so, with the number."""
    import resource
    import types

    from autograder.submission.remote import DEFAULT_LIMITS
    from autograder.submission.sandboxserver import WorkerServer

    limit = DEFAULT_LIMITS["processes"]
    assert limit >= 32  # honest thread pools (ThreadPoolExecutor's largest default is 32) fit
    monkeypatch.setattr(resource, "getrlimit", lambda which: (limit, limit))
    server = types.SimpleNamespace(root=Path("/nonexistent"), original=Path("/nonexistent"))
    desc = WorkerServer.describe_exception(server, RuntimeError("can't start new thread"))
    assert desc["name"] == "RuntimeError" and desc["msg"].startswith("can't start new thread (")
    assert f"合わせて {limit} 個まで" in desc["msg"] and f"at most {limit} processes and threads" in desc["msg"]
    other = WorkerServer.describe_exception(server, RuntimeError("something else"))
    assert other["msg"] == "something else"


def test_filled_contours_are_rebuilt_too():
    """A filled contour set (``ax.contourf``: one path per band between two levels, one fewer than
    its levels) was dropped from the rebuilt figure without a word (found by a helper: a test that
    read the first contour set passed in isolated mode only). Both kinds come back as drawn."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.contour import ContourSet
    from matplotlib.figure import Figure

    from autograder.submission.figdesc import build_figure, describe_figure

    fig = Figure()
    ax = fig.add_subplot()
    x, y = np.meshgrid(np.linspace(-1, 5, 30), np.linspace(-1, 7, 30))
    z = (x - 2) ** 2 + (y - 3) ** 2
    ax.contourf(x, y, z, levels=6, alpha=0.3)
    ax.contour(x, y, z, levels=6)
    drawn = [c for c in ax.collections if isinstance(c, ContourSet)]
    rebuilt = [c for c in build_figure(describe_figure(fig)).axes[0].collections if isinstance(c, ContourSet)]
    assert [c.filled for c in rebuilt] == [True, False]
    for a, b in zip(drawn, rebuilt):
        np.testing.assert_array_equal(b.levels, a.levels)
        assert len(b.get_paths()) == len(a.get_paths()) == len(a.levels) - a.filled
        for p, q in zip(a.get_paths(), b.get_paths()):
            np.testing.assert_array_equal(q.vertices, p.vertices)


def test_an_answer_the_fork_server_gives_too_late_is_never_taken_for_the_next(tmp_path, monkeypatch):
    """A kill whose answer came after the grader had stopped waiting (a fork server starved of CPU by
    a submission's spinning children) left "killed" in the socket: the next spawn read it as its
    own answer ("KeyError: 'pid'"). Requests are numbered now and a late answer is skipped."""
    import signal

    from autograder.submission.forkserver import ForkServer

    monkeypatch.setattr(ForkServer, "KILL_WAIT", 0.5)
    with isolated_with(tmp_path, "def add_one(x):\n    return x + 1\n") as target:
        module = target.module("ex1_vectors")
        assert module.add_one(1) == 2
        first = target.worker
        server = first.server
        os.kill(server.proc.pid, signal.SIGSTOP)  # it cannot answer the kill in time
        try:
            target.kill_worker()
        finally:
            os.kill(server.proc.pid, signal.SIGCONT)
        assert not first.alive
        module = target.module("ex1_vectors")  # a new worker, spawned after the late answer arrived
        assert module.add_one(2) == 3
        assert target.worker is not first and target.worker.pid != first.pid
        assert target.server() is server  # the same fork server, still in step
        assert module.add_one(3) == 4


DRAWS = '''
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

def draw():
    fig, ax = plt.subplots()
    ax.plot([0.0, 1.0], [1.0, 0.0])
    return fig
'''


def test_the_graders_own_work_on_a_reply_is_not_counted_against_the_limit(tmp_path, monkeypatch):
    """Red team round 8: a figure of 3,844 scatter calls took 5.4 s of CPU to draw and 5.7 s more to
    rebuild in the grader; both counted against the test's 10 s, so it timed out in isolated mode
    only. The grader's side of a message (decoding, rebuilding a figure) is not the student's time:
    here a rebuild made to cost 4 s of CPU fits in a 1 s limit, and the figure arrives."""
    import time

    from autograder.submission import figdesc
    from autograder.submission.guard import Deadline

    def slow(real):
        def run(*args):
            end = time.thread_time() + 4.0
            while time.thread_time() < end:
                pass
            return real(*args)
        return run

    monkeypatch.setattr(figdesc, "build_figure", slow(figdesc.build_figure))
    monkeypatch.setattr(figdesc, "fill_figure", slow(figdesc.fill_figure))
    with isolated_with(tmp_path, DRAWS) as target:
        module = target.module("ex1_vectors")
        module.draw()  # the worker's first call (its imports) outside the limit
        target.begin_test()
        with Deadline(1.0, extra_cpu=target.cpu_seconds) as limit:
            fig = module.draw()
            drawn = [list(line.get_ydata()) for line in fig.axes[0].lines]  # (the figure is rebuilt by now)
        target.end_test()
        assert limit.method in ("signal", "async"), "the limit was not on"
        assert drawn == [[1.0, 0.0]]
        assert target.isolation_cpu >= 4.0
        plt.close("all")


SPINS = '''
def cosine_similarity(a, b):
    while True:
        pass
'''


def test_a_time_out_that_fires_again_during_the_clean_up_still_kills_the_worker(tmp_path, monkeypatch):
    """Red-team case nice_run_delay took 44 s instead of 6 s per test, now and then: the limit fires
    again every second until the test ends, and a second time-out raised while the grader asked the
    worker where its code was (up to 1 s) skipped the kill, so the restore after the test waited for
    the student's call to return. The grader's clean-up is shielded (limits.shielded): here asking
    where the code was is made to cost 2.5 s of CPU (so the limit fires again inside it, whatever the
    machine's speed), and the worker is still killed before the time-out reaches the test."""
    import time

    from autograder.submission.guard import Deadline, WorkbookTimeout
    from autograder.submission.isolated import IsolatedSubmission

    real = IsolatedSubmission.where_worker_is

    def slow(self, *args, **kwargs):
        end = time.thread_time() + 2.5  # wall time >= CPU time: the 1 s repeat lands in here
        while time.thread_time() < end:
            pass
        return real(self, *args, **kwargs)

    monkeypatch.setattr(IsolatedSubmission, "where_worker_is", slow)
    with isolated_with(tmp_path, SPINS) as target:
        module = target.module("ex1_vectors")
        target.begin_test()
        with pytest.raises(WorkbookTimeout):
            with Deadline(0.3, extra_cpu=target.cpu_seconds) as limit:
                module.cosine_similarity(1, 2)
        assert limit.method in ("signal", "async"), "the limit was not on"
        assert target.worker is not None and not target.worker.alive, "the timed-out worker was left running"
        target.end_test()


KEEPS = '''
import json, os, socket, stat, struct

kept = []


def cosine_similarity(a, b):
    # keeps the first function it is given, and calls it again in later tests
    kept.append(a)
    return kept[0](b)


def cosine_similarity_matrix(A, B):
    # a request for a callable the grader never gave, written on the worker's socket
    head = json.dumps({"op": "call", "cb": 99, "rid": 10**6, "args": {"T": "list", "v": []}}).encode()
    body = struct.pack(">I", len(head)) + head
    for fd in range(3, 256):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                socket.socket(fileno=os.dup(fd)).sendall(struct.pack(">Q", len(body)) + body)
                break
        except OSError:
            pass
    return 0.0
'''


def test_a_callable_from_an_earlier_test_is_never_taken_for_another(tmp_path):
    """The grader numbers a test's callables from 1 again in every test: a function the student's
    code kept from an earlier test called, through the grader, the later test's function with the
    same number (10 here instead of 2). The stand-in of a finished test raises in the worker now."""
    with isolated_with(tmp_path, KEEPS) as target:
        module = target.module("ex1_vectors")
        target.begin_test()
        assert module.cosine_similarity(lambda x: x + 1, 1) == 2
        target.end_test()
        target.begin_test()
        with pytest.raises(RuntimeError, match="earlier test"):
            module.cosine_similarity(lambda x: x * 10, 1)
        target.end_test()


def test_a_request_for_a_callable_the_grader_never_gave_ends_the_worker(tmp_path):
    """Red-team case forged_frames_flood wrote thousands of callback requests on the worker's socket
    and read no reply: the grader answered each, until its replies filled the socket and both sides
    waited for the wall-clock backstop (30 s a test). An unknown callable is a forged message now."""
    from autograder.submission.remote import WorkerCrashed

    with isolated_with(tmp_path, KEEPS) as target:
        module = target.module("ex1_vectors")
        target.begin_test()
        with pytest.raises(WorkerCrashed, match="ProtocolError"):
            module.cosine_similarity_matrix(1, 2)
        target.end_test()


LONG_MESSAGE = '''
def cosine_similarity(a, b):
    raise ValueError("inputs: " + repr(list(range(2000))) + " - the word 'needle' is not in the vocabulary")
'''


def test_a_long_exception_message_arrives_whole_enough_for_a_match(tmp_path):
    """The worker cut an exception's message at 4,000 characters: a test looking for a name at the end
    (check_raises(match=...)) failed in isolated mode only. Carried up to 64 KiB now, as local mode sees it."""
    from autograder.checks.calls import check_raises

    with isolated_with(tmp_path, LONG_MESSAGE) as target:
        module = target.module("ex1_vectors")
        target.begin_test()
        exc = check_raises(ValueError, module.cosine_similarity, 1, 2, call="cosine_similarity(1, 2)", match="needle")
        assert len(str(exc)) > 4000
        target.end_test()


SLOW_RESTORE = '''
import time

import matplotlib as mpl


def cosine_similarity(a, b):
    # the worker's restore after the test puts lines.linewidth back through this validator
    dict.__setitem__(mpl.rcParams, "lines.linewidth", 3.0)
    mpl.rcParams.validate["lines.linewidth"] = lambda value: time.sleep(1000)
    return 1.0
'''


def test_the_restore_after_a_test_is_bounded_on_its_own(tmp_path, monkeypatch):
    """Red team round 10: the worker's restore after a test (after the test's own limit) ran the
    submission's code (there: a module class's __setattr__; here: an rcParams validator) and the
    grader waited up to 2 x backstop + 5 s (365 s with this 30 s limit: past pytest-timeout at the
    default limit, which ends the whole run). It is bounded by limits.restore_wall now (made 1 s
    here), and the next test gets a new worker."""
    from autograder.submission import isolated
    from autograder.submission.guard import WallLimit

    class Hung(BaseException):
        pass

    monkeypatch.setattr(isolated, "restore_wall", lambda seconds: 1.0)
    with isolated_with(tmp_path, SLOW_RESTORE) as target:
        module = target.module("ex1_vectors")
        target.begin_test()
        assert module.cosine_similarity(1, 2) == 1.0
        with WallLimit(60, Hung):  # 1 s bound + the kill; 365 s without the bound
            target.end_test()
        assert target.worker is None or not target.worker.alive
        target.begin_test()
        assert target.module("ex1_vectors").cosine_similarity(1, 2) == 1.0  # a new worker
        target.end_test()


def test_the_grader_gives_again_at_most_the_warnings_a_worker_may_send():
    """Red team round 10: a forged reply listing 50,000 warnings made the grader give all again (2.5 GB,
    82 s for two tests); the worker sends at most MAX_WARNINGS, the grader keeps no more."""
    from autograder.submission.sideeffects import MAX_WARNINGS
    from autograder.submission.worker import Worker

    worker = Worker.__new__(Worker)
    worker.axes_args, worker.mirrors = {}, {}
    item = ["builtins", "UserWarning", "w", "x.py", 1]
    worker._apply_side_effects({"warnings": [item] * 50_000}, (), {})
    assert worker.warned == [item] * MAX_WARNINGS
    worker._apply_side_effects({"warnings": "not a list"}, (), {})
    assert worker.warned == []


def test_a_figure_description_beyond_what_the_worker_describes_is_not_rebuilt():
    """Red team round 10: a reply whose figure held 20,000 empty Axes (the worker describes at most
    MAX_AXES) was rebuilt in the grader at ~7 ms and 0.2 MB an Axes, after the test's limit."""
    import matplotlib.pyplot as plt

    from autograder.submission.figdesc import MAX_ARTISTS, MAX_AXES, FigureTooLarge, fill_figure

    fig = plt.figure()
    try:
        with pytest.raises(FigureTooLarge):
            fill_figure(fig, {"axes": [{}] * (MAX_AXES + 1)})
        assert len(fig.axes) == 0
        with pytest.raises(FigureTooLarge):
            fill_figure(fig, {"axes": [{"texts": [{}] * (MAX_ARTISTS + 1)}]})
        fill_figure(fig, {"axes": [{}] * 2})
        assert len(fig.axes) == 3  # (one made before the texts were refused)
    finally:
        plt.close(fig)
