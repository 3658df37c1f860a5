import numpy as np
from scipy.spatial import distance


class Vec:
    def __init__(self, data):
        self.data = np.asarray(data, dtype=np.float64)

    def cos(self, other):
        a, b = self.data, np.asarray(other, dtype=np.float64)
        if a.shape != b.shape or a.ndim != 1:
            raise ValueError("shapes differ")
        if not np.all(np.isfinite(a)) or not np.all(np.isfinite(b)) or not a.any() or not b.any():
            raise ValueError("zero or non-finite vector")
        return float(1.0 - distance.cosine(a, b))
