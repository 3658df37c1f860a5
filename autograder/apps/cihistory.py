"""The score's trend for CI: the history file (JSON lines, also kept on a branch of the
repository with git plumbing), its sparkline, and the shields.io badge."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from ..grading.workspace import now_iso
from .cireport import CIError, fmt

#: The file names used on the history branch.
HISTORY_NAME = "history.jsonl"
BADGE_NAME = "badge.json"

SPARK = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float], top: float) -> str:
    """A one-line chart of ``values`` (0 … ``top``) with block characters."""
    if not values or top <= 0:
        return ""
    return "".join(SPARK[min(len(SPARK) - 1, max(0, int(round(v / top * (len(SPARK) - 1)))))] for v in values)


def read_history(path: Path | None) -> list[dict[str, Any]]:
    """The records of a history file (JSON lines; unreadable lines are skipped)."""
    if path is None:
        return []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    out = []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            out.append(record)
    return out


# --- badge ------------------------------------------------------------------------------------

def badge(doc: dict[str, Any] | None, *, label: str = "workbook") -> dict[str, Any]:
    """A shields.io endpoint badge (``https://img.shields.io/endpoint?url=...``).

    Returns:
        ``{"schemaVersion": 1, "label", "message": "73 / 100", "color"}``; colour by the share of
        points (≥ 90 % brightgreen, ≥ 70 % green, ≥ 50 % yellow, ≥ 25 % orange, else red; grey
        without a report).
    """
    if doc is None:
        return {"schemaVersion": 1, "label": label, "message": "no report", "color": "lightgrey"}
    score, max_score = float(doc["score"]), float(doc["max_score"])
    share = score / max_score if max_score else 0.0
    color = ("brightgreen" if share >= 0.9 else "green" if share >= 0.7 else "yellow" if share >= 0.5
             else "orange" if share >= 0.25 else "red")
    return {"schemaVersion": 1, "label": label, "message": f"{fmt(score)} / {fmt(max_score)}", "color": color}


# --- history ----------------------------------------------------------------------------------

def _git(*args: str, cwd: Path | None = None, input: str | None = None, check: bool = True) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise CIError(f"git {' '.join(args)} failed: {proc.stderr.strip()}")
    return proc.stdout.strip() if proc.returncode == 0 else ""


def history_record(doc: dict[str, Any], *, commit: str | None = None, time: str | None = None) -> dict[str, Any]:
    """One score-history record.

    Returns:
        ``{"commit", "time", "ref", "run_id", "score", "max_score", "exercises": {exercise:
        points}, "partial", "exit_status"}``; ``commit`` defaults to ``$GITHUB_SHA``, else
        ``git rev-parse HEAD``; ``time`` to now (UTC, ISO 8601).
    """
    if commit is None:
        commit = os.environ.get("GITHUB_SHA") or _git("rev-parse", "HEAD", check=False) or None
    extra = doc.get("extra_data", {})
    return {
        "commit": commit,
        "time": time or now_iso(),
        "ref": os.environ.get("GITHUB_REF"),
        "run_id": os.environ.get("GITHUB_RUN_ID"),
        "score": float(doc["score"]),
        "max_score": float(doc["max_score"]),
        "exercises": {e["exercise"]: float(e["score"]) for e in extra.get("exercises", [])},
        "partial": bool(extra.get("partial")),
        "exit_status": extra.get("exit_status"),
    }


def push_history(record: dict[str, Any], *, branch: str, remote: str = "origin", badge_json: str | None = None,
                 cwd: Path | None = None, attempts: int = 3) -> str:
    """Append ``record`` to ``history.jsonl`` on ``branch`` of ``remote`` (created if missing).

    Uses git plumbing (``hash-object``, ``mktree``, ``commit-tree``, ``push``): the work tree, the
    index and HEAD are never touched. A push rejected by a concurrent run is retried from a fresh
    fetch, up to ``attempts`` times.

    Returns:
        The full history text now on the branch.

    Raises:
        CIError: git failed (no remote, no permission to push, ...).
    """
    env_ident = {
        "GIT_AUTHOR_NAME": os.environ.get("GIT_AUTHOR_NAME", "github-actions[bot]"),
        "GIT_AUTHOR_EMAIL": os.environ.get("GIT_AUTHOR_EMAIL", "41898282+github-actions[bot]@users.noreply.github.com"),
    }
    env_ident["GIT_COMMITTER_NAME"] = os.environ.get("GIT_COMMITTER_NAME", env_ident["GIT_AUTHOR_NAME"])
    env_ident["GIT_COMMITTER_EMAIL"] = os.environ.get("GIT_COMMITTER_EMAIL", env_ident["GIT_AUTHOR_EMAIL"])
    line = json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
    tracking = f"refs/workbook/{branch}"
    last_error = ""
    for _ in range(attempts):
        fetched = subprocess.run(["git", "fetch", "--quiet", remote, f"+refs/heads/{branch}:{tracking}"],
                                 cwd=cwd, capture_output=True, text=True)
        parent = _git("rev-parse", "--verify", "--quiet", tracking, cwd=cwd, check=False) if fetched.returncode == 0 else ""
        old = _git("show", f"{parent}:{HISTORY_NAME}", cwd=cwd, check=False) + "\n" if parent else ""
        text = (old.rstrip("\n") + "\n" if old.strip() else "") + line
        entries: dict[str, str] = {}
        if parent:
            for row in _git("ls-tree", parent, cwd=cwd).splitlines():
                meta, name = row.split("\t", 1)
                entries[name] = meta
        for name, content in ((HISTORY_NAME, text), (BADGE_NAME, badge_json)):
            if content is None:
                continue
            blob = _git("hash-object", "-w", "--stdin", cwd=cwd, input=content)
            entries[name] = f"100644 blob {blob}"
        tree = _git("mktree", cwd=cwd, input="".join(f"{meta}\t{name}\n" for name, meta in sorted(entries.items())))
        message = f"workbook history: {str(record.get('commit') or '')[:12]} {fmt(record['score'])}/{fmt(record['max_score'])}"
        args = ["commit-tree", tree, "-m", message] + (["-p", parent] if parent else [])
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env={**os.environ, **env_ident})
        if proc.returncode != 0:
            raise CIError(f"git commit-tree failed: {proc.stderr.strip()}")
        commit = proc.stdout.strip()
        pushed = subprocess.run(["git", "push", "--quiet", remote, f"{commit}:refs/heads/{branch}"],
                                cwd=cwd, capture_output=True, text=True)
        if pushed.returncode == 0:
            return text
        last_error = pushed.stderr.strip()
    raise CIError(f"git push to {remote} {branch} failed: {last_error}")
