#!/usr/bin/env bash
# Runs one Criterion binary of tests/bpf (each runs one test at a time by
# itself: tests/bpf/one_job_main.c) and reports its skipped tests, which
# Criterion's synthesis line leaves out, as `BINARY: N skipped`;
# tools/test-summary adds them up. Exits with the binary's status.
set -uo pipefail
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$1" --verbose 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
echo "$1: $(grep -c '^\[SKIP\]' "$log") skipped"
exit "$status"
