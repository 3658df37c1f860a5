"""Wrong: right mean and variance, but no input checks.

Lengths that differ are cut by zip, negative probabilities and sums other than 1 go through, and
the chapter's words as values fail with a ValueError from float() instead of a TypeError.
"""

VARIANT = {"correct": False, "loses": ["expectation_variance"]}

from solutions.ex6_probability import *  # noqa: F401,F403,E402


def expectation_variance(values, probabilities):
    pairs = list(zip(values, probabilities))
    mean = sum(float(p) * float(x) for x, p in pairs)
    return mean, sum(float(p) * (float(x) - mean) ** 2 for x, p in pairs)
