from ._ref_ex5_backprop import *  # noqa: F401,F403


def manual_grad(*args, **kwargs):
    raise NotImplementedError()
