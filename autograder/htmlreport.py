"""Public front: ``python -m autograder.htmlreport REPORT.json --out PAGE.html`` (The HTML report of a JSON score report).

The code lives in :mod:`autograder.apps.htmlreport`; this module keeps the documented command name.
"""

import sys

from .apps.htmlreport import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
