"""What the run-time check of the rules (:mod:`.ruleguard`) reports: one :class:`Hit` per violation
seen, with the bilingual message a student reads."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.i18n import bilingual

__all__ = ["END_OF_TEST", "LOST", "STARTED_EARLIER", "TASK_OBJECT", "Hit", "THREAD_GIVEN_UP", "UNREADABLE_NAME"]

#: ``Hit.file`` of what the check found out of place when the test ended (no line to name).
END_OF_TEST = "<end of test>"

#: ``Hit.file`` of a call made by a task's object that is no code of the submission (the task's name
#: bound to a library function, e.g. ``functools.partial(scipy.stats.entropy, axis=-1)``).
TASK_OBJECT = "<the task's object>"

#: ``Hit.file`` of what runs when the grader reads an object the submission returned or changed
#: after the call (a method replaced on the object, a figure's artists being described).
RESULT_OBJECT = "<the returned object>"

#: ``Hit.file`` of processes the submission started before a rule-bound test (in a test of another
#: task, or at import) that still run when it starts (:mod:`autograder.submission.processes`).
STARTED_EARLIER = "<started earlier>"

#: How a replaced method is named in a hit (``Rectangle.get_height`` + this).
REPLACED = " (replaced on the object)"

#: ``Hit.kind`` of a hook of the check that Python removed (CPython unsets a profile or trace function
#: that raises, e.g. ``RecursionError`` when the call of the hook itself reaches the recursion limit):
#: nothing can say what ran unwatched after it, so the test fails; the rest of the task is not
#: counted against (honest code that recursed too deep does not lose the whole task).
LOST = "lost"


#: Tamper names (prefixes) of what runs code outside the check's sight rather than turning it off:
#: audit hooks, signal handlers and timers, garbage collection turned back on, TorchScript, kernels
#: registered for torch's operations (torch.library).
RUNS_LATER = ("sys.addaudithook", "signal.", "gc.enable", "torch.jit.", "torch._C._jit", "torch._C._create_function",
              "torch._C.import_ir_module", "TorchScript (torch._C)", "torch autograd hook", "torch.library.",
              "torch._C._dispatch_library")

#: Tamper names of what makes code from text or bytes: code the check cannot tell from a library's
#: own (compiled under a library's file name and run in its namespace, see :mod:`.genuine`).
MAKES_CODE = ("builtins.exec", "builtins.eval", "builtins.compile", "marshal.loads")

@dataclass(frozen=True)
class Hit:
    """One violation seen at run time.

    Attributes:
        kind: ``"forbidden"`` (a forbidden function), ``"tamper"`` (the check was turned off or
            replaced), ``"process"`` (a process or raw thread the check cannot watch),
            ``"overloading"`` (an arithmetic operator of the submission's own class, no-autodiff
            tasks) or ``"lost"`` (Python itself removed a hook of the check: an exception was raised
            inside it, e.g. ``RecursionError`` at the recursion limit; see :data:`LOST`).
        name: the function, e.g. ``"torch.nn.functional.softmax"`` or ``"Value.__mul__"``.
        file: the submission's file (relative to the submission), or ``""`` when the call came from
            a thread started by the submission with none of its frames on the stack.
        line: the line in ``file`` (0 when unknown).
    """

    kind: str
    name: str
    file: str
    line: int

    def message(self, lines: list[int] | None = None) -> str:
        """A bilingual message naming the call, where it was made, and why it costs the points.

        Args:
            lines: every line of ``file`` where the same call was seen (default: ``line``).
        """
        lines = lines or [self.line]
        shown = ", ".join(map(str, lines))
        if self.file == END_OF_TEST:
            where_ja, where_en = "テスト終了時の確認", "checked at the end of the test"
        elif self.file == RESULT_OBJECT:
            where_ja = "あなたの関数が返した (または変更した) オブジェクトを採点器が読んだとき"
            where_en = "when the grader read an object your function returned or changed"
        elif self.file == TASK_OBJECT:
            where_ja = "課題の名前が指すオブジェクト (あなたが書いた関数ではなく、ライブラリ関数などに課題の名前を付けたもの) の中"
            where_en = "inside the object the task's name refers to (not a function you wrote: a library function given the task's name)"
        elif self.file:
            where_ja = f"{self.file} の {shown} 行目"
            where_en = f"{self.file}, line{'s' if len(lines) > 1 else ''} {shown}"
        else:
            where_ja, where_en = "提出コードが起動したスレッド", "a thread started by the submission"
        if self == THREAD_GIVEN_UP:  # ruleguard.THREAD_MARGIN
            return bilingual(
                "提出コードが起動したスレッドで再帰が Python の上限近くまで深くなったため、採点の実行時チェックは"
                "そのスレッドを確認できなくなりました (上限に達すると Python 自身がチェックを外し、その後の呼び出しは"
                "誰にも見えません)。このテストは不合格です (課題全体は 0 点になりません)。そのスレッドが動き続ける間は、"
                "以後の「自分で実装」課題のテストも同じです。深い再帰を使わず、ループで書いてください。",
                "recursion in a thread your code started came close to Python's limit, so the grader's run-time "
                "check can no longer watch that thread (at the limit Python removes the check, and nothing can see "
                "what the thread calls after that). This test fails (the rest of the task keeps its points), and so "
                "does every later rule-bound test while that thread runs. Write the computation with a loop "
                "instead of deep recursion.",
            )
        if self.kind == LOST and self.name == UNREADABLE_NAME:
            return bilingual(
                f"{where_ja}: 採点の実行時チェックがこの呼び出しを調べている途中で例外が起きたため、"
                "使ってよい関数かどうかを判定できませんでした。このテストは不合格です (課題全体は 0 点になりません)。",
                f"{where_en}: the grader's run-time check could not tell whether a call your code made is "
                "allowed: an exception was raised inside the check while it examined the call. This test fails "
                "(the rest of the task keeps its points).",
            )
        if self.kind == LOST:
            return bilingual(
                f"採点の実行時チェック ({self.name}) が、提出コードの実行中に Python 自身によって外されました。"
                "チェックの中で例外が起きると Python はチェックを外します。ほとんどは、再帰が深すぎて上限に"
                "達した (RecursionError) ためです。外れた後の呼び出しは確認できないので、このテストは不合格です"
                "(課題全体は 0 点になりません)。深い再帰を使わず、ループで書いてください。",
                f"the grader's run-time check ({self.name}) was removed by Python itself while your code ran: "
                "Python removes it when an exception is raised inside it, almost always because recursion "
                "reached Python's limit (RecursionError). What your code called after that cannot be "
                "checked, so this test fails (the rest of the task keeps its points). Write the computation "
                "with a loop instead of deep recursion.",
            )
        if self.kind == "tamper" and self.file == END_OF_TEST:
            return bilingual(
                f"{where_ja}: 採点の実行時チェックが止められていました ({self.name})。この課題は 0 点です。",
                f"{where_en}: the grader's run-time check had been turned off ({self.name}); this task scores 0.",
            )
        if self.kind == "tamper" and (self.name.startswith(RUNS_LATER) or self.name.endswith(REPLACED)):
            return bilingual(
                f"{where_ja}: {self.name} は、採点の実行時チェックから見えないところ (後から、または別の経路) で"
                f"コードを動かします。この課題は 0 点です。",
                f"{where_en}: {self.name} runs code where the grader's run-time check cannot see it (later, or "
                f"by another route); this task scores 0.",
            )
        if self.kind == "tamper" and self.name in MAKES_CODE:
            return bilingual(
                f"{where_ja}: {self.name} は文字列やバイト列からコードを作ります。採点の実行時チェックはそのコードを"
                "ライブラリのコードと区別できないため、「自分で実装」課題では使えません。この課題は 0 点です。",
                f"{where_en}: {self.name} makes code from text or bytes, which the grader's run-time check cannot "
                "tell from a library's own; \"from scratch\" tasks cannot use it. This task scores 0.",
            )
        if self.kind == "tamper":
            return bilingual(
                f"{where_ja}: 採点の実行時チェックを止めようとしています ({self.name})。この課題は 0 点です。",
                f"{where_en}: {self.name} turns off the grader's run-time check; this task scores 0.",
            )
        if self.kind == "process" and self.file == STARTED_EARLIER:  # name: how many
            some = "a process" if self.name == "1" else f"{self.name} processes"
            return bilingual(
                f"この課題のテストが始まったとき、提出コードが前に (別の課題のテスト中や読み込み時に) 起動した"
                f"プロセス ({self.name} 個) がまだ動いていました。採点器はその中の呼び出しを確認できないため、"
                "この課題は 0 点です。プロセスやプロセスプール (multiprocessing.Pool など) は、起動した関数の中で"
                "終了させてください (with 文を使う、join する)。",
                f"when this task's test started, {some} your code had started earlier (in a test of another "
                f"task, or at import) {'was' if self.name == '1' else 'were'} still running. The grader cannot "
                "check the calls made there, so this task scores 0. End a process or process pool "
                "(multiprocessing.Pool...) in the function that starts it (a with statement, or join it).",
            )
        if self.kind == "process":
            return bilingual(
                f"{where_ja}: この課題のコードがプロセスまたはスレッドを起動しています ({self.name})。"
                "採点器はその中の呼び出しを確認できないため、この課題では使えません。",
                f"{where_en}: the task's code starts a process or thread ({self.name}) whose calls the "
                "grader cannot check; not allowed in this task.",
            )
        if self.kind == "overloading":
            return bilingual(
                f"{where_ja}: 自作クラスの演算子 ({self.name}) を使っています。この課題では自動微分の仕組み"
                "(演算子を定義したクラスで計算グラフを作り、逆向きに勾配を流すもの。micrograd の Value など) "
                "は使えません。連鎖律の式を NumPy 配列で直接書いてください。",
                f"{where_en}: an arithmetic operator of your own class ({self.name}) is used. This task "
                "allows no automatic differentiation, also none of your own (a class that overloads "
                "operators to record a graph and send gradients back through it, like micrograd's "
                "Value); write the chain rule's formulas on NumPy arrays.",
            )
        return bilingual(
            f"{where_ja}で {self.name} が呼ばれました (実行時のチェック)。この課題では使えません。"
            "ライブラリに頼らず自分で実装してください。",
            f"{where_en}: {self.name} was called (run-time check); it is not allowed in this task. "
            "Implement it from scratch instead of calling a library.",
        )


#: The hit of a thread the submission started that came near the recursion limit and is given up
#: (``ruleguard.THREAD_MARGIN``): Python would remove its hook unnoticed.
THREAD_GIVEN_UP = Hit(LOST, "threading.setprofile", END_OF_TEST, 0)

#: ``Hit.name`` of a call the check could not classify: an exception was raised inside the hook's
#: own work (the hook catches it, stays on, and the test fails; see :data:`LOST`).
UNREADABLE_NAME = "<unreadable call>"

