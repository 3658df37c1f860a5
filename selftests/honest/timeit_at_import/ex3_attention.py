import timeit

import numpy as np

from ._ref_ex3_attention import *  # noqa: F401,F403
from ._ref_ex3_attention import softmax

SECONDS_PER_CALL = timeit.timeit(lambda: softmax(np.arange(10.0)), number=3) / 3
