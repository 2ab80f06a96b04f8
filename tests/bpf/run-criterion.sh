#!/usr/bin/env bash
# Runs one Criterion binary of tests/bpf, one test at a time (the BPF tests
# share the machine's timers), and reports its skipped tests, which
# Criterion's synthesis line leaves out, as `0 passed, 0 failed, N skipped`
# for tools/test-summary. Exits with the binary's status.
set -uo pipefail
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$1" --jobs=1 --verbose 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
echo "$1: 0 passed, 0 failed, $(grep -c '^\[SKIP\]' "$log") skipped"
exit "$status"
