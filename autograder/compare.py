"""Public front: the comparison checks graded tests use (``from autograder.compare import check_array``).

The code lives in :mod:`autograder.checks.compare`; this name is part of the public API (graded tests,
docs/authoring.md) and stays.
"""

from .checks.compare import *  # noqa: F401,F403
from .checks.compare import __all__  # noqa: F401
