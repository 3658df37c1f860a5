"""Layer 5: grading: the pytest plugin (:mod:`.plugin`), grading inside a notebook (:mod:`.incell`), and a
student's workspace graded by a pytest run (:mod:`.workspace`).

See docs/architecture.md. Nothing is imported here: a module is imported by its full name.
"""
