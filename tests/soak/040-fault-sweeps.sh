#!/bin/sh
# Every fault point: make check sweeps a share of the allocations and
# I/O calls of tests/unit/test_faults_{oom,io} (another share each run);
# this sweeps all of them. Each binary's cmocka lines become ok/not ok.
B=${B:-build}
for t in test_faults_oom test_faults_io; do
	out=$B/tests/soak/$t.out
	SPEND_FAULT_STRIDE=1 "$B/tests/$t" >"$out" 2>&1
	rc=$?
	grep -E '^\[  FAILED  \] [a-z_]' "$out" | sed 's/^/not ok - /'
	if [ $rc -eq 0 ] && ! grep -q '^\[  FAILED  \]' "$out"; then
		echo "ok - $t: every fault point ($(grep -c ' points: ' "$out") sweeps)"
	else
		echo "not ok - $t exited with status $rc (log: $out)"
	fi
done
