"""Wrong: softmax normalises the first axis (axis=0) whatever axis is given.

For a score matrix each column then sums to 1 instead of each row (the default axis=-1); right
only for 1-D input and for axis=0 (the other functions here are the reference's, with its own softmax).
"""

VARIANT = {"correct": False, "loses": ["softmax"], "misconceptions": ["softmax_first_axis"]}

from solutions.ex3_attention import *  # noqa: F401,F403,E402
from solutions.ex3_attention import softmax as _ref_softmax  # noqa: E402


def softmax(x, axis=-1, temperature=1.0):
    return _ref_softmax(x, axis=0, temperature=temperature)
