#!/usr/bin/env bash
# Set up .venv only (pinned installs). Then: source .venv/bin/activate
source "$(dirname "$0")/_env.sh" "[dev]"
echo "ready: source $VENV/bin/activate"
