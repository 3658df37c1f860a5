from ._ref_ex4_gradient_descent import *  # noqa: F401,F403
from . import _ref_ex4_gradient_descent as _ref  # noqa: F401

import os, sys
import numpy as np

def true_minimum():
    print('日本語の出力です: こんにちは')
    sys.stdout.buffer.write(b'raw \xff\xfe bytes\n')
    os.write(2, b'fd \x80\x81 level\n')
    return np.array([2.0, 3.0])
