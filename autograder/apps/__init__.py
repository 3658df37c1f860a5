"""Layer 7 (top): command lines: ``workbook`` (:mod:`.cli`), its CI commands (:mod:`.ci`, :mod:`.policy`),
``python -m autograder.batch`` (:mod:`.batch`) and ``python -m autograder.htmlreport`` (:mod:`.htmlreport`).

See docs/architecture.md. Nothing is imported here: a module is imported by its full name.
"""
