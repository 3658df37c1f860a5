"""nbgrader plug-ins of the course, named in ``course/nbgrader_config.py``.

Kept out of :mod:`autograder.classroom.course` because importing nbgrader's preprocessors takes seconds,
and the student's ``workbook`` command imports that module.

* :class:`OverwriteCellsKeepingHiddenTests` — ``autograde`` without a false "Attribute
  'checksum' for cell … has changed!" warning for every honest submission of a notebook whose
  graded cells hold hidden tests.
"""

from __future__ import annotations

import copy
from typing import Any

from nbgrader import utils
from nbgrader.api import MissingEntry
from nbgrader.converters.autograde import Autograde
from nbgrader.preprocessors import ClearHiddenTests, OverwriteCells


class OverwriteCellsKeepingHiddenTests(OverwriteCells):
    """nbgrader's ``OverwriteCells``, which takes the released form of a graded cell as unchanged.

    ``nbgrader generate_assignment`` stores each graded cell's source and checksum in the
    gradebook *before* ``ClearHiddenTests`` removes its ``### BEGIN HIDDEN TESTS`` block from the
    released notebook (jupyter/nbgrader#1961). So every honest submission's cell differs from
    the stored one, and ``autograde`` warns that its checksum changed (and then, rightly, puts
    the stored source back). Here the stored source is put back first when the submitted cell is
    exactly what was released — the stored source with its hidden-test block removed by nbgrader's
    own ``ClearHiddenTests``, with the course's delimiters —, so its checksum matches and nothing
    is reported. Any other change (an edited, emptied or replaced test cell) is reported and
    overwritten as nbgrader does. Configuration of ``OverwriteCells`` (``add_missing_cells``)
    applies to this class too.
    """

    def preprocess_cell(self, cell: Any, resources: Any, cell_index: int) -> tuple[Any, Any]:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id is not None and cell.cell_type == "code":
            try:
                stored = self.gradebook.find_source_cell(grade_id, self.notebook_id, self.assignment_id)
            except MissingEntry:
                stored = None  # nbgrader's own handling (a warning) follows
            if stored is not None and stored.locked and cell.source != stored.source \
                    and cell.source == self._released_source(cell, stored.source):
                cell.source = stored.source
        return super().preprocess_cell(cell, resources, cell_index)

    def _released_source(self, cell: Any, source: str) -> str | None:
        """``source`` as ``generate_assignment`` released it (hidden-test block removed)."""
        released = copy.deepcopy(cell)
        released.source = source
        if not utils.is_grade(released):
            return None
        try:
            ClearHiddenTests(parent=self).preprocess_cell(released, {}, 0)
        except RuntimeError:
            return None
        return released.source


def sanitize_preprocessors() -> list[Any]:
    """nbgrader's ``Autograde.sanitize_preprocessors`` with :class:`OverwriteCellsKeepingHiddenTests`
    in place of ``OverwriteCells`` (for ``c.Autograde.sanitize_preprocessors``)."""
    default = Autograde.class_traits()["sanitize_preprocessors"].default()
    return [OverwriteCellsKeepingHiddenTests if p is OverwriteCells else p for p in default]
