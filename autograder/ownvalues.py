"""Public front: the submission's own values for figure tests (``from autograder.ownvalues import own_array``).

The code lives in :mod:`autograder.checks.ownvalues`; this name is part of the public API (graded tests).
"""

from .checks.ownvalues import *  # noqa: F401,F403
from .checks.ownvalues import __all__  # noqa: F401
