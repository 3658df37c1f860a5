"""Grading a class on a Dask distributed cluster: ``workbook-batch SUBMISSIONS --out OUT --dask [ADDRESS]``.

The coordinator (:func:`autograder.classroom.batch.run_batch`) stays the same: it reads each
submission, keeps a bounded window of them in flight, retries, resumes by fingerprint and writes
every file. Only the executor changes: :class:`DaskCluster` hands out Dask's
``concurrent.futures`` executor (``Client.get_executor``), and the function it runs is
:func:`grade_in_fresh_interpreter`: :func:`autograder.classroom.unit.grade` in
``python -m autograder.classroom.cluster`` (a Dask worker lives long; pytest runs once per
interpreter). With no address a ``LocalCluster`` of ``--jobs`` worker processes (one
thread each) runs on this machine; with an address, the cluster behind that scheduler grades.

A worker that dies while grading a submission gives that task ``KilledWorker`` at once (on the
``LocalCluster`` this module starts; a scheduler of your own decides that with its
``distributed.scheduler.allowed-failures``): the coordinator retries that student once, then writes
an error row; no other student is affected.

``dask`` and ``distributed`` are an optional extra (``pip install 'transformer-math-workbook[dask]'``).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import importlib
import logging
import os
import pickle
import signal
import subprocess
import sys
from typing import Any

from ..core.i18n import bilingual
from .content import SubmissionContent
from .unit import Graded, Settings, die_with_parent, grade


def missing_message() -> str:
    """What to say when ``--dask`` is asked for without Dask installed (in the language in force)."""
    return bilingual(
        "--dask には Dask が必要です: pip install 'transformer-math-workbook[dask]' (開発環境なら "
        ".venv/bin/pip install -c constraints.txt -e '.[dask]')。",
        "--dask needs Dask: pip install 'transformer-math-workbook[dask]' (in a development checkout, "
        ".venv/bin/pip install -c constraints.txt -e '.[dask]').", sep=" / ")


def grade_in_fresh_interpreter(content: SubmissionContent, settings: Settings) -> Graded:
    """:func:`autograder.classroom.unit.grade` in a new Python interpreter (``python -m autograder.classroom.cluster``).

    For executors whose worker processes grade many submissions (a Dask worker): pytest and the
    isolated worker's fork server start afresh for every submission, and the interpreter dies with
    the process that called this (Linux). The arguments and the result travel pickled.

    Raises:
        RuntimeError: the interpreter ended without a result (killed, out of memory); the caller
            may retry.
    """
    env = dict(os.environ, MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, "-m", "autograder.classroom.cluster"], input=pickle.dumps((content, settings)),
                          capture_output=True, env=env, check=False)
    if proc.returncode != 0 or not proc.stdout:
        raise RuntimeError(f"the grading interpreter ended with exit code {proc.returncode}: "
                           f"{proc.stderr.decode(errors='replace')[-2000:]}")
    return pickle.loads(proc.stdout)


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
    unit = staticmethod(grade_in_fresh_interpreter)

    def __init__(self, address: str | None, workers: int) -> None:
        self.address, self.workers = address, max(1, workers)
        self.client: Any = None
        self.cluster: Any = None

    def start(self) -> None:
        """Start the ``LocalCluster`` (or connect to the scheduler) and the client."""
        if self.client is not None:
            return
        if not dask_installed():
            raise DaskMissing(missing_message())
        import dask
        from distributed import Client, LocalCluster

        if self.address:
            self.client = Client(self.address)
            return
        # a worker that dies under a submission fails that task at once: the coordinator's own
        # retry (one per student) is the only one
        with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
            self.cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=logging.CRITICAL)
        self.client = Client(self.cluster)

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
        and with them the interpreters grading in them."""
        with contextlib.suppress(Exception):
            pool.shutdown(wait=False)
        self.close()

    def close(self) -> None:
        """Close the client and the ``LocalCluster`` this object started (a remote cluster keeps running)."""
        client, cluster, self.client, self.cluster = self.client, self.cluster, None, None
        for thing in (client, cluster):
            if thing is not None:
                with contextlib.suppress(Exception):
                    thing.close()


def main() -> int:
    """``python -m autograder.classroom.cluster``: pickled ``(content, settings)`` on stdin, the pickled
    :class:`Graded` on stdout (nothing else is written there: whatever the grading prints goes to stderr)."""
    parent = os.getppid()
    die_with_parent()
    if os.getppid() != parent:  # the caller died before we asked to die with it
        return 1
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the coordinator's to handle
    result = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # output of the grading (and of any process it starts) goes to stderr
    content, settings = pickle.load(sys.stdin.buffer)
    result.write(pickle.dumps(grade(content, settings)))
    result.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
