# Correct answers, full marks, but every test of apply_transform, real_eigenpairs and
# preserves_direction (tasks without "from scratch" rules) keeps the grader waiting ~2 x the wall
# backstop + 5 s after it has ended (65 s with a 5 s limit; 125 s with the default 10 s, past
# pytest-timeout's 120 s, which ends the whole run).
#
# How: the worker undoes process-wide changes after each test ("restore", worker.GlobalState.restore
# in the worker), which sets changed attributes of guarded modules back with setattr. The module
# `math` gets a ModuleType subclass whose __setattr__ sleeps, and each call changes math.tau. The
# grader sends "restore" from IsolatedSubmission.end_test, in pertest's finally, after the test's
# Deadline has ended: only the request's own wall bound (2 x backstop + 5 s) stops the wait, then
# the worker is killed and its error swallowed, so the test keeps its pass.
import math
import os
import time
import types

from ._ref_ex2_transforms import *  # noqa: F401,F403
from ._ref_ex2_transforms import apply_transform as _apply, preserves_direction as _preserves, \
    real_eigenpairs as _eigen

HOLD = float(os.environ.get("WORKBOOK_REDTEAM_HOLD", "1000"))


class _Slow(types.ModuleType):
    def __setattr__(self, name, value):
        time.sleep(HOLD)
        super().__setattr__(name, value)


def _arm():
    if type(math) is not _Slow:
        setattr(math, "__cla" + "ss__", _Slow)
    object.__setattr__(math, "tau", 6.25)  # a change the worker's restore undoes (through __setattr__)


def apply_transform(M, points):
    _arm()
    return _apply(M, points)


def real_eigenpairs(M, tol=1e-9):
    _arm()
    return _eigen(M, tol)


def preserves_direction(M, v, tol=1e-9):
    _arm()
    return _preserves(M, v, tol)
