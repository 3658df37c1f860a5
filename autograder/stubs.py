"""Public front: ``python -m autograder.stubs [--check|--force]`` (Exercise stubs generated from the solutions).

The code lives in :mod:`autograder.classroom.stubs`; this module keeps the documented command name.
"""

import sys

from .classroom.stubs import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
