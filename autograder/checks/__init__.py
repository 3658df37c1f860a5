"""Layer 2: what a graded test asserts: value comparisons with bilingual messages (:mod:`.compare`),
the submission's own values for figure tests (:mod:`.ownvalues`), the "from scratch" rules read
statically (:mod:`.rules`) and watched at run time (:mod:`.ruleguard`).

See docs/architecture.md. Nothing is imported here: a module is imported by its full name.
"""
