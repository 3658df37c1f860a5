"""Public front: grading inside a notebook (``from autograder.incell import grade_task``).

The code lives in :mod:`autograder.grading.incell`; generated and released notebooks import this name.
"""

from .grading.incell import TEST_CELL_MARK, GradingError, grade_task, run_task

__all__ = ["TEST_CELL_MARK", "GradingError", "grade_task", "run_task"]
