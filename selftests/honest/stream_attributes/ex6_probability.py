import faulthandler
import sys

from ._ref_ex6_probability import *  # noqa: F401,F403
from ._ref_ex6_probability import expectation_variance as _expectation_variance

if sys.stdout.encoding.lower() not in ("utf-8", "utf8"):
    raise RuntimeError(f"UTF-8 で出力できません: {sys.stdout.encoding}")
faulthandler.enable()  # a crash prints its traceback on sys.stderr (its file descriptor)
_PLAIN = not sys.stdout.isatty() and sys.stdout.errors in ("strict", "replace", "backslashreplace", "surrogateescape")


def expectation_variance(values, probabilities):
    mean, variance = _expectation_variance(values, probabilities)
    if _PLAIN and not sys.stdout.line_buffering:
        sys.stdout.buffer.write("期待値と分散\n".encode("utf-8"))
        sys.stdout.flush()
    return mean, variance
