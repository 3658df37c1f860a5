"""Layer 6: the instructor's material: stubs (:mod:`.stubs`), hints (:mod:`.hints`), the nbgrader course
(:mod:`.course`, :mod:`.nbgrader_plugins`), the student copy (:mod:`.release`), batch grading of a class
(:mod:`.intake`, :mod:`.batch`).

See docs/architecture.md. Nothing is imported here: a module is imported by its full name.
"""
