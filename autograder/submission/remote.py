"""The trusted side's view of what lives in an isolated worker: proxies for its objects and
functions (:class:`RemoteObject`), its exceptions rebuilt here, and the limits of what a worker may
send (used by :mod:`autograder.submission.worker`).
"""

from __future__ import annotations

import builtins
from typing import Any

from ..checks.compare import GradingFailure
from ..core.i18n import bilingual
from .codec import MAX_EXCEPTION_MESSAGE
from .loader import ExerciseUnavailable


#: Default limits of one worker (override with the environment variables named in the README).
DEFAULT_LIMITS = {"memory_mb": 3072, "cpu_s": 600, "file_mb": 16, "processes": 64, "scratch_mb": 128}
DEFAULT_CALL_TIMEOUT = 10.0
#: Most characters of a worker's stdout/stderr shown per reply (the worker's own cap is lower),
#: per test, and per submission: what the grader holds of a flooding worker's output is bounded.
MAX_OUTPUT_PER_REPLY = 128 * 1024
MAX_OUTPUT_PER_TEST = 256 * 1024
MAX_OUTPUT_PER_SUBMISSION = 4 * 1024 * 1024
#: Largest message the grader accepts from a worker, and most bytes it accepts during one test
#: (replies, callback requests and output frames together). The reference solutions' largest test
#: receives ~0.1 MB; a worker that floods its socket (red-team case forged_frames_flood) is cut off
#: after this much, and the grader's work on what it sent stays bounded (768 MiB took ~30 s a test).
MAX_WORKER_MESSAGE = 64 * 1024 * 1024
MAX_BYTES_PER_TEST = 64 * 1024 * 1024
#: Most files and bytes of a submission copied for the worker.
MAX_STAGE_FILES = 10_000
MAX_STAGE_BYTES = 256 * 1024 * 1024


class WorkerCrashed(GradingFailure):
    """The worker process ended during a call (os._exit, a crash, or a resource limit)."""


class StaleHandle(GradingFailure):
    """An object from a worker that has since been restarted."""


class BudgetExceeded(GradingFailure):
    """The worker sent the grader more data in one test than it accepts (the test fails; the
    worker is replaced; the exercise's other tests are not affected)."""


# --- proxies -------------------------------------------------------------------------------------

def proxy_type(cache: dict, module: str, name: str, is_callable: bool) -> type:
    """A RemoteObject subclass named like the remote type (for messages such as describe()).

    ``cache`` belongs to one worker: nothing made for one submission outlives its grading.
    """
    key = (module, name, is_callable)
    cls = cache.get(key)
    if cls is None:
        if len(cache) >= 1000:  # a worker naming ever new types does not grow the grader's memory
            cache.clear()
        base = RemoteCallable if is_callable else RemoteObject
        safe = "".join(c if c.isalnum() or c == "_" else "_" for c in name.split(".")[-1]) or "Remote"
        cls = type(safe, (base,), {"__slots__": ()})
        cls.__module__ = module
        cls.__qualname__ = name
        cache[key] = cls
    return cls


class RemoteObject:
    """An object that lives in the worker; operations on it are forwarded there."""

    __slots__ = ("_worker", "_id", "_gen", "__weakref__")

    def __init__(self, worker: "Worker", ident: int, gen: int) -> None:
        object.__setattr__(self, "_worker", worker)
        object.__setattr__(self, "_id", ident)
        object.__setattr__(self, "_gen", gen)

    def _op(self, op: str, *args: Any, **fields: Any) -> Any:
        return self._worker.request(op, self, args, {}, **fields)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._op("getattr", name=name)

    def __setattr__(self, name: str, value: Any) -> None:
        self._op("setattr", value, name=name)

    def __getitem__(self, key: Any) -> Any:
        return self._op("getitem", key)

    def __len__(self) -> int:
        value = self._op("len")
        if type(value) is not int:
            raise TypeError("len() of a remote object did not return an int")
        return value

    def __iter__(self):
        items = self._op("list")
        return iter(items if isinstance(items, list) else [])

    def __contains__(self, item: Any) -> bool:
        return self._op("contains", item) is True

    def __float__(self) -> float:
        value = self._op("float")
        if type(value) is not float:
            raise TypeError("float() of a remote object did not return a float")
        return value

    def __int__(self) -> int:
        value = self._op("int")
        if type(value) is not int:
            raise TypeError("int() of a remote object did not return an int")
        return value

    def __index__(self) -> int:
        value = self._op("index")
        if type(value) is not int:
            raise TypeError("index of a remote object is not an int")
        return value

    def __bool__(self) -> bool:
        return self._op("bool") is True

    def __str__(self) -> str:
        value = self._op("str")
        return value if type(value) is str else "<remote object>"

    def __repr__(self) -> str:
        t = type(self)
        return f"<remote {t.__module__}.{t.__qualname__} object>"

    def __del__(self) -> None:
        try:
            self._worker.release(self)
        except Exception:  # noqa: BLE001
            pass


class RemoteCallable(RemoteObject):
    """A function, class or method that lives in the worker."""

    __slots__ = ()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._worker.request("call", self, args, kwargs)


# --- exceptions from the worker ------------------------------------------------------------------

_SAFE_BASES = {name: obj for name, obj in vars(builtins).items() if isinstance(obj, type) and issubclass(obj, Exception)}


class StudentExit(Exception):
    """The student's code called ``sys.exit``, raised ``KeyboardInterrupt`` or similar in the worker."""


def budget_message() -> str:
    return bilingual(
        f"ワーカーがこのテストで {MAX_BYTES_PER_TEST >> 20} MiB を超えるデータを採点側に送りました。このテストは失敗です。",
        f"the worker sent the grader more than {MAX_BYTES_PER_TEST >> 20} MiB in this test; the test fails.",
    )


def exception_from(desc: dict, cache: dict) -> BaseException:
    """An exception of a local type that behaves like the worker's: same name, and an instance of
    every builtin exception class the worker's was (``class InvalidArgument(ValueError, TypeError)``
    is caught by ``except TypeError`` here too, as in local mode; red team round 8).

    ``cache`` (one worker's) keeps the types made, so equal names give the same type.
    """
    if not isinstance(desc, dict):
        return WorkerCrashed("malformed exception from the worker")
    name = str(desc.get("name", "Exception"))[:100]
    module = str(desc.get("module", "builtins"))[:100]
    msg = str(desc.get("msg", ""))[:MAX_EXCEPTION_MESSAGE]
    if name == "ExerciseUnavailable" and module == "autograder.submission.loader":
        return ExerciseUnavailable(msg)
    found = [_SAFE_BASES[b] for b in (desc.get("bases") or [])[:50] if isinstance(b, str) and b in _SAFE_BASES]
    # the most derived builtin classes, in the worker's order (ValueError, TypeError; not Exception)
    bases = tuple(dict.fromkeys(b for b in found if not any(o is not b and issubclass(o, b) for o in found)))[:4]
    bases = bases or (StudentExit,)
    key = (module, name, bases)
    cls = cache.get(key)
    if cls is None:
        if len(cache) >= 1000:
            cache.clear()
        if module == "builtins" and len(bases) == 1 and _SAFE_BASES.get(name) is bases[0]:
            cls = bases[0]
        else:
            cls = _made_type(name, module, bases)
        cache[key] = cls
    try:
        exc = cls(msg)
    except Exception:  # noqa: BLE001 - e.g. UnicodeDecodeError needs 5 arguments: built from the message alone
        try:
            exc = _made_type(name, module, (cls,), plain=True)(msg)
        except Exception:  # noqa: BLE001 - e.g. ExceptionGroup's __new__
            exc = type(name, (Exception,), {})(msg)
    frames = [f for f in desc.get("frames") or [] if isinstance(f, list) and len(f) == 3]
    exc.remote_frames = frames  # type: ignore[attr-defined]
    return exc


def _made_type(name: str, module: str, bases: tuple[type, ...], plain: bool = False) -> type:
    """A class named like the worker's (``module.name``) with ``bases`` (the first base alone, then
    ``Exception``, when Python refuses the combination); ``plain``: built from a message alone."""
    safe = "".join(c if c.isalnum() or c == "_" else "_" for c in name.split(".")[-1]) or "RemoteError"
    body = {"__init__": _plain_init, "__str__": _plain_str} if plain else {}
    for choice in (bases, bases[:1], (Exception,)):
        try:
            cls = type(safe, choice, body)
            break
        except TypeError:  # e.g. a lay-out conflict of two builtin bases
            continue
    cls.__module__ = module
    cls.__qualname__ = name
    return cls


def _plain_init(self: BaseException, msg: str) -> None:
    BaseException.__init__(self, msg)


def _plain_str(self: BaseException) -> str:
    return str(self.args[0]) if self.args else ""


def raise_with_student_frame(exc: BaseException) -> None:
    """Raise ``exc`` with a traceback whose last frame is the student's (file, line, function).

    The grader's messages name the student's function and line by reading the traceback (as in
    local mode). The synthetic frame runs only a ``raise`` statement compiled with the student's
    file name and line number; no student code runs here.
    """
    frames = getattr(exc, "remote_frames", None) or []
    if not frames:
        raise exc
    filename, lineno, func = frames[-1]
    try:
        code = compile("raise __exc__", str(filename), "exec")
        func = func if str(func).isidentifier() else "<module>"
        code = code.replace(co_firstlineno=max(int(lineno), 1), co_name=str(func), co_qualname=str(func))
    except (ValueError, TypeError, SyntaxError):
        raise exc from None
    exec(code, {"__exc__": exc})  # noqa: S102 - raises exc; the code is the constant "raise __exc__"
