"""The trusted end of a sandboxed worker: :class:`Worker`, which talks to one worker
(:mod:`autograder.submission.sandbox` is the other end) over :mod:`autograder.submission.codec`;
the worker was forked by the process's fork server (:mod:`.forkserver`).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import weakref
from typing import Any

from . import cgroups
from .codec import MAX_EXCEPTION_MESSAGE, Closed, ProtocolError, Timeout, decode, encode, recv_message, send_message
from .processes import host_pid, process_stat, process_table, prompt_gil, running
from .guard import WorkbookTimeout, run_delay_clock
from .limits import shielded, wall_backstop
from .shipping import callback_tag, function_tag
from .sideeffects import MAX_WARNINGS, warn_again, write_back
from ..core.i18n import bilingual
from .remote import (MAX_BYTES_PER_TEST, MAX_OUTPUT_PER_REPLY, MAX_OUTPUT_PER_SUBMISSION, MAX_OUTPUT_PER_TEST,
                     MAX_WORKER_MESSAGE, BudgetExceeded, RemoteObject, StaleHandle, WorkerCrashed, budget_message,
                     exception_from, proxy_type, raise_with_student_frame)


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _pidfd(pid: int | None) -> int | None:
    """A pidfd of process ``pid`` (Linux 5.3 and later), or None."""
    if pid is None or not hasattr(os, "pidfd_open") or not hasattr(signal, "pidfd_send_signal"):
        return None
    try:
        return os.pidfd_open(pid)
    except OSError:
        return None


# --- one worker ----------------------------------------------------------------------------------

class Worker:
    """The trusted end of one sandboxed worker process."""

    def __init__(self, owner: "IsolatedSubmission") -> None:
        self.owner = owner
        self.gen = owner.generation
        self.server = owner.server()
        self.pid, self.sock = self.server.spawn(owner.spec())
        # in a bubblewrap sandbox the pid is the PID namespace's: find the host's for CPU time
        self.host_pid = host_pid(self.pid, self.server.proc.pid) if self.server.wrapped else self.pid
        self.alive = True
        self._pidfd = _pidfd(self.host_pid)  # (signal_for_stacks)
        self.callbacks: dict[int, Any] = {}
        self.callback_ids: dict[int, int] = {}
        self.axes_args: dict[int, tuple[Any, Any]] = {}
        self.next_axes_token = 1
        self.mirrors: dict[int, Any] = {}  # the worker's pyplot figure number -> our pyplot mirror
        self.proxies: weakref.WeakValueDictionary[int, RemoteObject] = weakref.WeakValueDictionary()
        self.proxy_types: dict = {}
        self.exception_types: dict = {}
        self.released: list[int] = []
        self.next_rid = 1
        self.warned: list = []  # the warnings the last reply reported (sandboxserver._warned)
        self.pending_rulecheck: list | None = None  # sent with the next request (IsolatedSubmission.start_rule_check)
        self.restored = False  # the last request restored the worker's state (IsolatedSubmission.end_test)
        self.deadline: float | None = None
        self.cpu_seen = self.delay_seen = 0.0
        self._cpu_of: dict[int, float] = {}
        self._tree_at = 0.0
        # what the processes already in this worker's tree had used before it started (with
        # bubblewrap: an earlier worker's processes, dying or escaped) is not this worker's
        self._cpu_base = {pid: cpu for pid, cpu in self._tree().items() if pid != self.host_pid} \
            if self.host_pid is not None else {}
        self._delay_clock = run_delay_clock(None, self.host_pid) if self.host_pid else (lambda: 0.0)
        # a control group (where one can be made) also counts processes too short-lived for the scans
        # (cgroups.py): the worker is moved in before it runs any of the submission's code
        self.group = cgroups.create() if self.host_pid is not None else None
        self._group_base = 0.0
        if self.group is not None:
            info = process_stat(self.host_pid)
            if info is not None and self.group.add(self.host_pid):
                self._group_base = info[1]  # the worker's CPU before it was in the group
            else:
                self.group.remove()
                self.group = None

    #: Seconds between two looks at the whole process tree (the worker itself is read every time).
    TREE_SCAN = 0.25

    def cpu(self) -> float:
        """CPU seconds used by the worker and every process it started, also ones it detached.

        Children that spin while the worker waits (or runs at nice 19) count: as root, every
        process of the worker's own uid; with bubblewrap, every process of the sandbox but the
        fork server; without confinement, the worker's descendants. A process's last seen CPU time
        is kept after it ends, so the sum never goes back.
        """
        if not self.alive or self.host_pid is None:
            return self.cpu_seen
        now = time.monotonic()
        if now - self._tree_at >= self.TREE_SCAN:
            self._tree_at = now
            for pid, seconds in self._tree().items():
                self._cpu_of[pid] = max(self._cpu_of.get(pid, 0.0), seconds)
        else:
            info = process_stat(self.host_pid)
            if info is not None:
                self._cpu_of[self.host_pid] = max(self._cpu_of.get(self.host_pid, 0.0), info[1])
        base = self._cpu_base
        seen = sum(max(0.0, cpu - base.get(pid, 0.0)) for pid, cpu in self._cpu_of.items())
        grouped = self.group.seconds() if self.group is not None else None
        if grouped is not None:  # ended processes included, also those the scans never saw
            seen = max(seen, self._group_base + grouped)
        self.cpu_seen = max(self.cpu_seen, seen)
        return self.cpu_seen

    def _tree(self) -> dict[int, float]:
        with prompt_gil():  # (the watcher's look: it must not wait 5 ms per system call, processes.prompt_gil)
            return self._scan_tree()

    def _scan_tree(self) -> dict[int, float]:
        table = process_table()
        if self.owner.uid is not None:  # root: the worker's uid is its own
            mine = set()
            for pid in table:
                try:
                    if os.stat(f"/proc/{pid}").st_uid == self.owner.uid:
                        mine.add(pid)
                except OSError:
                    continue
        else:
            top = self.server.proc.pid if self.server.wrapped else self.host_pid
            children: dict[int, list[int]] = {}
            for pid, (ppid, _, _) in table.items():
                children.setdefault(ppid, []).append(pid)
            mine, todo = set(), [top]
            while todo:
                pid = todo.pop()
                if pid not in mine:
                    mine.add(pid)
                    todo.extend(children.get(pid, []))
            if self.server.wrapped:  # bwrap's own processes and the fork server are not the student's
                forkserver = table.get(self.host_pid, (None,))[0]
                mine = {p for p in mine if table.get(p, (0, 0, b""))[2] != b"bwrap" and p != forkserver}
        return {pid: table[pid][1] for pid in mine if pid in table}

    def other_processes(self) -> list[int]:
        """The processes of this worker's tree (:meth:`cpu`) other than the worker itself that still
        run; not those that were there when it started (an earlier worker's, being killed)."""
        if not self.alive or self.host_pid is None:
            return []
        return running({pid for pid in self._tree() if pid != self.host_pid and pid not in self._cpu_base})

    def run_delay(self) -> float:
        """Seconds the worker's main thread spent runnable but waiting for a CPU (busy machine)."""
        if self.alive:
            value = self._delay_clock()
            if value:
                self.delay_seen = value
        return self.delay_seen

    def end_test(self) -> None:
        """Forget what only one test needed (the test's callables, Axes and figure mirrors)."""
        self.callbacks.clear()
        self.callback_ids.clear()
        self.axes_args.clear()
        self.mirrors.clear()

    # encoding ------------------------------------------------------------------------------------
    def _fallback(self, value: Any, buffers: list[bytes]) -> Any:
        if isinstance(value, RemoteObject):
            if value._gen != self.gen or value._worker is not self:
                raise StaleHandle(bilingual(
                    "以前のワーカー (時間切れ・異常終了で再起動済み) のオブジェクトは使えません。",
                    "this object belongs to a worker that has been restarted (after a time-out or a crash).",
                ))
            return {"T": "h", "id": value._id}
        from matplotlib.axes import Axes

        if isinstance(value, Axes) and value.figure is not None:
            token = self.next_axes_token
            self.next_axes_token += 1
            self.axes_args[token] = (value.figure, value)
            axes = list(value.figure.axes)
            return {"T": "axarg", "id": token, "n": len(axes), "i": axes.index(value) if value in axes else 0}
        ident = self.callback_ids.get(id(value))
        if ident is None:
            ident = len(self.callbacks) + 1
            self.callbacks[ident] = value
            self.callback_ids[id(value)] = ident
        tag = function_tag(value, buffers, ident, self.owner.test_hidden)  # a pure test function runs there
        return tag if tag is not None else callback_tag(value, ident)

    def _tags(self, obj: dict) -> Any:
        from .figdesc import build_figure

        kind = obj.get("T")
        if kind == "h":
            ident = int(obj["id"])
            proxy = self.proxies.get(ident)
            if proxy is None:
                cls = proxy_type(self.proxy_types, str(obj.get("mod", "?"))[:100], str(obj.get("name", "?"))[:100],
                                  obj.get("callable") is True)
                proxy = cls(self, ident, self.gen)
                self.proxies[ident] = proxy
            return proxy
        if kind == "cb":
            return self.callbacks[int(obj["id"])]
        if kind == "fig":
            return build_figure(self._decode(obj.get("d"), self._buffers))
        if kind == "pfig":
            return self._mirror(int(obj["num"]))
        if kind == "figref":
            return self.axes_args[int(obj["id"])][0]
        if kind == "axref":
            fig = self.axes_args[int(obj["id"])][0]
            i = int(obj.get("i", 0))
            return fig.axes[i] if 0 <= i < len(fig.axes) else self.axes_args[int(obj["id"])][1]
        if kind == "axes":
            fig = self._tags(obj["fig"]) if isinstance(obj.get("fig"), dict) else None
            i = int(obj.get("i", 0))
            if fig is not None and 0 <= i < len(getattr(fig, "axes", [])):
                return fig.axes[i]
            return fig
        raise ProtocolError(f"unknown value tag {kind!r}")

    def _mirror(self, num: int) -> Any:
        """Our pyplot figure that stands for the worker's pyplot figure ``num`` (made on first use).

        In local mode a figure the student's code opens with ``plt.figure()`` is in the grader's
        pyplot state (``plt.get_fignums()``, ``plt.gcf()``); here its mirror is.
        """
        fig = self.mirrors.get(num)
        if fig is None:
            import matplotlib.pyplot as plt

            if len(self.mirrors) >= 256:
                raise ProtocolError("the worker opened more than 256 figures in one test")
            fig = self.mirrors[num] = plt.figure()
        return fig

    def _receive_figures(self, header: dict, buffers: list[bytes]) -> None:
        """Fill the mirrors of the pyplot figures a message describes (``header["figs"]``)."""
        from .figdesc import fill_figure

        if "figs" not in header:
            return
        figures = decode(header["figs"], buffers, self._no_tags)
        for item in figures if type(figures) is list else []:
            if type(item) is list and len(item) == 2 and type(item[0]) is int and isinstance(item[1], dict):
                fig = self._mirror(item[0])
                fig.clear()
                fill_figure(fig, item[1])

    @staticmethod
    def _no_tags(obj: dict) -> Any:
        raise ProtocolError("a figure description holds an object handle")

    def _decode(self, obj: Any, buffers: list[bytes]) -> Any:
        self._buffers = buffers
        return decode(obj, buffers, self._tags)

    def release(self, proxy: RemoteObject) -> None:
        if self.alive and proxy._gen == self.gen:
            self.released.append(proxy._id)

    # requests ------------------------------------------------------------------------------------
    def request(self, op: str, target: RemoteObject | None, args: tuple, kwargs: dict, **fields: Any) -> Any:
        """Send one request and serve callbacks until its answer arrives.

        Raises:
            StaleHandle: ``target`` belongs to an earlier worker.
            WorkerCrashed: the worker ended during the call.
            Failed: the call took longer than the time limit (a pytest time-out).
            Exception: whatever the student's code raised, as a local exception of the same name
                and built-in base class.
        """
        if target is not None and (target._gen != self.gen or target._worker is not self):
            raise StaleHandle(bilingual(
                "以前のワーカー (時間切れ・異常終了で再起動済み) のオブジェクトは使えません。",
                "this object belongs to a worker that has been restarted (after a time-out or a crash).",
            ))
        if not self.alive:
            raise WorkerCrashed("the worker has ended")
        if self.owner.received > MAX_BYTES_PER_TEST:  # this test has had all it may receive
            raise BudgetExceeded(budget_message())
        # the test thread's CPU from here to the answer, but for the tests' own functions it runs
        # (callbacks), is the grader's side of isolation: not counted against the limit (cpu_seconds)
        on_test_thread = threading.current_thread() is threading.main_thread()
        if on_test_thread:
            self.owner.isolation_enter(True)
        rid = self.next_rid
        self.next_rid += 1
        header: dict[str, Any] = {"op": op, "rid": rid, **fields}
        self.restored = False
        if self.pending_rulecheck is not None and op != "restore":
            header["rulecheck"], self.pending_rulecheck = self.pending_rulecheck, None
        if target is not None:
            header["h"] = target._id
        buffers: list[bytes] = []
        header["args"] = encode([list(args), dict(kwargs)], buffers, self._fallback, memo={})  # (one array given twice: one)
        if self.released:
            header["release"], self.released = self.released, []
        top = self.deadline is None
        if top:
            # the test's own limit (CPU time of the test and the worker, guard.Deadline) stops a
            # call first; this wall-clock bound is for calls made outside a graded test
            self.deadline = time.monotonic() + 2 * wall_backstop(self.owner.call_timeout) + 5
        try:
            send_message(self.sock, header, buffers, self.deadline)
            outcome, value = self._serve(rid, args, kwargs)
        except BudgetExceeded:
            self.owner.kill_worker()  # (shielded itself)
            raise
        except Timeout:
            limit = self.owner.call_timeout
            timeout = WorkbookTimeout(f"Timeout (>{limit:g}s) (wall-clock backstop {wall_backstop(limit):g}s)")
            with shielded():
                timeout.worker_where = self.owner.where_worker_is()  # type: ignore[attr-defined]
                self.owner.kill_worker()
            raise timeout from None
        except (Closed, ProtocolError, OSError) as exc:
            with shielded():
                tail = self.owner.log_tail()
                self.owner.kill_worker()
            raise WorkerCrashed(bilingual(
                "採点用のワーカープロセスが呼び出し中に終了しました (os._exit、クラッシュ、メモリ・CPU・プロセス数の制限など)。",
                f"the grading worker ended during the call (os._exit, a crash, or a memory/CPU/process limit): "
                f"{type(exc).__name__}",
            ) + (f"\n--- worker output / 出力 ---\n{tail}" if tail else "")) from None
        except BaseException as exc:
            # a pytest-timeout, Ctrl-C or an error while serving a callback: the protocol state is
            # unknown, so the worker is replaced before the next call (a time-out fired again meanwhile
            # must not leave it running: shielded)
            with shielded():
                if isinstance(exc, WorkbookTimeout):  # the test's own limit: where the worker's code was
                    exc.worker_where = self.owner.where_worker_is()  # type: ignore[attr-defined]
                self.owner.kill_worker()
            raise
        finally:
            if top:
                self.deadline = None
            if on_test_thread:
                self.owner.isolation_leave()
        warned, self.warned = self.warned, []
        for item in warned:  # the call's warnings, in the test (a filter that makes them errors raises here)
            warn_again(item)
        if outcome == "exc":
            raise_with_student_frame(value)
        return value

    def _serve(self, rid: int, args: tuple, kwargs: dict) -> Any:
        while True:
            stats = {"bytes": 0}
            header, buffers = recv_message(self.sock, self.deadline, MAX_WORKER_MESSAGE, stats)
            self.owner.received += stats["bytes"]
            if self.owner.received > MAX_BYTES_PER_TEST:
                raise BudgetExceeded(budget_message())
            self._print_output(header.get("out"))
            if header.get("op") == "reply":
                if header.get("rid") != rid:
                    raise ProtocolError("reply to another request")
                payload = self._decode(header.get("p"), buffers)
                if not isinstance(payload, dict):
                    raise ProtocolError("malformed reply")
                self._receive_figures(header, buffers)
                self._apply_side_effects(payload, args, kwargs)
                if "exc" in header:
                    exc = exception_from(header["exc"], self.exception_types)
                    # only frames in the submission's own files (a forged path could make the
                    # traceback display show a hidden test's source)
                    exc.remote_frames = [f for f in getattr(exc, "remote_frames", [])  # type: ignore[attr-defined]
                                         if type(f[0]) is str and type(f[1]) is int and type(f[2]) is str
                                         and self.owner.owns(f[0])]
                    return "exc", exc
                return "ok", payload.get("ok")
            if header.get("op") == "call" and "cb" in header:
                self._run_callback(header, buffers)
            else:
                raise ProtocolError(f"unexpected request {header.get('op')!r} from the worker")

    def _run_callback(self, header: dict, buffers: list[bytes]) -> None:
        rid = header.get("rid")
        reply: dict[str, Any] = {"op": "reply", "rid": rid}
        out: list[bytes] = []
        try:  # the worker asks only for callables given in this test (sandboxserver._call_back): any
            # other id is a forged message, like the flood of red-team case forged_frames_flood, whose
            # sender reads no reply (answering each one deadlocked both sides until the wall backstop)
            fn = self.callbacks[int(header["cb"])]
        except (KeyError, TypeError, ValueError):
            raise ProtocolError("a call of a callable the grader did not give in this test") from None
        try:
            cargs, ckwargs = self._decode(header.get("args"), buffers)
            self._receive_figures(header, buffers)
            if type(cargs) is not list or type(ckwargs) is not dict or not all(type(k) is str for k in ckwargs):
                raise ProtocolError("malformed callback arguments")
            if not callable(fn):
                raise TypeError("this object is not callable")
            on_test_thread = threading.current_thread() is threading.main_thread()
            if on_test_thread:
                self.owner.isolation_enter(False)  # the test's own code: counted
            try:
                value = fn(*cargs, **ckwargs)
            finally:
                if on_test_thread:
                    self.owner.isolation_leave()
            reply["p"] = encode({"ok": value}, out, self._fallback)
        except (ProtocolError, Closed):
            raise
        except Exception as exc:  # noqa: BLE001 - the callback's error goes back to the student's code
            out = []
            reply["p"] = encode({}, out, self._fallback)
            reply["exc"] = {"name": type(exc).__name__, "bases": [c.__name__ for c in type(exc).__mro__],
                            "msg": str(exc)[:MAX_EXCEPTION_MESSAGE]}
        send_message(self.sock, reply, out, self.deadline)

    def _apply_side_effects(self, payload: dict, args: tuple, kwargs: dict) -> None:
        from .figdesc import replay_axes

        warned = payload.get("warnings")  # given again once the reply is read (request); as many as the worker sends
        self.warned = list(warned[:MAX_WARNINGS]) if type(warned) is list else []
        write_back(payload.get("mutated"), args, kwargs)  # what the call changed in its arguments
        for item in payload.get("axes") or []:
            try:
                token, desc = item
                fig, _ = self.axes_args[int(token)]
                for ax, ad in zip(fig.axes, desc.get("axes") or []):
                    replay_axes(ax, ad)
            except (KeyError, TypeError, ValueError):
                continue
        closed = payload.get("closed_figures")
        if closed:
            import matplotlib.pyplot as plt

            for item in closed if type(closed) is list else []:
                # a mirror of a figure the call closed, or the test's own figure whose Axes it was given
                if type(item) is list and len(item) == 2:
                    num, token = item
                    fig = self.mirrors.pop(num, None) if type(num) is int else None
                    if fig is None and type(token) is int and token in self.axes_args:
                        fig = self.axes_args[token][0]
                    if fig is not None:
                        plt.close(fig)

    def _print_output(self, out: Any) -> None:
        # the worker caps its output, but the worker is not trusted: cap it here too, per reply,
        # per test and per submission (pytest keeps what is printed until the report is written)
        if not isinstance(out, dict):
            return
        owner = self.owner
        for key, stream in (("stdout", sys.stdout), ("stderr", sys.stderr)):
            text = out.get(key)
            if type(text) is not str or not text or owner.output_cut:
                continue
            room = min(MAX_OUTPUT_PER_REPLY, MAX_OUTPUT_PER_TEST - owner.output_test,
                       MAX_OUTPUT_PER_SUBMISSION - owner.output_total)
            if len(text) > room:
                text = text[:max(room, 0)] + (f"\n... [output cut: the rest of this test's output is dropped "
                                              f"/ 以降の出力は省略]\n")
                owner.output_cut = True
            owner.output_test += len(text)
            owner.output_total += len(text)
            stream.write(text)

    def signal_for_stacks(self) -> bool:
        """Ask this worker to write its Python stacks into its output log (``SIGUSR1``; the worker
        registered :mod:`faulthandler` for it). Sent through a pidfd opened when the worker started,
        so it reaches this process and no other. False if it could not be sent."""
        if not self.alive or self._pidfd is None:
            return False
        try:
            signal.pidfd_send_signal(self._pidfd, signal.SIGUSR1)
        except OSError:
            return False
        return True

    def kill(self) -> None:
        if not self.alive:
            return
        self.alive = False
        if self._pidfd is not None:
            try:
                os.close(self._pidfd)
            except OSError:
                pass
            self._pidfd = None
        try:
            self.server.kill(self.pid, self.owner.uid)
        finally:
            try:
                self.sock.close()
            except OSError:
                pass
            if self.group is not None:
                self.group.remove()
