#!/bin/sh
# Runs every test binary given on the command line (cmocka groups), shows
# their output, and closes with one summary line over all of them.  An
# argument NAME=VALUE is exported to the binaries after it (the Makefile's
# HVFLUSH_BIN=build-san/hvflush before the sanitized integration tests).
set -u

passed=0
failed=0
for t in "$@"; do
    case $t in
    *=*) export "$t"; continue ;;
    esac
    out=$(mktemp)
    echo "== $t"
    "$t" >"$out" 2>&1
    rc=$?
    cat "$out"
    p=$(sed -n 's/.*\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
    f=$(sed -n 's/.*\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
    if [ "$rc" -ne 0 ] && [ -z "$f" ]; then
        echo "$t exited with status $rc without a cmocka summary"
        failed=$((failed + 1))
    fi
    rm -f "$out"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
