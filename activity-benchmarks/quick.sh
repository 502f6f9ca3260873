#!/usr/bin/env bash
# Smoke test for CI: runs every benchmark once with short iterations and fails if any of them
# fails (or the results table cannot be written). Asserts nothing about time. About a minute on
# 2 cores. Extra arguments go to JMH, e.g. quick.sh -- Update
set -euo pipefail
exec "$(dirname "$0")/run.sh" quick --status "quick pass (smoke test; the numbers mean nothing)" "$@"
