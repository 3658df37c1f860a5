#!/usr/bin/env bash
# Set up (once) and run the project's own tests (selftests/), not the graded ones.
# They expect pristine stubs in exercises/ (run them in a clean clone, not in your working copy).
source "$(dirname "$0")/_env.sh" "[dev,dask]"
cd "$ROOT" || exit 2
# The self-tests start several hundred Python processes (students' pytest runs, graders, workers). Their
# compiled code (and pytest's rewritten test modules) is cached in the virtual environment, not next to
# the sources, also where PYTHONDONTWRITEBYTECODE is set: without the cache every process compiles the
# grader, the tests and the rewritten pytest plugins again (1-2.5 s each on two cores).
export PYTHONPYCACHEPREFIX="$VENV/pycache"
unset PYTHONDONTWRITEBYTECODE
# the grader's layers import only downward (pyproject.toml [tool.importlinter], docs/architecture.md)
"$VENV/bin/lint-imports" --config pyproject.toml --no-cache || exit 1
exec "$VENV/bin/python" -m pytest -c selftests/pytest.ini --rootdir=selftests selftests "$@"
