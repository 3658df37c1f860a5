"""Public front: ``python -m autograder.ci COMMAND`` (CI helpers for a student's or a course's repository).

The code lives in :mod:`autograder.apps.ci`; this module keeps the documented command name.
"""

import sys

from .apps.ci import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
