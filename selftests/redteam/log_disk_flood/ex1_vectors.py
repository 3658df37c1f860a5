# Host-disk flood through the worker's output log. The worker's fds 1 and 2 are a log file on the
# HOST's /tmp (workbook-iso-*/wN/output.log, opened before chroot), not in the size-limited scratch
# tmpfs. Each call writes 16 MiB (the file-size limit) to fd 1 and then ends the worker, so the
# grader starts a new worker with a new 16 MiB log for the next test; the logs stay on disk until
# the whole submission is graded. (Nothing needs to be printed to the grader.)
import os

from ._ref_ex1_vectors import *  # noqa: F401,F403

_chunk = b"\0" * (1 << 20)


def _fill():
    try:
        for _ in range(16):
            os.write(1, _chunk)
    except OSError:
        pass


def cosine_similarity(a, b):
    _fill()
    os._exit(0)


def cosine_similarity_matrix(X):
    _fill()
    os._exit(0)


def analogy(*args, **kwargs):
    _fill()
    os._exit(0)
