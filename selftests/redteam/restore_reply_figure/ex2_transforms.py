# Correct answers; the worker's reply to the end-of-test "restore" request carries a pyplot figure
# description ("figs") with AXES empty Axes. The grader fills its mirror figure with them
# (Worker._receive_figures -> figdesc.fill_figure: one fig.add_axes per entry, ~7 ms and ~0.2 MB
# each; the worker-side MAX_AXES = 64 is not checked here). The restore is requested by
# IsolatedSubmission.end_test after the test's Deadline has ended, and the request's own wall
# bound only covers waiting on the socket, so nothing limits this work: 20,000 Axes (0.4 MB of
# header) run into pytest-timeout (the whole run ends without a report) with GBs of memory; a 4 MB
# header holds ~190,000 (~40 GB). Tasks without rules (the rule-bound tests restore inside the
# limit, in the rulecheck_stop request).
import os

from ._ref_ex2_transforms import *  # noqa: F401,F403
from ._ref_ex2_transforms import apply_transform as _apply, preserves_direction as _preserves, \
    real_eigenpairs as _eigen

AXES = int(os.environ.get("WORKBOOK_REDTEAM_AXES", "20000"))


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
    if server is None or "send_reply" in vars(server):
        return
    restore, send = server._restore, server.send_reply
    state = {"restoring": False}

    def _restore():
        state["restoring"] = True
        restore()

    def send_reply(header, buffers):
        if state["restoring"]:
            state["restoring"] = False
            empty = {"T": "dict", "v": []}
            header["figs"] = [[1, {"T": "dict", "v": [["axes", [empty] * AXES]]}]]
        send(header, buffers)
    server._restore, server.send_reply = _restore, send_reply


def apply_transform(M, points):
    _arm()
    return _apply(M, points)


def real_eigenpairs(M, tol=1e-9):
    _arm()
    return _eigen(M, tol)


def preserves_direction(M, v, tol=1e-9):
    _arm()
    return _preserves(M, v, tol)
