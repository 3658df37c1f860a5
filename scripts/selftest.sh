#!/usr/bin/env bash
# Set up (once) and run the project's own tests (selftests/), not the graded ones.
# They expect pristine stubs in exercises/ (run them in a clean clone, not in your working copy).
source "$(dirname "$0")/_env.sh" "[dev]"
cd "$ROOT" || exit 2
exec "$VENV/bin/python" -m pytest -c selftests/pytest.ini --rootdir=selftests selftests "$@"
