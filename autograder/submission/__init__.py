"""Layer 3: loading and running the student's code: the loader seam (:mod:`.loader`), time limits and
process state (:mod:`.guard`), the isolated worker (:mod:`.isolated`, :mod:`.sandbox`, :mod:`.codec`,
:mod:`.figdesc`) and the choice between them (:mod:`.target`).

See docs/architecture.md. Nothing is imported here: a module is imported by its full name.
"""
