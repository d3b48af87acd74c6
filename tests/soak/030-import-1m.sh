#!/bin/sh
# regress 131 (a large import stages its rows, blocks no one, survives a
# SIGKILL all or nothing) at the 1,000,000 rows of the Core issue; make
# check runs it with 200,000.
ROWS=${ROWS:-1000000} exec sh "$(dirname "$0")/../regress/131-import-staging.sh" "$@"
