"""nbgrader plug-ins of the course, named in ``course/nbgrader_config.py``.

Kept out of :mod:`autograder.classroom.course` because importing nbgrader's preprocessors takes seconds,
and the student's ``workbook`` command imports that module.

* :class:`OverwriteCellsKeepingHiddenTests` — ``autograde`` without a false "Attribute
  'checksum' for cell … has changed!" warning for every honest submission of a notebook whose
  graded cells hold hidden tests, and without a crash (0 points for the whole notebook) when a
  student pasted a cell copied from another notebook or a second copy of a graded cell.
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

    def add_missing_grade_cells(self, nb: Any, resources: Any) -> tuple[Any, Any]:
        _forget_unknown_cells(nb)
        return super().add_missing_grade_cells(nb, resources)

    def add_missing_task_cells(self, nb: Any, resources: Any) -> tuple[Any, Any]:
        _forget_unknown_cells(nb)
        return super().add_missing_task_cells(nb, resources)

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


def _forget_unknown_cells(nb: Any) -> None:
    """Drop the nbgrader metadata of cells nbgrader took the ``grade_id`` from (a cell it does not
    know: an answer cell copied with its metadata from another notebook, a pasted second copy of a
    graded cell): they are ordinary cells now. nbgrader 0.9's ``add_missing_cells`` reads
    ``grade_id`` of every cell with nbgrader metadata and stopped the student's whole notebook with
    ``KeyError: 'grade_id'`` (0 points, "needs manual grading"; red team round 12)."""
    for cell in nb.cells:
        meta = cell.get("metadata", {})
        if isinstance(meta.get("nbgrader"), dict) and "grade_id" not in meta["nbgrader"]:
            del meta["nbgrader"]


def sanitize_preprocessors() -> list[Any]:
    """nbgrader's ``Autograde.sanitize_preprocessors`` with :class:`OverwriteCellsKeepingHiddenTests`
    in place of ``OverwriteCells`` (for ``c.Autograde.sanitize_preprocessors``)."""
    default = Autograde.class_traits()["sanitize_preprocessors"].default()
    return [OverwriteCellsKeepingHiddenTests if p is OverwriteCells else p for p in default]
