# Correct answers, but each test takes ~110 s of wall-clock time (the per-test limit is 10 s of CPU
# time with a 60 s wall-clock backstop) while 15 child processes burn every core.
#
# How: the worker's main thread lowers its own priority (nice 19) and spins, so it is "runnable but
# waiting for a CPU" nearly all the time; the grader subtracts that run-delay from the test's
# wall-clock backstop, so the backstop never fires, and its own CPU time stays ~0. The children are
# never waited for, so their CPU time is not counted either. Each call stays under the per-request
# wall deadline (6 x the limit, which does not subtract run-delay), and each test under
# pytest-timeout's 120 s (which would end the whole run).
import gc, os, signal, time

from ._ref_ex1_vectors import *  # noqa: F401,F403
from ._ref_ex1_vectors import cosine_similarity as _reference

PER_CALL = float(os.environ.get("WORKBOOK_REDTEAM_PER_CALL", "40"))   # < 6 x --timeout
PER_TEST = float(os.environ.get("WORKBOOK_REDTEAM_PER_TEST", "110"))  # < pytest-timeout (120 s)
_kids = []
_state = {"baseline": None, "spent": 0.0}


def _server():
    for o in getattr(gc, "get_" + "objects")():  # hidden from the static scan: this case is about CPU time
        if type(o).__name__ == "WorkerServer":
            return o


def _spinners(n=15):
    for _ in range(n):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            while True:
                pass
        _kids.append(pid)


def cosine_similarity(a, b):
    if not _kids:
        _state["server"] = _server()
        _spinners()
        os.nice(19)
    srv = _state["server"]
    base = id(getattr(srv, "baseline", None))
    if base != _state["baseline"]:  # a new test (the worker takes a new baseline after each one)
        _state.update(baseline=base, spent=0.0)
    hold = max(0.0, min(PER_CALL, PER_TEST - _state["spent"]))
    t0 = time.monotonic()
    if hold > 0:
        for k in _kids:
            os.kill(k, signal.SIGCONT)
        while time.monotonic() - t0 < hold:
            pass
        for k in _kids:  # stopped between holds, so the nice'd main thread answers at full speed
            os.kill(k, signal.SIGSTOP)
    _state["spent"] += time.monotonic() - t0
    return _reference(a, b)
