from ._ref_ex3_attention import *  # noqa: F401,F403
