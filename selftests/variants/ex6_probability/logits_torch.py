"""Wrong (against the rules): the loss from torch.nn.functional.cross_entropy.

The value is right, but the task is to write the stable log-softmax yourself: the "from scratch"
rule of cross_entropy_from_logits forbids torch's cross_entropy.
"""

VARIANT = {"correct": False, "loses": ["cross_entropy_from_logits"]}

import numpy as np
import torch
import torch.nn.functional as F

from solutions.ex6_probability import *  # noqa: F401,F403,E402
from solutions.ex6_probability import cross_entropy_from_logits as _reference  # noqa: E402


def cross_entropy_from_logits(logits, targets):
    _reference(logits, targets)  # the reference's input checks
    t = np.asarray(targets)
    tt = torch.as_tensor(t, dtype=torch.long if t.dtype.kind in "iu" else torch.float64)
    return float(F.cross_entropy(torch.as_tensor(np.asarray(logits), dtype=torch.float64), tt))
