import io
import sys

from ._ref_ex2_transforms import *  # noqa: F401,F403

sys.stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", line_buffering=True)
print("2×2 行列の演習を読み込みました")
