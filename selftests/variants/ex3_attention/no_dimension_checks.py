"""Wrong: Q, K and V shapes are not checked; numpy's matmul error is all the student sees.

``Q @ K.T`` with different d_k (or ``weights @ V`` with different n_k) does raise a ValueError,
but its message ("matmul: Input operand 1 has a mismatch in its core dimension 0 ...") names
neither d_k nor n_k, and the mistake is reported far from its cause.
"""

VARIANT = {"correct": False, "loses": ["scaled_dot_product_attention"]}

import numpy as np

from solutions.ex3_attention import *  # noqa: F401,F403,E402
from solutions.ex3_attention import softmax  # noqa: E402


def scaled_dot_product_attention(Q, K, V, mask=None, temperature=1.0):
    Q = np.asarray(Q, dtype=np.float64)
    K = np.asarray(K, dtype=np.float64)
    V = np.asarray(V, dtype=np.float64)
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    if mask is not None:
        m = np.asarray(mask)
        if m.dtype != np.bool_:
            raise ValueError(f"mask must be boolean, got {m.dtype}")
        m = np.broadcast_to(m, np.broadcast_shapes(scores.shape, m.shape))
        rows = np.argwhere(~m.any(axis=-1))
        if len(rows):
            raise ValueError(f"query row {int(rows[0][-1])}: every key is masked")
        scores = np.where(m, scores, -np.inf)
    weights = softmax(scores, axis=-1, temperature=temperature)
    return weights @ V, weights
