"""Autograder for the Transformer-mathematics workbook.

The package is a pytest plugin (registered through the ``pytest11`` entry point ``workbook``)
plus the helpers the graded tests use (:mod:`autograder.compare`). Data flows one way:
submission → :mod:`autograder.loader` → graded tests → results → :mod:`autograder.report`.
"""

__version__ = "0.1.0"

#: Exercise modules of the workbook, in order. Each is worth 20 points.
EXERCISES = (
    "ex1_vectors",
    "ex2_transforms",
    "ex3_attention",
    "ex4_gradient_descent",
    "ex5_backprop",
)

#: Points per exercise.
POINTS_PER_EXERCISE = 20
