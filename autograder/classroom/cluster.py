"""Grading a class on a Dask distributed cluster: ``workbook-batch SUBMISSIONS --out OUT --dask [ADDRESS]``.

The coordinator (:func:`autograder.classroom.batch.run_batch`) stays the same: it reads each
submission, keeps a bounded window of them in flight, retries, resumes by fingerprint and writes
every file. Only the executor changes: :class:`DaskCluster` hands out Dask's
``concurrent.futures`` executor (``Client.get_executor``), and the function it runs is
:func:`grade_in_warm_interpreter`. With no address a ``LocalCluster`` of ``--jobs`` worker
processes (one thread each) runs on this machine; with an address, the cluster behind that
scheduler grades.

A Dask worker runs tasks in threads of a process that does other work, so it never calls
:func:`autograder.classroom.unit.grade` itself: each of its threads keeps a warm grading
interpreter (:class:`WarmGrader`, ``python -m autograder.classroom.cluster``), started on the
thread's first submission and set up like a grader process of the local pool
(:func:`autograder.classroom.unit.warm_grader_process`: imports and fork server paid once), which
grades that thread's submissions one after another, as the local pool's processes do. Submissions
go in and results come out as length-prefixed pickles on its stdin and stdout; whatever the
grading prints goes to a temporary file instead (its end is quoted when the interpreter dies).
One interpreter never grades two submissions at once (each thread has its own), one that died
(killed, out of memory) or whose call was interrupted is never used again, and each is replaced
after :data:`RECYCLE_AFTER` submissions to bound what a long life might leak. They die with
their Dask worker (Linux: with the thread that started them); :meth:`DaskCluster.close` also
stops those of a remote cluster.

A worker that dies while grading a submission gives that task ``KilledWorker`` at once (on the
``LocalCluster`` this module starts; a scheduler of your own decides that with its
``distributed.scheduler.allowed-failures``), and a grading interpreter that dies gives it
``RuntimeError``: either way the coordinator retries that student once, then writes an error row;
no other student is affected.

Dask keeps the last messages of every connection for its developers
(``distributed.admin.low-level-log-length``, 1,000 by default), and every message that hands a
submission to a worker, or a result back, holds that student's files or report: a coordinator that
graded a class kept the last thousand submissions, twice (the client's and the scheduler's logs;
measured 0.58 MB per student at 200 students). :class:`DaskCluster` turns those logs off
(:data:`DaskCluster.DASK_CONFIG`) for the client, the ``LocalCluster``'s scheduler and its workers,
for as long as it runs.

``dask`` and ``distributed`` are an optional extra (``pip install 'transformer-math-workbook[dask]'``).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import importlib
import logging
import os
import pickle
import struct
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from typing import Any

from ..core.i18n import bilingual
from .content import SubmissionContent
from .unit import Graded, Settings, die_with_parent, grade, warm_grader_process


def missing_message() -> str:
    """What to say when ``--dask`` is asked for without Dask installed (in the language in force)."""
    return bilingual(
        "--dask には Dask が必要です: pip install 'transformer-math-workbook[dask]' (開発環境なら "
        ".venv/bin/pip install -c constraints.txt -e '.[dask]')。",
        "--dask needs Dask: pip install 'transformer-math-workbook[dask]' (in a development checkout, "
        ".venv/bin/pip install -c constraints.txt -e '.[dask]').", sep=" / ")


#: Submissions one grading interpreter grades before it is replaced by a fresh one.
RECYCLE_AFTER = 50
#: The length of each pickle on the grading interpreter's stdin and stdout (8 bytes, big-endian).
_FRAME = struct.Struct(">Q")
#: Characters of the end of a dead interpreter's output quoted in the error.
_TAIL = 2000


class WarmGrader:
    """One long-lived grading interpreter, ``python -m autograder.classroom.cluster`` (see :func:`main`).

    Started at once; it sets itself up (imports, fork server) while the first submission is on its
    way. It dies with the thread that made this object (Linux). Not thread-safe: one caller at a time.

    Args:
        busy: start it claimed by its caller (see ``busy`` below).

    Attributes:
        pid: the interpreter's process id.
        graded: how many submissions it has graded.
        busy: claimed by a caller of :func:`grade_in_warm_interpreter` (set and read under the
            module's lock); :func:`stop_warm_graders` closes only graders that are not.
        retired: :func:`stop_warm_graders` asked for it to end: it is closed once idle.
    """

    def __init__(self, *, busy: bool = False) -> None:
        self._output = tempfile.TemporaryFile()  # what the grading prints (fd 1 and 2 of it and its children)
        self._proc = subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=self._output, env=dict(os.environ, MPLBACKEND="Agg"))
        self.pid = self._proc.pid
        self.graded, self.busy, self.retired = 0, busy, False
        with _LOCK:
            _GRADERS.add(self)

    def alive(self) -> bool:
        """Whether the interpreter is still running."""
        return self._proc.poll() is None

    def grade(self, content: SubmissionContent, settings: Settings) -> Graded:
        """:func:`autograder.classroom.unit.grade` of ``content`` in this interpreter.

        Raises:
            RuntimeError: the interpreter ended without a result (killed, out of memory; the message
                quotes the end of its output); it is not used again and the caller may retry.
            pickle.PicklingError, TypeError: the arguments cannot be pickled (nothing was sent).
            BaseException: whatever interrupted the call (``KeyboardInterrupt``, ``SystemExit``),
                after killing the interpreter: its state is unknown.
        """
        request = pickle.dumps((content, settings), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            fd = self._output.fileno()
            os.ftruncate(fd, 0)  # this submission's output only (the offset is shared with the interpreter)
            os.lseek(fd, 0, os.SEEK_SET)
            self._proc.stdin.write(_FRAME.pack(len(request)))
            self._proc.stdin.write(request)
            self._proc.stdin.flush()
            reply = _read_frame(self._proc.stdout)
            graded = pickle.loads(reply) if reply is not None else None
            if not isinstance(graded, Graded):
                raise EOFError("no result")
        except Exception as exc:  # noqa: BLE001 - a broken pipe, an end of file, a truncated pickle
            raise RuntimeError(self._ended()) from exc
        except BaseException:
            self._end(wait=0)
            raise
        self.graded += 1
        return graded

    def _ended(self) -> str:
        """End the interpreter after a failed exchange; the error to report."""
        code = self._end(wait=5.0)
        try:
            size = os.fstat(self._output.fileno()).st_size
            tail = os.pread(self._output.fileno(), _TAIL * 4, max(0, size - _TAIL * 4)).decode(errors="replace")
        except (OSError, ValueError):
            tail = ""
        return f"the grading interpreter ended with exit code {code}: {tail[-_TAIL:]}"

    def _hang_up(self) -> None:
        """Close its stdin: an idle interpreter exits (a busy one after its submission)."""
        with contextlib.suppress(OSError, ValueError):
            self._proc.stdin.close()

    def _end(self, wait: float) -> int:
        """Close its stdin, give it ``wait`` seconds to exit, then kill it; its exit code."""
        self._hang_up()
        try:
            return self._proc.wait(timeout=wait) if wait > 0 else _kill(self._proc)
        except subprocess.TimeoutExpired:
            return _kill(self._proc)
        finally:
            for stream in (self._proc.stdout, self._output):
                with contextlib.suppress(OSError, ValueError):
                    stream.close()
            with _LOCK:
                _GRADERS.discard(self)

    def close(self, wait: float = 10.0) -> None:
        """End the interpreter: when idle it exits at the end of its stdin (its fork server stops
        with it); after ``wait`` seconds it is killed. Closing twice does nothing."""
        self._end(wait)


def _kill(proc: subprocess.Popen) -> int:
    with contextlib.suppress(OSError):
        proc.kill()
    return proc.wait()


def _read_frame(stream: Any) -> bytes | None:
    """One length-prefixed pickle from ``stream``, or ``None`` at (or cut short by) its end."""
    header = stream.read(_FRAME.size)
    if len(header) < _FRAME.size:
        return None
    (size,) = _FRAME.unpack(header)
    body = stream.read(size)
    return body if len(body) == size else None


#: Every warm grader of this process (weakly: one whose thread ended is forgotten) and the lock
#: that guards them, their ``busy`` and ``retired``, and each thread's own idle grader.
_LOCK = threading.Lock()
_GRADERS: weakref.WeakSet[WarmGrader] = weakref.WeakSet()
_OWN = threading.local()


def grade_in_warm_interpreter(content: SubmissionContent, settings: Settings) -> Graded:
    """:func:`autograder.classroom.unit.grade` in this thread's warm grading interpreter (:class:`WarmGrader`).

    The thread's first call starts the interpreter; later calls reuse it, unless it ended while
    idle (then a fresh one grades, and this submission pays nothing for it), was retired by
    :func:`stop_warm_graders` or has graded :data:`RECYCLE_AFTER` submissions. Concurrent calls
    (threads of one Dask worker) never share an interpreter. The arguments and the result travel
    pickled.

    Raises:
        RuntimeError: the interpreter ended without a result (killed, out of memory); the next call
            starts a fresh one, and the caller may retry.
    """
    with _LOCK:
        grader, _OWN.grader = getattr(_OWN, "grader", None), None
        stale = grader is not None and (grader.retired or not grader.alive())
        if grader is not None and not stale:
            grader.busy = True
    if stale:
        grader.close(wait=0)
    if grader is None or stale:
        grader = WarmGrader(busy=True)
    try:
        return grader.grade(content, settings)
    finally:
        with _LOCK:
            grader.busy = False
            keep = grader.alive() and not grader.retired and grader.graded < RECYCLE_AFTER
            if keep:
                _OWN.grader = grader
        if not keep:
            grader.close()


def own_grader() -> WarmGrader | None:
    """This thread's idle warm grader, or ``None`` (none yet, or it was closed); for tests and diagnostics."""
    return getattr(_OWN, "grader", None)


def warm_graders() -> list[WarmGrader]:
    """Every warm grader of this process that has not been closed (idle or busy)."""
    with _LOCK:
        return list(_GRADERS)


def stop_warm_graders(wait: float = 5.0) -> int:
    """End this process's idle warm graders now and the busy ones when their submission is graded
    (run on every worker of a cluster that outlives the batch); returns how many were idle.

    Idle ones get ``wait`` seconds in all to exit on their own, then are killed.
    """
    with _LOCK:
        graders = list(_GRADERS)
        for grader in graders:
            grader.retired = True
        idle = [g for g in graders if not g.busy]
    for grader in idle:
        grader._hang_up()  # all of them at once: they exit side by side
    deadline = time.monotonic() + wait
    for grader in idle:
        grader.close(wait=max(0.01, deadline - time.monotonic()))
    return len(idle)


class DaskMissing(ImportError):
    """``dask``/``distributed`` are not installed (the message says how to install them, in both languages)."""


def dask_installed() -> bool:
    """Whether ``dask`` and ``distributed`` can be imported here (imports them: about a second)."""
    try:
        importlib.import_module("dask")
        importlib.import_module("distributed")
    except ImportError:
        return False
    return True


class DaskCluster:
    """The batch's executor on Dask: a ``LocalCluster`` started here, or a running scheduler.

    Args:
        address: the scheduler's address (``tcp://host:8786``), or ``None`` for a ``LocalCluster``
            of ``workers`` processes with one thread each.
        workers: the ``LocalCluster``'s size; with an address, the least number of submissions
            assumed to run at once (the coordinator keeps twice the cluster's size in flight).

    Raises:
        DaskMissing: (by :meth:`start`) Dask is not installed.
        OSError: (by :meth:`start`) the scheduler cannot be reached.
    """

    #: The function the coordinator submits (same arguments and result as ``unit.grade``).
    unit = staticmethod(grade_in_warm_interpreter)

    #: Dask configuration while the cluster runs: no developer logs of recent messages, transitions
    #: and events (each message holds a submission or its report; see the module docstring).
    #: A failed task's ``KilledWorker`` and the warm graders do not depend on them.
    DASK_CONFIG = {"distributed.admin.low-level-log-length": 0}

    def __init__(self, address: str | None, workers: int) -> None:
        self.address, self.workers = address, max(1, workers)
        self.client: Any = None
        self.cluster: Any = None
        self._config: Any = None  # dask.config.set(DASK_CONFIG), undone by close()

    def start(self) -> None:
        """Start the ``LocalCluster`` (or connect to the scheduler) and the client."""
        if self.client is not None:
            return
        if not dask_installed():
            raise DaskMissing(missing_message())
        import dask
        from distributed import Client, LocalCluster

        # for the whole run, not only while things start: a connection made later (a Dask worker
        # the nanny restarts) makes its log then
        self._config = dask.config.set(self.DASK_CONFIG)
        try:
            if self.address:
                self.client = Client(self.address)
                return
            # a worker that dies under a submission fails that task at once: the coordinator's own
            # retry (one per student) is the only one
            with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
                self.cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                            dashboard_address=None, silence_logs=logging.CRITICAL)
            self.client = Client(self.cluster)
        except BaseException:
            self.close()
            raise

    def size(self) -> int:
        """How many submissions the cluster grades at once (its workers' threads now; at least ``workers``)."""
        self.start()
        try:
            threads = sum(w.get("nthreads", 1) for w in self.client.scheduler_info()["workers"].values())
        except (KeyError, TypeError, AttributeError):
            threads = 0
        return max(self.workers, threads)

    def pool(self) -> cf.Executor:
        """A ``concurrent.futures`` executor on the cluster (its futures work with ``cf.wait``)."""
        self.start()
        return self.client.get_executor(pure=False)

    def stop(self, pool: Any) -> None:
        """Cancel what ``pool`` has not finished (Ctrl-C) and close the cluster: its worker processes end,
        and with them the interpreters grading in them (on a remote cluster: see :meth:`close`)."""
        with contextlib.suppress(Exception):
            pool.shutdown(wait=False)
        self.close()

    def close(self) -> None:
        """Close the client and the ``LocalCluster`` this object started (its workers end, and their
        grading interpreters with them). A remote cluster keeps running, but its workers' grading
        interpreters end (:func:`stop_warm_graders`; a busy one after its submission): none holds
        memory, or a grader older than the workbook installed there, after the batch."""
        client, cluster, self.client, self.cluster = self.client, self.cluster, None, None
        if client is not None and cluster is None:
            with contextlib.suppress(Exception):
                client.run(stop_warm_graders, on_error="ignore")
        for thing in (client, cluster):
            if thing is not None:
                with contextlib.suppress(Exception):
                    thing.close()
        config, self._config = self._config, None
        if config is not None:
            config.__exit__(None, None, None)


def main() -> int:
    """``python -m autograder.classroom.cluster``: a warm grading interpreter (:class:`WarmGrader`).

    Reads length-prefixed pickles of ``(content, settings)`` on stdin (an 8-byte big-endian length,
    then the pickle), grades each (:func:`autograder.classroom.unit.grade`) and writes the pickled
    :class:`Graded` back on stdout the same way, until stdin ends (exit code 0). Nothing else is
    written on stdout: whatever the grading prints (and any process it starts) goes to stderr, and
    the processes it starts get ``/dev/null`` as stdin. Exit code 1: the caller died before this
    interpreter could ask to die with it, or a request was cut short.
    """
    parent = os.getppid()
    die_with_parent()
    if os.getppid() != parent:  # the caller died before we asked to die with it
        return 1
    requests, results = os.fdopen(os.dup(0), "rb"), os.fdopen(os.dup(1), "wb")  # not inherited
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)  # output of the grading (and of any process it starts) goes to stderr
    warm_grader_process()  # as the local pool's grader processes: Agg, no Ctrl-C, fork server
    while True:
        header = requests.read(_FRAME.size)
        if not header:
            return 0  # the caller closed stdin: done
        if len(header) < _FRAME.size:
            return 1
        size = _FRAME.unpack(header)[0]
        request = requests.read(size)
        if len(request) < size:
            return 1
        content, settings = pickle.loads(request)
        reply = pickle.dumps(grade(content, settings), protocol=pickle.HIGHEST_PROTOCOL)
        results.write(_FRAME.pack(len(reply)))
        results.write(reply)
        results.flush()


if __name__ == "__main__":
    sys.exit(main())
