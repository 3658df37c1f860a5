#!/usr/bin/env bash
# Set up (once) and grade exercises/ — or the directory given with --workbook=DIR.
# 使い方 / usage: bash scripts/grade.sh [pytest options, e.g. --workbook=solutions]
source "$(dirname "$0")/_env.sh" ""
exec "$VENV/bin/python" -m pytest "$@"
