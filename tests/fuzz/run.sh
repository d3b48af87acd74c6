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
# default 5), FUZZ_ONLY (names to run, e.g. "money rpc"), FUZZ_JOBS
# (targets run at once, default 2), FUZZ_NICE (their nice(1) level,
# default 10: under make check the regress tests come first and the
# fuzzers take the CPU they leave), CI (a missing clang is then a
# failure, not a skip).
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
SECS=${FUZZ_SECONDS:-5}
JOBS=${FUZZ_JOBS:-2}
NICE=${FUZZ_NICE:-10}
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
# -gline-tables-only: a crash's frames keep their file and line, and the
# targets build in 78 s of CPU where full -g took 85 (a clean clone builds
# them all in make check)
FLAGS="-gline-tables-only -O1 -std=c17 -D_GNU_SOURCE -fno-omit-frame-pointer \
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

# fuzz SHORT: run one target; its ok / not ok lines go to its .result
fuzz() {
	name=fuzz_$1
	log=$OUT/log/$1.log
	mkdir -p "$OUT/corpus/$1"
	dict=""
	[ -f "tests/fuzz/$1.dict" ] && dict="-dict=tests/fuzz/$1.dict"
	seeds=""
	[ -d "tests/fuzz/corpus/$1" ] && seeds="tests/fuzz/corpus/$1"
	# -timeout: a single input that takes this long is a bug (a hang)
	if nice -n "$NICE" "$OUT/$name" -max_total_time="$SECS" -timeout=25 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$OUT/crash/$1-" $dict "$OUT/corpus/$1" $seeds \
	    >"$log" 2>&1; then
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
	fi >"$OUT/log/$1.result.tmp"
	mv "$OUT/log/$1.result.tmp" "$OUT/log/$1.result"
}

# Targets run as soon as they are built, FUZZ_JOBS at once, while the
# next ones build.
started=""
ready=""
running() {
	_r=0
	for _t in $started; do [ -f "$OUT/log/$_t.result" ] || _r=$((_r + 1)); done
	echo $_r
}
# start_ready [wait]: start what is built while a slot is free (with
# "wait": until all of it has started)
start_ready() {
	while [ -n "$ready" ]; do
		if [ "$(running)" -ge "$JOBS" ]; then
			[ "${1:-}" = wait ] || return 0
			sleep 0.2
			continue
		fi
		_t=${ready%% *}
		ready=${ready#"$_t"}
		ready=${ready# }
		rm -f "$OUT/log/$_t.result"
		fuzz "$_t" &
		started="$started $_t"
	done
}

fail=0
targets=""
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
	# linked again only when the target or an object changed
	relink=0
	[ -f "$bin" ] || relink=1
	for f in "$src" $objs; do [ "$f" -nt "$bin" ] && relink=1; done
	if [ $built -eq 1 ] && [ $relink -eq 1 ] && ! $CC_FUZZ $FLAGS \
	    -fsanitize=fuzzer $WARN $CPPFLAGS $xcflags -o "$bin" "$src" $objs \
	    $libs >>"$log.build" 2>&1; then
		rm -f "$bin"
		built=0
	fi
	if [ $built -eq 0 ]; then
		echo "not ok - $name: build failed (see $log.build)"
		sed 's/^/#   /' "$log.build" | grep -E 'error|undefined' | head -10
		fail=$((fail + 1))
		continue
	fi
	rm -f "$log.build"
	targets="$targets $short"
	ready="${ready:+$ready }$short"
	start_ready
done

start_ready wait
wait
# their lines in the targets' order
for t in $targets; do
	cat "$OUT/log/$t.result"
	grep -q '^not ok' "$OUT/log/$t.result" && fail=$((fail + 1))
done
[ $fail -eq 0 ]
