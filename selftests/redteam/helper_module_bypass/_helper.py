import torch


def manual_grad(x, y):
    tx = torch.tensor(float(x), dtype=torch.float64, requires_grad=True)
    ty = torch.tensor(float(y), dtype=torch.float64, requires_grad=True)
    loss = (torch.sin((tx + ty) ** 2) + torch.cos(tx * ty)) ** 2
    gx, gy = torch.autograd.grad(loss, (tx, ty))
    return (float(gx), float(gy))
