from ._ref_ex6_probability import *  # noqa: F401,F403
from . import _ref_ex6_probability as _ref

import numpy as np


def expectation_variance(values, probabilities):
    """Mean and variance; words (a string array) are refused by their dtype before anything else."""
    kind = np.asarray(values).dtype.kind
    if kind in "US":
        raise TypeError(f"values must be numbers, got an array of strings ({np.asarray(values).dtype})")
    if kind not in "biuf":
        raise ValueError(f"values must be a numeric array, got dtype kind {kind!r}")
    return _ref.expectation_variance(values, probabilities)
