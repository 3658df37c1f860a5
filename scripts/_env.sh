# shellcheck shell=bash
# Shared set-up for scripts/*.sh (sourced, not run).
# Creates .venv with Python >= 3.11 if needed and installs the workbook with pinned versions
# (constraints.txt pins torch==2.13.0). On Linux, torch comes from the PyTorch project's CPU wheel
# index first (PyPI's Linux torch is a CUDA build of several GB; macOS and Windows wheels are CPU
# builds already); where that index cannot be reached (offline, with a local wheel folder in pip's
# configuration), pip's own configuration is used as it is.
# The install is skipped while pyproject.toml and constraints.txt are unchanged.
# WORKBOOK_ENV_FUNCTIONS=1: only define the functions below (the self-tests call them).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
VENV="${WORKBOOK_VENV:-$ROOT/.venv}"
EXTRA="${1:-}"
TORCH_CPU_INDEX="https://download.pytorch.org/whl/cpu"

# torch_index OS: the index torch is installed from on OS (`uname -s`), or nothing (pip's own
# configuration: PyPI, a local wheel folder...). WORKBOOK_TORCH_INDEX overrides it: another index
# URL (a mirror), or "none".
torch_index() {
  case "${WORKBOOK_TORCH_INDEX:-}" in
    none) return 0 ;;
    ?*) echo "$WORKBOOK_TORCH_INDEX"; return 0 ;;
  esac
  case "$1" in
    Linux) echo "$TORCH_CPU_INDEX" ;;
    *) ;;  # Darwin, MINGW*/MSYS*/CYGWIN* (Windows): PyPI's wheels are CPU builds
  esac
}

# index_reachable URL: whether URL answers within a few seconds (a file: URL: whether the folder
# exists). No when pip is told to use no index (PIP_NO_INDEX).
index_reachable() {
  case "${PIP_NO_INDEX:-}" in ""|0|false|no|off) ;; *) return 1 ;; esac
  "$PYTHON" - "$1" <<'PY'
import os, sys, threading, urllib.parse, urllib.request
url = sys.argv[1]
if url.startswith("file:"):
    sys.exit(0 if os.path.isdir(urllib.request.url2pathname(urllib.parse.urlparse(url).path)) else 1)
ok = []
def probe():
    try:
        urllib.request.urlopen(url.rstrip("/") + "/", timeout=5).close()
        ok.append(True)
    except Exception:
        pass
thread = threading.Thread(target=probe, daemon=True)
thread.start()
thread.join(8)  # name look-ups are not bound by the socket's time-out
sys.exit(0 if ok else 1)
PY
}

# install_torch OS PIP...: on OS, install the pinned torch from torch_index's index with the
# command PIP... (e.g. `.venv/bin/python -m pip`), before the workbook: its dependencies are left
# to the main install, which takes them from PyPI and keeps this torch (torch==X is met by X+cpu).
install_torch() {
  local os="$1" index pin
  shift
  index="$(torch_index "$os")"
  [ -n "$index" ] || return 0
  if ! index_reachable "$index"; then
    echo "torch の CPU 版インデックス ($index) に接続できません。pip の設定 (ローカルの wheel フォルダ、PyPI) から入れます。" >&2
    echo "the torch CPU index ($index) cannot be reached: torch comes from pip's own configuration (a local wheel folder, PyPI)." >&2
    return 0
  fi
  pin="$(grep -m1 -E '^torch==' "$ROOT/constraints.txt" || echo torch)"
  "$@" install --quiet --disable-pip-version-check --no-deps --index-url "$index" "$pin"
}

if [ -n "${WORKBOOK_ENV_FUNCTIONS:-}" ]; then
  return 0
fi

if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || {
    echo "Python 3.11 以上が必要です / Python >= 3.11 is required (e.g. PYTHON=python3.11 bash $0)" >&2; exit 2; }
  "$PYTHON" -m venv "$VENV"
fi
STAMP="$VENV/.workbook-install"
HASH="$(cat "$ROOT/pyproject.toml" "$ROOT/constraints.txt" | sha256sum | cut -d' ' -f1)"
WANT="${HASH} ${EXTRA}"
# an install with the developer tools ([dev], by setup.sh) also serves the plain one (grade.sh, batch.sh)
if [ ! -f "$STAMP" ] || { ! grep -qxF -- "$WANT" "$STAMP" && { [ -n "$EXTRA" ] || ! grep -q "^${HASH} " "$STAMP"; }; }; then
  echo "準備中 (初回は数分かかります) / installing the workbook into $VENV (first time: a few minutes)..." >&2
  install_torch "$(uname -s)" "$VENV/bin/python" -m pip
  (cd "$ROOT" && "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
      -c constraints.txt -e ".${EXTRA}" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2))
  echo "$WANT" >> "$STAMP"
fi
export PATH="$VENV/bin:$PATH" MPLBACKEND=Agg
