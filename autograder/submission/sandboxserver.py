"""The worker's server (the untrusted side of isolated grading, :mod:`autograder.submission.sandbox`):
it serves the grader's requests over its socket (:mod:`autograder.submission.codec` messages: import
an exercise, call a function or method, read an attribute...), keeps the objects that are not
plain data and refers to them by handle ids, describes figures as data
(:mod:`autograder.submission.figdesc`), captures the student's output in bounded buffers, and calls
back into the grader for a callable a test passed in."""

from __future__ import annotations

import builtins
import hashlib
import io
import itertools
import os
import socket
import sys
import threading
import traceback
import warnings
from pathlib import Path
from typing import Any

from ..checks import ruleguard
from .codec import MAX_EXCEPTION_MESSAGE, Closed, decode, encode, recv_message, send_message
from . import settings
from .guard import GlobalState
from .shipping import build_callback, build_function
from .sideeffects import changed_arguments, watched_arguments, warned as warned_now
from .pagefigure import render_png

#: Capture limit per stream between two replies (characters).
MAX_OUTPUT = 64 * 1024

_BUILTIN_EXCEPTIONS = {name: obj for name, obj in vars(builtins).items()
                       if isinstance(obj, type) and issubclass(obj, BaseException)}


# --- output capture ------------------------------------------------------------------------------

class _CappedRaw(io.RawIOBase):
    """The bytes under a worker's ``sys.stdout`` / ``sys.stderr``: keeps the first MAX_OUTPUT bytes
    written since the last drain. ``fileno()`` is the worker's descriptor 1 or 2 (the capped log the
    worker forwards too), as under pytest's capture in local mode; ``close()`` keeps it usable."""

    def __init__(self, name: str, fd: int) -> None:
        super().__init__()
        self.name = name
        self._fd = fd
        self.parts: list[bytes] = []
        self.size = 0
        self.dropped = 0

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def isatty(self) -> bool:
        return False

    def close(self) -> None:  # sys.stdout.close() in one test must not silence the next ones
        pass

    def write(self, b: Any) -> int:
        data = bytes(memoryview(b))
        room = MAX_OUTPUT - self.size
        if room > 0:
            self.parts.append(data[:room])
            self.size += min(len(data), room)
        self.dropped += max(0, len(data) - max(room, 0))
        return len(data)


class _Capped:
    """One captured stream of the worker: ``stream`` is what ``sys.stdout`` (``sys.stderr``) is, a
    real :class:`io.TextIOWrapper` like pytest's capture in local mode (UTF-8, ``reconfigure``,
    ``encoding``, ``buffer``: code that rewraps or reconfigures its output works in both modes)."""

    def __init__(self, name: str, fd: int) -> None:
        self.raw = _CappedRaw(name, fd)
        self.stream = io.TextIOWrapper(self.raw, encoding="utf-8", errors="replace", newline="", write_through=True)

    def drain(self) -> str:
        raw = self.raw
        try:
            self.stream.flush()
            encoding = self.stream.encoding  # as the submission may have reconfigured it
            text = b"".join(raw.parts).decode(encoding, errors="replace")
        except (LookupError, ValueError, OSError):
            text = b"".join(raw.parts).decode("utf-8", errors="replace")
        if raw.dropped:
            text += f"\n... ({raw.dropped} bytes dropped / {raw.dropped} バイトを省略)\n"
        raw.parts, raw.size, raw.dropped = [], 0, 0
        return text


# --- the worker ----------------------------------------------------------------------------------

class RemoteError(Exception):
    """An exception raised by the grader while running a callback (seen by student code)."""


class WorkerServer:
    """Serves the grader's requests on ``sock`` for the submission copy at ``root``."""

    def __init__(self, sock: socket.socket, root: Path, original: Path, log_fd: int | None) -> None:
        from .loader import Submission

        self.baseline: GlobalState | None = None  # taken once the worker's streams are in place
        self.sock = sock
        self.root = root
        self.original = original
        self.submission = Submission(root)
        self.handles: dict[int, Any] = {}
        self.by_obj: dict[int, int] = {}
        # the exercise modules' own names (what the grader's ``exercise`` fixture gives a test): a
        # call of one runs under ruleguard.call_into, as in local mode; other objects' calls do not
        self.task_objects: dict[int, Any] = {}
        self.task_exercise: dict[int, str] = {}  # id of a task object -> its exercise (import settings)
        self.next_id = 1
        self.fig_tokens: dict[int, int] = {}
        self.axes_args: list[tuple[int, Any]] = []
        self.socket_lock = threading.RLock()
        self.reply_figures: dict[int, Any] = {}  # pyplot figures described in the reply being made
        self.arg_figures: dict[int, int] = {}  # pyplot number -> token of a figure mirroring a test's Axes
        self.next_rid = 1
        # a rule-bound test's whole run is watched here (see handle): no code of this worker runs unwatched then
        self.test_pinned = False
        self.shipped: dict[int, Any] = {}  # the current test's portable functions (-id: its callbacks' stand-ins)
        self.callbacks: dict[int, tuple[Any, int]] = {}  # id of a callback's stand-in -> (it, the grader's id)
        self.test_serial = 0  # which test a callback's stand-in belongs to (_call_back)
        self._buffers: list = []
        # the log of file-descriptor output (os.write(2, ...), C extensions, child processes), read
        # through a descriptor the worker opened before any submission code ran: one fstat per
        # reply, and it works after chroot and the change of uid too
        self.log_fd = log_fd
        self.log_pos = 0  # from what is there now: earlier workers of this submission sent theirs
        if log_fd is not None:
            try:
                self.log_pos = os.fstat(log_fd).st_size
            except OSError:
                self.log_fd = None
        self.stdout = _Capped("<stdout>", 1)
        self.stderr = _Capped("<stderr>", 2)

    # encoding ------------------------------------------------------------------------------------
    def _fallback(self, value: Any, buffers: list[bytes]) -> Any:
        from matplotlib.axes import Axes
        from matplotlib.figure import Figure

        from .figdesc import describe_figure

        if isinstance(value, Figure):
            token = self.fig_tokens.get(id(value))
            if token is not None:
                return {"T": "figref", "id": token}
            num = _pyplot_number(value)
            if num is not None:  # a pyplot figure: the grader keeps a pyplot mirror of it
                self.reply_figures[num] = value
                return {"T": "pfig", "num": num}
            return {"T": "fig", "d": encode(describe_figure(value), buffers, self._no_handles)}
        if isinstance(value, Axes) and value.figure is not None:
            fig = value.figure
            index = list(fig.axes).index(value) if value in fig.axes else 0
            token = self.fig_tokens.get(id(fig))
            if token is not None:
                return {"T": "axref", "id": token, "i": index}
            return {"T": "axes", "fig": self._fallback(fig, buffers), "i": index}
        ref = self.callbacks.get(id(value))  # a stand-in for the grader's callable, given back
        if ref is not None and ref[0] is value:
            return {"T": "cb", "id": ref[1]}
        hid = self.by_obj.get(id(value))
        if hid is None:
            hid = self.next_id
            self.next_id += 1
            self.handles[hid] = value
            self.by_obj[id(value)] = hid
        t = type(value)
        return {"T": "h", "id": hid, "mod": str(getattr(t, "__module__", "?"))[:100],
                "name": str(getattr(t, "__qualname__", "?"))[:100], "callable": callable(value)}

    @staticmethod
    def _no_handles(value: Any, buffers: list[bytes]) -> Any:
        return None

    def encode_all(self, value: Any) -> tuple[Any, list[bytes]]:
        buffers: list[bytes] = []
        return encode(value, buffers, self._fallback), buffers

    def _tags(self, obj: dict) -> Any:
        kind = obj.get("T")
        if kind == "h":
            return self.handles[obj["id"]]
        if kind == "cb":  # the grader's callable: one stand-in per id and test (identity as in local mode)
            ident = int(obj["id"])
            fn = self.shipped.get(-ident)
            if fn is None:
                serial = self.test_serial
                fn = self.shipped[-ident] = build_callback(
                    lambda args, kwargs: self._call_back(ident, serial, args, kwargs), obj)
                self.callbacks[id(fn)] = (fn, ident)
            return fn
        if kind == "fn":  # a test's portable function: one copy per id and test (identity as in local mode)
            ident = int(obj["id"])
            fn = self.shipped.get(ident)
            if fn is None:
                fn = self.shipped[ident] = settings.on_test_side(build_function(obj, self._buffers, self._tags))
            return fn
        if kind == "axarg":
            import matplotlib.pyplot as plt

            n = max(1, min(int(obj.get("n", 1)), 64))
            fig = plt.figure()  # a pyplot figure, like the test's own (plt.subplots)
            axes = [fig.add_subplot(1, n, k + 1) for k in range(n)]
            self.fig_tokens[id(fig)] = int(obj["id"])
            self.axes_args.append((int(obj["id"]), fig))
            self.arg_figures[fig.number] = int(obj["id"])
            return axes[max(0, min(int(obj.get("i", 0)), n - 1))]
        raise ValueError(f"unknown tag {kind!r}")

    def decode(self, obj: Any, buffers: list[bytes]) -> Any:
        self._buffers = buffers
        return decode(obj, buffers, self._tags, seen=[])  # (a request's arguments: an array given twice is one)

    # requests ------------------------------------------------------------------------------------
    def _drain_output(self) -> dict:
        out = {"stdout": self.stdout.drain(), "stderr": self.stderr.drain()}
        if self.log_fd is not None:
            try:
                size = os.fstat(self.log_fd).st_size
                if size > self.log_pos:
                    data = os.pread(self.log_fd, min(MAX_OUTPUT, size - self.log_pos), self.log_pos)
                    self.log_pos += len(data)
                    out["stderr"] += data.decode("utf-8", errors="replace")
            except OSError:
                pass
        return out

    def reply_message(self, rid: int, *, ok: Any = None, exc: BaseException | None = None,
                      extra: dict | None = None) -> tuple[dict, list[bytes]]:
        """The reply to request ``rid`` (its value ``ok`` or the exception ``exc`` it raised), not sent yet."""
        header: dict[str, Any] = {"op": "reply", "rid": rid}
        payload = dict(extra or {})
        if exc is None:
            payload["ok"] = ok
        try:
            header["p"], buffers = self.encode_all(payload)
            self._attach_figures(header, buffers)
        except BaseException as err:  # noqa: BLE001 - a value that cannot even be described
            header["p"], buffers, exc = {"T": "dict", "v": []}, [], err
            self.reply_figures = {}
        if exc is not None:
            header["exc"] = self.describe_exception(exc)
        return header, buffers

    def send_reply(self, header: dict, buffers: list[bytes]) -> None:
        """Send a :meth:`reply_message` with the output captured since the last message."""
        header["out"] = self._drain_output()
        send_message(self.sock, header, buffers)

    def _attach_figures(self, header: dict, buffers: list[bytes]) -> None:
        """Describe, in ``header["figs"]``, the pyplot figures the message opened or refers to."""
        from .figdesc import describe_figure

        try:
            figures = [[num, describe_figure(fig)] for num, fig in sorted(self.reply_figures.items()) if fig is not None]
        finally:
            self.reply_figures = {}
        if figures:
            header["figs"] = encode(figures, buffers, self._no_handles)

    def describe_exception(self, exc: BaseException) -> dict:
        from .loader import ExerciseUnavailable

        try:
            msg = str(exc)[:MAX_EXCEPTION_MESSAGE]
        except BaseException:  # noqa: BLE001
            msg = "<the exception's message could not be shown>"
        if isinstance(exc, ExerciseUnavailable):
            return {"name": "ExerciseUnavailable", "module": "autograder.submission.loader", "bases": [], "msg": msg, "frames": []}
        if isinstance(exc, SystemExit):
            msg = f"sys.exit({exc.code!r}) was called" if not msg else f"sys.exit({msg}) was called"
        if isinstance(exc, RuntimeError) and "can't start new thread" in msg:  # the worker's RLIMIT_NPROC
            import resource

            limit = resource.getrlimit(resource.RLIMIT_NPROC)[0]
            if limit != resource.RLIM_INFINITY:
                msg += (f" (採点用ワーカーで使えるプロセスとスレッドは合わせて {limit} 個までです / the grading worker runs "
                        f"at most {limit} processes and threads in all)")
        bases = [c.__name__ for c in type(exc).__mro__ if _BUILTIN_EXCEPTIONS.get(c.__name__) is c]
        frames = []
        root = str(self.root)
        for fr in traceback.extract_tb(exc.__traceback__):
            if fr.filename.startswith(root + os.sep):
                frames.append([str(self.original / os.path.relpath(fr.filename, root)), fr.lineno or 0, fr.name])
        return {"name": type(exc).__qualname__[:100], "module": str(type(exc).__module__)[:100], "bases": bases,
                "msg": msg, "frames": frames[-20:]}

    def _call_back(self, ident: int, serial: int, args: tuple, kwargs: dict) -> Any:
        """A call of the stand-in for the grader's callable ``ident``, given in test ``serial``. The
        grader knows a test's callables only during that test (ids start again at 1 in the next,
        where the same id is another function): a stand-in kept by the student's code and called
        later raises here, never reaching the grader, which takes a request for a callable it did
        not give as a forged message (worker.Worker._run_callback)."""
        if serial != self.test_serial:
            raise RuntimeError(
                "この関数は前のテストで渡されたもので、テストが終わった後は呼べません / "
                "this function was given to the code in an earlier test and cannot be called after that test ended")
        return self.request({"op": "call", "cb": ident}, args, kwargs)

    def request(self, header: dict, args: tuple, kwargs: dict) -> Any:
        """Call back into the grader and serve its requests until the answer arrives.

        Student code may call a grader callable from several threads at once (a thread pool over
        learning rates): one call at a time holds the socket, from its request to its reply (and
        serves the grader's nested requests meanwhile); the other threads wait for their turn.
        """
        with self.socket_lock:
            rid = self.next_rid
            self.next_rid += 1
            header = dict(header, rid=rid)
            header["args"], buffers = self.encode_all([list(args), kwargs])
            self._attach_figures(header, buffers)
            header["out"] = self._drain_output()
            send_message(self.sock, header, buffers)
            return self.serve(until=rid)

    def serve(self, until: int | None = None) -> Any:
        while True:
            try:
                header, buffers = recv_message(self.sock)
            except Closed:
                os._exit(0)
            if header.get("op") == "reply":
                if header.get("rid") != until:
                    continue
                if "exc" in header:
                    e = header["exc"]
                    cls = next((_BUILTIN_EXCEPTIONS[b] for b in e.get("bases") or []
                                if b in _BUILTIN_EXCEPTIONS and issubclass(_BUILTIN_EXCEPTIONS[b], Exception)),
                               RemoteError)
                    raise cls(f"{e.get('name')}: {e.get('msg')}")
                return self.decode(header.get("p"), buffers).get("ok")
            self.handle(header, buffers)

    def handle(self, header: dict, buffers: list[bytes]) -> None:
        rid = header.get("rid", 0)
        for hid in header.get("release") or []:
            obj = self.handles.pop(hid, None)
            if obj is not None:
                self.by_obj.pop(id(obj), None)
        op = header.get("op")
        outer = self.axes_args  # a request nested in a callback has its own Axes arguments
        self.axes_args = []
        figures_before = _pyplot_numbers()
        pinned = False
        try:
            try:
                if "rulecheck" in header:  # the test's run-time check of the rules starts before its first request
                    self._start_rulecheck(header["rulecheck"])
                    # and stays pinned until it stops: everything this worker runs meanwhile (reading the
                    # next message's JSON, decoding arguments, the settings, replies) is library code a
                    # submission could have planted a chain of C callables into (numpy's
                    # _get_extobj_dict: red team round 7); pinned, a forbidden call it makes is seen
                    self.test_pinned = ruleguard.pin()
                args, kwargs = self.decode(header.get("args", [[], {}]), buffers)
                # while a rule check is on, everything of the request runs watched: the operation, the
                # description of its result and of the figures it drew (pinned below), and, by the test's
                # own pin above, the decoding of the grader's messages and the sending of the reply
                if op == "call":  # a task's import settings in place, as in local mode (not watched: the grader's)
                    saved_settings = self._enter_settings(header)
                pinned = ruleguard.pin()
                watched = watched_arguments(args, kwargs)
                if op == "call":  # the warnings it gives go to the test, as in local mode (.sideeffects)
                    with warnings.catch_warnings(record=True) as caught:
                        try:
                            result = self.dispatch(op, header, args, kwargs)
                        finally:
                            warned = warned_now(caught)
                else:
                    result = self.dispatch(op, header, args, kwargs)
            except BaseException as exc:  # noqa: BLE001 - everything the student's code raises is reported
                message = self.reply_message(rid, exc=exc, extra=self._after_call(
                    locals().get("watched", []), figures_before, locals().get("warned")))
            else:
                message = self.reply_message(rid, ok=result, extra=self._after_call(
                    watched, figures_before, locals().get("warned")))
        finally:
            if pinned:
                ruleguard.unpin()
            settings.leave(locals().get("saved_settings"))
            self.axes_args = outer
        self.send_reply(*message)

    def _after_call(self, watched: list, figures_before: set[int], warned: list | None = None) -> dict:
        from .figdesc import describe_figure

        extra: dict[str, Any] = {"warnings": warned} if warned else {}
        changed = changed_arguments(watched)
        if changed:
            extra["mutated"] = changed
        if self.axes_args:
            extra["axes"] = [[token, describe_figure(fig)] for token, fig in self.axes_args]
        # pyplot state as the test sees it in local mode: figures the call opened (and left open)
        # get a pyplot mirror in the grader; figures it closed are closed there too
        now = _pyplot_numbers()
        self.reply_figures = {n: _pyplot_figure(n) for n in sorted(now - figures_before - set(self.arg_figures))}
        closed = sorted(figures_before - now)
        if closed:
            extra["closed_figures"] = [[n, self.arg_figures.get(n)] for n in closed]
        return extra

    def dispatch(self, op: str, header: dict, args: list, kwargs: dict) -> Any:
        if op == "import":
            name = str(header["name"])
            module = self.submission.module(name)
            # the digest of the text it ran: the grader's static scan must have read the same text
            text = self.submission.source(name) or ""
            names = {k: v for k, v in vars(module).items() if not k.startswith("_")}
            self.task_objects.update((id(v), v) for v in names.values() if callable(v))
            self.task_exercise.update((id(v), name) for v in names.values() if callable(v))
            return {"names": names, "cell_errors": list(self.submission.cell_errors(name)),
                    "sha256": hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()}
        if op == "rulecheck_stop":  # its end (and, with "restore", the end of the test)
            if self.test_pinned:
                self.test_pinned = False
                ruleguard.unpin()
            hits = [[h.kind, h.name, h.file, h.line] for h in ruleguard.stop()]
            if header.get("restore"):
                self._restore()
            return hits
        if op == "ping":
            return "pong"
        if op == "restore":  # the end of a test: undo process-wide changes, as local mode does
            self._restore()
            return None
        target = self.handles[int(header["h"])]
        if op == "call":  # a task object through the rule check (own: a call the test makes for own values)
            task = self.task_objects.get(id(target)) is target
            call = (ruleguard.own_values_call if header.get("own") is True else ruleguard.call_into) if task else None
            value = call(target, args, kwargs) if call is not None else target(*args, **kwargs)
            return render_png(value, header["png"]) if "png" in header else value  # (the student's HTML page)
        if op == "getattr":
            return getattr(target, str(header["name"]))
        if op == "setattr":
            setattr(target, str(header["name"]), args[0])
            return None
        if op == "getitem":
            return target[args[0]]
        if op == "len":
            return len(target)
        if op == "list":  # at most 100,001 items (an endless iterator ends there)
            return list(itertools.islice(iter(target), 100_001))
        if op in ("float", "int", "index", "bool", "str", "repr"):
            fn = {"float": float, "int": int, "index": lambda v: v.__index__(), "bool": bool, "str": str,
                  "repr": repr}[op]
            value = fn(target)
            return value[:10_000] if isinstance(value, str) else value
        if op == "contains":
            return args[0] in target
        raise ValueError(f"unknown operation {op!r}")

    def _enter_settings(self, header: dict) -> dict | None:
        """Before a call of a task object: its exercise's import settings in place (.settings); what
        to put back after the call."""
        try:
            target = self.handles.get(int(header["h"]))
        except (KeyError, TypeError, ValueError):  # dispatch reports a malformed request
            return None
        if target is not None and self.task_objects.get(id(target)) is target:
            exercise = self.task_exercise[id(target)]
            return settings.enter(self.submission.import_settings(exercise))
        return None

    def _start_rulecheck(self, key: Any) -> None:
        forbidden, methods, no_overloading = key
        key = (tuple(map(str, forbidden)), tuple(map(str, methods)), bool(no_overloading))
        self.submission.start_rule_check(key)

    def _restore(self) -> None:
        """The end of a test: undo process-wide changes, as local mode does, and forget the test's objects."""
        if self.baseline is not None:
            self.baseline.restore()
        self.baseline = GlobalState()
        # figures do not outlive the test that made them (local mode closes the grader's own)
        plt = sys.modules.get("matplotlib.pyplot")
        if plt is not None:
            plt.close("all")
        self.fig_tokens.clear()
        self.arg_figures.clear()
        self.shipped.clear()
        self.callbacks.clear()
        self.test_serial += 1


def _pyplot_numbers() -> set[int]:
    """Numbers of the open pyplot figures (none if pyplot was never imported)."""
    plt = sys.modules.get("matplotlib.pyplot")
    return set(plt.get_fignums()) if plt is not None else set()


def _pyplot_figure(num: int) -> Any:
    plt = sys.modules["matplotlib.pyplot"]
    manager = plt._pylab_helpers.Gcf.figs.get(num)  # noqa: SLF001 - no public lookup without creating one
    return manager.canvas.figure if manager is not None else None


def _pyplot_number(fig: Any) -> int | None:
    """The pyplot number of ``fig`` if it is an open pyplot figure (``plt.figure()``), else None."""
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None:
        return None
    for num, manager in list(plt._pylab_helpers.Gcf.figs.items()):  # noqa: SLF001
        if manager.canvas.figure is fig:
            return num
    return None
