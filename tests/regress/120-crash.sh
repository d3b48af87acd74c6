#!/bin/sh
# The short crash test: 10 cycles of writes, imports and refresh-token
# rotations cut by SIGKILL (tests/crash/run.sh; make soak runs 200).
CYCLES=${CYCLES:-10} exec sh "$(dirname "$0")/../crash/run.sh" "$@"
