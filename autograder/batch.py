"""Public front: ``python -m autograder.batch SUBMISSIONS --out OUT`` (Batch grading of a whole class).

The code lives in :mod:`autograder.apps.batch`; this module keeps the documented command name.
"""

import sys

from .apps.batch import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
