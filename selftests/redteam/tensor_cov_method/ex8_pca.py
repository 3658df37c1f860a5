# ex8's covariance through torch's Tensor.cov method: the rule forbids torch.cov (the function),
# but the method of a tensor is another name for the same library covariance, and aten::cov is a
# composite operation (decomposed into mean/sub/mm before the torch dispatch mode sees it).
import numpy as np
import torch

from ._ref_ex8_pca import *  # noqa: F401,F403
from ._ref_ex8_pca import _as_data


def covariance(X):
    A = _as_data(X)
    return np.atleast_2d(torch.from_numpy(A).T.cov().numpy())
