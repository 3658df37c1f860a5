"""Keep one test's (or one import's) side effects from reaching the next, and stop hung code.

Local grading runs the student's code in the grader's process. This module contains the honest
accidents of such code so they cost only the test that caused them:

* :class:`GlobalState` snapshots and restores process-wide state that code commonly changes:
  ``sys.stdout``/``stderr``/``stdin``, the recursion limit, NumPy's floating-point error and print
  options, torch's default dtype, warning filters, matplotlib's backend, and the attributes of the
  modules the grader and its oracles rely on (``numpy``, ``numpy.testing``, ``math``, ``builtins``,
  ``torch``, ``autograder.compare`` …), so ``np.allclose = lambda *a: True`` is undone.
* :class:`Deadline` is a per-test time limit that raises :class:`WorkbookTimeout`, a
  ``BaseException`` that hypothesis does not catch (pytest-timeout's ``Failed`` is caught by
  hypothesis, which then keeps calling hung code without a limit). Once expired it fires again
  every second, so one bare ``except:`` cannot swallow it for good.

Deliberate attacks (``os._exit``, a bare ``except:`` in an endless loop, patching the grader
through ``gc``) need out-of-process grading.
"""

from __future__ import annotations

import signal
import sys
import threading
import warnings
from types import ModuleType
from typing import Any

import numpy as np

#: Modules whose attributes are restored after every test and import.
GUARDED_MODULES = (
    "builtins", "math", "numpy", "numpy.linalg", "numpy.testing", "numpy.random", "numpy.fft",
    "torch", "torch.nn.functional", "torch.autograd", "scipy.special", "scipy.stats", "scipy.linalg",
    "matplotlib", "matplotlib.pyplot", "json",
    "autograder", "autograder.compare", "autograder.report", "autograder.plugin", "autograder.loader",
    "autograder.rules", "autograder.i18n",
)


class WorkbookTimeout(BaseException):
    """A graded test ran past its time limit (a BaseException, so test frameworks let it through)."""


class GlobalState:
    """A snapshot of process-wide state; :meth:`restore` puts it back."""

    def __init__(self) -> None:
        self.streams = (sys.stdout, sys.stderr, sys.stdin)
        self.recursion = sys.getrecursionlimit()
        self.np_err = np.geterr()
        self.np_print = np.get_printoptions()
        self.warning_filters = list(warnings.filters)
        self.modules: dict[str, tuple[ModuleType, dict[str, Any]]] = {}
        for name in GUARDED_MODULES:
            module = sys.modules.get(name)
            if isinstance(module, ModuleType):
                self.modules[name] = (module, dict(vars(module)))
        torch = sys.modules.get("torch")
        self.torch_dtype = torch.get_default_dtype() if torch is not None else None
        mpl = sys.modules.get("matplotlib")
        # the raw stored values (matplotlib.get_backend() resolves the backend: ~5 ms a call)
        self.mpl_rc = dict.copy(mpl.rcParams) if mpl is not None else None
        self.mpl_backend = self.mpl_rc.get("backend") if self.mpl_rc is not None else None

    def restore(self) -> None:
        """Put the snapshot back (changed and deleted module attributes are restored)."""
        for name, (module, saved) in self.modules.items():
            current = vars(module)
            # attributes added since are kept: modules such as torch add lazily imported submodules,
            # and deleting those makes their lazy __getattr__ recurse
            for key, value in saved.items():
                if current.get(key, _MISSING) is not value:
                    try:
                        setattr(module, key, value)
                    except (AttributeError, TypeError):
                        pass
        for current, saved in zip((sys.stdout, sys.stderr, sys.stdin), self.streams):
            if current is not saved:
                # a TextIOWrapper around our stream would close it when collected: keep it alive
                _KEEP_ALIVE.append(current)
        sys.stdout, sys.stderr, sys.stdin = self.streams
        sys.setrecursionlimit(self.recursion)
        np.seterr(**self.np_err)
        np.set_printoptions(**self.np_print)
        warnings.filters[:] = self.warning_filters
        torch = sys.modules.get("torch")
        if torch is not None and self.torch_dtype is not None and torch.get_default_dtype() != self.torch_dtype:
            torch.set_default_dtype(self.torch_dtype)
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
_KEEP_ALIVE: list[Any] = []


class Deadline:
    """A per-test time limit on the main thread (SIGALRM); a no-op where signals are unavailable."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds if seconds and seconds > 0 else None
        self.fired = 0
        self._previous: Any = None
        self._active = False

    def _handler(self, signum, frame):  # noqa: ANN001 - signal handler signature
        self.fired += 1
        raise WorkbookTimeout(f"Timeout (>{self.seconds:g}s)")

    def __enter__(self) -> "Deadline":
        if self.seconds is None or threading.current_thread() is not threading.main_thread() \
                or not hasattr(signal, "setitimer"):
            return self
        self._previous = signal.signal(signal.SIGALRM, self._handler)
        signal.setitimer(signal.ITIMER_REAL, self.seconds, 1.0)
        self._active = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self._active:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._previous or signal.SIG_DFL)
            self._active = False


def safe_str(exc: BaseException, limit: int = 800) -> str:
    """``str(exc)`` that never raises (a student's ``__str__`` may) and is at most ``limit`` chars."""
    try:
        text = str(exc)
    except BaseException:  # noqa: BLE001
        text = f"<{type(exc).__name__}: the message could not be printed / メッセージを表示できません>"
    return text if len(text) <= limit else text[:limit] + " ..."


__all__ = ["Deadline", "GlobalState", "WorkbookTimeout", "safe_str"]
