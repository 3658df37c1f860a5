"""Public front: ``python -m autograder.isolated`` checks the sandbox of isolated grading (as
``workbook-batch --check-sandbox`` does).

The code lives in :mod:`autograder.submission.sandboxcheck`; this module keeps the documented command name.
"""

import sys

from .submission.sandboxcheck import check_sandbox

__all__ = ["check_sandbox"]

if __name__ == "__main__":
    passed, report = check_sandbox()
    print("\n".join(report))
    sys.exit(0 if passed else 1)
