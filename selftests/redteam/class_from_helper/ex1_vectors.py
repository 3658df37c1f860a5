from ._ref_ex1_vectors import *  # noqa: F401,F403
from ._vec import Vec


def cosine_similarity(a, b) -> float:
    return Vec(a).cos(b)
