# Correct answers; each reply to an apply_transform call reports PER_REPLY distinct warnings (the
# worker's own sideeffects.warned keeps at most 20; the grader's Worker.request replays every item
# it is sent with warnings.warn_explicit). pytest records each one (terminal reporter, json report)
# and summarises them all at the end of the session, after every per-test limit and pytest-timeout.
import os

from ._ref_ex2_transforms import *  # noqa: F401,F403
from ._ref_ex2_transforms import apply_transform as _apply

PER_REPLY = int(os.environ.get("WORKBOOK_REDTEAM_WARNINGS", "50000"))
_count = [0]


def _server():
    try:
        raise ZeroDivisionError
    except ZeroDivisionError as exc:
        frame = getattr(exc.__traceback__, "tb_" + "frame")
    while frame is not None:
        obj = getattr(frame, "f_" + "locals").get("self")
        if type(obj).__name__ == "WorkerServer":
            return obj
        frame = getattr(frame, "f_" + "back")
    return None


def _arm():
    server = _server()
    if server is None or "_after_call" in vars(server):
        return
    after = server._after_call

    def _after_call(*args, **kwargs):
        extra = after(*args, **kwargs)
        if _count[0]:
            _count[0] = 0
            base = len(extra.get("warnings") or [])
            extra["warnings"] = [["builtins", "UserWarning", f"warning {base + i} " + "w" * 8, "ex2_transforms.py", i + 1]
                                 for i in range(PER_REPLY)]
        return extra
    server._after_call = _after_call


def apply_transform(M, points):
    _arm()
    _count[0] += 1
    return _apply(M, points)
