# ex3's softmax through NumPy's base-2 log-sum-exp: the last element of np.logaddexp2.accumulate
# along the axis is log2 Σ 2^(z log2 e) (invented beside logaddexp_reduce: the same library function
# by another ufunc and method).
import numpy as np

from ._ref_ex3_attention import *  # noqa: F401,F403
from ._ref_ex3_attention import softmax as _checked


def softmax(x, axis=-1, temperature=1.0):
    _checked(x, axis=axis, temperature=temperature)  # the reference's input checks, value unused
    z = np.asarray(x, dtype=np.float64) / temperature * np.log2(np.e)
    lse2 = np.take(np.logaddexp2.accumulate(z, axis=axis), [-1], axis=axis)
    return np.exp2(z - lse2)
