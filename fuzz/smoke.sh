#!/bin/sh
# fuzz/smoke.sh BUILDDIR [SECONDS] - run every fuzz target for SECONDS
# (default 25) from freshly generated seeds; exit 1 if any target crashes,
# leaks, hangs or trips a sanitizer.  BUILDDIR is where fuzz/build.sh built.
# Crashing inputs are kept in BUILDDIR/fuzz/findings/TARGET/.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
dir=$(cd "${1:?usage: smoke.sh BUILDDIR [SECONDS]}" && pwd)
secs=${2:-25}
corpus="$dir/fuzz/corpus"
rm -rf "$corpus"
python3 "$src/fuzz/mkseeds.py" "$src" "$corpus"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:allocator_may_return_null=1"
export LSAN_OPTIONS="suppressions=$src/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
failed=""
for t in message html2text charset config cdr auth; do
	out="$dir/fuzz/findings/$t"
	mkdir -p "$out"
	log="$out/log"
	printf 'fuzz_%s: %ss ... ' "$t" "$secs"
	if "$dir/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=30 -rss_limit_mb=3072 -max_len=262144 \
		-artifact_prefix="$out/" -print_final_stats=1 "$corpus/$t" >"$log" 2>&1; then
		grep -E '^stat::number_of_executed_units' "$log" | sed 's/.*: *//; s/$/ runs, ok/'
	else
		echo FAILED
		tail -n 60 "$log"
		failed="$failed $t"
	fi
done
[ -z "$failed" ] || { echo "fuzz smoke run failed:$failed (inputs in $dir/fuzz/findings)"; exit 1; }
echo "fuzz smoke run passed"
