# Writes as much as it can (files of 8 MiB) into its working folder, /tmp and $TMPDIR, then
# returns the right answer: the worker's scratch space is size-limited and not the host's /tmp.
import os

from ._ref_ex1_vectors import *  # noqa: F401,F403
from ._ref_ex1_vectors import cosine_similarity as _reference

_written = []


def _flood():
    chunk = b"\0" * (8 << 20)
    for folder in (".", "/tmp", os.environ.get("TMPDIR", "/tmp"), "/dev/shm"):
        for i in range(128):  # at most 1 GiB per folder
            path = os.path.join(folder, f"redteam-disk-flood-{os.getpid()}-{i}")
            try:
                with open(path, "wb") as fh:
                    fh.write(chunk)
                _written.append(path)
            except OSError:
                break


def cosine_similarity(a, b):
    if not _written:
        _flood()
    return _reference(a, b)
