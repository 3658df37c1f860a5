# Shared set-up for scripts/grade.sh and scripts/selftest.sh (sourced, not run).
# Creates .venv with Python >= 3.11 if needed and installs the workbook with pinned versions
# (constraints.txt pins torch==2.13.0, a CPU build; a looser pin would download a CUDA build).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
VENV="${WORKBOOK_VENV:-$ROOT/.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || {
    echo "Python 3.11 以上が必要です / Python >= 3.11 is required (set PYTHON=python3.11)" >&2; exit 2; }
  "$PYTHON" -m venv "$VENV"
fi
EXTRA="${1:-}"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".${EXTRA}" \
  2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
export MPLBACKEND=Agg
