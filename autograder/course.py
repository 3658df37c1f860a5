"""Public front: ``python -m autograder.course generate|check|export ...`` (nbgrader course tools).

The code lives in :mod:`autograder.classroom.course`; this module keeps the documented command name.
"""

import sys

from .classroom.course import main, zip_collect_regexp

__all__ = ["main", "zip_collect_regexp"]

if __name__ == "__main__":
    sys.exit(main())
