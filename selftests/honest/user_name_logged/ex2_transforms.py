from ._ref_ex2_transforms import *  # noqa: F401,F403
from . import _ref_ex2_transforms as _ref

import getpass
import logging

_log = logging.getLogger(__name__)


def apply_transform(M, points):
    """As the reference, with a debug log line naming the user."""
    _log.debug("apply_transform called by %s", getpass.getuser())
    return _ref.apply_transform(M, points)
