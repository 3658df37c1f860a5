"""The torch side of the run-time check of the rules (:mod:`.ruleguard`): a torch function mode that
sees every torch operation while the submission's code runs, and taking it off a thread's stack."""

from __future__ import annotations

import _thread
import sys
from typing import Any

__all__ = ["make_mode", "pop_mode"]

# taken before any submission code runs, as in .ruleguard
_getframe = sys._getframe
_get_ident = _thread.get_ident


def pop_mode(torch: Any, mode: Any) -> bool:
    """Take ``mode`` (and what was pushed above it) off this thread's torch function stack; whether
    it was there."""
    try:
        stack = [torch._C._get_function_stack_at(i) for i in range(torch._C._len_torch_function_stack())]
        if mode in stack:
            while torch._C._len_torch_function_stack():
                if torch._C._pop_torch_function_stack() is mode:
                    break
            return True
    except Exception:  # noqa: BLE001
        pass
    return False


def make_mode(guard: Any) -> Any:
    """The torch function mode of ``guard`` (:class:`.ruleguard._Guard`): every torch operation of the
    submission, also one called from C code (``map(torch.softmax, ...)``), is checked against its
    catalogue; None without torch."""
    torch = sys.modules.get("torch")
    if torch is None:
        return None
    from torch.overrides import TorchFunctionMode

    class _RuleMode(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            catalogue = guard.catalogue
            # the test thread with no frame of the submission on its stack: the test's own call
            if catalogue is not None and (guard.depth or guard.armed or _get_ident() != guard.thread):
                name = catalogue.torch_name(func)
                if name is not None:
                    guard._record("forbidden", name, _getframe(1))
                code = getattr(func, "__code__", None)
                if code is not None and guard._owned_code(code):  # the submission's own function,
                    with self:  # passed to torch's dispatch: it runs watched by this mode too
                        return func(*args, **(kwargs or {}))
            return func(*args, **(kwargs or {}))

    return _RuleMode()
