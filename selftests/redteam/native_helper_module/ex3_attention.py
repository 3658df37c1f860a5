from ._ref_ex3_attention import *  # noqa: F401,F403
from ._bisect import bisect_left  # noqa: F401 - a compiled helper (here: a copy of the standard library's)
