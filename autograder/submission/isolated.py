"""Isolated grading: the student's code runs in a sandboxed worker process, the tests stay here.

``pytest --workbook=DIR --isolated`` makes :func:`autograder.submission.target.open_target` return an
:class:`IsolatedSubmission`. It offers the loader seam's interface (``module(name)``,
``source``, ``owns``, ``load_error``), so the graded tests run unchanged: ``exercise.f`` is a
proxy whose call is executed in the worker (:mod:`autograder.submission.sandbox`).

What crosses the boundary is plain data only (:mod:`autograder.submission.codec`: numbers, strings, NumPy
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

The worker runs a copy of the submission made once (:func:`.stage.stage_copy`), and the "from scratch"
rules read that copy. Each test's time limit counts CPU time, the test's and the workers'
(:class:`autograder.submission.guard.Deadline` with :meth:`IsolatedSubmission.cpu_seconds`); on expiry, or
when the worker dies, the worker is killed (with all its processes) and a new one is started
for the next test; the call fails with a time-out or "worker ended" message. The student's
output is captured in the worker, truncated, and printed here (bounded per test and per
submission), so the report shows it with the failing test.

How the worker is confined depends on the machine (:func:`confinement`): as root it confines
itself (:mod:`autograder.submission.sandbox`); an ordinary user's grader starts each submission's fork server
in a bubblewrap sandbox (:func:`autograder.submission.sandboxfs.bwrap_command`); with neither, isolated
grading refuses to run unless asked to (``--no-sandbox``).

The pieces: what the worker's objects and exceptions look like here and the limits of what it may
send (:mod:`autograder.submission.remote`); the fork server (:mod:`autograder.submission.forkserver`)
and one worker's trusted end (:mod:`autograder.submission.worker`); how workers are confined on this machine
(:mod:`autograder.submission.confinement`); the sandbox check (:mod:`autograder.submission.sandboxcheck`).
This module offers the loader seam's interface (the copy is made by :mod:`.stage`).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import sys
import tempfile
import time
import types
import weakref
from pathlib import Path
from typing import Any

from .. import EXERCISES
from ..checks.compare import GradingFailure
from ..core.i18n import bilingual
from .stacks import dump_complete, stack_location
from .notebookcells import checked_cell_errors
from .loader import ExerciseUnavailable, MissingName, NotAWorkbookError, Submission, error_summary
from .stage import stage_copy
from ..core.exercises import pinned
from ..core.paths import REPO_ROOT
from ..checks.ruleguard import Hit
from .sandboxfs import HIDDEN_DIRS, bwrap_command  # the worker's side: only its constants and command line
from .confinement import bwrap_invocation, confinement
from .remote import (DEFAULT_CALL_TIMEOUT, DEFAULT_LIMITS, MAX_OUTPUT_PER_SUBMISSION,
                     BudgetExceeded, RemoteCallable, RemoteObject, WorkerCrashed)
from .forkserver import ForkServer, fork_server, fork_server_search_path
from .pagefigure import NotAPicture, checked_reply
from .workeruid import worker_uid as _worker_uid
from .worker import Worker
from .guard import WallLimit, main_thread_cpu_clock
from .limits import RestoreTooSlow, restore_wall, shielded


# --- the submission ------------------------------------------------------------------------------

def _own_call(target: Any, args: tuple, kwargs: dict) -> Any:
    """A call for the submission's own values (:meth:`IsolatedSubmission.own_caller`)."""
    if isinstance(target, RemoteCallable):
        return target._worker.request("call", target, args, kwargs, own=True)
    return target(*args, **kwargs)


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
        self._cell_errors: dict[str, tuple[str, ...]] = {}
        # per test (begin_test) and per submission: what the worker made the grader hold and spend
        self.received = 0
        self.test_hidden: bool | None = None  # during a test: is it hidden (begin_test; shipping.py)
        self.output_test = self.output_total = 0
        self.output_cut = False
        self._cpu_ended = self._delay_ended = 0.0
        # the test thread's CPU seconds spent on the worker's messages (isolation_enter)
        self._main_cpu = main_thread_cpu_clock()
        self._isolation_done = 0.0
        self._isolation_mark: float | None = None
        self._isolation_modes: list[bool] = []
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
            binary, disable_userns = bwrap_invocation()
            self._server = ForkServer(wrapper=bwrap_command(
                binary, search_path=fork_server_search_path(), frozen=[str(self._stage)], scratch=str(scratch),
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
        """Every ``.py`` file of the worker's copy (see :meth:`autograder.submission.loader.Submission.python_files`)."""
        return self._staged.python_files() if self._staged is not None else {}

    def start_rule_check(self, key: tuple) -> None:
        """Turn on the run-time check of the rules in the worker for one test (:mod:`autograder.checks.ruleguard`).

        No message of its own: the worker turns the check on before it serves the test's next
        request (the test's first call, or the end of the check if the test made none).
        """
        self._ensure_worker().pending_rulecheck = [list(key[0]), list(key[1]), bool(key[2])]

    def isolation_enter(self, isolating: bool) -> None:
        """The test thread starts an exchange with the worker (``isolating``: encoding, waiting,
        decoding, rebuilding a figure) or, inside one, runs a test function the worker called back
        (not isolating: the test's own code). Paired with :meth:`isolation_leave`; test thread only."""
        now = self._main_cpu()
        if self._isolation_mark is not None:
            self._isolation_done += now - self._isolation_mark
        self._isolation_modes.append(isolating)
        self._isolation_mark = now if isolating else None

    def isolation_leave(self) -> None:
        """The end of what :meth:`isolation_enter` began."""
        now = self._main_cpu()
        if self._isolation_mark is not None:
            self._isolation_done += now - self._isolation_mark
        if self._isolation_modes:
            self._isolation_modes.pop()
        self._isolation_mark = now if self._isolation_modes and self._isolation_modes[-1] else None

    @property
    def isolation_cpu(self) -> float:
        """CPU seconds of the test thread spent on isolation so far, the exchange under way included
        (read by the limit's watcher thread while it runs)."""
        mark = self._isolation_mark
        return self._isolation_done + (max(0.0, self._main_cpu() - mark) if mark is not None else 0.0)

    def has_file(self, name: str) -> bool:
        """Whether the submission has anything named as exercise ``name``'s file (:meth:`Submission.has_file`)."""
        return self._local.has_file(name)

    def running_processes(self) -> int:
        """How many processes of the current worker other than itself still run: its children and,
        confined, every process of its user or its PID namespace, also ones that left their parent
        (:meth:`Worker.other_processes`). Read here, from ``/proc``: nothing the worker says."""
        worker = self.worker
        return len(worker.other_processes()) if worker is not None and worker.alive else 0

    def stop_rule_check(self) -> list[Hit]:
        """End the worker's run-time check; its hits. A worker that ended meanwhile reports none
        (its test fails for that reason already).

        The same message restores the worker's process state for the next test (what
        :meth:`end_test` would ask for), unless something else is asked of the worker after it.
        """
        worker = self.worker
        if worker is None or not worker.alive:
            return []
        try:
            rows = worker.request("rulecheck_stop", None, (), {}, restore=True)
            worker.restored = True
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

    def begin_test(self, hidden: bool = False) -> None:
        """Before a test: its output and data allowances start afresh.

        Args:
            hidden: the test is hidden (``@pytest.mark.hidden``): only portable functions marked
                ``in_hidden_tests=True`` are sent to the worker, where the student's code could read them;
                the others are called back here.
        """
        self.test_hidden = hidden
        self.received = 0
        self.output_test = 0
        self.output_cut = self.output_total >= MAX_OUTPUT_PER_SUBMISSION

    def cpu_seconds(self) -> float:
        """CPU seconds used by every worker of this submission so far (counted against the test's
        limit), less what the grader's test thread spent on the messages of isolation itself
        (encoding, decoding, rebuilding a figure the worker drew: :meth:`Worker.request`), which
        local mode does not pay. The limit counts the test thread's CPU plus this: the student's
        code then costs about what it costs in local mode (red team round 8: a figure of 3,844
        scatter calls took 5.4 s to draw and 5.7 s more to rebuild, timed out only here). The
        wall-clock backstop still bounds a test whose messages are slow to read."""
        worker = self.worker
        return self._cpu_ended + (worker.cpu() if worker is not None and worker.alive else 0.0) - self.isolation_cpu

    def run_delay_seconds(self) -> float:
        """Seconds the workers of this submission spent waiting for a CPU (not counted by the backstop)."""
        worker = self.worker
        return self._delay_ended + (worker.run_delay() if worker is not None and worker.alive else 0.0)

    def load_error(self, name: str) -> str | None:
        """The import error of exercise ``name`` if it was loaded and failed (None otherwise)."""
        error = self._errors.get(name)
        return error_summary(error) if error else None

    def import_settings(self, name: str) -> None:
        """None: the worker puts exercise ``name``'s import settings in place itself (:mod:`.settings`)."""
        return None

    def own_caller(self) -> Any:
        """How the test calls a function of the worker for its own values: a call request marked
        ``own``, which the worker excuses from the task's rules (see
        :meth:`autograder.submission.loader.Submission.own_caller`)."""
        return _own_call

    def test_functions(self) -> None:
        """None: a test's function given to the worker runs in the grader, or, sent as portable code, in
        the worker under the test's settings (:func:`.settings.on_test_side`)."""
        return None

    def module(self, name: str) -> types.ModuleType:
        """A module whose attributes are proxies of the worker's exercise ``name``.

        Raises:
            KeyError: ``name`` is not an exercise.
            ExerciseUnavailable: the file is missing or its import failed in the worker.
        """
        cached = self._modules.get(name)  # first: checking the name lists tests/ (a call per attribute read)
        if cached is not None and cached[0] == self.generation and self.worker is not None and self.worker.alive:
            return cached[1]  # type: ignore[return-value]
        if name not in EXERCISES:
            raise KeyError(name)
        if name in self._errors:
            raise ExerciseUnavailable(self._errors[name])
        worker = self._ensure_worker()
        try:
            names = worker.request("import", None, (), {}, name=name)
        except BudgetExceeded:  # the test's allowance was used up before: not the import's fault
            raise
        except ExerciseUnavailable as exc:
            self._errors[name] = str(exc)
            raise
        except GradingFailure as exc:
            self._errors[name] = message = bilingual(
                f"{name}.py を読み込めませんでした (import 時のエラー)。この演習のテストはすべて失敗します:\n  {exc}",
                f"{name}.py could not be imported; every test of this exercise fails:\n  {exc}")
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
        module.__dict__.update((k, v) for k, v in (names.items() if isinstance(names, dict) else ()) if type(k) is str)
        ran = reply.get("sha256")
        self._modules[name] = (self.generation, module, ran if isinstance(ran, str) else None)
        self._cell_errors[name] = checked_cell_errors(reply.get("cell_errors"))
        return module

    def cell_errors(self, name: str) -> tuple[str, ...]:  # the worker's, checked (see Submission.cell_errors)
        return self._cell_errors.get(name, ())

    def start(self) -> None:
        """Start the worker now (waiting for its fork server's imports), so that a time limit set
        afterwards counts the submission's work only (the HTML page's figures, :func:`figure_png`)."""
        self._ensure_worker()

    def figure_png(self, name: str, function: str, args: tuple, kwargs: dict, *, dpi: float
                   ) -> tuple[bytes | None, str, list[str]]:
        """The figure ``function`` of exercise ``name`` returns, called and rendered in the worker for the
        student's HTML page (:mod:`.pagefigure`; :func:`.pagefigure.checked_reply` says what is returned).
        Not bounded here: the caller's limit (:func:`autograder.results.figures.draw_isolated`) kills the worker.

        Raises:
            MissingName: no such function; WorkerCrashed: the worker ended or sent no PNG image;
            Exception: what the import or the function raised.
        """
        target = self.module(name).__dict__.get(function)
        if not isinstance(target, RemoteObject):
            raise MissingName(bilingual(f"{name}.py に関数 {function} が定義されていません。",
                                        f"{name}.py defines no function {function}."))
        try:
            return checked_reply(self._ensure_worker().request("call", target, tuple(args), dict(kwargs), png=float(dpi)))
        except NotAPicture as exc:
            self.kill_worker()
            raise WorkerCrashed(str(exc)) from None

    # worker management -----------------------------------------------------------------------------
    def spec(self) -> dict:
        """What the fork server needs to start a worker for this submission."""
        kind = self.confinement.kind
        exercises = pinned()  # the worker cannot see tests/ to discover them (nor the rules they declare)
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
        self.test_hidden = None
        worker = self.worker
        if worker is None or not worker.alive:
            return
        if worker.restored:  # done with the end of the rule check, and nothing asked since
            worker.end_test()
            return
        try:
            # after the test's own limit: bounded on its own, reading and rebuilding the reply included
            # (red team round 10: a worker's slow __setattr__ or a reply of 20,000 Axes held the grader
            # past pytest-timeout, which ends the whole run); the next test gets a new worker
            with WallLimit(restore_wall(self.call_timeout), RestoreTooSlow):
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
        """Kill the current worker (the next call starts a new one); a time-out fired again meanwhile
        does not cut it short (:class:`~autograder.submission.limits.shielded`)."""
        if self.worker is not None:
            with shielded():
                if self.worker.alive:
                    self._cpu_ended += self.worker.cpu()
                    self._delay_ended += self.worker.run_delay()
                self.worker.kill()

    def where_worker_is(self, wait: float = 1.0) -> tuple[str, int, str] | None:
        """(file, line, function) of the submission's innermost frame in the current worker, from the
        stacks it writes into its output log when signalled (:meth:`Worker.signal_for_stacks`);
        None when it cannot tell within ``wait`` seconds. Only for the message of a time-out (a
        score never depends on it)."""
        worker = self.worker
        try:
            start = (self._tmp / "output.log").stat().st_size
        except OSError:
            return None
        if worker is None or not worker.signal_for_stacks():
            return None
        end = time.monotonic() + wait
        text = ""
        while time.monotonic() < end and not dump_complete(text):
            time.sleep(0.01)
            text = self.log_tail(limit=64_000, since=start)
        return stack_location(text, str(self._stage))

    def log_tail(self, limit: int = 2000, since: int | None = None) -> str:
        """The end of the current worker's file-descriptor output (for crash messages): its last
        ``limit`` bytes, none written before offset ``since``."""
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
            os.lseek(fd, max(0, info.st_size - limit, since or 0), os.SEEK_SET)
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
