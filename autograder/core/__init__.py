"""Layer 1 (bottom): helpers every layer uses: bilingual text (:mod:`.i18n`), the repository's paths
(:mod:`.paths`), the task markers of the graded tests (:mod:`.tasks`). Imports nothing else of ``autograder``.

See docs/architecture.md. Nothing is imported here: a module is imported by its full name.
"""
