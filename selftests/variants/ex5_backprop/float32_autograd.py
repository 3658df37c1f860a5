"""Wrong: autograd in float32, as in the chapter (torch.tensor's default dtype), cast back to float64.

The dtype of the result looks right, but the values carry float32 rounding (~1e-8 relative), which
is exactly the "autograd vs numerical" error the chapter reports (ERRATA 1455).
"""

VARIANT = {"correct": False, "loses": ["autograd_gradients"], "misconceptions": ["float32_autograd"]}

import numpy as np  # noqa: E402
import torch  # noqa: E402

from solutions.ex5_backprop import *  # noqa: F401,F403,E402


def autograd_gradients(net, x, y_true):
    params = {n: torch.tensor(getattr(net, n).astype(np.float32), requires_grad=True)
              for n in ("W1", "b1", "W2", "b2")}
    xt = torch.tensor(np.asarray(x, dtype=np.float32))
    t = torch.tensor(np.asarray(y_true, dtype=np.float32))
    y = torch.relu(xt @ params["W1"].T + params["b1"]) @ params["W2"].T + params["b2"]
    (0.5 * ((y - t) ** 2).sum()).backward()
    return {n: p.grad.detach().numpy().astype(np.float64) for n, p in params.items()}
