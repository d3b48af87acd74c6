#!/bin/sh
# Build every tests/fuzz/fuzz_NAME.c as a libFuzzer target (clang, ASan,
# UBSan) and run each briefly. Prints "ok - fuzz_NAME (N runs)" or
# "not ok - fuzz_NAME ..." with the input that crashed it.
#
# A target says what it links in comments near its top, so a new one
# needs no change here:
#   /* fuzz-sources: daemon/money.c daemon/err.c */  shell globs; !PATH drops
#   /* fuzz-libs: $(JANSSON_LIBS) -lm */             $(VAR): from the Makefile
#   /* fuzz-cflags: -Iplugins/csv */
# Seeds are tests/fuzz/corpus/NAME/*, an optional dictionary is
# tests/fuzz/NAME.dict. What the runs find goes to $B/fuzz/corpus/NAME.
#
# Environment: B (build dir, default build), FUZZ_SECONDS (per target,
# default 10), FUZZ_ONLY (names to run, e.g. "money rpc"), CI (a missing
# clang is then a failure, not a skip).
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
SECS=${FUZZ_SECONDS:-10}
OUT=$B/fuzz
CC_FUZZ=${CC_FUZZ:-clang}

if ! command -v "$CC_FUZZ" >/dev/null 2>&1; then
	if [ -n "${CI:-}" ]; then
		echo "not ok - fuzz: $CC_FUZZ not installed (apt-get install clang libclang-rt-14-dev)"
		exit 1
	fi
	echo "ok - fuzz skipped: clang not installed"
	exit 0
fi
mkdir -p "$OUT/obj" "$OUT/corpus" "$OUT/crash" "$OUT/log" || exit 1

# The Makefile's own flags and variables, so the two never disagree.
mkvar() {
	make -s --no-print-directory --eval 'fuzz-print: ; @echo $(FUZZ_EXPR)' \
	    fuzz-print FUZZ_EXPR="$1" 2>/dev/null
}
CPPFLAGS=$(mkvar '$(CPPFLAGS) $(LIBCFLAGS)')
FLAGS="-g -O1 -std=c17 -D_GNU_SOURCE -fno-omit-frame-pointer \
-fsanitize=address,undefined -fno-sanitize-recover=all"
WARN="-Wall -Wextra -Wno-unused-parameter"

# The value of "fuzz-KEY:" in file $2 (one line, comment marks removed).
header() {
	sed -n "s|^[/* ]*fuzz-$1:[[:space:]]*\\(.*\\)|\\1|p" "$2" | head -1 |
	    sed 's|[[:space:]]*\*/[[:space:]]*$||'
}

# Is object $1 older than any file its dependency list $2 names?
stale() {
	[ -f "$1" ] && [ -f "$2" ] || return 0
	for dep in $(sed -e 's/^[^:]*://' -e '/^$/q' -e 's/\\$//' "$2" |
	    tr -s ' \t' '\n\n' | sed '/:$/d'); do
		[ "$dep" -nt "$1" ] && return 0
	done
	return 1
}

fail=0
for src in tests/fuzz/fuzz_*.c; do
	[ -f "$src" ] || continue
	name=$(basename "$src" .c)
	short=${name#fuzz_}
	if [ -n "${FUZZ_ONLY:-}" ]; then
		case " $FUZZ_ONLY " in *" $short "*) ;; *) continue ;; esac
	fi
	log=$OUT/log/$short.log
	# sources: globs expanded here, "!path" entries dropped
	srcs=""
	drop=""
	for pat in $(header sources "$src"); do
		case $pat in
		!*) drop="$drop ${pat#!}" ;;
		*) for f in $pat; do [ -f "$f" ] && srcs="$srcs $f"; done ;;
		esac
	done
	keep=""
	for f in $srcs; do
		case " $drop " in *" $f "*) ;; *) keep="$keep $f" ;; esac
	done
	libs=$(mkvar "$(header libs "$src")")
	xcflags=$(mkvar "$(header cflags "$src")")

	# each source once, instrumented for coverage; shared by targets
	objs=""
	built=1
	for f in $keep; do
		o=$OUT/obj/${f%.c}.o
		objs="$objs $o"
		if stale "$o" "${o%.o}.d"; then
			mkdir -p "$(dirname "$o")"
			if ! $CC_FUZZ $FLAGS -fsanitize=fuzzer-no-link $WARN \
			    $CPPFLAGS $xcflags -MMD -MF "${o%.o}.d" -c "$f" \
			    -o "$o" >>"$log.build" 2>&1; then
				built=0
				break
			fi
		fi
	done
	bin=$OUT/$name
	if [ $built -eq 1 ] && ! $CC_FUZZ $FLAGS -fsanitize=fuzzer $WARN \
	    $CPPFLAGS $xcflags -o "$bin" "$src" $objs $libs \
	    >>"$log.build" 2>&1; then
		built=0
	fi
	if [ $built -eq 0 ]; then
		echo "not ok - $name: build failed (see $log.build)"
		sed 's/^/#   /' "$log.build" | grep -E 'error|undefined' | head -10
		fail=$((fail + 1))
		continue
	fi
	rm -f "$log.build"

	mkdir -p "$OUT/corpus/$short"
	dict=""
	[ -f "tests/fuzz/$short.dict" ] && dict="-dict=tests/fuzz/$short.dict"
	seeds=""
	[ -d "tests/fuzz/corpus/$short" ] && seeds="tests/fuzz/corpus/$short"
	# -timeout: a single input that takes this long is a bug (a hang)
	if "$bin" -max_total_time="$SECS" -timeout=25 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$OUT/crash/$short-" $dict \
	    "$OUT/corpus/$short" $seeds >"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
		    tail -1)
		echo "ok - $name (${runs:-?} runs)"
	else
		crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" |
		    tail -1)
		echo "not ok - $name: crash input ${crash:-unknown} (log $log)"
		# the report and the frames in our own code
		grep -E "ERROR:|SUMMARY:|runtime error| $(pwd)/" "$log" |
		    head -16 | sed 's/^/#   /'
		fail=$((fail + 1))
	fi
done
[ $fail -eq 0 ]
