#!/bin/sh
# The long crash test: 200 cycles (tests/crash/run.sh).
CYCLES=${CYCLES:-200} exec sh "$(dirname "$0")/../crash/run.sh" "$@"
