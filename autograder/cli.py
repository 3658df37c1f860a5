"""Public front: ``python -m autograder.cli COMMAND`` (The ``workbook`` command).

The code lives in :mod:`autograder.apps.cli`; this module keeps the documented command name.
"""

import sys

from .apps.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
