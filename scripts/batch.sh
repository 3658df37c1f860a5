#!/usr/bin/env bash
# Set up (once) and grade a whole class in isolated mode (python -m autograder.batch).
# 使い方 / usage: bash scripts/batch.sh SUBMISSIONS --out OUT [--jobs N] [--force] [--timeout S] [pytest options]
# Paths are relative to where you are.
source "$(dirname "$0")/_env.sh" ""
exec "$VENV/bin/python" -m autograder.batch "$@"
