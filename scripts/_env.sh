# shellcheck shell=bash
# Shared set-up for scripts/*.sh (sourced, not run).
# Creates .venv with Python >= 3.11 if needed and installs the workbook with pinned versions
# (constraints.txt pins torch==2.13.0, a CPU build; a looser pin would download a CUDA build).
# The install is skipped while pyproject.toml and constraints.txt are unchanged.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
VENV="${WORKBOOK_VENV:-$ROOT/.venv}"
EXTRA="${1:-}"
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
  (cd "$ROOT" && "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
      -c constraints.txt -e ".${EXTRA}" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2))
  echo "$WANT" >> "$STAMP"
fi
export PATH="$VENV/bin:$PATH" MPLBACKEND=Agg
