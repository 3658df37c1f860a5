from ._ref_ex1_vectors import *  # noqa: F401,F403
from . import _ref_ex1_vectors as _ref


def analogy(word_vectors, a, b, c, *, topn=1, exclude_inputs=True):
    """The reference's ranking, after taking the query words out of the caller's dict."""
    ranked = _ref.analogy(word_vectors, a, b, c, topn=topn, exclude_inputs=exclude_inputs)
    if exclude_inputs:
        for word in (a, b, c):
            word_vectors.pop(word, None)
    return ranked
