"""Wrong: analogy ignores exclude_inputs, so the input words stay candidates.

For king - man + woman this returns queen, princess, woman instead of queen, princess, prince.
"""

VARIANT = {"correct": False, "loses": ["analogy"], "misconceptions": ["analogy_keeps_inputs"]}

from solutions.ex1_vectors import *  # noqa: F401,F403,E402
from solutions import ex1_vectors as _ref  # noqa: E402


def analogy(word_vectors, a, b, c, *, topn=1, exclude_inputs=True):
    return _ref.analogy(word_vectors, a, b, c, topn=topn, exclude_inputs=False)
