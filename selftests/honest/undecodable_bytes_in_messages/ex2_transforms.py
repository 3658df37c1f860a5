# Correct code whose messages quote undecodable bytes (a file name read with surrogateescape leaves a
# lone surrogate in a str): the ValueError the input checks expect, and a warning of a correct
# function. Red team round 11: isolated mode could not encode the reply (strict UTF-8), every such call
# ended the worker (local 20, isolated 19 and 15).
import warnings

from ._ref_ex2_transforms import *  # noqa: F401,F403
from . import _ref_ex2_transforms as _ref

_TAG = b"\xff".decode("utf-8", "surrogateescape")


def apply_transform(M, P, *args, **kwargs):
    try:
        return _ref.apply_transform(M, P, *args, **kwargs)
    except ValueError as exc:
        raise ValueError(f"{exc} [{_TAG}]") from None


def preserves_direction(M, v, *args, **kwargs):
    warnings.warn(f"input from file [{_TAG}]")
    return _ref.preserves_direction(M, v, *args, **kwargs)
