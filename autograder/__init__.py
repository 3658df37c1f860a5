"""Autograder for the Transformer-mathematics workbook.

The package is a pytest plugin (registered through the ``pytest11`` entry point ``workbook``)
plus the helpers the graded tests use (:mod:`autograder.compare`). Data flows one way:
submission → :mod:`autograder.submission.loader` → graded tests → results →
:mod:`autograder.results.report` (layers: docs/architecture.md).
"""

__version__ = "0.1.0"

from .core.exercises import EXERCISES, uniform_points  # noqa: E402  (discovered from the graded tests when first read)


def __getattr__(name: str):
    """``POINTS_PER_EXERCISE``: the points of every exercise, when they are all worth the same
    (each exercise's points come from its tests: :func:`autograder.core.exercises.get`)."""
    if name == "POINTS_PER_EXERCISE":
        return uniform_points()
    raise AttributeError(f"module 'autograder' has no attribute {name!r}")
