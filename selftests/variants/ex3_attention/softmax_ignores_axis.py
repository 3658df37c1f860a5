"""Wrong: softmax ignores its axis argument and always normalises the last axis.

Right for the default axis=-1 (so the attention and the figure, which use it, are right), wrong
for axis=0 of a matrix (columns must sum to 1) or axis=1 of a 3-D array.
"""

VARIANT = {"correct": False, "loses": ["softmax"], "misconceptions": ["softmax_ignores_axis"]}

from solutions.ex3_attention import *  # noqa: F401,F403,E402
from solutions.ex3_attention import softmax as _ref_softmax  # noqa: E402


def softmax(x, axis=-1, temperature=1.0):
    return _ref_softmax(x, axis=-1, temperature=temperature)
