"""Layer 4: what a run produced, as documents: the results document, score table and JSON report
(:mod:`.report`), the release digest (:mod:`.digest`), the HTML page (:mod:`.htmlreport`, :mod:`.figures`).

See docs/architecture.md. Nothing is imported here: a module is imported by its full name.
"""
