"""Public front: mark a test's pure function so isolated mode runs it in the worker
(``from autograder.portable import portable``).

The code lives in :mod:`autograder.checks.portable`; this name is part of the public API (graded tests).
"""

from .checks.portable import *  # noqa: F401,F403
from .checks.portable import __all__  # noqa: F401
