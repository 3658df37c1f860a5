"""Keep one test's (or one import's) side effects from reaching the next, and stop hung code.

Local grading runs the student's code in the grader's process. This module contains the honest
accidents of such code so they cost only the test that caused them:

* :class:`GlobalState` snapshots and restores process-wide state that code commonly changes:
  ``sys.stdout``/``stderr``/``stdin``, the recursion limit, NumPy's floating-point error and print
  options, torch's default dtype, warning filters, matplotlib's backend, and the attributes of the
  modules the grader and its oracles rely on (``numpy``, ``numpy.testing``, ``math``, ``builtins``,
  ``torch``, ``autograder.compare`` …), so ``np.allclose = lambda *a: True`` is undone.
* :class:`Deadline` is a per-test time limit in CPU time (a wall-clock backstop several times
  larger) that raises :class:`WorkbookTimeout`, a ``BaseException`` that hypothesis does not
  catch (pytest-timeout's ``Failed`` is caught by hypothesis, which then keeps calling hung code
  without a limit). Once expired it fires again every second, so one bare ``except:`` cannot
  swallow it for good. It interrupts the test with ``SIGALRM`` where POSIX signals exist; where
  they do not (Windows) with an asynchronous exception (:class:`ThreadInterrupter`), the
  fallback that ``WORKBOOK_LIMIT_FALLBACK=1`` forces anywhere (so it is tested on Linux too).

Local mode imports nothing POSIX-only (``resource``, ``fcntl``, ``pwd``...): only the isolated
workers (Linux) do.

Deliberate attacks (``os._exit``, a bare ``except:`` in an endless loop, patching the grader
through ``gc``) need out-of-process grading.
"""

from __future__ import annotations

import _thread
import ctypes
import os
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable
from itertools import repeat
from operator import is_not
from types import ModuleType
from typing import Any

from autograder.submission import limits, settings
from autograder.submission.limits import WALL_FACTOR, wall_backstop

#: Modules whose attributes are restored after every test and import.
GUARDED_MODULES = (
    "builtins", "math", "numpy", "numpy.linalg", "numpy.testing", "numpy.random", "numpy.fft",
    "torch", "torch.nn.functional", "torch.autograd", "scipy.special", "scipy.stats", "scipy.linalg",
    "matplotlib", "matplotlib.pyplot", "json",
    "autograder", "autograder.compare", "autograder.checks.compare", "autograder.results.report",
    "autograder.grading.plugin", "autograder.grading.options", "autograder.grading.pertest",
    "autograder.grading.collect", "autograder.submission.loader", "autograder.checks.rules", "autograder.core.i18n",
)


class WorkbookTimeout(BaseException):
    """A graded test ran past its time limit (a BaseException, so test frameworks let it through)."""


#: Environment variable that forces the portable interruption (:class:`ThreadInterrupter`) where
#: signals exist too: ``WORKBOOK_LIMIT_FALLBACK=1``.
FALLBACK_ENV = "WORKBOOK_LIMIT_FALLBACK"


def signals_usable() -> bool:
    """Whether time limits interrupt the main thread with ``SIGALRM`` (POSIX) rather than with
    :class:`ThreadInterrupter` (Windows, or :data:`FALLBACK_ENV` set to anything but 0/empty)."""
    forced = os.environ.get(FALLBACK_ENV, "").strip().lower() not in ("", "0", "false", "no")
    return not forced and hasattr(signal, "pthread_kill") and hasattr(signal, "SIGALRM")


class ThreadInterrupter:
    """Raise an exception in another thread of this process, without signals (works on Windows).

    :meth:`send` asks CPython to raise an exception in thread ``ident``
    (``PyThreadState_SetAsyncExc``): it is raised when that thread next runs Python code, as a
    signal handler's exception would be; a thread blocked in one long C call (``time.sleep``, a
    huge matrix product) sees it when the call returns. One sent but not raised yet stays
    pending: the target thread calls :meth:`drain` to have it raised and swallowed there, before
    it leaves the code the exception was meant for.
    """

    _SEND = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.py_object)

    def __init__(self, ident: int) -> None:
        self.ident = ident
        self.pending = False
        self._send = self._SEND(("PyThreadState_SetAsyncExc", ctypes.pythonapi))

    def send(self, exc_type: type[BaseException], *args: object) -> bool:
        """Raise ``exc_type(*args)`` in the thread; False if the thread no longer exists.

        CPython makes the exception by calling its type with no arguments, so a subclass of
        ``exc_type`` with the same name carries ``args`` (and notes that it was raised).
        """
        owner = self

        def __init__(exc: BaseException, *given: object) -> None:
            owner.pending = False
            exc_type.__init__(exc, *(given or args))
        carrier = type(exc_type.__name__, (exc_type,), {
            "__init__": __init__, "__module__": exc_type.__module__, "__qualname__": exc_type.__qualname__,
            "_workbook_async": True})
        self.pending = True
        if self._send(self.ident, carrier) != 1:
            self.pending = False
            return False
        return True

    def drain(self, timeout: float = 2.0) -> None:
        """In the target thread: raise and swallow an exception sent but not raised yet.

        (Withdrawing it with ``PyThreadState_SetAsyncExc(id, NULL)`` instead leaves CPython's
        eval breaker set, and was seen to hang another thread's ``threading.Timer``.)
        """
        end = time.monotonic() + timeout
        while self.pending and time.monotonic() < end:
            try:
                for _ in range(1000):  # each loop iteration lets a pending exception be raised
                    pass
            except BaseException as exc:  # noqa: BLE001 - only ours is swallowed
                if not getattr(exc, "_workbook_async", False):
                    raise


class GlobalState:
    """A snapshot of process-wide state; :meth:`restore` puts it back."""

    def __init__(self) -> None:
        self.streams = (sys.stdout, sys.stderr, sys.stdin)
        self.settings = settings.current()  # recursion limit, NumPy's errors and printing, torch's dtype
        self.warning_filters = list(warnings.filters)
        self.modules: dict[str, tuple[ModuleType, type, dict[str, Any]]] = {}  # module, its class, its namespace
        for name in GUARDED_MODULES:
            module = sys.modules.get(name)
            if isinstance(module, ModuleType):
                self.modules[name] = (module, type(module), dict(vars(module)))
        mpl = sys.modules.get("matplotlib")
        # the raw stored values (matplotlib.get_backend() resolves the backend: ~5 ms a call)
        self.mpl_rc = dict.copy(mpl.rcParams) if mpl is not None else None
        self.mpl_backend = self.mpl_rc.get("backend") if self.mpl_rc is not None else None

    def restore(self) -> None:
        """Put the snapshot back (changed and deleted module attributes are restored)."""
        for module, cls, saved in self.modules.values():
            if type(module) is not cls:  # its class replaced (a __setattr__ of its own)
                try:
                    object.__setattr__(module, "__class__", cls)
                except (AttributeError, TypeError):
                    pass
            current = vars(module)
            if unchanged(current, saved):  # the usual case
                continue
            # attributes added since are kept: modules such as torch add lazily imported submodules,
            # and deleting those makes their lazy __getattr__ recurse. Put back in the module's own
            # namespace, not with setattr: no __setattr__ a submission gave the module runs here
            # (red team round 10: one that slept held the grader after every test)
            for key, value in saved.items():
                if current.get(key, _MISSING) is not value:
                    current[key] = value
        for current, saved in zip((sys.stdout, sys.stderr, sys.stdin), self.streams):
            if current is not saved:
                # a TextIOWrapper around our stream would close it when collected: keep it alive
                _KEEP_ALIVE.append(current)
        sys.stdout, sys.stderr, sys.stdin = self.streams
        settings.put_back(self.settings)
        warnings.filters[:] = self.warning_filters
        mpl = sys.modules.get("matplotlib")
        if mpl is not None and self.mpl_rc is not None:
            try:
                rc = mpl.rcParams
                # only what changed (each rcParams assignment is validated: ~1 ms for all of them)
                changed = {k: v for k, v in self.mpl_rc.items() if dict.get(rc, k, _MISSING) is not v}
                if changed:
                    backend = changed.pop("backend", None)
                    rc.update(changed)
                    if backend is not None:
                        mpl.use(backend, force=True)
            except Exception:  # noqa: BLE001 - best effort; the next test runs with Agg anyway
                pass


_MISSING = object()


def unchanged(current: dict, saved: dict) -> bool:
    """Whether every name of ``saved`` (a copy of a namespace) is still bound to the same object in
    ``current``: the usual case, found without a Python loop over its ~2,000 names (names added
    since are not looked at)."""
    return not any(map(is_not, saved.values(), map(current.get, saved.keys(), repeat(_MISSING))))


_KEEP_ALIVE: list[Any] = []


def run_delay_clock(tid: int | None, pid: int | None = None) -> Callable[[], float]:
    """A function returning the seconds thread ``tid`` of this process (or process ``pid``'s main
    thread) has spent runnable but waiting for a CPU (``/proc/.../schedstat``); 0 where unknown."""
    path = f"/proc/{pid}/schedstat" if pid is not None else f"/proc/self/task/{tid}/schedstat"

    def read() -> float:
        try:
            with open(path, "rb") as fh:
                return int(fh.read().split()[1]) / 1e9
        except (OSError, IndexError, ValueError):
            return 0.0
    return read


def main_thread_cpu_clock() -> Callable[[], float]:
    """A function returning the main thread's CPU seconds, from any thread (the process's CPU
    seconds where a thread's clock cannot be read, e.g. macOS)."""
    try:
        clock = time.pthread_getcpuclockid(threading.main_thread().ident)  # type: ignore[arg-type]
        time.clock_gettime(clock)
        return lambda: time.clock_gettime(clock)
    except (AttributeError, OSError, TypeError, OverflowError):
        return time.process_time


class OtherThreadsClock:
    """CPU seconds of the threads this process started after the clock was made (at a test's
    start), also those that have ended since: the submission's own threads (a
    ``ThreadPoolExecutor`` doing the work while the test's thread waits) count against a test's limit
    in local mode as the isolated worker's every thread does (red team round 9: 15 s of CPU in a
    pool thread passed in local mode only).

    Threads that were already there are not counted: native ones (OpenBLAS's pool, started when
    NumPy was imported; the isolated worker runs BLAS on one thread), pytest-timeout's timer, and a
    thread an earlier test left running (after a time-out the isolated worker is replaced, so there
    it charges no later test either). Read through Linux's per-thread CPU clocks; where those
    cannot be read (not Linux) the clock reads 0 and the main thread's time alone counts.
    """

    def __init__(self) -> None:
        self._usable = False
        self._main = main_thread_cpu_clock()
        self._earlier: dict[int, list[float]] = {}  # clock id -> [CPU at the start, last seen]
        try:
            main = threading.main_thread().native_id
            self._start = time.process_time() - self._main()
            for name in os.listdir("/proc/self/task"):
                tid = int(name)
                if tid != main:
                    clock = ((~tid) << 3) | 6  # Linux: the CPU clock of thread tid (CPUCLOCK_SCHED)
                    start = time.clock_gettime(clock)
                    self._earlier[clock] = [start, start]
            self._usable = self._main is not time.process_time
        except (OSError, ValueError, AttributeError, OverflowError):
            self._earlier.clear()

    def __call__(self) -> float:
        if not self._usable:
            return 0.0
        total = time.process_time() - self._main() - self._start
        for clock, seen in self._earlier.items():
            try:
                seen[1] = time.clock_gettime(clock)
            except OSError:  # ended: its CPU up to the last look stays not counted
                pass
            total -= seen[1] - seen[0]
        return max(0.0, total)


def _safe_sum(own: Callable[[], float], extra: Callable[[], float] | None) -> Callable[[], float]:
    """``own() + extra()``; an ``extra`` clock that fails counts 0 (the limit never stops working)."""
    if extra is None:
        return own

    def read() -> float:
        try:
            return own() + float(extra())
        except Exception:  # noqa: BLE001 - e.g. a worker that has just ended
            return own()
    return read


class Deadline:
    """A per-test time limit counted in CPU time, with a wall-clock backstop several times larger.

    The limit is the CPU time of the thread that runs the test (the main thread) plus
    ``extra_cpu`` (the isolated worker's every thread and process; in local mode the threads
    started during the test, :class:`OtherThreadsClock`), so a test does not run out of time
    because the machine is busy: on a loaded CI runner a correct submission
    keeps its points, and an endless loop still costs only its limit. The backstop
    (:func:`wall_backstop`, ``WALL_FACTOR`` x the limit in wall-clock seconds) stops code that
    burns no CPU (``time.sleep``, waiting on a lock) or burns it in other threads; the time the
    test's thread (and the isolated worker) spent runnable but waiting for a CPU, which only a busy
    machine causes, is taken off the wall clock (Linux ``schedstat``), up to one backstop's worth,
    so the backstop does not depend on machine load either, and no test runs longer than twice
    the backstop whatever it does.

    A watcher thread reads the main thread's CPU clock every 50 ms and, once either limit is
    passed, interrupts the main thread (again every second: a bare ``except:`` cannot swallow it
    for good) with :class:`WorkbookTimeout`: with ``SIGALRM``, whose handler raises it, where
    POSIX signals exist; elsewhere (Windows; or forced with ``WORKBOOK_LIMIT_FALLBACK=1``) as an
    asynchronous exception (:class:`ThreadInterrupter`), which reaches the same Python code but
    not a call blocked in C until it returns (``time.sleep(1000)``: pytest-timeout's last-resort
    backstop then ends the run). Where the main thread's CPU clock cannot be read, the process's
    CPU time is used. When the test ends the clocks are read once more: a test that ended past its
    CPU limit (passed or failed) times out, however soon the watcher noticed, so the outcome does
    not depend on the watcher's timing. Outside the main thread the deadline is a no-op.

    Args:
        seconds: CPU seconds; ``None`` or ``<= 0``: no limit.
        extra_cpu: another CPU clock (seconds) whose time also counts, e.g. the isolated worker's
            (:meth:`autograder.submission.isolated.IsolatedSubmission.cpu_seconds`).
        extra_wait: seconds another process spent waiting for a CPU (the isolated worker's,
            :meth:`autograder.submission.isolated.IsolatedSubmission.run_delay_seconds`).
    """

    POLL = 0.05

    def __init__(self, seconds: float | None, extra_cpu: Callable[[], float] | None = None,
                 extra_wait: Callable[[], float] | None = None) -> None:
        self.seconds = seconds if seconds and seconds > 0 else None
        self.extra_cpu = extra_cpu
        self.extra_wait = extra_wait
        self.fired = 0
        self.reason = ""
        self.method = ""  # "signal" or "async" while active
        self._previous: Any = None
        self._active = False
        self._stop = threading.Event()
        self._sending = threading.Lock()  # held while sending; after _stop is set nothing is sent
        self._interrupter: ThreadInterrupter | None = None
        self._watching = threading.Event()  # cleared while the watcher thread runs
        self._watching.set()
        self._watcher_pid = 0
        self._cpu: Callable[[], float] = time.thread_time
        self._cpu0 = 0.0

    def _message(self) -> str:
        return f"Timeout (>{self.seconds:g}s) {self.reason}".rstrip()

    def _handler(self, signum, frame):  # noqa: ANN001 - signal handler signature
        if self._stop.is_set() or limits.shielding():  # the test has just ended: a late signal is not a
            return  # time-out; the grader's clean-up (shielded): the watcher fires again in a second
        self.fired += 1
        raise WorkbookTimeout(self._message())

    def _send(self, main: int) -> bool:
        """Interrupt the main thread once; False when it cannot be done."""
        if limits.shielding():  # the grader's clean-up (shielded): tried again in a second
            return True
        if self._interrupter is None:
            try:
                signal.pthread_kill(main, signal.SIGALRM)
            except (OSError, ValueError):
                return False
            return True
        self.fired += 1
        return self._interrupter.send(WorkbookTimeout, self._message())

    def _run_watcher(self, *args: Any) -> None:
        try:
            self._watch(*args)
        finally:
            self._watching.set()

    def _watch(self, cpu: Any, cpu0: float, wall0: float, waited: Any, waited0: float, main: int) -> None:
        assert self.seconds is not None
        backstop = wall_backstop(self.seconds)
        while not self._stop.wait(self.POLL):
            if cpu() - cpu0 > self.seconds:
                self.reason = "(CPU time)"
            # time spent waiting for a CPU (a busy machine) is not waiting of the code's own; at
            # most one backstop's worth is forgiven, so a test never runs past twice the backstop
            elif time.monotonic() - wall0 - min(waited() - waited0, backstop) > backstop:
                self.reason = f"(wall-clock backstop {backstop:g}s)"
            else:
                continue
            while True:  # fire until the test ends
                with self._sending:
                    if self._stop.is_set() or not self._send(main):
                        return
                if self._stop.wait(1.0):
                    return

    def __enter__(self) -> "Deadline":
        if self.seconds is None or threading.current_thread() is not threading.main_thread():
            return self
        main = threading.main_thread().ident
        assert main is not None
        if signals_usable():
            self._previous = signal.signal(signal.SIGALRM, self._handler)
            self._interrupter, self.method = None, "signal"
        else:
            self._interrupter, self.method = ThreadInterrupter(main), "async"
        own, own_wait = main_thread_cpu_clock(), run_delay_clock(threading.main_thread().native_id)
        cpu = _safe_sum(own, self.extra_cpu)
        waited = _safe_sum(own_wait, self.extra_wait)
        self._stop.clear()
        # a raw thread, not a threading.Thread: those get the run-time rule check's profile hook
        # (threading.setprofile, autograder.checks.ruleguard), which watches the submission's
        # threads, and this one is the grader's (it would pay for the hook and count as one)
        self._watching.clear()
        self._watcher_pid = os.getpid()
        self._cpu, self._cpu0 = cpu, cpu()
        _thread.start_new_thread(self._run_watcher, (cpu, self._cpu0, time.monotonic(), waited, waited(), main))
        self._active = True
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if not self._active:
            return
        self._active = False
        # The test has ended: a time-out that arrives now (sent just before) is not the test's, and
        # must not reach the grader. Stop the watcher (it sends nothing once _stop is set, see
        # _sending), wait for it, then raise and swallow what it may have sent and not yet raised.
        while True:
            try:
                with self._sending:
                    self._stop.set()
                if os.getpid() == self._watcher_pid:  # a child the test's code forked has no watcher
                    self._watching.wait()
                if self._interrupter is not None:
                    self._interrupter.drain()
                break
            except WorkbookTimeout:
                continue
        if self._interrupter is None:
            signal.signal(signal.SIGALRM, self._previous or signal.SIG_DFL)
        self._interrupter = None
        # The outcome must not depend on how soon the watcher noticed (it polls; on a busy machine,
        # or while the test thread computes, a look can take long): a test that ended past its CPU
        # limit, passed or failed, timed out, as it would have had the watcher been instant.
        if (exc is None or isinstance(exc, Exception)) and self._over_limit():
            self.fired += 1
            self.reason = "(CPU time)"
            raise WorkbookTimeout(self._message()) from exc

    def _over_limit(self) -> bool:
        try:
            return self._cpu() - self._cpu0 > self.seconds  # type: ignore[operator]
        except Exception:  # noqa: BLE001 - a clock that cannot be read decides nothing
            return False


class WallLimit:
    """Raise ``exc_type()`` in the main thread once ``seconds`` of wall-clock time have passed.

    With ``SIGALRM`` (``setitimer``) where POSIX signals exist, else (Windows, or
    ``WORKBOOK_LIMIT_FALLBACK=1``) as an asynchronous exception from a timer thread
    (:class:`ThreadInterrupter`). Outside the main thread it is a no-op.
    """

    def __init__(self, seconds: float, exc_type: type[BaseException]) -> None:
        self.seconds = seconds
        self.exc_type = exc_type
        self._previous: Any = None
        self._old_timer: tuple[float, float] | None = None
        self._interrupter: ThreadInterrupter | None = None
        self._timer: threading.Timer | None = None
        self._sending = threading.Lock()
        self._done = False

    def _on_alarm(self, signum, frame):  # noqa: ANN001, ARG002 - signal handler signature
        raise self.exc_type()

    def _fire(self) -> None:
        with self._sending:
            if not self._done and self._interrupter is not None:
                self._interrupter.send(self.exc_type)

    def __enter__(self) -> "WallLimit":
        if threading.current_thread() is not threading.main_thread():
            return self
        if signals_usable() and hasattr(signal, "setitimer"):
            self._previous = signal.signal(signal.SIGALRM, self._on_alarm)
            self._old_timer = signal.setitimer(signal.ITIMER_REAL, self.seconds)
        else:
            self._interrupter = ThreadInterrupter(threading.get_ident())
            self._timer = threading.Timer(self.seconds, self._fire)
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._old_timer is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._previous)
            if self._old_timer[0]:
                signal.setitimer(signal.ITIMER_REAL, *self._old_timer)
            self._old_timer = None
        if self._timer is None:
            return
        while True:  # as Deadline.__exit__: nothing sent after _done, nothing left pending
            try:
                with self._sending:
                    self._done = True
                self._timer.cancel()
                self._timer.join()
                assert self._interrupter is not None
                self._interrupter.drain()
                break
            except self.exc_type:
                continue
        self._timer = None


def safe_str(exc: BaseException, limit: int = 800) -> str:
    """``str(exc)`` that never raises (a student's ``__str__`` may) and is at most ``limit`` chars."""
    try:
        text = str(exc)
    except (KeyboardInterrupt, limits.MessageTooSlow):  # Ctrl-C, the grader's bound on making a message
        raise
    except BaseException:  # noqa: BLE001
        text = f"<{type(exc).__name__}: the message could not be printed / メッセージを表示できません>"
    return text if len(text) <= limit else text[:limit] + " ..."


__all__ = ["FALLBACK_ENV", "WALL_FACTOR", "Deadline", "GlobalState", "ThreadInterrupter", "WallLimit", "WorkbookTimeout",
           "safe_str", "signals_usable", "wall_backstop"]
