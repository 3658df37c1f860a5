"""Public front: nbgrader plugins named in a course's ``nbgrader_config.py``.

The code lives in :mod:`autograder.classroom.nbgrader_plugins`; course configurations written earlier
import ``autograder.nbgrader_plugins.sanitize_preprocessors`` and name
``autograder.nbgrader_plugins.OverwriteCellsKeepingHiddenTests``, so this name stays.
"""

from .classroom.nbgrader_plugins import OverwriteCellsKeepingHiddenTests, sanitize_preprocessors

__all__ = ["OverwriteCellsKeepingHiddenTests", "sanitize_preprocessors"]
