import math


def manual_grad(x, y):
    s = x + y
    u = math.sin(s * s) + math.cos(x * y)
    return (2 * u * (math.cos(s * s) * 2 * s - math.sin(x * y) * y),
            2 * u * (math.cos(s * s) * 2 * s - math.sin(x * y) * x))
