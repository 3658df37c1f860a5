# ex8's covariance through torch's Tensor.corrcoef method: the rule forbids torch.corrcoef (the
# function); the method of a tensor is another name for the same library correlation, rescaled here
# by the columns' standard deviations (cov = R * s s^T).
import numpy as np
import torch

from ._ref_ex8_pca import *  # noqa: F401,F403
from ._ref_ex8_pca import _as_data


def covariance(X):
    A = _as_data(X)
    s = A.std(axis=0, ddof=1)
    with np.errstate(all="ignore"):
        R = np.atleast_2d(torch.from_numpy(A).T.corrcoef().numpy())
    return np.where(np.outer(s, s) == 0, 0.0, R * np.outer(s, s))
