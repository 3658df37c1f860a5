from ._ref_ex6_probability import *  # noqa: F401,F403
from ._ref_ex6_probability import expectation_variance as _reference
import collections
import dataclasses
from concurrent.futures import ThreadPoolExecutor


@dataclasses.dataclass
class _Check:
    total: float


def _prepare(values, probabilities):
    # library code that makes code (namedtuple's eval, a dataclass's exec) in a worker thread
    Pair = collections.namedtuple("Pair", "value probability")
    Moment = dataclasses.make_dataclass("Moment", [("order", int)])
    pairs = [Pair(v, p) for v, p in zip(values, probabilities)]
    return pairs, Moment(1), _Check(float(sum(p for _, p in pairs)))


def expectation_variance(values, probabilities):
    result = _reference(values, probabilities)  # its input checks first
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(_prepare, list(values), list(probabilities)).result()
    return result
