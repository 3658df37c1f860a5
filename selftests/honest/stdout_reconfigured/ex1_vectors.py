import sys

from ._ref_ex1_vectors import *  # noqa: F401,F403

sys.stdout.reconfigure(encoding="utf-8")  # Windows のコンソールで日本語を表示するため
sys.stderr.reconfigure(errors="backslashreplace")
print("コサイン類似度の演習を読み込みました")
