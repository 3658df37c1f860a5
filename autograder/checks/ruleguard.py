"""The run-time check of the "from scratch" rules: forbidden calls seen while a task's code runs.

The static scan (:mod:`autograder.checks.rules`) reads the submission's source and gives a precise message
for the common honest case (``from scipy.special import softmax``). It cannot see what a name
refers to at run time: a helper package that shadows a module, a class from another module, a
method rebound in a subclass, ``sys.modules["torch"]``, ``getattr`` with a computed string. So
while a rule-bound test runs, this module watches every call in the process that runs the
submission (the grader's own process in local mode, the worker in isolated mode):

* a profile hook (``sys.setprofile``; in every thread ``threading`` starts after :func:`prepare`,
  put on by the grader's start of the thread before any Python code of it runs) sees every call of
  a Python function (by its code object: the file of the forbidden module and the function's
  qualified name) and every call of a C function from Python code (by the object and its module);
* a torch function mode sees every torch operation, also one called from C code
  (``map(torch.softmax, ...)``), in the test's thread and in threads the submission starts;
* NumPy ufuncs among the forbidden functions (``scipy.special.entr``), which no hook sees, are
  replaced in every module that holds them by a Python wrapper the profile hook sees.

A call counts as the submission's when a frame of the submission is on the stack (whatever
library code, alias or indirection lies in between; the innermost such frame is the file and line
reported), or when it happens in a thread started during the test. Calls the graded test makes
itself (its oracles) have no submission frame and are not counted.

Besides forbidden functions it reports, as violations of every rule-bound task:

* tampering: a call, from the submission, of what turns the check off (``sys.setprofile``,
  ``sys.settrace``, ``threading.setprofile``, torch's function-mode stack, ``DisableTorchFunction``),
  and at the end of the test a hook replaced by something else;
* a process or a raw thread started while the task's code runs (``os.fork``, ``subprocess``,
  ``multiprocessing``, ``_thread.start_new_thread``): the check cannot watch its calls;
* for the no-autodiff rules, a method of the submission's own class that overloads an arithmetic
  operator (``Value.__mul__``): an automatic-differentiation engine of one's own (micrograd).

and, as a failure of the test it happened in only (:data:`.hits.LOST`), a hook that Python itself
removed: CPython unsets a profile or trace function that raises, which happens when the call of
the hook reaches the recursion limit. It is looked for wherever the hooks go off (the last frame of
the submission returns, the grader's pin ends, the test ends): what the code called after that
point was not watched. In other threads (unreadable hooks) the hook counts the depth and gives a
thread up first (:data:`THREAD_MARGIN`). An exception raised inside the hook's own work (an object
of the submission that raises while the check reads it) is caught there: the hook stays on and the
call it could not classify fails the test (:data:`.hits.UNREADABLE_NAME`).

Limits (the README says them too): this is a check inside the process that runs the code. A
submission that deliberately works on the check's own objects (through ``gc``, frames, ``ctypes``)
or calls private C functions from C code can defeat it; the static scan rejects the names such code
needs, and isolated grading confines what it can reach. It makes cheating hard and visible; it is
not a proof.
"""

from __future__ import annotations

import _thread
import gc
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from . import native
from ..core.scratch import TORCH_OPS
from .forbidden import ARITHMETIC, Catalogue, exact_str as _exact
from .genuine import grader_call, library_call, trusted, warm_grader
from .hits import END_OF_TEST, LOST, REPLACED, RESULT_OBJECT, TASK_OBJECT, THREAD_GIVEN_UP, UNREADABLE_NAME, Hit
from .scopes import START_CODE as _START_CODE, Armed, ImportWatch, set_profile as _setprofile, \
    set_trace as _settrace, start_watched, watch_threads
from .torchmode import make_mode, mode_call, modes_in_place, pop_mode, push_mode, redispatched, torch_internal, \
    torch_machinery, torch_only
from .tampering import CONTEXTLIB_FILE as _CONTEXTLIB_FILE, DIRECT, LIBRARY, \
    refuse_audit_hooks, replaced_methods, tamper_objects
from .visibility import SWITCH_CODES, compile_marked, pending, reverted, wrap_invisible, wrap_pending, wrap_switches

# the originals, taken before any submission code runs (a submission that replaces sys.setprofile
# in the sys module changes nothing here)
_getprofile = sys.getprofile
_gettrace = sys.gettrace
_getframe = sys._getframe
_get_ident = _thread.get_ident
_getrecursionlimit = sys.getrecursionlimit
_current_frames = sys._current_frames
_CodeType = type((lambda: None).__code__)


#: Code objects whose owner the check remembers (kept alive) from test to test: a bound on memory.
MAX_REMEMBERED = 100_000

#: Frames a watched test has at least above the grader's own stack (see :meth:`_Guard.start`).
HEADROOM = 200

#: A thread other than the test's is given up (:data:`.hits.LOST`) this many frames short of the
#: recursion limit: room for the hook's own calls, before Python can remove it unnoticed.
THREAD_MARGIN = 50


# --- the guard ----------------------------------------------------------------------------------

class _Guard:
    """The process's one run-time check (see the module docstring)."""

    def __init__(self) -> None:
        self.catalogue: Catalogue | None = None
        self.owns: Callable[[str], bool] = lambda filename: False
        self.root: Path | None = None
        self.hits: list[Hit] = []  # and below: whether the test controls garbage collection (start)
        self.gc_on = False
        self.lock = threading.Lock()
        self.home: set[int] = set()  # the test's own thread: any other one may run the submission's code
        self.thread: int | None = None  # the thread that started the check
        self.mode: Any = None
        self.mode_threads: set[int] = set()
        self.prepared = False
        self.torch_seen = False  # the tamper list has torch's functions
        self.owned: dict[str, bool] = {}
        self.tamper_c: dict[int, tuple[Any, str]] = {}
        self.tamper_codes: dict[int, tuple[Any, str]] = {}
        self.processes: dict[int, tuple[Any, str]] = {}
        self.saved_profile: Any = None
        self.saved_trace: Any = None
        self.import_hits: list[Hit] = []  # processes started or the check tampered with at import
        self.swaps: list[Hit] = []  # a profile or trace function set by the submission (:meth:`_swapped`)
        self.wrap_due = False  # a module with forbidden C functions was imported (visibility.wrap_pending)
        self.depth = 0  # frames of the submission on the test thread's stack
        self.fast = False  # the submission's code carries entry marks (no trace hook, see .visibility)
        self.armed = False  # fast mode: the hooks are on (a frame of the submission is on the stack)
        self.pinned = 0  # fast mode: the hooks stay on while the grader calls into the submission (pin)
        self.owned_codes: dict[int, tuple[Any, bool]] = {}
        self.main: int | None = None  # the thread that prepared the check (the grader's)
        self.thread_depth: dict[int, int] = {}  # other threads: frames since the hook came on
        self.excusing = False  # the test takes own values (own_values_call): its thread's forbidden calls are excused
        self.lost_threads: set[int] = set()  # other threads given up near the recursion limit
        self.held: list[Any] = []  # what the test's calls into the submission took and gave (call_into)
        self.thread_hook: Any = None  # threading._profile_hook as the check leaves it (prepare)
        self.dispatch = self._make_dispatch()
        self.gate, self.leave = self._make_gate()

    # what a hit is attributed to ----------------------------------------------------------------
    def _is_owned(self, filename: str) -> bool:
        """Whether code compiled under ``filename`` is the submission's. A file name that is not an
        exact ``str`` (a subclass, whose hash and comparisons run the submission's code inside the
        hook) is the submission's: only code it made has one."""
        if type(filename) is not str:
            return True
        known = self.owned.get(filename)
        if known is None:
            try:
                known = bool(self.owns(filename))
            except Exception:  # noqa: BLE001
                known = False
            self.owned[filename] = known
        return known

    def _culprit(self, frame: Any) -> tuple[str, int] | None:
        """(file, line) of the innermost frame of the submission on the stack from ``frame`` out."""
        own = frame is not None and _exact(frame.f_code.co_filename) in _CHECK_FILES and trusted(frame)
        while frame is not None:
            filename = frame.f_code.co_filename
            if self._is_owned(filename):
                shown = filename = _exact(filename)
                if self.root is not None:
                    try:
                        shown = str(Path(filename).resolve().relative_to(self.root))
                    except (OSError, ValueError):
                        shown = Path(filename).name
                return shown, frame.f_lineno
            if frame.f_code is _CALL_INTO:  # the grader called a task that is no code of the submission
                return TASK_OBJECT, 0
            frame = frame.f_back
        if _get_ident() not in self.home:  # a thread the submission started (during the test or before)
            return "", 0
        if self.pinned and not own:  # under the grader's call into the submission: its result's methods, figures
            return RESULT_OBJECT, 0
        return None

    def _record(self, kind: str, name: str, frame: Any) -> None:
        # the torch dispatch mode running the operation it checked; the settings a test's function runs under
        if redispatched(frame) or frame is not None and grader_call(frame, name):
            return
        where = self._culprit(frame)
        if where is None:
            return
        self._add(Hit(kind, name, where[0], where[1]))

    def _add(self, hit: Hit) -> None:
        """Keep ``hit`` unless the test already has it (or 50 hits), or it is a forbidden call made in
        the test's thread while the test takes own values (:func:`own_values_call`)."""
        if self.excusing and hit.kind == "forbidden" and _get_ident() == self.thread:
            return
        with self.lock:
            if hit not in self.hits and len(self.hits) < 50:
                self.hits.append(hit)

    # the hooks --------------------------------------------------------------------------------
    def _make_dispatch(self) -> Callable:
        guard = self

        def dispatch(frame: Any, event: str, arg: Any) -> None:
            # Python removes a hook that raises, unnoticed in a thread of the submission: nothing may
            # escape (an object of the submission can raise while the check reads it); a time-out
            # (a BaseException) passes
            try:
                if guard.wrap_due:  # a forbidden C module was imported just now: its functions made visible
                    guard.wrap_due = wrap_pending()
                catalogue = guard.catalogue
                if event == "c_call":
                    key = id(arg)
                    entry = guard.tamper_c.get(key)
                    if entry is not None and entry[0] is arg:
                        # a library's own use (timeit's gc.enable, dataclasses' exec: see .genuine; also in a thread
                        # of the submission's); a switch's wrapper (visibility.wrap_switches) was judged when called
                        if (entry[1] in DIRECT and library_call(frame, arg) or entry[1].startswith(LIBRARY)
                                and torch_only(frame, guard._owned_code) and _get_ident() in guard.home) \
                                and not guard._owned_code(frame.f_code) or id(frame.f_code) in SWITCH_CODES:
                            return
                        if not torch_machinery(frame, _CHECK_FILES):
                            guard._record("tamper", entry[1], frame)
                        return
                    if type(getattr(arg, "__self__", None)) is _CodeType and getattr(arg, "__name__", "") == "replace" \
                            and guard._owned_code(frame.f_code):
                        # the submission rewrites code (without its marks, or under another file name);
                        # the marks' own binding and a library's rewriting are not the submission's
                        guard._record("tamper", "code.replace", frame)
                        return
                    if catalogue is None:
                        return
                    entry = guard.processes.get(key)
                    if entry is not None and entry[0] is arg:
                        if not (key == id(_thread.start_new_thread) and frame.f_code is _START_CODE):
                            guard._record("process", entry[1], frame)
                        elif getattr(threading, "_profile_hook", None) is not guard.thread_hook:  # would replace
                            guard._record("tamper", "threading._profile_hook", frame)  # the hook in the thread
                        return
                    name = catalogue.c_name(arg)
                    if name is not None and not mode_call(frame):
                        guard._record("forbidden", name, frame)
                elif event == "return":
                    ident = _get_ident()
                    if ident != guard.thread and ident != guard.main:
                        depths = guard.thread_depth
                        depth = depths.get(ident, 0) - 1
                        if depth > 0:
                            depths[ident] = depth
                        else:
                            depths.pop(ident, None)
                    elif guard.armed and not guard.pinned and guard._owned_code(frame.f_code) and ident == guard.thread:
                        back = frame.f_back
                        while back is not None and not guard._owned_code(back.f_code):
                            back = back.f_back
                        if back is None:  # the last frame of the submission leaves the stack
                            guard._disarm()
                elif event == "call":
                    ident = _get_ident()
                    if ident != guard.thread and ident != guard.main:
                        depth = guard.thread_depth.get(ident, 0) + 1
                        guard.thread_depth[ident] = depth
                        if depth > _getrecursionlimit() - THREAD_MARGIN:
                            guard._give_up_thread(ident)
                    code = frame.f_code
                    tamper = guard.tamper_codes.get(id(code))
                    if tamper is not None and tamper[0] is code:
                        if tamper[1].startswith(LIBRARY) and _get_ident() in guard.home \
                                and torch_only(frame.f_back, guard._owned_code):
                            return  # torch registering its own kernels (a lazily imported module)
                        if not torch_machinery(frame.f_back, _CHECK_FILES):
                            guard._record("tamper", tamper[1], frame.f_back)
                        return
                    if catalogue is None:
                        return
                    name = catalogue.code_name(code)
                    if name is not None:
                        # torch.ops counts when called (not an operator object torch makes lazily for the
                        # dispatch mode, from C: the first use made scores depend on test order), not by torch
                        if not (name.startswith(TORCH_OPS) and (code.co_name != "__call__" or torch_internal(frame.f_back)
                                                                or mode_call(frame.f_back))):  # (or the mode's)
                            guard._record("forbidden", name, frame.f_back)
                    elif catalogue.no_overloading and _exact(code.co_name) in ARITHMETIC \
                            and guard._is_owned(code.co_filename):
                        guard._record("overloading", getattr(code, "co_qualname", code.co_name), frame.f_back or frame)
                    if guard.mode is not None and _get_ident() not in guard.mode_threads:
                        guard._push_mode()
            except Exception as error:  # noqa: BLE001
                guard._unreadable(frame, error)

        return dispatch

    def _make_gate(self) -> tuple[Callable, Callable]:
        """The test thread's trace hook: the profile hook is on only while a frame of the
        submission is on the stack (the graded test's own work, hypothesis and the oracles, runs at
        full speed; everything the submission's code calls, directly or not, is watched)."""
        guard = self
        dispatch = self.dispatch

        def leave(frame: Any, event: str, arg: Any) -> Any:
            if event == "return":
                guard.depth -= 1
                if guard.depth <= 0:
                    guard.depth = 0
                    current = _getprofile()
                    if current is not dispatch:  # gone while the submission's code ran
                        guard._hook_gone("sys.setprofile", current)
                    _setprofile(guard.saved_profile)
                    if guard.gc_on:
                        gc.disable()
            return leave

        def gate(frame: Any, event: str, arg: Any) -> Any:
            if event != "call" or not (guard._is_owned(frame.f_code.co_filename) or frame.f_code is _CALL_INTO):
                return None
            if guard.depth == 0:
                if guard.gc_on:
                    gc.enable()
                _setprofile(dispatch)
                dispatch(frame, "call", None)  # the checks of a call event, for this first frame too
            guard.depth += 1
            frame.f_trace_lines = False
            return leave

        return gate, leave

    def _give_up_thread(self, ident: int) -> None:
        """A thread other than the test's came near the recursion limit (:data:`THREAD_MARGIN`)."""
        self.lost_threads.add(ident)  # first: no Python frame needed
        if self.catalogue is not None:
            self._add(THREAD_GIVEN_UP)

    def _unreadable(self, frame: Any, error: Exception) -> None:
        """An exception inside the hook (caught, so the hook stays on): the call cannot be classified."""
        if self.catalogue is None:
            return
        if isinstance(error, RecursionError):  # the hook's own work at the limit: as if Python removed it
            self._add(_missing("sys.setprofile", None))
            return
        try:
            where = self._culprit(frame)
        except Exception:  # noqa: BLE001
            where = (END_OF_TEST, 0)
        if where is not None:
            self._add(Hit(LOST, UNREADABLE_NAME, *where))

    def _threads_given_up(self) -> Hit | None:
        """The hit of threads given up earlier that still run; forgets ended threads (ids are reused)."""
        if not (self.lost_threads or self.thread_depth):
            return None
        alive = set(_current_frames())
        self.lost_threads &= alive
        for ident in list(self.thread_depth):
            if ident not in alive:
                self.thread_depth.pop(ident, None)
        return THREAD_GIVEN_UP if self.lost_threads else None

    # fast mode: entry marks compiled into the submission's code (:mod:`.visibility`) ------------
    def enter(self) -> None:
        """Entry mark: a function of the submission starts; turns the hooks on in the test's thread."""
        if self.fast and not self.armed and _get_ident() == self.thread:
            self._arm(_getframe(1))

    def pin(self) -> bool:
        """Fast mode: the hooks on until :meth:`unpin`, whatever runs (the grader calls into the
        submission: code that lacks marks, however it was made, runs watched); whether it pinned."""
        if not self.fast or _get_ident() != self.thread:
            return False
        if not self.armed:
            self._arm(_getframe(1), collect=False)  # collections only under the call (call_into)
        self.pinned += 1
        return True

    def unpin(self) -> None:
        """End a :meth:`pin`; the hooks go off unless a frame of the submission is still on the stack."""
        self.pinned = max(0, self.pinned - 1)
        if self.pinned or not (self.fast and self.armed):
            return
        frame = _getframe(1)
        while frame is not None and not self._owned_code(frame.f_code):
            frame = frame.f_back
        if frame is None:
            self._disarm()

    def watch_iter(self, iterable: Any) -> Armed:
        """Entry mark on an iterable of a generator expression of the submission."""
        return Armed(self, iter(iterable))

    def _arm(self, frame: Any, collect: bool = True) -> None:
        torch = sys.modules.get("torch")
        if self.mode is not None and torch is not None:  # before the profile hook, which would see it
            push_mode(torch, self.mode)
        self.armed = True
        if self.gc_on and collect:
            gc.enable()
        _setprofile(self.dispatch)
        self.dispatch(frame, "call", None)  # the checks of a call event, for this first frame too

    def _disarm(self) -> None:
        """Hooks off (from the profile hook, which sees none of this): no frame of the submission left."""
        self.armed = False
        if self.gc_on:
            gc.disable()
        current = _getprofile()
        if current is not self.dispatch:  # gone while the submission's code ran (:data:`.hits.LOST`)
            self._hook_gone("sys.setprofile", current)
        _setprofile(self.saved_profile)
        torch = sys.modules.get("torch")
        if self.mode is not None and torch is not None:
            found = [] if torch._C._is_torch_function_enabled() else ["torch._C.DisableTorchFunction"]
            if not pop_mode(torch, self.mode):  # taken off while the submission's code ran
                found.append("torch function or dispatch mode")
            for name in found:
                self._add(Hit("tamper", name, END_OF_TEST, 0))

    def _swapped(self, event: str, caller: Any) -> None:
        """A profile or trace function set (also from C) by code that may be the submission's (.native):
        tampering at the test's end unless Python removed a hook that raised (LOST), even if put back."""
        if self.catalogue is not None and not self.swaps:
            where = self._culprit(caller) or (END_OF_TEST, 0)
            self.swaps.append(Hit("tamper", f"{event} (a profiler, tracer or debugger: cProfile, breakpoint())", *where))

    def _hook_gone(self, name: str, current: Any) -> None:
        """Keep a hook found missing: LOST if Python removed it, else tampering (unless seen already)."""
        hit = _missing(name, current)
        if hit.kind == LOST or not any(h.kind == "tamper" for h in self.hits):
            self._add(hit)

    def _owned_code(self, code: Any) -> bool:
        entry = self.owned_codes.get(id(code))  # by id, the code kept: its hash reads its constants
        if entry is not None and entry[0] is code:
            return entry[1]
        known = self._is_owned(code.co_filename)
        self.owned_codes[id(code)] = (code, known)
        return known

    def _push_mode(self) -> None:
        """Put the torch function mode on this thread's stack (a thread started during the test)."""
        torch = sys.modules.get("torch")
        if torch is None or self.mode is None:
            return
        try:
            push_mode(torch, self.mode)
            self.mode_threads.add(_get_ident())
        except Exception:  # noqa: BLE001
            pass

    # set-up and the test's start and end -------------------------------------------------------
    def prepare(self, forbidden: Iterable[str]) -> None:
        """Once per process, before any submission code runs: wrap forbidden ufuncs, hook new threads."""
        if self.prepared:
            return
        self.prepared, self.main = True, _get_ident()
        wrap_invisible(forbidden)
        native.install(lambda: self.armed and _get_ident() == self.thread, self._swapped,  # before the hook
                       lambda name: setattr(self, "wrap_due", self.wrap_due or pending(name)))
        sys.addaudithook(refuse_audit_hooks)  # refusing later ones
        wrap_switches(), warm_grader()
        self.tamper_c, self.tamper_codes, self.processes = tamper_objects()
        self.torch_seen = "torch" in sys.modules
        if "torch" in sys.modules:  # made now: an isolated worker may not import anything later
            self.mode = make_mode(self)
        if watch_threads(self.dispatch):
            threading.setprofile(None)  # (threading's own start-up sets no hook then)
        else:  # an interpreter whose threading starts threads otherwise
            self.thread_hook = self.dispatch
            threading.setprofile(self.dispatch)

    def start(self, catalogue: Catalogue, owns: Callable[[str], bool], root: Path | None = None,
              fast: bool = False) -> None:
        """Turn the check on for one test in the calling thread (and threads started from now on);
        ``fast``: every loaded module of the submission carries entry marks (no trace hook needed)."""
        if not self.prepared:
            self.prepare(catalogue.forbidden)
        if "torch" in sys.modules and not self.torch_seen:  # imported after prepare (local mode)
            wrap_switches()
            self.tamper_c, self.tamper_codes, self.processes = tamper_objects()
            self.torch_seen = True
        self.hits, self.swaps = list(self.import_hits), []
        wrap_pending()  # forbidden C modules the tests imported since prepare; the grader's files read
        warm_grader()  # (checks.genuine) while no submission code runs
        if owns != self.owns or root != self.root or len(self.owned_codes) > MAX_REMEMBERED:
            # kept from test to test of one submission (finding out resolves paths: costly)
            self.owned, self.owned_codes = {}, {}
        self.owns, self.root = owns, root
        # only the test's thread is the grader's: a thread started earlier (a pool the submission
        # made at import) runs the submission's work with none of its frames on the stack
        self.home = {_get_ident()}
        self.thread = _get_ident()
        integrity = self._integrity(threads_only=True)
        self.catalogue = catalogue
        for found in (integrity, self._threads_given_up()):  # and a thread given up earlier, still running
            if found:
                self.hits.append(found)
        if self.mode is None and "torch" in sys.modules:
            self.mode = make_mode(self)  # one per process: threads keep it on their stacks
        self.depth, self.armed, self.fast, self.pinned = 0, False, fast, 0
        self.excusing = False
        # garbage collection only while the submission's code runs, watched: finalisers and callbacks made
        # of C callables (no frame of the submission) would run in the test's own code (red team)
        self.gc_on = gc.isenabled() and catalogue is not _IMPORT
        if self.gc_on:
            # garbage of earlier tests (a failed test's traceback) is not this test's; the young
            # generations hold it (no collection ran during those tests but under call_into): a full
            # collection per test cost ~40 ms once the oracles' imports had grown the heap
            gc.collect(1)
            gc.disable()
        self.saved_profile, self.saved_trace = _getprofile(), _gettrace()
        # the hooks need stack room of their own: a recursion limit set below this test's stack
        # plus a margin (by the submission, at import) would make Python remove them at once
        # (:data:`.hits.LOST`); the grader restores the limit after the test
        frame, used = _getframe(), 0
        while frame is not None:
            frame, used = frame.f_back, used + 1
        if sys.getrecursionlimit() < used + HEADROOM:
            sys.setrecursionlimit(used + HEADROOM)
        if self.mode is not None:
            self.mode_threads.add(self.thread)  # fast mode: the marks push and pop it
            if not fast:
                push_mode(sys.modules["torch"], self.mode)
        if not fast:
            _settrace(self.gate)

    def stop(self) -> list[Hit]:
        """Turn the check off; the hits of the test, with any tampering found now."""
        if self.gc_on and self.catalogue is not None and _get_ident() == self.thread:
            # what this test's calls took and gave is released now, watched, counted in this test
            pinned = self.pin()
            try:
                call_into(self._settle, (), {})
            finally:
                if pinned:
                    self.unpin()
        problem = self._integrity()
        self.catalogue = None
        self.fast = self.armed = False
        self.pinned = 0
        if _gettrace() is self.gate:
            _settrace(self.saved_trace)
        if _getprofile() is self.dispatch:
            _setprofile(self.saved_profile)
        self.depth = 0
        torch = sys.modules.get("torch")
        if self.mode is not None and torch is not None:
            pop_mode(torch, self.mode)
        self.mode_threads.discard(self.thread)
        hits = list(self.hits)
        if problem and problem not in hits:
            hits.append(problem)
        if self.swaps and not any(h.kind == LOST or h.name == self.swaps[0].name.split(" ")[0] for h in hits):
            hits.append(self.swaps[0])
        self.hits, self.swaps = [], []
        if self.gc_on:
            gc.enable()
            self.gc_on = False
        self.held.clear()  # in place: an exception's traceback may hold the list (finalisers run now)
        self.held = []
        return hits

    def _settle(self) -> None:
        """Release what the test's calls took and gave: their finalisers run now, watched and counted
        in this test. (Cycles are collected at the next test's start, unwatched: the values this test
        compared are read no more, and a later test must not pay for them.)"""
        self.held.clear()

    def watch_import(self, owns: Callable[[str], bool], root: Path | None) -> ImportWatch:
        """A context in which the submission's module-level code runs watched for processes,
        raw threads and tampering (no function is forbidden at import); what it finds counts
        against every later rule-bound test (a process pool started at import would otherwise run
        the task's work where no hook can see it)."""
        return ImportWatch(self, _IMPORT, owns, root)

    def _integrity(self, threads_only: bool = False) -> Hit | None:
        """What of the check is no longer in place, as a hit (None when all is): a hook Python
        removed is :data:`.hits.LOST`, anything else tampering."""
        if getattr(threading, "_profile_hook", None) is not self.thread_hook:
            return Hit("tamper", "threading._profile_hook", END_OF_TEST, 0)
        if self.thread_hook is None and getattr(threading, "_start_new_thread", None) is not start_watched:
            return Hit("tamper", "threading._start_new_thread", END_OF_TEST, 0)
        restored = reverted()  # a forbidden C module's original functions back in its namespace
        if restored:
            return Hit("tamper", f"{restored} (its original C functions restored)", END_OF_TEST, 0)
        if threads_only:
            return None
        current = _gettrace()
        if current is not (self.saved_trace if self.fast else self.gate):
            return _missing("sys.settrace", current)
        current = _getprofile()
        if current is not (self.dispatch if self.depth or self.armed else self.saved_profile):
            return _missing("sys.setprofile", current)
        torch = sys.modules.get("torch")
        if self.mode is not None and torch is not None and (self.armed or not self.fast):
            if not modes_in_place(torch, self.mode):
                return Hit("tamper", "torch function or dispatch mode", END_OF_TEST, 0)
            if not torch._C._is_torch_function_enabled():
                return Hit("tamper", "torch._C.DisableTorchFunction", END_OF_TEST, 0)
        return None


def _missing(name: str, current: Any) -> Hit:
    """The hit of hook ``name`` found not to be the check's: ``current`` None means Python removed
    it (:data:`.hits.LOST`), anything else replaced it (tampering)."""
    return Hit(LOST if current is None else "tamper", name, END_OF_TEST, 0)


GUARD = _Guard()
_IMPORT = Catalogue(())


_CATALOGUES: dict[tuple, Catalogue] = {}


def catalogue(key: tuple) -> Catalogue:
    """The :class:`Catalogue` for :func:`autograder.checks.rules.catalogue_key`'s ``key`` (made once)."""
    found = _CATALOGUES.get(key)
    if found is None:
        forbidden, methods, no_overloading = key
        found = _CATALOGUES[key] = Catalogue(forbidden, methods, no_overloading)
    return found


def prepare(forbidden: Iterable[str], keys: Iterable[tuple] = ()) -> None:
    """Set the check up in this process before any submission code runs (see :class:`_Guard`).

    Args:
        forbidden: every forbidden dotted name of the rules (their NumPy ufuncs are wrapped).
        keys: the catalogue keys of the rules (:func:`autograder.checks.rules.catalogue_key`), made now
            (an isolated worker cannot look at the file system later).
    """
    GUARD.prepare(forbidden)
    for key in keys:
        catalogue(key)


def start(catalogue: Catalogue, owns: Callable[[str], bool], root: Path | None = None, fast: bool = False) -> None:
    """Watch the calls of one rule-bound test (call :func:`stop` in a ``finally``); ``fast``: every
    loaded module of the submission was compiled by :func:`compile_submission` with its marks."""
    GUARD.start(catalogue, owns, root, fast)


def compile_submission(source: str, filename: str, flags: int = 0) -> tuple[Any, bool]:
    """The module code of one of the submission's files (or of one cell of a notebook file, with the
    ``__future__`` compiler ``flags`` of its earlier cells) and whether it carries the entry marks
    (:mod:`.visibility`; unmarked code is watched the slow way).

    Raises:
        SyntaxError: ``source`` is not valid Python.
    """
    code = compile_marked(source, filename, GUARD.enter, GUARD.watch_iter, flags)
    if code is not None:
        return code, True
    return compile(source, filename, "exec", flags=flags, dont_inherit=True), False


def stop() -> list[Hit]:
    """End the watch started by :func:`start`; returns what was seen."""
    return GUARD.stop()


def call_into(target: Callable, args: tuple, kwargs: dict) -> Any:
    """Call ``target``, an object of the submission the grader calls as a task (both modes).

    What runs under this frame with no frame of the submission in between counts as the
    submission's (:data:`.hits.TASK_OBJECT`): a task's name bound to a library function
    (``attention_entropy = functools.partial(scipy.stats.entropy, axis=-1)``) runs no code of
    the submission, yet it is the submission's answer. The trace hook treats this frame as an entry.
    While a rule check is on, the arguments, the result and an exception raised are kept until it
    stops: a finaliser or weakref callback the submission attached to one (made of C callables only)
    would otherwise run when the test drops it, after the call, unwatched, and could fill in a
    returned array before the test compares it (see also :meth:`_Guard.start` on garbage collection).
    """
    held = GUARD.held if GUARD.catalogue is not None else None
    if held is not None:
        held.append((args, kwargs))
    collect = GUARD.gc_on  # collections under this frame: what they run is attributed
    try:
        if collect:
            gc.enable()
        result = target(*args, **kwargs)
    except BaseException as exc:
        if held is not None:
            held.append(exc)
        raise
    finally:
        if collect:
            gc.disable()
    if held is not None:
        held.append(result)
        # a method replaced on what the test will read (C callables: no frame of the submission then)
        try:
            for name in replaced_methods((result, *args, *kwargs.values()), GUARD._owned_code):
                GUARD._add(Hit("tamper", name + REPLACED, RESULT_OBJECT, 0))
        except Exception:  # noqa: BLE001 - an object that cannot be read: that test fails
            GUARD._add(Hit(LOST, UNREADABLE_NAME, RESULT_OBJECT, 0))
    return result


def test_is_calling() -> bool:
    """Whether the test's own code is running in the test's thread now (no frame of the submission
    on the stack: the check's hooks are off), so that a call made now is the test's."""
    guard = GUARD
    return guard.catalogue is not None and not guard.depth and not guard.armed and _get_ident() == guard.thread


def own_values_call(target: Callable, args: tuple, kwargs: dict) -> Any:
    """:func:`call_into` for a call the test makes to compute the submission's own values
    (:mod:`autograder.checks.ownvalues`: a figure test accepts what the submission's own ``softmax``
    gives): a library call in it is that function's fault, counted by its own tests, not the task's
    under test ("one mistake, one loss"); tampering still counts. The caller makes sure the test
    itself makes the call (:func:`test_is_calling`, before :func:`pin`): one made while the
    submission's code runs (it reached the test's objects) is an ordinary :func:`call_into`.
    """
    guard = GUARD
    if guard.catalogue is None:
        return call_into(target, args, kwargs)
    guard.excusing = True  # (forbidden calls of the test's thread only: another thread's still count)
    try:
        return call_into(target, args, kwargs)
    finally:
        guard.excusing = False


_CALL_INTO = call_into.__code__
_CHECK_FILES = frozenset(sys.modules[name].__file__ for name in (__name__, make_mode.__module__, Armed.__module__))


def pin() -> bool:
    """Keep the check's hooks on while the grader calls into the submission (see :meth:`_Guard.pin`);
    call :func:`unpin` when it returns, if this returned True."""
    return GUARD.pin()


def unpin() -> None:
    """End :func:`pin`."""
    GUARD.unpin()
