"""Correct, with its own wording: backward before forward raises RuntimeError("no cached activations").

The exercise text asks for a RuntimeError when forward has not been called yet; it does not say
what the message must contain, so a message without the word "forward" keeps full marks.
"""

VARIANT = {"correct": True, "loses": []}

from solutions.ex5_backprop import *  # noqa: F401,F403,E402
from solutions.ex5_backprop import TwoLayerNet as _RefNet  # noqa: E402


class TwoLayerNet(_RefNet):
    def backward(self, t):
        try:
            return super().backward(t)
        except RuntimeError:
            raise RuntimeError("no cached activations / キャッシュされた活性がありません") from None
