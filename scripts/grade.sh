#!/usr/bin/env bash
# Set up (once) and grade exercises/ — or the directory given with --workbook=DIR.
# 使い方 / usage: bash scripts/grade.sh [pytest options, e.g. --workbook=solutions --exercise ex3_attention]
# Paths given to --workbook, --score-report and --json-report-file are relative to where you are;
# test paths (tests/test_ex1_vectors.py) are relative to the workbook.
source "$(dirname "$0")/_env.sh" ""
args=()
expect=""
for a in "$@"; do
  if [ -n "$expect" ]; then
    case "$a" in /*|namespace:*) args+=("$a") ;; *) args+=("$PWD/$a") ;; esac
    expect=""; continue
  fi
  case "$a" in
    --workbook|--score-report|--json-report-file) args+=("$a"); expect=1 ;;
    --workbook=/*|--score-report=/*|--json-report-file=/*|--workbook=namespace:*) args+=("$a") ;;
    --workbook=*|--score-report=*|--json-report-file=*) args+=("${a%%=*}=$PWD/${a#*=}") ;;
    *) args+=("$a") ;;
  esac
done
cd "$ROOT" || exit 2
exec "$VENV/bin/python" -m pytest ${args[@]+"${args[@]}"}
