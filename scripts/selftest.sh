#!/usr/bin/env bash
# Set up (once) and run the project's own tests (selftests/), not the graded ones.
source "$(dirname "$0")/_env.sh" "[dev]"
exec "$VENV/bin/python" -m pytest -c selftests/pytest.ini --rootdir=selftests selftests "$@"
